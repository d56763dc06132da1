package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"
)

// ExecForTest runs a statement (tests only: the audit log triggers).
func (db *DB) ExecForTest(ctx context.Context, q string) error {
	_, err := db.db.ExecContext(ctx, q)
	return err
}

// CountLoginFailures counts the log-in attempts stored (tests only).
func (db *DB) CountLoginFailures(tb testing.TB) int {
	tb.Helper()
	var n int
	if err := db.db.QueryRow(`SELECT COUNT(*) FROM login_failures`).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// ExecArgsForTest runs a statement with arguments (tests only: fixtures
// for tables another branch creates).
func (db *DB) ExecArgsForTest(ctx context.Context, q string, args ...any) error {
	_, err := db.db.ExecContext(ctx, q, args...)
	return err
}

// QueryRowForTest runs a query of one row (tests only).
func (db *DB) QueryRowForTest(ctx context.Context, q string, args ...any) *sql.Row {
	return db.db.QueryRowContext(ctx, q, args...)
}

// RebuildCaptureDailyForTest recomputes the whole daily capture rollup
// from readings_hourly, as migration 0019's backfill does (tests only:
// fixtures that write readings_hourly with SQL, not StoreReadings).
func (db *DB) RebuildCaptureDailyForTest(ctx context.Context) error {
	if _, err := db.db.ExecContext(ctx, `DELETE FROM readings_capture_daily`); err != nil {
		return err
	}
	_, err := db.db.ExecContext(ctx, captureDailyInsert("1 = 1"))
	return err
}

// CaptureDailyDiffForTest compares readings_capture_daily with a
// recomputation from readings_hourly (tests only) and lists the
// monitor-days that differ, as "monitor day: stored hours/minutes, want
// hours/minutes".
func (db *DB) CaptureDailyDiffForTest(ctx context.Context) ([]string, error) {
	read := func(q string) (map[[2]int64][2]int64, error) {
		rows, err := db.db.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		m := map[[2]int64][2]int64{}
		for rows.Next() {
			var k, v [2]int64
			if err := rows.Scan(&k[0], &k[1], &v[0], &v[1]); err != nil {
				return nil, err
			}
			m[k] = v
		}
		return m, rows.Err()
	}
	stored, err := read(`SELECT monitor_id, day, hours, valid_minutes FROM readings_capture_daily`)
	if err != nil {
		return nil, err
	}
	full := captureDailyInsert("1 = 1")
	want, err := read(full[strings.Index(full, "SELECT"):])
	if err != nil {
		return nil, err
	}
	var diff []string
	for k, w := range want {
		if s, ok := stored[k]; !ok || s != w {
			diff = append(diff, fmt.Sprintf("%d %d: stored %v (%v), want %v", k[0], k[1], s, ok, w))
		}
	}
	for k, s := range stored {
		if _, ok := want[k]; !ok {
			diff = append(diff, fmt.Sprintf("%d %d: stored %v, want none", k[0], k[1], s))
		}
	}
	return diff, nil
}

// ValidMinutesForTest is DustStats's capture of one monitor over [start,
// end) as it was counted before the daily rollup, one query over its
// hourly rows and the partial hours from the readings (tests only: the
// reference the rollup's answers must equal).
func (db *DB) ValidMinutesForTest(ctx context.Context, id int64, start, end time.Time) (hours int, valid int64, err error) {
	h0, h1 := start.Truncate(time.Hour), end.Add(time.Hour-time.Second).Truncate(time.Hour)
	full0 := start.Truncate(time.Hour)
	if full0.Before(start) {
		full0 = full0.Add(time.Hour)
	}
	full1 := end.Truncate(time.Hour)
	if !full1.After(full0) {
		full0, full1 = start, start
	}
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN hour >= ? AND hour < ? THEN v END), 0) FROM (
		SELECT hour, MAX(CASE WHEN factor IN ('pm10', 'pm25', 'tsp') AND kind IN ('rtd', 'minute')
			THEN CASE WHEN n_valid < 60 THEN n_valid ELSE 60 END ELSE 0 END) v, MAX(n_all) a
		FROM readings_hourly WHERE monitor_id = ? AND hour >= ? AND hour < ? GROUP BY hour) h WHERE a > 0`,
		full0.Unix(), full1.Unix(), id, h0.Unix(), h1.Unix()).Scan(&hours, &valid); err != nil {
		return 0, 0, err
	}
	raw := func(from, to time.Time) (int64, error) {
		var n int64
		if !to.After(from) {
			return 0, nil
		}
		err := db.db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT at / 60) FROM readings
			WHERE monitor_id = ? AND kind IN ('rtd', 'minute') AND at >= ? AND at < ? AND `+validParticulate,
			id, from.Unix(), to.Unix()).Scan(&n)
		return n, err
	}
	if full1.Equal(full0) {
		n, err := raw(start, end)
		return hours, n, err
	}
	head, err := raw(start, full0)
	if err != nil {
		return 0, 0, err
	}
	tail, err := raw(full1, end)
	return hours, valid + head + tail, err
}
