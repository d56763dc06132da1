package store_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/store"

	"github.com/paulmach/orb"
)

// taskWorld is a small city for the task lists: two counties, county A
// with two townships and a grid directly under it, and tasks of every
// state, class and deadline, one in the unassigned queue and one
// reassigned from county B to county A.
type taskWorld struct {
	db    *store.DB
	clock *time.Time
	tasks map[string]*skygrid.Task // by fixture name
	users map[string]*skygrid.User
}

const (
	countyA, countyB = "140225", "140226"
	townT1, townT2   = "140225100", "140225101"
	gridA1, gridA2   = "140225-000-001", "140225-000-002"
	gridA3, gridB1   = "140225-000-003", "140226-000-001"
)

// fixtureTask is one task of the world: its grid ("" for the unassigned
// queue), class, the October day its fire was first seen, the hours
// before now it was dispatched, the state it is brought to, and its
// acknowledge deadline relative to now (the report deadline is 30 min
// later).
type fixtureTask struct {
	name, grid, class string
	day               int
	createdHoursAgo   int
	state             string
	ackDue            time.Duration
}

var fixture = []fixtureTask{
	{"a1", gridA1, skygrid.ClassStrawBurning, 3, 10, skygrid.TaskDispatched, -time.Hour},
	{"a2", gridA1, skygrid.ClassOpenBurning, 5, 9, skygrid.TaskDispatched, time.Hour},
	{"a3", gridA2, skygrid.ClassStrawBurning, 7, 12, skygrid.TaskAcknowledged, -3 * time.Hour},
	{"a4", gridA2, skygrid.ClassStrawBurning, 9, 12, skygrid.TaskReported, -4 * time.Hour},
	{"a5", gridA3, skygrid.ClassOpenBurning, 11, 3, skygrid.TaskReported, time.Hour},
	{"a6", gridA3, skygrid.ClassStrawBurning, 13, 2, skygrid.TaskClosed, -time.Hour},
	{"q1", "", skygrid.ClassOpenBurning, 15, 1, skygrid.TaskDispatched, 2 * time.Hour},
	{"b1", gridB1, skygrid.ClassStrawBurning, 4, 8, skygrid.TaskDispatched, -3 * time.Hour},
	{"b2", gridB1, skygrid.ClassOpenBurning, 6, 7, skygrid.TaskReported, time.Hour},
	// r1 is dispatched in county B, then reassigned to grid A1.
	{"r1", gridB1, skygrid.ClassOpenBurning, 8, 6, skygrid.TaskDispatched, time.Hour},
}

func newTaskWorld(t *testing.T) *taskWorld {
	t.Helper()
	db := MustOpenDB(t)
	clock := now
	w := &taskWorld{db: db, clock: &clock, tasks: map[string]*skygrid.Task{}, users: map[string]*skygrid.User{}}
	db.Now = func() time.Time { return *w.clock }
	ctx := context.Background()
	regions := []*skygrid.Region{
		{ID: countyA, Name: "浑源县", Level: skygrid.LevelCounty, Geometry: square(113.7, 39.7, 0.3)},
		{ID: countyB, Name: "左云县", Level: skygrid.LevelCounty, Geometry: square(112.7, 40.0, 0.3)},
		{ID: townT1, Name: "永安镇", Level: skygrid.LevelTownship, ParentID: countyA, Geometry: square(113.6, 39.7, 0.1)},
		{ID: townT2, Name: "大磁窑镇", Level: skygrid.LevelTownship, ParentID: countyA, Geometry: square(113.8, 39.7, 0.1)},
		{ID: gridA1, Name: "永安镇 1号网格", Level: skygrid.LevelGrid, ParentID: townT1, Geometry: square(113.6, 39.7, 0.01)},
		{ID: gridA2, Name: "大磁窑镇 2号网格", Level: skygrid.LevelGrid, ParentID: townT2, Geometry: square(113.8, 39.7, 0.01)},
		{ID: gridA3, Name: "浑源县 直属网格", Level: skygrid.LevelGrid, ParentID: countyA, Geometry: square(113.7, 39.9, 0.01)},
		{ID: gridB1, Name: "左云县 1号网格", Level: skygrid.LevelGrid, ParentID: countyB, Geometry: square(112.7, 40.0, 0.01)},
	}
	if err := db.ImportRegions(ctx, regions); err != nil {
		t.Fatal(err)
	}
	var sups []*skygrid.Supervisor
	for _, g := range []string{gridA1, gridA2, gridA3, gridB1} {
		sups = append(sups, &skygrid.Supervisor{GridID: g, Name: "网格员 " + g, Phone: "1"})
	}
	if err := db.ImportSupervisors(ctx, sups); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*skygrid.User{
		{Name: "admin", Role: skygrid.RoleAdmin},
		{Name: "officialA", Role: skygrid.RoleOfficial, Regions: []string{countyA}},
		{Name: "officialT1", Role: skygrid.RoleOfficial, Regions: []string{townT1}},
		{Name: "supervisorA2", Role: skygrid.RoleSupervisor, Regions: []string{gridA2}},
	} {
		if err := db.CreateUser(ctx, u, "x"); err != nil {
			t.Fatal(err)
		}
		w.users[u.Name] = u
	}
	grids := map[string]*skygrid.Region{}
	for _, r := range regions {
		grids[r.ID] = r
	}
	for i, f := range fixture {
		w.create(t, int64(i+1), f, grids[f.grid])
	}
	*w.clock = now
	r1 := w.tasks["r1"]
	if _, err := db.UpdateTask(ctx, r1.ID, 0, skygrid.ActionReassign, w.users["admin"], skygrid.TaskChange{GridID: gridA1}, nil); err != nil {
		t.Fatal(err)
	}
	for _, f := range fixture {
		w.bringTo(t, f.name, f.state)
	}
	return w
}

// create stores a fixture's event and task, dispatched createdHoursAgo.
func (w *taskWorld) create(t *testing.T, id int64, f fixtureTask, grid *skygrid.Region) {
	t.Helper()
	seen := time.Date(2023, 10, f.day, 5, 0, 0, 0, time.UTC)
	e := &skygrid.Event{ID: id, Class: f.class, State: skygrid.EventOpen, FirstSeen: seen, LastSeen: seen, Point: orb.Point{113.6, 39.7},
		HotspotCount: 1, AssignedBy: "none"}
	if grid != nil {
		e.GridID, e.AssignedBy = grid.ID, "contains"
		e.CountyID = grid.ParentID
		if grid.ParentID == townT1 || grid.ParentID == townT2 {
			e.TownshipID, e.CountyID = grid.ParentID, countyA
		}
	} else {
		e.TownshipID, e.CountyID = townT1, countyA
	}
	*w.clock = now.Add(-time.Duration(f.createdHoursAgo) * time.Hour)
	task := &skygrid.Task{EventID: id, GridID: e.GridID, State: skygrid.TaskDispatched, AckDue: now.Add(f.ackDue), ReportDue: now.Add(f.ackDue + 30*time.Minute)}
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
	w.tasks[f.name] = task
}

// bringTo moves a dispatched task through the lifecycle, as admin.
func (w *taskWorld) bringTo(t *testing.T, name, state string) {
	t.Helper()
	ctx := context.Background()
	id := w.tasks[name].ID
	admin := w.users["admin"]
	photo := &skygrid.Photo{SHA256: fmt.Sprintf("%064x", id), Mime: "image/jpeg", Size: 1, Width: 1, Height: 1}
	steps := map[string][]string{
		skygrid.TaskAcknowledged: {skygrid.ActionAcknowledge},
		skygrid.TaskReported:     {skygrid.ActionAcknowledge, skygrid.ActionReport},
		skygrid.TaskClosed:       {skygrid.ActionAcknowledge, skygrid.ActionReport, skygrid.ActionClose},
	}[state]
	for _, action := range steps {
		var photos []*skygrid.Photo
		if action == skygrid.ActionReport {
			photos = []*skygrid.Photo{photo}
		}
		if _, err := w.db.UpdateTask(ctx, id, 0, action, admin, skygrid.TaskChange{Finding: skygrid.FindingStrawBurning}, photos); err != nil {
			t.Fatalf("%s %s: %v", name, action, err)
		}
	}
}

// names are the fixture names of tasks, in order.
func (w *taskWorld) names(ts []*skygrid.Task) []string {
	var out []string
	for _, tk := range ts {
		for n, f := range w.tasks {
			if f.ID == tk.ID {
				out = append(out, n)
			}
		}
	}
	return out
}

func (w *taskWorld) find(t *testing.T, f skygrid.TaskFilter) ([]*skygrid.Task, int) {
	t.Helper()
	ts, n, err := w.db.FindTasks(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return ts, n
}

func ptr[T any](v T) *T { return &v }

// Each filter, alone and with a scope, against the fixture.
func TestFindTasksFilters(t *testing.T) {
	w := newTaskWorld(t)
	scope := func(regions ...string) *skygrid.Scope { return &skygrid.Scope{Regions: regions} }
	oct := func(d int) *time.Time { return ptr(time.Date(2023, 10, d, 0, 0, 0, 0, time.UTC)) }
	id := func(name string) string { return fmt.Sprint(w.tasks[name].ID) }
	for _, tt := range []struct {
		name   string
		filter skygrid.TaskFilter
		want   []string
	}{
		{"everything", skygrid.TaskFilter{}, []string{"a1", "a2", "a3", "a4", "a5", "a6", "q1", "b1", "b2", "r1"}},
		// A task's county is its grid's: r1 went from county B to A.
		{"county A", skygrid.TaskFilter{CountyID: ptr(countyA)}, []string{"a1", "a2", "a3", "a4", "a5", "a6", "q1", "r1"}},
		{"county B", skygrid.TaskFilter{CountyID: ptr(countyB)}, []string{"b1", "b2"}},
		{"township T1 (the unassigned queue by its event)", skygrid.TaskFilter{TownshipID: ptr(townT1)}, []string{"a1", "a2", "q1", "r1"}},
		{"township T2", skygrid.TaskFilter{TownshipID: ptr(townT2)}, []string{"a3", "a4"}},
		{"grid A3", skygrid.TaskFilter{GridID: ptr(gridA3)}, []string{"a5", "a6"}},
		{"class", skygrid.TaskFilter{Class: ptr(skygrid.ClassStrawBurning)}, []string{"a1", "a3", "a4", "a6", "b1"}},
		{"one state", skygrid.TaskFilter{State: ptr(skygrid.TaskReported)}, []string{"a4", "a5", "b2"}},
		{"several states", skygrid.TaskFilter{States: []string{skygrid.TaskAcknowledged, skygrid.TaskClosed}}, []string{"a3", "a6"}},
		{"state and states", skygrid.TaskFilter{State: ptr(skygrid.TaskClosed), States: []string{skygrid.TaskAcknowledged}}, []string{"a3", "a6"}},
		{"overdue at now", skygrid.TaskFilter{Overdue: &now}, []string{"a1", "a3", "b1"}},
		{"created between", skygrid.TaskFilter{Since: ptr(now.Add(-9 * time.Hour)), Until: ptr(now.Add(-2 * time.Hour))},
			[]string{"a2", "a5", "b1", "b2", "r1"}},
		{"first seen between", skygrid.TaskFilter{DateField: skygrid.TaskDateFirstSeen, Since: oct(5), Until: oct(10)},
			[]string{"a2", "a3", "a4", "b2", "r1"}},
		{"search #id", skygrid.TaskFilter{Query: "#" + id("a4")}, []string{"a4"}},
		{"search id", skygrid.TaskFilter{Query: id("b2")}, []string{"b2"}},
		{"search a county id", skygrid.TaskFilter{Query: countyB}, []string{"b1", "b2"}},
		{"search a township name", skygrid.TaskFilter{Query: "永安"}, []string{"a1", "a2", "q1", "r1"}},
		{"search a grid name", skygrid.TaskFilter{Query: "1号网格"}, []string{"a1", "a2", "b1", "b2", "r1"}},
		{"search a grid id", skygrid.TaskFilter{Query: "140225-000-00"}, []string{"a1", "a2", "a3", "a4", "a5", "a6", "r1"}},
		{"search a county name", skygrid.TaskFilter{Query: "浑源"}, []string{"a1", "a2", "a3", "a4", "a5", "a6", "q1", "r1"}},
		{"search a LIKE wildcard is literal", skygrid.TaskFilter{Query: "%"}, nil},
		{"search nothing", skygrid.TaskFilter{Query: "#999999"}, nil},
		{"filters together", skygrid.TaskFilter{CountyID: ptr(countyA), Class: ptr(skygrid.ClassStrawBurning), States: []string{skygrid.TaskReported, skygrid.TaskDispatched}},
			[]string{"a1", "a4"}},
		// Scopes: a county, a township, a grid.
		{"county official", skygrid.TaskFilter{Scope: scope(countyA)}, []string{"a1", "a2", "a3", "a4", "a5", "a6", "q1", "r1"}},
		{"township official", skygrid.TaskFilter{Scope: scope(townT1)}, []string{"a1", "a2", "q1", "r1"}},
		{"grid supervisor", skygrid.TaskFilter{Scope: scope(gridA2)}, []string{"a3", "a4"}},
		{"no regions, nothing", skygrid.TaskFilter{Scope: scope()}, nil},
		{"county official asking for another county", skygrid.TaskFilter{Scope: scope(countyA), CountyID: ptr(countyB)}, nil},
		{"county official searching another county", skygrid.TaskFilter{Scope: scope(countyA), Query: "左云"}, nil},
		{"county official searching another county's task", skygrid.TaskFilter{Scope: scope(countyA), Query: "#" + id("b1")}, nil},
		{"township official, overdue", skygrid.TaskFilter{Scope: scope(townT1), Overdue: &now}, []string{"a1"}},
		{"township official, reported", skygrid.TaskFilter{Scope: scope(townT2), State: ptr(skygrid.TaskReported)}, []string{"a4"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts, n := w.find(t, tt.filter)
			got := w.names(ts)
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) || n != len(want) {
				t.Errorf("got %v (total %d), want %v", got, n, want)
			}
		})
	}
}

func noDeadline(t *skygrid.Task) bool {
	return t.State == skygrid.TaskReported || t.State == skygrid.TaskClosed
}

// sortKey compares two tasks as a sort orders them ascending (0: a tie,
// broken by id).
func sortKey(sort string) func(a, b *skygrid.Task) int {
	deadline := func(t *skygrid.Task) time.Time {
		if t.State == skygrid.TaskDispatched {
			return t.AckDue
		}
		return t.ReportDue
	}
	return map[string]func(a, b *skygrid.Task) int{
		skygrid.TaskSortDeadline: func(a, b *skygrid.Task) int {
			if noDeadline(a) || noDeadline(b) {
				return cmp.Compare(map[bool]int{true: 1}[noDeadline(a)], map[bool]int{true: 1}[noDeadline(b)])
			}
			return deadline(a).Compare(deadline(b))
		},
		skygrid.TaskSortCreated:   func(a, b *skygrid.Task) int { return a.CreatedAt.Compare(b.CreatedAt) },
		skygrid.TaskSortFirstSeen: func(a, b *skygrid.Task) int { return a.FirstSeen.Compare(b.FirstSeen) },
		skygrid.TaskSortState: func(a, b *skygrid.Task) int {
			return slices.Index(skygrid.TaskStates, a.State) - slices.Index(skygrid.TaskStates, b.State)
		},
		skygrid.TaskSortPlace: func(a, b *skygrid.Task) int {
			return cmp.Or(strings.Compare(a.CountyID, b.CountyID), strings.Compare(a.TownshipID, b.TownshipID), strings.Compare(a.GridID, b.GridID))
		},
	}[sort]
}

// Every order, both ways: each task follows the one before it by the
// sort's key, ties by id in the same direction; tasks without a deadline
// come last either way. Pages of every size continue each other.
func TestFindTasksSortsAndPages(t *testing.T) {
	w := newTaskWorld(t)
	for _, sort := range skygrid.TaskSorts {
		for _, desc := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s desc=%v", sort, desc), func(t *testing.T) {
				f := skygrid.TaskFilter{Sort: sort, Desc: desc}
				all, n := w.find(t, f)
				if n != len(fixture) || len(all) != n {
					t.Fatalf("%d tasks, total %d", len(all), n)
				}
				key := sortKey(sort)
				ties := 0
				for i := 1; i < len(all); i++ {
					a, b := all[i-1], all[i]
					c := key(a, b)
					if desc {
						c = -c
					}
					if na, nb := noDeadline(a), noDeadline(b); sort == skygrid.TaskSortDeadline && na != nb {
						c = map[bool]int{true: 1, false: -1}[na] // last both ways
					}
					if c == 0 {
						ties++
						c = cmp.Compare(a.ID, b.ID)
						if desc {
							c = -c
						}
					}
					if c >= 0 {
						t.Errorf("%v then %v: out of order", w.names([]*skygrid.Task{a}), w.names([]*skygrid.Task{b}))
					}
				}
				if sort == skygrid.TaskSortState && ties == 0 {
					t.Error("no ties: the tie-break is not tested")
				}
				// Pages of 1 to n+1: the same tasks in the same order.
				for size := 1; size <= n+1; size++ {
					var paged []int64
					for off := 0; off < n; off += size {
						f.Limit, f.Offset = size, off
						page, total := w.find(t, f)
						if total != n || len(page) != min(size, n-off) {
							t.Fatalf("page at %d of %d: %d tasks, total %d", off, size, len(page), total)
						}
						for _, tk := range page {
							paged = append(paged, tk.ID)
						}
					}
					want := make([]int64, len(all))
					for i, tk := range all {
						want[i] = tk.ID
					}
					if !slices.Equal(paged, want) {
						t.Fatalf("pages of %d: %v, want %v", size, paged, want)
					}
				}
				// Past the last page: no tasks, the total all the same.
				for _, limit := range []int{0, 3} {
					f.Limit, f.Offset = limit, n+2
					if page, total := w.find(t, f); len(page) != 0 || total != n {
						t.Errorf("limit %d past the end: %d tasks, total %d, want 0 of %d", limit, len(page), total, n)
					}
				}
			})
		}
	}
	// No sort: newest task first, as before.
	all, _ := w.find(t, skygrid.TaskFilter{})
	if !slices.IsSortedFunc(all, func(a, b *skygrid.Task) int { return cmp.Compare(b.ID, a.ID) }) {
		t.Errorf("default order: %v", w.names(all))
	}
}

// A listed task says when and where its fire was seen.
func TestFindTasksFirstSeenAndPlace(t *testing.T) {
	w := newTaskWorld(t)
	ts, _ := w.find(t, skygrid.TaskFilter{ID: &w.tasks["a3"].ID})
	if len(ts) != 1 || !ts[0].FirstSeen.Equal(time.Date(2023, 10, 7, 5, 0, 0, 0, time.UTC)) || (orb.Point{ts[0].Lon, ts[0].Lat}) != (orb.Point{113.6, 39.7}) {
		t.Errorf("got %+v", ts)
	}
	if ts[0].TownshipName != "大磁窑镇" || ts[0].CountyName != "浑源县" || ts[0].GridName != "大磁窑镇 2号网格" {
		t.Errorf("place %q %q %q", ts[0].CountyName, ts[0].TownshipName, ts[0].GridName)
	}
}

func taskState(t *testing.T, db *store.DB, id int64) *skygrid.Task {
	t.Helper()
	tk, err := db.FindTaskByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// Bulk close: all or nothing, each task with its audit line.
func TestCloseTasks(t *testing.T) {
	for _, tt := range closeRefusals() {
		t.Run(tt.name, func(t *testing.T) { checkCloseRefused(t, tt) })
	}
	t.Run("success", testCloseTwo)
}

func closeRef(tk *skygrid.Task) skygrid.TaskRef {
	return skygrid.TaskRef{ID: tk.ID, Version: tk.Version}
}

// closeRefusal is a bulk close that must be refused whole.
type closeRefusal struct {
	name    string
	user    string
	refs    func(t *testing.T, w *taskWorld) []skygrid.TaskRef
	notes   string
	code    string
	refused []string // the tasks named as refused
}

func closeRefusals() []closeRefusal {
	ref := closeRef
	return []closeRefusal{
		{name: "another county's task", user: "officialA", code: skygrid.EFORBIDDEN, refused: []string{"b2"},
			refs: func(t *testing.T, w *taskWorld) []skygrid.TaskRef {
				return []skygrid.TaskRef{ref(taskState(t, w.db, w.tasks["a4"].ID)), ref(taskState(t, w.db, w.tasks["b2"].ID))}
			}},
		{name: "another township's task", user: "officialT1", code: skygrid.EFORBIDDEN, refused: []string{"a4"},
			refs: func(t *testing.T, w *taskWorld) []skygrid.TaskRef {
				return []skygrid.TaskRef{ref(taskState(t, w.db, w.tasks["a4"].ID))}
			}},
		{name: "a stale version", user: "officialA", code: skygrid.ECONFLICT, refused: []string{"a5"},
			refs: func(t *testing.T, w *taskWorld) []skygrid.TaskRef {
				a5 := ref(taskState(t, w.db, w.tasks["a5"].ID))
				a5.Version--
				return []skygrid.TaskRef{ref(taskState(t, w.db, w.tasks["a4"].ID)), a5}
			}},
		{name: "not reported, and closed already", user: "admin", code: skygrid.ECONFLICT, refused: []string{"a3", "a6"},
			refs: func(t *testing.T, w *taskWorld) []skygrid.TaskRef {
				return []skygrid.TaskRef{ref(taskState(t, w.db, w.tasks["a3"].ID)), ref(taskState(t, w.db, w.tasks["a4"].ID)), ref(taskState(t, w.db, w.tasks["a6"].ID))}
			}},
		{name: "a task that does not exist, for an admin", user: "admin", code: skygrid.ENOTFOUND,
			refs: func(t *testing.T, w *taskWorld) []skygrid.TaskRef {
				return []skygrid.TaskRef{ref(taskState(t, w.db, w.tasks["a4"].ID)), {ID: 999, Version: 1}}
			}},
		{name: "a task that does not exist, for an official", user: "officialA", code: skygrid.EFORBIDDEN,
			refs: func(t *testing.T, w *taskWorld) []skygrid.TaskRef {
				return []skygrid.TaskRef{ref(taskState(t, w.db, w.tasks["a4"].ID)), {ID: 999, Version: 1}}
			}},
		{name: "a supervisor", user: "supervisorA2", code: skygrid.EFORBIDDEN, refused: []string{"a4"},
			refs: func(t *testing.T, w *taskWorld) []skygrid.TaskRef {
				return []skygrid.TaskRef{ref(taskState(t, w.db, w.tasks["a4"].ID))}
			}},
		{name: "no tasks", user: "admin", code: skygrid.EINVALID, refs: func(t *testing.T, w *taskWorld) []skygrid.TaskRef { return nil }},
		{name: "a task twice", user: "admin", code: skygrid.EINVALID, refs: func(t *testing.T, w *taskWorld) []skygrid.TaskRef {
			a4 := ref(taskState(t, w.db, w.tasks["a4"].ID))
			return []skygrid.TaskRef{a4, a4}
		}},
		{name: "no version", user: "admin", code: skygrid.EINVALID, refs: func(t *testing.T, w *taskWorld) []skygrid.TaskRef {
			return []skygrid.TaskRef{{ID: w.tasks["a4"].ID}}
		}},
		{name: "too many", user: "admin", code: skygrid.EINVALID, refs: func(t *testing.T, w *taskWorld) []skygrid.TaskRef {
			refs := make([]skygrid.TaskRef, skygrid.MaxBulk+1)
			for i := range refs {
				refs[i] = skygrid.TaskRef{ID: int64(i + 1), Version: 1}
			}
			return refs
		}},
		{name: "notes too long", user: "officialA", code: skygrid.EINVALID, notes: strings.Repeat("长", 1400),
			refs: func(t *testing.T, w *taskWorld) []skygrid.TaskRef {
				return []skygrid.TaskRef{ref(taskState(t, w.db, w.tasks["a4"].ID))}
			}},
	}
}

// checkCloseRefused tries the close on a fresh world: refused with the
// code, naming the tasks, and nothing changed.
func checkCloseRefused(t *testing.T, tt closeRefusal) {
	ctx := context.Background()
	w := newTaskWorld(t)
	before, _ := w.find(t, skygrid.TaskFilter{})
	closes := func() int {
		log, err := w.db.FindAuditLog(ctx, skygrid.AuditFilter{Action: "task.close"})
		if err != nil {
			t.Fatal(err)
		}
		return len(log)
	}
	logged := closes()
	_, err := w.db.CloseTasks(ctx, tt.refs(t, w), tt.notes, w.users[tt.user])
	if skygrid.ErrorCode(err) != tt.code {
		t.Fatalf("got %v, want %s", err, tt.code)
	}
	if tt.refused != nil {
		checkRefusedNamed(t, w, err, tt.refused)
	}
	// Nothing changed: every task as it was, no close in the log.
	after, _ := w.find(t, skygrid.TaskFilter{})
	for i := range before {
		if after[i].State != before[i].State || after[i].Version != before[i].Version {
			t.Errorf("task %d went from %s v%d to %s v%d", before[i].ID, before[i].State, before[i].Version, after[i].State, after[i].Version)
		}
	}
	if n := closes(); n != logged {
		t.Errorf("%d audit lines of closes, %d before", n, logged)
	}
}

// checkRefusedNamed checks that the refusal names the tasks refused, with
// state and version for conflicts.
func checkRefusedNamed(t *testing.T, w *taskWorld, err error, refused []string) {
	t.Helper()
	var te *skygrid.TasksError
	if !errors.As(err, &te) {
		t.Fatalf("%v: not a TasksError", err)
	}
	var named []string
	for _, r := range te.Tasks {
		for n, tk := range w.tasks {
			if tk.ID == r.ID {
				named = append(named, n)
			}
		}
		if r.Code == skygrid.ECONFLICT && (r.State == "" || r.Version == 0) {
			t.Errorf("refusal %+v: no state or version", r)
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("#%d", r.ID)) {
			t.Errorf("the message %q does not name task %d", err, r.ID)
		}
	}
	slices.Sort(named)
	if !slices.Equal(named, refused) {
		t.Errorf("refused %v, want %v", named, refused)
	}
}

// testCloseTwo closes two reported tasks, each with its audit line, then
// refuses the same again.
func testCloseTwo(t *testing.T) {
	ctx := context.Background()
	ref := closeRef
	w := newTaskWorld(t)
	*w.clock = now.Add(time.Hour)
	a4, a5 := taskState(t, w.db, w.tasks["a4"].ID), taskState(t, w.db, w.tasks["a5"].ID)
	u := w.users["officialA"]
	closed, err := w.db.CloseTasks(ctx, []skygrid.TaskRef{ref(a4), ref(a5)}, "属实，已处理", u)
	if err != nil || len(closed) != 2 {
		t.Fatalf("%d closed: %v", len(closed), err)
	}
	for _, before := range []*skygrid.Task{a4, a5} {
		tk := taskState(t, w.db, before.ID)
		if tk.State != skygrid.TaskClosed || tk.ReviewNote != "属实，已处理" || tk.ClosedBy != u.ID || !tk.ClosedAt.Equal(*w.clock) || tk.Version != before.Version+1 {
			t.Errorf("task %d: %s %q by %d at %s v%d", tk.ID, tk.State, tk.ReviewNote, tk.ClosedBy, tk.ClosedAt, tk.Version)
		}
		log, _ := w.db.FindAudit(ctx, "task", fmt.Sprint(tk.ID), 0)
		var closes int
		for _, e := range log {
			if e.Action == "task.close" && e.Actor == "officialA" && strings.Contains(e.Before, "state=reported") &&
				strings.Contains(e.After, "state=closed") && strings.Contains(e.After, `review="属实，已处理"`) {
				closes++
			}
		}
		if closes != 1 {
			t.Errorf("task %d: %d audit lines for its close", tk.ID, closes)
		}
	}
	// The same again: both changed meanwhile.
	_, err = w.db.CloseTasks(ctx, []skygrid.TaskRef{ref(a4), ref(a5)}, "again", u)
	var te *skygrid.TasksError
	if !errors.As(err, &te) || skygrid.ErrorCode(err) != skygrid.ECONFLICT || len(te.Tasks) != 2 || te.Tasks[0].State != skygrid.TaskClosed {
		t.Errorf("closing twice: %v", err)
	}
}

// One scope rule for a task list and a single task, also for rows the
// old code left behind: a task reassigned to a county or a township
// (before reassignment took grids only), one reassigned to a grid that
// was imported again without a parent, and the unassigned queue. Each
// user opens (and acts on) exactly the tasks their list holds.
func TestTaskInScopeIsTheListScope(t *testing.T) {
	w := newTaskWorld(t)
	ctx := context.Background()
	for _, u := range []*skygrid.User{
		{Name: "officialB", Role: skygrid.RoleOfficial, Regions: []string{countyB}},
		{Name: "officialT2", Role: skygrid.RoleOfficial, Regions: []string{townT2}},
		{Name: "supervisorB1", Role: skygrid.RoleSupervisor, Regions: []string{gridB1}},
	} {
		if err := w.db.CreateUser(ctx, u, "x"); err != nil {
			t.Fatal(err)
		}
		w.users[u.Name] = u
	}
	// Rows as the old code could leave them.
	for q, task := range map[string]string{
		"UPDATE tasks SET grid_id = '" + countyB + "' WHERE id = %d": "a1",
		"UPDATE tasks SET grid_id = '" + townT2 + "' WHERE id = %d":  "a2",
		"UPDATE tasks SET grid_id = 'gone-001' WHERE id = %d":        "b1",
	} {
		if err := w.db.ExecForTest(ctx, fmt.Sprintf(q, w.tasks[task].ID)); err != nil {
			t.Fatal(err)
		}
	}
	for name, u := range w.users {
		t.Run(name, func(t *testing.T) {
			scope := skygrid.ScopeOf(u)
			listed, _ := w.find(t, skygrid.TaskFilter{Scope: &scope})
			inList := map[int64]bool{}
			for _, tk := range listed {
				inList[tk.ID] = true
			}
			if name != "admin" && (len(listed) == 0 || len(listed) == len(w.tasks)) {
				t.Fatalf("%s lists %d of %d tasks: the test would prove nothing", name, len(listed), len(w.tasks))
			}
			for fname, f := range w.tasks {
				tk, err := w.db.FindTaskInScope(ctx, f.ID, scope)
				if (err == nil) != inList[f.ID] {
					t.Errorf("task %s: listed %v, opened: %v", fname, inList[f.ID], err)
				}
				if err == nil && (tk.ID != f.ID || (fname == "a4" && len(tk.Photos) != 1)) {
					t.Errorf("task %s: read %d with %d photos", fname, tk.ID, len(tk.Photos))
				}
				if err != nil && skygrid.ErrorCode(err) != skygrid.EFORBIDDEN {
					t.Errorf("task %s: %v, want forbidden", fname, err)
				}
				// An action agrees too: a stale version is a conflict when
				// the task is theirs, forbidden when not.
				_, err = w.db.UpdateTask(ctx, f.ID, 999999, skygrid.ActionNote, u, skygrid.TaskChange{Notes: "x"}, nil)
				if want := map[bool]string{true: skygrid.ECONFLICT, false: skygrid.EFORBIDDEN}[inList[f.ID]]; skygrid.ErrorCode(err) != want {
					t.Errorf("task %s: a stale note: %v, want %s", fname, err, want)
				}
			}
			if _, err := w.db.FindTaskInScope(ctx, 999999, scope); skygrid.ErrorCode(err) != map[bool]string{true: skygrid.ENOTFOUND, false: skygrid.EFORBIDDEN}[scope.All] {
				t.Errorf("a task that does not exist: %v", err)
			}
		})
	}
}

// Reassignment takes a grid of the user's area only: a county or a
// township is refused (nobody would act on the task), and so is another
// area's grid or an unknown id.
func TestReassignTakesGridsOnly(t *testing.T) {
	w := newTaskWorld(t)
	ctx := context.Background()
	for _, tc := range []struct {
		user, grid, code, says string
	}{
		{"officialA", countyA, skygrid.EINVALID, "is a county, not a grid"},
		{"officialA", townT2, skygrid.EINVALID, "is a township, not a grid"},
		{"admin", countyB, skygrid.EINVALID, "is a county, not a grid"},
		{"admin", "nowhere", skygrid.EINVALID, "not imported"},
		{"officialA", gridB1, skygrid.EFORBIDDEN, "not in your area"},
		{"officialA", countyB, skygrid.EFORBIDDEN, "not in your area"},
		{"officialT1", gridA2, skygrid.EFORBIDDEN, "not in your area"},
		{"officialA", "nowhere", skygrid.EFORBIDDEN, "not in your area"},
		{"officialA", gridA3, "", ""},
	} {
		t.Run(tc.user+"-"+tc.grid, func(t *testing.T) {
			task := taskState(t, w.db, w.tasks["a2"].ID)
			got, err := w.db.UpdateTask(ctx, task.ID, task.Version, skygrid.ActionReassign, w.users[tc.user], skygrid.TaskChange{GridID: tc.grid}, nil)
			if skygrid.ErrorCode(err) != tc.code || (err != nil && !strings.Contains(err.Error(), tc.says)) {
				t.Fatalf("%v, want %s %q", err, tc.code, tc.says)
			}
			if after := taskState(t, w.db, task.ID); err != nil && after.GridID != task.GridID {
				t.Errorf("refused, but the task moved to %s", after.GridID)
			} else if err == nil && (got.GridID != tc.grid || after.GridID != tc.grid) {
				t.Errorf("reassigned to %s, stored %s", got.GridID, after.GridID)
			}
		})
	}
}
