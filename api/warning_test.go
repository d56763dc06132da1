package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/api"
	"skygrid/geo"
	"skygrid/registry"
	"skygrid/store"

	"github.com/paulmach/orb"
)

// warningServer serves a store with the Datong counties, a township of
// 浑源县 (140225901, 示例乡) and an invented emergency list of two rows
// (示例), one in 浑源县 (140225), one in 天镇县 (140222); the warnings
// service on.
func warningServer(t *testing.T) (*httptest.Server, *store.DB) {
	t.Helper()
	grid := &skygrid.Region{ID: "140225900001", Name: "示例网格", Level: skygrid.LevelGrid, ParentID: "140225",
		Geometry: geo.Rect(orb.Point{113.7, 39.7}, 1000, 1000), AreaKm2: 1}
	township := &skygrid.Region{ID: "140225901", Name: "示例乡", Level: skygrid.LevelTownship, ParentID: "140225",
		Geometry: geo.Rect(orb.Point{113.8, 39.7}, 1000, 1000), AreaKm2: 1}
	db := datongDB(t, grid, township)
	importList(t, db, "名称,区县,预警级别,减排措施\n示例砖厂,浑源县,橙色,停产\n示例搅拌站,天镇县,黄色,限产30%\n")
	srv := api.NewServer(api.Services{Regions: db, Tasks: db, Events: db, Users: db, Audit: db, Warnings: db}, nil)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts, db
}

// importList replaces the store's emergency list with the CSV's rows.
func importList(t *testing.T, db *store.DB, csv string) {
	t.Helper()
	entries, err := registry.ReadEmergencyList(strings.NewReader(csv), "list.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportEmergencyList(context.Background(), entries, 0); err != nil {
		t.Fatal(err)
	}
}

// call sends a JSON request with a token ("" none) and decodes the answer
// into v (nil: not read); it returns the status.
func call(t *testing.T, method, url, token string, body, v any) int {
	t.Helper()
	var r *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	} else {
		r = bytes.NewReader(nil)
	}
	rq, _ := http.NewRequest(method, url, r)
	rq.Header.Set("Content-Type", "application/json")
	if token != "" {
		rq.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("%s %s: %v", method, url, err)
		}
	}
	return resp.StatusCode
}

// Issue, extend and lift over HTTP: admins and auditors may, officials and
// supervisors may not; everyone logged in reads the list; the public route
// shows the warning in force with its public fields only, and nothing
// once it is lifted.
func TestWarningsAPI(t *testing.T) {
	ts, db := warningServer(t)
	auditor := newToken(t, db, "auditor", skygrid.RoleAuditor)
	official := newToken(t, db, "official", skygrid.RoleOfficial, "140225")
	sup := newToken(t, db, "sup", skygrid.RoleSupervisor, "140225900001")
	now := time.Now().UTC().Truncate(time.Second)
	req := api.WarningRequest{Level: "橙色", CountyIDs: []string{"140225"}, Start: now.Add(-time.Hour), ExpectedEnd: now.Add(24 * time.Hour),
		Reason: "预报（示例）：联系人张三", PublicAdvice: "减少户外活动"}
	for _, tt := range []struct {
		name, token string
		want        int
	}{{"a supervisor", sup, 403}, {"an official", official, 403}, {"no login", "", 401}} {
		t.Run(tt.name+" may not issue", func(t *testing.T) {
			if got := call(t, "POST", ts.URL+"/api/warnings", tt.token, req, nil); got != tt.want {
				t.Errorf("status %d, want %d", got, tt.want)
			}
		})
	}
	var w skygrid.Warning
	if got := call(t, "POST", ts.URL+"/api/warnings", auditor, req, &w); got != 201 || w.Level != skygrid.WarningOrange || w.State != skygrid.WarningActive {
		t.Fatalf("issue: %d %+v", got, w)
	}
	var list api.WarningList
	if got := call(t, "GET", ts.URL+"/api/warnings", sup, nil, &list); got != 200 || len(list.Warnings) != 1 || list.Warnings[0].CountyNames[0] != "浑源县" {
		t.Errorf("list: %d %+v", got, list)
	}
	checkPublicWarning(t, ts.URL, 1)
	var ext skygrid.Warning
	end := now.Add(48 * time.Hour)
	if got := call(t, "POST", ts.URL+"/api/warnings/"+itoa(w.ID)+"/extend", auditor, map[string]any{"expected_end": end}, &ext); got != 200 || !ext.ExpectedEnd.Equal(end) {
		t.Errorf("extend: %d %+v", got, ext)
	}
	if got := call(t, "POST", ts.URL+"/api/warnings/"+itoa(w.ID)+"/lift", sup, nil, nil); got != 403 {
		t.Errorf("a supervisor lifts: %d, want 403", got)
	}
	if got := call(t, "POST", ts.URL+"/api/warnings/"+itoa(w.ID)+"/lift", auditor, nil, nil); got != 200 {
		t.Errorf("lift: %d", got)
	}
	if got := call(t, "POST", ts.URL+"/api/warnings/"+itoa(w.ID)+"/lift", auditor, nil, nil); got != 409 {
		t.Errorf("lift again: %d, want 409", got)
	}
	checkPublicWarning(t, ts.URL, 0)
	var fig skygrid.WarningFigures
	if got := call(t, "GET", ts.URL+"/api/warnings/"+itoa(w.ID), sup, nil, &fig); got != 200 || len(fig.Counties) != 1 || fig.Counties[0].Listed != 1 {
		t.Errorf("figures: %d %+v", got, fig.Counties)
	}
}

func itoa(id int64) string { b, _ := json.Marshal(id); return string(b) }

// checkPublicWarning reads /public/api/warning without a login: n
// warnings, each with exactly the public fields.
func checkPublicWarning(t *testing.T, base string, n int) {
	t.Helper()
	var raw struct {
		Warnings []map[string]any `json:"warnings"`
	}
	if got := call(t, "GET", base+"/public/api/warning", "", nil, &raw); got != 200 || len(raw.Warnings) != n {
		t.Fatalf("public warning: %d, %d warnings, want %d", got, len(raw.Warnings), n)
	}
	for _, w := range raw.Warnings {
		var keys []string
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if want := []string{"counties", "expected_end", "level", "level_name", "public_advice", "start"}; !reflect.DeepEqual(keys, want) {
			t.Errorf("public warning fields %v, want %v", keys, want)
		}
		if w["level_name"] != "橙色预警" || !reflect.DeepEqual(w["counties"], []any{"浑源县"}) {
			t.Errorf("public warning %v", w)
		}
	}
}

// The emergency list: an official sees their county's rows only (a
// township official their township's county's), with the unmatched rows
// marked and each row's county named (a township official's page, which
// may list no county, showed 140225 for 浑源县); a supervisor may not
// read it.
func TestEmergencyListAPI(t *testing.T) {
	ts, db := warningServer(t)
	official := newToken(t, db, "official", skygrid.RoleOfficial, "140225")
	townshipOfficial := newToken(t, db, "township official", skygrid.RoleOfficial, "140225901")
	auditor := newToken(t, db, "auditor", skygrid.RoleAuditor)
	sup := newToken(t, db, "sup", skygrid.RoleSupervisor, "140225900001")
	for _, tt := range []struct {
		name, token string
		status      int
		names       []string
	}{
		{"auditor: all", auditor, 200, []string{"示例搅拌站 天镇县", "示例砖厂 浑源县"}},
		{"official: their county", official, 200, []string{"示例砖厂 浑源县"}},
		{"township official: their county", townshipOfficial, 200, []string{"示例砖厂 浑源县"}},
		{"supervisor", sup, 403, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got api.EmergencyList
			var v any = &got
			if tt.status != 200 {
				v = nil
			}
			if status := call(t, "GET", ts.URL+"/api/emergency-list", tt.token, nil, v); status != tt.status {
				t.Fatalf("status %d, want %d", status, tt.status)
			}
			var names []string
			for _, e := range got.Entries {
				names = append(names, e.Name+" "+e.CountyName)
				if !e.Unmatched {
					t.Errorf("%s: not marked unmatched", e.Name)
				}
			}
			sort.Strings(names)
			if !reflect.DeepEqual(names, tt.names) || got.Unmatched != len(tt.names) {
				t.Errorf("rows %v (%d unmatched), want %v", names, got.Unmatched, tt.names)
			}
		})
	}
}

// An emergency inspection task names the listed enterprise and whom to
// call there over HTTP: in GET /api/tasks (full and compact) and in GET
// /api/tasks/:id, for the official of its county.
func TestInspectionTaskNamesListedEntryAPI(t *testing.T) {
	ts, db := warningServer(t)
	ctx := context.Background()
	importList(t, db, "名称,区县,预警级别,减排措施,联系人,联系电话\n示例砖厂（未入库）,浑源县,橙色,停产,示例联系人张,13800000001\n")
	now := db.Now()
	if _, err := db.IssueWarning(ctx, &skygrid.Warning{Level: skygrid.WarningOrange, CountyIDs: []string{"140225"}, Start: now.Add(-time.Hour),
		ExpectedEnd: now.Add(24 * time.Hour)}, 0, now); err != nil {
		t.Fatal(err)
	}
	official := newToken(t, db, "official", skygrid.RoleOfficial, "140225")
	want := map[string]any{"listed_name": "示例砖厂（未入库）", "listed_contact": "示例联系人张", "listed_phone": "13800000001", "event_class": skygrid.ClassEmergencyInspection}
	var full, compact struct {
		Tasks []map[string]any `json:"tasks"`
	}
	var id float64
	for _, tt := range []struct {
		name string
		url  string
		got  *struct {
			Tasks []map[string]any `json:"tasks"`
		}
	}{{"the list", "/api/tasks", &full}, {"the compact list", "/api/tasks?compact=true", &compact}} {
		t.Run(tt.name, func(t *testing.T) {
			if got := call(t, "GET", ts.URL+tt.url, official, nil, tt.got); got != 200 || len(tt.got.Tasks) != 1 {
				t.Fatalf("status %d, %d tasks; want 200 and 1", got, len(tt.got.Tasks))
			}
			for k, v := range want {
				if tt.got.Tasks[0][k] != v {
					t.Errorf("%s = %v, want %v", k, tt.got.Tasks[0][k], v)
				}
			}
			id, _ = tt.got.Tasks[0]["id"].(float64)
		})
	}
	var one map[string]any
	if got := call(t, "GET", ts.URL+"/api/tasks/"+itoa(int64(id)), official, nil, &one); got != 200 {
		t.Fatalf("GET /api/tasks/%v: %d", id, got)
	}
	for k, v := range want {
		if one[k] != v {
			t.Errorf("the task's %s = %v, want %v", k, one[k], v)
		}
	}
}

// The public are told of a warning before it starts (it appeared only at
// its start) and, for a day, that one was lifted (the page then said only
// 当前无重污染天气预警); the in-force list is as before.
func TestPublicWarningUpcomingAndLifted(t *testing.T) {
	ts, db := warningServer(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	if _, err := db.IssueWarning(ctx, &skygrid.Warning{Level: "orange", CountyIDs: []string{"140225"}, Start: now.Add(2 * time.Hour),
		ExpectedEnd: now.Add(48 * time.Hour), PublicAdvice: "减少户外活动"}, 0, now); err != nil {
		t.Fatal(err)
	}
	done, err := db.IssueWarning(ctx, &skygrid.Warning{Level: "yellow", CountyIDs: []string{"140222"}, Start: now.Add(-3 * time.Hour),
		ExpectedEnd: now.Add(24 * time.Hour)}, 0, now.Add(-3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LiftWarning(ctx, done.ID, 0, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	// One lifted two days ago is no longer said.
	old, err := db.IssueWarning(ctx, &skygrid.Warning{Level: "red", CountyIDs: []string{"140222"}, Start: now.Add(-72 * time.Hour),
		ExpectedEnd: now.Add(-50 * time.Hour)}, 0, now.Add(-72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LiftWarning(ctx, old.ID, 0, now.Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var l api.PublicWarningList
	if got := call(t, "GET", ts.URL+"/public/api/warning", "", nil, &l); got != 200 {
		t.Fatalf("%d", got)
	}
	if len(l.Warnings) != 0 || len(l.Upcoming) != 1 || l.Upcoming[0].Counties[0] != "浑源县" || !l.Upcoming[0].Start.Equal(now.Add(2*time.Hour)) ||
		len(l.Lifted) != 1 || l.Lifted[0].Counties[0] != "天镇县" || l.Lifted[0].LiftedAt == nil || !l.Lifted[0].LiftedAt.Equal(now.Add(-time.Hour)) {
		t.Errorf("in force %+v, upcoming %+v, lifted %+v", l.Warnings, l.Upcoming, l.Lifted)
	}
}

// A warning's figures are read in the user's own area, as its report is:
// a county's official or supervisor saw every county's listed sites.
func TestWarningFiguresInTheUsersArea(t *testing.T) {
	ts, db := warningServer(t)
	ctx := context.Background()
	auditor := newToken(t, db, "auditor", skygrid.RoleAuditor)
	sup := newToken(t, db, "sup", skygrid.RoleSupervisor, "140225900001")
	tianzhen := newToken(t, db, "tianzhen", skygrid.RoleOfficial, "140222")
	now := time.Now().UTC().Truncate(time.Second)
	w, err := db.IssueWarning(ctx, &skygrid.Warning{Level: "orange", CountyIDs: []string{"140225", "140222"}, Start: now.Add(-time.Hour),
		ExpectedEnd: now.Add(24 * time.Hour)}, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	// Another county's warning is not the official's: the list says so, and its figures are refused.
	other, err := db.IssueWarning(ctx, &skygrid.Warning{Level: "yellow", CountyIDs: []string{"140225"}, Start: now.Add(30 * time.Hour),
		ExpectedEnd: now.Add(48 * time.Hour)}, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	var l api.WarningList
	call(t, "GET", ts.URL+"/api/warnings", tianzhen, nil, &l)
	in := map[int64]bool{}
	for _, x := range l.Warnings {
		in[x.ID] = x.InArea
	}
	if len(in) != 2 || !in[w.ID] || in[other.ID] {
		t.Errorf("天镇县's official: in area %v, want %d only", in, w.ID)
	}
	if got := call(t, "GET", ts.URL+"/api/warnings/"+itoa(other.ID), tianzhen, nil, nil); got != 403 {
		t.Errorf("another county's warning's figures: %d, want 403", got)
	}
	for _, tc := range []struct {
		name, token string
		counties    []string
	}{
		{"the bureau", auditor, []string{"天镇县", "浑源县"}},
		{"a supervisor of 浑源县", sup, []string{"浑源县"}},
		{"天镇县's official", tianzhen, []string{"天镇县"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f skygrid.WarningFigures
			if got := call(t, "GET", ts.URL+"/api/warnings/"+itoa(w.ID), tc.token, nil, &f); got != 200 {
				t.Fatalf("%d", got)
			}
			var names []string
			for _, c := range f.Counties {
				names = append(names, c.CountyName)
			}
			sort.Strings(names)
			want := append([]string{}, tc.counties...)
			sort.Strings(want)
			if !reflect.DeepEqual(names, want) {
				t.Errorf("counties %v, want %v", names, want)
			}
		})
	}
}
