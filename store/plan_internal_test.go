package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skygrid"

	"github.com/paulmach/orb"
)

// seasonDB is a database of a season's size, SYNTHETIC (made up for the
// test): 10 counties of 5 townships of 40 grids, 30,000 events with their
// tasks over 90 days and 60,000 hotspots.
func seasonDB(t *testing.T) *DB {
	t.Helper()
	db := NewDB(filepath.Join(t.TempDir(), "season.db"))
	now := time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	sq := func(lon, lat, h float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{lon - h, lat - h}, {lon + h, lat - h}, {lon + h, lat + h}, {lon - h, lat + h}, {lon - h, lat - h}}}}
	}
	var regions, grids []*skygrid.Region
	for c := 0; c < 10; c++ {
		county := &skygrid.Region{ID: fmt.Sprintf("1402%02d", 11+c), Name: fmt.Sprintf("示例县%d", c), Level: skygrid.LevelCounty, Geometry: sq(113+float64(c)*0.3, 40, 0.14)}
		regions = append(regions, county)
		for w := 0; w < 5; w++ {
			town := &skygrid.Region{ID: fmt.Sprintf("%s%03d", county.ID, w), Name: fmt.Sprintf("示例乡%d", w), Level: skygrid.LevelTownship, ParentID: county.ID,
				Geometry: sq(113+float64(c)*0.3, 39.9+float64(w)*0.05, 0.02)}
			regions = append(regions, town)
			for g := 0; g < 40; g++ {
				grids = append(grids, &skygrid.Region{ID: fmt.Sprintf("%s-%03d-%03d", county.ID, w, g), Name: fmt.Sprintf("示例网格%d", g), Level: skygrid.LevelGrid,
					ParentID: town.ID, Geometry: sq(113+float64(c)*0.3+float64(g)*1e-3, 39.9+float64(w)*0.05, 4e-4)})
			}
		}
	}
	if err := db.ImportRegions(ctx, append(regions, grids...)); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
		b := &skygrid.IngestBatch{File: "SYNTHETIC.csv", Format: "test"}
		if err := tx.BeginBatch(ctx, b); err != nil {
			return err
		}
		const n = 30000
		events, tasks := make([]*skygrid.Event, n), make([]*skygrid.Task, n)
		var hs []*skygrid.Hotspot
		for i := range events {
			g := grids[rng.IntN(len(grids))]
			first := now.Add(-time.Duration(rng.IntN(90*24*60)) * time.Minute)
			events[i] = &skygrid.Event{ID: int64(i + 1), Class: skygrid.Classes[1+rng.IntN(len(skygrid.Classes)-1)], State: skygrid.EventOpen,
				FirstSeen: first, LastSeen: first, Point: orb.Point{113, 40}, HotspotCount: 2, GridID: g.ID, TownshipID: g.ParentID,
				CountyID: g.ParentID[:6], AssignedBy: "contains"}
			tasks[i] = &skygrid.Task{EventID: int64(i + 1), GridID: g.ID, State: skygrid.TaskStates[i%4], AckDue: first.Add(30 * time.Minute), ReportDue: first.Add(time.Hour)}
			for k := 0; k < 2; k++ {
				hs = append(hs, &skygrid.Hotspot{Source: "test", Satellite: "N20", AcqTime: first.Add(time.Duration(k) * time.Minute),
					Point: orb.Point{113 + rng.Float64(), 40 + rng.Float64()*0.1}, Confidence: "n", Status: skygrid.StatusFire, BatchID: b.ID, EventID: int64(i + 1)})
			}
		}
		if err := tx.SaveResult(ctx, &skygrid.IngestResult{Events: events}); err != nil {
			return err
		}
		if err := tx.SaveResult(ctx, &skygrid.IngestResult{NewTasks: tasks}); err != nil {
			return err
		}
		_, err := skygrid.WriteHotspots(ctx, tx, hs)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// explain is the query plan of q, a line per step.
func explain(t *testing.T, db *DB, q string, args []any) string {
	t.Helper()
	rows, err := db.db.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	return strings.Join(lines, "\n")
}

// The lists' common pages, on a season's data, read their rows along an
// index in the list's order (the first page from its start, the pages
// after a cursor from the cursor's keys) and stop at the page's end: no
// sort of every match, no walk over the rows before the page. A few
// matches are found by their filter's index and sorted. Counts with a
// filter read its index.
func TestListsUseIndexes(t *testing.T) {
	sqliteOnly(t, "SQLite's query plans")
	db := seasonDB(t)
	p := planPlaces{county: "140215", township: "140215002", grid: "140215-002-007",
		since: time.Date(2023, 11, 20, 0, 0, 0, 0, time.UTC)}
	p.official = &skygrid.Scope{Regions: []string{p.county}}
	taskPagesUseIndexes(t, db, p)
	taskCountsUseIndexes(t, db, p)
	eventAndHotspotPagesUseIndexes(t, db, p)
}

// planPlaces are the season's places and week the lists are filtered by.
type planPlaces struct {
	county, township, grid string
	official               *skygrid.Scope
	since                  time.Time
}

// taskPagesUseIndexes checks the plans of a task list's first page and of
// the page after a cursor.
func taskPagesUseIndexes(t *testing.T, db *DB, p planPlaces) {
	ctx := context.Background()
	county, township, grid, official, since := p.county, p.township, p.grid, p.official, p.since
	open := []string{skygrid.TaskDispatched, skygrid.TaskAcknowledged, skygrid.TaskReported}
	for _, tt := range []struct {
		name        string
		f           skygrid.TaskFilter
		first, next string // the plan's step on the tasks, first page and after a cursor
		sorted      bool   // few matches: sorted
	}{
		{"newest first", skygrid.TaskFilter{}, "SCAN t", "SEARCH t USING INTEGER PRIMARY KEY (rowid<?)", false},
		{"open by deadline", skygrid.TaskFilter{States: open, Sort: skygrid.TaskSortDeadline},
			"SCAN t USING INDEX tasks_list_due_asc", "SEARCH t USING INDEX tasks_list_due_asc (list_due_asc>?)", false},
		{"by deadline, latest first", skygrid.TaskFilter{Sort: skygrid.TaskSortDeadline, Desc: true},
			"SCAN t USING INDEX tasks_list_due_desc", "SEARCH t USING INDEX tasks_list_due_desc (list_due_desc<?)", false},
		{"newest fire first", skygrid.TaskFilter{Sort: skygrid.TaskSortFirstSeen, Desc: true},
			"SCAN t USING INDEX tasks_list_first_seen", "SEARCH t USING INDEX tasks_list_first_seen (list_first_seen<?)", false},
		{"fires of a week", skygrid.TaskFilter{Sort: skygrid.TaskSortFirstSeen, Desc: true, DateField: skygrid.TaskDateFirstSeen, Since: &since},
			"SEARCH t USING INDEX tasks_list_first_seen (list_first_seen>?)", "SEARCH t USING INDEX tasks_list_first_seen (list_first_seen>? AND list_first_seen<?)", false},
		{"newest dispatch first", skygrid.TaskFilter{Sort: skygrid.TaskSortCreated, Desc: true},
			"SCAN t USING INDEX tasks_list_created", "SEARCH t USING INDEX tasks_list_created (created_at<?)", false},
		{"by state", skygrid.TaskFilter{Sort: skygrid.TaskSortState},
			"SCAN t USING INDEX tasks_list_state", "SEARCH t USING INDEX tasks_list_state (list_state_rank>?)", false},
		{"by place", skygrid.TaskFilter{Sort: skygrid.TaskSortPlace},
			"SCAN t USING INDEX tasks_list_place", "SEARCH t USING INDEX tasks_list_place ((list_county_id,list_township_id,list_grid_id)>(?,?,?))", false},
		{"a county, open, by deadline", skygrid.TaskFilter{CountyID: &county, States: open, Sort: skygrid.TaskSortDeadline},
			"SCAN t USING INDEX tasks_list_due_asc", "SEARCH t USING INDEX tasks_list_due_asc (list_due_asc>?)", false},
		{"a class, newest fire first", skygrid.TaskFilter{Class: ptr(skygrid.ClassStrawBurning), Sort: skygrid.TaskSortFirstSeen, Desc: true},
			"SCAN t USING INDEX tasks_list_first_seen", "SEARCH t USING INDEX tasks_list_first_seen (list_first_seen<?)", false},
		{"an official's, by deadline", skygrid.TaskFilter{Scope: official, States: open, Sort: skygrid.TaskSortDeadline},
			"SCAN t USING INDEX tasks_list_due_asc", "SEARCH t USING INDEX tasks_list_due_asc (list_due_asc>?)", false},
		{"an official's, by place", skygrid.TaskFilter{Scope: official, Sort: skygrid.TaskSortPlace},
			"SCAN t USING INDEX tasks_list_place", "SEARCH t USING INDEX tasks_list_place", false},
		{"overdue", skygrid.TaskFilter{Overdue: ptr(time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC)), Sort: skygrid.TaskSortDeadline},
			"SCAN t USING INDEX tasks_list_due_asc", "SEARCH t USING INDEX tasks_list_due_asc (list_due_asc>?)", false},
		// Few matches: the filter's index, then a sort of those.
		{"a grid", skygrid.TaskFilter{GridID: &grid, Sort: skygrid.TaskSortDeadline},
			"SEARCH t USING INDEX tasks_grid (grid_id=?)", "SEARCH t USING INDEX tasks_grid (grid_id=?)", true},
		{"a township, reported", skygrid.TaskFilter{TownshipID: &township, State: ptr(skygrid.TaskReported), Sort: skygrid.TaskSortCreated},
			"SEARCH t USING INDEX tasks_", "SEARCH t USING INDEX tasks_", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			f.Limit = 10 // a grid holds about 15 tasks: two pages
			_, page, err := db.FindTaskPage(ctx, f)
			if err != nil || page.Next == "" {
				t.Fatalf("%v; %+v", err, page)
			}
			k := taskKeyset(f.Sort, f.Desc)
			c, err := decodeCursor(page.Next, k.list, k.sort, k.desc, len(k.cols))
			if err != nil {
				t.Fatal(err)
			}
			var args []any
			conds := db.taskConds(f, &args, page.Total > sortFewer)
			for i, cur := range []*cursor{nil, c} {
				q, qargs := k.pageQuery(db.taskListFrom(), conds, args, cur, f.Limit, 0)
				plan := explain(t, db, q, qargs)
				want := []string{tt.first, tt.next}[i]
				if !strings.Contains(plan, want) || strings.Contains(plan, "SCAN e") || (!tt.sorted && strings.Contains(plan, "TEMP B-TREE")) {
					t.Errorf("page %d (%d matches): want %q%s, got\n%s", i+1, page.Total, want, map[bool]string{false: " and no sort"}[tt.sorted], plan)
				}
			}
		})
	}
}

// taskCountsUseIndexes: counts read a filter's index where there is one.
func taskCountsUseIndexes(t *testing.T, db *DB, p planPlaces) {
	county, township, since := p.county, p.township, p.since
	for _, tt := range []struct {
		name string
		f    skygrid.TaskFilter
		want string
	}{
		{"every task", skygrid.TaskFilter{}, "USING COVERING INDEX"},
		{"a county", skygrid.TaskFilter{CountyID: &county}, "SEARCH t USING COVERING INDEX tasks_list_place (list_county_id=?)"},
		{"a township", skygrid.TaskFilter{TownshipID: &township}, "SEARCH t USING COVERING INDEX tasks_list_township (list_township_id=?)"},
		{"a state", skygrid.TaskFilter{State: ptr(skygrid.TaskReported)}, "SEARCH t USING COVERING INDEX tasks_state (state=?)"},
		{"fires of a week", skygrid.TaskFilter{DateField: skygrid.TaskDateFirstSeen, Since: &since}, "SEARCH t USING COVERING INDEX tasks_list_first_seen (list_first_seen>?)"},
	} {
		t.Run("count "+tt.name, func(t *testing.T) {
			var args []any
			conds := db.taskConds(tt.f, &args, false)
			if plan := explain(t, db, `SELECT COUNT(*)`+taskCountFrom(conds)+where(conds), args); !strings.Contains(plan, tt.want) {
				t.Errorf("want %q, got\n%s", tt.want, plan)
			}
		})
	}
}

// eventAndHotspotPagesUseIndexes: events and hotspots, newest first.
func eventAndHotspotPagesUseIndexes(t *testing.T, db *DB, p planPlaces) {
	ctx, official := context.Background(), p.official
	for _, tt := range []struct {
		name        string
		page        func(cursor string) (string, []any, skygrid.Page)
		first, next string
	}{
		{"events", func(cur string) (string, []any, skygrid.Page) {
			f := skygrid.EventFilter{Limit: 50, Cursor: cur}
			_, p, err := db.FindEventPage(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			c, _ := pageCursor(cur, 0, eventKeyset)
			var args []any
			q, qargs := eventKeyset.pageQuery(" FROM events", eventConds(f, &args, "+"), args, c, 50, 0)
			return q, qargs, p
		}, "SCAN events USING COVERING INDEX events_first_seen", "SEARCH events USING COVERING INDEX events_first_seen (first_seen<?)"},
		{"an official's events", func(cur string) (string, []any, skygrid.Page) {
			f := skygrid.EventFilter{Limit: 50, Cursor: cur, Scope: official}
			_, p, err := db.FindEventPage(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			c, _ := pageCursor(cur, 0, eventKeyset)
			var args []any
			q, qargs := eventKeyset.pageQuery(" FROM events", eventConds(f, &args, "+"), args, c, 50, 0)
			return q, qargs, p
		}, "SCAN events USING INDEX events_first_seen", "SEARCH events USING INDEX events_first_seen (first_seen<?)"},
		{"hotspots", func(cur string) (string, []any, skygrid.Page) {
			f := skygrid.HotspotFilter{Limit: 50, Cursor: cur, Scope: official}
			_, p, err := db.FindHotspotPage(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			c, _ := pageCursor(cur, 0, hotspotKeyset)
			var args []any
			conds := hotspotConds(f, &args, false)
			if c != nil {
				conds = append(conds, hotspotKeyset.seek(c, &args))
			}
			return `SELECT id FROM hotspots` + where(conds) + hotspotKeyset.order(false) + ` LIMIT 51`, args, p
		}, "SCAN hotspots", "SEARCH hotspots USING INTEGER PRIMARY KEY (rowid<?)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q, args, p := tt.page("")
			if plan := explain(t, db, q, args); !strings.Contains(plan, tt.first) || strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("first page: want %q and no sort, got\n%s", tt.first, plan)
			}
			q, args, _ = tt.page(p.Next)
			if plan := explain(t, db, q, args); !strings.Contains(plan, tt.next) || strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("next page: want %q and no sort, got\n%s", tt.next, plan)
			}
		})
	}
}
