package api_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"skygrid"
)

type listedTask struct {
	skygrid.Task
	Overdue bool    `json:"overdue"`
	Lon     float64 `json:"lon"`
	Lat     float64 `json:"lat"`
}

type listBody struct {
	Tasks []listedTask `json:"tasks"`
	Total int          `json:"total"`
	Now   time.Time    `json:"now"`
}

func ids(ts []listedTask) []int64 {
	out := make([]int64, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

// The list's query parameters reach the store as the filter they name,
// for the user's area: each answer is compared with the store's own
// answer for the same filter and scope.
func TestTaskListParameters(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	// 45 minutes after a task was dispatched, it is acknowledged and not
	// yet late with its report (at the server's clock; by the wall clock,
	// years later, it is), while tasks dispatched earlier are late.
	first := w.taskIn(t, w.gridA)
	*w.clock = first.CreatedAt.Add(5 * time.Minute)
	if st := w.do(t, "supervisorA", "POST", fmt.Sprintf("/api/tasks/%d/acknowledge", first.ID), map[string]any{}, nil); st != 200 {
		t.Fatal(st)
	}
	*w.clock = first.CreatedAt.Add(45 * time.Minute)
	now := *w.clock
	scopeA := &skygrid.Scope{Regions: []string{w.countyA}}
	if over, _, _ := w.db.FindTasks(ctx, skygrid.TaskFilter{Overdue: &now, ID: &first.ID}); len(over) != 0 {
		t.Fatal("the acknowledged task is overdue: the clock case proves nothing")
	}
	for _, tt := range []struct {
		name   string
		user   string
		query  string
		filter skygrid.TaskFilter
	}{
		{"everything, newest first", "auditor", "", skygrid.TaskFilter{}},
		{"the official's area", "officialA", "", skygrid.TaskFilter{Scope: scopeA}},
		{"a county", "auditor", "county=" + w.countyB, skygrid.TaskFilter{CountyID: &w.countyB}},
		{"another county, for an official", "officialA", "county=" + w.countyB, skygrid.TaskFilter{Scope: scopeA, CountyID: &w.countyB}},
		{"a grid", "officialA", "grid=" + w.gridA, skygrid.TaskFilter{Scope: scopeA, GridID: &w.gridA}},
		{"states by commas", "auditor", "state=dispatched,closed", skygrid.TaskFilter{States: []string{"dispatched", "closed"}}},
		{"states repeated", "auditor", "state=dispatched&state=reported", skygrid.TaskFilter{States: []string{"dispatched", "reported"}}},
		{"open", "officialA", "state=open", skygrid.TaskFilter{Scope: scopeA, States: []string{"dispatched", "acknowledged", "reported"}}},
		{"overdue at the server's clock", "officialA", "overdue=true", skygrid.TaskFilter{Scope: scopeA, Overdue: &now}},
		{"first seen between", "auditor", "date=first_seen&since=2023-10-10&until=2023-10-20&sort=first_seen",
			skygrid.TaskFilter{DateField: skygrid.TaskDateFirstSeen, Since: ptrTime(time.Date(2023, 10, 9, 16, 0, 0, 0, time.UTC)),
				Until: ptrTime(time.Date(2023, 10, 19, 16, 0, 0, 0, time.UTC)), Sort: skygrid.TaskSortFirstSeen, Desc: true}},
		{"search a grid id", "officialA", "q=" + w.gridA, skygrid.TaskFilter{Scope: scopeA, Query: w.gridA}},
		{"search a task id", "officialA", "q=%23" + fmt.Sprint(first.ID), skygrid.TaskFilter{Scope: scopeA, Query: fmt.Sprint("#", first.ID)}},
		{"deadline, ascending by default", "officialA", "sort=deadline", skygrid.TaskFilter{Scope: scopeA, Sort: skygrid.TaskSortDeadline}},
		{"place, descending", "auditor", "sort=place&order=desc", skygrid.TaskFilter{Sort: skygrid.TaskSortPlace, Desc: true}},
		{"created, newest first by default", "auditor", "sort=created", skygrid.TaskFilter{Sort: skygrid.TaskSortCreated, Desc: true}},
		{"page 2 by state", "auditor", "sort=state&limit=50&offset=50", skygrid.TaskFilter{Sort: skygrid.TaskSortState, Limit: 50, Offset: 50}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got listBody
			if st := w.do(t, tt.user, "GET", "/api/tasks?"+tt.query, nil, &got); st != 200 {
				t.Fatalf("status %d", st)
			}
			want, n, err := w.db.FindTasks(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			wantIDs := make([]int64, len(want))
			for i, tk := range want {
				wantIDs[i] = tk.ID
			}
			if got.Total != n || !slices.Equal(ids(got.Tasks), wantIDs) {
				t.Errorf("total %d %v, want %d %v", got.Total, ids(got.Tasks), n, wantIDs)
			}
			if n == 0 && !strings.Contains(tt.name, "another county") {
				t.Error("no tasks: the case proves nothing")
			}
			if !got.Now.Equal(now) {
				t.Errorf("now %s, want the server's clock %s", got.Now, now)
			}
			for _, tk := range got.Tasks {
				if tk.Overdue != tk.Task.Overdue(now) || tk.Lon == 0 || tk.Lat == 0 || tk.FirstSeen.IsZero() {
					t.Errorf("task %d: overdue %v (%s), at %v,%v, first seen %s", tk.ID, tk.Overdue, tk.State, tk.Lon, tk.Lat, tk.FirstSeen)
				}
			}
		})
	}
	for _, q := range []string{"state=done", "state=open,nope", "sort=id", "order=up", "date=seen", "overdue=maybe", "q=" + strings.Repeat("x", 101)} {
		var eb errorBody
		if st := w.do(t, "auditor", "GET", "/api/tasks?"+q, nil, &eb); st != 400 || eb.Error.Code != skygrid.EINVALID {
			t.Errorf("%s: %d %s", q, st, eb.Error.Message)
		}
	}
}

func ptrTime(t time.Time) *time.Time { return &t }

// reportIn has the grid's supervisor acknowledge and report n open tasks
// of the grid; it returns them as reported.
func (w *world) reportIn(t *testing.T, grid, supervisor string, n int) []taskView {
	t.Helper()
	st := skygrid.TaskDispatched
	open, _, err := w.db.FindTasks(context.Background(), skygrid.TaskFilter{GridID: &grid, State: &st})
	if err != nil || len(open) < n {
		t.Fatalf("%d open tasks in %s: %v", len(open), grid, err)
	}
	var out []taskView
	for _, tk := range open[:n] {
		var v taskView
		if st := w.do(t, supervisor, "POST", fmt.Sprintf("/api/tasks/%d/acknowledge", tk.ID), map[string]any{"version": tk.Version}, &v); st != 200 {
			t.Fatalf("acknowledge %d: %d", tk.ID, st)
		}
		if st, b := w.report(t, supervisor, tk.ID, v.Version, "straw_burning", "at_event.jpg"); st != 200 {
			t.Fatalf("report %d: %d %s", tk.ID, st, b)
		}
		r, _ := w.db.FindTaskByID(context.Background(), tk.ID)
		out = append(out, taskView{Task: *r})
	}
	return out
}

type closeError struct {
	Error struct {
		Code, Message string
		Tasks         []skygrid.TaskRefusal `json:"tasks"`
	} `json:"error"`
}

// POST /api/tasks/close: scope, stale versions and roles refuse the whole
// request and close nothing; otherwise every task is closed with the
// note and its own audit line.
func TestBulkClose(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	mine := w.reportIn(t, w.gridA, "supervisorA", 3)
	theirs := w.reportIn(t, w.gridB, "supervisorB", 1)
	ref := func(v taskView) map[string]int64 { return map[string]int64{"id": v.ID, "version": v.Version} }
	stillReported := func(t *testing.T, vs ...taskView) {
		t.Helper()
		for _, v := range vs {
			if tk, _ := w.db.FindTaskByID(ctx, v.ID); tk.State != skygrid.TaskReported || tk.Version != v.Version {
				t.Errorf("task %d is %s v%d, want reported v%d", v.ID, tk.State, tk.Version, v.Version)
			}
		}
	}
	for _, tt := range []struct {
		name   string
		user   string
		body   any
		status int
		named  []int64
	}{
		{"another county's task", "officialA", map[string]any{"tasks": []any{ref(mine[0]), ref(theirs[0])}, "notes": "x"}, 403, []int64{theirs[0].ID}},
		{"a stale version", "officialA", map[string]any{"tasks": []any{ref(mine[0]), map[string]int64{"id": mine[1].ID, "version": mine[1].Version - 1}}},
			409, []int64{mine[1].ID}},
		{"a supervisor", "supervisorA", map[string]any{"tasks": []any{ref(mine[0])}}, 403, nil},
		{"no tasks", "officialA", map[string]any{"tasks": []any{}}, 400, nil},
		{"not JSON", "officialA", "tasks", 400, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var eb closeError
			if st := w.do(t, tt.user, "POST", "/api/tasks/close", tt.body, &eb); st != tt.status {
				t.Fatalf("status %d %s, want %d", st, eb.Error.Message, tt.status)
			}
			var named []int64
			for _, r := range eb.Error.Tasks {
				named = append(named, r.ID)
				if !strings.Contains(eb.Error.Message, fmt.Sprintf("#%d", r.ID)) {
					t.Errorf("message %q does not name %d", eb.Error.Message, r.ID)
				}
			}
			if tt.named != nil && !slices.Equal(named, tt.named) {
				t.Errorf("named %v (%s), want %v", named, eb.Error.Message, tt.named)
			}
			stillReported(t, append(mine, theirs...)...)
		})
	}
	var ok struct {
		Closed int             `json:"closed"`
		Tasks  []*skygrid.Task `json:"tasks"`
	}
	if st := w.do(t, "officialA", "POST", "/api/tasks/close", map[string]any{"tasks": []any{ref(mine[0]), ref(mine[1])}, "notes": "核实无误"}, &ok); st != 200 || ok.Closed != 2 {
		t.Fatalf("close: %d, %d closed", st, ok.Closed)
	}
	for _, v := range mine[:2] {
		tk, _ := w.db.FindTaskByID(ctx, v.ID)
		log, _ := w.db.FindAudit(ctx, "task", fmt.Sprint(v.ID), 0)
		if tk.State != skygrid.TaskClosed || tk.ReviewNote != "核实无误" || len(log) == 0 || log[0].Action != "task.close" || log[0].Actor != "officialA" {
			t.Errorf("task %d: %s %q; last audit line %+v", v.ID, tk.State, tk.ReviewNote, log[0])
		}
	}
	stillReported(t, mine[2], theirs[0])
	// The list shows them closed, with the note.
	var l listBody
	w.do(t, "officialA", "GET", "/api/tasks?state=closed&q="+url.QueryEscape(w.gridA), nil, &l)
	if !slices.Contains(ids(l.Tasks), mine[0].ID) || !slices.Contains(ids(l.Tasks), mine[1].ID) {
		t.Errorf("closed list %v", ids(l.Tasks))
	}
}
