package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"skygrid"
)

// A hotspot's id is its acquisition minute shifted left by seqBits plus
// its number within the minute (see hotspot.go). The ingest transaction
// reads the last number of each of the batch's minutes once (reserveIDs)
// and counts on from there in memory: it is the only writer, so ids can
// be handed out before the rows exist, and the detect goroutine can build
// the statements while the writer goroutine runs the earlier ones.

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

// sqlStrings is each of ss as an SQL string literal (sqlString), or
// ok=false when one cannot be written in.
func sqlStrings(ss ...string) ([]string, bool) {
	q := make([]string, len(ss))
	for i, s := range ss {
		var ok bool
		if q[i], ok = sqlString(s); !ok {
			return nil, false
		}
	}
	return q, true
}

// row is the VALUES tuple for rows of sh (in hotspotInsertCols order), or
// ok=false.
func (sh shared) row() (string, bool) {
	q, ok := sqlStrings(sh.source, sh.satellite, sh.confidence, sh.daynight, sh.version, sh.status, sh.reason)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("(?, ?, %s, %s, ?, ?, ?, ?, ?, ?, ?, %s, %s, %s, %d, %d, %s, %s, ?)",
		q[0], q[1], q[2], q[3], q[4], sh.typ, sh.batch, q[5], q[6]), true
}

// minShared is how many rows a group needs to get its own statement.
const minShared = 2 * insertRows

// prepared is hotspots made ready to write: statements and their arguments.
type prepared struct {
	stmts []preparedStmt
	n     int
	// rows to copy in instead of statements (PostgreSQL: ingest_copy.go)
	rows [][]any
}

type preparedStmt struct {
	query string
	args  []any
}

// hotspotWriter writes prepared chunks on its own goroutine (run) while
// the caller decides and prepares the next ones.
type hotspotWriter struct {
	t      *ingestTx
	chunks chan *prepared
	done   chan struct{}
	closed bool
	// set by run, read after done is closed
	n   int
	err error
}

// WriteHotspots reads the last id of every minute in [since, until] and
// the next event id, so that neither Write nor NewEventID needs SQL while
// the writer's goroutine uses the transaction.
func (t *ingestTx) WriteHotspots(ctx context.Context, since, until time.Time) (skygrid.HotspotWriter, error) {
	if err := t.reserveIDs(ctx, since, until); err != nil {
		return nil, err
	}
	if err := t.loadNextEvent(ctx); err != nil {
		return nil, err
	}
	w := &hotspotWriter{t: t, chunks: make(chan *prepared, 4), done: make(chan struct{})}
	t.writers = append(t.writers, w)
	go w.run(ctx)
	return w, nil
}

func (w *hotspotWriter) run(ctx context.Context) {
	defer close(w.done)
	for p := range w.chunks {
		if w.err != nil {
			continue // drain
		}
		n, err := w.t.insertPrepared(ctx, p)
		w.n += n
		if err == nil && n != p.n {
			err = fmt.Errorf("insert hotspots: %d of %d stored", n, p.n)
		}
		w.err = err
	}
}

// Write gives the hotspots their ids and hands their statements to the
// writer's goroutine.
func (w *hotspotWriter) Write(ctx context.Context, hs []*skygrid.Hotspot) error {
	if w.closed {
		return fmt.Errorf("insert hotspots: writer closed")
	}
	p, err := w.t.prepareHotspots(ctx, hs)
	if err != nil {
		return err
	}
	select {
	case w.chunks <- p:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close waits for the writer's goroutine.
func (w *hotspotWriter) Close(ctx context.Context) (int, error) {
	if !w.closed {
		w.closed = true
		close(w.chunks)
	}
	<-w.done
	w.t.hotspotsChanged = w.t.hotspotsChanged || w.n > 0
	return w.n, w.err
}

// reserveIDs reads the last id of every minute in [since, until] so that
// prepareHotspots needs no SQL for hotspots of those minutes.
func (t *ingestTx) reserveIDs(ctx context.Context, since, until time.Time) error {
	if t.nextSeq == nil {
		t.nextSeq = map[int64]int64{}
	}
	lo, hi := floorDiv(since.Unix(), 60), floorDiv(until.Unix(), 60)
	rows, err := t.tx.QueryContext(ctx, `SELECT id >> 20, MAX(id) FROM hotspots WHERE id >= ? AND id < ? GROUP BY id >> 20`,
		lo<<seqBits, (hi+1)<<seqBits)
	if err != nil {
		return fmt.Errorf("reserve hotspot ids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m, max int64
		if err := rows.Scan(&m, &max); err != nil {
			return fmt.Errorf("reserve hotspot ids: %w", err)
		}
		t.nextSeq[m] = max - m<<seqBits + 1
	}
	t.reserved, t.reservedLo, t.reservedHi = true, lo, hi
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reserve hotspot ids: %w", err)
	}
	return nil
}

// prepareHotspots gives the hotspots their ids and builds the statements
// that write them: rows sharing values (see shared) in statements with
// those values written in, the rest binding every value. For minutes
// reserved by reserveIDs it runs no SQL.
func (t *ingestTx) prepareHotspots(ctx context.Context, hs []*skygrid.Hotspot) (*prepared, error) {
	if t.nextSeq == nil {
		t.nextSeq = map[int64]int64{}
	}
	if err := t.assignIDs(ctx, hs); err != nil {
		return nil, err
	}
	if t.tx.db.postgres {
		return &prepared{n: len(hs), rows: hotspotCopyRows(hs)}, nil
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
		if len(g) < minShared {
			rest = append(rest, g...) // no statement built for a small group
			continue
		}
		q, ok := t.sharedQuery(k)
		if !ok {
			rest = append(rest, g...)
			continue
		}
		for len(g) >= insertRows {
			p.stmts = append(p.stmts, preparedStmt{q, sharedArgs(g[:insertRows])})
			g = g[insertRows:]
		}
		rest = append(rest, g...)
	}
	for len(rest) > 0 {
		k := min(len(rest), insertRows)
		p.stmts = append(p.stmts, preparedStmt{allBoundQuery(k), allArgs(rest[:k])})
		rest = rest[k:]
	}
	return p, nil
}

// sharedArgs are the arguments of a shared statement (see shared.row).
func sharedArgs(hs []*skygrid.Hotspot) []any {
	args := make([]any, 0, 10*len(hs))
	for _, h := range hs {
		args = append(args, h.ID, h.AcqTime.Unix()/60*60, skygrid.E5(h.Point[1]), skygrid.E5(h.Point[0]),
			h.Brightness, h.BrightT31, h.Scan, h.Track, h.FRP, eventArg(h))
	}
	return args
}

// allArgs are the arguments of an allBoundQuery.
func allArgs(hs []*skygrid.Hotspot) []any {
	args := make([]any, 0, 19*len(hs))
	for _, h := range hs {
		args = append(args, h.ID, h.AcqTime.Unix()/60*60, h.Source, h.Satellite, skygrid.E5(h.Point[1]), skygrid.E5(h.Point[0]),
			h.Brightness, h.BrightT31, h.Scan, h.Track, h.FRP, h.Confidence, h.DayNight, h.Version, h.Type, h.BatchID,
			h.Status, h.StatusReason, eventArg(h))
	}
	return args
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
	return literalQuery(&t.sharedQueries, k, `INSERT INTO hotspots (`+hotspotInsertCols+`) VALUES `, insertRows, "")
}

// literalRow is the values rows of a many-row statement share, written
// into the statement as SQL literals: row is a VALUES row with those
// literals and ? for the rest; ok is false when a value cannot be written
// in.
type literalRow interface {
	comparable
	row() (string, bool)
}

// literalQuery is the statement head + n copies of k's row + tail, built
// once per k and kept in *kept ("" kept when k's values cannot be written
// in: ok false).
func literalQuery[K literalRow](kept *map[K]string, k K, head string, n int, tail string) (string, bool) {
	if q, ok := (*kept)[k]; ok {
		return q, q != ""
	}
	if *kept == nil {
		*kept = map[K]string{}
	}
	q := ""
	row, ok := k.row()
	if ok {
		q = head + strings.TrimSuffix(strings.Repeat(row+",", n), ",") + tail
	}
	(*kept)[k] = q
	return q, ok
}

// allBoundQuery is the INSERT for n rows binding every value.
func allBoundQuery(n int) string {
	return `INSERT INTO hotspots (` + hotspotInsertCols + `) VALUES ` + valuesRows(n, 19)
}

// insertPrepared runs prepared statements; it returns how many rows they
// stored.
func (t *ingestTx) insertPrepared(ctx context.Context, p *prepared) (int, error) {
	if p.rows != nil {
		return t.copyHotspots(ctx, p.rows)
	}
	n := 0
	for _, st := range p.stmts {
		m, err := t.exec(ctx, st.query, st.args...)
		if err != nil {
			return n, fmt.Errorf("insert hotspots: %w", err)
		}
		n += int(m)
	}
	return n, nil
}

// assignIDs gives each hotspot the next id of its acquisition minute.
func (t *ingestTx) assignIDs(ctx context.Context, hs []*skygrid.Hotspot) error {
	for _, h := range hs {
		m := floorDiv(h.AcqTime.Unix(), 60)
		next, ok := t.nextSeq[m]
		if !ok && !(t.reserved && m >= t.reservedLo && m <= t.reservedHi) {
			var max sql.NullInt64
			lo := m << seqBits
			if err := t.tx.QueryRowContext(ctx, `SELECT MAX(id) FROM hotspots WHERE id >= ? AND id < ?`, lo, lo+1<<seqBits).Scan(&max); err != nil {
				return fmt.Errorf("hotspot id for %s: %w", h.AcqTime.Format(time.RFC3339), err)
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
