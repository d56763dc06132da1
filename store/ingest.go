package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	"skygrid"
)

var _ skygrid.IngestService = (*DB)(nil)

// InIngestTx runs fn in one write transaction: committed when fn returns
// nil, rolled back otherwise, so a file is stored whole or not at all.
func (db *DB) InIngestTx(ctx context.Context, fn func(skygrid.IngestTx) error) error {
	tx, conn, err := db.beginIngest(ctx)
	if err != nil {
		return fmt.Errorf("begin ingest: %w", err)
	}
	defer conn.Close() // after the rollback below
	if !db.postgres {
		// The log is copied into the file after the commit (checkpoint.go).
		on, err := walAutoCheckpointOff(ctx, conn)
		if err != nil {
			tx.Rollback()
			return fmt.Errorf("begin ingest: %w", err)
		}
		defer on()
	}
	defer tx.Rollback()
	itx := &ingestTx{tx: tx, conn: conn}
	defer itx.close()
	if err := fn(itx); err != nil {
		return err
	}
	if err := itx.flushAudit(ctx); err != nil {
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
		return fmt.Errorf("ingest: bump layer versions: %w", err)
	}
	if err := itx.moveSequences(ctx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit ingest: %w", err)
	}
	if !db.postgres {
		db.checkpointLater()
	}
	return nil
}

// moveSequences moves, on PostgreSQL, the events', tasks' and audit
// log's identity sequences past the ids this transaction gave them itself
// (MAX(id)+1, see NewEventID, loadTaskFacts and auditIDs), so that inserts
// that let the store choose the id (a dust alarm's task, an audit line)
// do not collide. SQLite's rowid
// counts on from the largest id by itself. The write transaction holds
// the cluster-wide writer lock (pgdriver.go), so MAX(id) is final.
func (t *ingestTx) moveSequences(ctx context.Context) error {
	if !t.tx.db.postgres {
		return nil
	}
	for _, table := range []struct {
		name  string
		moved bool
	}{{"events", t.nextEvent > 0}, {"tasks", t.nextTask > 0}, {"audit_log", t.nextAudit > 0}} {
		if !table.moved {
			continue
		}
		q := `SELECT setval(pg_get_serial_sequence('` + table.name + `', 'id'), MAX(id)) FROM ` + table.name + ` HAVING MAX(id) IS NOT NULL`
		if _, err := t.tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("ingest: move the %s id sequence: %w", table.name, err)
		}
	}
	return nil
}

// ingestTx is the SQLite ingest transaction. It holds no context: each
// method takes its caller's.
type ingestTx struct {
	tx    *Tx
	stmts map[string]*sql.Stmt
	// conn is the transaction's connection (on PostgreSQL hotspots are
	// copied in through it: ingest_copy.go; on SQLite the many-row
	// statements run on its driver connection: ingest_raw.go)
	conn *sql.Conn
	// statements prepared on the SQLite driver connection, and the one
	// slice of their converted arguments (ingest_raw.go)
	raw   map[string]driver.Stmt
	named []driver.NamedValue
	// audit lines, written many to a statement before commit
	audit []*skygrid.AuditEntry
	// next hotspot sequence number per acquisition minute; minutes in the
	// reserved range without an entry start at 0
	nextSeq                map[int64]int64
	reserved               bool
	reservedLo, reservedHi int64
	// INSERT text per shared values ("" when they cannot be written in),
	// of hotspots and of audit lines (ingest_audit.go)
	sharedQueries map[shared]string
	auditQueries  map[auditShared]string
	eventQueries  map[eventShared]string
	taskQueries   map[taskShared]string
	// the id the next new event gets (0: not read yet)
	nextEvent int64
	writers   []*hotspotWriter
	// which map layers this transaction changed
	hotspotsChanged, eventsChanged bool
	// how many notification channels exist (nil: not read yet)
	channels *int
	// the events saved in this transaction (their tasks' list columns),
	// the regions' parents (read once) and the id of the next task (0:
	// not read yet)
	saved    map[int64]*skygrid.Event
	parents  map[string]regionUp
	nextTask int64
	// the id of the next audit line (0: not read yet)
	nextAudit int64

	// the first event id this transaction gave (0: none): events from
	// it on are new, copied in on PostgreSQL (ingest_copy.go)
	firstEvent int64
}

// close waits for the hotspot writers (fn may return without closing
// them) and closes the prepared statements.
func (t *ingestTx) close() {
	for _, w := range t.writers {
		w.Close(context.Background())
	}
	t.writers = nil
	t.closeRaw()
	for q, st := range t.stmts {
		st.Close()
		delete(t.stmts, q)
	}
}

// exec runs a statement prepared once per transaction: an ingest writes
// thousands of events, tasks and audit lines with the same few statements.
// It returns the rows changed.
func (t *ingestTx) exec(ctx context.Context, q string, args ...any) (int64, error) {
	if !t.tx.db.postgres {
		return t.rawExec(ctx, q, args)
	}
	st, err := t.stmt(ctx, q)
	if err != nil {
		return 0, err
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// stmt is q prepared once per transaction.
func (t *ingestTx) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	st := t.stmts[q]
	if st == nil {
		var err error
		if st, err = t.tx.PrepareContext(ctx, q); err != nil {
			return nil, err
		}
		if t.stmts == nil {
			t.stmts = map[string]*sql.Stmt{}
		}
		t.stmts[q] = st
	}
	return st, nil
}

func (t *ingestTx) BeginBatch(ctx context.Context, b *skygrid.IngestBatch) error {
	if b.StartedAt.IsZero() {
		b.StartedAt = t.tx.now
	}
	err := t.tx.QueryRowContext(ctx, `INSERT INTO ingest_batches (file, format, started_at) VALUES (?, ?, ?) RETURNING id`,
		b.File, b.Format, ts(b.StartedAt)).Scan(&b.ID)
	if err != nil {
		return fmt.Errorf("create batch %s: %w", b.File, err)
	}
	return nil
}

func (t *ingestTx) FinishBatch(ctx context.Context, b *skygrid.IngestBatch) error {
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
	_, err := t.tx.ExecContext(ctx, `UPDATE ingest_batches SET format = ?, rows = ?, new = ?, duplicates = ?, rejected = ?, outside = ?,
		low_confidence = ?, static = ?, events_new = ?, events_updated = ?, tasks_new = ?, errors = ?, finished_at = ?,
		arrived_at = ?, latency_ms = ?, origin = ?, events_history = ?, events_cross_border = ? WHERE id = ?`,
		b.Format, b.Rows, b.New, b.Duplicates, b.Rejected, b.Outside, b.LowConfidence, b.Static, b.EventsNew, b.EventsUpdated,
		b.TasksNew, string(errs), ts(b.FinishedAt), b.ArrivedAt.UTC().Format(time.RFC3339Nano), ms, b.Origin, b.History, b.CrossBorder, b.ID)
	if err != nil {
		return fmt.Errorf("finish batch %d: %w", b.ID, err)
	}
	return nil
}

// NewEventID counts on from the largest event id, read once.
func (t *ingestTx) NewEventID(ctx context.Context) (int64, error) {
	if err := t.loadNextEvent(ctx); err != nil {
		return 0, err
	}
	id := t.nextEvent
	t.nextEvent++
	return id, nil
}

func (t *ingestTx) loadNextEvent(ctx context.Context) error {
	if t.nextEvent > 0 {
		return nil
	}
	if err := t.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM events`).Scan(&t.nextEvent); err != nil {
		return fmt.Errorf("next event id: %w", err)
	}
	t.firstEvent = t.nextEvent
	return nil
}

// SaveResult writes the events, then the new tasks, then the touched ones.
func (t *ingestTx) SaveResult(ctx context.Context, r *skygrid.IngestResult) error {
	if err := t.saveEvents(ctx, r.Events); err != nil {
		return err
	}
	if err := t.createTasks(ctx, r.NewTasks); err != nil {
		return err
	}
	for _, k := range r.Touched {
		if err := t.touchTask(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

func (t *ingestTx) TaskByEvent(ctx context.Context, eventID int64) (*skygrid.Task, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+taskCols+taskFrom+` WHERE t.event_id = ?`, eventID)
	if err != nil {
		return nil, fmt.Errorf("task of event %d: %w", eventID, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("task of event %d: %w", eventID, err)
		}
		return nil, nil
	}
	k, err := scanTask(rows)
	if err != nil {
		return nil, fmt.Errorf("task of event %d: %w", eventID, err)
	}
	return k, nil
}

// notifyCreated queues the task.created notifications in the ingest
// transaction; nothing to do (and no query per task) without channels or
// personal messages.
func (t *ingestTx) notifyCreated(ctx context.Context, tasks []*skygrid.Task) error {
	if t.channels == nil {
		n, err := notifyTargets(ctx, t.tx)
		if err != nil {
			return err
		}
		t.channels = &n
	}
	if *t.channels == 0 {
		return nil
	}
	for _, tk := range tasks {
		full, err := findTaskByID(ctx, t.tx, tk.ID)
		if err != nil {
			return err
		}
		if err := notifyTask(ctx, t.tx, full, skygrid.NotifyTaskCreated); err != nil {
			return err
		}
	}
	return nil
}

// touchTask stores a task again (new hotspots on its event).
func (t *ingestTx) touchTask(ctx context.Context, k *skygrid.Task) error {
	k.UpdatedAt = t.tx.now
	t.eventsChanged = true
	_, err := t.exec(ctx, `UPDATE tasks SET state = ?, ack_due = ?, report_due = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
		k.State, ts(k.AckDue), ts(k.ReportDue), ts(k.UpdatedAt), k.ID)
	if err != nil {
		return fmt.Errorf("update task %d: %w", k.ID, err)
	}
	return nil
}

// Audit queues audit lines; they are written in the same transaction, in
// order, before commit or once many are queued (and no hotspot writer
// shares the transaction), so that an ingest of many events holds few.
func (t *ingestTx) Audit(ctx context.Context, es ...*skygrid.AuditEntry) error {
	for _, e := range es {
		if e.At.IsZero() {
			e.At = t.tx.now
		}
		t.audit = append(t.audit, e)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(t.audit) >= auditQueue && !t.writing() {
		return t.flushAudit(ctx)
	}
	return nil
}

// auditQueue is how many queued audit lines are written before commit.
const auditQueue = 8 * auditRows

// writing reports whether a hotspot writer may still be using the
// transaction.
func (t *ingestTx) writing() bool {
	for _, w := range t.writers {
		select {
		case <-w.done:
		default:
			return true
		}
	}
	return false
}

// auditRows is how many audit lines one INSERT writes.
const auditRows = 100

func (t *ingestTx) flushAudit(ctx context.Context) error {
	if len(t.audit) == 0 {
		return nil
	}
	if err := t.auditIDs(ctx); err != nil {
		return err
	}
	if t.tx.db.postgres {
		return t.copyAudit(ctx)
	}
	for len(t.audit) > 0 {
		k, q, args := t.auditStmt(t.audit)
		if _, err := t.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("audit log: %w", err)
		}
		clear(t.audit[:k]) // written: let them go
		t.audit = t.audit[k:]
	}
	t.audit = nil
	return nil
}

// FindBatches returns the latest ingest batches, newest first.
func (db *DB) FindBatches(ctx context.Context, limit int) ([]*skygrid.IngestBatch, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id, file, format, rows, new, duplicates, rejected, outside, low_confidence, static,
		events_new, events_updated, tasks_new, errors, started_at, finished_at, arrived_at, latency_ms, origin, events_history, events_cross_border FROM ingest_batches ORDER BY id DESC`+limitOffset(limit, 0))
	if err != nil {
		return nil, fmt.Errorf("find batches: %w", err)
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
			return nil, fmt.Errorf("find batches: %w", err)
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find batches: %w", err)
	}
	return out, nil
}
