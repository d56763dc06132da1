package dispatch_test

import (
	"context"
	"io"
	"io/fs"
	"path"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/data"
	"skygrid/detect"
	"skygrid/dispatch"
	"skygrid/dispatch/dispatchtest"
	"skygrid/geo"
	"skygrid/store"

	"github.com/paulmach/orb"
)

// clock is the fixed start of the test clock; testNow is what both the
// store and the pipeline see (tests move it forward).
var (
	clock   = dispatchtest.Clock
	testNow = clock
)

// MustOpenDB opens a fresh SQLite file in a temp dir, its clock at testNow
// (reset to clock).
func MustOpenDB(tb testing.TB) *store.DB {
	testNow = clock
	return dispatchtest.OpenDB(tb, func() time.Time { return testNow })
}

func liveConfig() dispatch.Config { return dispatchtest.LiveConfig() }

func newPipeline(tb testing.TB, db *store.DB) *dispatch.Pipeline {
	return dispatchtest.NewPipeline(tb, db, func() time.Time { return testNow })
}

func importDatong(tb testing.TB, db *store.DB, plants bool) []*skygrid.Region {
	return dispatchtest.ImportDatong(tb, db, plants)
}

func ingestOctober(tb testing.TB, p *dispatch.Pipeline) []*skygrid.IngestBatch {
	tb.Helper()
	ctx := context.Background()
	names, err := fs.Glob(data.FS, data.FIRMSOctober+"/*.csv")
	if err != nil || len(names) != 30 { // 21 October is missing from the source
		tb.Fatalf("want 30 October files, got %d (%v)", len(names), err)
	}
	var out []*skygrid.IngestBatch
	for _, name := range names {
		f, err := data.FS.Open(name)
		if err != nil {
			tb.Fatal(err)
		}
		b, err := p.Ingest(ctx, f, path.Base(name), dispatch.IngestOptions{})
		f.Close()
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func TestOctoberCounts(t *testing.T) {
	db := MustOpenDB(t)
	regions := importDatong(t, db, true)
	p := newPipeline(t, db)
	batches := ingestOctober(t, p)
	ctx := context.Background()
	hs, n, err := db.FindHotspots(ctx, skygrid.HotspotFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ix := geo.NewIndex()
	names := map[string]string{}
	for _, r := range regions {
		ix.Add(r.ID, r.Geometry)
		names[r.ID] = r.Name
	}
	in := map[string]int{}
	total := 0
	for _, h := range hs {
		if id, ok := ix.Locate(h.Point); ok {
			in[names[id]]++
			total++
		}
	}
	var rows, newRows, dups, outside int
	for _, b := range batches {
		rows += b.Rows
		newRows += b.New
		dups += b.Duplicates
		outside += b.Outside
	}
	t.Logf("stored %d, rows %d new %d dup %d outside %d; in counties %d: %v", n, rows, newRows, dups, outside, total, in)
	if total != 765 {
		t.Errorf("distinct detections inside the ten counties: got %d, want 765", total)
	}
	if in["浑源县"] != 374 {
		t.Errorf("in 浑源县: got %d, want 374", in["浑源县"])
	}
}

// distinctInArea reads the October files independently of the pipeline
// (reader + a key set + the area test) and counts distinct detections.
func distinctInArea(tb testing.TB, regions []*skygrid.Region, margin float64) int {
	tb.Helper()
	ix := geo.NewIndex()
	for _, r := range regions {
		ix.Add(r.ID, r.Geometry)
	}
	names, _ := fs.Glob(data.FS, data.FIRMSOctober+"/*.csv")
	keys := map[skygrid.Key]bool{}
	for _, name := range names {
		f, _ := data.FS.Open(name)
		rd, err := detect.Open(f, name)
		if err != nil {
			tb.Fatal(err)
		}
		for {
			h, err := rd.Next()
			if err == io.EOF {
				break
			} else if err != nil {
				tb.Fatal(err)
			}
			if ix.Covers(h.Point, margin) {
				keys[h.Key()] = true
			}
		}
		f.Close()
	}
	return len(keys)
}

func TestOctoberStoredOnceAndReingestAddsNothing(t *testing.T) {
	db := MustOpenDB(t)
	regions := importDatong(t, db, true)
	p := newPipeline(t, db)
	ingestOctober(t, p)
	ctx := context.Background()
	_, stored, err := db.FindHotspots(ctx, skygrid.HotspotFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if want := distinctInArea(t, regions, 5000); stored != want {
		t.Errorf("stored %d hotspots, want %d distinct detections in the area", stored, want)
	}
	_, events, _ := db.FindEvents(ctx, skygrid.EventFilter{})
	_, tasks, _ := db.FindTasks(ctx, skygrid.TaskFilter{})
	for _, b := range ingestOctober(t, p) {
		if b.New != 0 || b.EventsNew != 0 || b.TasksNew != 0 || b.Duplicates != b.Rows-b.Outside {
			t.Errorf("%s again: %d new, %d events, %d tasks, %d duplicates of %d rows", b.File, b.New, b.EventsNew, b.TasksNew, b.Duplicates, b.Rows-b.Outside)
		}
	}
	_, stored2, _ := db.FindHotspots(ctx, skygrid.HotspotFilter{})
	_, events2, _ := db.FindEvents(ctx, skygrid.EventFilter{})
	_, tasks2, _ := db.FindTasks(ctx, skygrid.TaskFilter{})
	if stored2 != stored || events2 != events || tasks2 != tasks {
		t.Errorf("second ingest changed counts: hotspots %d->%d, events %d->%d, tasks %d->%d", stored, stored2, events, events2, tasks, tasks2)
	}
}

// The place near 39.984 N, 113.116 E is seen almost every night of
// October 2023: a persistent heat source. Once the persistence rule is met
// no new task is made there, and the place ends as industrial heat.
func TestPersistentHeatSource39984N113116E(t *testing.T) {
	db := MustOpenDB(t)
	importDatong(t, db, true)
	p := newPipeline(t, db)
	ingestOctober(t, p)
	ctx := context.Background()
	place := orb.Point{113.116, 39.984}
	hs, _, err := db.FindHotspots(ctx, skygrid.HotspotFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var ruleMet time.Time
	nights := map[string]bool{}
	n := 0
	for i := len(hs) - 1; i >= 0; i-- { // oldest first
		h := hs[i]
		if geo.DistanceMeters(h.Point, place) > 400 {
			continue
		}
		n++
		if h.DayNight == "N" {
			nights[h.AcqTime.Format("2006-01-02")] = true
		}
		if ruleMet.IsZero() && h.Status == skygrid.StatusStatic && strings.Contains(h.StatusReason, "persistent heat") {
			ruleMet = h.AcqTime
		}
	}
	t.Logf("%d detections within 400 m on %d nights; persistence rule met at %s", n, len(nights), ruleMet)
	if n < 16 || len(nights) < 14 {
		t.Fatalf("want at least 16 detections on 14 nights, got %d on %d", n, len(nights))
	}
	if ruleMet.IsZero() {
		t.Fatal("the persistence rule never fired")
	}
	es, _, err := db.FindEvents(ctx, skygrid.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var last *skygrid.Event
	for _, e := range es {
		if geo.DistanceMeters(e.Point, place) > 1000 {
			continue
		}
		if !e.FirstSeen.Before(ruleMet) && e.Task != nil {
			t.Errorf("event %d (%s, first seen %s) got task %d after the rule was met", e.ID, e.Class, e.FirstSeen, e.Task.ID)
		}
		if last == nil || e.FirstSeen.After(last.FirstSeen) {
			last = e
		}
	}
	if last == nil || last.Class != skygrid.ClassIndustrialHeat || last.Task != nil {
		t.Errorf("the last event there is %+v, want industrial heat without a task", last)
	}
}

// Detections within 1 km of the Tongmei Tashan coal power station
// (39.9792 N, 113.1887 E) never make a task.
func TestTongmeiTashanPowerStationNeverMakesATask(t *testing.T) {
	db := MustOpenDB(t)
	importDatong(t, db, true)
	p := newPipeline(t, db)
	ingestOctober(t, p)
	ctx := context.Background()
	plant := orb.Point{113.1887, 39.9792}
	hs, _, _ := db.FindHotspots(ctx, skygrid.HotspotFilter{})
	near := 0
	for _, h := range hs {
		if geo.DistanceMeters(h.Point, plant) > 1000 {
			continue
		}
		near++
		if h.Status != skygrid.StatusStatic && h.Status != skygrid.StatusLowConfidence {
			t.Errorf("hotspot %d at %v, %.0f m from the plant: status %s", h.ID, h.Point, geo.DistanceMeters(h.Point, plant), h.Status)
		}
		if h.EventID > 0 {
			e, err := db.FindEventByID(ctx, h.EventID)
			if err != nil {
				t.Fatal(err)
			}
			if e.Task != nil || e.Class != skygrid.ClassIndustrialHeat {
				t.Errorf("event %d near the plant: class %s, task %v", e.ID, e.Class, e.Task)
			}
		}
	}
	if near == 0 {
		t.Fatal("no detections near the plant: the test proves nothing")
	}
	t.Logf("%d real detections within 1 km of the plant, none dispatched", near)

	// Every real detection within 1 km of any known plant is static heat.
	sites, _, _ := db.FindSites(ctx, skygrid.SiteFilter{})
	nearAny := 0
	for _, h := range hs {
		for _, s := range sites {
			if geo.DistanceMeters(h.Point, s.Geometry.(orb.Point)) <= 1000 {
				nearAny++
				if h.Status == skygrid.StatusFire {
					t.Errorf("hotspot %d is %.0f m from %s but is a fire", h.ID, geo.DistanceMeters(h.Point, s.Geometry.(orb.Point)), s.Name)
				}
				break
			}
		}
	}
	t.Logf("%d real detections within 1 km of a known plant", nearAny)

	// Made-up detections (not real data) 200, 600 and 950 m from the plant,
	// high confidence, in the FIRMS API layout: no task.
	_, before, _ := db.FindTasks(ctx, skygrid.TaskFilter{})
	csv := "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight\n" +
		"39.9810,113.1887,340,0.4,0.4,2023-11-02,0530,N20,VIIRS,h,2.0NRT,290,12,D\n" +
		"39.9846,113.1887,340,0.4,0.4,2023-11-02,0530,N20,VIIRS,h,2.0NRT,290,12,D\n" +
		"39.9792,113.1998,340,0.4,0.4,2023-11-02,0530,N20,VIIRS,h,2.0NRT,290,12,D\n"
	b, err := p.Ingest(ctx, strings.NewReader(csv), "made-up-near-tashan.csv", dispatch.IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, after, _ := db.FindTasks(ctx, skygrid.TaskFilter{})
	if b.New != 3 || b.Static != 3 || b.TasksNew != 0 || after != before {
		t.Errorf("made-up detections near the plant: %d new, %d static, %d tasks (tasks %d -> %d)", b.New, b.Static, b.TasksNew, before, after)
	}
}

// hotspots.batch_id and event_id have no foreign keys (for ingest speed):
// the pipeline must never leave one pointing nowhere.
func TestHotspotReferencesHold(t *testing.T) {
	db := MustOpenDB(t)
	importDatong(t, db, true)
	p := newPipeline(t, db)
	ingestOctober(t, p)
	orphans, err := db.OrphanHotspots(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Errorf("%d hotspots name a missing batch or event", orphans)
	}
}
