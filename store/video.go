package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"skygrid"
)

var _ skygrid.VideoService = (*DB)(nil)

// timePtr is nil for the zero time.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// VideoMonitors lists the monitors with a snapshot URL, by device number.
func (db *DB) VideoMonitors(ctx context.Context) ([]skygrid.Monitor, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT `+monitorCols+` FROM monitors m WHERE m.snapshot_url <> '' ORDER BY m.mn`)
	if err != nil {
		return nil, fmt.Errorf("list video monitors: %w", err)
	}
	defer rows.Close()
	var out []skygrid.Monitor
	for rows.Next() {
		m, err := scanMonitor(rows)
		if err != nil {
			return nil, fmt.Errorf("list video monitors: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list video monitors: %w", err)
	}
	return out, nil
}

// RecordVideoProbes stores the probes and sets the construction sites'
// violations from the registry and the live video state, in one
// transaction with an audit line per changed site (see
// skygrid.VideoService).
func (db *DB) RecordVideoProbes(ctx context.Context, probes []skygrid.VideoProbe, offlineBefore time.Time) ([]skygrid.VideoChange, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("record video probes: %w", err)
	}
	defer tx.Rollback()
	for _, p := range probes {
		if _, err := tx.ExecContext(ctx, `UPDATE monitors SET video_checked_at = ?, video_error = ?,
				video_seen_at = CASE WHEN ? = 1 THEN ? ELSE video_seen_at END WHERE id = ?`,
			ts(p.At), p.Error, p.Seen, ts(p.At), p.MonitorID); err != nil {
			return nil, fmt.Errorf("record video probe of monitor %d: %w", p.MonitorID, err)
		}
	}
	changes, err := db.videoViolations(ctx, tx, offlineBefore)
	if err != nil {
		return nil, err
	}
	for _, c := range changes {
		if _, err := tx.ExecContext(ctx, `UPDATE sites SET violation = ?, updated_at = ? WHERE id = ?`, c.To, ts(tx.now), c.SiteID); err != nil {
			return nil, fmt.Errorf("set video violation of site %d: %w", c.SiteID, err)
		}
		if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: "video", Action: "sites.video", Entity: "site",
			EntityID: fmt.Sprint(c.SiteID), Before: c.From, After: c.To}); err != nil {
			return nil, err
		}
	}
	if len(changes) > 0 {
		if err := bumpLayers(ctx, tx, skygrid.LayerConstruction); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("record video probes: commit: %w", err)
	}
	return changes, nil
}

// videoViolations are the construction sites with video monitors whose
// violation under the live state differs from the stored one.
func (db *DB) videoViolations(ctx context.Context, tx *Tx, offlineBefore time.Time) ([]skygrid.VideoChange, error) {
	rows, err := tx.QueryContext(ctx, `SELECT s.id, s.kind, s.area_m2, s.attrs, s.violation,
			NOT EXISTS (SELECT 1 FROM monitors m WHERE m.site_id = s.id AND m.snapshot_url <> '' AND m.video_seen_at >= ?)
		FROM sites s WHERE s.kind = ? AND EXISTS (SELECT 1 FROM monitors m WHERE m.site_id = s.id AND m.snapshot_url <> '') ORDER BY s.id`,
		ts(offlineBefore), skygrid.SiteConstruction)
	if err != nil {
		return nil, fmt.Errorf("find sites with video: %w", err)
	}
	defer rows.Close()
	var out []skygrid.VideoChange
	for rows.Next() {
		var s skygrid.Site
		var attrs string
		var offline bool
		if err := rows.Scan(&s.ID, &s.Kind, &s.AreaM2, &attrs, &s.Violation, &offline); err != nil {
			return nil, fmt.Errorf("find sites with video: read a row: %w", err)
		}
		if err := json.Unmarshal([]byte(attrs), &s.Attrs); err != nil {
			return nil, fmt.Errorf("site %d: attributes: %w", s.ID, err)
		}
		if v := db.SiteRules.CheckLive(&s, offline); v != s.Violation {
			out = append(out, skygrid.VideoChange{SiteID: s.ID, From: s.Violation, To: v})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find sites with video: %w", err)
	}
	return out, nil
}
