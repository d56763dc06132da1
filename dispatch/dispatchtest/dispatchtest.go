// Package dispatchtest sets up the world the pipeline's tests and those of
// the packages around it (intake, demo) run in: a fresh SQLite store with
// an injected clock, the ten Datong counties of the embedded Tianditu data
// (and the power plants), and a pipeline with live-fire settings.
package dispatchtest

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"skygrid"
	"skygrid/data"
	"skygrid/detect"
	"skygrid/dispatch"
	"skygrid/internal/storetest"
	"skygrid/registry"
	"skygrid/store"
)

// Clock is the fixed start of the test clock: 1 November 2023, 04:00 UTC,
// after the October 2023 detections of the embedded data.
var Clock = time.Date(2023, 11, 1, 4, 0, 0, 0, time.UTC)

// Fixed is a clock that stays at Clock.
func Fixed() time.Time { return Clock }

// OpenDB opens a fresh SQLite file in a temp dir whose clock is now.
func OpenDB(tb testing.TB, now func() time.Time) *store.DB {
	tb.Helper()
	db := storetest.NewDB(tb, "skygrid.db")
	db.Now = now
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// LiveConfig is the default configuration with max_age at a year: the
// tests feed fixed October 2023 detections with the clock at 1 November
// and test what happens to live fires (history has its own tests, with
// the default max_age).
func LiveConfig() dispatch.Config {
	cfg := dispatch.DefaultConfig()
	cfg.Dispatch.MaxAge.Duration = 365 * 24 * time.Hour
	return cfg
}

// NewPipeline is a pipeline on db with LiveConfig and the clock now.
func NewPipeline(tb testing.TB, db *store.DB, now func() time.Time) *dispatch.Pipeline {
	tb.Helper()
	p, err := dispatch.New(db, LiveConfig())
	if err != nil {
		tb.Fatal(err)
	}
	p.Now = now
	return p
}

// ImportDatong imports the ten Tianditu counties (and, with plants, the
// power plants) from the embedded data.
func ImportDatong(tb testing.TB, db *store.DB, plants bool) []*skygrid.Region {
	tb.Helper()
	ctx := context.Background()
	f, err := data.FS.Open(data.Districts)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	regions, err := registry.ReadRegions(f, data.Districts, registry.RegionImport{Level: skygrid.LevelCounty,
		IDProp: "district_adcode", NameProp: "district_name", CRS: "cgcs2000"})
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.ImportRegions(ctx, regions); err != nil {
		tb.Fatal(err)
	}
	if plants {
		importPlants(tb, db)
	}
	return regions
}

// importPlants imports the power plants of WRI and GEO as heat sources.
func importPlants(tb testing.TB, db *store.DB) {
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
		if _, err := db.ImportSites(context.Background(), res.Sites, nil); err != nil {
			tb.Fatal(err)
		}
	}
}

// VIIRSHeader is the header of a FIRMS area-API VIIRS file.
const VIIRSHeader = "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight\n"

// Row is a made-up VIIRS detection at lat, lon (real layout, invented
// point) for a file under VIIRSHeader.
func Row(lat, lon float64, date, hhmm string) string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }
	return strings.Join([]string{f(lat), f(lon), "340", "0.4", "0.4", date, hhmm, "N20", "VIIRS", "n", "2.0NRT", "290", "8", "D"}, ",") + "\n"
}

// Loads is a pipeline's store that counts its context loads: the reads
// of every region with its outline (dispatch.Pipeline.LoadContext).
type Loads struct {
	*store.DB
	n atomic.Int32
}

// FindRegions counts a context load, then reads.
func (l *Loads) FindRegions(ctx context.Context, f skygrid.RegionFilter) ([]*skygrid.Region, int, error) {
	if f.WithGeometry && f.Neighbours {
		l.n.Add(1)
	}
	return l.DB.FindRegions(ctx, f)
}

// N is the number of context loads so far.
func (l *Loads) N() int { return int(l.n.Load()) }

// CountLoads makes p read db through a Loads and returns it.
func CountLoads(p *dispatch.Pipeline, db *store.DB) *Loads {
	l := &Loads{DB: db}
	p.Store = l
	return l
}
