package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"skygrid"
	"skygrid/api"
	"skygrid/data"
	"skygrid/demo"
	"skygrid/dispatch"
	"skygrid/evidence"
	"skygrid/geo"
	"skygrid/internal/steps"
	"skygrid/internal/storetest"
	"skygrid/password"
	"skygrid/registry"
	"skygrid/report"
	"skygrid/store"
	"skygrid/tiles"

	"github.com/paulmach/orb/maptile"
	"github.com/xuri/excelize/v2"
)

// world is a server over the whole October 2023 season with the Datong
// counties, 3 km grids with supervisors, and a user of each role: two
// officials and two supervisors in different counties.
type world struct {
	srv    *httptest.Server
	db     *store.DB
	tokens map[string]string // user name -> API token
	// The areas: county A (浑源县 140225) and county B (another), a grid
	// with tasks in each.
	countyA, countyB, gridA, gridB string
	clock                          *time.Time
	sites                          []int64 // a site in grid A, one in grid B
	// photoDir is the photo store; uploads each user's photo rate.
	photoDir string
	uploads  *evidence.UploadRate
	// readings takes POST /api/readings when set (nil: the store).
	readings skygrid.ReadingSink
	// logs is what the server logged (also written to stderr).
	logs *syncBuffer
}

const testPassword = "correct horse battery"

// worldStart is the world's clock once it is made: 2023-11-01 12:00 in
// Beijing, after the season's last file.
var worldStart = time.Date(2023, 11, 1, 4, 0, 0, 0, time.UTC)

// madeWorld is what making the world left beside its database: the areas
// it picked, its sites and its users' API tokens. The world is made once
// per test process (storetest.Built); each test gets a copy of its
// database, and of these.
var madeWorld *world

func newWorld(t *testing.T) *world {
	t.Helper()
	dsn := storetest.Built(t, "api_world", "w.db", makeWorld)
	// The made world's areas as they are, its maps and slices copied.
	now, w := worldStart, *madeWorld
	w.db, w.clock, w.tokens, w.sites = store.NewDB(dsn), &now, maps.Clone(w.tokens), slices.Clone(w.sites)
	w.photoDir, w.uploads, w.logs = filepath.Join(t.TempDir(), "photos"), &evidence.UploadRate{PerMinute: 30}, &syncBuffer{}
	w.db.Now = func() time.Time { return *w.clock }
	if err := w.db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.db.Close() })
	w.serve(t)
	return &w
}

// makeWorld fills the empty database at dsn with the world and keeps what
// else it made in madeWorld.
func makeWorld(dsn string) error {
	now := worldStart
	w := &world{db: store.NewDB(dsn), tokens: map[string]string{}, clock: &now}
	w.db.Now = func() time.Time { return *w.clock }
	if err := w.db.Open(); err != nil {
		return err
	}
	err := w.fill()
	if cerr := w.db.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		madeWorld = w
	}
	return err
}

func (w *world) fill() error {
	if err := w.importAreas(); err != nil {
		return fmt.Errorf("import the areas: %w", err)
	}
	if err := w.ingestOctober(); err != nil {
		return fmt.Errorf("ingest October: %w", err)
	}
	*w.clock = worldStart
	if err := w.pickAreas(); err != nil {
		return fmt.Errorf("pick the areas: %w", err)
	}
	if err := w.addSites(); err != nil {
		return fmt.Errorf("add the sites: %w", err)
	}
	if err := w.addUsers(); err != nil {
		return fmt.Errorf("add the users: %w", err)
	}
	return nil
}

// importAreas imports the Datong counties, 3 km grids and a supervisor
// for each grid.
func (w *world) importAreas() error {
	ctx, db := context.Background(), w.db
	f, _ := data.FS.Open(data.Districts)
	counties, err := registry.ReadRegions(f, data.Districts, registry.RegionImport{Level: skygrid.LevelCounty, IDProp: "district_adcode",
		NameProp: "district_name", CRS: "cgcs2000"})
	f.Close()
	if err != nil {
		return err
	}
	if err := db.ImportRegions(ctx, counties); err != nil {
		return err
	}
	grids, err := registry.GenerateGrids(ctx, db, 3000, nil)
	if err != nil {
		return err
	}
	if err := db.ImportRegions(ctx, grids); err != nil {
		return err
	}
	var sups []*skygrid.Supervisor
	for i, g := range grids {
		sups = append(sups, &skygrid.Supervisor{GridID: g.ID, Name: "网格员 " + g.ID, Phone: fmt.Sprint(i)})
	}
	return db.ImportSupervisors(ctx, sups)
}

// ingestOctober ingests each October file as it arrived (3 h after its
// newest detection), so its fires are live, not history.
func (w *world) ingestOctober() error {
	ctx := context.Background()
	p, err := dispatch.New(w.db, dispatch.DefaultConfig())
	if err != nil {
		return err
	}
	p.Now = w.db.Now
	names, _ := fs.Glob(data.FS, data.FIRMSOctober+"/*.csv")
	pctx, err := p.LoadContext(ctx) // the grid index once for the 30 files
	if err != nil {
		return err
	}
	for _, name := range names {
		b, _ := fs.ReadFile(data.FS, name)
		at, err := demo.ArrivalOf(bytes.NewReader(b), name, 3*time.Hour)
		if err != nil {
			return err
		}
		*w.clock = at
		if _, err := p.Ingest(ctx, bytes.NewReader(b), path.Base(name), dispatch.IngestOptions{Context: pctx}); err != nil {
			return err
		}
	}
	return nil
}

// pickAreas picks the busiest grid of 浑源县 and of the busiest other
// county.
func (w *world) pickAreas() error {
	all, _, err := w.db.FindTasks(context.Background(), skygrid.TaskFilter{})
	if err != nil {
		return err
	}
	byGrid, byCounty := map[string]int{}, map[string]int{}
	for _, tk := range all {
		if tk.GridID != "" && tk.State == skygrid.TaskDispatched {
			byGrid[tk.GridID]++
			byCounty[tk.CountyID]++
		}
	}
	w.countyA = "140225"
	for c, n := range byCounty {
		if c != w.countyA && (w.countyB == "" || n > byCounty[w.countyB] || (n == byCounty[w.countyB] && c < w.countyB)) {
			w.countyB = c
		}
	}
	for g, n := range byGrid {
		for _, pick := range []*string{&w.gridA, &w.gridB} {
			county := map[*string]string{&w.gridA: w.countyA, &w.gridB: w.countyB}[pick]
			if strings.HasPrefix(g, county+"-") && (*pick == "" || n > byGrid[*pick] || (n == byGrid[*pick] && g < *pick)) {
				*pick = g
			}
		}
	}
	if w.gridA == "" || w.gridB == "" {
		return fmt.Errorf("no grids with tasks: %v", byGrid)
	}
	return nil
}

// addSites puts a construction site in the middle of each of the two grids.
func (w *world) addSites() error {
	ctx := context.Background()
	for i, g := range []string{w.gridA, w.gridB} {
		r, err := w.db.FindRegionByID(ctx, g)
		if err != nil {
			return err
		}
		c := geo.Centroid(r.Geometry)
		site := &skygrid.Site{Kind: skygrid.SiteConstruction, ExternalID: fmt.Sprintf("S%d", i), Name: "工地 " + g,
			Geometry: geo.Rect(c, 80, 80), Attrs: map[string]string{"video": "no"}}
		site.AreaM2 = geo.AreaM2(site.Geometry)
		if _, err := w.db.ImportSites(ctx, []*skygrid.Site{site}, nil); err != nil {
			return err
		}
		w.sites = append(w.sites, site.ID)
	}
	return nil
}

// addUsers creates a user of each role, with a password and an API token.
func (w *world) addUsers() error {
	ctx := context.Background()
	hash, err := password.Hash(testPassword)
	if err != nil {
		return err
	}
	for _, u := range []*skygrid.User{
		{Name: "admin", Role: skygrid.RoleAdmin},
		{Name: "auditor", Role: skygrid.RoleAuditor},
		{Name: "officialA", Role: skygrid.RoleOfficial, Regions: []string{w.countyA}},
		{Name: "officialB", Role: skygrid.RoleOfficial, Regions: []string{w.countyB}},
		{Name: "supervisorA", Role: skygrid.RoleSupervisor, Regions: []string{w.gridA}},
		{Name: "supervisorB", Role: skygrid.RoleSupervisor, Regions: []string{w.gridB}},
	} {
		if err := w.db.CreateUser(ctx, u, hash); err != nil {
			return err
		}
		tok := password.NewSecret()
		if err := w.db.CreateToken(ctx, password.HashSecret(tok), u.ID, "test"); err != nil {
			return err
		}
		w.tokens[u.Name] = tok
	}
	return nil
}

// serve starts the API over the world's store, tiles and photos.
func (w *world) serve(t *testing.T) {
	t.Helper()
	db := w.db
	ts, err := tiles.NewServer(db, tiles.Options{Now: db.Now})
	if err != nil {
		t.Fatal(err)
	}
	p, err := dispatch.New(db, dispatch.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	s := api.NewServer(api.Services{Hotspots: db, Events: db, Regions: db, Tasks: db, Ingest: db, Sites: db, Layers: db, Tiles: ts,
		Users: db, Audit: db, Outbox: db, Photos: db, Now: db.Now, Stats: db, Monitors: db, Air: db, AirNearestKm: 30, Readings: w.readings,
		Evidence:      evidence.Photos{Files: evidence.Files{Dir: w.photoDir}, Uploads: w.uploads},
		PublicReports: db, PublicPlaces: &dispatch.Locator{Pipeline: p}}, slog.New(slog.NewJSONHandler(io.MultiWriter(os.Stderr, w.logs), nil)))
	w.srv = httptest.NewServer(s.Handler())
	t.Cleanup(w.srv.Close)
}

// do sends a request as a user (by API token; "" for none) and decodes
// the JSON answer into v when given.
func (w *world) do(t *testing.T, user, method, url string, body any, v any) int {
	t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case *multipart.Writer:
		t.Fatal("use doForm")
	default:
		buf, _ := json.Marshal(b)
		rd, ct = bytes.NewReader(buf), "application/json"
	}
	rq, _ := http.NewRequest(method, w.srv.URL+url, rd)
	if ct != "" {
		rq.Header.Set("Content-Type", ct)
	}
	if user != "" {
		rq.Header.Set("Authorization", "Bearer "+w.tokens[user])
	}
	resp, err := sendEarly(rq) // a large body can be refused before it is all sent
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil {
		b, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(b, v); err != nil && resp.StatusCode < 300 {
			t.Fatalf("%s %s: %v: %.200s", method, url, err, b)
		}
	}
	return resp.StatusCode
}

type taskList struct {
	Tasks []*skygrid.Task `json:"tasks"`
	Total int             `json:"total"`
}

type taskView struct {
	skygrid.Task
	Navigation map[string]any   `json:"navigation"`
	Photos     []map[string]any `json:"photos"`
}

type errorBody struct {
	Error struct{ Code, Message string } `json:"error"`
}

// taskIn returns an open task of a grid.
func (w *world) taskIn(t *testing.T, grid string) *skygrid.Task {
	t.Helper()
	st := skygrid.TaskDispatched
	ts, _, err := w.db.FindTasks(context.Background(), skygrid.TaskFilter{GridID: &grid, State: &st})
	if err != nil || len(ts) == 0 {
		t.Fatalf("no open task in %s: %v", grid, err)
	}
	return ts[len(ts)-1]
}

// For each role, every route against another area's or role's data: all
// refused, and lists and counts hold only what the role may see.
func TestEveryRouteKeepsToRoleAndArea(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	all, _, _ := w.db.FindTasks(ctx, skygrid.TaskFilter{})
	events, _, _ := w.db.FindEvents(ctx, skygrid.EventFilter{})
	count := func(in func(*skygrid.Task) bool) (n int) {
		for _, tk := range all {
			if in(tk) {
				n++
			}
		}
		return
	}
	inCounty := func(c string) int { return count(func(tk *skygrid.Task) bool { return tk.CountyID == c }) }
	inGrid := func(g string) int { return count(func(tk *skygrid.Task) bool { return tk.GridID == g }) }
	taskA, taskB := w.taskIn(t, w.gridA), w.taskIn(t, w.gridB)
	// An event without a task in the other county, for the event routes.
	var eventB *skygrid.Event
	for _, e := range events {
		if e.CountyID == w.countyB {
			eventB = e
			break
		}
	}
	roles := []areaRole{
		{user: "officialA", tasks: inCounty(w.countyA), own: taskA, other: taskB, otherCty: w.countyB},
		{user: "officialB", tasks: inCounty(w.countyB), own: taskB, other: taskA, otherCty: w.countyA},
		{user: "supervisorA", tasks: inGrid(w.gridA), own: taskA, other: taskB, otherCty: w.countyB},
		{user: "supervisorB", tasks: inGrid(w.gridB), own: taskB, other: taskA, otherCty: w.countyA},
		{user: "auditor", tasks: len(all), own: taskA},
		{user: "admin", tasks: len(all), own: taskA},
	}
	for _, r := range roles {
		t.Run(r.user, func(t *testing.T) {
			if r.tasks == 0 || (r.other != nil && r.tasks == len(all)) {
				t.Fatalf("%s should see some but not all of the %d tasks, sees %d: the test would prove nothing", r.user, len(all), r.tasks)
			}
			t.Logf("%s sees %d of %d tasks", r.user, r.tasks, len(all))
			w.checkTaskList(t, r)
			if r.other == nil {
				return // city-wide
			}
			w.checkOtherTasks(t, r)
			w.checkOtherFeatures(t, r, eventB)
			w.checkOtherSitesAndRegions(t, r)
			w.checkOtherTiles(t, r)
		})
	}
	t.Run("role limits in their own area", func(t *testing.T) {
		var eb errorBody
		if st := w.do(t, "supervisorA", "POST", fmt.Sprintf("/api/tasks/%d/close", taskA.ID), map[string]any{}, &eb); st != 403 {
			t.Errorf("supervisor closing: %d", st)
		}
		if st := w.do(t, "officialA", "POST", fmt.Sprintf("/api/tasks/%d/acknowledge", taskA.ID), map[string]any{}, &eb); st != 403 {
			t.Errorf("official acknowledging: %d", st)
		}
	})
	// No session: 401 everywhere but log-in.
	t.Run("no session", func(t *testing.T) {
		for _, u := range []string{"/api/tasks", "/api/events", "/api/hotspots", "/api/regions", "/api/sites", "/api/me",
			fmt.Sprintf("/api/tasks/%d", taskA.ID), "/api/layers", "/tiles/hotspots/8/208/96.png", "/api/audit"} {
			if st := w.do(t, "", "GET", u, nil, nil); st != 401 {
				t.Errorf("GET %s without a session: %d", u, st)
			}
		}
		if st := w.do(t, "", "POST", fmt.Sprintf("/api/tasks/%d/acknowledge", taskA.ID), map[string]any{}, nil); st != 401 {
			t.Errorf("POST without a session: %d", st)
		}
	})
}

// areaRole is a user and what they may see: the tasks GET /api/tasks
// must total, their own task, and (for those of an area) another area's
// task and a county they may not see.
type areaRole struct {
	user     string
	tasks    int
	own      *skygrid.Task
	other    *skygrid.Task
	otherCty string
}

// featureList is a GeoJSON list answer.
type featureList struct {
	Total    int `json:"total"`
	Features []struct {
		ID    any            `json:"id"`
		Props map[string]any `json:"properties"`
	} `json:"features"`
}

// checkTaskList checks the role's task list and own task.
func (w *world) checkTaskList(t *testing.T, r areaRole) {
	t.Helper()
	var tl taskList
	if st := w.do(t, r.user, "GET", "/api/tasks?limit=50000", nil, &tl); st != 200 || tl.Total != r.tasks || len(tl.Tasks) != r.tasks {
		t.Errorf("tasks: status %d, total %d, %d listed; want %d", st, tl.Total, len(tl.Tasks), r.tasks)
	}
	for _, tk := range tl.Tasks {
		if r.otherCty != "" && tk.CountyID == r.otherCty {
			t.Errorf("task %d of county %s listed", tk.ID, tk.CountyID)
		}
	}
	if st := w.do(t, r.user, "GET", fmt.Sprintf("/api/tasks/%d", r.own.ID), nil, nil); st != 200 {
		t.Errorf("own task: %d", st)
	}
}

// checkOtherTasks checks that another area's task can be neither read nor
// acted on, alone or with others, nor their own task moved there.
func (w *world) checkOtherTasks(t *testing.T, r areaRole) {
	t.Helper()
	var eb errorBody
	// Another area's task, and one that does not exist: the same 403.
	for _, u := range []string{fmt.Sprintf("/api/tasks/%d", r.other.ID), "/api/tasks/99999999"} {
		if st := w.do(t, r.user, "GET", u, nil, &eb); st != 403 || strings.Contains(eb.Error.Message, "not found") {
			t.Errorf("GET %s: %d %q", u, st, eb.Error.Message)
		}
	}
	for _, action := range []string{"acknowledge", "report", "close", "return", "reassign"} {
		if st := w.do(t, r.user, "POST", fmt.Sprintf("/api/tasks/%d/%s", r.other.ID, action), map[string]any{"finding": "false_alarm", "reason": "x", "grid_id": r.own.GridID}, nil); st != 403 {
			t.Errorf("POST %s on another area's task: %d", action, st)
		}
	}
	// Closing another area's task with others.
	body := map[string]any{"tasks": []map[string]int64{{"id": r.own.ID, "version": 1}, {"id": r.other.ID, "version": 1}}, "notes": "x"}
	if st := w.do(t, r.user, "POST", "/api/tasks/close", body, nil); st != 403 {
		t.Errorf("bulk close with another area's task: %d", st)
	}
	// Reassigning their own task into another area.
	if strings.HasPrefix(r.user, "official") {
		if st := w.do(t, r.user, "POST", fmt.Sprintf("/api/tasks/%d/reassign", r.own.ID), map[string]any{"grid_id": r.other.GridID}, &eb); st != 403 {
			t.Errorf("reassign into another county: %d %s", st, eb.Error.Message)
		}
	}
}

// checkOtherFeatures checks that events, hotspots and regions of the
// other area are not listed.
func (w *world) checkOtherFeatures(t *testing.T, r areaRole, eventB *skygrid.Event) {
	t.Helper()
	var fcol featureList
	w.do(t, r.user, "GET", "/api/events?limit=50000", nil, &fcol)
	for _, f := range fcol.Features {
		if f.Props["county_id"] == r.otherCty {
			t.Errorf("event %v of county %s listed", f.ID, r.otherCty)
		}
	}
	if eventB != nil && r.otherCty == w.countyB {
		if st := w.do(t, r.user, "GET", fmt.Sprintf("/api/events/%d", eventB.ID), nil, nil); st != 403 {
			t.Errorf("other county's event: %d", st)
		}
	}
	w.do(t, r.user, "GET", "/api/hotspots?limit=50000", nil, &fcol)
	for _, f := range fcol.Features {
		if id, ok := f.Props["event_id"].(float64); ok {
			e, err := w.db.FindEventByID(context.Background(), int64(id))
			if err == nil && e.CountyID == r.otherCty {
				t.Errorf("hotspot %v of county %s listed", f.ID, r.otherCty)
			}
		}
	}
	w.do(t, r.user, "GET", "/api/regions?geometry=false&limit=50000", nil, &fcol)
	for _, f := range fcol.Features {
		if f.Props["id"] == r.otherCty || f.Props["parent_id"] == r.otherCty {
			t.Errorf("region %v of county %s listed", f.Props["id"], r.otherCty)
		}
	}
}

// checkOtherSitesAndRegions checks sites (their own area's only), the
// other county's region, and the admin lists.
func (w *world) checkOtherSitesAndRegions(t *testing.T, r areaRole) {
	t.Helper()
	var fcol featureList
	own, other := w.sites[0], w.sites[1]
	if r.otherCty == w.countyA {
		own, other = other, own
	}
	w.do(t, r.user, "GET", "/api/sites", nil, &fcol)
	if fcol.Total != 1 || len(fcol.Features) != 1 || fcol.Features[0].Props["id"] != float64(own) {
		t.Errorf("sites: total %d %v, want only site %d", fcol.Total, fcol.Features, own)
	}
	for _, c := range []struct{ name, url string }{
		{"other area's site", fmt.Sprintf("/api/sites/%d", other)},
		{"unknown site", "/api/sites/99999"},
		{"other county region", "/api/regions/" + r.otherCty},
		{"unknown region", "/api/regions/nowhere"},
	} {
		if st := w.do(t, r.user, "GET", c.url, nil, nil); st != 403 {
			t.Errorf("%s: %d", c.name, st)
		}
	}
	for _, u := range []string{"/api/batches", "/api/audit", "/api/users", "/api/outbox"} {
		if st := w.do(t, r.user, "GET", u, nil, nil); st != 403 {
			t.Errorf("GET %s: %d", u, st)
		}
	}
}

// checkOtherTiles checks that the other area's fires do not show in the
// role's tiles.
func (w *world) checkOtherTiles(t *testing.T, r areaRole) {
	t.Helper()
	e, _ := w.db.FindEventByID(context.Background(), r.other.EventID)
	tl2 := maptile.At(e.Point, 14)
	for _, layer := range []string{"hotspots", "events"} {
		u := fmt.Sprintf("%s/tiles/%s/14/%d/%d.png?until=2023-11-02", w.srv.URL, layer, tl2.X, tl2.Y)
		rq, _ := http.NewRequest("GET", u, nil)
		rq.Header.Set("Authorization", "Bearer "+w.tokens[r.user])
		resp, err := http.DefaultClient.Do(rq)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("ETag") != `"blank-256"` {
			t.Errorf("%s tile of another area's fire is not blank for %s", layer, r.user)
		}
	}
}

// Cookie sessions: log in, CSRF on writes, log out; throttled log-in.
func TestSessionsCSRFAndThrottling(t *testing.T) {
	w := newWorld(t)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	post := func(url string, body any, csrf string) (*http.Response, []byte) {
		buf, _ := json.Marshal(body)
		rq, _ := http.NewRequest("POST", w.srv.URL+url, bytes.NewReader(buf))
		rq.Header.Set("Content-Type", "application/json")
		if csrf != "" {
			rq.Header.Set("X-CSRF-Token", csrf)
		}
		resp, err := client.Do(rq)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, b
	}
	resp, b := post("/api/login", map[string]string{"name": "supervisorA", "password": testPassword}, "")
	var me api.Me
	json.Unmarshal(b, &me)
	if resp.StatusCode != 200 || me.CSRF == "" || me.User.Name != "supervisorA" {
		t.Fatalf("login: %d %s", resp.StatusCode, b)
	}
	ck := resp.Cookies()[0]
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Name != "skygrid_session" {
		t.Errorf("cookie %+v", ck)
	}
	task := w.taskIn(t, w.gridA)
	ack := fmt.Sprintf("/api/tasks/%d/acknowledge", task.ID)
	if resp, b := post(ack, map[string]any{}, ""); resp.StatusCode != 403 || !strings.Contains(string(b), "X-CSRF-Token") {
		t.Errorf("write without CSRF: %d %s", resp.StatusCode, b)
	}
	if resp, b := post(ack, map[string]any{}, "wrong"); resp.StatusCode != 403 {
		t.Errorf("write with a wrong CSRF: %d %s", resp.StatusCode, b)
	}
	if resp, b := post(ack, map[string]any{}, me.CSRF); resp.StatusCode != 200 {
		t.Errorf("write with CSRF: %d %s", resp.StatusCode, b)
	}
	if resp, _ := post("/api/logout", nil, ""); resp.StatusCode != 204 {
		t.Errorf("logout: %d", resp.StatusCode)
	}
	r2, _ := client.Get(w.srv.URL + "/api/me")
	r2.Body.Close()
	if r2.StatusCode != 401 {
		t.Errorf("after logout: %d", r2.StatusCode)
	}
	// Five wrong passwords, then even the right one waits.
	for i := 0; i < 5; i++ {
		if resp, _ := post("/api/login", map[string]string{"name": "officialA", "password": "wrong password"}, ""); resp.StatusCode != 401 {
			t.Fatalf("wrong password %d: %d", i, resp.StatusCode)
		}
	}
	if resp, b := post("/api/login", map[string]string{"name": "officialA", "password": testPassword}, ""); resp.StatusCode != 429 {
		t.Errorf("sixth attempt: %d %s", resp.StatusCode, b)
	}
	// An unknown name is the same answer as a wrong password.
	if resp, b := post("/api/login", map[string]string{"name": "nobody", "password": "x"}, ""); resp.StatusCode != 401 && resp.StatusCode != 429 {
		t.Errorf("unknown user: %d %s", resp.StatusCode, b)
	}
}

// report sends a multipart report with photos from evidence/testdata.
func (w *world) report(t *testing.T, user string, taskID, version int64, finding string, photos ...string) (int, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("finding", finding)
	mw.WriteField("notes", "现场核查")
	mw.WriteField("version", fmt.Sprint(version))
	mw.WriteField("lon", "113.69")
	mw.WriteField("lat", "39.70")
	for _, p := range photos {
		if !filepath.IsAbs(p) {
			p = filepath.Join("..", "evidence", "testdata", "photos", p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		fw, _ := mw.CreateFormFile("photos", filepath.Base(p))
		fw.Write(b)
	}
	mw.Close()
	rq, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/tasks/%d/report", w.srv.URL, taskID), &buf)
	rq.Header.Set("Content-Type", mw.FormDataContentType())
	rq.Header.Set("Authorization", "Bearer "+w.tokens[user])
	resp, err := sendEarly(rq) // a large body can be refused before it is all sent
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// The lifecycle through the API: acknowledge, report with photos, return,
// report again, close; photos served to those who may see the task.
func TestTaskLifecycle(t *testing.T) {
	w := newWorld(t)
	task := w.taskIn(t, w.gridA)
	l := &lifecycle{w: w, task: task, url: fmt.Sprintf("/api/tasks/%d", task.ID)}
	// Each step goes on from the one before (steps.Run).
	steps.Run(t,
		steps.Step{Name: "acknowledge", Run: l.acknowledge},
		steps.Step{Name: "bad uploads", Run: l.badUploads},
		steps.Step{Name: "report with photos", Run: l.reportWithPhotos},
		steps.Step{Name: "photos to those who may see", Run: l.photosServed},
		steps.Step{Name: "return, report again, close", Run: l.returnAndClose},
		steps.Step{Name: "audit log", Run: l.audit},
		steps.Step{Name: "reassign in the county", Run: l.reassign},
	)
}

// lifecycle is one task worked through the API, step by step.
type lifecycle struct {
	w    *world
	task *skygrid.Task
	url  string
	v    taskView
}

func (l *lifecycle) acknowledge(t *testing.T) {
	w, url := l.w, l.url
	var eb errorBody
	if st := w.do(t, "supervisorA", "GET", url, nil, &l.v); st != 200 || l.v.Navigation["amap"] == nil || l.v.Navigation["baidu"] == nil {
		t.Fatalf("task view: %d %v", st, l.v.Navigation)
	}
	// Report before acknowledging: 409 with the reason.
	if st, b := w.report(t, "supervisorA", l.task.ID, l.v.Version, "straw_burning", "at_event.jpg"); st != 409 || !strings.Contains(string(b), "report needs it acknowledged") {
		t.Errorf("report before acknowledge: %d %s", st, b)
	}
	if st := w.do(t, "supervisorA", "POST", url+"/acknowledge", map[string]any{"version": l.v.Version}, &l.v); st != 200 || l.v.State != skygrid.TaskAcknowledged {
		t.Fatalf("acknowledge: %d %s", st, l.v.State)
	}
	// A stale version: 409.
	if st := w.do(t, "supervisorA", "POST", url+"/acknowledge", map[string]any{"version": l.v.Version - 1}, &eb); st != 409 {
		t.Errorf("stale version: %d %s", st, eb.Error.Message)
	}
}

// badUploads: bad uploads are refused with clear errors, nothing stored.
func (l *lifecycle) badUploads(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.jpg")
	at, _ := os.ReadFile(filepath.Join("..", "evidence", "testdata", "photos", "at_event.jpg"))
	os.WriteFile(big, append(at, make([]byte, 16<<20)...), 0o644)
	for _, c := range []struct {
		name, finding, want string
		photos              []string
	}{
		{"text named .jpg", "straw_burning", "not a JPEG or PNG", []string{"not_image.jpg"}},
		{"16 MiB photo", "straw_burning", "larger than 15 MiB", []string{big}},
		{"no photo", "straw_burning", "1 to 5 photos", nil},
		{"bad finding", "arson", "finding", []string{"at_event.jpg"}},
	} {
		if st, b := l.w.report(t, "supervisorA", l.task.ID, l.v.Version, c.finding, c.photos...); st != 400 || !strings.Contains(string(b), c.want) {
			t.Errorf("%s: %d %s", c.name, st, b)
		}
	}
}

func (l *lifecycle) reportWithPhotos(t *testing.T) {
	st, b := l.w.report(t, "supervisorA", l.task.ID, l.v.Version, "straw_burning", "at_event.jpg", "no_gps.jpg", "early.jpg")
	json.Unmarshal(b, &l.v)
	if st != 200 || l.v.State != skygrid.TaskReported || len(l.v.Photos) != 3 || l.v.Finding != "straw_burning" {
		t.Fatalf("report: %d %s", st, b)
	}
	// The photos are flagged against this event (the fixtures were taken
	// at 113.69 E 39.70 N; this task's event is elsewhere, so far too).
	flags := map[string][]any{}
	for _, p := range l.v.Photos {
		fl, _ := p["flags"].([]any)
		flags[p["sha256"].(string)] = fl
	}
	var unlocated int
	for _, fl := range flags {
		if slices.Contains(fl, any("unlocated")) {
			unlocated++
		}
	}
	if unlocated != 1 {
		t.Errorf("flags %v: want one unlocated photo", flags)
	}
}

func (l *lifecycle) photosServed(t *testing.T) {
	photo := l.v.Photos[0]["url"].(string)
	for user, want := range map[string]int{"supervisorA": 200, "officialA": 200, "auditor": 200, "supervisorB": 403, "officialB": 403} {
		rq, _ := http.NewRequest("GET", l.w.srv.URL+photo+"?thumb=1", nil)
		rq.Header.Set("Authorization", "Bearer "+l.w.tokens[user])
		resp, err := http.DefaultClient.Do(rq)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want || (want == 200 && resp.Header.Get("Content-Type") != "image/jpeg") {
			t.Errorf("photo for %s: %d %s", user, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}

// returnAndClose: return with no reason: 400; with a reason: back to the
// supervisor, who reports again; then closed, once.
func (l *lifecycle) returnAndClose(t *testing.T) {
	w, url := l.w, l.url
	var eb errorBody
	if st := w.do(t, "officialA", "POST", url+"/return", map[string]any{}, &eb); st != 400 {
		t.Errorf("return without reason: %d", st)
	}
	if st := w.do(t, "officialA", "POST", url+"/return", map[string]any{"reason": "照片不清晰", "version": l.v.Version}, &l.v); st != 200 || l.v.State != skygrid.TaskAcknowledged {
		t.Fatalf("return: %d %s", st, l.v.State)
	}
	st, b := w.report(t, "supervisorA", l.task.ID, l.v.Version, "straw_burning", "at_event.jpg")
	json.Unmarshal(b, &l.v)
	if st != 200 || l.v.Reports != 2 || len(l.v.Photos) != 4 {
		t.Fatalf("second report: %d %s", st, b)
	}
	if st := w.do(t, "officialA", "POST", url+"/close", map[string]any{"notes": "属实", "version": l.v.Version}, &l.v); st != 200 || l.v.State != skygrid.TaskClosed {
		t.Fatalf("close: %d %s", st, l.v.State)
	}
	if st := w.do(t, "officialA", "POST", url+"/close", map[string]any{}, &eb); st != 409 || !strings.Contains(eb.Error.Message, "closed") {
		t.Errorf("close twice: %d %s", st, eb.Error.Message)
	}
}

// audit: every transition is in the audit log with who, before and after;
// the audit-log viewer's API answers by task and by user, for auditors only.
func (l *lifecycle) audit(t *testing.T) {
	w := l.w
	entries, _ := w.db.FindAudit(context.Background(), "task", fmt.Sprint(l.task.ID), 0)
	var actions []string
	for _, e := range entries {
		if e.Actor != "" && e.Before != "" && e.After != "" {
			actions = append(actions, e.Actor+":"+e.Action)
		}
	}
	slices.Sort(actions)
	want := []string{"officialA:task.close", "officialA:task.return", "supervisorA:task.acknowledge", "supervisorA:task.report", "supervisorA:task.report"}
	if !slices.Equal(actions, want) {
		t.Errorf("audit %v, want %v", actions, want)
	}
	var log struct {
		Entries []skygrid.AuditEntry `json:"entries"`
	}
	if st := w.do(t, "auditor", "GET", fmt.Sprintf("/api/audit?entity=task&id=%d", l.task.ID), nil, &log); st != 200 || len(log.Entries) != 6 { // the dispatch and five transitions
		t.Errorf("audit by task: %d, %d entries", st, len(log.Entries))
	}
	if st := w.do(t, "auditor", "GET", "/api/audit?actor=officialA", nil, &log); st != 200 || len(log.Entries) != 2 {
		t.Errorf("audit by user: %d, %d entries", st, len(log.Entries))
	}
	if st := w.do(t, "officialA", "GET", "/api/audit?actor=officialA", nil, nil); st != 403 {
		t.Errorf("official reading the audit log: %d", st)
	}
}

// reassign within the official's county: another grid's supervisor.
func (l *lifecycle) reassign(t *testing.T) {
	w := l.w
	other := w.taskIn(t, w.gridA)
	var grid string
	for _, g := range []string{"140225-000-000"} {
		grid = g
	}
	regions, _, _ := w.db.FindRegions(context.Background(), skygrid.RegionFilter{ParentID: &w.countyA})
	for _, r := range regions {
		if r.Level == skygrid.LevelGrid && r.ID != w.gridA {
			grid = r.ID
			break
		}
	}
	if st := w.do(t, "officialA", "POST", fmt.Sprintf("/api/tasks/%d/reassign", other.ID), map[string]any{"grid_id": grid}, &l.v); st != 200 || l.v.GridID != grid || l.v.State != skygrid.TaskDispatched {
		t.Fatalf("reassign: %d %s %s", st, l.v.GridID, l.v.State)
	}
	// It left supervisor A's list.
	if st := w.do(t, "supervisorA", "GET", fmt.Sprintf("/api/tasks/%d", other.ID), nil, nil); st != 403 {
		t.Errorf("reassigned task still visible to the old grid's supervisor: %d", st)
	}
}

// Two reports at once on one task: one wins, the other gets 409, and the
// audit log shows one report.
func TestConcurrentReportsOneWins(t *testing.T) {
	w := newWorld(t)
	task := w.taskIn(t, w.gridA)
	var v taskView
	if st := w.do(t, "supervisorA", "POST", fmt.Sprintf("/api/tasks/%d/acknowledge", task.ID), map[string]any{}, &v); st != 200 {
		t.Fatal(st)
	}
	var wg sync.WaitGroup
	codes := make([]int, 2)
	bodies := make([][]byte, 2)
	for i, finding := range []string{"straw_burning", "false_alarm"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], bodies[i] = w.report(t, "supervisorA", task.ID, v.Version, finding, "at_event.jpg")
		}()
	}
	wg.Wait()
	slices.Sort(codes)
	if codes[0] != 200 || codes[1] != 409 {
		t.Fatalf("codes %v: %s / %s", codes, bodies[0], bodies[1])
	}
	entries, _ := w.db.FindAudit(context.Background(), "task", fmt.Sprint(task.ID), 0)
	reports := 0
	for _, e := range entries {
		if e.Action == "task.report" {
			reports++
		}
	}
	got, _ := w.db.FindTaskByID(context.Background(), task.ID)
	if reports != 1 || got.Reports != 1 || len(got.Photos) != 1 {
		t.Errorf("audit shows %d reports; task has %d reports, %d photos", reports, got.Reports, len(got.Photos))
	}
}

// A task reassigned to another county goes with its event: the new
// county's official and grid supervisor see and act on it, the old ones
// no longer see the task, its event or its photos; its deadlines start
// again.
func TestReassignedTaskChangesArea(t *testing.T) {
	w := newWorld(t)
	task := w.taskIn(t, w.gridA)
	url := fmt.Sprintf("/api/tasks/%d", task.ID)
	var v taskView
	if st := w.do(t, "admin", "POST", url+"/reassign", map[string]any{"grid_id": w.gridB}, &v); st != 200 || v.GridID != w.gridB {
		t.Fatalf("reassign: %d %s", st, v.GridID)
	}
	if !v.AckDue.After(*w.clock) || v.Escalation != 0 || v.SupervisorName != "网格员 "+w.gridB {
		t.Errorf("after reassign: ack due %s (now %s), escalation %d, supervisor %q", v.AckDue, *w.clock, v.Escalation, v.SupervisorName)
	}
	for user, want := range map[string]int{"officialA": 403, "supervisorA": 403, "officialB": 200, "supervisorB": 200} {
		if st := w.do(t, user, "GET", url, nil, nil); st != want {
			t.Errorf("%s GET task: %d, want %d", user, st, want)
		}
		if st := w.do(t, user, "GET", fmt.Sprintf("/api/events/%d", task.EventID), nil, nil); st != want {
			t.Errorf("%s GET its event: %d, want %d", user, st, want)
		}
		var tl taskList
		w.do(t, user, "GET", "/api/tasks?limit=50000", nil, &tl)
		listed := slices.ContainsFunc(tl.Tasks, func(x *skygrid.Task) bool { return x.ID == task.ID })
		if listed != (want == 200) {
			t.Errorf("%s lists the task: %v", user, listed)
		}
		var fcol struct {
			Features []struct {
				ID any `json:"id"`
			} `json:"features"`
		}
		w.do(t, user, "GET", "/api/events?limit=50000", nil, &fcol)
		listed = slices.ContainsFunc(fcol.Features, func(f struct {
			ID any `json:"id"`
		}) bool {
			return f.ID == float64(task.EventID)
		})
		if listed != (want == 200) {
			t.Errorf("%s lists the event: %v", user, listed)
		}
	}
	if st := w.do(t, "supervisorB", "POST", url+"/acknowledge", map[string]any{}, nil); st != 200 {
		t.Errorf("new supervisor acknowledging: %d", st)
	}
	if st := w.do(t, "officialA", "POST", url+"/return", map[string]any{"reason": "x"}, nil); st != 403 {
		t.Errorf("old official acting: %d", st)
	}
	// Photos come with reports only; nothing is stored for another action.
	var eb errorBody
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("photos", "at_event.jpg")
	b, _ := os.ReadFile(filepath.Join("..", "evidence", "testdata", "photos", "at_event.jpg"))
	fw.Write(b)
	mw.Close()
	rq, _ := http.NewRequest("POST", w.srv.URL+url+"/close", &buf)
	rq.Header.Set("Content-Type", mw.FormDataContentType())
	rq.Header.Set("Authorization", "Bearer "+w.tokens["officialB"])
	resp, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&eb)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(eb.Error.Message, "photos come with a report") {
		t.Errorf("close with a photo: %d %s", resp.StatusCode, eb.Error.Message)
	}
}

// Parallel wrong guesses cannot slip past the limit.
func TestParallelLoginGuessesAreThrottled(t *testing.T) {
	w := newWorld(t)
	var wg sync.WaitGroup
	codes := make(chan int, 12)
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Post(w.srv.URL+"/api/login", "application/json", strings.NewReader(`{"name":"officialA","password":"guess"}`))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	if count[401] != 5 || count[429] != 7 {
		t.Errorf("answers %v, want 5 × 401 and 7 × 429", count)
	}
}

// Statistics, exports and the monthly report keep to the user's area.
func TestStatsAndExportsKeepToTheArea(t *testing.T) {
	w := newWorld(t)
	oct := octoberOf(t, w)
	t.Run("statistics by role", func(t *testing.T) { w.statsByRole(t, oct) })
	t.Run("exports", func(t *testing.T) { w.exportsOfOctober(t, oct) })
	// One class (the commonest): the figures and the workbook's summary
	// and detail agree.
	t.Run("one class", func(t *testing.T) { w.statsOfOneClass(t, oct) })
	t.Run("bad requests", func(t *testing.T) {
		for _, c := range []struct {
			name, url string
			want      int
		}{
			{"unknown class", "/api/stats?period=2023-10&class=straw", 400},
			{"unknown export", "/api/exports/roads.csv", 404},
			{"bad period", "/api/stats?period=October", 400},
		} {
			if st, _ := w.get(t, "auditor", c.url); st != c.want {
				t.Errorf("%s: %d", c.name, st)
			}
		}
	})
	t.Run("monthly report and ranking", w.monthlyAndRanking)
	// A task of county A reassigned (by the admin) to a grid of county B:
	// official A no longer sees that fire, and official B does not count
	// it either, since it burnt in A.
	t.Run("reassigned across counties", func(t *testing.T) { w.statsAfterReassigning(t, oct) })
}

// october is what the tables hold for October 2023 (Beijing time): the
// city's events, those of county A, those outside the city (in the area
// margin), and all events.
type october struct {
	since, until        time.Time
	inOct, inA, outside int
	all                 []*skygrid.Event
}

func octoberOf(t *testing.T, w *world) october {
	t.Helper()
	o := october{since: time.Date(2023, 9, 30, 16, 0, 0, 0, time.UTC), until: time.Date(2023, 10, 31, 16, 0, 0, 0, time.UTC)}
	o.all, _, _ = w.db.FindEvents(context.Background(), skygrid.EventFilter{})
	for _, e := range o.all {
		if !e.FirstSeen.Before(o.since) && e.FirstSeen.Before(o.until) {
			if e.CrossBorder {
				o.outside++
				continue
			}
			o.inOct++
			if e.CountyID == w.countyA {
				o.inA++
			}
		}
	}
	return o
}

func (w *world) statsByRole(t *testing.T, o october) {
	var body struct {
		Stats *skygrid.Stats `json:"stats"`
	}
	if st := w.do(t, "auditor", "GET", "/api/stats?period=2023-10", nil, &body); st != 200 || body.Stats.Total.Events != o.inOct ||
		body.Stats.CrossBorder != o.outside || o.outside == 0 {
		t.Fatalf("auditor stats: %d, %d events and %d cross-border, want %d and %d", st, body.Stats.Total.Events, body.Stats.CrossBorder, o.inOct, o.outside)
	}
	for _, a := range body.Stats.Areas {
		if a.RegionID == "" {
			t.Errorf("an area row without a county (cross-border fires are not the city's): %+v", a)
		}
	}
	body.Stats = nil
	if st := w.do(t, "officialA", "GET", "/api/stats?period=2023-10", nil, &body); st != 200 || body.Stats.Total.Events != o.inA || len(body.Stats.Areas) != 1 ||
		body.Stats.CrossBorder != 0 {
		t.Fatalf("official stats: %d, %d events in %d areas (%d cross-border), want %d in 1 (0)", st, body.Stats.Total.Events, len(body.Stats.Areas),
			body.Stats.CrossBorder, o.inA)
	}
	for _, u := range []string{"/api/stats", "/api/stats/ranking", "/api/exports/events.csv", "/api/reports/monthly"} {
		if st := w.do(t, "supervisorA", "GET", u, nil, nil); st != 403 {
			t.Errorf("supervisor %s: %d", u, st)
		}
	}
}

func (w *world) exportsOfOctober(t *testing.T, o october) {
	st, b := w.get(t, "officialA", "/api/exports/events.csv?period=2023-10")
	if st != 200 || !bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) || bytes.Count(b, []byte("\n")) != o.inA+1 {
		t.Errorf("events.csv: %d, %d lines, want %d + header", st, bytes.Count(b, []byte("\n")), o.inA)
	}
	// The places by name as well as by code: 区县 140225 is 浑源县 to
	// whoever opens the file.
	r, err := w.db.FindRegionByID(context.Background(), w.countyA)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("区县名称")) || !bytes.Contains(b, []byte(","+r.Name+",")) {
		t.Errorf("events.csv: no 区县名称 column or no %s in it:\n%.300s", r.Name, b)
	}
	for _, u := range []string{"/api/exports/events.geojson?period=2023-10", "/api/exports/events.kml?period=2023-10",
		"/api/exports/hotspots.geojson?period=2023-10", "/api/exports/hotspots.kml?period=2023-10"} {
		if st, _ := w.get(t, "auditor", u); st != 200 {
			t.Errorf("%s: %d", u, st)
		}
	}
	if st, b := w.get(t, "auditor", "/api/exports/hotspots.csv?period=2023-10"); st != 200 || !bytes.HasPrefix(b, []byte("latitude,longitude,bright_ti4")) {
		t.Errorf("hotspots.csv: %d %.40s", st, b)
	}
	if st, b := w.get(t, "auditor", "/api/stats?period=2023-10&format=xlsx"); st != 200 || !bytes.HasPrefix(b, []byte("PK")) {
		t.Errorf("xlsx: %d", st)
	}
}

func (w *world) statsOfOneClass(t *testing.T, o october) {
	byClass := map[string]int{}
	class, straw := "", 0
	for _, e := range o.all {
		if !e.FirstSeen.Before(o.since) && e.FirstSeen.Before(o.until) && !e.CrossBorder {
			byClass[e.Class]++
			if byClass[e.Class] > straw {
				class, straw = e.Class, byClass[e.Class]
			}
		}
	}
	var body struct {
		Stats *skygrid.Stats `json:"stats"`
	}
	if st := w.do(t, "auditor", "GET", "/api/stats?period=2023-10&class="+class, nil, &body); st != 200 || body.Stats.Total.Events != straw ||
		body.Stats.Total.ByClass[class] != straw || len(body.Stats.Total.ByClass) != 1 || straw == 0 || straw == o.inOct {
		t.Errorf("%s stats: %d, %+v, want %d events", class, st, body.Stats.Total, straw)
	}
	st, b := w.get(t, "auditor", "/api/exports/events.xlsx?period=2023-10&class="+class)
	if st != 200 {
		t.Fatalf("events.xlsx?class=: %d", st)
	}
	wb, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	detail, _ := wb.GetRows(report.SheetEvents)
	summary, _ := wb.GetRows(report.SheetSummary, excelize.Options{RawCellValue: true})
	var total []string
	for _, r := range summary {
		if len(r) > 1 && slices.Contains(r, "合计") {
			total = r
		}
	}
	col := slices.Index(summary[0], "火情")
	if len(detail)-1 != straw || col < 0 || col >= len(total) || total[col] != fmt.Sprint(straw) {
		t.Errorf("%s workbook: %d detail rows, summary %v total %v; want %d", class, len(detail)-1, summary[0], total, straw)
	}
}

func (w *world) monthlyAndRanking(t *testing.T) {
	ctx := context.Background()
	rA, _ := w.db.FindRegionByID(ctx, w.countyA)
	rB, _ := w.db.FindRegionByID(ctx, w.countyB)
	st, b := w.get(t, "officialA", "/api/reports/monthly?month=2023-10")
	if st != 200 || !bytes.Contains(b, []byte("2023年10月")) || !bytes.Contains(b, []byte(rA.Name)) || bytes.Contains(b, []byte(rB.Name)) {
		t.Errorf("monthly report for official A: %d, own county %s shown %v, other county %s shown %v", st,
			rA.Name, bytes.Contains(b, []byte(rA.Name)), rB.Name, bytes.Contains(b, []byte(rB.Name)))
	}
	var rk struct {
		Ranking []struct{ RegionID string } `json:"ranking"`
	}
	w.do(t, "auditor", "GET", "/api/stats/ranking?period=2023-10", nil, &rk)
	if len(rk.Ranking) < 8 {
		t.Errorf("ranking of %d counties", len(rk.Ranking))
	}
}

// statsOf returns the October events and tasks a user's statistics count.
func (w *world) statsOf(t *testing.T, user string) (events, tasks int) {
	t.Helper()
	var body struct{ Stats *skygrid.Stats }
	if st := w.do(t, user, "GET", "/api/stats?period=2023-10", nil, &body); st != 200 {
		t.Fatalf("%s stats: %d", user, st)
	}
	return body.Stats.Total.Events, body.Stats.Total.Tasks
}

func (w *world) statsAfterReassigning(t *testing.T, o october) {
	evA, tkA := w.statsOf(t, "officialA")
	evB, tkB := w.statsOf(t, "officialB")
	moved := w.taskIn(t, w.gridA)
	if e, err := w.db.FindEventByID(context.Background(), moved.EventID); err != nil || e.FirstSeen.Before(o.since) || !e.FirstSeen.Before(o.until) {
		t.Fatalf("the task to move is not of October: %v", err)
	}
	var v taskView
	if st := w.do(t, "admin", "POST", fmt.Sprintf("/api/tasks/%d/reassign", moved.ID), map[string]any{"grid_id": w.gridB, "version": moved.Version}, &v); st != 200 || v.GridID != w.gridB {
		t.Fatalf("reassign: %d %s", st, v.GridID)
	}
	if e, tk := w.statsOf(t, "officialA"); e != evA-1 || tk != tkA-1 {
		t.Errorf("official A after the reassignment: %d events, %d tasks; want %d, %d", e, tk, evA-1, tkA-1)
	}
	if e, tk := w.statsOf(t, "officialB"); e != evB || tk != tkB {
		t.Errorf("official B after the reassignment: %d events, %d tasks; want %d, %d (it burnt in A)", e, tk, evB, tkB)
	}
}
