package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"skygrid"

	"github.com/jackc/pgx/v5"
)

// On PostgreSQL the ingest writes hotspots, new events, new tasks and
// audit lines with COPY (pgx's CopyFrom): no SQL text to build, send or
// parse per row (a file where most rows open their own event writes half
// a million events and tasks and a million audit lines besides its
// hotspots). Events stored before the ingest keep their upsert.
// database/sql gives no access to a *sql.Tx's connection, so the ingest
// begins its transaction on a *sql.Conn of the writer pool (beginIngest)
// and reaches the driver's connection, the same session and so the same
// transaction, through Conn.Raw.

// beginIngest begins the ingest's write transaction on a connection of
// its own (returned: close it after the transaction ends), so that the
// hotspots can be copied in on PostgreSQL, and the many-row statements run
// on the driver's connection on SQLite (ingest_raw.go).
func (db *DB) beginIngest(ctx context.Context) (*Tx, *sql.Conn, error) {
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("begin tx: connection: %w", err)
	}
	tx, err := conn.BeginTx(ctx, nil) // PostgreSQL: the driver takes the writers' lock (pgdriver.go); SQLite: BEGIN IMMEDIATE
	if err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("begin tx: begin: %w", err)
	}
	return &Tx{Tx: tx, db: db, now: db.Now().UTC().Truncate(time.Second)}, conn, nil
}

// copyCols are the columns of an INSERT's column list (the text between
// its parentheses, or all of cols when it has none), for CopyFrom: the
// copy names the columns the statements name, in their order.
func copyCols(cols string) []string {
	if i := strings.IndexByte(cols, '('); i >= 0 {
		cols = cols[i+1:]
		cols = cols[:strings.IndexByte(cols, ')')]
	}
	var out []string
	for _, c := range strings.Split(cols, ",") {
		out = append(out, strings.TrimSpace(c))
	}
	return out
}

// hotspotCopyCols are hotspotInsertCols for CopyFrom.
var hotspotCopyCols = copyCols(hotspotInsertCols)

// hotspotCopyRows are the hotspots' values in hotspotCopyCols order, taken when
// Write is called (the caller may reuse the hotspots after).
func hotspotCopyRows(hs []*skygrid.Hotspot) [][]any {
	rows := make([][]any, len(hs))
	for i, h := range hs {
		rows[i] = []any{h.ID, h.AcqTime.Unix() / 60 * 60, h.Source, h.Satellite, skygrid.E5(h.Point[1]), skygrid.E5(h.Point[0]),
			h.Brightness, h.BrightT31, h.Scan, h.Track, h.FRP, h.Confidence, h.DayNight, h.Version, int64(h.Type), h.BatchID,
			h.Status, h.StatusReason, eventArg(h)}
	}
	return rows
}

// copyHotspots copies rows into hotspots in the ingest's transaction.
func (t *ingestTx) copyHotspots(ctx context.Context, rows [][]any) (int, error) {
	n, err := t.copyIn(ctx, "hotspots", hotspotCopyCols, len(rows), func(buf []any, i int) []any { return append(buf, rows[i]...) })
	if err != nil {
		return int(n), fmt.Errorf("copy hotspots: %w", err)
	}
	return int(n), nil
}

// copyIn copies n rows into table in the ingest's transaction: row
// appends row i's values, in cols order, to buf (a slice reused for every
// row, so that a copy of half a million events holds one row at a time)
// as the INSERT statements bind them. They are converted as the driver
// converts a statement's parameters (pgValue: a bool is 0 or 1), so that
// a copied row is stored as an inserted one. It returns the rows stored.
func (t *ingestTx) copyIn(ctx context.Context, table string, cols []string, n int, row func(buf []any, i int) []any) (int64, error) {
	buf := make([]any, 0, len(cols))
	src := pgx.CopyFromSlice(n, func(i int) ([]any, error) {
		buf = row(buf[:0], i)
		for j, v := range buf {
			var err error
			if buf[j], err = pgValue(v); err != nil {
				return nil, fmt.Errorf("row %d, %s: %w", i+1, cols[j], err)
			}
		}
		return buf, nil
	})
	var stored int64
	err := t.conn.Raw(func(dc any) error {
		c, ok := dc.(interface{ Raw() *pgx.Conn })
		if !ok {
			return fmt.Errorf("driver connection %T has no pgx connection", dc)
		}
		var err error
		stored, err = c.Raw().CopyFrom(ctx, pgx.Identifier{table}, cols, src)
		return err
	})
	return stored, err
}

// eventCopyCols are eventInsertCols for CopyFrom.
var eventCopyCols = copyCols(eventInsertCols)

// copyNewEvents copies in the events of es that this transaction opened
// (ids from NewEventID) and has not saved yet, and returns the others to
// be upserted: events stored before the ingest, and new ones saved again.
func (t *ingestTx) copyNewEvents(ctx context.Context, es []*skygrid.Event) ([]*skygrid.Event, error) {
	var fresh, rest []*skygrid.Event
	for _, e := range es {
		if t.firstEvent > 0 && e.ID >= t.firstEvent && t.saved[e.ID] == nil {
			t.saved[e.ID] = e
			fresh = append(fresh, e)
		} else {
			rest = append(rest, e)
		}
	}
	if len(fresh) == 0 {
		return es, nil
	}
	_, err := t.copyIn(ctx, "events", eventCopyCols, len(fresh), func(buf []any, i int) []any { return appendEvent(buf, fresh[i]) })
	if err != nil {
		return nil, fmt.Errorf("ingest: copy events: %w", err)
	}
	return rest, nil
}

// taskCopyCols are taskInsertCols for CopyFrom.
var taskCopyCols = copyCols(taskInsertCols)

// copyTasks copies in new tasks (with their ids and list columns, see
// createTasks), then queues their notifications.
func (t *ingestTx) copyTasks(ctx context.Context, tasks []*skygrid.Task) error {
	_, err := t.copyIn(ctx, "tasks", taskCopyCols, len(tasks), func(buf []any, i int) []any { return t.appendTask(buf, tasks[i]) })
	if err != nil {
		return fmt.Errorf("ingest: copy tasks: %w", err)
	}
	if err := t.notifyCreated(ctx, tasks); err != nil {
		return fmt.Errorf("notify tasks: %w", err)
	}
	return nil
}

// auditCopyCols are auditManyInsert's columns for CopyFrom.
var auditCopyCols = copyCols(auditManyInsert)

// copyAudit copies in the queued audit lines (with their ids: auditIDs)
// and lets them go.
func (t *ingestTx) copyAudit(ctx context.Context) error {
	lines := t.audit
	_, err := t.copyIn(ctx, "audit_log", auditCopyCols, len(lines), func(buf []any, i int) []any { return appendAudit(buf, lines[i]) })
	if err != nil {
		return fmt.Errorf("ingest: copy audit lines: %w", err)
	}
	t.audit = nil
	return nil
}
