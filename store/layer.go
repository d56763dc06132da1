package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"skygrid"
)

var _ skygrid.LayerService = (*DB)(nil)

// LayerVersions returns every map layer's data version.
func (db *DB) LayerVersions(ctx context.Context) (map[string]int64, error) {
	rows, err := db.versions.QueryContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("layer versions: %w", err)
	}
	defer rows.Close()
	out := make(map[string]int64, 8)
	for rows.Next() {
		var l string
		var v int64
		if err := rows.Scan(&l, &v); err != nil {
			return nil, fmt.Errorf("layer versions: read a row: %w", err)
		}
		out[l] = v
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("layer versions: %w", err)
	}
	return out, nil
}

// bumpLayers raises the versions of layers inside tx: the change and the
// version move together or not at all. On PostgreSQL each bump is also
// told to every server (NOTIFY, delivered at commit; ListenLayers).
func bumpLayers(ctx context.Context, tx *Tx, layers ...string) error {
	for _, l := range layers {
		if !tx.db.postgres {
			if _, err := tx.ExecContext(ctx, `UPDATE layer_versions SET version = version + 1, updated_at = ? WHERE layer = ?`, ts(tx.now), l); err != nil {
				return fmt.Errorf("bump layers: %w", err)
			}
			continue
		}
		var v int64
		err := tx.QueryRowContext(ctx, `UPDATE layer_versions SET version = version + 1, updated_at = ? WHERE layer = ? RETURNING version`, ts(tx.now), l).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			continue // not a layer of this schema: nothing to tell
		}
		if err != nil {
			return fmt.Errorf("bump layers: %w", err)
		}
		if err := notifyLayer(ctx, tx, LayerChange{Layer: l, Version: v}); err != nil {
			return err
		}
	}
	return nil
}
