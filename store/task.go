package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
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
// parent and grandparent (scopeCond, the rule regions follow too); one
// without (the city's unassigned queue) by its event's township and
// county. It is the only scope rule of tasks: lists use it, and so does
// every check of one task (findTaskInScope), its photos, its actions and
// its event.
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

// scopeCond is the SQL condition keeping rows in scope, the one scope rule
// of regions and of what lies in them: a row is in scope when its region,
// that region's parent or its grandparent is one of the scope's regions
// (a grid, its township or county; a township, its county). "" for
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
		return nil, 0, fmt.Errorf("find tasks: begin: %w", err)
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

// FindTaskInScope returns a task with its photos when the scope's task
// list holds it (see skygrid.TaskService).
func (db *DB) FindTaskInScope(ctx context.Context, id int64, scope skygrid.Scope) (*skygrid.Task, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("find task %d: begin: %w", id, err)
	}
	defer tx.Rollback()
	return findTaskInScope(ctx, tx, id, scope)
}

func findTaskByID(ctx context.Context, tx *Tx, id int64) (*skygrid.Task, error) {
	return findTaskInScope(ctx, tx, id, skygrid.Scope{All: true})
}

// findTaskInScope reads one task through the list's own query and scope
// condition, so a task is opened exactly when it is listed: for a scoped
// user EFORBIDDEN when it is not in their area or does not exist alike
// (nothing leaks), else ENOTFOUND.
func findTaskInScope(ctx context.Context, tx *Tx, id int64, scope skygrid.Scope) (*skygrid.Task, error) {
	ts, _, err := findTasks(ctx, tx, skygrid.TaskFilter{ID: &id, Scope: &scope}, nil)
	if err != nil {
		return nil, fmt.Errorf("find task %d: %w", id, err)
	}
	if len(ts) == 0 && !scope.All {
		return nil, skygrid.Errorf(skygrid.EFORBIDDEN, "task %d is not in your area", id)
	}
	if len(ts) == 0 {
		return nil, skygrid.Errorf(skygrid.ENOTFOUND, "task %d not found", id)
	}
	t := ts[0]
	if t.Photos, err = findPhotos(ctx, tx, t.ID); err != nil {
		return nil, fmt.Errorf("find the photos of task %d: %w", id, err)
	}
	return t, nil
}

// The area of a task as scanTask reads it: its grid's county and
// township (once reassigned, the new grid's), or for a task without a
// grid (the city's unassigned queue) its event's; and the deadline that
// counts now (none once reported).
const (
	taskCountyExpr   = `(CASE gp.level WHEN 'county' THEN g.parent_id WHEN 'township' THEN gp.parent_id ELSE e.county_id END)`
	taskTownshipExpr = `(CASE gp.level WHEN 'county' THEN NULL WHEN 'township' THEN g.parent_id ELSE e.township_id END)`
	taskDeadlineExpr = `(CASE t.state WHEN 'dispatched' THEN t.ack_due WHEN 'acknowledged' THEN t.report_due END)`
	// taskAreaJoins names the task's county (tc) and township (tw).
	taskAreaJoins = ` LEFT JOIN regions tc ON tc.id = ` + taskCountyExpr + ` LEFT JOIN regions tw ON tw.id = ` + taskTownshipExpr
)

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
	conds = append(conds, taskConds(f, &args)...)
	if f.Limit > 0 {
		return findTaskPage(ctx, tx, f, where(conds), args)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+taskCols+`, COUNT(*) OVER ()`+taskFrom+taskAreaJoins+where(conds)+
		taskOrder(f.Sort, f.Desc)+limitOffset(0, f.Offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find tasks: %w", err)
	}
	defer rows.Close()
	var out []*skygrid.Task
	n := 0
	for rows.Next() {
		t, err := scanTask(rows, &n)
		if err != nil {
			return nil, 0, fmt.Errorf("find tasks: read a row: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find tasks: %w", err)
	}
	if len(out) == 0 && f.Offset > 0 {
		n, err = countTasks(ctx, tx, "", args)
	}
	return out, n, err
}

// findTaskPage finds a page of tasks in two steps: the ids of the page, in
// order, and the total, from narrow rows; then those tasks in full. (One
// query computes every column, names included, of every match before it
// sorts them: 3 times slower for 20,000 matches, BenchmarkTaskList.)
func findTaskPage(ctx context.Context, tx *Tx, f skygrid.TaskFilter, where string, args []any) ([]*skygrid.Task, int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT t.id, COUNT(*) OVER ()`+taskFrom+taskAreaJoins+where+taskOrder(f.Sort, f.Desc)+
		limitOffset(f.Limit, f.Offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find tasks: a page: %w", err)
	}
	var ids []int64
	n := 0
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("find tasks: a page: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find tasks: a page: %w", err)
	}
	if len(ids) == 0 {
		if f.Offset == 0 {
			return nil, 0, nil
		}
		// Past the last page: the total all the same.
		n, err := countTasks(ctx, tx, where, args)
		return nil, n, err
	}
	byID := make(map[int64]*skygrid.Task, len(ids))
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		in := make([]any, len(chunk))
		for i, id := range chunk {
			in[i] = id
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+taskCols+taskFrom+
			` WHERE t.id IN (?`+strings.Repeat(",?", len(chunk)-1)+`)`, in...)
		if err != nil {
			return nil, 0, fmt.Errorf("find tasks: the page's tasks: %w", err)
		}
		for rows.Next() {
			t, err := scanTask(rows)
			if err != nil {
				rows.Close()
				return nil, 0, fmt.Errorf("find tasks: the page's tasks: %w", err)
			}
			byID[t.ID] = t
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, 0, fmt.Errorf("find tasks: the page's tasks: %w", err)
		}
	}
	out := make([]*skygrid.Task, 0, len(ids))
	for _, id := range ids {
		out = append(out, byID[id])
	}
	return out, n, nil
}

// countTasks counts the tasks matching a WHERE clause.
func countTasks(ctx context.Context, tx *Tx, where string, args []any) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*)`+taskFrom+taskAreaJoins+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count tasks: %w", err)
	}
	return n, nil
}

// taskConds is the filter's SQL conditions, their arguments added to args.
func taskConds(f skygrid.TaskFilter, args *[]any) []string {
	var conds []string
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		*args = append(*args, a...)
	}
	if f.ID != nil {
		add("t.id = ?", *f.ID)
	}
	if c := taskScopeCond(f.Scope, args); c != "" {
		conds = append(conds, c)
	}
	if f.Overdue != nil {
		now := ts(*f.Overdue)
		add("((t.state = 'dispatched' AND (t.ack_due < ? OR t.report_due < ?)) OR (t.state = 'acknowledged' AND t.report_due < ?))", now, now, now)
	}
	date := "t.created_at"
	if f.DateField == skygrid.TaskDateFirstSeen {
		date = "e.first_seen"
	}
	if f.Since != nil {
		add(date+" >= ?", ts(*f.Since))
	}
	if f.Until != nil {
		add(date+" < ?", ts(*f.Until))
	}
	if f.CountyID != nil {
		add(taskCountyExpr+" = ?", *f.CountyID)
	}
	if f.TownshipID != nil {
		add(taskTownshipExpr+" = ?", *f.TownshipID)
	}
	if f.GridID != nil {
		add("t.grid_id = ?", *f.GridID)
	}
	if f.Class != nil {
		add("e.class = ?", *f.Class)
	}
	if states := taskStates(f); len(states) > 0 {
		conds = append(conds, "t.state IN (?"+strings.Repeat(",?", len(states)-1)+")")
		for _, st := range states {
			*args = append(*args, st)
		}
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		conds = append(conds, taskQueryCond(q, args))
	}
	return conds
}

// taskStates is the states a filter keeps (none: every state).
func taskStates(f skygrid.TaskFilter) []string {
	states := slices.Clone(f.States)
	if f.State != nil {
		states = append(states, *f.State)
	}
	slices.Sort(states)
	return slices.Compact(states)
}

// taskQueryCond finds tasks by id or place (see skygrid.TaskFilter.Query).
func taskQueryCond(q string, args *[]any) string {
	if rest, ok := strings.CutPrefix(q, "#"); ok {
		if id, err := strconv.ParseInt(strings.TrimSpace(rest), 10, 64); err == nil {
			*args = append(*args, id)
			return "t.id = ?"
		}
	}
	if id, err := strconv.ParseInt(q, 10, 64); err == nil {
		*args = append(*args, id, q, q, q)
		return "(t.id = ? OR t.grid_id = ? OR " + taskTownshipExpr + " = ? OR " + taskCountyExpr + " = ?)"
	}
	like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
	var in []string
	for _, col := range []string{"t.grid_id", "g.name", taskTownshipExpr, "tw.name", taskCountyExpr, "tc.name"} {
		in = append(in, col+` LIKE ? ESCAPE '\'`)
		*args = append(*args, like)
	}
	return "(" + strings.Join(in, " OR ") + ")"
}

// taskOrder is the ORDER BY clause of a sort (see skygrid.TaskSorts); ties
// go by id in the same direction, so pages follow each other exactly.
func taskOrder(sort string, desc bool) string {
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	var keys []string
	switch sort {
	case skygrid.TaskSortDeadline:
		keys = []string{taskDeadlineExpr + " IS NULL", taskDeadlineExpr + dir}
	case skygrid.TaskSortCreated:
		keys = []string{"t.created_at" + dir}
	case skygrid.TaskSortFirstSeen:
		keys = []string{"e.first_seen" + dir}
	case skygrid.TaskSortState:
		keys = []string{"(CASE t.state WHEN 'dispatched' THEN 0 WHEN 'acknowledged' THEN 1 WHEN 'reported' THEN 2 ELSE 3 END)" + dir}
	case skygrid.TaskSortPlace:
		keys = []string{"COALESCE(" + taskCountyExpr + ", '')" + dir, "COALESCE(" + taskTownshipExpr + ", '')" + dir, "COALESCE(t.grid_id, '')" + dir}
	default:
		return " ORDER BY t.id DESC"
	}
	return " ORDER BY " + strings.Join(keys, ", ") + ", t.id" + dir
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
		return nil, fmt.Errorf("task %d %s: begin: %w", id, action, err)
	}
	defer tx.Rollback()
	t, err := updateTask(ctx, tx, id, version, action, u, c, photos)
	if err != nil {
		return nil, err
	}
	// A note changes nothing the map draws.
	if action != skygrid.ActionNote {
		if err := bumpLayers(ctx, tx, skygrid.LayerEvents); err != nil {
			return nil, fmt.Errorf("task %d %s: layer version: %w", id, action, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("task %d %s: commit: %w", id, action, err)
	}
	t.Photos = append(t.Photos, photos...)
	return t, nil
}

// updateTask applies an action to one task inside tx: it loads the task,
// checks the user's scope and the version the user saw (0: any), runs
// Transition, stores the task and the photos, and writes the audit line
// and the notifications. Nothing is written when it refuses.
func updateTask(ctx context.Context, tx *Tx, id, version int64, action string, u *skygrid.User, c skygrid.TaskChange, photos []*skygrid.Photo) (*skygrid.Task, error) {
	scope := skygrid.ScopeOf(u)
	t, err := findTaskInScope(ctx, tx, id, scope)
	if err != nil {
		return nil, err
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
	if err := saveTask(ctx, tx, t, old, action == skygrid.ActionReassign); err != nil {
		return nil, err
	}
	after := taskSummary(t) + photoSummary(photos)
	if action == skygrid.ActionNote {
		after = "note=" + strconv.Quote(c.Notes)
	}
	if err := insertPhotos(ctx, tx, t, u, photos); err != nil {
		return nil, err
	}
	if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: u.Name, Action: "task." + action, Entity: "task", EntityID: fmt.Sprint(t.ID),
		Before: before, After: after}); err != nil {
		return nil, fmt.Errorf("task %d %s: audit: %w", id, action, err)
	}
	if action == skygrid.ActionReassign {
		if err := notifyTask(ctx, tx, t, skygrid.NotifyTaskCreated); err != nil {
			return nil, fmt.Errorf("task %d %s: notify: %w", id, action, err)
		}
	}
	return t, nil
}

// saveTask writes a transitioned task over the row at version old; a
// reassigned task takes its new grid's supervisor. ECONFLICT when the row
// changed meanwhile.
func saveTask(ctx context.Context, tx *Tx, t *skygrid.Task, old int64, reassigned bool) error {
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
	if reassigned {
		var sid sql.NullInt64
		var sname sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT id, name FROM supervisors WHERE grid_id = ?`, t.GridID).Scan(&sid, &sname); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("task %d: find the supervisor of grid %s: %w", t.ID, t.GridID, err)
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
		return fmt.Errorf("task %d: update: %w", t.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return skygrid.Errorf(skygrid.ECONFLICT, "task %d changed meanwhile; load it again", t.ID)
	}
	return nil
}

// insertPhotos stores a report's photos with the task's report number.
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

// photoSummary is what the audit line says of a report's photos.
func photoSummary(photos []*skygrid.Photo) string {
	if len(photos) == 0 {
		return ""
	}
	var flagged []string
	for _, p := range photos {
		if len(p.Flags) > 0 {
			flagged = append(flagged, p.SHA256[:12]+":"+strings.Join(p.Flags, "+"))
		}
	}
	s := fmt.Sprintf(" photos=%d", len(photos))
	if len(flagged) > 0 {
		s += " flagged=" + strings.Join(flagged, ",")
	}
	return s
}

// CloseTasks closes reported tasks with one note, all or nothing (see
// skygrid.TaskService): each goes through updateTask's close in one
// transaction; any refusal rolls every close back.
func (db *DB) CloseTasks(ctx context.Context, refs []skygrid.TaskRef, notes string, u *skygrid.User) ([]*skygrid.Task, error) {
	if err := skygrid.CheckTaskRefs(refs); err != nil {
		return nil, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("close tasks: begin: %w", err)
	}
	defer tx.Rollback()
	var closed []*skygrid.Task
	var refused []skygrid.TaskRefusal
	for _, r := range refs {
		t, err := updateTask(ctx, tx, r.ID, r.Version, skygrid.ActionClose, u, skygrid.TaskChange{Notes: notes}, nil)
		switch code := skygrid.ErrorCode(err); code {
		case "":
			closed = append(closed, t)
		case skygrid.EFORBIDDEN, skygrid.ENOTFOUND, skygrid.ECONFLICT:
			x := skygrid.TaskRefusal{ID: r.ID, Code: code, Message: skygrid.ErrorMessage(err)}
			if code == skygrid.ECONFLICT {
				// In scope: say what it is now.
				if cur, err := findTaskByID(ctx, tx, r.ID); err == nil {
					x.Version, x.State = cur.Version, cur.State
				}
			}
			refused = append(refused, x)
		default:
			return nil, fmt.Errorf("close task %d: %w", r.ID, err)
		}
	}
	if len(refused) > 0 {
		return nil, skygrid.RefuseTasks(refused, len(refs), "closed")
	}
	if err := bumpLayers(ctx, tx, skygrid.LayerEvents); err != nil {
		return nil, fmt.Errorf("close tasks: layer version: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("close tasks: commit: %w", err)
	}
	return closed, nil
}

// checkReassign checks that the task's new place is a grid of the user's
// area, by the regions' own scope rule (the reviewers' candidate grids
// are listed by it): another area's region, or none, is EFORBIDDEN for a
// scoped user; a county or township EINVALID (a task is done by a grid's
// supervisor: nobody would act on it).
func checkReassign(ctx context.Context, tx *Tx, scope skygrid.Scope, grid string) error {
	rs, _, err := findRegions(ctx, tx, skygrid.RegionFilter{ID: &grid, Scope: &scope})
	if err != nil {
		return fmt.Errorf("reassign: find grid %s: %w", grid, err)
	}
	switch {
	case len(rs) == 0 && !scope.All:
		return skygrid.Errorf(skygrid.EFORBIDDEN, "grid %s is not in your area", grid)
	case len(rs) == 0:
		return skygrid.Errorf(skygrid.EINVALID, "grid %q is not imported", grid)
	case rs[0].Level != skygrid.LevelGrid:
		return skygrid.Errorf(skygrid.EINVALID, "grid_id %s (%s) is a %s, not a grid: a task is reassigned to a grid, whose supervisor does it",
			grid, rs[0].Name, rs[0].Level)
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
