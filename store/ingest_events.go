package store

import (
	"context"
	"fmt"

	"skygrid"
)

// manyRows is how many events or tasks one statement writes.
const manyRows = 100

// An ingest's new events mostly share eleven of their 25 columns (class,
// state, the transaction's time as created and updated, how the grid was
// found, history, and no cross-border place): runs of manyRows events
// alike, in order, get a statement with those written in as literals
// (like the hotspots' and the audit lines' shared values), and bind 14
// values an event, not 25.

// eventShared holds the columns most of an ingest's events share; near is
// false for an event with a cross-border place (never written in).
type eventShared struct {
	class, state, created, updated, assignedBy string
	history, crossBorder, near                 bool
}

func eventSharedOf(e *skygrid.Event) eventShared {
	return eventShared{e.Class, e.State, ts(e.CreatedAt), ts(e.UpdatedAt), e.AssignedBy, e.History, e.CrossBorder, noPlace(e)}
}

// noPlace reports whether e has no cross-border place.
func noPlace(e *skygrid.Event) bool {
	return e.NearCountyID == "" && e.NearMetres == 0 && e.NearDirection == "" && e.NeighbourID == ""
}

// sharesWith reports whether e has a's shared values (eventSharedOf's,
// without formatting the times).
func sharesWith(e, a *skygrid.Event) bool {
	return e.Class == a.Class && e.State == a.State && e.CreatedAt.Equal(a.CreatedAt) && e.UpdatedAt.Equal(a.UpdatedAt) &&
		e.AssignedBy == a.AssignedBy && e.History == a.History && e.CrossBorder == a.CrossBorder && noPlace(e) == noPlace(a)
}

const eventInsertCols = `INSERT INTO events (id, class, state, first_seen, last_seen, lon, lat, min_lon, min_lat, max_lon, max_lat,
	hotspot_count, max_frp, grid_id, township_id, county_id, assigned_by, created_at, updated_at,
	history, cross_border, near_county_id, near_metres, near_direction, neighbour_id) VALUES `

const eventUpsert = `
	ON CONFLICT (id) DO UPDATE SET class = excluded.class, state = excluded.state, first_seen = excluded.first_seen,
		last_seen = excluded.last_seen, lon = excluded.lon, lat = excluded.lat, min_lon = excluded.min_lon,
		min_lat = excluded.min_lat, max_lon = excluded.max_lon, max_lat = excluded.max_lat,
		hotspot_count = excluded.hotspot_count, max_frp = excluded.max_frp, grid_id = excluded.grid_id,
		township_id = excluded.township_id, county_id = excluded.county_id, assigned_by = excluded.assigned_by,
		updated_at = excluded.updated_at, history = excluded.history, cross_border = excluded.cross_border,
		near_county_id = excluded.near_county_id, near_metres = excluded.near_metres,
		near_direction = excluded.near_direction, neighbour_id = excluded.neighbour_id`

// row is the VALUES tuple for events of sh (eventInsertCols order), or
// ok=false.
func (sh eventShared) row() (string, bool) {
	if !sh.near {
		return "", false
	}
	q, ok := sqlStrings(sh.class, sh.state, sh.assignedBy, sh.created, sh.updated)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("(?, %s, %s, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, %s, %s, %s, %d, %d, NULL, 0, '', NULL)",
		q[0], q[1], q[2], q[3], q[4], flag(sh.history), flag(sh.crossBorder)), true
}

func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// saveEvents writes the events' figures, many to a statement (on
// PostgreSQL the new ones are copied in: copyNewEvents).
func (t *ingestTx) saveEvents(ctx context.Context, es []*skygrid.Event) error {
	t.eventsChanged = t.eventsChanged || len(es) > 0
	if t.saved == nil {
		t.saved = make(map[int64]*skygrid.Event, len(es))
	}
	for _, e := range es {
		e.UpdatedAt = t.tx.now
		if e.CreatedAt.IsZero() {
			e.CreatedAt = t.tx.now
		}
	}
	if t.tx.db.postgres {
		var err error
		if es, err = t.copyNewEvents(ctx, es); err != nil {
			return err
		}
	}
	for _, e := range es {
		t.saved[e.ID] = e
	}
	for len(es) > 0 {
		k, q, args := t.eventStmt(es)
		if _, err := t.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("save events: %w", err)
		}
		es = es[k:]
	}
	return nil
}

// eventStmt is the upsert of the first events of es, how many it writes
// and its arguments: manyRows events alike with their shared values
// written in, else the events up to the next such run (at most manyRows)
// binding every value.
func (t *ingestTx) eventStmt(es []*skygrid.Event) (int, string, []any) {
	n := eventRun(es)
	if n == manyRows {
		if q, ok := t.eventQuery(eventSharedOf(es[0])); ok {
			args := make([]any, 0, 14*n)
			for _, e := range es[:n] {
				args = append(args, e.ID, ts(e.FirstSeen), ts(e.LastSeen), e.Point[0], e.Point[1], e.Bound.Min[0], e.Bound.Min[1],
					e.Bound.Max[0], e.Bound.Max[1], e.HotspotCount, e.MaxFRP, nullStr(e.GridID), nullStr(e.TownshipID), nullStr(e.CountyID))
			}
			return n, q, args
		}
	}
	k := boundRows(n, len(es), manyRows, func(i int) int { return eventRun(es[i:]) })
	q := eventInsertCols + valuesRows(k, 25) + eventUpsert
	args := make([]any, 0, 25*k)
	for _, e := range es[:k] {
		args = appendEvent(args, e)
	}
	return k, q, args
}

// appendEvent appends e's values in eventInsertCols order to args.
func appendEvent(args []any, e *skygrid.Event) []any {
	return append(args, e.ID, e.Class, e.State, ts(e.FirstSeen), ts(e.LastSeen), e.Point[0], e.Point[1],
		e.Bound.Min[0], e.Bound.Min[1], e.Bound.Max[0], e.Bound.Max[1], e.HotspotCount, e.MaxFRP,
		nullStr(e.GridID), nullStr(e.TownshipID), nullStr(e.CountyID), e.AssignedBy, ts(e.CreatedAt), ts(e.UpdatedAt),
		e.History, e.CrossBorder, nullStr(e.NearCountyID), e.NearMetres, e.NearDirection, nullStr(e.NeighbourID))
}

// boundRows is how many rows a statement binding every value writes,
// when the first run of alike rows (n long, run(i) the run from row i) is
// shorter than a statement's rows: up to the next whole run of alike rows
// (which gets a statement of its own with its shared values written in),
// at most rows, of total.
func boundRows(n, total, rows int, run func(i int) int) int {
	k := n
	for k < total && k < rows {
		m := run(k)
		if m == rows {
			break
		}
		k += m
	}
	return min(k, rows)
}

// eventRun is how many of the first events of es (at most manyRows) share
// the first one's shared values.
func eventRun(es []*skygrid.Event) int {
	n := 1
	for n < len(es) && n < manyRows && sharesWith(es[n], es[0]) {
		n++
	}
	return n
}

// eventQuery is the upsert of manyRows events sharing sh's values; ok is
// false when they cannot be written in.
func (t *ingestTx) eventQuery(sh eventShared) (string, bool) {
	return literalQuery(&t.eventQueries, sh, eventInsertCols, manyRows, eventUpsert)
}
