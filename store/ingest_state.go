package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"skygrid"

	"github.com/paulmach/orb"
)

const hotspotCols = `id, source, satellite, acq_time, lat_e5, lon_e5, brightness, bright_t31, scan, track, frp, confidence, daynight, version, type,
	batch_id, status, status_reason, COALESCE(event_id, 0)`

func scanHotspot(rows *sql.Rows, extra ...any) (*skygrid.Hotspot, error) {
	h := &skygrid.Hotspot{}
	var at, lat, lon int64
	dest := []any{&h.ID, &h.Source, &h.Satellite, &at, &lat, &lon, &h.Brightness, &h.BrightT31, &h.Scan, &h.Track, &h.FRP,
		&h.Confidence, &h.DayNight, &h.Version, &h.Type, &h.BatchID, &h.Status, &h.StatusReason, &h.EventID}
	if err := rows.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	h.AcqTime = time.Unix(at, 0).UTC()
	h.Point = orb.Point{float64(lon) / 1e5, float64(lat) / 1e5}
	return h, nil
}

// e5Bound is the bound in 1e-5 degree units, grown to whole units.
func e5Bound(b orb.Bound) [4]int64 {
	return [4]int64{int64(math.Floor(b.Min[0] * 1e5)), int64(math.Ceil(b.Max[0] * 1e5)), int64(math.Floor(b.Min[1] * 1e5)), int64(math.Ceil(b.Max[1] * 1e5))}
}

func (t *ingestTx) StoredKeys(ctx context.Context, b orb.Bound, since, until time.Time) (map[skygrid.Key]bool, error) {
	e := e5Bound(b)
	rows, err := t.tx.QueryContext(ctx, `SELECT acq_time, source, satellite, lat_e5, lon_e5 FROM hotspots
		WHERE id >= ? AND id < ? AND lon_e5 >= ? AND lon_e5 <= ? AND lat_e5 >= ? AND lat_e5 <= ?`,
		minuteID(since.Unix()), minuteID(until.Unix())+1<<seqBits, e[0], e[1], e[2], e[3])
	if err != nil {
		return nil, fmt.Errorf("stored hotspot keys: %w", err)
	}
	defer rows.Close()
	out := map[skygrid.Key]bool{}
	for rows.Next() {
		var k skygrid.Key
		var at int64
		if err := rows.Scan(&at, &k.Source, &k.Satellite, &k.LatE5, &k.LonE5); err != nil {
			return nil, fmt.Errorf("stored hotspot keys: %w", err)
		}
		k.Minute = at / 60
		out[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("stored hotspot keys: %w", err)
	}
	return out, nil
}

// LoadState reads the recent hotspots, the open events and the
// supervisors.
func (t *ingestTx) LoadState(ctx context.Context, q skygrid.IngestQuery) (*skygrid.IngestState, error) {
	st := &skygrid.IngestState{}
	var err error
	if st.Hotspots, err = t.recentHotspots(ctx, q.Bound, q.HotspotsSince, q.Until); err != nil {
		return nil, fmt.Errorf("recent hotspots: %w", err)
	}
	if st.Events, err = t.openEvents(ctx, q.Bound, q.EventsSince); err != nil {
		return nil, fmt.Errorf("open events: %w", err)
	}
	if st.Supervisors, err = t.supervisors(ctx); err != nil {
		return nil, fmt.Errorf("supervisors: %w", err)
	}
	return st, nil
}

func (t *ingestTx) recentHotspots(ctx context.Context, b orb.Bound, since, until time.Time) ([]*skygrid.Hotspot, error) {
	e := e5Bound(b)
	rows, err := t.tx.QueryContext(ctx, `SELECT `+hotspotCols+` FROM hotspots
		WHERE id >= ? AND id < ? AND acq_time >= ? AND acq_time <= ? AND lon_e5 >= ? AND lon_e5 <= ? AND lat_e5 >= ? AND lat_e5 <= ? ORDER BY id`,
		minuteID(since.Unix()), minuteID(until.Unix())+1<<seqBits, since.Unix(), until.Unix(), e[0], e[1], e[2], e[3])
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*skygrid.Hotspot
	for rows.Next() {
		h, err := scanHotspot(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// openEvents are the open fire events a new detection may join; dust
// events (at a site, from its monitor or the registry) are never joined.
func (t *ingestTx) openEvents(ctx context.Context, b orb.Bound, since time.Time) ([]*skygrid.Event, error) {
	var args []any
	cond := bboxCond(b, &args)
	args = append(args, ts(since))
	rows, err := t.tx.QueryContext(ctx, `SELECT `+eventCols+` FROM events WHERE state = 'open' AND `+cond+` AND last_seen >= ?
		AND class NOT IN `+dustClassesSQL+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*skygrid.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (t *ingestTx) supervisors(ctx context.Context) (map[string]*skygrid.Supervisor, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT id, grid_id, name, phone, demo FROM supervisors`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*skygrid.Supervisor{}
	for rows.Next() {
		s := &skygrid.Supervisor{}
		if err := rows.Scan(&s.ID, &s.GridID, &s.Name, &s.Phone, &s.Demo); err != nil {
			return nil, err
		}
		out[s.GridID] = s
	}
	return out, rows.Err()
}
