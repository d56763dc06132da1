package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"skygrid"
)

var _ skygrid.EventService = (*DB)(nil)

const eventCols = `id, class, state, first_seen, last_seen, lon, lat, min_lon, min_lat, max_lon, max_lat, hotspot_count, max_frp,
	COALESCE(grid_id, ''), COALESCE(township_id, ''), COALESCE(county_id, ''), assigned_by, created_at, updated_at,
	COALESCE((SELECT name FROM regions WHERE id = events.grid_id), ''), COALESCE((SELECT name FROM regions WHERE id = events.township_id), ''),
	COALESCE((SELECT name FROM regions WHERE id = events.county_id), ''),
	history, cross_border, COALESCE(near_county_id, ''), near_metres, near_direction, COALESCE(neighbour_id, ''),
	COALESCE((SELECT name FROM regions WHERE id = events.near_county_id), ''), COALESCE((SELECT name FROM regions WHERE id = events.neighbour_id), ''),
	site_id, monitor_id, alarm_count, rule`

func scanEvent(rows *sql.Rows, extra ...any) (*skygrid.Event, error) {
	e := &skygrid.Event{}
	var first, last, created, updated string
	dest := []any{&e.ID, &e.Class, &e.State, &first, &last, &e.Point[0], &e.Point[1], &e.Bound.Min[0], &e.Bound.Min[1],
		&e.Bound.Max[0], &e.Bound.Max[1], &e.HotspotCount, &e.MaxFRP, &e.GridID, &e.TownshipID, &e.CountyID, &e.AssignedBy, &created, &updated,
		&e.GridName, &e.TownshipName, &e.CountyName,
		&e.History, &e.CrossBorder, &e.NearCountyID, &e.NearMetres, &e.NearDirection, &e.NeighbourID, &e.NearCounty, &e.Neighbour,
		&e.SiteID, &e.MonitorID, &e.AlarmCount, &e.Rule}
	if err := rows.Scan(append(dest, extra...)...); err != nil {
		return nil, fmt.Errorf("read a event row: %w", err)
	}
	e.FirstSeen, e.LastSeen, e.CreatedAt, e.UpdatedAt = parseTS(first), parseTS(last), parseTS(created), parseTS(updated)
	return e, nil
}

// FindEventByID returns an event with its hotspots, grid, supervisor and task.
func (db *DB) FindEventByID(ctx context.Context, id int64) (*skygrid.Event, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("find event %v: begin: %w", id, err)
	}
	defer tx.Rollback()
	es, _, err := findEvents(ctx, tx, skygrid.EventFilter{ID: &id})
	if err != nil {
		return nil, err
	} else if len(es) == 0 {
		return nil, skygrid.Errorf(skygrid.ENOTFOUND, "event %d not found", id)
	}
	e := es[0]
	// The event's time span bounds its hotspots: the scan uses the
	// hotspots' id (time) order instead of an index on event_id.
	since, until := e.FirstSeen, e.LastSeen.Add(time.Second)
	if e.Hotspots, _, err = findHotspots(ctx, tx, skygrid.HotspotFilter{EventID: &id, Since: &since, Until: &until}); err != nil {
		return nil, err
	}
	if e.GridID != "" {
		rs, _, err := findRegions(ctx, tx, skygrid.RegionFilter{ID: &e.GridID})
		if err != nil {
			return nil, err
		} else if len(rs) > 0 {
			e.Grid = rs[0]
		}
	}
	ts, _, err := findTasks(ctx, tx, skygrid.TaskFilter{}, &id)
	if err != nil {
		return nil, err
	} else if len(ts) > 0 {
		e.Task = ts[0]
	}
	return e, nil
}

// FindEvents returns matching events, most recent first, and the total
// (exact: counted now when the kept count is older than the data).
func (db *DB) FindEvents(ctx context.Context, f skygrid.EventFilter) ([]*skygrid.Event, int, error) {
	if f.Limit > 0 || f.Offset > 0 || f.Cursor != "" {
		es, p, err := db.findEventPage(ctx, f, true)
		return es, p.Total, err
	}
	tx, err := db.BeginTx(ctx, &readOnly)
	if err != nil {
		return nil, 0, fmt.Errorf("find events: begin: %w", err)
	}
	defer tx.Rollback()
	if f.Brief {
		es, err := findBriefEvents(ctx, tx, f)
		return es, len(es), err
	}
	es, n, err := findEvents(ctx, tx, f)
	if err != nil {
		return nil, 0, err
	}
	if err := attachTasks(ctx, tx, es); err != nil {
		return nil, 0, err
	}
	return es, n, nil
}

// FindEventPage returns a page of events and what the page says (see
// skygrid.EventService).
func (db *DB) FindEventPage(ctx context.Context, f skygrid.EventFilter) ([]*skygrid.Event, skygrid.Page, error) {
	return db.findEventPage(ctx, f, false)
}

// eventKeyset is the events' order: most recent first sight first (the
// index events_first_seen), ties by id.
var eventKeyset = keyset{list: "events", cols: []string{"first_seen", "id"}, desc: true}

// findEventPage finds a page of events in two steps (the page's keys
// along the order's index, then those events in full, with their tasks)
// and their total (see DB.count).
func (db *DB) findEventPage(ctx context.Context, f skygrid.EventFilter, exact bool) ([]*skygrid.Event, skygrid.Page, error) {
	k := eventKeyset
	c, err := pageCursor(f.Cursor, f.Offset, k)
	if err != nil {
		return nil, skygrid.Page{}, err
	}
	var args []any
	conds := eventConds(f, &args, db.pin())
	tx, err := db.BeginTx(ctx, &readOnly)
	if err != nil {
		return nil, skygrid.Page{}, fmt.Errorf("find events: begin: %w", err)
	}
	defer tx.Rollback()
	keys, err := queryList(ctx, tx, k.pageList("find events: a page", " FROM events", conds, args, c, f.Limit, f.Offset), k.readKeys)
	if err != nil {
		return nil, skygrid.Page{}, err
	}
	keys, page := k.trim(keys, f.Limit, f.Offset, c)
	es, err := eventsByID(ctx, tx, ids(keys))
	if err == nil {
		err = attachTasks(ctx, tx, es)
	}
	if err != nil {
		return nil, skygrid.Page{}, err
	}
	tx.Rollback()
	page.Total, page.TotalExact, err = db.count(ctx, countKey("events", conds, args), "", "", exact, func(ctx context.Context) (int, error) {
		return db.countRows(ctx, "events", " FROM events", conds, args)
	})
	return es, page, err
}

// attachTasks sets the task of each event that has one (one query per
// 10,000 events: SQLite takes at most 32,766 variables a statement, and
// the map reads every event).
func attachTasks(ctx context.Context, tx *Tx, es []*skygrid.Event) error {
	byID := map[int64]*skygrid.Event{}
	for _, e := range es {
		byID[e.ID] = e
	}
	ids := eventIDs(es)
	for len(ids) > 0 {
		k := min(len(ids), 10000)
		tasks, _, err := findTasks(ctx, tx, skygrid.TaskFilter{}, nil, ids[:k]...)
		if err != nil {
			return err
		}
		for _, t := range tasks {
			if e := byID[t.EventID]; e != nil {
				e.Task = t
			}
		}
		ids = ids[k:]
	}
	return nil
}

// eventsByID reads events in full, in the order of ids.
func eventsByID(ctx context.Context, tx *Tx, ids []int64) ([]*skygrid.Event, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return queryByID(ctx, tx, "find events: the page's events", `SELECT `+eventCols+` FROM events`, "id", ids,
		func(rows *sql.Rows) (*skygrid.Event, error) { return scanEvent(rows) }, func(e *skygrid.Event) int64 { return e.ID })
}

func eventIDs(es []*skygrid.Event) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

// findEvents returns every matching event inside tx, most recent first,
// and their total.
func findEvents(ctx context.Context, tx *Tx, f skygrid.EventFilter) ([]*skygrid.Event, int, error) {
	var args []any
	conds := eventConds(f, &args, tx.db.pin())
	q := &listQuery{what: "find events", from: `SELECT ` + eventCols + ` FROM events`, conds: conds, args: args, order: ` ORDER BY first_seen DESC, id DESC`}
	out, err := queryList(ctx, tx, q, func(rows *sql.Rows) (*skygrid.Event, error) { return scanEvent(rows) })
	if err != nil {
		return nil, 0, err
	}
	return out, len(out), nil
}

// findBriefEvents returns every matching event with what a map draws
// (skygrid.EventFilter.Brief), in one pass.
func findBriefEvents(ctx context.Context, tx *Tx, f skygrid.EventFilter) ([]*skygrid.Event, error) {
	var args []any
	conds := eventConds(f, &args, tx.db.pin())
	q := &listQuery{what: "find events for a map", from: `SELECT events.id, events.class, events.state, events.first_seen, events.last_seen,
		events.lon, events.lat, events.min_lon, events.min_lat, events.max_lon, events.max_lat, events.hotspot_count, events.max_frp,
		COALESCE(events.grid_id, ''), COALESCE(events.township_id, ''), COALESCE(events.county_id, ''), events.history, events.cross_border,
		COALESCE(t.id, 0), COALESCE(t.state, ''), COALESCE(t.grid_id, '')
		FROM events LEFT JOIN tasks t ON t.event_id = events.id`, conds: conds, args: args, order: ` ORDER BY events.first_seen DESC, events.id DESC`}
	return queryList(ctx, tx, q, scanBriefEvent)
}

// scanBriefEvent reads an event of findBriefEvents with its task's id,
// state and grid.
func scanBriefEvent(rows *sql.Rows) (*skygrid.Event, error) {
	e := &skygrid.Event{}
	var first, last string
	t := &skygrid.Task{}
	if err := rows.Scan(&e.ID, &e.Class, &e.State, &first, &last, &e.Point[0], &e.Point[1], &e.Bound.Min[0], &e.Bound.Min[1],
		&e.Bound.Max[0], &e.Bound.Max[1], &e.HotspotCount, &e.MaxFRP, &e.GridID, &e.TownshipID, &e.CountyID, &e.History, &e.CrossBorder,
		&t.ID, &t.State, &t.GridID); err != nil {
		return nil, fmt.Errorf("read an event row: %w", err)
	}
	e.FirstSeen, e.LastSeen = parseTS(first), parseTS(last)
	if t.ID != 0 {
		t.EventID = e.ID
		e.Task = t
	}
	return e, nil
}

// eventConds is the filter's SQL conditions on the events table, their
// arguments added to args. A pin ("+", SQLite's; DB.pin) keeps SQLite
// from reading the rows by that column's index rather than along the
// order's (see taskConds).
func eventConds(f skygrid.EventFilter, args *[]any, pin string) []string {
	var conds []string
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		*args = append(*args, a...)
	}
	if f.ID != nil {
		add("events.id = ?", *f.ID)
	}
	if f.Bbox != nil {
		add("events.lon >= ? AND events.lon <= ? AND events.lat >= ? AND events.lat <= ?", f.Bbox.Min[0], f.Bbox.Max[0], f.Bbox.Min[1], f.Bbox.Max[1])
	}
	if f.Since != nil {
		add(pin+"events.last_seen >= ?", ts(*f.Since))
	}
	if f.Until != nil {
		add("events.first_seen < ?", ts(*f.Until))
	}
	if f.FirstSince != nil {
		add("events.first_seen >= ?", ts(*f.FirstSince))
	}
	if f.Class != nil {
		add("events.class = ?", *f.Class)
	}
	if f.State != nil {
		add("events.state = ?", *f.State)
	}
	if f.RegionID != nil {
		conds = append(conds, regionCond(*f.RegionID, args, "events.county_id", "events.township_id", "events.grid_id"))
	}
	if f.CountyID != nil {
		add(pin+"events.county_id = ?", *f.CountyID)
	}
	if f.GridID != nil {
		add("events.grid_id = ?", *f.GridID)
	}
	if f.History != nil {
		add("events.history = ?", *f.History)
	}
	if f.CrossBorder != nil {
		add("events.cross_border = ?", *f.CrossBorder)
	}
	// The scope last: SQLite tests the conditions in their order, and the
	// scope reads the event's task.
	if c := eventScopeCond(f.Scope, args); c != "" {
		conds = append(conds, c)
	}
	return conds
}

// eventScopeCond keeps the events in scope: an event with a task where the
// task is (a reassigned task takes its event along), one without by its
// own grid, township or county.
func eventScopeCond(s *skygrid.Scope, args *[]any) string {
	if s == nil || s.All {
		return ""
	}
	if len(s.Regions) == 0 {
		return "1 = 0"
	}
	tc := taskScopeCond(s, args)
	own := scopeCond(s, args, "events.grid_id", "events.township_id", "events.county_id")
	// The task's condition is asked of the event's own task (an index
	// lookup), not of every task in scope at once: a page of events reads
	// a few hundred events, not the season's tasks.
	return "(CASE WHEN EXISTS (SELECT 1 FROM tasks t0 WHERE t0.event_id = events.id) THEN EXISTS (SELECT 1" + taskFrom +
		" WHERE t.event_id = events.id AND " + tc + ") ELSE " + own + " END)"
}
