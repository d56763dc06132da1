package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/demo"
	"skygrid/dispatch"
	"skygrid/evidence"
	"skygrid/internal/storetest"
	"skygrid/store"
)

// startMain runs a serving command (demo or serve) on port 0 with the
// clock at now and returns its URL and a stop function.
func startMain(t *testing.T, now time.Time, args ...string) (string, *bytes.Buffer, func()) {
	t.Helper()
	m, out, _ := testMain()
	m.Now = func() time.Time { return now }
	ready := make(chan string, 1)
	m.Ready = func(url string) { ready <- url }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, append(args, "--addr", "127.0.0.1:0")) }()
	select {
	case url := <-ready:
		return url, out, func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		}
	case err := <-done:
		t.Fatalf("%v ended: %v\n%s", args, err, out)
	case <-time.After(300 * time.Second): // the demo builds first (longer on PostgreSQL, on a loaded machine)
		t.Fatalf("%v did not start", args)
	}
	cancel()
	return "", nil, nil
}

// client logs in as a demo user.
func client(t *testing.T, url, name string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Post(url+"/api/login", "application/json", strings.NewReader(`{"name":"`+name+`","password":"`+DemoPassword+`"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("login %s: %v %v", name, err, resp)
	}
	resp.Body.Close()
	return c
}

func get(t *testing.T, c *http.Client, url string) []byte {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return b
}

// The demo's audit figures are the same whenever it is opened: two demos
// started on different days of the wall clock answer the October
// statistics, ranking and monthly report byte for byte alike, and their
// clock starts at the end of October 2023. `skygrid serve` on the same
// database keeps the real clock. The two openings run side by side: each
// waits for its fleet's first minute, which the demo spreads over a
// minute of real time.
func TestDemoFiguresAreTheSameWheneverOpened(t *testing.T) {
	pages := []string{"/api/stats?period=2023-10", "/api/stats?period=2023-10&by=township", "/api/stats/ranking?period=2023-10",
		"/api/reports/monthly?month=2023-10", "/api/stats/series?period=2023-10"}
	walls := []time.Time{time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), time.Date(2031, 7, 15, 22, 30, 0, 0, time.UTC)}
	answers := make([][][]byte, len(walls))
	t.Run("openings", func(t *testing.T) {
		for i, wall := range walls {
			t.Run(wall.Format("2006-01-02"), func(t *testing.T) {
				t.Parallel()
				answers[i] = openDemoAt(t, wall, "demo"+string(rune('a'+i))+".db", pages, i == 1)
			})
		}
	})
	if len(answers[0]) != len(pages) || len(answers[1]) != len(pages) {
		t.Fatalf("answers: %d and %d pages of %d", len(answers[0]), len(answers[1]), len(pages))
	}
	for k, p := range pages {
		if a, b := answers[0][k], answers[1][k]; !bytes.Equal(a, b) {
			at := 0 // from a little before the first difference
			for at < min(len(a), len(b)) && a[at] == b[at] {
				at++
			}
			at = max(0, at-100)
			t.Errorf("%s differs between two openings of the demo (from byte %d):\n%.400s\n%.400s", p, at, a[at:], b[at:])
		}
	}
}

// openDemoAt opens the demo in a fresh database with the wall clock at
// wall, checks its clock, waits for its fleet's first minute and returns
// the pages' answers; with thenServe, `skygrid serve` on the same
// database keeps the real clock.
func openDemoAt(t *testing.T, wall time.Time, name string, pages []string, thenServe bool) [][]byte {
	db := storetest.DSN(t, name)
	url, _, stop := startMain(t, wall, "demo", "--db", db, "--data", dataDir(t, db))
	c := client(t, url, "nongye")
	var me struct {
		Now time.Time `json:"now"`
	}
	if err := json.Unmarshal(get(t, c, url+"/api/me"), &me); err != nil || !me.Now.Equal(demo.Start) {
		t.Errorf("the demo's clock at start: %s (%v), want %s", me.Now, err, demo.Start)
	}
	waitDemoFleet(t, c, url)
	var out [][]byte
	for _, p := range pages {
		out = append(out, get(t, c, url+p))
	}
	stop()
	if thenServe {
		url, _, stop := startMain(t, wall, "serve", "--db", db, "--data", dataDir(t, db))
		if err := json.Unmarshal(get(t, client(t, url, "nongye"), url+"/api/me"), &me); err != nil || !me.Now.Equal(wall) {
			t.Errorf("serve's clock: %s (%v), want %s", me.Now, err, wall)
		}
		stop()
	}
	return out
}

// waitDemoFleet waits until every demo monitor has stored the minute the
// demo's clock starts at: the fleet sends it, every device at once, as
// the server starts, so the dust figures (last reading, minutes captured)
// read before it and after it differ; the next minute comes a minute
// later.
func waitDemoFleet(t *testing.T, c *http.Client, url string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		var ms struct {
			Monitors []struct {
				MN     string    `json:"mn"`
				Kind   string    `json:"kind"`
				LastAt time.Time `json:"last_at"`
			} `json:"items"`
		}
		if err := json.Unmarshal(get(t, c, url+"/api/monitors"), &ms); err != nil {
			t.Fatal(err)
		}
		behind := ""
		for _, m := range ms.Monitors {
			if m.Kind == skygrid.MonitorDust && m.LastAt.Before(demo.Start) {
				behind = m.MN
			}
		}
		if len(ms.Monitors) > 0 && behind == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo fleet's first minute is not stored after a minute (%d monitors, %q behind)", len(ms.Monitors), behind)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// buildDemo builds the demo into a temp dir and opens it.
func buildDemo(t *testing.T) (*store.DB, string, string) {
	t.Helper()
	dir := t.TempDir()
	path := storetest.DSN(t, "demo.db")
	db := store.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p, err := dispatch.New(db, dispatch.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	photos := filepath.Join(dir, "photos")
	if err := BuildDemo(context.Background(), db, p, &out, photos); err != nil {
		t.Fatal(err)
	}
	return db, path, photos
}

// The demo, built once: its history and its land.
func TestDemo(t *testing.T) {
	db, path, photoDir := buildDemo(t)
	t.Run("history", func(t *testing.T) { testDemoHistory(t, db, path, photoDir) })
	t.Run("land", func(t *testing.T) { testDemoLand(t, db) })
}

// The demo's history is a living workflow at its clock: most tasks
// worked within minutes and closed, some returned and reported again,
// some open and overdue; wangge has tasks to acknowledge and acknowledged
// ones not yet overdue; hunyuan has reports to review. Everything
// invented says 示例, and the audit log is in time order with a line for
// each version of each task.
func testDemoHistory(t *testing.T, db *store.DB, path, photoDir string) {
	ctx := context.Background()
	now := demo.Start
	if !db.Now().Equal(now) {
		t.Errorf("BuildDemo leaves the clock at %s", db.Now())
	}
	tasks, _, err := db.FindTasks(ctx, skygrid.TaskFilter{})
	if err != nil || len(tasks) < 200 {
		t.Fatalf("%d tasks: %v", len(tasks), err)
	}
	state := map[string]int{}
	wangge := map[string]int{}
	var reviews, overdue, findings, strawInCropland, straw int
	for _, tk := range tasks {
		state[tk.State]++
		if tk.Overdue(now) {
			overdue++
		}
		if tk.GridID == demoWanggeGrid {
			key := tk.State
			if !tk.Overdue(now) {
				key += " in time"
			}
			wangge[key]++
		}
		if tk.CountyID == "140225" && tk.State == skygrid.TaskReported {
			reviews++
		}
		for _, note := range []string{tk.Notes, tk.ReviewNote} {
			if note != "" && !strings.HasPrefix(note, "示例") {
				t.Errorf("task %d: a note not marked 示例: %q", tk.ID, note)
			}
		}
		if tk.Finding != "" {
			findings++
			if tk.Finding == skygrid.FindingStrawBurning {
				straw++
				if tk.EventClass == skygrid.ClassStrawBurning {
					strawInCropland++
				}
			}
		}
	}
	if state[skygrid.TaskClosed] < len(tasks)*3/4 || state[skygrid.TaskDispatched] == 0 || state[skygrid.TaskAcknowledged] == 0 ||
		overdue == 0 || overdue > len(tasks)/8 {
		t.Errorf("at the demo's clock: %v, %d overdue of %d", state, overdue, len(tasks))
	}
	if wangge[skygrid.TaskDispatched]+wangge[skygrid.TaskDispatched+" in time"] < 5 || wangge[skygrid.TaskDispatched+" in time"] == 0 ||
		wangge[skygrid.TaskAcknowledged+" in time"] == 0 {
		t.Errorf("wangge's tasks: %v", wangge)
	}
	if reviews < 2 {
		t.Errorf("hunyuan has %d reports to review", reviews)
	}
	if straw == 0 || strawInCropland*2 <= straw {
		t.Errorf("straw burning found %d times, %d of them in the cropland", straw, strawInCropland)
	}
	checkDemoLog(t, path, photoDir, tasks)
}

// checkDemoLog checks the audit log of the demo's history and its photos.
func checkDemoLog(t *testing.T, path, photoDir string, tasks []*skygrid.Task) {
	t.Helper()
	raw, bind := rawSQL(t, path)
	var unordered, returned, escalated int
	raw.QueryRow(`SELECT COUNT(*) FROM audit_log a JOIN audit_log b ON b.id = a.id + 1 WHERE b.at < a.at`).Scan(&unordered)
	raw.QueryRow(`SELECT COUNT(DISTINCT entity_id) FROM audit_log WHERE action = 'task.return'`).Scan(&returned)
	raw.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'task.escalate'`).Scan(&escalated)
	if unordered != 0 || returned == 0 || escalated == 0 {
		t.Errorf("audit log: %d lines before the one they follow, %d tasks returned, %d escalations", unordered, returned, escalated)
	}
	for _, tk := range tasks {
		var lines int
		raw.QueryRow(bind(`SELECT COUNT(*) FROM audit_log WHERE entity = 'task' AND entity_id = ?`), fmt.Sprint(tk.ID)).Scan(&lines)
		if int64(lines) != tk.Version+1 {
			t.Errorf("task %d: version %d, %d audit lines", tk.ID, tk.Version, lines)
		}
	}
	rows, err := raw.Query(`SELECT sha256, mime, flags FROM photos`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var sha, mime, flags string
		rows.Scan(&sha, &mime, &flags)
		n++
		files := evidence.Files{Dir: photoDir}
		if p, _, err := files.Path(sha, false); err != nil || flags != "" {
			t.Errorf("photo %s: %v, flags %q", sha, err, flags)
		} else if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
	if n == 0 {
		t.Error("no report photos")
	}
}

// The demo's land: townships with real names and codes and invented
// boundaries, each grid in one of its county's townships; the statistics
// by township name them; cropland invented and marked; wangge supervises
// 浑源县's busiest grid.
func testDemoLand(t *testing.T, db *store.DB) {
	ctx := context.Background()
	level := skygrid.LevelTownship
	towns, n, err := db.FindRegions(ctx, skygrid.RegionFilter{Level: &level})
	if err != nil || n != 90 {
		t.Fatalf("%d townships: %v", n, err)
	}
	ids := map[string]bool{}
	for _, r := range towns {
		ids[r.ID] = true
		if !r.Demo || len(r.ID) != 9 || r.ParentID != r.ID[:6] || r.AreaKm2 <= 0 || !strings.HasSuffix(r.Name, "乡") && !strings.HasSuffix(r.Name, "镇") &&
			!strings.HasSuffix(r.Name, "街道") {
			t.Errorf("township %+v", r)
		}
	}
	level = skygrid.LevelGrid
	grids, _, _ := db.FindRegions(ctx, skygrid.RegionFilter{Level: &level})
	for _, g := range grids {
		if !ids[g.ParentID] || g.ParentID[:6] != g.ID[:6] || !strings.HasPrefix(g.Name, g.ParentName+" ") {
			t.Errorf("grid %s (%s) in %s (%s)", g.ID, g.Name, g.ParentID, g.ParentName)
			break
		}
	}
	q := skygrid.StatsQuery{Since: time.Date(2023, 9, 30, 16, 0, 0, 0, time.UTC), Until: time.Date(2023, 10, 31, 16, 0, 0, 0, time.UTC), By: skygrid.ByTownship}
	st, err := db.Stats(ctx, q)
	if err != nil || len(st.Areas) < 10 {
		t.Fatalf("by township: %v %+v", err, st)
	}
	for _, a := range st.Areas {
		if !ids[a.RegionID] || a.RegionName == "" {
			t.Errorf("a township row %s %q", a.RegionID, a.RegionName)
		}
	}
	kind := skygrid.SiteCropland
	crop, _, err := db.FindSites(ctx, skygrid.SiteFilter{Kind: &kind})
	if err != nil || len(crop) < 500 {
		t.Fatalf("%d cropland sites: %v", len(crop), err)
	}
	for _, s := range crop {
		if !strings.HasPrefix(s.Name, "示例") || s.Source != demo.Source {
			t.Errorf("cropland %s %q from %q", s.ExternalID, s.Name, s.Source)
			break
		}
	}
	q.By = skygrid.ByCounty
	st, _ = db.Stats(ctx, q)
	for _, a := range st.Areas {
		// 平城区 is mostly city: less cropland.
		if a.CroplandHa < 2000 || a.RegionID != "140213" && a.CroplandHa < 10000 || a.StrawPer1000Ha == nil {
			t.Errorf("%s: %.0f ha of cropland, straw burning per 1000 ha %v", a.RegionName, a.CroplandHa, a.StrawPer1000Ha)
		}
	}
	// wangge's grid is 浑源县's busiest: the most tasks, counted where the
	// fires burnt (tasks handed over to him later count there); the
	// lowest id of a tie.
	county := "140225"
	es, _, _ := db.FindEvents(ctx, skygrid.EventFilter{CountyID: &county})
	count := map[string]int{}
	for _, e := range es {
		if e.Task != nil {
			count[e.GridID]++
		}
	}
	var grids2 []string
	for g := range count {
		grids2 = append(grids2, g)
	}
	slices.SortFunc(grids2, func(a, b string) int {
		if count[a] != count[b] {
			return count[b] - count[a]
		}
		return strings.Compare(a, b)
	})
	if len(grids2) == 0 || grids2[0] != demoWanggeGrid {
		t.Errorf("浑源县's busiest grids: %v (%v), wangge supervises %s", grids2[:min(3, len(grids2))], count, demoWanggeGrid)
	}
}

// rawSQL opens the store's database with database/sql for a test's own
// queries, independent of the store's: the SQLite file, or the PostgreSQL
// database through pgx's adapter (which the store registers). bind turns
// a query's ? placeholders into PostgreSQL's $n there.
func rawSQL(t *testing.T, dsn string) (raw *sql.DB, bind func(string) string) {
	t.Helper()
	driver, bind := "sqlite3", func(q string) string { return q }
	if store.IsPostgres(dsn) {
		driver, bind = "pgx", func(q string) string {
			var b strings.Builder
			n := 0
			for _, r := range q {
				if r == '?' {
					n++
					fmt.Fprintf(&b, "$%d", n)
					continue
				}
				b.WriteRune(r)
			}
			return b.String()
		}
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw, bind
}

// The demo builds only in an empty database: a fresh one is taken, one
// holding a user or a region is refused (on PostgreSQL by the command
// too: --db postgres://... is a database that exists).
func TestDemoRefusesADatabaseThatIsNotEmpty(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t, "used.db")
	db := store.NewDB(dsn)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := demoEmpty(ctx, db); err != nil {
		t.Fatalf("a fresh database: %v", err)
	}
	if err := db.CreateUser(ctx, &skygrid.User{Name: "示例admin", Role: skygrid.RoleAdmin}, "x"); err != nil {
		t.Fatal(err)
	}
	if err := demoEmpty(ctx, db); err == nil || !strings.Contains(err.Error(), "not empty (0 regions, 1 users, 0 sites, 0 detections)") {
		t.Fatalf("a database with a user: %v", err)
	}
	want := "exists; the demo builds a fresh database" // a SQLite file that exists
	if storetest.Postgres() {
		want = "not empty (0 regions, 1 users"
	}
	m, _, _ := testMain()
	err := m.Run(ctx, []string{"demo", "--no-serve", "--db", dsn, "--data", t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("demo --db on a used database: %v, want %q", err, want)
	}
	if users, err := db.FindUsers(ctx); err != nil || len(users) != 1 {
		t.Errorf("the refused demo changed the users: %d (%v)", len(users), err)
	}
}
