package store

import "context"

// ExecForTest runs a statement (tests only: the audit log triggers).
func (db *DB) ExecForTest(ctx context.Context, q string) error {
	_, err := db.db.ExecContext(ctx, q)
	return err
}
