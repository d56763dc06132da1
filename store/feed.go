package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"skygrid"
)

var _ skygrid.FeedService = (*DB)(nil)

const feedCols = `source, last_attempt, last_success, last_error, last_error_at, rows_last, added_last, added_total, pulls, errors,
	newest_detection, failing_since, notified_at`

func scanFeed(row interface{ Scan(...any) error }, now time.Time) (*skygrid.FeedStatus, error) {
	f := &skygrid.FeedStatus{}
	var attempt, success, errAt, newest, failing, notified string
	if err := row.Scan(&f.Source, &attempt, &success, &f.LastError, &errAt, &f.RowsLast, &f.AddedLast, &f.AddedTotal, &f.Pulls, &f.Errors,
		&newest, &failing, &notified); err != nil {
		return nil, fmt.Errorf("read a feed row: %w", err)
	}
	f.LastAttempt, f.LastSuccess, f.LastErrorAt = parseTS(attempt), parseTS(success), parseTS(errAt)
	f.NewestDetection, f.FailingSince, f.NotifiedAt = parseTS(newest), parseTS(failing), parseTS(notified)
	// No success for an hour (or never, for an hour of trying): failing,
	// whether or not the last pull reported an error.
	since := f.LastSuccess
	if since.IsZero() {
		since = f.FailingSince
	}
	if !since.IsZero() && now.Sub(since) >= skygrid.FeedFailingAfter {
		f.Failing = true
		if f.FailingSince.IsZero() {
			f.FailingSince = since
		}
	}
	return f, nil
}

// RecordPull stores the outcome of one pull (see skygrid.FeedService).
func (db *DB) RecordPull(ctx context.Context, source string, at time.Time, rows, added int, newest time.Time, pullErr error) (*skygrid.FeedStatus, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("record pull: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO feed_status (source) VALUES (?) ON CONFLICT (source) DO NOTHING`, source); err != nil {
		return nil, fmt.Errorf("record pull: %w", err)
	}
	now := ts(at)
	if pullErr == nil {
		_, err = tx.ExecContext(ctx, `UPDATE feed_status SET last_attempt = ?, last_success = ?, rows_last = ?, added_last = ?,
			added_total = added_total + ?, pulls = pulls + 1, failing_since = '', notified_at = '',
			newest_detection = CASE WHEN ? > newest_detection THEN ? ELSE newest_detection END WHERE source = ?`,
			now, now, rows, added, added, ts(newest), ts(newest), source)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE feed_status SET last_attempt = ?, last_error = ?, last_error_at = ?, pulls = pulls + 1,
			errors = errors + 1, failing_since = CASE WHEN failing_since = '' THEN CASE WHEN last_success <> '' THEN last_success ELSE ? END
			ELSE failing_since END WHERE source = ?`, now, pullErr.Error(), now, now, source)
	}
	if err != nil {
		return nil, fmt.Errorf("record pull: %w", err)
	}
	f, err := scanFeed(tx.QueryRowContext(ctx, `SELECT `+feedCols+` FROM feed_status WHERE source = ?`, source), at)
	if err != nil {
		return nil, err
	}
	if err := tellFailing(ctx, tx, f, at); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return f, fmt.Errorf("record pull: commit: %w", err)
	}
	return f, nil
}

// tellFailing notifies the admins, once per outage, of a failing feed.
func tellFailing(ctx context.Context, tx *Tx, f *skygrid.FeedStatus, at time.Time) error {
	if !f.Failing || !f.NotifiedAt.IsZero() {
		return nil
	}
	if err := notifyFeedFailing(ctx, tx, f); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE feed_status SET notified_at = ?, failing_since = ? WHERE source = ?`, ts(at), ts(f.FailingSince), f.Source); err != nil {
		return fmt.Errorf("tell failing: %w", err)
	}
	f.NotifiedAt = at
	return insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: "feed", Action: "feed.failing", Entity: "feed", EntityID: f.Source,
		After: fmt.Sprintf("no success since %s; last error: %s", ts(f.FailingSince), f.LastError)})
}

// CheckFeeds tells the admins of feeds that have had no success for an
// hour even when no pull ends (a pull stuck in waits, or none running);
// serve runs it every minute. It returns how many were told.
func (db *DB) CheckFeeds(ctx context.Context, now time.Time) (int, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("check feeds: begin: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+feedCols+` FROM feed_status WHERE notified_at = ''`)
	if err != nil {
		return 0, fmt.Errorf("check feeds: %w", err)
	}
	var failing []*skygrid.FeedStatus
	for rows.Next() {
		f, err := scanFeed(rows, now)
		if err != nil {
			rows.Close()
			return 0, err
		}
		if f.Failing {
			failing = append(failing, f)
		}
	}
	rows.Close()
	for _, f := range failing {
		if err := tellFailing(ctx, tx, f, now); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return len(failing), fmt.Errorf("check feeds: commit: %w", err)
	}
	return len(failing), nil
}

// notifyFeedFailing queues the failing-feed messages
// (skygrid.FeedFailingMessages) for every channel whose audience is told
// of feeds (skygrid.FeedAudiences).
func notifyFeedFailing(ctx context.Context, tx *Tx, f *skygrid.FeedStatus) error {
	args := make([]any, len(skygrid.FeedAudiences))
	for i, a := range skygrid.FeedAudiences {
		args[i] = a
	}
	q := &listQuery{what: "find the feeds' channels", from: `SELECT id FROM notify_channels`,
		conds: []string{`audience IN (` + placeholders(len(args)) + `)`}, args: args}
	ids, err := queryList(ctx, tx, q, func(rows *sql.Rows) (int64, error) {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return 0, fmt.Errorf("read a channel id: %w", err)
		}
		return id, nil
	})
	if err != nil {
		return fmt.Errorf("notify feed %s failing: %w", f.Source, err)
	}
	return queueOutbox(ctx, tx, skygrid.FeedFailingMessages(f, tx.db.PublicURL, ids))
}

// FindFeeds returns every source's health, failing judged at db.Now().
func (db *DB) FindFeeds(ctx context.Context) ([]*skygrid.FeedStatus, error) {
	q := &listQuery{what: "find feeds", from: `SELECT ` + feedCols + ` FROM feed_status`, order: ` ORDER BY source`}
	now := db.Now()
	return queryList(ctx, db.db, q, func(rows *sql.Rows) (*skygrid.FeedStatus, error) { return scanFeed(rows, now) })
}

// IngestStats reads the totals the metrics report.
func (db *DB) IngestStats(ctx context.Context) (*skygrid.IngestStats, error) {
	st := &skygrid.IngestStats{Batches: map[string]int{}, Rows: map[string]int{}, LastLatencyMS: map[string]int64{},
		Tasks: map[string]int{}, Escalated: map[int]int{}}
	rows, err := db.db.QueryContext(ctx, `SELECT origin, COUNT(*), SUM(new), SUM(duplicates), SUM(rejected), SUM(outside), SUM(low_confidence), SUM(static),
		(SELECT latency_ms FROM ingest_batches l WHERE l.origin = b.origin AND l.latency_ms IS NOT NULL ORDER BY l.id DESC LIMIT 1)
		FROM ingest_batches b GROUP BY origin`)
	if err != nil {
		return nil, fmt.Errorf("ingest stats: %w", err)
	}
	for rows.Next() {
		var origin string
		var n, nw, dup, rej, out, low, static int
		var lat *int64
		if err := rows.Scan(&origin, &n, &nw, &dup, &rej, &out, &low, &static, &lat); err != nil {
			rows.Close()
			return nil, fmt.Errorf("ingest stats: read a row: %w", err)
		}
		st.Batches[origin] = n
		st.Rows["new"] += nw
		st.Rows["duplicate"] += dup
		st.Rows["rejected"] += rej
		st.Rows["outside"] += out
		st.Rows["low_confidence"] += low
		st.Rows["static"] += static
		if lat != nil {
			st.LastLatencyMS[origin] = *lat
		}
	}
	rows.Close()
	rows, err = db.db.QueryContext(ctx, `SELECT state, escalation, COUNT(*) FROM tasks GROUP BY state, escalation`)
	if err != nil {
		return nil, fmt.Errorf("ingest stats: %w", err)
	}
	for rows.Next() {
		var state string
		var level, n int
		if err := rows.Scan(&state, &level, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("ingest stats: read a row: %w", err)
		}
		st.Tasks[state] += n
		if state != skygrid.TaskClosed && state != skygrid.TaskReported {
			st.Escalated[level] += n
		}
	}
	rows.Close()
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM events`).Scan(&st.Events); err != nil {
		return nil, fmt.Errorf("ingest stats: read a row: %w", err)
	}
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE sent_at = ''`).Scan(&st.OutboxPending); err != nil {
		return nil, fmt.Errorf("ingest stats: read a row: %w", err)
	}
	return st, nil
}
