package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"skygrid"

	"github.com/paulmach/orb"
)

var _ skygrid.IngestService = (*DB)(nil)

// InIngestTx runs fn in one write transaction: committed when fn returns
// nil, rolled back otherwise, so a file is stored whole or not at all.
func (db *DB) InIngestTx(ctx context.Context, fn func(skygrid.IngestTx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	itx := &ingestTx{ctx: ctx, tx: tx}
	defer itx.close()
	if err := fn(itx); err != nil {
		return err
	}
	itx.close()
	return tx.Commit()
}

type ingestTx struct {
	ctx    context.Context
	tx     *Tx
	insert *sql.Stmt
	update *sql.Stmt
}

func (t *ingestTx) close() {
	if t.insert != nil {
		t.insert.Close()
		t.insert = nil
	}
	if t.update != nil {
		t.update.Close()
		t.update = nil
	}
}

func (t *ingestTx) CreateBatch(b *skygrid.IngestBatch) error {
	if b.StartedAt.IsZero() {
		b.StartedAt = t.tx.now
	}
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO ingest_batches (file, format, started_at) VALUES (?, ?, ?)`, b.File, b.Format, ts(b.StartedAt))
	if err != nil {
		return err
	}
	b.ID, err = res.LastInsertId()
	return err
}

func (t *ingestTx) FinishBatch(b *skygrid.IngestBatch) error {
	if b.FinishedAt.IsZero() {
		b.FinishedAt = t.tx.db.Now().UTC()
	}
	errs, _ := json.Marshal(b.Errors)
	if b.Errors == nil {
		errs = []byte("[]")
	}
	_, err := t.tx.ExecContext(t.ctx, `UPDATE ingest_batches SET format = ?, rows = ?, new = ?, duplicates = ?, rejected = ?, outside = ?,
		low_confidence = ?, static = ?, events_new = ?, events_updated = ?, tasks_new = ?, errors = ?, finished_at = ? WHERE id = ?`,
		b.Format, b.Rows, b.New, b.Duplicates, b.Rejected, b.Outside, b.LowConfidence, b.Static, b.EventsNew, b.EventsUpdated,
		b.TasksNew, string(errs), ts(b.FinishedAt), b.ID)
	return err
}

func (t *ingestTx) InsertHotspots(hs []*skygrid.Hotspot) (int, error) {
	if t.insert == nil {
		var err error
		t.insert, err = t.tx.PrepareContext(t.ctx, `INSERT INTO hotspots (source, satellite, acq_time, acq_minute, lat_e5, lon_e5, lat, lon,
			brightness, bright_t31, scan, track, frp, confidence, daynight, version, type, batch_id, status, status_reason)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return 0, err
		}
	}
	n := 0
	for _, h := range hs {
		k := h.Key()
		if h.Status == "" {
			h.Status = skygrid.StatusPending
		}
		res, err := t.insert.ExecContext(t.ctx, h.Source, h.Satellite, ts(h.AcqTime), k.Minute, k.LatE5, k.LonE5, h.Point[1], h.Point[0],
			h.Brightness, h.BrightT31, h.Scan, h.Track, h.FRP, h.Confidence, h.DayNight, h.Version, h.Type, h.BatchID, h.Status, h.StatusReason)
		if err != nil {
			return n, fmt.Errorf("insert hotspot: %w", err)
		}
		if a, _ := res.RowsAffected(); a == 1 {
			h.ID, _ = res.LastInsertId()
			n++
		} else {
			h.ID = 0
		}
	}
	return n, nil
}

const hotspotCols = `id, source, satellite, acq_time, lat, lon, brightness, bright_t31, scan, track, frp, confidence, daynight, version, type,
	batch_id, status, status_reason, COALESCE(event_id, 0)`

func scanHotspot(rows *sql.Rows, extra ...any) (*skygrid.Hotspot, error) {
	h := &skygrid.Hotspot{}
	var at string
	var lat, lon float64
	dest := []any{&h.ID, &h.Source, &h.Satellite, &at, &lat, &lon, &h.Brightness, &h.BrightT31, &h.Scan, &h.Track, &h.FRP,
		&h.Confidence, &h.DayNight, &h.Version, &h.Type, &h.BatchID, &h.Status, &h.StatusReason, &h.EventID}
	if err := rows.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	h.AcqTime = parseTS(at)
	h.Point = orb.Point{lon, lat}
	return h, nil
}

func (t *ingestTx) RecentHotspots(b orb.Bound, since, until time.Time) ([]*skygrid.Hotspot, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+hotspotCols+` FROM hotspots
		WHERE acq_time >= ? AND acq_time <= ? AND lon >= ? AND lon <= ? AND lat >= ? AND lat <= ? ORDER BY acq_time, id`,
		ts(since), ts(until), b.Min[0], b.Max[0], b.Min[1], b.Max[1])
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

func (t *ingestTx) UpdateHotspots(hs []*skygrid.Hotspot) error {
	if t.update == nil {
		var err error
		if t.update, err = t.tx.PrepareContext(t.ctx, `UPDATE hotspots SET status = ?, status_reason = ?, event_id = ? WHERE id = ?`); err != nil {
			return err
		}
	}
	for _, h := range hs {
		var ev any
		if h.EventID > 0 {
			ev = h.EventID
		}
		if _, err := t.update.ExecContext(t.ctx, h.Status, h.StatusReason, ev, h.ID); err != nil {
			return fmt.Errorf("update hotspot %d: %w", h.ID, err)
		}
	}
	return nil
}

func (t *ingestTx) OpenEvents(b orb.Bound, since time.Time) ([]*skygrid.Event, error) {
	var args []any
	cond := bboxCond(b, &args)
	args = append(args, ts(since))
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+eventCols+` FROM events WHERE state = 'open' AND `+cond+` AND last_seen >= ? ORDER BY id`, args...)
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

func (t *ingestTx) CreateEvent(e *skygrid.Event) error {
	e.CreatedAt, e.UpdatedAt = t.tx.now, t.tx.now
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO events (class, state, first_seen, last_seen, lon, lat, min_lon, min_lat, max_lon, max_lat,
		hotspot_count, max_frp, grid_id, township_id, county_id, assigned_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Class, e.State, ts(e.FirstSeen), ts(e.LastSeen), e.Point[0], e.Point[1], e.Bound.Min[0], e.Bound.Min[1], e.Bound.Max[0], e.Bound.Max[1],
		e.HotspotCount, e.MaxFRP, nullStr(e.GridID), nullStr(e.TownshipID), nullStr(e.CountyID), e.AssignedBy, ts(e.CreatedAt), ts(e.UpdatedAt))
	if err != nil {
		return fmt.Errorf("create event: %w", err)
	}
	e.ID, err = res.LastInsertId()
	return err
}

func (t *ingestTx) UpdateEvent(e *skygrid.Event) error {
	e.UpdatedAt = t.tx.now
	_, err := t.tx.ExecContext(t.ctx, `UPDATE events SET class = ?, state = ?, first_seen = ?, last_seen = ?, lon = ?, lat = ?,
		min_lon = ?, min_lat = ?, max_lon = ?, max_lat = ?, hotspot_count = ?, max_frp = ?, updated_at = ? WHERE id = ?`,
		e.Class, e.State, ts(e.FirstSeen), ts(e.LastSeen), e.Point[0], e.Point[1], e.Bound.Min[0], e.Bound.Min[1], e.Bound.Max[0], e.Bound.Max[1],
		e.HotspotCount, e.MaxFRP, ts(e.UpdatedAt), e.ID)
	if err != nil {
		return fmt.Errorf("update event %d: %w", e.ID, err)
	}
	return nil
}

func (t *ingestTx) TaskByEvent(eventID int64) (*skygrid.Task, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+taskCols+` FROM tasks t LEFT JOIN supervisors s ON s.id = t.supervisor_id
		JOIN events e ON e.id = t.event_id WHERE t.event_id = ?`, eventID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, rows.Err()
	}
	return scanTask(rows)
}

func (t *ingestTx) CreateTask(k *skygrid.Task) error {
	k.CreatedAt, k.UpdatedAt = t.tx.now, t.tx.now
	var sup any
	if k.SupervisorID > 0 {
		sup = k.SupervisorID
	}
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO tasks (event_id, grid_id, supervisor_id, state, ack_due, report_due, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, k.EventID, nullStr(k.GridID), sup, k.State, ts(k.AckDue), ts(k.ReportDue), ts(k.CreatedAt), ts(k.UpdatedAt))
	if err != nil {
		return fmt.Errorf("create task for event %d: %w", k.EventID, err)
	}
	k.ID, err = res.LastInsertId()
	return err
}

func (t *ingestTx) UpdateTask(k *skygrid.Task) error {
	k.UpdatedAt = t.tx.now
	_, err := t.tx.ExecContext(t.ctx, `UPDATE tasks SET state = ?, ack_due = ?, report_due = ?, updated_at = ? WHERE id = ?`,
		k.State, ts(k.AckDue), ts(k.ReportDue), ts(k.UpdatedAt), k.ID)
	return err
}

func (t *ingestTx) Supervisors() (map[string]*skygrid.Supervisor, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT id, grid_id, name, phone, demo FROM supervisors`)
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

func (t *ingestTx) Audit(e *skygrid.AuditEntry) error { return insertAudit(t.ctx, t.tx, e) }

// FindBatches returns the latest ingest batches, newest first.
func (db *DB) FindBatches(ctx context.Context, limit int) ([]*skygrid.IngestBatch, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id, file, format, rows, new, duplicates, rejected, outside, low_confidence, static,
		events_new, events_updated, tasks_new, errors, started_at, finished_at FROM ingest_batches ORDER BY id DESC`+limitOffset(limit, 0))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*skygrid.IngestBatch
	for rows.Next() {
		b := &skygrid.IngestBatch{}
		var errs, started string
		var finished sql.NullString
		if err := rows.Scan(&b.ID, &b.File, &b.Format, &b.Rows, &b.New, &b.Duplicates, &b.Rejected, &b.Outside, &b.LowConfidence,
			&b.Static, &b.EventsNew, &b.EventsUpdated, &b.TasksNew, &errs, &started, &finished); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(errs), &b.Errors)
		b.StartedAt, b.FinishedAt = parseTS(started), nullTS(finished)
		out = append(out, b)
	}
	return out, rows.Err()
}
