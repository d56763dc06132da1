package store

import (
	"context"
	"database/sql"
	"testing"
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
