package store

import (
	"context"
	"database/sql"
	"time"

	"skygrid"
)

var _ skygrid.EventService = (*DB)(nil)

const eventCols = `id, class, state, first_seen, last_seen, lon, lat, min_lon, min_lat, max_lon, max_lat, hotspot_count, max_frp,
	COALESCE(grid_id, ''), COALESCE(township_id, ''), COALESCE(county_id, ''), assigned_by, created_at, updated_at,
	COALESCE((SELECT name FROM regions WHERE id = events.grid_id), ''), COALESCE((SELECT name FROM regions WHERE id = events.township_id), ''),
	COALESCE((SELECT name FROM regions WHERE id = events.county_id), ''),
	history, cross_border, COALESCE(near_county_id, ''), near_metres, near_direction, COALESCE(neighbour_id, ''),
	COALESCE((SELECT name FROM regions WHERE id = events.near_county_id), ''), COALESCE((SELECT name FROM regions WHERE id = events.neighbour_id), '')`

func scanEvent(rows *sql.Rows, extra ...any) (*skygrid.Event, error) {
	e := &skygrid.Event{}
	var first, last, created, updated string
	dest := []any{&e.ID, &e.Class, &e.State, &first, &last, &e.Point[0], &e.Point[1], &e.Bound.Min[0], &e.Bound.Min[1],
		&e.Bound.Max[0], &e.Bound.Max[1], &e.HotspotCount, &e.MaxFRP, &e.GridID, &e.TownshipID, &e.CountyID, &e.AssignedBy, &created, &updated,
		&e.GridName, &e.TownshipName, &e.CountyName,
		&e.History, &e.CrossBorder, &e.NearCountyID, &e.NearMetres, &e.NearDirection, &e.NeighbourID, &e.NearCounty, &e.Neighbour}
	if err := rows.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	e.FirstSeen, e.LastSeen, e.CreatedAt, e.UpdatedAt = parseTS(first), parseTS(last), parseTS(created), parseTS(updated)
	return e, nil
}

// FindEventByID returns an event with its hotspots, grid, supervisor and task.
func (db *DB) FindEventByID(ctx context.Context, id int64) (*skygrid.Event, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
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

// FindEvents returns matching events, most recent first, and the total.
func (db *DB) FindEvents(ctx context.Context, f skygrid.EventFilter) ([]*skygrid.Event, int, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	es, n, err := findEvents(ctx, tx, f)
	if err != nil {
		return nil, 0, err
	}
	// Attach the task of each event (one query).
	if len(es) > 0 {
		byID := map[int64]*skygrid.Event{}
		for _, e := range es {
			byID[e.ID] = e
		}
		// In chunks: SQLite takes at most 32,766 variables a statement,
		// and the tile layer reads every event.
		ids := eventIDs(es)
		for len(ids) > 0 {
			k := min(len(ids), 10000)
			tasks, _, err := findTasks(ctx, tx, skygrid.TaskFilter{}, nil, ids[:k]...)
			if err != nil {
				return nil, 0, err
			}
			for _, t := range tasks {
				if e := byID[t.EventID]; e != nil {
					e.Task = t
				}
			}
			ids = ids[k:]
		}
	}
	return es, n, nil
}

func eventIDs(es []*skygrid.Event) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func findEvents(ctx context.Context, tx *Tx, f skygrid.EventFilter) ([]*skygrid.Event, int, error) {
	var conds []string
	var args []any
	if f.ID != nil {
		conds, args = append(conds, "id = ?"), append(args, *f.ID)
	}
	if c := eventScopeCond(f.Scope, &args); c != "" {
		conds = append(conds, c)
	}
	if f.Bbox != nil {
		conds = append(conds, "lon >= ? AND lon <= ? AND lat >= ? AND lat <= ?")
		args = append(args, f.Bbox.Min[0], f.Bbox.Max[0], f.Bbox.Min[1], f.Bbox.Max[1])
	}
	if f.Since != nil {
		conds, args = append(conds, "last_seen >= ?"), append(args, ts(*f.Since))
	}
	if f.Until != nil {
		conds, args = append(conds, "first_seen < ?"), append(args, ts(*f.Until))
	}
	if f.FirstSince != nil {
		conds, args = append(conds, "first_seen >= ?"), append(args, ts(*f.FirstSince))
	}
	if f.Class != nil {
		conds, args = append(conds, "class = ?"), append(args, *f.Class)
	}
	if f.State != nil {
		conds, args = append(conds, "state = ?"), append(args, *f.State)
	}
	if f.RegionID != nil {
		conds = append(conds, "(grid_id = ? OR township_id = ? OR county_id = ?)")
		args = append(args, *f.RegionID, *f.RegionID, *f.RegionID)
	}
	if f.CountyID != nil {
		conds, args = append(conds, "county_id = ?"), append(args, *f.CountyID)
	}
	if f.GridID != nil {
		conds, args = append(conds, "grid_id = ?"), append(args, *f.GridID)
	}
	if f.History != nil {
		conds, args = append(conds, "history = ?"), append(args, *f.History)
	}
	if f.CrossBorder != nil {
		conds, args = append(conds, "cross_border = ?"), append(args, *f.CrossBorder)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+eventCols+`, COUNT(*) OVER () FROM events`+where(conds)+
		` ORDER BY first_seen DESC, id DESC`+limitOffset(f.Limit, f.Offset), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*skygrid.Event
	n := 0
	for rows.Next() {
		e, err := scanEvent(rows, &n)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	return out, n, rows.Err()
}

// eventScopeCond keeps the events in scope: an event with a task where the
// task is (a reassigned task takes its event along), one without by its
// own grid, township or county.
func eventScopeCond(s *skygrid.Scope, args *[]any) string {
	if s == nil || s.All {
		return ""
	}
	if len(s.Regions) == 0 {
		return "0"
	}
	tc := taskScopeCond(s, args)
	own := scopeCond(s, args, "events.grid_id", "events.township_id", "events.county_id")
	return "(CASE WHEN EXISTS (SELECT 1 FROM tasks t0 WHERE t0.event_id = events.id) THEN events.id IN (SELECT t.event_id" + taskFrom +
		" WHERE " + tc + ") ELSE " + own + " END)"
}
