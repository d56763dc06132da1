package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"skygrid"
	"skygrid/store"

	"github.com/paulmach/orb"
)

// BenchmarkStatsYear: a year of SYNTHETIC data (made up for the
// benchmark) in a SQLite file: 10 counties, 40,000 events over 2023 with
// 1,000,000 hotspots between them, 36,000 tasks, two thirds acknowledged
// and half reported. Statistics for the whole year and for one month, by
// county, each with the same period a year before. Target: under 200 ms.
func BenchmarkStatsYear(b *testing.B) {
	dir := b.TempDir()
	if d := os.Getenv("SKYGRID_BENCH_DIR"); d != "" {
		dir = d // keep the database to look at it
	}
	db := store.NewDB(filepath.Join(dir, "year.db"))
	db.Now = func() time.Time { return time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC) }
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var counties []*skygrid.Region
	for i := 0; i < 10; i++ {
		counties = append(counties, &skygrid.Region{ID: fmt.Sprintf("1402%02d", 11+i), Name: fmt.Sprintf("县%d", i), Level: skygrid.LevelCounty,
			Geometry: square(113+float64(i)*0.2, 40, 0.09), AreaKm2: 300})
	}
	if err := db.ImportRegions(ctx, counties); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	const nEvents, nHotspots = 40000, 1000000
	err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
		batch := &skygrid.IngestBatch{File: "SYNTHETIC year", Format: "firms-viirs"}
		if err := tx.BeginBatch(ctx, batch); err != nil {
			return err
		}
		events := make([]*skygrid.Event, nEvents)
		for i := range events {
			c := counties[rng.IntN(len(counties))]
			first := t0.Add(time.Duration(rng.IntN(365*24*60)) * time.Minute)
			events[i] = &skygrid.Event{ID: int64(i + 1), Class: skygrid.Classes[rng.IntN(len(skygrid.Classes))], State: skygrid.EventOpen,
				FirstSeen: first, LastSeen: first.Add(time.Hour), Point: c.Geometry.Bound().Center(), HotspotCount: nHotspots / nEvents,
				CountyID: c.ID, AssignedBy: "none"}
		}
		if err := tx.SaveResult(ctx, &skygrid.IngestResult{Events: events}); err != nil {
			return err
		}
		var tasks []*skygrid.Task
		for _, e := range events {
			if skygrid.Dispatched(e.Class) && len(tasks) < 36000 {
				tasks = append(tasks, &skygrid.Task{EventID: e.ID, State: skygrid.TaskDispatched, AckDue: e.FirstSeen.Add(30 * time.Minute),
					ReportDue: e.FirstSeen.Add(time.Hour)})
			}
		}
		if err := tx.SaveResult(ctx, &skygrid.IngestResult{NewTasks: tasks}); err != nil {
			return err
		}
		hs := make([]*skygrid.Hotspot, 0, 10000)
		for i := 0; i < nHotspots; i++ {
			e := events[i%nEvents]
			hs = append(hs, &skygrid.Hotspot{Source: "VIIRS", Satellite: "N20", AcqTime: e.FirstSeen.Add(time.Duration(i/nEvents) * time.Minute),
				Point: orb.Point{e.Point[0] + float64(i%97)*1e-4, e.Point[1] + float64(i%89)*1e-4}, Confidence: "n", Type: -1,
				BatchID: batch.ID, Status: skygrid.StatusFire, EventID: e.ID})
			if len(hs) == cap(hs) {
				if _, err := skygrid.WriteHotspots(ctx, tx, hs); err != nil {
					return err
				}
				hs = hs[:0]
			}
		}
		return tx.FinishBatch(ctx, batch)
	})
	if err != nil {
		b.Fatal(err)
	}
	// Two thirds acknowledged, half reported, with findings.
	if err := db.ExecForTest(ctx, `UPDATE tasks SET state = 'acknowledged', acknowledged_at = strftime('%Y-%m-%dT%H:%M:%SZ', ack_due, '-' || (id % 40) || ' minutes') WHERE id % 3 <> 0`); err != nil {
		b.Fatal(err)
	}
	if err := db.ExecForTest(ctx, `UPDATE tasks SET state = 'closed', finding = CASE id % 4 WHEN 0 THEN 'straw_burning' WHEN 1 THEN 'false_alarm' ELSE 'open_burning' END,
		reported_at = strftime('%Y-%m-%dT%H:%M:%SZ', report_due, printf('%+d minutes', id % 50 - 25)) WHERE id % 2 = 0 AND id % 3 <> 0`); err != nil {
		b.Fatal(err)
	}
	_, n, _ := db.FindHotspots(ctx, skygrid.HotspotFilter{Limit: 1})
	b.Logf("%d hotspots, %d events stored", n, nEvents)
	// An official sees only their county.
	county := &skygrid.Scope{Regions: []string{"140211"}}
	for _, tc := range []struct {
		name         string
		since, until time.Time
		scope        *skygrid.Scope
		by           string
	}{
		{"year", t0, t0.AddDate(1, 0, 0), nil, ""},
		{"month", time.Date(2023, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2023, 11, 1, 0, 0, 0, 0, time.UTC), nil, ""},
		{"year-one-county-scope", t0, t0.AddDate(1, 0, 0), county, ""},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				st, err := db.Stats(ctx, skygrid.StatsQuery{Since: tc.since, Until: tc.until, Scope: tc.scope, By: tc.by})
				if err != nil {
					b.Fatal(err)
				}
				if st.Total.Events == 0 || st.Total.AckMedianMin == nil {
					b.Fatalf("empty stats %+v", st.Total)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/stats")
		})
	}
	// The audit page's charts (/api/stats/series): the year's events by
	// day and class, response minutes, confirmed burning.
	b.Run("year-series", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			se, err := db.Series(ctx, skygrid.StatsQuery{Since: t0, Until: t0.AddDate(1, 0, 0)})
			if err != nil {
				b.Fatal(err)
			}
			if len(se.Days) != 365 || len(se.Confirmed) == 0 || len(se.ReportMinutes) == 0 {
				b.Fatalf("%d days, %d confirmed, %d report times", len(se.Days), len(se.Confirmed), len(se.ReportMinutes))
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/series")
	})
}
