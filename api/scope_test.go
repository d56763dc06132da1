package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/api"
	"skygrid/evidence"
	"skygrid/geo"
	"skygrid/internal/storetest"
	"skygrid/password"

	"net/http/httptest"

	"github.com/paulmach/orb"
)

// The scope world: two counties side by side. County X (140225) has two
// townships, each with a grid, and a grid directly under the county (the
// demo's shape and the generated grids' shape in one county); county Y
// (140226) has two grids directly under it. Every grid has a supervisor;
// there is an official of each county and of each township, an admin
// and an auditor: 11 identities. Test fixtures, not real boundaries.
const (
	scX, scX1, scX2, scY              = "140225", "140225100", "140225101", "140226"
	scGX1, scGX2, scGX3, scGY1, scGY2 = "140225100-001", "140225101-001", "140225-000-001", "140226-000-001", "140226-000-002"
)

var scopeUsers = []*skygrid.User{
	{Name: "admin", Role: skygrid.RoleAdmin},
	{Name: "auditor", Role: skygrid.RoleAuditor},
	{Name: "offX", Role: skygrid.RoleOfficial, Regions: []string{scX}},
	{Name: "offX1", Role: skygrid.RoleOfficial, Regions: []string{scX1}},
	{Name: "offX2", Role: skygrid.RoleOfficial, Regions: []string{scX2}},
	{Name: "offY", Role: skygrid.RoleOfficial, Regions: []string{scY}},
	{Name: "supX1", Role: skygrid.RoleSupervisor, Regions: []string{scGX1}},
	{Name: "supX2", Role: skygrid.RoleSupervisor, Regions: []string{scGX2}},
	{Name: "supX3", Role: skygrid.RoleSupervisor, Regions: []string{scGX3}},
	{Name: "supY1", Role: skygrid.RoleSupervisor, Regions: []string{scGY1}},
	{Name: "supY2", Role: skygrid.RoleSupervisor, Regions: []string{scGY2}},
}

// scopeWorld builds the world and a task (with its event, at the grid's
// centre) in each grid named.
func scopeWorld(t testing.TB, grids map[string]string) (*world, map[string]*skygrid.Task) {
	t.Helper()
	db := storetest.NewDB(t, "scope.db")
	now := time.Date(2023, 10, 20, 4, 0, 0, 0, time.UTC)
	w := &world{db: db, tokens: map[string]string{}, clock: &now}
	db.Now = func() time.Time { return *w.clock }
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	sq := func(lon, lat, half float64) orb.MultiPolygon {
		return orb.MultiPolygon{orb.Polygon{orb.Ring{{lon - half, lat - half}, {lon + half, lat - half}, {lon + half, lat + half}, {lon - half, lat + half}, {lon - half, lat - half}}}}
	}
	regions := []*skygrid.Region{
		{ID: scX, Name: "示例甲县", Level: skygrid.LevelCounty, Geometry: sq(113.70, 39.70, 0.05)},
		{ID: scY, Name: "示例乙县", Level: skygrid.LevelCounty, Geometry: sq(113.80, 39.70, 0.05)},
		{ID: scX1, Name: "示例一镇", Level: skygrid.LevelTownship, ParentID: scX, Geometry: sq(113.675, 39.69, 0.02)},
		{ID: scX2, Name: "示例二镇", Level: skygrid.LevelTownship, ParentID: scX, Geometry: sq(113.725, 39.69, 0.02)},
		{ID: scGX1, Name: "一镇 1号网格", Level: skygrid.LevelGrid, ParentID: scX1, Geometry: sq(113.675, 39.69, 0.005)},
		{ID: scGX2, Name: "二镇 1号网格", Level: skygrid.LevelGrid, ParentID: scX2, Geometry: sq(113.725, 39.69, 0.005)},
		{ID: scGX3, Name: "甲县 直属网格", Level: skygrid.LevelGrid, ParentID: scX, Geometry: sq(113.70, 39.73, 0.005)},
		{ID: scGY1, Name: "乙县 1号网格", Level: skygrid.LevelGrid, ParentID: scY, Geometry: sq(113.78, 39.70, 0.005)},
		{ID: scGY2, Name: "乙县 2号网格", Level: skygrid.LevelGrid, ParentID: scY, Geometry: sq(113.82, 39.70, 0.005)},
	}
	if err := db.ImportRegions(ctx, regions); err != nil {
		t.Fatal(err)
	}
	byID := map[string]*skygrid.Region{}
	var sups []*skygrid.Supervisor
	for _, r := range regions {
		byID[r.ID] = r
		if r.Level == skygrid.LevelGrid {
			sups = append(sups, &skygrid.Supervisor{GridID: r.ID, Name: "示例网格员 " + r.ID, Phone: "13800000000"})
		}
	}
	if err := db.ImportSupervisors(ctx, sups); err != nil {
		t.Fatal(err)
	}
	for _, u := range scopeUsers {
		u := *u
		if err := db.CreateUser(ctx, &u, "$2a$04$notarealhashnotarealhashnotarealhashnotarealhashnota"); err != nil {
			t.Fatal(err)
		}
		tok := password.NewSecret()
		if err := db.CreateToken(ctx, password.HashSecret(tok), u.ID, "test"); err != nil {
			t.Fatal(err)
		}
		w.tokens[u.Name] = tok
	}
	names := make([]string, 0, len(grids))
	for n := range grids {
		names = append(names, n)
	}
	sort.Strings(names)
	tasks := map[string]*skygrid.Task{}
	for i, n := range names {
		g := byID[grids[n]]
		e := &skygrid.Event{ID: int64(i + 1), Class: skygrid.ClassStrawBurning, State: skygrid.EventOpen, FirstSeen: now.Add(-time.Hour),
			LastSeen: now.Add(-time.Hour), Point: geo.Centroid(g.Geometry), HotspotCount: 1, AssignedBy: "contains", GridID: g.ID}
		if p := byID[g.ParentID]; p.Level == skygrid.LevelTownship {
			e.TownshipID, e.CountyID = p.ID, p.ParentID
		} else {
			e.CountyID = p.ID
		}
		e.Bound = orb.Bound{Min: e.Point, Max: e.Point}
		tk := &skygrid.Task{EventID: e.ID, GridID: g.ID, State: skygrid.TaskDispatched, AckDue: now.Add(time.Hour), ReportDue: now.Add(2 * time.Hour)}
		if err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
			if err := tx.SaveResult(ctx, &skygrid.IngestResult{Events: []*skygrid.Event{e}}); err != nil {
				return err
			}
			return tx.SaveResult(ctx, &skygrid.IngestResult{NewTasks: []*skygrid.Task{tk}})
		}); err != nil {
			t.Fatal(err)
		}
		tasks[n] = tk
	}
	s := api.NewServer(api.Services{Hotspots: db, Events: db, Regions: db, Tasks: db, Ingest: db, Sites: db, Layers: db,
		Users: db, Audit: db, Outbox: db, Photos: db, Now: db.Now, Stats: db,
		Evidence: evidence.Photos{Files: evidence.Files{Dir: filepath.Join(t.TempDir(), "photos")}}}, nil)
	w.srv = httptest.NewServer(s.Handler())
	t.Cleanup(w.srv.Close)
	return w, tasks
}

// access is what one user gets of one task by every route: listed in
// the task list, opened, its event listed and opened, its photos (plain
// and stamped), a stale action (409 in scope, 403 out), and the
// reviewers' candidate grids.
type access struct {
	listed, opened, eventListed, eventOpened, photo, stamped, note, reassign, candidates bool
}

func (a access) String() string {
	var on []string
	for i, b := range []bool{a.listed, a.opened, a.eventListed, a.eventOpened, a.photo, a.stamped, a.note, a.reassign, a.candidates} {
		if b {
			on = append(on, []string{"listed", "opened", "event-listed", "event-opened", "photo", "stamped", "note", "reassign", "candidates"}[i])
		}
	}
	return "[" + strings.Join(on, " ") + "]"
}

// walk checks, for every user and task, that every route agrees with the
// task list and that the list holds what want says (task -> the users who
// may see it; nil: agreement only).
func walk(t *testing.T, w *world, tasks map[string]*skygrid.Task, photos map[string]string, want map[string][]string) {
	t.Helper()
	for _, u := range scopeUsers {
		var tl taskList
		if st := w.do(t, u.Name, "GET", "/api/tasks?limit=1000", nil, &tl); st != 200 {
			t.Fatalf("%s: GET /api/tasks: %d", u.Name, st)
		}
		var events struct {
			Features []struct {
				ID float64 `json:"id"`
			} `json:"features"`
		}
		if st := w.do(t, u.Name, "GET", "/api/events?limit=1000", nil, &events); st != 200 {
			t.Fatalf("%s: GET /api/events: %d", u.Name, st)
		}
		var grids fc
		if st := w.do(t, u.Name, "GET", "/api/regions?level=grid&geometry=false", nil, &grids); st != 200 {
			t.Fatalf("%s: GET /api/regions: %d", u.Name, st)
		}
		myGrids := map[string]bool{}
		for _, f := range grids.Features {
			myGrids[f.Props["id"].(string)] = true
		}
		reviewer := u.Role != skygrid.RoleSupervisor
		for name, tk := range tasks {
			var a access
			a.listed = slices.ContainsFunc(tl.Tasks, func(x *skygrid.Task) bool { return x.ID == tk.ID })
			a.eventListed = slices.ContainsFunc(events.Features, func(f struct {
				ID float64 `json:"id"`
			}) bool {
				return int64(f.ID) == tk.EventID
			})
			url := fmt.Sprintf("/api/tasks/%d", tk.ID)
			a.opened = status(t, w, u.Name, "GET", url, nil, 200, 403)
			a.eventOpened = status(t, w, u.Name, "GET", fmt.Sprintf("/api/events/%d", tk.EventID), nil, 200, 403)
			if sha := photos[name]; sha != "" {
				a.photo = status(t, w, u.Name, "GET", "/api/photos/"+sha, nil, 200, 403)
				a.stamped = status(t, w, u.Name, "GET", fmt.Sprintf("/api/photos/%s?task=%d", sha, tk.ID), nil, 200, 403)
			}
			// A stale version: 409 when the task is the user's, else 403;
			// nothing changes either way.
			a.note = status(t, w, u.Name, "POST", url+"/note", map[string]any{"version": 999999, "notes": "x"}, 409, 403)
			a.reassign = status(t, w, u.Name, "POST", url+"/reassign", map[string]any{"version": 999999, "grid_id": scGX1}, 409, 403)
			if reviewer {
				var cands struct {
					Candidates []struct {
						GridID string `json:"grid_id"`
					} `json:"candidates"`
				}
				st := w.do(t, u.Name, "GET", url+"/candidates?limit=200", nil, &cands)
				a.candidates = st == 200
				if st != 200 && st != 403 {
					t.Errorf("%s GET %s/candidates: %d", u.Name, url, st)
				}
				for _, c := range cands.Candidates {
					if !myGrids[c.GridID] {
						t.Errorf("%s: task %s offers grid %s, which the user's region list does not hold", u.Name, name, c.GridID)
					}
				}
				if a.candidates {
					// Every grid of theirs but the task's own (all lie within 20 km).
					cur := gridOf(t, w, tk.ID)
					got := map[string]bool{}
					if myGrids[cur] {
						got[cur] = true
					}
					for _, c := range cands.Candidates {
						got[c.GridID] = true
					}
					if len(got) != len(myGrids) {
						t.Errorf("%s: task %s offers %v, the user's grids are %v", u.Name, name, cands.Candidates, myGrids)
					}
				}
			} else {
				a.candidates = a.listed // supervisors: refused by role
				if st := w.do(t, u.Name, "GET", url+"/candidates", nil, nil); st != 403 {
					t.Errorf("%s GET %s/candidates: %d, want 403", u.Name, url, st)
				}
			}
			same := func(b bool) access {
				x := access{b, b, b, b, b, b, b, b, b}
				if photos[name] == "" {
					x.photo, x.stamped = false, false
				}
				return x
			}
			if a != same(a.listed) {
				t.Errorf("%s, task %s (now in %s): the routes disagree with the list: %v", u.Name, name, gridOf(t, w, tk.ID), a)
			} else if want != nil && a.listed != slices.Contains(want[name], u.Name) {
				t.Errorf("%s, task %s (now in %s): %v; want %v", u.Name, name, gridOf(t, w, tk.ID), a, same(!a.listed))
			}
		}
	}
}

// status sends a request and reports whether it answered yes (a fails
// the test when the answer is neither).
func status(t *testing.T, w *world, user, method, url string, body any, yes, no int) bool {
	t.Helper()
	st := w.do(t, user, method, url, body, nil)
	if st != yes && st != no {
		t.Errorf("%s %s %s: %d, want %d or %d", user, method, url, st, yes, no)
	}
	return st == yes
}

func gridOf(t *testing.T, w *world, id int64) string {
	tk, err := w.db.FindTaskByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tk.GridID
}

// Reassignment takes only grids; after reassignments across counties and
// across townships, every route agrees with the task list for every role:
// the old area neither lists nor opens nor acts on the task, the new area
// does all three.
func TestScopeAfterReassignments(t *testing.T) {
	w, tasks := scopeWorld(t, map[string]string{"m1": scGX1, "m2": scGX1, "m3": scGY2, "m4": scGX2, "s1": scGY1})
	// m1 gets a report with a photo, returned: the photo stays with it.
	photos := map[string]string{}
	for _, name := range []string{"m1", "s1"} {
		tk := tasks[name]
		if st := w.do(t, "admin", "POST", fmt.Sprintf("/api/tasks/%d/acknowledge", tk.ID), map[string]any{}, nil); st != 200 {
			t.Fatalf("acknowledge %s: %d", name, st)
		}
		file := map[string]string{"m1": "at_event.jpg", "s1": "early.jpg"}[name]
		st, b := w.report(t, "admin", tk.ID, 0, skygrid.FindingStrawBurning, file)
		if st != 200 {
			t.Fatalf("report %s: %d %s", name, st, b)
		}
		var v reviewView
		json.Unmarshal(b, &v)
		photos[name] = v.Photos[0].SHA256
		if st := w.do(t, "admin", "POST", fmt.Sprintf("/api/tasks/%d/return", tk.ID), map[string]any{"reason": "照片不清"}, nil); st != 200 {
			t.Fatalf("return %s: %d", name, st)
		}
	}
	every := []string{"admin", "auditor"}
	walk(t, w, tasks, photos, map[string][]string{
		"m1": append(every, "offX", "offX1", "supX1"), "m2": append(every, "offX", "offX1", "supX1"),
		"m3": append(every, "offY", "supY2"), "m4": append(every, "offX", "offX2", "supX2"), "s1": append(every, "offY", "supY1"),
	})
	var eb errorBody
	// A county or a township: 400 (another area's: 403), and the task
	// stays; were it taken, every route must still agree with the list.
	for _, tc := range []struct {
		user, region string
		want         int
	}{{"offX", scX, 400}, {"offX", scX1, 400}, {"offX2", scX2, 400}, {"admin", scY, 400}, {"admin", scX2, 400}, {"offX", scY, 403}} {
		url := fmt.Sprintf("/api/tasks/%d/reassign", tasks["m4"].ID)
		st := w.do(t, tc.user, "POST", url, map[string]any{"grid_id": tc.region}, &eb)
		if st != tc.want || (st == 400 && !strings.Contains(eb.Error.Message, "not a grid")) {
			t.Errorf("%s reassigning to %s: %d %q, want %d (not a grid)", tc.user, tc.region, st, eb.Error.Message, tc.want)
		}
		if st == 200 {
			walk(t, w, map[string]*skygrid.Task{"m4": tasks["m4"]}, nil, nil)
		}
	}
	moves := []struct {
		user, task, grid string
		want             int
	}{
		{"admin", "m1", scGY1, 200}, // across counties, township grid -> county grid
		{"offX", "m1", scGX1, 403},  // the old county: no longer theirs
		{"offX1", "m1", scGX1, 403}, // the old township: no longer theirs
		{"offY", "m1", scGY2, 200},  // the new county acts on it
		{"offX1", "m2", scGX2, 403}, // a township official: only into their township
		{"offX", "m2", scGX2, 200},  // across townships
		{"offX1", "m2", scGX1, 403}, // the old township: no longer theirs
		{"auditor", "m3", scGX3, 200},
		{"offY", "m3", scGY1, 403},
		{"offX", "m3", scGY1, 403}, // out of their county
	}
	for _, m := range moves {
		url := fmt.Sprintf("/api/tasks/%d/reassign", tasks[m.task].ID)
		if st := w.do(t, m.user, "POST", url, map[string]any{"grid_id": m.grid}, &eb); st != m.want {
			t.Errorf("%s reassigning %s to %s: %d %q, want %d", m.user, m.task, m.grid, st, eb.Error.Message, m.want)
		}
	}
	walk(t, w, tasks, photos, map[string][]string{
		"m1": append(every, "offY", "supY2"), "m2": append(every, "offX", "offX2", "supX2"),
		"m3": append(every, "offX", "supX3"), "m4": append(every, "offX", "offX2", "supX2"), "s1": append(every, "offY", "supY1"),
	})
}
