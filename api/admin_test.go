package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"skygrid"
	"skygrid/api"
)

// An admin adds users on the web as `skygrid user add` does; the new
// user can log in and sees their area; the audit log names the admin.
func TestAdminAddsUsers(t *testing.T) {
	w := newWorld(t)
	add := func(who string, u api.NewUser, want int) errorBody {
		t.Helper()
		var e errorBody
		if st := w.do(t, who, "POST", "/api/users", u, &e); st != want {
			t.Fatalf("%s adds %s: %d, want %d (%s)", who, u.Name, st, want, e.Error.Message)
		}
		return e
	}
	add("admin", api.NewUser{Name: "xin", Role: skygrid.RoleOfficial, Regions: []string{w.countyA}, Phone: "+86 138-0013-8000",
		DingTalkID: "manager4220", Password: "a new password"}, http.StatusCreated)
	for _, c := range []struct {
		u    api.NewUser
		want int
		msg  string
	}{
		{api.NewUser{Name: "xin", Role: skygrid.RoleOfficial, Regions: []string{w.countyA}, Password: "a new password"}, http.StatusConflict, `user "xin" exists`},
		{api.NewUser{Name: "a", Role: "boss", Password: "a new password"}, http.StatusBadRequest, `role "boss"`},
		{api.NewUser{Name: "b", Role: skygrid.RoleSupervisor, Regions: []string{w.countyA}, Password: "a new password"}, http.StatusBadRequest, "a supervisor is scoped to grids"},
		{api.NewUser{Name: "c", Role: skygrid.RoleOfficial, Password: "a new password"}, http.StatusBadRequest, "need a region"},
		{api.NewUser{Name: "d", Role: skygrid.RoleAuditor, Password: "short"}, http.StatusBadRequest, "at least 8 characters"},
		{api.NewUser{Name: "f", Role: skygrid.RoleAuditor, Phone: "138", Password: "a new password"}, http.StatusBadRequest, "11-digit mainland mobile"},
		{api.NewUser{Name: "g", Role: skygrid.RoleAuditor, Phone: "1380013800\n0", Password: "a new password"}, http.StatusBadRequest, "control characters"},
		{api.NewUser{Name: "h", Role: skygrid.RoleAuditor, DingTalkID: "a,b", Password: "a new password"}, http.StatusBadRequest, "no spaces, commas"},
	} {
		if e := add("admin", c.u, c.want); !strings.Contains(e.Error.Message, c.msg) {
			t.Errorf("%+v: %q, want %q", c.u, e.Error.Message, c.msg)
		}
	}
	add("officialA", api.NewUser{Name: "e", Role: skygrid.RoleAuditor, Password: "a new password"}, http.StatusForbidden)
	add("auditor", api.NewUser{Name: "e", Role: skygrid.RoleAuditor, Password: "a new password"}, http.StatusForbidden)

	// The new official logs in and sees only their county's tasks.
	var s api.Me
	if st := w.do(t, "", "POST", "/api/login", api.LoginRequest{Name: "xin", Password: "a new password"}, &s); st != http.StatusOK || s.User.Role != skygrid.RoleOfficial {
		t.Fatalf("the new user's login: %d %+v", st, s)
	}
	var audit struct{ Entries []skygrid.AuditEntry }
	w.do(t, "admin", "GET", "/api/audit?entity=user&actor=admin", nil, &audit)
	if len(audit.Entries) != 1 || audit.Entries[0].Action != "user.add" || !strings.Contains(audit.Entries[0].After, "name=xin role=official") ||
		!strings.Contains(audit.Entries[0].After, "phone=138****8000 dingtalk=man****4220") {
		t.Errorf("audit: %+v", audit.Entries)
	}
	// The list shows the phone (stored as 11 digits) and the DingTalk id
	// masked; the user's own session shows them whole.
	var list struct{ Users []map[string]any }
	w.do(t, "admin", "GET", "/api/users", nil, &list)
	found := false
	for _, u := range list.Users {
		if u["name"] == "xin" {
			found = true
			if u["phone"] != "138****8000" || u["dingtalk_id"] != "man****4220" {
				t.Errorf("listed %v", u)
			}
		}
	}
	if !found {
		t.Errorf("xin not listed: %v", list.Users)
	}
	if s.User.Phone != "13800138000" || s.User.DingTalkID != "manager4220" {
		t.Errorf("own session: %+v", s.User)
	}
}

// The users list takes a search, a role and a page (a province's admin
// page fetched all 50,000 users, 5.9 MB, and drew them for 28 s): the
// page newest first, with how many match and the names of its users'
// regions only; compressed when the browser takes it. Without them, the
// whole list as before.
func TestAdminFindsUsers(t *testing.T) {
	w := newWorld(t)
	type list struct {
		Users   []*skygrid.User
		Total   int
		Regions map[string]string
		errorBody
	}
	var all list
	if st := w.do(t, "admin", "GET", "/api/users", nil, &all); st != 200 || len(all.Users) < 4 || all.Total != len(all.Users) ||
		all.Users[0].ID > all.Users[1].ID {
		t.Fatalf("the whole list: %d, %d users, total %d", st, len(all.Users), all.Total)
	}
	var page list
	if st := w.do(t, "admin", "GET", "/api/users?limit=2&offset=1", nil, &page); st != 200 || len(page.Users) != 2 || page.Total != len(all.Users) ||
		page.Users[0].ID != all.Users[len(all.Users)-2].ID {
		t.Errorf("a page: %d %+v, total %d", st, page.Users, page.Total)
	}
	var found list
	if st := w.do(t, "admin", "GET", "/api/users?q=SUPERVISORa", nil, &found); st != 200 || len(found.Users) != 1 || found.Users[0].Name != "supervisorA" ||
		found.Total != 1 || len(found.Regions) != 1 || found.Regions[w.gridA] == "" {
		t.Errorf("by name: %d %+v %v", st, found.Users, found.Regions)
	}
	var officials list
	w.do(t, "admin", "GET", "/api/users?role=official", nil, &officials)
	for _, u := range officials.Users {
		if u.Role != skygrid.RoleOfficial {
			t.Errorf("role=official lists %s, a %s", u.Name, u.Role)
		}
	}
	if len(officials.Users) == 0 || officials.Total != len(officials.Users) {
		t.Errorf("officials: %d, total %d", len(officials.Users), officials.Total)
	}
	for _, bad := range []string{"limit=5000", "role=boss", "offset=-1"} {
		var e list
		if st := w.do(t, "admin", "GET", "/api/users?"+bad, nil, &e); st != 400 {
			t.Errorf("%s: %d %s", bad, st, e.Error.Message)
		}
	}
	for i := range 30 { // a list long enough to be worth compressing
		if err := w.db.CreateUser(context.Background(), &skygrid.User{Name: fmt.Sprintf("auditor%02d", i), Role: skygrid.RoleAuditor}, "$2a$04$notarealhash"); err != nil {
			t.Fatal(err)
		}
	}
	rq, _ := http.NewRequest("GET", w.srv.URL+"/api/users?limit=100", nil)
	rq.Header.Set("Authorization", "Bearer "+w.tokens["admin"])
	rq.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("the list asked with gzip: %d, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
}
