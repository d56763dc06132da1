package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"skygrid"
)

var _ skygrid.TLEService = (*DB)(nil)

// SaveTLESet stores a fetched set of orbital elements in place of the
// last one.
func (db *DB) SaveTLESet(ctx context.Context, set *skygrid.TLESet) error {
	_, err := db.db.ExecContext(ctx, `INSERT INTO tle_sets (id, text, epoch, fetched_at, url) VALUES (1, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET text = excluded.text, epoch = excluded.epoch, fetched_at = excluded.fetched_at, url = excluded.url`,
		set.Text, ts(set.Epoch), ts(set.FetchedAt), set.URL)
	if err != nil {
		return fmt.Errorf("save tle set: %w", err)
	}
	return nil
}

// LatestTLESet is the last fetched set, nil when none was.
func (db *DB) LatestTLESet(ctx context.Context) (*skygrid.TLESet, error) {
	var set skygrid.TLESet
	var epoch, fetched string
	err := db.db.QueryRowContext(ctx, `SELECT text, epoch, fetched_at, url FROM tle_sets WHERE id = 1`).Scan(&set.Text, &epoch, &fetched, &set.URL)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find tle set: %w", err)
	}
	set.Epoch, set.FetchedAt = parseTS(epoch), parseTS(fetched)
	return &set, nil
}
