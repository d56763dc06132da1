package store

import (
	"context"
	"database/sql"
	"strings"

	"skygrid"
)

var _ skygrid.TaskService = (*DB)(nil)

const taskCols = `t.id, t.event_id, COALESCE(t.grid_id, ''), COALESCE(t.supervisor_id, 0), COALESCE(s.name, ''), t.state,
	t.ack_due, t.report_due, t.created_at, t.updated_at, e.class, COALESCE(e.county_id, '')`

func scanTask(rows *sql.Rows, extra ...any) (*skygrid.Task, error) {
	t := &skygrid.Task{}
	var ack, rep, created, updated string
	dest := []any{&t.ID, &t.EventID, &t.GridID, &t.SupervisorID, &t.SupervisorName, &t.State, &ack, &rep, &created, &updated, &t.EventClass, &t.CountyID}
	if err := rows.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	t.AckDue, t.ReportDue, t.CreatedAt, t.UpdatedAt = parseTS(ack), parseTS(rep), parseTS(created), parseTS(updated)
	return t, nil
}

// FindTasks returns matching tasks, newest first, and the total.
func (db *DB) FindTasks(ctx context.Context, f skygrid.TaskFilter) ([]*skygrid.Task, int, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	return findTasks(ctx, tx, f, nil)
}

func findTasks(ctx context.Context, tx *Tx, f skygrid.TaskFilter, eventID *int64, eventIDs ...int64) ([]*skygrid.Task, int, error) {
	var conds []string
	var args []any
	if eventID != nil {
		conds, args = append(conds, "t.event_id = ?"), append(args, *eventID)
	}
	if len(eventIDs) > 0 {
		conds = append(conds, "t.event_id IN (?"+strings.Repeat(",?", len(eventIDs)-1)+")")
		for _, id := range eventIDs {
			args = append(args, id)
		}
	}
	if f.Since != nil {
		conds, args = append(conds, "t.created_at >= ?"), append(args, ts(*f.Since))
	}
	if f.Until != nil {
		conds, args = append(conds, "t.created_at < ?"), append(args, ts(*f.Until))
	}
	if f.CountyID != nil {
		conds, args = append(conds, "e.county_id = ?"), append(args, *f.CountyID)
	}
	if f.GridID != nil {
		conds, args = append(conds, "t.grid_id = ?"), append(args, *f.GridID)
	}
	if f.Class != nil {
		conds, args = append(conds, "e.class = ?"), append(args, *f.Class)
	}
	if f.State != nil {
		conds, args = append(conds, "t.state = ?"), append(args, *f.State)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+taskCols+`, COUNT(*) OVER () FROM tasks t
		JOIN events e ON e.id = t.event_id LEFT JOIN supervisors s ON s.id = t.supervisor_id`+where(conds)+
		` ORDER BY t.id DESC`+limitOffset(f.Limit, f.Offset), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*skygrid.Task
	n := 0
	for rows.Next() {
		t, err := scanTask(rows, &n)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, t)
	}
	return out, n, rows.Err()
}
