package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/dispatch"
	"skygrid/dispatch/dispatchtest"
	"skygrid/geo"
	"skygrid/registry"
	"skygrid/store"

	"github.com/paulmach/orb"
)

// Inline files in this test are made up (real layout, invented points).
const apiHeader = dispatchtest.VIIRSHeader

func row(lat, lon float64, date, hhmm string) string { return dispatchtest.Row(lat, lon, date, hhmm) }

// withGrids imports the counties and generated 3 km grids with one
// supervisor each.
// addGrids generates the 3 km grids of the imported counties and gives
// each a supervisor.
func addGrids(tb testing.TB, db *store.DB) {
	tb.Helper()
	ctx := context.Background()
	grids, err := registry.GenerateGrids(ctx, db, 3000, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.ImportRegions(ctx, grids); err != nil {
		tb.Fatal(err)
	}
	var sups []*skygrid.Supervisor
	for i, g := range grids {
		sups = append(sups, &skygrid.Supervisor{GridID: g.ID, Name: "sup " + g.ID, Phone: fmtFloat(float64(i))})
	}
	if err := db.ImportSupervisors(ctx, sups); err != nil {
		tb.Fatal(err)
	}
}

func withGrids(t *testing.T) (*dispatch.Pipeline, func() []*skygrid.Task) {
	t.Helper()
	db := MustOpenDB(t)
	importDatong(t, db, false)
	addGrids(t, db)
	ctx := context.Background()
	tasks := func() []*skygrid.Task {
		ts, _, err := db.FindTasks(ctx, skygrid.TaskFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	return newPipeline(t, db), tasks
}

func TestJoiningAnOpenEventUpdatesItsTask(t *testing.T) {
	p, tasks := withGrids(t)
	ctx := context.Background()
	// A fire in Hunyuan, then two more detections 600 m and 1.1 km (chained) away, 3 h later.
	b1, err := p.Ingest(ctx, strings.NewReader(apiHeader+row(39.70, 113.70, "2023-10-24", "0530")), "first.csv", dispatch.IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ts := tasks()
	if b1.EventsNew != 1 || b1.TasksNew != 1 || len(ts) != 1 {
		t.Fatalf("first file: %d events, %d tasks", b1.EventsNew, b1.TasksNew)
	}
	first := ts[0]
	testNow = clock.Add(3 * time.Hour)
	b2, err := p.Ingest(ctx, strings.NewReader(apiHeader+row(39.7054, 113.70, "2023-10-24", "0830")+row(39.7099, 113.70, "2023-10-24", "0830")), "second.csv", dispatch.IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ts = tasks()
	if b2.EventsNew != 0 || b2.EventsUpdated != 1 || b2.TasksNew != 0 || len(ts) != 1 {
		t.Fatalf("second file: %d new events, %d updated, %d new tasks, %d tasks in all", b2.EventsNew, b2.EventsUpdated, b2.TasksNew, len(ts))
	}
	if !ts[0].UpdatedAt.After(first.UpdatedAt) || ts[0].ID != first.ID {
		t.Errorf("task not updated: %+v then %+v", first, ts[0])
	}
	e, err := p.Store.(interface {
		FindEventByID(context.Context, int64) (*skygrid.Event, error)
	}).FindEventByID(ctx, ts[0].EventID)
	if err != nil {
		t.Fatal(err)
	}
	if e.HotspotCount != 3 || len(e.Hotspots) != 3 || e.Task == nil || e.Task.ID != first.ID {
		t.Errorf("event: %d hotspots, task %+v", e.HotspotCount, e.Task)
	}
	// 13 h later at the same place: a new fire, a new task.
	b3, err := p.Ingest(ctx, strings.NewReader(apiHeader+row(39.70, 113.70, "2023-10-24", "2200")), "third.csv", dispatch.IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if b3.EventsNew != 1 || b3.TasksNew != 1 || len(tasks()) != 2 {
		t.Errorf("13 h later: %d new events, %d new tasks", b3.EventsNew, b3.TasksNew)
	}
}

func TestAssignment(t *testing.T) {
	p, tasks := withGrids(t)
	ctx := context.Background()
	pc, err := p.LoadContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Points found from the real county outline: one inside 浑源县, one
	// 300 m outside the city, one 3 km outside (in the 5 km margin).
	inside := orb.Point{113.70, 39.70}
	edge := findOutside(t, pc.Counties, 300)
	far := findOutside(t, pc.Counties, 3000)
	csv := apiHeader + row(inside[1], inside[0], "2023-10-24", "0530") + row(edge[1], edge[0], "2023-10-25", "0530") + row(far[1], far[0], "2023-10-26", "0530")
	b, err := p.Ingest(ctx, strings.NewReader(csv), "assign.csv", dispatch.IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The fire 3 km outside the city is cross-border: kept, no task.
	if b.New != 3 || b.EventsNew != 3 || b.TasksNew != 2 || b.CrossBorder != 1 {
		t.Fatalf("%d new, %d events, %d tasks, %d cross-border", b.New, b.EventsNew, b.TasksNew, b.CrossBorder)
	}
	byEvent := map[int64]*skygrid.Task{}
	for _, tk := range tasks() {
		byEvent[tk.EventID] = tk
	}
	es, _, _ := p.Store.(interface {
		FindEvents(context.Context, skygrid.EventFilter) ([]*skygrid.Event, int, error)
	}).FindEvents(ctx, skygrid.EventFilter{})
	got := map[string]*skygrid.Event{}
	for _, e := range es {
		for name, p := range map[string]orb.Point{"inside": inside, "edge": edge, "far": far} {
			if geo.DistanceMeters(e.Point, p) < 1 {
				got[name] = e
			}
		}
	}
	for _, tt := range []struct {
		name, how string
		grid      bool
	}{
		{"inside", geo.AssignContains, true},
		{"edge", geo.AssignNearest, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := got[tt.name]
			if e == nil {
				t.Fatal("event missing")
			}
			tk := byEvent[e.ID]
			if e.AssignedBy != tt.how || (e.GridID != "") != tt.grid || tk == nil || e.CrossBorder {
				t.Fatalf("assigned %s to %q (cross-border %v), task %+v", e.AssignedBy, e.GridID, e.CrossBorder, tk)
			}
			if tt.grid && (tk.SupervisorName != "sup "+e.GridID || tk.GridID != e.GridID || e.CountyID == "") {
				t.Errorf("task %+v, event county %q", tk, e.CountyID)
			}
			if !tt.grid && (tk.SupervisorID != 0 || tk.GridID != "") {
				t.Errorf("an unassigned event's task has a supervisor: %+v", tk)
			}
			if !tk.AckDue.Equal(clock.Add(30*time.Minute)) || !tk.ReportDue.Equal(clock.Add(60*time.Minute)) {
				t.Errorf("due %s / %s", tk.AckDue, tk.ReportDue)
			}
		})
	}
	t.Run("far", func(t *testing.T) {
		e := got["far"]
		if e == nil {
			t.Fatal("event missing")
		}
		if !e.CrossBorder || byEvent[e.ID] != nil || e.GridID != "" || e.CountyID != "" || e.AssignedBy != geo.AssignNone {
			t.Fatalf("3 km outside the city: cross-border %v, grid %q, county %q, task %+v", e.CrossBorder, e.GridID, e.CountyID, byEvent[e.ID])
		}
		if e.NearCountyID == "" || e.NearCounty == "" || math.Abs(e.NearMetres-3000) > 60 || !slices.Contains(skygrid.Directions, e.NearDirection) {
			t.Errorf("near %s %s %.0f m %s", e.NearCountyID, e.NearCounty, e.NearMetres, e.NearDirection)
		}
	})
}

// findOutside returns a point due south of a county vertex at about metres
// outside every county.
func findOutside(t *testing.T, ix *geo.Index, metres float64) orb.Point {
	t.Helper()
	b := ix.Bound()
	dLat, _ := geo.DegreesFor(1, 40)
	for lon := b.Min[0] + 0.2; lon < b.Max[0]; lon += 0.01 {
		// walk north from below the box until within metres of a county
		for lat := b.Min[1] - 0.2; lat < b.Max[1]; lat += 10 * dLat {
			p := orb.Point{lon, lat}
			if _, d, ok := ix.Nearest(p, metres+20); ok && d > metres-20 && d <= metres+20 {
				if _, in := ix.Locate(p); !in {
					return p
				}
			}
		}
	}
	t.Fatal("no point found")
	return orb.Point{}
}

// failingReader fails after n bytes, like a disk or network error halfway.
type failingReader struct {
	r io.Reader
	n int
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("read error: connection reset")
	}
	if len(p) > f.n {
		p = p[:f.n]
	}
	n, err := f.r.Read(p)
	f.n -= n
	return n, err
}

func TestFailedFileLeavesNothing(t *testing.T) {
	p, tasks := withGrids(t)
	ctx := context.Background()
	var b strings.Builder
	b.WriteString(apiHeader)
	for i := 0; i < 20000; i++ {
		b.WriteString(row(39.5+float64(i%100)*0.003, 113.5+float64(i/100)*0.003, "2023-10-24", "0530"))
	}
	in := b.String()
	_, err := p.Ingest(ctx, &failingReader{r: strings.NewReader(in), n: len(in) / 2}, "half.csv", dispatch.IngestOptions{})
	if err == nil || !strings.Contains(err.Error(), "half.csv") || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("got %v", err)
	}
	st := p.Store.(interface {
		FindHotspots(context.Context, skygrid.HotspotFilter) ([]*skygrid.Hotspot, int, error)
	})
	if _, n, _ := st.FindHotspots(ctx, skygrid.HotspotFilter{}); n != 0 {
		t.Errorf("%d hotspots stored from a failed file", n)
	}
	if bs, _ := p.Store.FindBatches(ctx, 10); len(bs) != 0 || len(tasks()) != 0 {
		t.Errorf("batches %v, tasks %d after a failed file", bs, len(tasks()))
	}
	// Not a fire file: refused whole.
	if _, err := p.Ingest(ctx, strings.NewReader(`{"type":"FeatureCollection"}`), "x.geojson", dispatch.IngestOptions{}); skygrid.ErrorCode(err) != skygrid.EINVALID {
		t.Errorf("got %v", err)
	}
	// The same file complete goes in whole.
	batch, err := p.Ingest(ctx, strings.NewReader(in), "whole.csv", dispatch.IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, n, _ := st.FindHotspots(ctx, skygrid.HotspotFilter{}); n != 20000 || batch.New != 20000 {
		t.Errorf("stored %d, batch says %d new", n, batch.New)
	}
}

// Every real layout goes through the whole pipeline (no regions imported:
// every row is kept); the cut-off file loses only its last line; a file
// that is not a fire file is refused whole.
func TestIngestEveryLayout(t *testing.T) {
	for _, tt := range []struct {
		file                      string
		format                    string
		rows, new, dups, rejected int
	}{
		{"firms/airborne-surge_nasa-firms-data__MODIS_C6_1_Global_24h.csv", "firms-modis", 24, 24, 0, 0},
		{"firms/akarazeev_FirefighterBot__MODIS_C6_Russia_and_Asia_24h.csv", "firms-modis", 24, 24, 0, 0},
		{"firms/antweer_emberalert__MODIS_C6_Global_24h__58af355.csv", "firms-modis", 24, 24, 0, 0},
		{"firms/chicodias_hackaton_nasa__fire_nrt_J1V-C2_157510.csv", "firms-viirs", 24, 24, 0, 0},
		{"firms/chicodias_hackaton_nasa__fire_nrt_M6_157509.csv", "firms-modis", 24, 24, 0, 0},
		{"firms/zixunn_test__0518MODIS_C6_1_Global_24h__b3e6cec.csv", "firms-modis", 24, 24, 0, 0},
		{"firms/zixunn_test__MODIS_C6_1_Global_7d.csv", "firms-modis", 24, 24, 0, 0},
		{"firms/ZaharAmbrozyak_mapping-global-data-sets__world_fires_1_day.csv", "firms-modis", 25, 24, 0, 1},
		{"firms/R_write_csv__J1_VIIRS_C2_Russia_Asia_24h__2023-10-01.csv", "firms-viirs", 24, 24, 0, 0},
		{"firms/api_area_VIIRS_NOAA20_NRT.csv", "firms-viirs", 12, 12, 0, 0},
		{"firms/api_country_VIIRS_NOAA20_NRT_CHN.csv", "firms-viirs", 12, 0, 12, 0}, // the same 12 rows as the area file
		{"himawari/odin-rs__H09_20251209_1900_L2WLF010_FLDK.06001_06001.csv", "himawari-wlf", 212, 212, 0, 0},
	} {
		t.Run(tt.file, func(t *testing.T) {
			db := MustOpenDB(t)
			p := newPipeline(t, db)
			ctx := context.Background()
			if strings.Contains(tt.file, "api_country") {
				if _, err := p.IngestFile(ctx, "../detect/testdata/firms/api_area_VIIRS_NOAA20_NRT.csv", dispatch.IngestOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			b, err := p.IngestFile(ctx, "../detect/testdata/"+tt.file, dispatch.IngestOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if b.Format != tt.format || b.Rows != tt.rows || b.New != tt.new || b.Duplicates != tt.dups || b.Rejected != tt.rejected ||
				len(b.Errors) != tt.rejected || b.Outside != 0 {
				t.Errorf("%s: %d rows, %d new, %d duplicates, %d rejected (%v); want %s %d %d %d %d",
					b.Format, b.Rows, b.New, b.Duplicates, b.Rejected, b.Errors, tt.format, tt.rows, tt.new, tt.dups, tt.rejected)
			}
			if b.LowConfidence+b.Static > b.New || (b.New > 0 && b.EventsNew == 0 && b.LowConfidence+b.Static < b.New) {
				t.Errorf("detect: %d low, %d static, %d events of %d new", b.LowConfidence, b.Static, b.EventsNew, b.New)
			}
		})
	}
	db := MustOpenDB(t)
	p := newPipeline(t, db)
	_, err := p.IngestFile(context.Background(), "../data/heat_sources/gppd_geodb_china_shanxi_bbox.csv", dispatch.IngestOptions{})
	if skygrid.ErrorCode(err) != skygrid.EINVALID || !strings.Contains(err.Error(), "gppd_geodb_china_shanxi_bbox.csv: not a fire file: the header has no acq_date, acq_time column") {
		t.Errorf("got %v", err)
	}
}

// A file large enough to be read in two halves gives the same counts, row
// errors with their true line numbers, and progress up to its size.
func TestIngestLargeFileInHalves(t *testing.T) {
	db := MustOpenDB(t)
	p := newPipeline(t, db)
	path := t.TempDir() + "/big.csv"
	var b strings.Builder
	b.WriteString(apiHeader)
	lines := 1
	for b.Len() < 17<<20 {
		lines++
		if lines == 150000 {
			b.WriteString("40.1,113.1,330,0.4,0.4,2023-10-24,0536,N20,VIIRS,maybe,2.0NRT,290,3.1,D\n")
			continue
		}
		i := lines
		b.WriteString(row(30+float64(i%2000)*0.01, 100+float64(i/2000)*0.01, "2023-10-24", fmt.Sprintf("%02d%02d", (i/60)%24, i%60)))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var last int64
	bt, err := p.IngestFile(context.Background(), path, dispatch.IngestOptions{Progress: func(n int64) { last = n }})
	if err != nil {
		t.Fatal(err)
	}
	if bt.Rows != lines-1 || bt.Rejected != 1 || len(bt.Errors) != 1 || bt.Errors[0].Line != 150000 || bt.Errors[0].Field != "confidence" {
		t.Errorf("%d rows (want %d), %d rejected, errors %v", bt.Rows, lines-1, bt.Rejected, bt.Errors)
	}
	if bt.New+bt.Duplicates != bt.Rows-bt.Rejected {
		t.Errorf("new %d + duplicates %d != %d rows read", bt.New, bt.Duplicates, bt.Rows-bt.Rejected)
	}
	if fi, _ := os.Stat(path); last != fi.Size()+int64(len(apiHeader)) && last != fi.Size() {
		t.Errorf("progress ended at %d of %d bytes", last, fi.Size())
	}
}
