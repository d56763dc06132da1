package store

import (
	"context"
	"fmt"

	"skygrid"
)

// Area scopes on PostgreSQL (issue 17): a scoped user's sites and
// monitors are kept by PostGIS in the query, which then pages them,
// instead of reading every candidate row and testing it in Go
// (sitesIn). docs/PERFORMANCE.md ("Area scopes in SQL or Go") has the
// figures that chose each store's path: SQLite keeps the Go path.

// siteCentrePG is the centre of a site's bounds as PostGIS reads it: the
// same (min + max) / 2 in float8 as orb's Bound.Center, so the same
// point.
const siteCentrePG = `ST_SetSRID(ST_MakePoint((sites.min_lon + sites.max_lon) / 2, (sites.min_lat + sites.max_lat) / 2), 4326)`

// siteNearPG is what a region r must meet to hold a site's centre: its
// bounds meet the site's (the centre is in both), which the GiST index on
// sites.geom_pg finds, so PostgreSQL reads only the sites near the scope.
// PostGIS's boxes are rounded outwards, so no site is missed.
const siteNearPG = `r.geom_pg && sites.geom_pg`

// monitorPointPG is a monitor's place (monitors m), and monitorNearPG
// the bounds of a region r that can hold it (exact: the bounds are orb's).
const (
	monitorPointPG = `ST_SetSRID(ST_MakePoint(m.lon, m.lat), 4326)`
	monitorNearPG  = `m.lon BETWEEN r.min_lon AND r.max_lon AND m.lat BETWEEN r.min_lat AND r.max_lat`
)

// scopeInSQL says whether a scoped list is kept, and a site list's
// counties found, by SQL: on PostgreSQL, unless a benchmark or test asks
// for the Go path (scopeInGo).
func (db *DB) scopeInSQL() bool { return db.postgres && !db.scopeInGo }

// pgScope is a scope as the SQL path keeps it: its region ids, and
// whether one of them has holes.
type pgScope struct {
	ids   []string
	holes bool
}

// scopeCondPG keeps the rows whose point (an SQL expression of the outer
// row) lies in one of the scope's regions (r) that meet near (a cheap
// test of r's bounds, which a point inside r always passes), as
// planar.MultiPolygonContains decides in Go: a point on a polygon's outer
// ring is in, one on a hole's ring is out. ST_Intersects would keep the
// latter, so a scope with holes also tests its polygons' holes, ring by
// ring (only then: the test's estimated cost, a thousand rows of each
// set-returning function, would swamp the planner's comparison of plans).
func scopeCondPG(sc pgScope, point, near string, args *[]any) string {
	marks := placeholders(len(sc.ids))
	for _, id := range sc.ids {
		*args = append(*args, id)
	}
	return `EXISTS (SELECT 1 FROM regions r WHERE r.id IN (` + marks + `) AND ` + near + ` AND ` + inRegionPG(point, sc.holes) + `)`
}

// inRegionPG says whether point lies in region r as
// planar.MultiPolygonContains says it (scopeCondPG); holes: whether to
// test holes' rings.
func inRegionPG(point string, holes bool) string {
	in := `ST_Intersects(r.geom_pg, ` + point + `)`
	if !holes {
		return in
	}
	return in + `
		AND (ST_NRings(r.geom_pg) = ST_NumGeometries(r.geom_pg) OR EXISTS (SELECT 1 FROM ST_Dump(r.geom_pg) d
			WHERE ST_Intersects(d.geom, ` + point + `) AND NOT EXISTS (SELECT 1 FROM ST_DumpRings(d.geom) k
				WHERE k.path[1] > 0 AND ST_Intersects(k.geom, ` + point + `))))`
}

// pgScopeOf reads a scope's regions without their polygons (whether they
// have holes); ENOTFOUND when one is gone, as scopeRegions.
func (db *DB) pgScopeOf(ctx context.Context, ids []string) (pgScope, error) {
	sc := pgScope{ids: ids}
	var args []any
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := db.rdb.QueryContext(ctx, `SELECT id, ST_NRings(geom_pg) > ST_NumGeometries(geom_pg) FROM regions WHERE id IN (`+
		placeholders(len(ids))+`)`, args...)
	if err != nil {
		return sc, fmt.Errorf("read the scope's regions: %w", err)
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var id string
		var holes bool
		if err := rows.Scan(&id, &holes); err != nil {
			return sc, fmt.Errorf("read the scope's regions: %w", err)
		}
		have[id], sc.holes = true, sc.holes || holes
	}
	if err := rows.Err(); err != nil {
		return sc, fmt.Errorf("read the scope's regions: %w", err)
	}
	for _, id := range ids {
		if !have[id] {
			return sc, skygrid.Errorf(skygrid.ENOTFOUND, "region %q not found", id)
		}
	}
	return sc, nil
}

// siteScope is how a site list keeps a scope: area, the regions with
// their polygons for the Go path (sitesIn), or pg for the SQL path.
type siteScope struct {
	area []*skygrid.Region
	pg   *pgScope
}

// findScopedSitesSQL is FindSites for a scoped filter on PostgreSQL: the
// scope, the total and the page all in the query.
func (db *DB) findScopedSitesSQL(ctx context.Context, f skygrid.SiteFilter) ([]*skygrid.Site, int, error) {
	if len(f.Scope.Regions) == 0 {
		return nil, 0, nil
	}
	pg, err := db.pgScopeOf(ctx, f.Scope.Regions)
	if err != nil {
		return nil, 0, fmt.Errorf("find sites: the scope's regions: %w", err)
	}
	sc := siteScope{pg: &pg}
	out, n, err := db.findSites(ctx, f, sc)
	if err != nil || len(out) > 0 || f.Offset == 0 {
		return out, n, err
	}
	// A page past the end has no row to carry COUNT(*) OVER (): the total
	// comes from the first row, as the Go path counts it.
	first := f
	first.Limit, first.Offset, first.WithCounty = 1, 0, false
	_, n, err = db.findSites(ctx, first, sc)
	return out, n, err
}

// listScopedMonitorsSQL is ListMonitors for a scope on PostgreSQL: the
// monitors standing in one of the regions ids, kept by the query.
func (db *DB) listScopedMonitorsSQL(ctx context.Context, ids []string) ([]*skygrid.MonitorItem, error) {
	if len(ids) == 0 {
		return []*skygrid.MonitorItem{}, nil
	}
	sc, err := db.pgScopeOf(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("list monitors: the scope's regions: %w", err)
	}
	var args []any
	return db.listMonitors(ctx, `WHERE `+scopeCondPG(sc, monitorPointPG, monitorNearPG, &args), args...)
}

// siteCountiesPG is siteCounties on PostgreSQL: each site's county found
// by the regions' GiST index, the first by id where two hold the centre
// (siteCounties reads the counties in id order), instead of reading every
// county's polygon for each page.
func (db *DB) siteCountiesPG(ctx context.Context, sites []*skygrid.Site) error {
	args := make([]any, len(sites))
	byID := map[int64][]*skygrid.Site{}
	for i, s := range sites {
		args[i], byID[s.ID] = s.ID, append(byID[s.ID], s)
	}
	rows, err := db.rdb.QueryContext(ctx, `SELECT DISTINCT ON (sites.id) sites.id, r.id, r.name FROM sites
		JOIN regions r ON r.level = 'county' AND r.geom_pg && sites.geom_pg AND `+inRegionPG(siteCentrePG, true)+`
		WHERE sites.id IN (`+placeholders(len(sites))+`) ORDER BY sites.id, r.id`, args...)
	if err != nil {
		return fmt.Errorf("site counties: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var county, name string
		if err := rows.Scan(&id, &county, &name); err != nil {
			return fmt.Errorf("site counties: %w", err)
		}
		for _, s := range byID[id] {
			s.CountyID, s.CountyName = county, name
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("site counties: %w", err)
	}
	return nil
}
