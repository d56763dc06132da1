package api_test

import (
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
