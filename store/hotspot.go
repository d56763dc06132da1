package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"skygrid"

	"github.com/paulmach/orb"
)

var _ skygrid.HotspotService = (*DB)(nil)

// FindHotspots returns matching hotspots, most recent first, and the
// total (exact: counted now when the kept count is older than the data).
func (db *DB) FindHotspots(ctx context.Context, f skygrid.HotspotFilter) ([]*skygrid.Hotspot, int, error) {
	if f.Limit > 0 || f.Offset > 0 || f.Cursor != "" {
		hs, p, err := db.findHotspotPage(ctx, f, true)
		return hs, p.Total, err
	}
	tx, err := db.BeginTx(ctx, &readOnly)
	if err != nil {
		return nil, 0, fmt.Errorf("find hotspots: begin: %w", err)
	}
	defer tx.Rollback()
	return findHotspots(ctx, tx, f)
}

// FindHotspotPage returns a page of hotspots and what the page says (see
// skygrid.HotspotService).
func (db *DB) FindHotspotPage(ctx context.Context, f skygrid.HotspotFilter) ([]*skygrid.Hotspot, skygrid.Page, error) {
	return db.findHotspotPage(ctx, f, false)
}

// hotspotKeyset is the hotspots' order: newest first (the id is the
// acquisition minute and a sequence number: the table's own order).
var hotspotKeyset = keyset{list: "hotspots", cols: []string{"id"}, desc: true}

// findHotspotPage finds a page of hotspots along their ids and the total
// (see DB.count).
func (db *DB) findHotspotPage(ctx context.Context, f skygrid.HotspotFilter, exact bool) ([]*skygrid.Hotspot, skygrid.Page, error) {
	k := hotspotKeyset
	c, err := pageCursor(f.Cursor, f.Offset, k)
	if err != nil {
		return nil, skygrid.Page{}, err
	}
	var pargs []any
	pconds := hotspotConds(f, &pargs, false)
	if c != nil {
		pconds = append(pconds, k.seek(c, &pargs))
	}
	lim := f.Limit
	if lim > 0 {
		lim++
	}
	tx, err := db.BeginTx(ctx, &readOnly)
	if err != nil {
		return nil, skygrid.Page{}, fmt.Errorf("find hotspots: begin: %w", err)
	}
	defer tx.Rollback()
	hs, err := queryHotspots(ctx, tx, pconds, pargs, k.order(c != nil && c.Before)+limitOffset(lim, f.Offset))
	if err != nil {
		return nil, skygrid.Page{}, err
	}
	keys := make([]pageKeys, len(hs))
	for i, h := range hs {
		keys[i] = pageKeys{h.ID}
	}
	keys, page := k.trim(keys, f.Limit, f.Offset, c)
	if len(hs) > len(keys) {
		hs = hs[:len(keys)]
	}
	if c != nil && c.Before {
		slices.Reverse(hs)
	}
	tx.Rollback()
	var args []any
	conds := hotspotConds(f, &args, true)
	page.Total, page.TotalExact, err = db.count(ctx, countKey("hotspots", conds, args), "", "", exact, func(ctx context.Context) (int, error) {
		return db.countRows(ctx, "hotspots", " FROM hotspots", conds, args)
	})
	return hs, page, err
}

// findHotspots returns every matching hotspot inside tx, most recent
// first, and their total.
func findHotspots(ctx context.Context, tx *Tx, f skygrid.HotspotFilter) ([]*skygrid.Hotspot, int, error) {
	var args []any
	conds := hotspotConds(f, &args, true)
	hs, err := queryHotspots(ctx, tx, conds, args, ` ORDER BY id DESC`)
	return hs, len(hs), err
}

func queryHotspots(ctx context.Context, tx *Tx, conds []string, args []any, tail string) ([]*skygrid.Hotspot, error) {
	q := &listQuery{what: "find hotspots", from: `SELECT ` + hotspotCols + ` FROM hotspots`, conds: conds, args: args, order: tail}
	return queryList(ctx, tx, q, func(rows *sql.Rows) (*skygrid.Hotspot, error) { return scanHotspot(rows) })
}

// hotspotConds is the filter's SQL conditions, their arguments added to
// args. The scope is asked of each hotspot's event as the rows are read
// (a page reads a few hundred), or, when every match is read (many: a
// count, a whole list), of the events in scope listed once.
func hotspotConds(f skygrid.HotspotFilter, args *[]any, many bool) []string {
	var conds []string
	if f.Bbox != nil {
		e := e5Bound(*f.Bbox)
		conds = append(conds, "lon_e5 >= ? AND lon_e5 <= ? AND lat_e5 >= ? AND lat_e5 <= ?")
		*args = append(*args, e[0], e[1], e[2], e[3])
	}
	if f.Since != nil {
		conds, *args = append(conds, "id >= ? AND acq_time >= ?"), append(*args, minuteID(f.Since.Unix()), f.Since.Unix())
	}
	if f.Until != nil {
		conds, *args = append(conds, "id < ? AND acq_time < ?"), append(*args, minuteID(f.Until.Unix()+59), f.Until.Unix())
	}
	if f.Status != nil {
		conds, *args = append(conds, "status = ?"), append(*args, *f.Status)
	}
	if f.EventID != nil {
		conds, *args = append(conds, "event_id = ?"), append(*args, *f.EventID)
	}
	if f.BatchID != nil {
		conds, *args = append(conds, "batch_id = ?"), append(*args, *f.BatchID)
	}
	// The scope last: SQLite tests the conditions in their order.
	if f.Scope != nil && !f.Scope.All {
		if many {
			conds = append(conds, "event_id IN (SELECT id FROM events WHERE "+eventScopeCond(f.Scope, args)+")")
		} else {
			conds = append(conds, "EXISTS (SELECT 1 FROM events WHERE events.id = hotspots.event_id AND "+eventScopeCond(f.Scope, args)+")")
		}
	}
	return conds
}

// Hotspot ids: the acquisition minute times 2^20 plus a sequence number
// (see the migration), so the rowid order is time order.
const seqBits = 20

// minuteID is the first id of the minute holding Unix time sec (rounded
// down; Until bounds round up to whole minutes by adding 59 s first).
func minuteID(sec int64) int64 { return floorDiv(sec, 60) << seqBits }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// LatestDetection is the acquisition time of the latest detection at or
// before at, to the minute (the zero time when there is none): the newest
// data the map and the month's statistics can show. One probe of the
// primary key (the id begins with the minute).
func (db *DB) LatestDetection(ctx context.Context, at time.Time) (time.Time, error) {
	var id sql.NullInt64
	err := db.db.QueryRowContext(ctx, `SELECT MAX(id) FROM hotspots WHERE id < ?`, minuteID(at.Unix()+60)).Scan(&id)
	if err != nil {
		return time.Time{}, fmt.Errorf("latest detection: %w", err)
	}
	if !id.Valid {
		return time.Time{}, nil
	}
	return time.Unix(id.Int64>>seqBits*60, 0).UTC(), nil
}

// OrphanHotspots counts hotspots whose batch or event does not exist (the
// columns have no foreign keys; see the migration). It should be 0.
func (db *DB) OrphanHotspots(ctx context.Context) (int, error) {
	var n int
	err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM hotspots h
		LEFT JOIN ingest_batches b ON b.id = h.batch_id
		LEFT JOIN events e ON e.id = h.event_id
		WHERE b.id IS NULL OR (h.event_id IS NOT NULL AND e.id IS NULL)`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count orphan hotspots: %w", err)
	}
	return n, nil
}

// ScanHotspots calls fn for every hotspot in id order, reusing one value.
func (db *DB) ScanHotspots(ctx context.Context, fn func(h *skygrid.Hotspot) error) error {
	rows, err := db.db.QueryContext(ctx, `SELECT id, satellite, acq_time, lat_e5, lon_e5, frp, confidence, status, COALESCE(event_id, 0) FROM hotspots ORDER BY id`)
	if err != nil {
		return fmt.Errorf("scan hotspots: %w", err)
	}
	defer rows.Close()
	var h skygrid.Hotspot
	var at, lat, lon int64
	for rows.Next() {
		if err := rows.Scan(&h.ID, &h.Satellite, &at, &lat, &lon, &h.FRP, &h.Confidence, &h.Status, &h.EventID); err != nil {
			return fmt.Errorf("read a hotspots row: %w", err)
		}
		h.AcqTime = time.Unix(at, 0).UTC()
		h.Point = orb.Point{float64(lon) / 1e5, float64(lat) / 1e5}
		if err := fn(&h); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("scan hotspots: %w", err)
	}
	return nil
}
