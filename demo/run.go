package demo

import (
	"bytes"
	"container/heap"
	"context"
	"fmt"
	"math/rand/v2"
	"skygrid/dispatch"
	"skygrid/evidence"
	"slices"
	"time"

	"skygrid"
)

// Store is what the demo's replay works through: the real services.
type Store interface {
	skygrid.TaskService
	skygrid.EventService
	CreateUser(ctx context.Context, u *skygrid.User, passwordHash string) error
}

// File is an archived fire file and when it arrives.
type File struct {
	Name    string
	Data    []byte
	Arrival time.Time
}

// Replay replays an archive as if it had come live: each file is
// ingested with the clock at its arrival, and each task it makes gets an
// invented history (PlanTask) done through the task service by the
// grid's supervisor and the county's official at the planned times, with
// the escalation clock running in between, all in time order, until Until.
// Near the end the official of WanggeGrid's county hands a few of the
// last day's unanswered tasks over to that grid's supervisor (改派), who
// acknowledges some: open tasks that are not yet overdue at Until.
type Replay struct {
	Pipeline *dispatch.Pipeline
	Store    Store
	// SetClock moves the clock the store and the pipeline read.
	SetClock func(time.Time)
	Photos   evidence.Files
	Until    time.Time
	// Officials by county id; Wangge supervises WanggeGrid. Other grids'
	// supervisors get a user (named "wg" and the grid id, with
	// PasswordHash) when they first act; Supervisors give their names.
	Officials    map[string]*skygrid.User
	Wangge       *skygrid.User
	WanggeGrid   string
	Supervisors  map[string]*skygrid.Supervisor
	PasswordHash string
	// HandOver is how many tasks are handed over to Wangge (default 6,
	// two of them acknowledged).
	HandOver int

	users  map[string]*skygrid.User
	events map[int64]*skygrid.Event
	tasks  map[int64]*skygrid.Task // as the last step left them
	pics   demoPhotos
	queue  demoQueue
	seq    int
}

// Result counts what the replay did.
type Result struct {
	Batch       skygrid.IngestBatch
	Actions     map[string]int
	Photos      int
	Escalations int
	Users       int
}

type demoItem struct {
	at   time.Time
	kind int // 0 ingest, 1 escalation, 2 step
	seq  int
	file *File
	step Step
}

type demoQueue []*demoItem

func (q demoQueue) Len() int { return len(q) }
func (q demoQueue) Less(i, j int) bool {
	a, b := q[i], q[j]
	if !a.at.Equal(b.at) {
		return a.at.Before(b.at)
	}
	if a.kind != b.kind {
		return a.kind < b.kind
	}
	return a.seq < b.seq
}
func (q demoQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *demoQueue) Push(x any)   { *q = append(*q, x.(*demoItem)) }
func (q *demoQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

func (r *Replay) push(it *demoItem) {
	r.seq++
	it.seq = r.seq
	heap.Push(&r.queue, it)
}

// Run replays the files (in order; a file never arrives before the one
// before it) and returns what it did.
func (r *Replay) Run(ctx context.Context, files []File) (*Result, error) {
	r.users, r.events, r.tasks = map[string]*skygrid.User{}, map[int64]*skygrid.Event{}, map[int64]*skygrid.Task{}
	if r.Wangge != nil {
		r.users[r.WanggeGrid] = r.Wangge
	}
	if r.HandOver == 0 {
		r.HandOver = 6
	}
	res := &Result{Actions: map[string]int{}}
	var last time.Time
	for i := range files {
		if files[i].Arrival.Before(last) {
			files[i].Arrival = last
		}
		last = files[i].Arrival
		if !files[i].Arrival.After(r.Until) {
			r.push(&demoItem{at: files[i].Arrival, kind: 0, file: &files[i]})
		}
	}
	pctx, err := r.Pipeline.LoadContext(ctx)
	if err != nil {
		return nil, err
	}
	// The passes come as the live feed's would.
	actor := r.Pipeline.Actor
	r.Pipeline.Actor = "feed"
	defer func() { r.Pipeline.Actor = actor }()
	handed := 0
	for r.queue.Len() > 0 {
		it := heap.Pop(&r.queue).(*demoItem)
		r.SetClock(it.at)
		switch it.kind {
		case 0:
			b, err := r.Pipeline.Ingest(ctx, bytes.NewReader(it.file.Data), it.file.Name, dispatch.IngestOptions{Context: pctx, ArrivedAt: it.at, Origin: "feed"})
			if err != nil {
				return nil, err
			}
			res.Batch.AddCounts(b)
			if err := r.plan(ctx, it.at, &handed); err != nil {
				return nil, err
			}
		case 1:
			n, err := dispatch.Escalate(ctx, r.Store, skygrid.DefaultEscalation(), it.at)
			if err != nil {
				return nil, fmt.Errorf("demo escalation at %s: %w", it.at, err)
			}
			res.Escalations += n
		case 2:
			if err := r.do(ctx, it.step, res); err != nil {
				return nil, fmt.Errorf("demo %s of task %d at %s: %w", it.step.Action, it.step.TaskID, it.at, err)
			}
		}
	}
	r.SetClock(r.Until)
	res.Users = len(r.users)
	return res, nil
}

// plan invents the history of the tasks a batch made (created at at).
func (r *Replay) plan(ctx context.Context, at time.Time, handed *int) error {
	tasks, _, err := r.Store.FindTasks(ctx, skygrid.TaskFilter{Since: &at})
	if err != nil {
		return err
	}
	slices.SortFunc(tasks, func(a, b *skygrid.Task) int { return int(a.ID - b.ID) })
	last := at.After(r.Until.Add(-3 * time.Hour))
	wanggeCounty := countyOf(r.WanggeGrid)
	for _, t := range tasks {
		if r.events[t.ID] != nil {
			continue // planned with an earlier file of the same minute
		}
		id := t.EventID
		es, _, err := r.Store.FindEvents(ctx, skygrid.EventFilter{ID: &id})
		if err != nil || len(es) == 0 {
			return fmt.Errorf("demo: event %d of task %d: %v", id, t.ID, err)
		}
		e := es[0]
		r.events[t.ID], r.tasks[t.ID] = e, t
		var steps []Step
		if last && *handed < r.HandOver && t.CountyID == wanggeCounty && t.GridID != r.WanggeGrid && t.GridID != "" {
			steps = r.handOver(t, *handed)
			*handed++
		} else {
			steps = PlanTask(t, e, r.Until)
			if t.GridID == r.WanggeGrid {
				steps = r.wanggeOwn(t, steps)
			}
			if t.CountyID == wanggeCounty && !t.CreatedAt.Before(r.Until.Add(-30*time.Hour)) {
				steps = awaitReview(steps)
			}
		}
		for _, s := range steps {
			r.push(&demoItem{at: s.At, kind: 2, step: s})
		}
		r.escalationTicks(t)
	}
	return nil
}

// wanggeOwn is the story of Wangge's own tasks: those of the last five
// days he has not acknowledged yet (overdue, escalated: the field
// workflow can start from them), the older ones as planned, but never
// left acknowledged and unreported (such a task would head his list).
func (r *Replay) wanggeOwn(t *skygrid.Task, steps []Step) []Step {
	if !t.CreatedAt.Before(r.Until.Add(-5*24*time.Hour)) || (len(steps) == 1 && steps[0].Action == skygrid.ActionAcknowledge) {
		return nil
	}
	return steps
}

// awaitReview leaves out the review of a report (the official of the
// demo's county has not reviewed since the day before: reports wait in
// the list), and what would follow it.
func awaitReview(steps []Step) []Step {
	for i, s := range steps {
		if s.By == DemoByOfficial {
			return steps[:i]
		}
	}
	return steps
}

// countyOf is the county of a generated grid id (COUNTY-RRR-CCC).
func countyOf(grid string) string {
	if len(grid) >= 6 {
		return grid[:6]
	}
	return ""
}

// handOver is the story of a task handed over to Wangge: its own
// supervisor does not answer; from 22 minutes before Until the county's
// official reassigns it (3 minutes apart) to Wangge's grid, who
// acknowledges the first two at once.
func (r *Replay) handOver(t *skygrid.Task, i int) []Step {
	at := r.Until.Add(-22*time.Minute + time.Duration(3*i)*time.Minute)
	steps := []Step{{At: at, TaskID: t.ID, Action: skygrid.ActionReassign, By: DemoByOfficial,
		Change: skygrid.TaskChange{GridID: r.WanggeGrid}}}
	if i < 2 {
		steps = append(steps, Step{At: at.Add(4 * time.Minute), TaskID: t.ID, Action: skygrid.ActionAcknowledge, By: DemoBySupervisor})
	}
	return steps
}

// escalationTicks runs the escalation clock a minute after each deadline
// of the task, as serve's does every minute.
func (r *Replay) escalationTicks(t *skygrid.Task) {
	for _, at := range []time.Time{t.AckDue, t.ReportDue, t.ReportDue.Add(t.ReportDue.Sub(t.CreatedAt))} {
		at = at.Add(time.Minute)
		if !at.After(r.Until) {
			r.push(&demoItem{at: at, kind: 1})
		}
	}
}

// do applies one step through the task service as its user.
func (r *Replay) do(ctx context.Context, s Step, res *Result) error {
	t := r.tasks[s.TaskID]
	u, err := r.actor(ctx, s.By, t)
	if err != nil || u == nil {
		return err // no one to act (the unassigned queue): left as it is
	}
	var photos []*skygrid.Photo
	if s.Action == skygrid.ActionReport {
		if photos, err = r.photos(s, t); err != nil {
			return err
		}
		res.Photos += len(photos)
	}
	// Version 0: the step is checked against the task's state, whatever
	// the pipeline and the escalation clock did to it meanwhile.
	nt, err := r.Store.UpdateTask(ctx, t.ID, 0, s.Action, u, s.Change, photos)
	if err != nil {
		return err
	}
	r.tasks[t.ID] = nt
	res.Actions[s.Action]++
	if s.Action == skygrid.ActionReassign {
		r.escalationTicksFrom(s.At, t)
	}
	return nil
}

// escalationTicksFrom runs the escalation clock after the deadlines a
// reassignment at at gives (t as it was before: the same time again).
func (r *Replay) escalationTicksFrom(at time.Time, t *skygrid.Task) {
	from := t.CreatedAt
	if !t.DispatchedAt.IsZero() {
		from = t.DispatchedAt
	}
	r.escalationTicks(&skygrid.Task{CreatedAt: at, AckDue: at.Add(t.AckDue.Sub(from)), ReportDue: at.Add(t.ReportDue.Sub(from))})
}

// actor is the user who takes a step: the county's official, or the
// supervisor of the task's grid (made on first use).
func (r *Replay) actor(ctx context.Context, by string, t *skygrid.Task) (*skygrid.User, error) {
	if by == DemoByOfficial {
		return r.Officials[t.CountyID], nil
	}
	if t.GridID == "" {
		return nil, nil
	}
	if u := r.users[t.GridID]; u != nil {
		return u, nil
	}
	// No phone: the registered supervisor's invented number (100-0000-NNNN)
	// is meant never to reach anyone, and a user's phone must be a real
	// number's shape; reviewers call the grid's registered supervisor.
	u := &skygrid.User{Name: "wg" + t.GridID, Role: skygrid.RoleSupervisor, Regions: []string{t.GridID}}
	if err := r.Store.CreateUser(ctx, u, r.PasswordHash); err != nil {
		return nil, err
	}
	r.users[t.GridID] = u
	return u, nil
}

// photos makes a report's invented photos, taken on the spot a few
// minutes before the report, and stores them.
func (r *Replay) photos(s Step, t *skygrid.Task) ([]*skygrid.Photo, error) {
	e := r.events[t.ID]
	rng := rand.New(rand.NewPCG(uint64(t.ID), uint64(t.Reports)))
	var out []*skygrid.Photo
	for k := range max(s.Photos, 1) {
		at := s.At.Add(-minutes(rng, 2, 12))
		p := e.Point
		if s.Change.Point != nil {
			p = jitter(*s.Change.Point, rng.Float64()*30, rng)
		}
		ph, err := r.pics.photo(r.Photos, s.Change.Finding, uint64(t.ID)+uint64(k), at, p, e)
		if err != nil {
			return nil, err
		}
		out = append(out, ph)
	}
	return out, nil
}
