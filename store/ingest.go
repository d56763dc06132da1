package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

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
	if err := itx.flushAudit(); err != nil {
		return err
	}
	itx.close()
	var layers []string
	if itx.hotspotsChanged {
		layers = append(layers, skygrid.LayerHotspots)
	}
	if itx.eventsChanged {
		layers = append(layers, skygrid.LayerEvents)
	}
	if err := bumpLayers(ctx, tx, layers...); err != nil {
		return err
	}
	return tx.Commit()
}

type ingestTx struct {
	ctx   context.Context
	tx    *Tx
	stmts map[string]*sql.Stmt
	// audit lines, written many to a statement before commit
	audit []*skygrid.AuditEntry
	// next hotspot sequence number per acquisition minute; minutes in the
	// reserved range without an entry start at 0
	nextSeq                map[int64]int64
	reserved               bool
	reservedLo, reservedHi int64
	// INSERT text per shared values ("" when they cannot be written in)
	sharedQueries map[shared]string
	// which map layers this transaction changed
	hotspotsChanged, eventsChanged bool
	// how many notification channels exist (nil: not read yet)
	channels *int
}

func (t *ingestTx) close() {
	for q, st := range t.stmts {
		st.Close()
		delete(t.stmts, q)
	}
}

// exec runs a statement prepared once per transaction: an ingest writes
// thousands of events, tasks and audit lines with the same few statements.
func (t *ingestTx) exec(q string, args ...any) (sql.Result, error) {
	st := t.stmts[q]
	if st == nil {
		var err error
		if st, err = t.tx.PrepareContext(t.ctx, q); err != nil {
			return nil, err
		}
		if t.stmts == nil {
			t.stmts = map[string]*sql.Stmt{}
		}
		t.stmts[q] = st
	}
	return st.ExecContext(t.ctx, args...)
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
	if b.ArrivedAt.IsZero() {
		b.ArrivedAt = b.StartedAt
	}
	ms := b.FinishedAt.Sub(b.ArrivedAt).Milliseconds()
	b.LatencyMS = &ms
	if b.Origin == "" {
		b.Origin = "cli"
	}
	_, err := t.tx.ExecContext(t.ctx, `UPDATE ingest_batches SET format = ?, rows = ?, new = ?, duplicates = ?, rejected = ?, outside = ?,
		low_confidence = ?, static = ?, events_new = ?, events_updated = ?, tasks_new = ?, errors = ?, finished_at = ?,
		arrived_at = ?, latency_ms = ?, origin = ?, events_history = ?, events_cross_border = ? WHERE id = ?`,
		b.Format, b.Rows, b.New, b.Duplicates, b.Rejected, b.Outside, b.LowConfidence, b.Static, b.EventsNew, b.EventsUpdated,
		b.TasksNew, string(errs), ts(b.FinishedAt), b.ArrivedAt.UTC().Format(time.RFC3339Nano), ms, b.Origin, b.History, b.CrossBorder, b.ID)
	return err
}

// insertRows is how many hotspots one INSERT statement carries: fewer
// statements, fewer calls into SQLite.
const insertRows = 128

const hotspotInsertCols = `id, acq_time, source, satellite, lat_e5, lon_e5, brightness, bright_t31, scan, track, frp,
	confidence, daynight, version, type, batch_id, status, status_reason, event_id`

// shared holds the columns that most hotspots of a file have in common.
// Each value bound to a statement is one call from Go into SQLite, the
// larger part of an insert's cost; rows that share these values get a
// statement with them written in as literals, and bind 10 values, not 19.
type shared struct {
	source, satellite, confidence, daynight, version, status, reason string
	typ                                                              int
	batch                                                            int64
}

func sharedOf(h *skygrid.Hotspot) shared {
	return shared{h.Source, h.Satellite, h.Confidence, h.DayNight, h.Version, h.Status, h.StatusReason, h.Type, h.BatchID}
}

// sqlString quotes s as an SQL string literal; ok is false for a string
// that cannot be one (a NUL byte).
func sqlString(s string) (string, bool) {
	if strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) {
		return "", false
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'", true
}

// row is the VALUES tuple for rows of sh (in hotspotInsertCols order), or
// ok=false.
func (sh shared) row() (string, bool) {
	var q [7]string
	for i, s := range []string{sh.source, sh.satellite, sh.confidence, sh.daynight, sh.version, sh.status, sh.reason} {
		var ok bool
		if q[i], ok = sqlString(s); !ok {
			return "", false
		}
	}
	return fmt.Sprintf("(?, ?, %s, %s, ?, ?, ?, ?, ?, ?, ?, %s, %s, %s, %d, %d, %s, %s, ?)",
		q[0], q[1], q[2], q[3], q[4], sh.typ, sh.batch, q[5], q[6]), true
}

// minShared is how many rows a group needs to get its own statement.
const minShared = 2 * insertRows

func (t *ingestTx) InsertHotspots(hs []*skygrid.Hotspot) (int, error) {
	p, err := t.PrepareHotspots(hs)
	if err != nil {
		return 0, err
	}
	return t.InsertPrepared(p)
}

// prepared is hotspots made ready to write: statements and their arguments.
type prepared struct {
	stmts []preparedStmt
	n     int
}

type preparedStmt struct {
	query string
	args  []any
}

func (p *prepared) Len() int { return p.n }

// ReserveHotspotIDs reads the last id of every minute in [since, until] so
// that PrepareHotspots needs no SQL for hotspots of those minutes.
func (t *ingestTx) ReserveHotspotIDs(since, until time.Time) error {
	if t.nextSeq == nil {
		t.nextSeq = map[int64]int64{}
	}
	lo, hi := floorDiv(since.Unix(), 60), floorDiv(until.Unix(), 60)
	rows, err := t.tx.QueryContext(t.ctx, `SELECT id >> 20, MAX(id) FROM hotspots WHERE id >= ? AND id < ? GROUP BY id >> 20`,
		lo<<seqBits, (hi+1)<<seqBits)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var m, max int64
		if err := rows.Scan(&m, &max); err != nil {
			return err
		}
		t.nextSeq[m] = max - m<<seqBits + 1
	}
	t.reserved, t.reservedLo, t.reservedHi = true, lo, hi
	return rows.Err()
}

// PrepareHotspots gives the hotspots their ids and builds the statements
// that write them: rows sharing values (see shared) in statements with
// those values written in, the rest binding every value. After
// ReserveHotspotIDs for their minutes it runs no SQL, so it may run on
// another goroutine than InsertPrepared.
func (t *ingestTx) PrepareHotspots(hs []*skygrid.Hotspot) (skygrid.PreparedHotspots, error) {
	if t.nextSeq == nil {
		t.nextSeq = map[int64]int64{}
	}
	if err := t.assignIDs(hs); err != nil {
		return nil, err
	}
	p := &prepared{n: len(hs)}
	groups := map[shared][]*skygrid.Hotspot{}
	var order []shared
	for _, h := range hs {
		k := sharedOf(h)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], h)
	}
	var rest []*skygrid.Hotspot
	for _, k := range order {
		g := groups[k]
		q, ok := t.sharedQuery(k)
		if !ok || len(g) < minShared {
			rest = append(rest, g...)
			continue
		}
		for len(g) >= insertRows {
			args := make([]any, 0, 10*insertRows)
			for _, h := range g[:insertRows] {
				args = append(args, h.ID, h.AcqTime.Unix()/60*60, skygrid.E5(h.Point[1]), skygrid.E5(h.Point[0]),
					h.Brightness, h.BrightT31, h.Scan, h.Track, h.FRP, eventArg(h))
			}
			p.stmts = append(p.stmts, preparedStmt{q, args})
			g = g[insertRows:]
		}
		rest = append(rest, g...)
	}
	for len(rest) > 0 {
		k := min(len(rest), insertRows)
		args := make([]any, 0, 19*k)
		for _, h := range rest[:k] {
			args = append(args, h.ID, h.AcqTime.Unix()/60*60, h.Source, h.Satellite, skygrid.E5(h.Point[1]), skygrid.E5(h.Point[0]),
				h.Brightness, h.BrightT31, h.Scan, h.Track, h.FRP, h.Confidence, h.DayNight, h.Version, h.Type, h.BatchID,
				h.Status, h.StatusReason, eventArg(h))
		}
		p.stmts = append(p.stmts, preparedStmt{allBoundQuery(k), args})
		rest = rest[k:]
	}
	return p, nil
}

func eventArg(h *skygrid.Hotspot) any {
	if h.EventID > 0 {
		return h.EventID
	}
	return nil
}

// sharedQuery is the INSERT for insertRows rows sharing k's values; ok is
// false when they cannot be written in.
func (t *ingestTx) sharedQuery(k shared) (string, bool) {
	if q, ok := t.sharedQueries[k]; ok {
		return q, q != ""
	}
	if t.sharedQueries == nil {
		t.sharedQueries = map[shared]string{}
	}
	row, ok := k.row()
	q := ""
	if ok {
		q = `INSERT INTO hotspots (` + hotspotInsertCols + `) VALUES ` + strings.TrimSuffix(strings.Repeat(row+",", insertRows), ",")
	}
	t.sharedQueries[k] = q
	return q, ok
}

// allBoundQuery is the INSERT for n rows binding every value.
func allBoundQuery(n int) string {
	return `INSERT INTO hotspots (` + hotspotInsertCols + `) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?"+strings.Repeat(", ?", 18)+"),", n), ",")
}

// InsertPrepared writes prepared hotspots.
func (t *ingestTx) InsertPrepared(pp skygrid.PreparedHotspots) (int, error) {
	p, ok := pp.(*prepared)
	if !ok {
		return 0, fmt.Errorf("insert hotspots: not prepared by this transaction")
	}
	n := 0
	for _, st := range p.stmts {
		res, err := t.exec(st.query, st.args...)
		if err != nil {
			return n, fmt.Errorf("insert hotspots: %w", err)
		}
		m, _ := res.RowsAffected()
		n += int(m)
	}
	t.hotspotsChanged = t.hotspotsChanged || n > 0
	return n, nil
}

// assignIDs gives each hotspot the next id of its acquisition minute.
func (t *ingestTx) assignIDs(hs []*skygrid.Hotspot) error {
	for _, h := range hs {
		m := floorDiv(h.AcqTime.Unix(), 60)
		next, ok := t.nextSeq[m]
		if !ok && !(t.reserved && m >= t.reservedLo && m <= t.reservedHi) {
			var max sql.NullInt64
			lo := m << seqBits
			if err := t.tx.QueryRowContext(t.ctx, `SELECT MAX(id) FROM hotspots WHERE id >= ? AND id < ?`, lo, lo+1<<seqBits).Scan(&max); err != nil {
				return err
			}
			if max.Valid {
				next = max.Int64 - lo + 1
			}
		}
		if next >= 1<<seqBits {
			return skygrid.Errorf(skygrid.EINVALID, "more than %d detections in the minute %s", 1<<seqBits, h.AcqTime.Format(time.RFC3339))
		}
		h.ID = m<<seqBits | next
		t.nextSeq[m] = next + 1
	}
	return nil
}

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

func (t *ingestTx) ExistingKeys(b orb.Bound, since, until time.Time) (map[skygrid.Key]bool, error) {
	e := e5Bound(b)
	rows, err := t.tx.QueryContext(t.ctx, `SELECT acq_time, source, satellite, lat_e5, lon_e5 FROM hotspots
		WHERE id >= ? AND id < ? AND lon_e5 >= ? AND lon_e5 <= ? AND lat_e5 >= ? AND lat_e5 <= ?`,
		minuteID(since.Unix()), minuteID(until.Unix())+1<<seqBits, e[0], e[1], e[2], e[3])
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[skygrid.Key]bool{}
	for rows.Next() {
		var k skygrid.Key
		var at int64
		if err := rows.Scan(&at, &k.Source, &k.Satellite, &k.LatE5, &k.LonE5); err != nil {
			return nil, err
		}
		k.Minute = at / 60
		out[k] = true
	}
	return out, rows.Err()
}

func (t *ingestTx) RecentHotspots(b orb.Bound, since, until time.Time) ([]*skygrid.Hotspot, error) {
	e := e5Bound(b)
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+hotspotCols+` FROM hotspots
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

func (t *ingestTx) NextEventID() (int64, error) {
	var n int64
	err := t.tx.QueryRowContext(t.ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM events`).Scan(&n)
	return n, err
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

// manyRows is how many events or tasks one statement writes.
const manyRows = 100

// SaveEvents writes the events' figures, many to a statement.
func (t *ingestTx) SaveEvents(es []*skygrid.Event) error {
	t.eventsChanged = t.eventsChanged || len(es) > 0
	for len(es) > 0 {
		k := min(len(es), manyRows)
		q := `INSERT INTO events (id, class, state, first_seen, last_seen, lon, lat, min_lon, min_lat, max_lon, max_lat,
			hotspot_count, max_frp, grid_id, township_id, county_id, assigned_by, created_at, updated_at,
			history, cross_border, near_county_id, near_metres, near_direction, neighbour_id) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?),", k), ",") + `
			ON CONFLICT (id) DO UPDATE SET class = excluded.class, state = excluded.state, first_seen = excluded.first_seen,
				last_seen = excluded.last_seen, lon = excluded.lon, lat = excluded.lat, min_lon = excluded.min_lon,
				min_lat = excluded.min_lat, max_lon = excluded.max_lon, max_lat = excluded.max_lat,
				hotspot_count = excluded.hotspot_count, max_frp = excluded.max_frp, grid_id = excluded.grid_id,
				township_id = excluded.township_id, county_id = excluded.county_id, assigned_by = excluded.assigned_by,
				updated_at = excluded.updated_at, history = excluded.history, cross_border = excluded.cross_border,
				near_county_id = excluded.near_county_id, near_metres = excluded.near_metres,
				near_direction = excluded.near_direction, neighbour_id = excluded.neighbour_id`
		args := make([]any, 0, 25*k)
		for _, e := range es[:k] {
			e.UpdatedAt = t.tx.now
			if e.CreatedAt.IsZero() {
				e.CreatedAt = t.tx.now
			}
			args = append(args, e.ID, e.Class, e.State, ts(e.FirstSeen), ts(e.LastSeen), e.Point[0], e.Point[1],
				e.Bound.Min[0], e.Bound.Min[1], e.Bound.Max[0], e.Bound.Max[1], e.HotspotCount, e.MaxFRP,
				nullStr(e.GridID), nullStr(e.TownshipID), nullStr(e.CountyID), e.AssignedBy, ts(e.CreatedAt), ts(e.UpdatedAt),
				e.History, e.CrossBorder, nullStr(e.NearCountyID), e.NearMetres, e.NearDirection, nullStr(e.NeighbourID))
		}
		if _, err := t.exec(q, args...); err != nil {
			return fmt.Errorf("save events: %w", err)
		}
		es = es[k:]
	}
	return nil
}

func (t *ingestTx) TaskByEvent(eventID int64) (*skygrid.Task, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+taskCols+taskFrom+` WHERE t.event_id = ?`, eventID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, rows.Err()
	}
	return scanTask(rows)
}

func (t *ingestTx) CreateTasks(tasks []*skygrid.Task) error {
	t.eventsChanged = t.eventsChanged || len(tasks) > 0 // the events layer shows task states
	for len(tasks) > 0 {
		k := min(len(tasks), manyRows)
		q := `INSERT INTO tasks (event_id, grid_id, supervisor_id, state, ack_due, report_due, created_at, updated_at) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?),", k), ",")
		args := make([]any, 0, 8*k)
		for _, tk := range tasks[:k] {
			tk.CreatedAt, tk.UpdatedAt = t.tx.now, t.tx.now
			var sup any
			if tk.SupervisorID > 0 {
				sup = tk.SupervisorID
			}
			args = append(args, tk.EventID, nullStr(tk.GridID), sup, tk.State, ts(tk.AckDue), ts(tk.ReportDue), ts(tk.CreatedAt), ts(tk.UpdatedAt))
		}
		res, err := t.exec(q, args...)
		if err != nil {
			return fmt.Errorf("create tasks: %w", err)
		}
		last, _ := res.LastInsertId()
		for i, tk := range tasks[:k] {
			tk.ID = last - int64(k-1-i)
		}
		if err := t.notifyCreated(tasks[:k]); err != nil {
			return fmt.Errorf("notify tasks: %w", err)
		}
		tasks = tasks[k:]
	}
	return nil
}

// notifyCreated queues the task.created notifications in the ingest
// transaction; nothing to do (and no query per task) without channels or
// personal messages.
func (t *ingestTx) notifyCreated(tasks []*skygrid.Task) error {
	if t.channels == nil {
		n, err := notifyTargets(t.ctx, t.tx)
		if err != nil {
			return err
		}
		t.channels = &n
	}
	if *t.channels == 0 {
		return nil
	}
	for _, tk := range tasks {
		full, err := findTaskByID(t.ctx, t.tx, tk.ID)
		if err != nil {
			return err
		}
		if err := notifyTask(t.ctx, t.tx, full, skygrid.NotifyTaskCreated); err != nil {
			return err
		}
	}
	return nil
}

func (t *ingestTx) UpdateTask(k *skygrid.Task) error {
	k.UpdatedAt = t.tx.now
	t.eventsChanged = true
	_, err := t.exec(`UPDATE tasks SET state = ?, ack_due = ?, report_due = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
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

// Audit queues an audit line; the lines are written before commit, in
// the same transaction.
func (t *ingestTx) Audit(e *skygrid.AuditEntry) error {
	if e.At.IsZero() {
		e.At = t.tx.now
	}
	t.audit = append(t.audit, e)
	return nil
}

// auditRows is how many audit lines one INSERT writes.
const auditRows = 100

func (t *ingestTx) flushAudit() error {
	for len(t.audit) > 0 {
		k := min(len(t.audit), auditRows)
		q := `INSERT INTO audit_log (at, actor, action, entity, entity_id, before, after) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?),", k), ",")
		args := make([]any, 0, 7*k)
		for _, e := range t.audit[:k] {
			args = append(args, ts(e.At), e.Actor, e.Action, e.Entity, e.EntityID, e.Before, e.After)
		}
		res, err := t.exec(q, args...)
		if err != nil {
			return fmt.Errorf("audit log: %w", err)
		}
		last, _ := res.LastInsertId()
		for i, e := range t.audit[:k] {
			e.ID = last - int64(k-1-i)
		}
		t.audit = t.audit[k:]
	}
	return nil
}

// FindBatches returns the latest ingest batches, newest first.
func (db *DB) FindBatches(ctx context.Context, limit int) ([]*skygrid.IngestBatch, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id, file, format, rows, new, duplicates, rejected, outside, low_confidence, static,
		events_new, events_updated, tasks_new, errors, started_at, finished_at, arrived_at, latency_ms, origin, events_history, events_cross_border FROM ingest_batches ORDER BY id DESC`+limitOffset(limit, 0))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*skygrid.IngestBatch
	for rows.Next() {
		b := &skygrid.IngestBatch{}
		var errs, started, arrived string
		var finished sql.NullString
		var latency sql.NullInt64
		if err := rows.Scan(&b.ID, &b.File, &b.Format, &b.Rows, &b.New, &b.Duplicates, &b.Rejected, &b.Outside, &b.LowConfidence,
			&b.Static, &b.EventsNew, &b.EventsUpdated, &b.TasksNew, &errs, &started, &finished, &arrived, &latency, &b.Origin,
			&b.History, &b.CrossBorder); err != nil {
			return nil, err
		}
		b.ArrivedAt = parseTS(arrived)
		if latency.Valid {
			ms := latency.Int64
			b.LatencyMS = &ms
		}
		_ = json.Unmarshal([]byte(errs), &b.Errors)
		b.StartedAt, b.FinishedAt = parseTS(started), nullTS(finished)
		out = append(out, b)
	}
	return out, rows.Err()
}
