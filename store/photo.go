package store

import (
	"context"
	"fmt"
)

// PhotoRefs returns, for every stored photo (by SHA-256), the tasks whose
// reports hold it, and the public's reports' stripped copies (no task):
// what the photo sweep must keep.
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
	return publicPhotoRefs(ctx, db, out)
}

// publicPhotoRefs adds the stripped copies of the public's reports (held
// by no task: every copy of theirs is kept).
func publicPhotoRefs(ctx context.Context, db *DB, out map[string][]int64) (map[string][]int64, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT DISTINCT stripped_sha FROM public_report_photos`)
	if err != nil {
		return nil, fmt.Errorf("public photo refs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			return nil, fmt.Errorf("public photo refs: %w", err)
		}
		if _, ok := out[sha]; !ok {
			out[sha] = []int64{}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("public photo refs: %w", err)
	}
	return out, nil
}
