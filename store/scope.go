package store

import (
	"context"
	"fmt"
	"strings"

	"skygrid"
)

// Area scopes on PostgreSQL (issue 17): a scoped user's sites and
// monitors are kept by PostGIS in the query, which then pages them,
// instead of reading every candidate row and testing it in Go
// (sitesIn). docs/PERFORMANCE.md ("Area scopes in SQL or Go") has the
// figures that chose each store's path: SQLite keeps the Go path.

// siteCentrePG is the centre of a site's bounds as PostGIS reads it: the
// same (min + max) / 2 in float8 as orb's Bound.Center, so the same
// point. Migration 0023 indexes this expression (GiST).
const siteCentrePG = `ST_SetSRID(ST_MakePoint((sites.min_lon + sites.max_lon) / 2, (sites.min_lat + sites.max_lat) / 2), 4326)`

// monitorPointPG is a monitor's place (monitors m), indexed by 0023 too.
const monitorPointPG = `ST_SetSRID(ST_MakePoint(m.lon, m.lat), 4326)`

// scopeInSQL says whether a scoped list is kept by SQL: on PostgreSQL,
// unless a benchmark or test asks for the Go path (scopeInGo).
func (db *DB) scopeInSQL() bool { return db.postgres && !db.scopeInGo }

// scopeCondPG keeps the rows whose point (an SQL expression of the outer
// row) lies in one of the regions ids, as planar.MultiPolygonContains
// decides in Go: a point on a polygon's outer ring is in, one on a
// hole's ring is out (PostGIS's ST_Intersects would keep it, so a region
// with holes also tests its polygons' holes, ring by ring).
func scopeCondPG(ids []string, point string, args *[]any) string {
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
	for _, id := range ids {
		*args = append(*args, id)
	}
	return `EXISTS (SELECT 1 FROM regions r WHERE r.id IN (` + marks + `) AND ST_Intersects(r.geom_pg, ` + point + `)
		AND (ST_NRings(r.geom_pg) = ST_NumGeometries(r.geom_pg) OR EXISTS (SELECT 1 FROM ST_Dump(r.geom_pg) d
			WHERE ST_Intersects(d.geom, ` + point + `) AND NOT EXISTS (SELECT 1 FROM ST_DumpRings(d.geom) k
				WHERE k.path[1] > 0 AND ST_Intersects(k.geom, ` + point + `)))))`
}

// checkScope is scopeRegions without the polygons: ENOTFOUND when one of
// the regions is gone.
func (db *DB) checkScope(ctx context.Context, ids []string) error {
	var args []any
	for _, id := range ids {
		args = append(args, id)
	}
	q := &listQuery{what: "read the scope's regions", from: `SELECT id FROM regions`,
		conds: []string{`id IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + `)`}, args: args}
	found, err := queryList(ctx, db.rdb, q, readString)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, id := range found {
		have[id] = true
	}
	for _, id := range ids {
		if !have[id] {
			return skygrid.Errorf(skygrid.ENOTFOUND, "region %q not found", id)
		}
	}
	return nil
}

// siteScope is how a site list keeps a scope: area, the regions with
// their polygons for the Go path (sitesIn), or ids for the SQL path.
type siteScope struct {
	area []*skygrid.Region
	ids  []string
}

// findScopedSitesSQL is FindSites for a scoped filter on PostgreSQL: the
// scope, the total and the page all in the query.
func (db *DB) findScopedSitesSQL(ctx context.Context, f skygrid.SiteFilter) ([]*skygrid.Site, int, error) {
	if len(f.Scope.Regions) == 0 {
		return nil, 0, nil
	}
	if err := db.checkScope(ctx, f.Scope.Regions); err != nil {
		return nil, 0, fmt.Errorf("find sites: the scope's regions: %w", err)
	}
	return db.findSites(ctx, f, siteScope{ids: f.Scope.Regions})
}

// listScopedMonitorsSQL is ListMonitors for a scope on PostgreSQL: the
// monitors standing in one of the regions ids, kept by the query.
func (db *DB) listScopedMonitorsSQL(ctx context.Context, ids []string) ([]*skygrid.MonitorItem, error) {
	if len(ids) == 0 {
		return []*skygrid.MonitorItem{}, nil
	}
	if err := db.checkScope(ctx, ids); err != nil {
		return nil, fmt.Errorf("list monitors: the scope's regions: %w", err)
	}
	var args []any
	return db.listMonitors(ctx, `WHERE `+scopeCondPG(ids, monitorPointPG, &args), args...)
}
