package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"skygrid"

	"github.com/paulmach/orb"
)

// ScanHotspotsAdded reads, in one read transaction, the hotspots stored
// by ingest batches that are not in known, in id order, and returns the
// ids of those batches. With known nil it reads every hotspot. Hotspots
// are never changed once stored (only added), so a tile server that
// keeps the hotspots in memory brings them up to date with this rather
// than reading them all again (tiles.HotspotFeed).
//
// Rows are found without an index on batch_id (the ingest keeps no
// second index, see migration 0001): first the ids above afterID (new
// detections come with new ids), then, only when those are fewer than
// the batches stored (ingest_batches.new; a back-filled file), a scan
// of the older ids.
func (db *DB) ScanHotspotsAdded(ctx context.Context, known map[int64]bool, afterID int64, fn func(h *skygrid.Hotspot) error) ([]int64, error) {
	tx, err := db.BeginTx(ctx, &readOnly)
	if err != nil {
		return nil, fmt.Errorf("scan added hotspots: begin: %w", err)
	}
	defer tx.Rollback()
	var added []int64
	var want int64
	err = queryRows(ctx, tx, "scan added hotspots: batches", `SELECT id, new FROM ingest_batches ORDER BY id`, nil, func(scan func(...any) error) error {
		var id, n int64
		if err := scan(&id, &n); err != nil {
			return fmt.Errorf("scan added hotspots: read a batch: %w", err)
		}
		if !known[id] {
			added, want = append(added, id), want+n
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if known == nil {
		return added, scanHotspotRows(ctx, tx, "", nil, fn)
	}
	if len(added) == 0 || want == 0 {
		return added, nil
	}
	in := "batch_id IN (?" + strings.Repeat(", ?", len(added)-1) + ")"
	args := make([]any, 0, len(added)+1)
	args = append(args, afterID)
	for _, id := range added {
		args = append(args, id)
	}
	var got int64
	count := func(h *skygrid.Hotspot) error { got++; return fn(h) }
	if err := scanHotspotRows(ctx, tx, "WHERE id > ? AND "+in, args, count); err != nil {
		return nil, err
	}
	if got < want {
		if err := scanHotspotRows(ctx, tx, "WHERE id <= ? AND "+in, args, fn); err != nil {
			return nil, err
		}
	}
	return added, nil
}

// queryRows runs a query in tx and calls each for every row; errors
// say what was being read.
func queryRows(ctx context.Context, tx *Tx, what, q string, args []any, each func(scan func(...any) error) error) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows.Scan); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// scanHotspotRows calls fn for the hotspots matching where, in id order,
// reusing one value (the columns ScanHotspots reads).
func scanHotspotRows(ctx context.Context, tx *Tx, where string, args []any, fn func(h *skygrid.Hotspot) error) error {
	var h skygrid.Hotspot
	var at, lat, lon int64
	err := queryRows(ctx, tx, "scan added hotspots", `SELECT id, satellite, acq_time, lat_e5, lon_e5, frp, confidence, status, COALESCE(event_id, 0) FROM hotspots `+where+` ORDER BY id`, args,
		func(scan func(...any) error) error {
			if err := scan(&h.ID, &h.Satellite, &at, &lat, &lon, &h.FRP, &h.Confidence, &h.Status, &h.EventID); err != nil {
				return fmt.Errorf("read a hotspots row: %w", err)
			}
			h.AcqTime = time.Unix(at, 0).UTC()
			h.Point = orb.Point{float64(lon) / 1e5, float64(lat) / 1e5}
			return fn(&h)
		})
	return err
}
