package dispatch_test

import (
	"context"
	"io/fs"
	"path"
	"path/filepath"
	"testing"
	"time"

	"skygrid"
	"skygrid/data"
	"skygrid/detect"
	"skygrid/dispatch"
	"skygrid/geo"
	"skygrid/store"

	"github.com/paulmach/orb"
)

// clock is a fixed test clock.
var clock = time.Date(2023, 11, 1, 4, 0, 0, 0, time.UTC)

// MustOpenDB opens a fresh SQLite file in a temp dir.
func MustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	db := store.NewDB(filepath.Join(tb.TempDir(), "skygrid.db"))
	db.Now = func() time.Time { return clock }
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func newPipeline(tb testing.TB, db *store.DB) *dispatch.Pipeline {
	tb.Helper()
	p, err := dispatch.New(db, dispatch.DefaultConfig())
	if err != nil {
		tb.Fatal(err)
	}
	p.Now = func() time.Time { return clock }
	return p
}

// importDatong imports the ten Tianditu counties (and, with plants, the
// power plants) from the embedded data.
func importDatong(tb testing.TB, db *store.DB, plants bool) []*skygrid.Region {
	tb.Helper()
	ctx := context.Background()
	f, err := data.FS.Open(data.Districts)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	regions, err := dispatch.ReadRegions(f, data.Districts, dispatch.RegionImport{Level: skygrid.LevelCounty,
		IDProp: "district_adcode", NameProp: "district_name", CRS: "cgcs2000"})
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.ImportRegions(ctx, regions); err != nil {
		tb.Fatal(err)
	}
	if plants {
		for _, name := range []string{data.PowerPlantsWRI, data.PowerPlantsGEO} {
			f, err := data.FS.Open(name)
			if err != nil {
				tb.Fatal(err)
			}
			res, err := detect.ReadHeatSources(f, name)
			f.Close()
			if err != nil {
				tb.Fatal(err)
			}
			if _, err := db.ImportSites(ctx, res.Sites); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return regions
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

func TestDebugPlaces(t *testing.T) {
	db := MustOpenDB(t)
	importDatong(t, db, true)
	p := newPipeline(t, db)
	ingestOctober(t, p)
	ctx := context.Background()
	hs, _, _ := db.FindHotspots(ctx, skygrid.HotspotFilter{})
	for _, h := range hs {
		if geo.DistanceMeters(h.Point, orb.Point{113.116, 39.984}) < 800 || geo.DistanceMeters(h.Point, orb.Point{113.1887, 39.9792}) < 1500 {
			t.Logf("%s %v %s %s ev=%d conf=%s d=%.0f/%.0f", h.AcqTime, h.Point, h.Status, h.StatusReason, h.EventID, h.Confidence, geo.DistanceMeters(h.Point, orb.Point{113.116, 39.984}), geo.DistanceMeters(h.Point, orb.Point{113.1887, 39.9792}))
		}
	}
}
