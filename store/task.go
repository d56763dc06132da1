package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
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
	COALESCE(s.phone, ''), e.first_seen, e.lon, e.lat, e.listed_name, e.listed_contact, e.listed_phone`

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
		return "1 = 0"
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
		&t.SupervisorPhone, &firstSeen, &t.Lon, &t.Lat, &t.ListedName, &t.ListedContact, &t.ListedPhone}
	if err := rows.Scan(append(dest, extra...)...); err != nil {
		return nil, fmt.Errorf("read a task row: %w", err)
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
		return "1 = 0"
	}
	in := "(?" + strings.Repeat(",?", len(s.Regions)-1) + ")"
	for range 3 {
		for _, r := range s.Regions {
			*args = append(*args, r)
		}
	}
	return fmt.Sprintf("(%s IN %s OR %s IN %s OR %s IN %s)", grid, in, township, in, county, in)
}

// FindTasks returns matching tasks, newest first, and the total (exact:
// counted now when the kept count is older than the data).
func (db *DB) FindTasks(ctx context.Context, f skygrid.TaskFilter) ([]*skygrid.Task, int, error) {
	if f.Limit == 0 && f.Offset == 0 && f.Cursor == "" {
		tx, err := db.BeginTx(ctx, &readOnly)
		if err != nil {
			return nil, 0, fmt.Errorf("find tasks: begin: %w", err)
		}
		defer tx.Rollback()
		return findTasks(ctx, tx, f, nil)
	}
	ts, p, err := db.findTaskPage(ctx, f, true)
	return ts, p.Total, err
}

// FindTaskPage returns a page of tasks and what the page says (see
// skygrid.TaskService).
func (db *DB) FindTaskPage(ctx context.Context, f skygrid.TaskFilter) ([]*skygrid.Task, skygrid.Page, error) {
	return db.findTaskPage(ctx, f, false)
}

// FindTaskByID returns a task with its photos.
func (db *DB) FindTaskByID(ctx context.Context, id int64) (*skygrid.Task, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("find task %v: begin: %w", id, err)
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
	if t.EventClass == skygrid.ClassEmergencyInspection {
		if t.Checklist, err = findChecklist(ctx, tx, t.ID); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// The area of a task as scanTask reads it: its grid's county and
// township (once reassigned, the new grid's), or for a task without a
// grid (the city's unassigned queue) its event's. The lists read the copy
// that migration 0010's triggers keep in tasks.list_county_id and
// list_township_id (” for none).
const (
	taskCountyExpr   = `(CASE gp.level WHEN 'county' THEN g.parent_id WHEN 'township' THEN gp.parent_id ELSE e.county_id END)`
	taskTownshipExpr = `(CASE gp.level WHEN 'county' THEN NULL WHEN 'township' THEN g.parent_id ELSE e.township_id END)`
)

// taskListFrom is the FROM clause of a list's first step: the task, its
// event, its grid and the grid's parent (the scope), and its county (tc)
// and township (tw) by name (the search). SQLite leaves out the LEFT
// JOINs a query does not use; CROSS JOIN keeps the tasks the outer loop,
// read along the order's index (SQLite would otherwise read the events
// by the index of a filter on them and sort every match). PostgreSQL
// takes no ON after CROSS JOIN, and no join order from it: a plain JOIN.
func (db *DB) taskListFrom() string {
	join := "CROSS JOIN"
	if db.postgres {
		join = "JOIN"
	}
	return ` FROM tasks t ` + join + ` events e ON e.id = t.event_id LEFT JOIN regions g ON g.id = t.grid_id
	LEFT JOIN regions gp ON gp.id = g.parent_id LEFT JOIN regions tc ON tc.id = t.list_county_id LEFT JOIN regions tw ON tw.id = t.list_township_id`
}

// taskCountFrom is the FROM clause of a count with conditions conds:
// the task and the joins of taskListFrom the conditions read. (SQLite
// leaves unused LEFT JOINs out of a page's query, not out of a count.)
// Every task has its event (tasks.event_id is NOT NULL REFERENCES
// events, and foreign keys are on): the event is left out too when no
// condition reads it.
func taskCountFrom(conds []string) string {
	all := strings.Join(conds, " ")
	uses := func(alias string) bool { return regexp.MustCompile(`\b` + alias + `\.`).MatchString(all) }
	from := ` FROM tasks t`
	if uses("e") {
		from += ` JOIN events e ON e.id = t.event_id`
	}
	if uses("g") || uses("gp") {
		from += ` LEFT JOIN regions g ON g.id = t.grid_id`
	}
	if uses("gp") {
		from += ` LEFT JOIN regions gp ON gp.id = g.parent_id`
	}
	if uses("tc") {
		from += ` LEFT JOIN regions tc ON tc.id = t.list_county_id`
	}
	if uses("tw") {
		from += ` LEFT JOIN regions tw ON tw.id = t.list_township_id`
	}
	return from
}

// findTasks returns the matching tasks inside tx in the filter's order
// (a page of them from its offset, with a limit), and their total.
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
	conds = append(conds, tx.db.taskConds(f, &args, true)...)
	if f.Limit > 0 || f.Offset > 0 {
		k := taskKeyset(f.Sort, f.Desc)
		ts, _, err := taskPage(ctx, tx, k, conds, args, nil, f.Limit, f.Offset)
		if err != nil {
			return nil, 0, err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*)`+taskCountFrom(conds)+where(conds), args...).Scan(&n); err != nil {
			return nil, 0, fmt.Errorf("count tasks: %w", err)
		}
		return ts, n, nil
	}
	q := &listQuery{what: "find tasks", from: `SELECT ` + taskCols + taskFrom + taskListJoins, conds: conds, args: args,
		order: taskKeyset(f.Sort, f.Desc).order(false)}
	out, err := queryList(ctx, tx, q, func(rows *sql.Rows) (*skygrid.Task, error) { return scanTask(rows) })
	if err != nil {
		return nil, 0, err
	}
	return out, len(out), nil
}

// taskListJoins adds to taskFrom the joins of taskListFrom it lacks.
const taskListJoins = ` LEFT JOIN regions tc ON tc.id = t.list_county_id LEFT JOIN regions tw ON tw.id = t.list_township_id`

// findTaskPage finds the total of a list (see countTasks), then a page of
// tasks (by limit and offset or cursor) in a read transaction. The total
// chooses how the page is read: along the order's index (a large share of
// the tasks match), or by the filters' indexes and sorted (a few do).
func (db *DB) findTaskPage(ctx context.Context, f skygrid.TaskFilter, exact bool) ([]*skygrid.Task, skygrid.Page, error) {
	k := taskKeyset(f.Sort, f.Desc)
	c, err := pageCursor(f.Cursor, f.Offset, k)
	if err != nil {
		return nil, skygrid.Page{}, err
	}
	total, totalExact, err := db.countTasks(ctx, f, exact)
	if err != nil {
		return nil, skygrid.Page{}, err
	}
	var args []any
	conds := db.taskConds(f, &args, total > sortFewer)
	tx, err := db.BeginTx(ctx, &readOnly)
	if err != nil {
		return nil, skygrid.Page{}, fmt.Errorf("find tasks: begin: %w", err)
	}
	defer tx.Rollback()
	ts, page, err := taskPage(ctx, tx, k, conds, args, c, f.Limit, f.Offset)
	page.Total, page.TotalExact = total, totalExact
	return ts, page, err
}

// sortFewer: a list of at most this many matches is read by its filters'
// indexes and sorted (a few milliseconds), not along its order's index.
const sortFewer = 2000

// pageCursor decodes a list's cursor (nil for none); a cursor and an
// offset together are refused.
func pageCursor(s string, offset int, k keyset) (*cursor, error) {
	if s == "" {
		return nil, nil
	}
	if offset > 0 {
		return nil, skygrid.Errorf(skygrid.EINVALID, "give a cursor or an offset, not both")
	}
	return decodeCursor(s, k.list, k.sort, k.desc, len(k.cols))
}

// taskPage finds a page in two steps: the keys of the page's rows, in
// order, from narrow rows read along the order's index; then those tasks
// in full. (One query would compute every column, names included, of
// every row it reads.)
func taskPage(ctx context.Context, tx *Tx, k keyset, conds []string, args []any, c *cursor, limit, offset int) ([]*skygrid.Task, skygrid.Page, error) {
	keys, err := queryList(ctx, tx, k.pageList("find tasks: a page", tx.db.taskListFrom(), conds, args, c, limit, offset), k.readKeys)
	if err != nil {
		return nil, skygrid.Page{}, err
	}
	keys, page := k.trim(keys, limit, offset, c)
	ts, err := tasksByID(ctx, tx, ids(keys))
	return ts, page, err
}

// tasksByID reads tasks in full, in the order of ids.
func tasksByID(ctx context.Context, tx *Tx, ids []int64) ([]*skygrid.Task, error) {
	return queryByID(ctx, tx, "find tasks: the page's tasks", `SELECT `+taskCols+taskFrom, "t.id", ids,
		func(rows *sql.Rows) (*skygrid.Task, error) { return scanTask(rows) }, func(t *skygrid.Task) int64 { return t.ID })
}

// countTasks is the total of a task list (see DB.count). An overdue list
// is counted again every overdueRecount, not every second: its count is
// exact at the second it was made, and taken as it is (not exact) for
// the rest of that time unless exact is required.
func (db *DB) countTasks(ctx context.Context, f skygrid.TaskFilter, exact bool) (int, bool, error) {
	kf, extra, tag := f, "", ""
	if f.Overdue != nil {
		kf.Overdue = &time.Time{}
		extra, tag = "overdue@"+ts(f.Overdue.Truncate(overdueRecount)), ts(*f.Overdue)
	}
	var kargs []any
	key := countKey("tasks", db.taskConds(kf, &kargs, false), kargs)
	return db.count(ctx, key, extra, tag, exact, func(ctx context.Context) (int, error) {
		var args []any
		conds := db.taskConds(f, &args, false)
		return db.countRows(ctx, "tasks", taskCountFrom(conds), conds, args)
	})
}

// overdueRecount is how often the count of an overdue list is made again
// while the data does not change.
const overdueRecount = 30 * time.Second

// taskConds is the filter's SQL conditions, their arguments added to args.
// With pin, a "+" before a column keeps SQLite from reading the rows by
// that column's index: the page is read along its order's index and stops
// at its end, where a filter's index would find every match and sort them
// all (most filters keep a large share of a season's tasks). PostgreSQL
// has no such hint (and no unary plus of text): its planner chooses.
func (db *DB) taskConds(f skygrid.TaskFilter, args *[]any, pin bool) []string {
	var conds []string
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		*args = append(*args, a...)
	}
	p := ""
	if pin {
		p = db.pin()
	}
	if f.ID != nil {
		add("t.id = ?", *f.ID)
	}
	if f.Overdue != nil {
		now := ts(*f.Overdue)
		add("(("+p+"t.state = 'dispatched' AND (t.ack_due < ? OR t.report_due < ?)) OR ("+p+"t.state = 'acknowledged' AND t.report_due < ?))", now, now, now)
	}
	if f.MaxEscalation != nil {
		add("t.escalation <= ?", *f.MaxEscalation)
	}
	date, sorted := "t.created_at", f.Sort == skygrid.TaskSortCreated
	if f.DateField == skygrid.TaskDateFirstSeen {
		date, sorted = "t.list_first_seen", f.Sort == skygrid.TaskSortFirstSeen
	}
	if !sorted {
		date = p + date
	}
	if f.Since != nil {
		add(date+" >= ?", ts(*f.Since))
	}
	if f.Until != nil {
		add(date+" < ?", ts(*f.Until))
	}
	if f.CountyID != nil {
		add(p+"t.list_county_id = ?", *f.CountyID)
	}
	if f.TownshipID != nil {
		add(p+"t.list_township_id = ?", *f.TownshipID)
	}
	if f.CityID != nil {
		add(p+"t.list_county_id IN (SELECT c.id FROM regions c WHERE c.parent_id = ? AND c.level = 'county')", *f.CityID)
	}
	if f.GridID != nil {
		add("t.grid_id = ?", *f.GridID)
	}
	if f.Class != nil {
		add("e.class = ?", *f.Class)
	}
	conds = inCond(conds, args, "e.class", f.Classes)
	if states := taskStates(f); len(states) > 0 {
		conds = append(conds, p+"t.state IN (?"+strings.Repeat(",?", len(states)-1)+")")
		for _, st := range states {
			*args = append(*args, st)
		}
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		conds = append(conds, taskQueryCond(q, args, db.like()))
	}
	// The scope last: SQLite tests the conditions in their order, and the
	// scope reads the task's grid and its parents.
	if f.Scope != nil && !f.Scope.All && len(f.Scope.Regions) > 0 {
		conds = append(conds, taskScopeListCond(f.Scope, args))
	}
	if c := taskScopeCond(f.Scope, args); c != "" {
		conds = append(conds, c)
	}
	return conds
}

// taskScopeListCond is a condition every task in scope meets (the scope
// itself is taskScopeCond's), on the task's own columns: its grid, or its
// area copied from the grid's parents (migration 0010). A list reads them
// from the order's index before it reads the task and its grid's parents:
// an official's list passes over the other counties' tasks without
// reading them. It holds when every region of the scope is a county,
// township or grid (an area's parents are a township and a county); with
// any other (a city), or one not imported, it keeps every task.
func taskScopeListCond(s *skygrid.Scope, args *[]any) string {
	regions := slices.Compact(slices.Sorted(slices.Values(s.Regions)))
	in := "(?" + strings.Repeat(",?", len(regions)-1) + ")"
	for range 4 {
		for _, r := range regions {
			*args = append(*args, r)
		}
	}
	*args = append(*args, len(regions))
	return fmt.Sprintf("(t.list_county_id IN %s OR t.list_township_id IN %s OR t.list_grid_id IN %s OR "+
		"(SELECT COUNT(*) FROM regions WHERE id IN %s AND level IN ('county', 'township', 'grid')) < ?)", in, in, in, in)
}

// inCond adds "col IN (...)" with vs to conds and args (nothing for no vs).
func inCond(conds []string, args *[]any, col string, vs []string) []string {
	if len(vs) == 0 {
		return conds
	}
	for _, v := range vs {
		*args = append(*args, v)
	}
	return append(conds, col+" IN (?"+strings.Repeat(",?", len(vs)-1)+")")
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

// taskQueryCond finds tasks by id or place (see skygrid.TaskFilter.Query);
// op is the store's case-insensitive LIKE (db.like).
func taskQueryCond(q string, args *[]any, op string) string {
	if rest, ok := strings.CutPrefix(q, "#"); ok {
		if id, err := strconv.ParseInt(strings.TrimSpace(rest), 10, 64); err == nil {
			*args = append(*args, id)
			return "t.id = ?"
		}
	}
	if id, err := strconv.ParseInt(q, 10, 64); err == nil {
		*args = append(*args, id, q, q, q)
		return "(t.id = ? OR t.grid_id = ? OR t.list_township_id = ? OR t.list_county_id = ?)"
	}
	like := "%" + likeEscape(q) + "%"
	var in []string
	for _, col := range []string{"t.grid_id", "g.name", "t.list_township_id", "tw.name", "t.list_county_id", "tc.name"} {
		in = append(in, col+` `+op+` ? ESCAPE '\'`)
		*args = append(*args, like)
	}
	return "(" + strings.Join(in, " OR ") + ")"
}

// taskKeyset is the order of a sort (see skygrid.TaskSorts), each an
// index of migration 0010; ties go by id in the same direction. No sort:
// newest task first.
func taskKeyset(sort string, desc bool) keyset {
	k := keyset{list: "tasks", sort: sort, desc: desc}
	switch sort {
	case skygrid.TaskSortDeadline:
		// Tasks without a deadline last, either way.
		k.cols = []string{"t.list_due_asc"}
		if desc {
			k.cols = []string{"t.list_due_desc"}
		}
	case skygrid.TaskSortCreated:
		k.cols = []string{"t.created_at"}
	case skygrid.TaskSortFirstSeen:
		k.cols = []string{"t.list_first_seen"}
	case skygrid.TaskSortState:
		k.cols = []string{"t.list_state_rank"}
	case skygrid.TaskSortPlace:
		k.cols = []string{"t.list_county_id", "t.list_township_id", "t.list_grid_id"}
	default:
		k.sort, k.desc = "", true
	}
	k.cols = append(k.cols, "t.id")
	return k
}

func ptr[T any](v T) *T { return &v }

func findPhotos(ctx context.Context, tx *Tx, taskID int64) ([]*skygrid.Photo, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, task_id, report, sha256, mime, size, width, height, taken_at, lon, lat, distance_m, flags,
		COALESCE(uploaded_by, 0), created_at FROM photos WHERE task_id = ? ORDER BY id`, taskID)
	if err != nil {
		return nil, fmt.Errorf("find photos: %w", err)
	}
	defer rows.Close()
	var out []*skygrid.Photo
	for rows.Next() {
		p := &skygrid.Photo{}
		var taken, flags, created string
		var lon, lat, dist sql.NullFloat64
		if err := rows.Scan(&p.ID, &p.TaskID, &p.Report, &p.SHA256, &p.Mime, &p.Size, &p.Width, &p.Height, &taken, &lon, &lat, &dist,
			&flags, &p.UploadedBy, &created); err != nil {
			return nil, fmt.Errorf("find photos: read a row: %w", err)
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
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("find photos: %w", err)
	}
	return out, nil
}

// PhotoTasks returns the tasks a photo (by SHA-256) belongs to (the same
// file may come with more than one report), so the API can check that the
// user may see one of them.
func (db *DB) PhotoTasks(ctx context.Context, sha string) ([]*skygrid.Task, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT DISTINCT task_id FROM photos WHERE sha256 = ? ORDER BY task_id`, sha)
	if err != nil {
		return nil, fmt.Errorf("photo tasks: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("photo tasks: read a row: %w", err)
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
	if err := t.CheckVersion(version); err != nil {
		return nil, err
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
	if action == skygrid.ActionReport {
		if err := reportChecklist(ctx, tx, t, c, photos); err != nil {
			return nil, err
		}
		t.Checklist = c.Checklist
		after += checklistSummary(c.Checklist)
	} else if len(c.Checklist) > 0 {
		return nil, skygrid.Errorf(skygrid.EINVALID, "checklist: only a report takes one")
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
		if err := tx.QueryRowContext(ctx, `INSERT INTO photos (task_id, report, sha256, mime, size, width, height, taken_at, lon, lat, distance_m, flags,
			uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, p.TaskID, p.Report, p.SHA256, p.Mime, p.Size, p.Width, p.Height,
			ts(p.TakenAt), plon, plat, dist, strings.Join(p.Flags, ","), u.ID, ts(p.CreatedAt)).Scan(&p.ID); err != nil {
			return fmt.Errorf("task %d: store photo %s: %w", t.ID, p.SHA256, err)
		}
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
	q := &listQuery{what: "find the regions above " + id, from: `WITH RECURSIVE up(id, parent_id, depth) AS (
			SELECT id, parent_id, 0 FROM regions WHERE id = ?
			UNION ALL SELECT r.id, r.parent_id, up.depth + 1 FROM regions r JOIN up ON r.id = up.parent_id WHERE up.depth < 8)
		SELECT id FROM up`, args: []any{id}, order: ` ORDER BY depth`}
	return queryList(ctx, tx, q, readString)
}

// EscalateTask raises a task to an escalation level at now in one
// transaction, with its audit line and notifications, when it is still
// due (a report may have come); it says whether it did. The clock that
// finds overdue tasks and raises them level by level is dispatch.Clock.
func (db *DB) EscalateTask(ctx context.Context, id int64, level int, now time.Time) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("escalate: begin: %w", err)
	}
	defer tx.Rollback()
	t, err := findTaskByID(ctx, tx, id)
	if err != nil {
		return false, err
	}
	// Checked again inside the transaction: a report may have come.
	if db.Escalation.Level(t, now) < level || t.Escalation >= level {
		return false, nil
	}
	before := taskSummary(t)
	t.Escalation, t.EscalatedAt = level, now
	t.Version++
	if _, err := tx.ExecContext(ctx, `UPDATE tasks SET escalation = ?, escalated_at = ?, version = version + 1 WHERE id = ?`, level, ts(now), id); err != nil {
		return false, fmt.Errorf("escalate: %w", err)
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
	if err := tx.Commit(); err != nil {
		return true, fmt.Errorf("escalate: commit: %w", err)
	}
	return true, nil
}
