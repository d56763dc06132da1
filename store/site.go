package store

import (
	"context"
	"encoding/json"
	"fmt"

	"skygrid"
)

var _ skygrid.SiteService = (*DB)(nil)

// FindSites returns matching sites and the total.
func (db *DB) FindSites(ctx context.Context, f skygrid.SiteFilter) ([]*skygrid.Site, int, error) {
	var conds []string
	var args []any
	if f.Kind != nil {
		conds, args = append(conds, "kind = ?"), append(args, *f.Kind)
	}
	if f.Bbox != nil {
		conds = append(conds, bboxCond(*f.Bbox, &args))
	}
	rows, err := db.db.QueryContext(ctx, `SELECT id, kind, external_id, name, geom, props, source, COUNT(*) OVER () FROM sites`+
		where(conds)+` ORDER BY id`+limitOffset(f.Limit, f.Offset), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*skygrid.Site
	n := 0
	for rows.Next() {
		s := &skygrid.Site{}
		var geom []byte
		var props string
		if err := rows.Scan(&s.ID, &s.Kind, &s.ExternalID, &s.Name, &geom, &props, &s.Source, &n); err != nil {
			return nil, 0, err
		}
		if s.Geometry, err = decodeGeom(geom); err != nil {
			return nil, 0, fmt.Errorf("site %d: geometry: %w", s.ID, err)
		}
		if props != "" && props != "{}" {
			_ = json.Unmarshal([]byte(props), &s.Props)
		}
		out = append(out, s)
	}
	return out, n, rows.Err()
}

// ImportSites stores sites in one transaction, replacing those of the same
// kind and external id. It returns how many were new.
func (db *DB) ImportSites(ctx context.Context, sites []*skygrid.Site) (int, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	now := ts(tx.now)
	created := 0
	for i, s := range sites {
		if s.ExternalID == "" {
			return 0, skygrid.Errorf(skygrid.EINVALID, "site %d (%s): id required", i, s.Name)
		}
		if s.Geometry == nil {
			return 0, skygrid.Errorf(skygrid.EINVALID, "site %s: empty geometry", s.ExternalID)
		}
		geom, err := encodeGeom(s.Geometry)
		if err != nil {
			return 0, fmt.Errorf("site %s: %w", s.ExternalID, err)
		}
		props, _ := json.Marshal(s.Props)
		if s.Props == nil {
			props = []byte("{}")
		}
		b := s.Geometry.Bound()
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sites WHERE kind = ? AND external_id = ?`, s.Kind, s.ExternalID).Scan(&exists); err != nil {
			return 0, err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO sites (kind, external_id, name, geom, min_lon, min_lat, max_lon, max_lat, props, source, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (kind, external_id) DO UPDATE SET name = excluded.name, geom = excluded.geom, min_lon = excluded.min_lon,
				min_lat = excluded.min_lat, max_lon = excluded.max_lon, max_lat = excluded.max_lat, props = excluded.props,
				source = excluded.source, updated_at = excluded.updated_at
			RETURNING id`, s.Kind, s.ExternalID, s.Name, geom, b.Min[0], b.Min[1], b.Max[0], b.Max[1], string(props), s.Source, now, now).Scan(&s.ID); err != nil {
			if isConstraint(err) {
				return 0, skygrid.Errorf(skygrid.EINVALID, "site %s: %v", s.ExternalID, err)
			}
			return 0, fmt.Errorf("site %s: %w", s.ExternalID, err)
		}
		if exists == 0 {
			created++
		}
	}
	if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: "cli", Action: "sites.import", Entity: "site", EntityID: "*",
		After: fmt.Sprintf("%d sites (%d new)", len(sites), created)}); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return created, nil
}
