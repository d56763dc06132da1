package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"skygrid"

	"github.com/paulmach/orb"
)

// pageIDs walks a list by its Next cursors (pages of size) and returns
// the ids in order, and by its Prev cursors back from the last page.
func pageIDs[T any](t *testing.T, size int, find func(cursor string) ([]T, skygrid.Page, error), id func(T) int64) (forward, backward []int64) {
	t.Helper()
	var last skygrid.Page
	var lastIDs []int64
	cursor := ""
	for i := 0; ; i++ {
		items, page, err := find(cursor)
		if err != nil {
			t.Fatal(err)
		}
		if i > 1000 {
			t.Fatal("no end")
		}
		if len(items) > size {
			t.Fatalf("page of %d: %d items", size, len(items))
		}
		if (i == 0) != (page.Prev == "") && len(items) > 0 {
			t.Errorf("page %d: prev cursor %q", i, page.Prev)
		}
		lastIDs = lastIDs[:0]
		for _, it := range items {
			forward = append(forward, id(it))
			lastIDs = append(lastIDs, id(it))
		}
		last = page
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	// Back from the last page.
	if len(forward) > size {
		cursor = last.Prev
		var pages [][]int64
		for cursor != "" {
			items, page, err := find(cursor)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, it := range items {
				ids = append(ids, id(it))
			}
			pages = append(pages, ids)
			cursor = page.Prev
			if len(pages) > 1000 {
				t.Fatal("no start")
			}
		}
		for i := len(pages) - 1; i >= 0; i-- {
			backward = append(backward, pages[i]...)
		}
		backward = append(backward, lastIDs...)
	}
	return forward, backward
}

func taskIDs(ts []*skygrid.Task) []int64 {
	out := make([]int64, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

// Every order both ways, pages of every size: the cursors of each page
// lead to the next and the previous exactly (no task twice, none left
// out), in the order of the whole list.
func TestTaskPagesByCursor(t *testing.T) {
	w := newTaskWorld(t)
	ctx := context.Background()
	scope := &skygrid.Scope{Regions: []string{countyA}}
	for _, sort := range append([]string{""}, skygrid.TaskSorts...) {
		for _, desc := range []bool{false, true} {
			for _, f := range []skygrid.TaskFilter{{Sort: sort, Desc: desc}, {Sort: sort, Desc: desc, Scope: scope, States: []string{skygrid.TaskDispatched, skygrid.TaskReported}}} {
				all, n := w.find(t, f)
				want := taskIDs(all)
				for size := 1; size <= n+1; size++ {
					t.Run(fmt.Sprintf("sort %q desc %v scope %v size %d", sort, desc, f.Scope != nil, size), func(t *testing.T) {
						fwd, back := pageIDs(t, size, func(cursor string) ([]*skygrid.Task, skygrid.Page, error) {
							g := f
							g.Limit, g.Cursor = size, cursor
							ts, p, err := w.db.FindTaskPage(ctx, g)
							if err == nil && p.Total != n {
								t.Errorf("total %d, want %d", p.Total, n)
							}
							return ts, p, err
						}, func(tk *skygrid.Task) int64 { return tk.ID })
						if !slices.Equal(fwd, want) {
							t.Errorf("forward %v, want %v", fwd, want)
						}
						if back != nil && !slices.Equal(back, want) {
							t.Errorf("backward %v, want %v", back, want)
						}
					})
				}
			}
		}
	}
}

// A cursor is for its own list: another sort or order, a changed or
// made-up cursor, or a cursor with an offset, is refused.
func TestTaskCursorRefused(t *testing.T) {
	w := newTaskWorld(t)
	ctx := context.Background()
	_, p, err := w.db.FindTaskPage(ctx, skygrid.TaskFilter{Sort: skygrid.TaskSortDeadline, Limit: 2})
	if err != nil || p.Next == "" {
		t.Fatalf("%v %+v", err, p)
	}
	for _, tt := range []struct {
		name string
		f    skygrid.TaskFilter
	}{
		{"another sort", skygrid.TaskFilter{Sort: skygrid.TaskSortPlace, Cursor: p.Next, Limit: 2}},
		{"the other order", skygrid.TaskFilter{Sort: skygrid.TaskSortDeadline, Desc: true, Cursor: p.Next, Limit: 2}},
		{"not base64", skygrid.TaskFilter{Sort: skygrid.TaskSortDeadline, Cursor: "!!", Limit: 2}},
		{"not a cursor", skygrid.TaskFilter{Sort: skygrid.TaskSortDeadline, Cursor: "WzEsMiwzXQ", Limit: 2}},
		{"with an offset", skygrid.TaskFilter{Sort: skygrid.TaskSortDeadline, Cursor: p.Next, Offset: 2, Limit: 2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := w.db.FindTaskPage(ctx, tt.f); skygrid.ErrorCode(err) != skygrid.EINVALID {
				t.Errorf("got %v, want invalid", err)
			}
		})
	}
}

// addTask ingests one more task in grid (the fire first seen at seen),
// as the next ingest would.
func (w *taskWorld) addTask(t *testing.T, id int64, grid string, seen time.Time, ackDue time.Duration) *skygrid.Task {
	t.Helper()
	e := &skygrid.Event{ID: id, Class: skygrid.ClassOpenBurning, State: skygrid.EventOpen, FirstSeen: seen, LastSeen: seen, Point: orb.Point{113.6, 39.7},
		HotspotCount: 1, AssignedBy: "contains", GridID: grid, CountyID: countyA}
	task := &skygrid.Task{EventID: id, GridID: grid, State: skygrid.TaskDispatched, AckDue: now.Add(ackDue), ReportDue: now.Add(ackDue + 30*time.Minute)}
	ctx := context.Background()
	err := w.db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
		if err := tx.SaveResult(ctx, &skygrid.IngestResult{Events: []*skygrid.Event{e}}); err != nil {
			return err
		}
		return tx.SaveResult(ctx, &skygrid.IngestResult{NewTasks: []*skygrid.Task{task}})
	})
	if err != nil {
		t.Fatal(err)
	}
	return task
}

// Tasks added between two pages do not move the next page: no task of
// the list comes twice or goes missing (with offsets, a task added before
// the offset pushes the last of one page onto the next).
func TestTaskPagesStableUnderInserts(t *testing.T) {
	ctx := context.Background()
	for _, sort := range append([]string{""}, skygrid.TaskSorts...) {
		t.Run(fmt.Sprintf("sort %q", sort), func(t *testing.T) {
			w := newTaskWorld(t)
			f := skygrid.TaskFilter{Sort: sort, Limit: 3}
			all, _ := w.find(t, skygrid.TaskFilter{Sort: sort})
			first, p, err := w.db.FindTaskPage(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			// New tasks that sort first and last in every order.
			w.addTask(t, 100, gridA1, time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC), -5*time.Hour)
			w.addTask(t, 101, gridA2, time.Date(2023, 10, 31, 0, 0, 0, 0, time.UTC), 5*time.Hour)
			seen := map[int64]int{}
			for _, tk := range first {
				seen[tk.ID]++
			}
			for p.Next != "" {
				f.Cursor = p.Next
				var page []*skygrid.Task
				if page, p, err = w.db.FindTaskPage(ctx, f); err != nil {
					t.Fatal(err)
				}
				for _, tk := range page {
					seen[tk.ID]++
				}
			}
			for _, tk := range all {
				if seen[tk.ID] != 1 {
					t.Errorf("task %d listed %d times", tk.ID, seen[tk.ID])
				}
			}
			for id, k := range seen {
				if k > 1 {
					t.Errorf("task %d listed %d times", id, k)
				}
			}
		})
	}
}

// A list's total is kept until a write changes the data: the next page
// waits a little for the new count (CountWait), else says the old total,
// not exact, while the new count is made, and then the new total, exact.
// FindTasks waits for the exact count.
func TestTaskCountFollowsWrites(t *testing.T) {
	w := newTaskWorld(t)
	ctx := context.Background()
	f := skygrid.TaskFilter{CountyID: ptr(countyA), Limit: 2}
	_, p, err := w.db.FindTaskPage(ctx, f)
	if err != nil || p.Total != 8 || !p.TotalExact {
		t.Fatalf("%v: total %d exact %v", err, p.Total, p.TotalExact)
	}
	if _, p, _ = w.db.FindTaskPage(ctx, f); p.Total != 8 || !p.TotalExact {
		t.Fatalf("again: total %d exact %v", p.Total, p.TotalExact)
	}
	// A quick count made again is waited for: the user who just wrote
	// sees the new total. (Waited for as long as it takes here: a busy
	// machine can make the count slower than the default 100 ms.)
	w.db.CountWait = time.Minute
	w.addTask(t, 99, gridA1, time.Date(2023, 10, 19, 0, 0, 0, 0, time.UTC), time.Hour)
	if _, p, _ = w.db.FindTaskPage(ctx, f); p.Total != 9 || !p.TotalExact {
		t.Errorf("right after a write: total %d exact %v, want the new total at once", p.Total, p.TotalExact)
	}
	// A count slower than the wait (here: no wait) answers the old one.
	w.db.CountWait = -1
	w.addTask(t, 100, gridA1, time.Date(2023, 10, 20, 0, 0, 0, 0, time.UTC), time.Hour)
	if _, p, _ = w.db.FindTaskPage(ctx, f); p.Total != 9 || p.TotalExact {
		t.Errorf("right after the write: total %d exact %v, want the old total, not exact", p.Total, p.TotalExact)
	}
	deadline := time.Now().Add(10 * time.Second)
	for p.Total != 10 || !p.TotalExact {
		if time.Now().After(deadline) {
			t.Fatalf("the count never caught up: total %d exact %v", p.Total, p.TotalExact)
		}
		time.Sleep(10 * time.Millisecond)
		_, p, _ = w.db.FindTaskPage(ctx, f)
	}
	// Another write: FindTasks waits for the count.
	w.addTask(t, 101, gridA2, time.Date(2023, 10, 21, 0, 0, 0, 0, time.UTC), time.Hour)
	if _, n, err := w.db.FindTasks(ctx, f); err != nil || n != 11 {
		t.Errorf("FindTasks: total %d (%v), want 11", n, err)
	}
	// A task action changes the counts of states.
	open := skygrid.TaskFilter{States: []string{skygrid.TaskDispatched}, Limit: 1}
	_, n, _ := w.db.FindTasks(ctx, open)
	if _, err := w.db.UpdateTask(ctx, w.tasks["a2"].ID, 0, skygrid.ActionAcknowledge, w.users["admin"], skygrid.TaskChange{}, nil); err != nil {
		t.Fatal(err)
	}
	if _, n2, _ := w.db.FindTasks(ctx, open); n2 != n-1 {
		t.Errorf("dispatched: %d after an acknowledgement, %d before", n2, n)
	}
}

// The copies the lists read (the fire's first sight, the task's county
// and township) follow every write: a new task, a reassignment, an event
// seen earlier, a grid moved to another township.
func TestTaskListColumnsFollowWrites(t *testing.T) {
	w := newTaskWorld(t)
	ctx := context.Background()
	ids := func(f skygrid.TaskFilter) []int64 {
		ts, _ := w.find(t, f)
		out := taskIDs(ts)
		slices.Sort(out)
		return out
	}
	n := w.addTask(t, 100, gridA2, time.Date(2023, 10, 20, 0, 0, 0, 0, time.UTC), time.Hour)
	if got := ids(skygrid.TaskFilter{TownshipID: ptr(townT2), Query: fmt.Sprint("#", n.ID)}); !slices.Equal(got, []int64{n.ID}) {
		t.Errorf("new task in township T2: %v", got)
	}
	// Reassigned to a grid of the other township.
	if _, err := w.db.UpdateTask(ctx, n.ID, 0, skygrid.ActionReassign, w.users["admin"], skygrid.TaskChange{GridID: gridA1}, nil); err != nil {
		t.Fatal(err)
	}
	if got := ids(skygrid.TaskFilter{TownshipID: ptr(townT1), ID: &n.ID}); !slices.Equal(got, []int64{n.ID}) {
		t.Errorf("after the reassignment, township T1: %v", got)
	}
	// The event seen earlier (a late file): first in the first-seen order.
	early := time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC)
	err := w.db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
		return tx.SaveResult(ctx, &skygrid.IngestResult{Events: []*skygrid.Event{{ID: 100, Class: skygrid.ClassOpenBurning, State: skygrid.EventOpen, FirstSeen: early,
			LastSeen: early.Add(time.Hour), Point: orb.Point{113.6, 39.7}, HotspotCount: 2, AssignedBy: "contains", GridID: gridA2, CountyID: countyA}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if ts, _ := w.find(t, skygrid.TaskFilter{Sort: skygrid.TaskSortFirstSeen, Limit: 1}); len(ts) != 1 || ts[0].ID != n.ID {
		t.Errorf("first seen first: %v", taskIDs(ts))
	}
	if got := ids(skygrid.TaskFilter{DateField: skygrid.TaskDateFirstSeen, Until: ptr(early.Add(time.Minute))}); !slices.Equal(got, []int64{n.ID}) {
		t.Errorf("first seen before: %v", got)
	}
	// Grid A1 moves under township T2: its tasks with it.
	if err := w.db.ImportRegions(ctx, []*skygrid.Region{{ID: gridA1, Name: "永安镇 1号网格", Level: skygrid.LevelGrid, ParentID: townT2,
		Geometry: square(113.6, 39.7, 0.01)}}); err != nil {
		t.Fatal(err)
	}
	inA1 := ids(skygrid.TaskFilter{GridID: ptr(gridA1)})
	if got := ids(skygrid.TaskFilter{TownshipID: ptr(townT1), GridID: ptr(gridA1)}); len(got) != 0 {
		t.Errorf("grid A1 still in township T1: %v", got)
	}
	if got := ids(skygrid.TaskFilter{TownshipID: ptr(townT2), GridID: ptr(gridA1)}); len(inA1) == 0 || !slices.Equal(got, inA1) {
		t.Errorf("grid A1's tasks %v, in township T2: %v", inA1, got)
	}
}

// A scope naming the city keeps what the scope rule keeps (the lists'
// quick test on the task's own columns knows counties, townships and
// grids only, and steps aside).
func TestTaskScopeOfACity(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if err := db.ImportRegions(ctx, []*skygrid.Region{
		{ID: "140200", Name: "大同市", Level: skygrid.LevelCity, Geometry: square(113.5, 39.8, 1)},
		{ID: countyA, Name: "浑源县", Level: skygrid.LevelCounty, ParentID: "140200", Geometry: square(113.7, 39.7, 0.3)},
		{ID: gridA3, Name: "浑源县 直属网格", Level: skygrid.LevelGrid, ParentID: countyA, Geometry: square(113.7, 39.9, 0.01)},
	}); err != nil {
		t.Fatal(err)
	}
	err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
		if err := tx.SaveResult(ctx, &skygrid.IngestResult{Events: []*skygrid.Event{{ID: 1, Class: skygrid.ClassOpenBurning, State: skygrid.EventOpen, FirstSeen: now, LastSeen: now,
			Point: orb.Point{113.7, 39.9}, HotspotCount: 1, AssignedBy: "contains", GridID: gridA3, CountyID: countyA}}}); err != nil {
			return err
		}
		return tx.SaveResult(ctx, &skygrid.IngestResult{NewTasks: []*skygrid.Task{{EventID: 1, GridID: gridA3, State: skygrid.TaskDispatched, AckDue: now, ReportDue: now}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		regions []string
		want    int
	}{{[]string{"140200"}, 1}, {[]string{countyA}, 1}, {[]string{gridA3}, 1}, {[]string{"140226"}, 0}, {[]string{"140226", "140200"}, 1}} {
		for _, limit := range []int{0, 10} {
			ts, n, err := db.FindTasks(ctx, skygrid.TaskFilter{Scope: &skygrid.Scope{Regions: tt.regions}, Limit: limit})
			if err != nil || len(ts) != tt.want || n != tt.want {
				t.Errorf("scope %v limit %d: %d tasks, total %d (%v), want %d", tt.regions, limit, len(ts), n, err, tt.want)
			}
		}
	}
}

// Events and hotspots page by cursor too, both ways, with the total.
func TestEventAndHotspotPagesByCursor(t *testing.T) {
	w := newTaskWorld(t)
	ctx := context.Background()
	// Hotspots: one per event, some at the same minute.
	err := w.db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
		b := &skygrid.IngestBatch{File: "x.csv", Format: "test"}
		if err := tx.BeginBatch(ctx, b); err != nil {
			return err
		}
		var hs []*skygrid.Hotspot
		for i := 0; i < 12; i++ {
			hs = append(hs, &skygrid.Hotspot{Source: "test", Satellite: "N20", AcqTime: time.Date(2023, 10, 1+i/3, 5, 0, 0, 0, time.UTC),
				Point: orb.Point{113.6 + float64(i)*0.001, 39.7}, Confidence: "n", Status: skygrid.StatusFire, BatchID: b.ID, EventID: int64(1 + i%10)})
		}
		_, err := skygrid.WriteHotspots(ctx, tx, hs)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	scope := &skygrid.Scope{Regions: []string{countyA}}
	for _, sc := range []*skygrid.Scope{nil, scope} {
		allEvents, n, err := w.db.FindEvents(ctx, skygrid.EventFilter{Scope: sc})
		if err != nil {
			t.Fatal(err)
		}
		allHotspots, m, err := w.db.FindHotspots(ctx, skygrid.HotspotFilter{Scope: sc})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 || m == 0 {
			t.Fatalf("%d events, %d hotspots", n, m)
		}
		for size := 1; size <= 4; size++ {
			fwd, back := pageIDs(t, size, func(cursor string) ([]*skygrid.Event, skygrid.Page, error) {
				es, p, err := w.db.FindEventPage(ctx, skygrid.EventFilter{Scope: sc, Limit: size, Cursor: cursor})
				if err == nil && (p.Total != n || !p.TotalExact) {
					t.Errorf("events total %d exact %v, want %d", p.Total, p.TotalExact, n)
				}
				return es, p, err
			}, func(e *skygrid.Event) int64 { return e.ID })
			want := make([]int64, len(allEvents))
			for i, e := range allEvents {
				want[i] = e.ID
			}
			if !slices.Equal(fwd, want) || (back != nil && !slices.Equal(back, want)) {
				t.Errorf("scope %v, events by %d: %v and back %v, want %v", sc, size, fwd, back, want)
			}
			fwd, back = pageIDs(t, size, func(cursor string) ([]*skygrid.Hotspot, skygrid.Page, error) {
				hs, p, err := w.db.FindHotspotPage(ctx, skygrid.HotspotFilter{Scope: sc, Limit: size, Cursor: cursor})
				if err == nil && p.Total != m {
					t.Errorf("hotspots total %d, want %d", p.Total, m)
				}
				return hs, p, err
			}, func(h *skygrid.Hotspot) int64 { return h.ID })
			want = want[:0]
			for _, h := range allHotspots {
				want = append(want, h.ID)
			}
			if !slices.Equal(fwd, want) || (back != nil && !slices.Equal(back, want)) {
				t.Errorf("scope %v, hotspots by %d: %v and back %v, want %v", sc, size, fwd, back, want)
			}
		}
	}
	// An events cursor is not a hotspots cursor.
	_, p, _ := w.db.FindEventPage(ctx, skygrid.EventFilter{Limit: 1})
	if _, _, err := w.db.FindHotspotPage(ctx, skygrid.HotspotFilter{Limit: 1, Cursor: p.Next}); skygrid.ErrorCode(err) != skygrid.EINVALID {
		t.Errorf("an events cursor for hotspots: %v", err)
	}
}

// CountWait below zero answers the kept count at once, every time, even
// when the new count is ready as soon as it is asked for: a zero timer
// raced the count (TestTaskCountFollowsWrites once saw the new total).
func TestCountWaitNegativeNeverWaits(t *testing.T) {
	w := newTaskWorld(t)
	ctx := context.Background()
	f := skygrid.TaskFilter{CountyID: ptr(countyA), Limit: 2}
	w.db.CountWait = -1
	fresh := 0
	for i := range 1000 {
		// the kept count is exact before each write
		if _, n, err := w.db.FindTasks(ctx, f); err != nil || n != 8+i {
			t.Fatalf("write %d: total %d (%v), want %d", i, n, err, 8+i)
		}
		w.addTask(t, int64(1000+i), gridA1, time.Date(2023, 10, 19, 0, 0, 0, 0, time.UTC), time.Hour)
		if _, p, _ := w.db.FindTaskPage(ctx, f); p.TotalExact || p.Total != 8+i {
			fresh++
		}
	}
	if fresh > 0 {
		t.Errorf("%d of 1000 pages right after a write waited for the new count (CountWait -1: never)", fresh)
	}
}
