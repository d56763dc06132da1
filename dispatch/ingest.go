package dispatch

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"skygrid"
	"skygrid/detect"
)

// store dedupes the rows read and runs them through detect and dispatch in
// one transaction.
func (p *Pipeline) store(ctx context.Context, c *Context, batch *skygrid.IngestBatch, rows *detect.Rows, sum *detect.ReadSummary) (*skygrid.IngestBatch, error) {
	batch.Format, batch.Rows, batch.Rejected, batch.Outside, batch.Errors = sum.Format, sum.Rows, sum.Rejected, sum.Left, sum.Errors
	// Order by dedupe key (so by minute) and drop repeats in the file.
	rows.SortDedupe(&batch.Duplicates)
	// The warnings in force, read before the transaction (fire deadlines).
	if err := p.Warnings.Refresh(ctx); err != nil {
		return nil, err
	}
	err := p.Store.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
		if err := tx.BeginBatch(ctx, batch); err != nil {
			return err
		}
		if err := dropStored(ctx, tx, rows, batch); err != nil {
			return err
		}
		r := rows
		rows = nil // process lets go of the rows once decided
		if err := p.process(ctx, tx, c, batch, r); err != nil {
			return err
		}
		if err := tx.FinishBatch(ctx, batch); err != nil {
			return err
		}
		return tx.Audit(ctx, &skygrid.AuditEntry{Actor: p.Actor, Action: "ingest", Entity: "batch", EntityID: fmt.Sprint(batch.ID),
			After: fmt.Sprintf("%s: %d rows, %d new, %d duplicates, %d rejected, %d outside; %d new events, %d new tasks",
				batch.File, batch.Rows, batch.New, batch.Duplicates, batch.Rejected, batch.Outside, batch.EventsNew, batch.TasksNew)})
	})
	if err != nil {
		return nil, fmt.Errorf("ingest %s: %w", batch.File, err)
	}
	return batch, nil
}

// dropStored drops the rows of detections stored by earlier files.
func dropStored(ctx context.Context, tx skygrid.IngestTx, rows *detect.Rows, batch *skygrid.IngestBatch) error {
	n := rows.Len()
	if n == 0 {
		return nil
	}
	stored, err := tx.StoredKeys(ctx, rows.Bound(), rows.Acq(0), rows.Acq(n-1))
	if err != nil || len(stored) == 0 {
		return err
	}
	batch.Duplicates += rows.Drop(func(i int) bool { return stored[rows.Key(i)] })
	return nil
}

// process runs detect and dispatch on the new hotspots of a batch (in key
// order) and stores them, their events and tasks: load the state, decide
// and write the hotspots, assign and dispatch the events, save, audit.
func (p *Pipeline) process(ctx context.Context, tx skygrid.IngestTx, c *Context, batch *skygrid.IngestBatch, rows *detect.Rows) error {
	if rows.Len() == 0 {
		return nil
	}
	q := c.Detector.Reach(rows)
	st, err := tx.LoadState(ctx, q)
	if err != nil {
		return err
	}
	dc := c.Detector.NewDecider(rows, q, st)
	st.Hotspots = nil // the decider has what it needs of them
	out, err := p.decideAll(ctx, tx, dc, rows, batch)
	if err != nil {
		return err
	}
	dc.Done()
	now := p.Now().UTC().Truncate(time.Second)
	res, err := p.dispatchEvents(ctx, tx, c, out, now, batch)
	if err != nil {
		return err
	}
	return p.save(ctx, tx, out, res, st.Supervisors, now)
}

// taskChunk is how many new tasks are made, saved and audited at a time:
// a file where most rows open their own event makes hundreds of thousands.
const taskChunk = 4096

// save stores the result in the order of one SaveResult (the events, the
// new tasks, the touched tasks) and queues the audit lines in the order
// events created, woken, tasks dispatched, updated, making the new tasks
// a chunk at a time so that neither they nor their lines are all held at
// once: the same rows, ids and lines as saving and auditing all at once.
func (p *Pipeline) save(ctx context.Context, tx skygrid.IngestTx, out *decided, res *dispatched, sups map[string]*skygrid.Supervisor,
	now time.Time) error {
	if err := tx.SaveResult(ctx, &skygrid.IngestResult{Events: res.Events}); err != nil {
		return err
	}
	if err := p.auditEvents(ctx, tx, out, res); err != nil {
		return err
	}
	for tasks := res.taskEvents; len(tasks) > 0; {
		k := min(len(tasks), taskChunk)
		r := &skygrid.IngestResult{NewTasks: make([]*skygrid.Task, k)}
		for i, e := range tasks[:k] {
			r.NewTasks[i] = p.newTask(e, sups, now)
		}
		if err := tx.SaveResult(ctx, r); err != nil {
			return err
		}
		if err := tx.Audit(ctx, p.taskLines(r.NewTasks)...); err != nil {
			return err
		}
		tasks = tasks[k:]
	}
	if err := tx.SaveResult(ctx, &skygrid.IngestResult{Touched: res.Touched}); err != nil {
		return err
	}
	return tx.Audit(ctx, p.touchedLines(res)...)
}

// decided is what deciding a batch's hotspots did to events: the indexes
// (in the decider) of the events they joined or opened, in creation order.
type decided struct {
	dc     *detect.Decider
	events []int
	// flags per event index: touched, new (a map per event was tens of
	// MB on a file where most rows open their own event)
	flags []uint8
}

const (
	evTouched uint8 = 1 << iota
	evNew
)

// isNew reports whether the batch opened event index ei.
func (out *decided) isNew(ei int) bool { return ei < len(out.flags) && out.flags[ei]&evNew != 0 }

// mark sets flags on event index ei.
func (out *decided) mark(ei int, f uint8) {
	if ei >= len(out.flags) {
		out.flags = append(out.flags, make([]uint8, ei+1-len(out.flags))...)
	}
	out.flags[ei] |= f
}

// decideAll decides every row and writes the hotspots: the store takes
// them (on its own goroutine, if it likes) while the next ones are
// decided.
func (p *Pipeline) decideAll(ctx context.Context, tx skygrid.IngestTx, dc *detect.Decider, rows *detect.Rows, batch *skygrid.IngestBatch) (*decided, error) {
	w, err := tx.WriteHotspots(ctx, rows.Acq(0), rows.Acq(rows.Len()-1))
	if err != nil {
		return nil, err
	}
	out, decErr := p.decideRows(ctx, tx, w, dc, rows, batch)
	n, err := w.Close(ctx)
	batch.New += n
	if err != nil {
		return nil, err
	}
	if decErr != nil {
		return nil, decErr
	}
	return out, nil
}

// decideRows decides the rows in order and hands them to w a chunk at a
// time.
func (p *Pipeline) decideRows(ctx context.Context, tx skygrid.IngestTx, w skygrid.HotspotWriter, dc *detect.Decider, rows *detect.Rows,
	batch *skygrid.IngestBatch) (*decided, error) {
	out := &decided{dc: dc}
	// One buffer of hotspots serves every chunk: Write copies what the
	// store needs.
	buf := make([]skygrid.Hotspot, insertChunk)
	cur := make([]*skygrid.Hotspot, 0, insertChunk)
	for i := 0; i < rows.Len(); i++ {
		h := &buf[len(cur)]
		rows.Fill(i, h, batch.ID)
		if i%progressRows == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		d := dc.Decide(i, h)
		if err := out.apply(ctx, tx, d, h, batch); err != nil {
			return nil, err
		}
		cur = append(cur, h)
		if len(cur) == insertChunk || i == rows.Len()-1 {
			if err := w.Write(ctx, cur); err != nil {
				return nil, err
			}
			cur = cur[:0]
		}
	}
	for ei, f := range out.flags {
		if f&evTouched != 0 {
			out.events = append(out.events, ei) // in index order
		}
	}
	return out, nil
}

// apply writes a decision into the hotspot and the batch's counts; a new
// event gets its id.
func (out *decided) apply(ctx context.Context, tx skygrid.IngestTx, d detect.Decision, h *skygrid.Hotspot, batch *skygrid.IngestBatch) error {
	h.Status, h.StatusReason = d.Status, d.Reason
	switch d.Status {
	case skygrid.StatusLowConfidence:
		batch.LowConfidence++
	case skygrid.StatusStatic:
		batch.Static++
	}
	if d.Dropped() {
		return nil
	}
	e := out.dc.Event(d.Event)
	if d.Opens {
		id, err := tx.NewEventID(ctx)
		if err != nil {
			return err
		}
		e.ID = id
		out.mark(d.Event, evNew)
	}
	out.mark(d.Event, evTouched)
	h.EventID = e.ID
	return nil
}

// dispatched is what dispatching a batch's events gives: what to save
// (the events, the touched tasks and the events to make tasks for), and
// the events woken from history and updated (for the audit).
type dispatched struct {
	skygrid.IngestResult
	taskEvents     []*skygrid.Event
	woken, updated []*skygrid.Event
}

// dispatchEvents places the new events of a batch and makes the tasks of
// the live ones, and of history events a fresh detection wakes; the other
// touched events of dispatched classes have their tasks touched. The rule
// of max_age: an event whose newest detection is older than max_age at
// now is history (no task).
func (p *Pipeline) dispatchEvents(ctx context.Context, tx skygrid.IngestTx, c *Context, out *decided, now time.Time,
	batch *skygrid.IngestBatch) (*dispatched, error) {
	res := &dispatched{}
	stale := now.Add(-p.Config.Dispatch.MaxAge.Duration)
	for _, ei := range out.events {
		e := out.dc.Event(ei)
		res.Events = append(res.Events, e)
		switch {
		case out.isNew(ei):
			p.assign(c, e)
			e.History = e.LastSeen.Before(stale)
			batch.EventsNew++
			if e.History {
				batch.History++
			}
			if e.CrossBorder {
				batch.CrossBorder++
			}
		case e.History && !e.LastSeen.Before(stale):
			// A history event seen again within max_age becomes live.
			batch.EventsUpdated++
			e.History = false
			res.woken = append(res.woken, e)
			if t, err := tx.TaskByEvent(ctx, e.ID); err != nil {
				return nil, err
			} else if t != nil {
				continue
			}
		default:
			batch.EventsUpdated++
			if skygrid.Dispatched(e.Class) && !e.History {
				res.updated = append(res.updated, e)
			}
			continue
		}
		if e.Live() {
			res.taskEvents = append(res.taskEvents, e)
		}
	}
	batch.TasksNew = len(res.taskEvents)
	return res, p.touchTasks(ctx, tx, res)
}

// newTask is the task of a live event, to its grid's supervisor.
func (p *Pipeline) newTask(e *skygrid.Event, sups map[string]*skygrid.Supervisor, now time.Time) *skygrid.Task {
	t := &skygrid.Task{EventID: e.ID, GridID: e.GridID, State: skygrid.TaskDispatched}
	if s := sups[e.GridID]; s != nil && e.GridID != "" {
		t.SupervisorID, t.SupervisorName = s.ID, s.Name
	}
	t.AckDue, t.ReportDue = p.Config.dueTimes(e.Class, now)
	p.warningDue(t, e.Class, e.CountyID, now)
	return t
}

// touchTasks finds the tasks of the updated events: new hotspots on an
// open event update its task, never a second task. An updated event
// without a task is left out of the audit.
func (p *Pipeline) touchTasks(ctx context.Context, tx skygrid.IngestTx, res *dispatched) error {
	kept := res.updated[:0]
	for _, e := range res.updated {
		t, err := tx.TaskByEvent(ctx, e.ID)
		if err != nil {
			return err
		}
		if t == nil {
			continue
		}
		res.Touched = append(res.Touched, t)
		kept = append(kept, e)
	}
	res.updated = kept
	return nil
}

// auditEvents queues the audit lines of the events created and woken.
func (p *Pipeline) auditEvents(ctx context.Context, tx skygrid.IngestTx, out *decided, res *dispatched) error {
	lines := make([]*skygrid.AuditEntry, 0, taskChunk)
	for _, ei := range out.events {
		if e := out.dc.Event(ei); out.isNew(ei) {
			lines = append(lines, p.auditLine("event.create", "event", e.ID, "", eventSummary(e)))
		}
		if len(lines) == cap(lines) {
			if err := tx.Audit(ctx, lines...); err != nil {
				return err
			}
			lines = lines[:0]
		}
	}
	for _, e := range res.woken {
		lines = append(lines, p.auditLine("event.live", "event", e.ID, "history=older_than_max_age", "live_from="+e.LastSeen.Format(time.RFC3339)))
	}
	return tx.Audit(ctx, lines...)
}

func (p *Pipeline) auditLine(action, entity string, id int64, before, after string) *skygrid.AuditEntry {
	return &skygrid.AuditEntry{Actor: p.Actor, Action: action, Entity: entity, EntityID: strconv.FormatInt(id, 10), Before: before, After: after}
}

// taskLines are the audit lines of new tasks (saved: they have their ids).
func (p *Pipeline) taskLines(tasks []*skygrid.Task) []*skygrid.AuditEntry {
	lines := make([]*skygrid.AuditEntry, len(tasks))
	var ack, report timeText // a chunk's tasks mostly share their deadlines
	for i, t := range tasks {
		who := t.SupervisorName
		if t.GridID == "" {
			who = "unassigned queue"
		} else if who == "" {
			who = "grid " + t.GridID + " (no supervisor)"
		}
		lines[i] = p.auditLine("task.dispatch", "task", t.ID, "", "event="+strconv.FormatInt(t.EventID, 10)+" to="+who+
			" ack_due="+ack.of(t.AckDue)+" report_due="+report.of(t.ReportDue))
	}
	return lines
}

// timeText formats times in RFC 3339, keeping the last one's text.
type timeText struct {
	t time.Time
	s string
}

func (f *timeText) of(t time.Time) string {
	if f.s == "" || t != f.t {
		f.t, f.s = t, t.Format(time.RFC3339)
	}
	return f.s
}

// touchedLines are the audit lines of the tasks whose events grew.
func (p *Pipeline) touchedLines(res *dispatched) []*skygrid.AuditEntry {
	lines := make([]*skygrid.AuditEntry, len(res.Touched))
	for i, t := range res.Touched {
		e := res.updated[i]
		lines[i] = p.auditLine("task.update", "task", t.ID, "", fmt.Sprintf("event=%d now %d hotspots, last seen %s", e.ID, e.HotspotCount, e.LastSeen.Format(time.RFC3339)))
	}
	return lines
}
