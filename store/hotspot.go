package store

import (
	"context"
	"database/sql"

	"skygrid"
)

var _ skygrid.HotspotService = (*DB)(nil)

// FindHotspots returns matching hotspots, most recent first, and the total.
func (db *DB) FindHotspots(ctx context.Context, f skygrid.HotspotFilter) ([]*skygrid.Hotspot, int, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	return findHotspots(ctx, tx, f)
}

func findHotspots(ctx context.Context, tx *Tx, f skygrid.HotspotFilter) ([]*skygrid.Hotspot, int, error) {
	var conds []string
	var args []any
	if f.Bbox != nil {
		conds = append(conds, "lon >= ? AND lon <= ? AND lat >= ? AND lat <= ?")
		args = append(args, f.Bbox.Min[0], f.Bbox.Max[0], f.Bbox.Min[1], f.Bbox.Max[1])
	}
	if f.Since != nil {
		conds, args = append(conds, "acq_time >= ?"), append(args, ts(*f.Since))
	}
	if f.Until != nil {
		conds, args = append(conds, "acq_time < ?"), append(args, ts(*f.Until))
	}
	if f.Status != nil {
		conds, args = append(conds, "status = ?"), append(args, *f.Status)
	}
	if f.EventID != nil {
		conds, args = append(conds, "event_id = ?"), append(args, *f.EventID)
	}
	if f.BatchID != nil {
		conds, args = append(conds, "batch_id = ?"), append(args, *f.BatchID)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+hotspotCols+`, COUNT(*) OVER () FROM hotspots`+where(conds)+
		` ORDER BY acq_time DESC, id DESC`+limitOffset(f.Limit, f.Offset), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*skygrid.Hotspot
	n := 0
	for rows.Next() {
		h, err := scanHotspot(rows, &n)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, h)
	}
	return out, n, rows.Err()
}
