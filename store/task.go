package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"skygrid"

	"github.com/paulmach/orb"
)

var _ skygrid.TaskService = (*DB)(nil)

const taskCols = `t.id, t.event_id, COALESCE(t.grid_id, ''), COALESCE(t.supervisor_id, 0), COALESCE(s.name, ''), t.state,
	t.ack_due, t.report_due, t.created_at, t.updated_at, e.class, COALESCE(e.county_id, ''), COALESCE(e.township_id, ''),
	t.version, t.dispatched_at, t.acknowledged_at, t.finding, t.notes, t.reported_at, COALESCE(t.reported_by, 0), t.report_lon, t.report_lat,
	COALESCE(t.report_accuracy, 0), t.reports, t.closed_at, COALESCE(t.closed_by, 0), t.review_note, t.escalation, t.escalated_at,
	COALESCE(gp.level, ''), COALESCE(g.parent_id, ''), COALESCE(gp.parent_id, ''),
	COALESCE(g.name, ''), COALESCE(gp.name, ''), COALESCE((SELECT name FROM regions WHERE id = gp.parent_id), ''),
	COALESCE((SELECT name FROM regions WHERE id = e.township_id), ''), COALESCE((SELECT name FROM regions WHERE id = e.county_id), ''),
	COALESCE(s.phone, ''), e.first_seen, e.lon, e.lat`

// taskFrom is the FROM clause of taskCols: the task, its event, its
// supervisor, and the grid it is assigned to now with that grid's parent
// (a task's area follows its grid once reassigned, not its event).
const taskFrom = ` FROM tasks t JOIN events e ON e.id = t.event_id LEFT JOIN supervisors s ON s.id = t.supervisor_id
	LEFT JOIN regions g ON g.id = t.grid_id LEFT JOIN regions gp ON gp.id = g.parent_id`

// taskScopeCond keeps tasks in scope: a task with a grid by the grid, its
// parent and grandparent; one without (the city's unassigned queue) by
// its event's township and county.
func taskScopeCond(s *skygrid.Scope, args *[]any) string {
	if s == nil || s.All {
		return ""
	}
	if len(s.Regions) == 0 {
		return "0"
	}
	return "(CASE WHEN t.grid_id IS NOT NULL THEN " + scopeCond(s, args, "t.grid_id", "g.parent_id", "gp.parent_id") +
		" ELSE " + scopeCond(s, args, "e.township_id", "e.township_id", "e.county_id") + " END)"
}

func scanTask(rows interface{ Scan(...any) error }, extra ...any) (*skygrid.Task, error) {
	t := &skygrid.Task{}
	var ack, rep, created, updated, dispatched, acked, reported, closed, escalated, parentLevel, parent, grandparent string
	var parentName, grandparentName, firstSeen string
	var lon, lat sql.NullFloat64
	dest := []any{&t.ID, &t.EventID, &t.GridID, &t.SupervisorID, &t.SupervisorName, &t.State, &ack, &rep, &created, &updated,
		&t.EventClass, &t.CountyID, &t.TownshipID, &t.Version, &dispatched, &acked, &t.Finding, &t.Notes, &reported, &t.ReportedBy, &lon, &lat,
		&t.ReportAccuracy, &t.Reports, &closed, &t.ClosedBy, &t.ReviewNote, &t.Escalation, &escalated, &parentLevel, &parent, &grandparent,
		&t.GridName, &parentName, &grandparentName, &t.TownshipName, &t.CountyName,
		&t.SupervisorPhone, &firstSeen, &t.Lon, &t.Lat}
	if err := rows.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	t.AckDue, t.ReportDue, t.CreatedAt, t.UpdatedAt = parseTS(ack), parseTS(rep), parseTS(created), parseTS(updated)
	t.AcknowledgedAt, t.ReportedAt, t.ClosedAt, t.EscalatedAt = parseTS(acked), parseTS(reported), parseTS(closed), parseTS(escalated)
	t.DispatchedAt, t.FirstSeen = parseTS(dispatched), parseTS(firstSeen)
	if lon.Valid && lat.Valid {
		t.ReportPoint = &orb.Point{lon.Float64, lat.Float64}
	}
	// The area of a task with a grid is that grid's.
	switch parentLevel {
	case skygrid.LevelCounty:
		t.TownshipID, t.CountyID = "", parent
		t.TownshipName, t.CountyName = "", parentName
	case skygrid.LevelTownship:
		t.TownshipID, t.CountyID = parent, grandparent
		t.TownshipName, t.CountyName = parentName, grandparentName
	}
	return t, nil
}

// scopeCond is the SQL condition keeping rows in scope: the grid,
// township or county column holds one of the scope's regions. "" for
// everything; a scope with no regions keeps nothing.
func scopeCond(s *skygrid.Scope, args *[]any, grid, township, county string) string {
	if s == nil || s.All {
		return ""
	}
	if len(s.Regions) == 0 {
		return "0"
	}
	in := "(?" + strings.Repeat(",?", len(s.Regions)-1) + ")"
	for range 3 {
		for _, r := range s.Regions {
			*args = append(*args, r)
		}
	}
	return fmt.Sprintf("(%s IN %s OR %s IN %s OR %s IN %s)", grid, in, township, in, county, in)
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

// FindTaskByID returns a task with its photos.
func (db *DB) FindTaskByID(ctx context.Context, id int64) (*skygrid.Task, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findTaskByID(ctx, tx, id)
}

func findTaskByID(ctx context.Context, tx *Tx, id int64) (*skygrid.Task, error) {
	ts, _, err := findTasks(ctx, tx, skygrid.TaskFilter{ID: &id}, nil)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, skygrid.Errorf(skygrid.ENOTFOUND, "task %d not found", id)
	}
	t := ts[0]
	if t.Photos, err = findPhotos(ctx, tx, t.ID); err != nil {
		return nil, err
	}
	return t, nil
}

func findTasks(ctx context.Context, tx *Tx, f skygrid.TaskFilter, eventID *int64, eventIDs ...int64) ([]*skygrid.Task, int, error) {
	var conds []string
	var args []any
	if f.ID != nil {
		conds, args = append(conds, "t.id = ?"), append(args, *f.ID)
	}
	if eventID != nil {
		conds, args = append(conds, "t.event_id = ?"), append(args, *eventID)
	}
	if len(eventIDs) > 0 {
		conds = append(conds, "t.event_id IN (?"+strings.Repeat(",?", len(eventIDs)-1)+")")
		for _, id := range eventIDs {
			args = append(args, id)
		}
	}
	if c := taskScopeCond(f.Scope, &args); c != "" {
		conds = append(conds, c)
	}
	if f.Overdue != nil {
		now := ts(*f.Overdue)
		conds = append(conds, "((t.state = 'dispatched' AND (t.ack_due < ? OR t.report_due < ?)) OR (t.state = 'acknowledged' AND t.report_due < ?))")
		args = append(args, now, now, now)
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
	rows, err := tx.QueryContext(ctx, `SELECT `+taskCols+`, COUNT(*) OVER ()`+taskFrom+where(conds)+
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

func findPhotos(ctx context.Context, tx *Tx, taskID int64) ([]*skygrid.Photo, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, task_id, report, sha256, mime, size, width, height, taken_at, lon, lat, distance_m, flags,
		COALESCE(uploaded_by, 0), created_at FROM photos WHERE task_id = ? ORDER BY id`, taskID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*skygrid.Photo
	for rows.Next() {
		p := &skygrid.Photo{}
		var taken, flags, created string
		var lon, lat, dist sql.NullFloat64
		if err := rows.Scan(&p.ID, &p.TaskID, &p.Report, &p.SHA256, &p.Mime, &p.Size, &p.Width, &p.Height, &taken, &lon, &lat, &dist,
			&flags, &p.UploadedBy, &created); err != nil {
			return nil, err
		}
		p.TakenAt, p.CreatedAt = parseTS(taken), parseTS(created)
		if lon.Valid && lat.Valid {
			p.Point = &orb.Point{lon.Float64, lat.Float64}
		}
		if dist.Valid {
			d := dist.Float64
			p.DistanceM = &d
		}
		if flags != "" {
			p.Flags = strings.Split(flags, ",")
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PhotoTasks returns the tasks a photo (by SHA-256) belongs to (the same
// file may come with more than one report), so the API can check that the
// user may see one of them.
func (db *DB) PhotoTasks(ctx context.Context, sha string) ([]*skygrid.Task, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT DISTINCT task_id FROM photos WHERE sha256 = ? ORDER BY task_id`, sha)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) == 0 {
		return nil, skygrid.Errorf(skygrid.ENOTFOUND, "photo not found")
	}
	var out []*skygrid.Task
	for _, id := range ids {
		t, err := db.FindTaskByID(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func taskSummary(t *skygrid.Task) string {
	s := fmt.Sprintf("state=%s grid=%s version=%d", t.State, t.GridID, t.Version)
	if t.Finding != "" {
		s += " finding=" + t.Finding
	}
	if t.ReviewNote != "" {
		// Quoted: a reviewer's words may hold spaces and "key=".
		s += " review=" + strconv.Quote(t.ReviewNote)
	}
	if t.Escalation > 0 {
		s += fmt.Sprintf(" escalation=%d", t.Escalation)
	}
	return s
}

// UpdateTask applies an action in one transaction (see skygrid.TaskService).
func (db *DB) UpdateTask(ctx context.Context, id, version int64, action string, u *skygrid.User, c skygrid.TaskChange, photos []*skygrid.Photo) (*skygrid.Task, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	t, err := findTaskByID(ctx, tx, id)
	scope := skygrid.ScopeOf(u)
	if err != nil || !scope.Holds(t.GridID, t.TownshipID, t.CountyID) {
		if scope.All {
			return nil, err
		}
		// Out of scope and absent look the same: nothing leaks.
		return nil, skygrid.Errorf(skygrid.EFORBIDDEN, "task %d is not in your area", id)
	}
	if version != 0 && t.Version != version {
		return nil, skygrid.Errorf(skygrid.ECONFLICT, "task %d changed since you loaded it (version %d, now %d: %s); load it again", id, version, t.Version, t.State)
	}
	before := taskSummary(t)
	old := t.Version
	c.Photos = len(photos)
	if action == skygrid.ActionReassign {
		if err := checkReassign(ctx, tx, scope, c.GridID); err != nil {
			return nil, err
		}
	}
	if err := t.Transition(action, u, c, tx.now); err != nil {
		return nil, err
	}
	var lon, lat, acc any
	if t.ReportPoint != nil {
		lon, lat, acc = t.ReportPoint[0], t.ReportPoint[1], t.ReportAccuracy
	}
	var reportedBy, closedBy any
	if t.ReportedBy != 0 {
		reportedBy = t.ReportedBy
	}
	if t.ClosedBy != 0 {
		closedBy = t.ClosedBy
	}
	supervisor := any(nil)
	if action == skygrid.ActionReassign {
		var sid sql.NullInt64
		var sname sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT id, name FROM supervisors WHERE grid_id = ?`, t.GridID).Scan(&sid, &sname); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		if sid.Valid {
			supervisor = sid.Int64
		}
		t.SupervisorID, t.SupervisorName = sid.Int64, sname.String
	} else if t.SupervisorID != 0 {
		supervisor = t.SupervisorID
	}
	res, err := tx.ExecContext(ctx, `UPDATE tasks SET state = ?, grid_id = ?, supervisor_id = ?, version = ?, acknowledged_at = ?, finding = ?, notes = ?,
		reported_at = ?, reported_by = ?, report_lon = ?, report_lat = ?, report_accuracy = ?, reports = ?, closed_at = ?, closed_by = ?,
		review_note = ?, updated_at = ?, dispatched_at = ?, ack_due = ?, report_due = ?, escalation = ?, escalated_at = ? WHERE id = ? AND version = ?`,
		t.State, nullStr(t.GridID), supervisor, t.Version, ts(t.AcknowledgedAt), t.Finding, t.Notes, ts(t.ReportedAt), reportedBy, lon, lat, acc,
		t.Reports, ts(t.ClosedAt), closedBy, t.ReviewNote, ts(t.UpdatedAt), ts(t.DispatchedAt), ts(t.AckDue), ts(t.ReportDue),
		t.Escalation, ts(t.EscalatedAt), t.ID, old)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, skygrid.Errorf(skygrid.ECONFLICT, "task %d changed meanwhile; load it again", id)
	}
	if err := insertPhotos(ctx, tx, t, u, photos); err != nil {
		return nil, err
	}
	if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: u.Name, Action: "task." + action, Entity: "task", EntityID: fmt.Sprint(t.ID),
		Before: before, After: actionSummary(t, action, c, photos)}); err != nil {
		return nil, fmt.Errorf("task %d: audit %s: %w", t.ID, action, err)
	}
	if action == skygrid.ActionReassign {
		if err := notifyTask(ctx, tx, t, skygrid.NotifyTaskCreated); err != nil {
			return nil, err
		}
	}
	if action != skygrid.ActionNote {
		if err := bumpLayers(ctx, tx, skygrid.LayerEvents); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("task %d: commit %s: %w", t.ID, action, err)
	}
	t.Photos = append(t.Photos, photos...)
	return t, nil
}

// insertPhotos stores the rows of a report's photos.
func insertPhotos(ctx context.Context, tx *Tx, t *skygrid.Task, u *skygrid.User, photos []*skygrid.Photo) error {
	for _, p := range photos {
		p.TaskID, p.Report, p.UploadedBy, p.CreatedAt = t.ID, t.Reports, u.ID, tx.now
		var plon, plat, dist any
		if p.Point != nil {
			plon, plat = p.Point[0], p.Point[1]
		}
		if p.DistanceM != nil {
			dist = *p.DistanceM
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO photos (task_id, report, sha256, mime, size, width, height, taken_at, lon, lat, distance_m, flags,
			uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.TaskID, p.Report, p.SHA256, p.Mime, p.Size, p.Width, p.Height,
			ts(p.TakenAt), plon, plat, dist, strings.Join(p.Flags, ","), u.ID, ts(p.CreatedAt))
		if err != nil {
			return fmt.Errorf("task %d: store photo %s: %w", t.ID, p.SHA256, err)
		}
		p.ID, _ = res.LastInsertId()
	}
	return nil
}

// actionSummary is the audit log's "after" of an action: the task's
// summary, the photos a report brought (and their flags), or a note.
func actionSummary(t *skygrid.Task, action string, c skygrid.TaskChange, photos []*skygrid.Photo) string {
	if action == skygrid.ActionNote {
		return "note=" + c.Notes
	}
	after := taskSummary(t)
	if len(photos) > 0 {
		var flagged []string
		for _, p := range photos {
			if len(p.Flags) > 0 {
				flagged = append(flagged, p.SHA256[:12]+":"+strings.Join(p.Flags, "+"))
			}
		}
		after += fmt.Sprintf(" photos=%d", len(photos))
		if len(flagged) > 0 {
			after += " flagged=" + strings.Join(flagged, ",")
		}
	}
	return after
}

// checkReassign checks that the new grid exists and lies in the scope.
func checkReassign(ctx context.Context, tx *Tx, scope skygrid.Scope, grid string) error {
	chain, err := regionChain(ctx, tx, grid)
	if err != nil {
		return err
	}
	if len(chain) == 0 {
		if !scope.All {
			return skygrid.Errorf(skygrid.EFORBIDDEN, "grid %s is not in your area", grid)
		}
		return skygrid.Errorf(skygrid.EINVALID, "grid %q is not imported", grid)
	}
	if !scope.Holds(chain...) {
		return skygrid.Errorf(skygrid.EFORBIDDEN, "grid %s is not in your area", grid)
	}
	return nil
}

// regionChain is the region and its ancestors, nearest first; empty when
// the region does not exist.
func regionChain(ctx context.Context, tx *Tx, id string) ([]string, error) {
	if id == "" {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, `WITH RECURSIVE up(id, parent_id, depth) AS (
			SELECT id, parent_id, 0 FROM regions WHERE id = ?
			UNION ALL SELECT r.id, r.parent_id, up.depth + 1 FROM regions r JOIN up ON r.id = up.parent_id WHERE up.depth < 8)
		SELECT id FROM up ORDER BY depth`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Escalate raises the escalation of overdue open tasks, each in its own
// transaction with its audit line and notifications.
func (db *DB) Escalate(ctx context.Context, now time.Time) (int, error) {
	ts0, _, err := db.FindTasks(ctx, skygrid.TaskFilter{Overdue: &now})
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, cand := range ts0 {
		// Level by level: a task found twice overdue at once still goes
		// to its area's officials first.
		raised := false
		for level := cand.Escalation + 1; level <= cand.EscalationDue(now); level++ {
			ok, err := db.escalate(ctx, cand.ID, level, now)
			if err != nil {
				errs = append(errs, fmt.Errorf("escalate task %d: %w", cand.ID, err))
				break
			}
			raised = raised || ok
		}
		if raised {
			n++
		}
	}
	return n, errors.Join(errs...)
}

func (db *DB) escalate(ctx context.Context, id int64, level int, now time.Time) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	t, err := findTaskByID(ctx, tx, id)
	if err != nil {
		return false, err
	}
	// Checked again inside the transaction: a report may have come.
	if t.EscalationDue(now) < level || t.Escalation >= level {
		return false, nil
	}
	before := taskSummary(t)
	t.Escalation, t.EscalatedAt = level, now
	t.Version++
	if _, err := tx.ExecContext(ctx, `UPDATE tasks SET escalation = ?, escalated_at = ?, version = version + 1 WHERE id = ?`, level, ts(now), id); err != nil {
		return false, err
	}
	to := map[int]string{1: "the area's officials", 2: "the auditors"}[level]
	if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: "escalation", Action: "task.escalate", Entity: "task", EntityID: fmt.Sprint(id),
		Before: before, After: taskSummary(t) + " to " + to}); err != nil {
		return false, err
	}
	event := skygrid.NotifyTaskOverdue
	if level == 2 {
		event = skygrid.NotifyTaskEscalated
	}
	if err := notifyTask(ctx, tx, t, event); err != nil {
		return false, err
	}
	if err := bumpLayers(ctx, tx, skygrid.LayerEvents); err != nil {
		return false, err
	}
	return true, tx.Commit()
}
