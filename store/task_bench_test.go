package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"skygrid"
	"skygrid/store"

	"github.com/paulmach/orb"
)

// BenchmarkTaskList: the reviewers' list over a season of SYNTHETIC tasks
// (made up for the benchmark): 10 counties of 5 townships of 40 grids
// (2,000 grids), 30,000 tasks over 90 days, a third open, a third
// reported, a third closed. Each sub-benchmark is one page of 50 with its
// total, as GET /api/tasks asks for it.
func BenchmarkTaskList(b *testing.B) {
	db := store.NewDB(filepath.Join(b.TempDir(), "season.db"))
	now := time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var regions, grids []*skygrid.Region
	for c := 0; c < 10; c++ {
		county := &skygrid.Region{ID: fmt.Sprintf("1402%02d", 11+c), Name: fmt.Sprintf("示例县%d", c), Level: skygrid.LevelCounty,
			Geometry: square(113+float64(c)*0.3, 40, 0.14)}
		regions = append(regions, county)
		for t := 0; t < 5; t++ {
			town := &skygrid.Region{ID: fmt.Sprintf("%s%03d", county.ID, t), Name: fmt.Sprintf("示例县%d 乡%d", c, t), Level: skygrid.LevelTownship,
				ParentID: county.ID, Geometry: square(113+float64(c)*0.3, 39.9+float64(t)*0.05, 0.02)}
			regions = append(regions, town)
			for g := 0; g < 40; g++ {
				grid := &skygrid.Region{ID: fmt.Sprintf("%s-%03d-%03d", county.ID, t, g), Name: fmt.Sprintf("乡%d %d号网格", t, g), Level: skygrid.LevelGrid,
					ParentID: town.ID, Geometry: square(113+float64(c)*0.3+float64(g)*1e-3, 39.9+float64(t)*0.05, 4e-4)}
				grids = append(grids, grid)
			}
		}
	}
	if err := db.ImportRegions(ctx, append(regions, grids...)); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 30000
	states := []string{skygrid.TaskDispatched, skygrid.TaskReported, skygrid.TaskClosed}
	err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
		events := make([]*skygrid.Event, n)
		tasks := make([]*skygrid.Task, n)
		for i := range events {
			g := grids[rng.IntN(len(grids))]
			first := now.Add(-time.Duration(rng.IntN(90*24*60)) * time.Minute)
			events[i] = &skygrid.Event{ID: int64(i + 1), Class: skygrid.Classes[1+rng.IntN(len(skygrid.Classes)-1)], State: skygrid.EventOpen,
				FirstSeen: first, LastSeen: first, Point: orb.Point{113, 40}, HotspotCount: 1, GridID: g.ID, TownshipID: g.ParentID,
				CountyID: g.ParentID[:6], AssignedBy: "contains"}
			tasks[i] = &skygrid.Task{EventID: int64(i + 1), GridID: g.ID, State: states[i%3], AckDue: first.Add(30 * time.Minute), ReportDue: first.Add(time.Hour)}
		}
		if err := tx.SaveResult(ctx, &skygrid.IngestResult{Events: events}); err != nil {
			return err
		}
		return tx.SaveResult(ctx, &skygrid.IngestResult{NewTasks: tasks})
	})
	if err != nil {
		b.Fatal(err)
	}
	county := "140215"
	official := &skygrid.Scope{Regions: []string{county}}
	open := []string{skygrid.TaskDispatched, skygrid.TaskAcknowledged, skygrid.TaskReported}
	for _, bb := range []struct {
		name string
		f    skygrid.TaskFilter
	}{
		{"auditor open by deadline page 1", skygrid.TaskFilter{States: open, Sort: skygrid.TaskSortDeadline, Limit: 50}},
		{"auditor open by deadline page 200", skygrid.TaskFilter{States: open, Sort: skygrid.TaskSortDeadline, Limit: 50, Offset: 199 * 50}},
		{"auditor every task newest fire first", skygrid.TaskFilter{Sort: skygrid.TaskSortFirstSeen, Desc: true, Limit: 50}},
		{"auditor one county by place", skygrid.TaskFilter{CountyID: &county, Sort: skygrid.TaskSortPlace, Limit: 50}},
		{"official reported by deadline", skygrid.TaskFilter{Scope: official, State: ptr(skygrid.TaskReported), Sort: skygrid.TaskSortDeadline, Limit: 50}},
		{"official overdue", skygrid.TaskFilter{Scope: official, Overdue: &now, Sort: skygrid.TaskSortDeadline, Limit: 50}},
		{"official search a grid name", skygrid.TaskFilter{Scope: official, Query: "乡3 1", Sort: skygrid.TaskSortDeadline, Limit: 50}},
		{"auditor search a task id", skygrid.TaskFilter{Query: "#12345", Limit: 50}},
	} {
		b.Run(bb.name, func(b *testing.B) {
			total := 0
			for b.Loop() {
				_, t, err := db.FindTasks(ctx, bb.f)
				if err != nil {
					b.Fatal(err)
				}
				total = t
			}
			b.ReportMetric(float64(total), "matches")
		})
	}
}
