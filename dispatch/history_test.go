package dispatch_test

import (
	"bytes"
	"context"
	"io/fs"
	"path"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/data"
	"skygrid/dispatch"
	"skygrid/geo"
	"skygrid/registry"

	"github.com/paulmach/orb"
)

// defaultPipeline is a pipeline with the default configuration (max_age
// 24 h) on the test clock.
func defaultPipeline(t *testing.T) (*dispatch.Pipeline, *testDB) {
	t.Helper()
	db := MustOpenDB(t)
	importDatong(t, db, false)
	addGrids(t, db)
	p, err := dispatch.New(db, dispatch.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	p.Now = func() time.Time { return testNow }
	return p, &testDB{db}
}

// A detection older than max_age opens a history event: no task, no
// deadline, no notification. A fresh detection joining it makes it live
// with its task, due from then; a fresh one elsewhere is live at once.
func TestHistoryEventsGetNoTaskUntilSeenAgain(t *testing.T) {
	p, db := defaultPipeline(t)
	ctx := context.Background()
	if err := db.AddChannel(ctx, &skygrid.Channel{RegionID: "140225", Kind: skygrid.ChannelWebhook, URL: "http://127.0.0.1:9/hook", Audience: "all"}); err != nil {
		t.Fatal(err)
	}
	// The clock: 1 November 04:00 UTC. 30 h before: 31 October 22:00 UTC.
	b1, err := p.Ingest(ctx, strings.NewReader(apiHeader+row(39.70, 113.70, "2023-10-30", "2200")), "old.csv", dispatch.IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	es := db.events(t)
	if b1.EventsNew != 1 || b1.TasksNew != 0 || b1.History != 1 || len(es) != 1 || !es[0].History || es[0].Task != nil {
		t.Fatalf("a detection 30 h old: %d events (%d history), %d tasks; %+v", b1.EventsNew, b1.History, b1.TasksNew, es)
	}
	if out, _ := db.FindOutbox(ctx, 10); len(out) != 0 {
		t.Errorf("a history event notified: %+v", out)
	}
	var hist bool = true
	if got, n, _ := db.FindEvents(ctx, skygrid.EventFilter{History: &hist}); n != 1 || got[0].ID != es[0].ID {
		t.Errorf("history filter: %d events", n)
	}
	// 11 h after its detection (within the cluster gap), 19 h before now:
	// a fresh detection 500 m away joins it and wakes it.
	b2, err := p.Ingest(ctx, strings.NewReader(apiHeader+row(39.7045, 113.70, "2023-10-31", "0900")), "fresh.csv", dispatch.IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	es = db.events(t)
	if b2.EventsNew != 0 || b2.EventsUpdated != 1 || b2.TasksNew != 1 || len(es) != 1 || es[0].History || es[0].Task == nil {
		t.Fatalf("a fresh detection on a history event: %d new, %d updated, %d tasks; %+v", b2.EventsNew, b2.EventsUpdated, b2.TasksNew, es[0])
	}
	if tk := es[0].Task; !tk.CreatedAt.Equal(testNow) || !tk.AckDue.Equal(testNow.Add(30*time.Minute)) || tk.State != skygrid.TaskDispatched {
		t.Errorf("the woken event's task: created %s, ack due %s, %s", tk.CreatedAt, tk.AckDue, tk.State)
	}
	if out, _ := db.FindOutbox(ctx, 10); len(out) != 1 || out[0].Event != skygrid.NotifyTaskCreated {
		t.Errorf("the woken event's task: %d notifications", len(out))
	}
	log, err := db.FindAudit(ctx, "event", "1", 10)
	if err != nil || !hasAction(log, "event.live") {
		t.Errorf("no event.live audit line: %v %+v", err, log)
	}
	// 23 h old: live.
	b3, err := p.Ingest(ctx, strings.NewReader(apiHeader+row(39.90, 113.60, "2023-10-31", "0500")), "23h.csv", dispatch.IngestOptions{})
	if err != nil || b3.TasksNew != 1 || b3.History != 0 {
		t.Fatalf("a detection 23 h old: %v, %d tasks, %d history", err, b3.TasksNew, b3.History)
	}
}

func hasAction(log []*skygrid.AuditEntry, action string) bool {
	for _, e := range log {
		if e.Action == action {
			return true
		}
	}
	return false
}

// The embedded October 2023 files back-filled today create no task; with
// the clock at the end of 31 October (Beijing) the last day's fires get
// tasks and the older ones are history.
func TestOctoberArchiveIsHistory(t *testing.T) {
	names, err := fs.Glob(data.FS, data.FIRMSOctober+"/*.csv")
	if err != nil || len(names) != 30 {
		t.Fatalf("%d files: %v", len(names), err)
	}
	endOfOctober := time.Date(2023, 10, 31, 23, 59, 0, 0, skygrid.Beijing)
	for _, tt := range []struct {
		name string
		now  time.Time
	}{
		{"2026", time.Date(2026, 3, 1, 9, 0, 0, 0, skygrid.Beijing)},
		{"end of 31 October", endOfOctober},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, db := defaultPipeline(t)
			testNow = tt.now
			var total skygrid.IngestBatch
			for _, name := range names {
				b, err := fs.ReadFile(data.FS, name)
				if err != nil {
					t.Fatal(err)
				}
				batch, err := p.Ingest(context.Background(), bytes.NewReader(b), path.Base(name), dispatch.IngestOptions{})
				if err != nil {
					t.Fatal(err)
				}
				total.AddCounts(batch)
			}
			stale := tt.now.Add(-24 * time.Hour)
			tasks, live, hist := 0, 0, 0
			for _, e := range db.events(t) {
				fresh := !e.LastSeen.Before(stale)
				if e.History == fresh {
					t.Errorf("event %d last seen %s: history %v at %s", e.ID, e.LastSeen, e.History, tt.now)
				}
				if e.Task != nil {
					tasks++
					if !fresh || e.CrossBorder {
						t.Errorf("event %d (last seen %s, cross-border %v) has a task", e.ID, e.LastSeen, e.CrossBorder)
					}
					if !e.Task.CreatedAt.Equal(tt.now.UTC().Truncate(time.Second)) {
						t.Errorf("task %d created %s", e.Task.ID, e.Task.CreatedAt)
					}
				} else if e.Live() {
					t.Errorf("live event %d has no task", e.ID)
				}
				if e.History {
					hist++
				} else {
					live++
				}
			}
			if total.TasksNew != tasks || total.History != hist {
				t.Errorf("batches: %d tasks, %d history; the store: %d, %d", total.TasksNew, total.History, tasks, hist)
			}
			if tt.now.Year() == 2026 && (tasks != 0 || live != 0 || hist < 400) {
				t.Errorf("back-filled in 2026: %d tasks, %d live, %d history events", tasks, live, hist)
			}
			if tt.now.Equal(endOfOctober) && (tasks < 10 || hist < 300) {
				t.Errorf("at the end of October: %d tasks, %d history events", tasks, hist)
			}
			t.Logf("%s: %d tasks, %d live events, %d history", tt.name, tasks, live, hist)
		})
	}
}

// Fires outside the city are cross-border: no task, the nearest county
// named with distance and direction, and the neighbouring county where
// its boundary is imported (a neighbour, which stays out of the city's
// regions and grids). A fire in the city but in no grid goes to the
// city's unassigned queue with a task.
func TestCrossBorderAndTheUnassignedQueue(t *testing.T) {
	db := MustOpenDB(t)
	importDatong(t, db, false)
	ctx := context.Background()
	// Grids for every county but 广灵县 (140223).
	grids, err := registry.GenerateGrids(ctx, db, 3000, []string{"140212", "140213", "140214", "140215", "140221", "140222", "140224", "140225", "140226"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ImportRegions(ctx, grids); err != nil {
		t.Fatal(err)
	}
	p := newPipeline(t, db)
	pc, err := p.LoadContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	far := findOutside(t, pc.Counties, 4000)
	guangling, err := db.FindRegionByID(ctx, "140223")
	if err != nil {
		t.Fatal(err)
	}
	inGuangling := geo.Centroid(guangling.Geometry)
	// A neighbouring county around the far fire, imported as such.
	imp := registry.Importer{Pipeline: p}
	nb := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"149901","name":"测试邻县"},"geometry":{"type":"Polygon","coordinates":[[` +
		ringJSON(geo.Rect(far, 6000, 6000)[0][0]) + `]]}}]}`
	rep, err := imp.Import(ctx, skygrid.ImportRequest{Kind: skygrid.ImportRegions, Name: "neighbour.geojson", Body: strings.NewReader(nb),
		Level: skygrid.LevelCounty, Neighbour: true})
	if err != nil || rep.Stored != 1 {
		t.Fatalf("import the neighbour: %v %+v", err, rep)
	}
	level := skygrid.LevelCounty
	if cs, n, _ := db.FindRegions(ctx, skygrid.RegionFilter{Level: &level}); n != 10 || hasRegion(cs, "149901") {
		t.Errorf("the city's counties: %d listed, neighbour among them %v", n, hasRegion(cs, "149901"))
	}
	if gs, _ := registry.GenerateGrids(ctx, db, 3000, nil); len(gs) == 0 || strings.HasPrefix(gs[len(gs)-1].ID, "149901") {
		t.Errorf("grids generated for the neighbour")
	}
	csv := apiHeader + row(far[1], far[0], "2023-10-31", "0530") + row(inGuangling[1], inGuangling[0], "2023-10-31", "0530")
	b, err := p.Ingest(ctx, strings.NewReader(csv), "border.csv", dispatch.IngestOptions{})
	if err != nil || b.EventsNew != 2 || b.TasksNew != 1 || b.CrossBorder != 1 {
		t.Fatalf("%v: %d events, %d tasks, %d cross-border", err, b.EventsNew, b.TasksNew, b.CrossBorder)
	}
	for _, e := range (&testDB{db}).events(t) {
		if geo.DistanceMeters(e.Point, far) < 1 {
			if !e.CrossBorder || e.Task != nil || e.NeighbourID != "149901" || e.Neighbour != "测试邻县" || e.NearCounty == "" ||
				!strings.HasPrefix(e.BorderNote(), "测试邻县（"+e.NearCounty) || !strings.HasSuffix(e.BorderNote(), "公里，市外）") {
				t.Errorf("the far fire: %+v, note %q", e, e.BorderNote())
			}
			continue
		}
		if e.CrossBorder || e.Task == nil || e.Task.GridID != "" || e.CountyID != "140223" || e.AssignedBy != geo.AssignNone {
			t.Errorf("the fire in 广灵县 (no grids): cross-border %v, county %q, task %+v", e.CrossBorder, e.CountyID, e.Task)
		}
	}
}

func hasRegion(rs []*skygrid.Region, id string) bool {
	for _, r := range rs {
		if r.ID == id {
			return true
		}
	}
	return false
}

func ringJSON(ring orb.Ring) string {
	var parts []string
	for _, p := range ring {
		parts = append(parts, "["+fmtFloat(p[0])+","+fmtFloat(p[1])+"]")
	}
	return strings.Join(parts, ",")
}

// The nearest county and the direction of a cross-border fire, in
// Chinese as the admins' list shows it.
func TestBorderNote(t *testing.T) {
	for _, tt := range []struct {
		name string
		e    skygrid.Event
		want string
	}{
		{"east", skygrid.Event{CrossBorder: true, NearCounty: "浑源县", NearMetres: 2130, NearDirection: skygrid.DirectionOf(91)}, "浑源县以东约2.1公里，市外"},
		{"north-east", skygrid.Event{CrossBorder: true, NearCounty: "天镇县", NearMetres: 800, NearDirection: skygrid.DirectionOf(40)}, "天镇县东北方约0.8公里，市外"},
		{"neighbour", skygrid.Event{CrossBorder: true, NearCounty: "灵丘县", NearMetres: 4020, NearDirection: skygrid.DirectionOf(182), Neighbour: "阜平县"},
			"阜平县（灵丘县以南约4.0公里，市外）"},
		{"no county known", skygrid.Event{CrossBorder: true}, "市外"},
		{"in the city", skygrid.Event{NearCounty: "浑源县"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.BorderNote(); got != tt.want {
				t.Errorf("%q, want %q", got, tt.want)
			}
		})
	}
	for b, want := range map[float64]string{0: "北", 359: "北", 22: "北", 23: "东北", 90: "东", 135: "东南", 180: "南", 225: "西南", 270: "西", 315: "西北", -45: "西北", 720: "北"} {
		if got := skygrid.DirectionOf(b); got != want {
			t.Errorf("DirectionOf(%v) = %s, want %s", b, got, want)
		}
	}
}
