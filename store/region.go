package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"skygrid"

	"github.com/paulmach/orb"
)

// Ensure the service is implemented.
var _ skygrid.RegionService = (*DB)(nil)

// FindRegionByID returns a region with its geometry and supervisor.
func (db *DB) FindRegionByID(ctx context.Context, id string) (*skygrid.Region, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("find region %v: begin: %w", id, err)
	}
	defer tx.Rollback()
	rs, _, err := findRegions(ctx, tx, skygrid.RegionFilter{ID: &id, WithGeometry: true})
	if err != nil {
		return nil, err
	} else if len(rs) == 0 {
		return nil, skygrid.Errorf(skygrid.ENOTFOUND, "region %q not found", id)
	}
	return rs[0], nil
}

// FindRegions returns regions matching the filter and the total count.
func (db *DB) FindRegions(ctx context.Context, f skygrid.RegionFilter) ([]*skygrid.Region, int, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, fmt.Errorf("find regions: begin: %w", err)
	}
	defer tx.Rollback()
	return findRegions(ctx, tx, f)
}

func findRegions(ctx context.Context, tx *Tx, f skygrid.RegionFilter) ([]*skygrid.Region, int, error) {
	geomCol := "NULL"
	if f.WithGeometry {
		geomCol = "r.geom"
	}
	q := &listQuery{what: "find regions", from: `
		SELECT r.id, r.name, r.level, COALESCE(r.parent_id, ''), COALESCE(rp.name, ''), ` + geomCol + `,
		       r.min_lon, r.min_lat, r.max_lon, r.max_lat, r.area_km2, r.demo, r.neighbour,
		       s.id, s.name, s.phone, s.demo,
		       COUNT(*) OVER ()
		FROM regions r LEFT JOIN supervisors s ON s.grid_id = r.id LEFT JOIN regions rp ON rp.id = r.parent_id`,
		limit: f.Limit, offset: f.Offset}
	if f.ID != nil {
		q.and("r.id = ?", *f.ID)
	}
	if f.IDs != nil {
		ids, _ := json.Marshal(f.IDs)
		q.and("r.id IN ("+tx.db.jsonTexts()+")", string(ids))
	}
	if f.Level != nil {
		q.and("r.level = ?", *f.Level)
	}
	if !f.Neighbours && f.ID == nil {
		q.and("r.neighbour = 0")
	}
	if c := scopeCond(f.Scope, &q.args, "r.id", "r.parent_id", "(SELECT p.parent_id FROM regions p WHERE p.id = r.parent_id)"); c != "" {
		q.conds = append(q.conds, c)
	}
	if f.ParentID != nil {
		q.and("r.parent_id = ?", *f.ParentID)
	}
	if f.Bbox != nil {
		q.and("r.min_lon <= ? AND r.max_lon >= ? AND r.min_lat <= ? AND r.max_lat >= ?", f.Bbox.Max[0], f.Bbox.Min[0], f.Bbox.Max[1], f.Bbox.Min[1])
	}
	q.order = `
		ORDER BY CASE r.level WHEN 'city' THEN 0 WHEN 'county' THEN 1 WHEN 'township' THEN 2 ELSE 3 END, r.id`
	if f.Search != nil {
		var rankArgs []any
		c, rank := searchCond(tx.db.like(), *f.Search, []string{"r.name", "r.id"}, &q.args, &rankArgs)
		q.and(c, rankArgs...)
		q.order = `
		ORDER BY ` + rank + `, CASE r.level WHEN 'city' THEN 0 WHEN 'county' THEN 1 WHEN 'township' THEN 2 ELSE 3 END, r.id`
	}
	n := 0
	out, err := queryList(ctx, tx, q, func(rows *sql.Rows) (*skygrid.Region, error) { return scanRegion(rows, &n) })
	if err != nil {
		return nil, 0, err
	}
	return out, n, nil
}

// scanRegion reads a region of findRegions with its supervisor, and the
// list's total into n.
func scanRegion(rows *sql.Rows, n *int) (*skygrid.Region, error) {
	r := &skygrid.Region{}
	var geom []byte
	var sid sql.NullInt64
	var sname, sphone sql.NullString
	var sdemo sql.NullBool
	if err := rows.Scan(&r.ID, &r.Name, &r.Level, &r.ParentID, &r.ParentName, &geom,
		&r.Bound.Min[0], &r.Bound.Min[1], &r.Bound.Max[0], &r.Bound.Max[1], &r.AreaKm2, &r.Demo, &r.Neighbour,
		&sid, &sname, &sphone, &sdemo, n); err != nil {
		return nil, fmt.Errorf("read a region row: %w", err)
	}
	if geom != nil {
		g, err := decodeGeom(geom)
		if err != nil {
			return nil, fmt.Errorf("region %s: geometry: %w", r.ID, err)
		}
		r.Geometry = toMultiPolygon(g)
	}
	if sid.Valid {
		r.Supervisor = &skygrid.Supervisor{ID: sid.Int64, GridID: r.ID, Name: sname.String, Phone: sphone.String, Demo: sdemo.Bool}
	}
	return r, nil
}

func toMultiPolygon(g orb.Geometry) orb.MultiPolygon {
	switch g := g.(type) {
	case orb.MultiPolygon:
		return g
	case orb.Polygon:
		return orb.MultiPolygon{g}
	}
	return nil
}

// checkRegionParents refuses a region whose parent is neither in the
// import nor stored, is a neighbouring county or has one under it, or is
// not a larger region.
func checkRegionParents(ctx context.Context, tx *Tx, regions []*skygrid.Region, incoming map[string]*skygrid.Region) error {
	for _, r := range regions {
		if r.ParentID == "" {
			continue
		}
		plevel, pneighbour := "", false
		if p, ok := incoming[r.ParentID]; ok {
			plevel, pneighbour = p.Level, p.Neighbour
		} else if err := tx.QueryRowContext(ctx, `SELECT level, neighbour FROM regions WHERE id = ?`, r.ParentID).Scan(&plevel, &pneighbour); err == sql.ErrNoRows {
			return skygrid.Errorf(skygrid.EINVALID, "region %s (%s): parent %q is not imported; import the %s level first",
				r.ID, r.Name, r.ParentID, parentLevelName(r.Level))
		} else if err != nil {
			return fmt.Errorf("read parent region %s: %w", r.ParentID, err)
		}
		if pneighbour || r.Neighbour {
			return skygrid.Errorf(skygrid.EINVALID, "region %s (%s): a neighbouring county has no parent and no regions under it (parent %s)", r.ID, r.Name, r.ParentID)
		}
		if skygrid.LevelRank(plevel) >= skygrid.LevelRank(r.Level) {
			return skygrid.Errorf(skygrid.EINVALID, "region %s (%s, %s): parent %s is a %s, not a larger region", r.ID, r.Name, r.Level, r.ParentID, plevel)
		}
	}
	return nil
}

// ImportRegions stores regions in one transaction (replacing those with the
// same id). Parents must exist, in the store or in the same import, and be
// of a higher level.
func (db *DB) ImportRegions(ctx context.Context, regions []*skygrid.Region) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("import regions: begin: %w", err)
	}
	defer tx.Rollback()
	incoming := map[string]*skygrid.Region{}
	for _, r := range regions {
		if err := r.Validate(); err != nil {
			return err
		}
		if _, dup := incoming[r.ID]; dup {
			return skygrid.Errorf(skygrid.EINVALID, "region id %q appears twice", r.ID)
		}
		incoming[r.ID] = r
	}
	if err := checkRegionParents(ctx, tx, regions, incoming); err != nil {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, `
		INSERT INTO regions (id, name, level, parent_id, geom, min_lon, min_lat, max_lon, max_lat, area_km2, demo, neighbour, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, level = excluded.level, parent_id = excluded.parent_id,
			geom = excluded.geom, min_lon = excluded.min_lon, min_lat = excluded.min_lat, max_lon = excluded.max_lon,
			max_lat = excluded.max_lat, area_km2 = excluded.area_km2, demo = excluded.demo, neighbour = excluded.neighbour,
			updated_at = excluded.updated_at`)
	if err != nil {
		return fmt.Errorf("import regions: prepare: %w", err)
	}
	defer stmt.Close()
	now := ts(tx.now)
	for _, r := range regions {
		b := r.Geometry.Bound()
		r.Bound = b
		geom, err := encodeGeom(r.Geometry)
		if err != nil {
			return fmt.Errorf("region %s: %w", r.ID, err)
		}
		if _, err := stmt.ExecContext(ctx, r.ID, r.Name, r.Level, nullStr(r.ParentID), geom,
			b.Min[0], b.Min[1], b.Max[0], b.Max[1], r.AreaKm2, r.Demo, r.Neighbour, now, now); err != nil {
			return fmt.Errorf("region %s: %w", r.ID, err)
		}
	}
	levels := map[string]int{}
	for _, r := range regions {
		levels[r.Level]++
	}
	var parts []string
	for _, l := range []string{skygrid.LevelCity, skygrid.LevelCounty, skygrid.LevelTownship, skygrid.LevelGrid} {
		if levels[l] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", levels[l], l))
		}
	}
	if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: skygrid.ActorOf(ctx, "cli"), Action: "regions.import", Entity: "region",
		EntityID: "*", After: strings.Join(parts, ", ")}); err != nil {
		return err
	}
	if err := bumpLayers(ctx, tx, skygrid.LayerRegions); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("import regions: commit: %w", err)
	}
	return nil
}

func parentLevelName(level string) string {
	switch level {
	case skygrid.LevelCounty:
		return "city"
	case skygrid.LevelTownship:
		return "county"
	default:
		return "parent"
	}
}

// ImportSupervisors assigns supervisors to grids in one transaction.
func (db *DB) ImportSupervisors(ctx context.Context, sups []*skygrid.Supervisor) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("import supervisors: begin: %w", err)
	}
	defer tx.Rollback()
	now := ts(tx.now)
	for _, s := range sups {
		var level string
		err := tx.QueryRowContext(ctx, `SELECT level FROM regions WHERE id = ?`, s.GridID).Scan(&level)
		if err == sql.ErrNoRows {
			return skygrid.Errorf(skygrid.EINVALID, "supervisor %s: grid %q is not imported", s.Name, s.GridID)
		} else if err != nil {
			return fmt.Errorf("import supervisors: read a row: %w", err)
		}
		if level != skygrid.LevelGrid {
			return skygrid.Errorf(skygrid.EINVALID, "supervisor %s: region %q is a %s, not a grid", s.Name, s.GridID, level)
		}
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO supervisors (grid_id, name, phone, demo, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (grid_id) DO UPDATE SET name = excluded.name, phone = excluded.phone, demo = excluded.demo, updated_at = excluded.updated_at
			RETURNING id`, s.GridID, s.Name, s.Phone, s.Demo, now, now).Scan(&s.ID); err != nil {
			return fmt.Errorf("supervisor %s: %w", s.GridID, err)
		}
	}
	if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: skygrid.ActorOf(ctx, "cli"), Action: "supervisors.import", Entity: "supervisor",
		EntityID: "*", After: fmt.Sprintf("%d supervisors", len(sups))}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("import supervisors: commit: %w", err)
	}
	return nil
}
