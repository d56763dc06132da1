package store

import (
	"context"
	"fmt"
)

// PhotoRefs returns, for every stored photo (by SHA-256), the tasks whose
// reports hold it: what the photo sweep must keep.
func (db *DB) PhotoRefs(ctx context.Context) (map[string][]int64, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT sha256, task_id FROM photos`)
	if err != nil {
		return nil, fmt.Errorf("photo refs: %w", err)
	}
	defer rows.Close()
	out := map[string][]int64{}
	for rows.Next() {
		var sha string
		var task int64
		if err := rows.Scan(&sha, &task); err != nil {
			return nil, fmt.Errorf("photo refs: %w", err)
		}
		out[sha] = append(out[sha], task)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("photo refs: %w", err)
	}
	return out, nil
}
