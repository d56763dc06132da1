package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"skygrid"
)

// regionUp is what a task's list columns need of a region: its parent and
// its level.
type regionUp struct {
	parent sql.NullString
	level  string
}

// createTasks writes new tasks many to a statement (on PostgreSQL copied
// in: copyTasks), with ids counted on from the largest (the ingest is the
// only writer) and their list columns (see taskLists), then queues their
// notifications.
func (t *ingestTx) createTasks(ctx context.Context, tasks []*skygrid.Task) error {
	t.eventsChanged = t.eventsChanged || len(tasks) > 0 // the events layer shows task states
	if len(tasks) == 0 {
		return nil
	}
	if err := t.loadTaskFacts(ctx); err != nil {
		return err
	}
	for _, tk := range tasks {
		tk.ID, tk.CreatedAt, tk.UpdatedAt = t.nextTask, t.tx.now, t.tx.now
		t.nextTask++
	}
	if t.tx.db.postgres {
		return t.copyTasks(ctx, tasks)
	}
	for len(tasks) > 0 {
		k, q, args := t.taskStmt(tasks)
		if _, err := t.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("create tasks: %w", err)
		}
		if err := t.notifyCreated(ctx, tasks[:k]); err != nil {
			return fmt.Errorf("notify tasks: %w", err)
		}
		tasks = tasks[k:]
	}
	return nil
}

const taskInsertCols = `INSERT INTO tasks (id, event_id, grid_id, supervisor_id, state, ack_due, report_due, created_at, updated_at,
	list_first_seen, list_county_id, list_township_id) VALUES `

// taskStmt is the INSERT of the first tasks of es, how many it writes and
// its arguments: manyRows tasks alike (taskRun: their state, deadlines
// and times) with those values written in as literals, binding 7 values a
// task, not 12, else the tasks up to the next such run (at most
// manyRows) binding every value.
func (t *ingestTx) taskStmt(tasks []*skygrid.Task) (int, string, []any) {
	n := taskRun(tasks)
	if n == manyRows {
		if q, ok := t.taskQuery(tasks[0]); ok {
			args := make([]any, 0, 7*n)
			for _, tk := range tasks[:n] {
				first, county, township := t.taskLists(tk)
				args = append(args, tk.ID, tk.EventID, nullStr(tk.GridID), supervisorArg(tk), first, county, township)
			}
			return n, q, args
		}
	}
	k := boundRows(n, len(tasks), manyRows, func(i int) int { return taskRun(tasks[i:]) })
	q := taskInsertCols + valuesRows(k, 12)
	args := make([]any, 0, 12*k)
	for _, tk := range tasks[:k] {
		args = t.appendTask(args, tk)
	}
	return k, q, args
}

// appendTask appends tk's values in taskInsertCols order to args.
func (t *ingestTx) appendTask(args []any, tk *skygrid.Task) []any {
	first, county, township := t.taskLists(tk)
	return append(args, tk.ID, tk.EventID, nullStr(tk.GridID), supervisorArg(tk), tk.State, ts(tk.AckDue), ts(tk.ReportDue),
		ts(tk.CreatedAt), ts(tk.UpdatedAt), first, county, township)
}

// taskRun is how many of the first tasks (at most manyRows) share the
// first one's state, deadlines and times.
func taskRun(tasks []*skygrid.Task) int {
	a := tasks[0]
	n := 1
	for n < len(tasks) && n < manyRows {
		b := tasks[n]
		if b.State != a.State || !b.AckDue.Equal(a.AckDue) || !b.ReportDue.Equal(a.ReportDue) || !b.CreatedAt.Equal(a.CreatedAt) ||
			!b.UpdatedAt.Equal(a.UpdatedAt) {
			break
		}
		n++
	}
	return n
}

// taskShared holds the values a run of tasks shares (taskRun).
type taskShared struct{ state, ackDue, reportDue, created, updated string }

// taskQuery is the INSERT of manyRows tasks sharing tk's state, deadlines
// and times with those written in; ok is false when they cannot be.
func (t *ingestTx) taskQuery(tk *skygrid.Task) (string, bool) {
	sh := taskShared{tk.State, ts(tk.AckDue), ts(tk.ReportDue), ts(tk.CreatedAt), ts(tk.UpdatedAt)}
	return literalQuery(&t.taskQueries, sh, taskInsertCols, manyRows, "")
}

// row is a task's VALUES row with sh's values written in.
func (sh taskShared) row() (string, bool) {
	lit, ok := sqlStrings(sh.state, sh.ackDue, sh.reportDue, sh.created, sh.updated)
	if !ok {
		return "", false
	}
	return "(?, ?, ?, ?, " + strings.Join(lit, ", ") + ", ?, ?, ?)", true
}

func supervisorArg(tk *skygrid.Task) any {
	if tk.SupervisorID > 0 {
		return tk.SupervisorID
	}
	return nil
}

// loadTaskFacts reads, once, the next task id and every region's parent
// and level.
func (t *ingestTx) loadTaskFacts(ctx context.Context) error {
	if t.nextTask > 0 {
		return nil
	}
	if err := t.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM tasks`).Scan(&t.nextTask); err != nil {
		return fmt.Errorf("next task id: %w", err)
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT id, parent_id, level FROM regions`)
	if err != nil {
		return fmt.Errorf("region parents: %w", err)
	}
	defer rows.Close()
	t.parents = map[string]regionUp{}
	for rows.Next() {
		var id string
		var r regionUp
		if err := rows.Scan(&id, &r.parent, &r.level); err != nil {
			return fmt.Errorf("region parents: %w", err)
		}
		t.parents[id] = r
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("region parents: %w", err)
	}
	return nil
}

// taskLists are a new task's list columns as the insert trigger of
// 0010_lists.sql computes them: its event's first sight, and its county
// and township, its grid's (by the grid's parents) or, for a task without
// a grid or whose grid's parent is neither, its event's. For a task whose
// event was not saved in this transaction they are empty: the trigger
// fills them.
func (t *ingestTx) taskLists(tk *skygrid.Task) (first, county, township string) {
	e := t.saved[tk.EventID]
	if e == nil {
		return "", "", ""
	}
	county, township = e.CountyID, e.TownshipID
	if g, ok := t.parents[tk.GridID]; ok && tk.GridID != "" && g.parent.Valid {
		switch p := t.parents[g.parent.String]; p.level {
		case skygrid.LevelCounty:
			county, township = g.parent.String, ""
		case skygrid.LevelTownship:
			county, township = p.parent.String, g.parent.String
		}
	}
	return ts(e.FirstSeen), county, township
}
