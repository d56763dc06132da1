package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"skygrid"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

var _ skygrid.SiteService = (*DB)(nil)

const siteCols = `id, kind, external_id, name, geom, area_m2, attrs, violation, props, source`

func scanSite(rows *sql.Rows, extra ...any) (*skygrid.Site, error) {
	s := &skygrid.Site{}
	var geom []byte
	var attrs, props string
	if err := rows.Scan(append([]any{&s.ID, &s.Kind, &s.ExternalID, &s.Name, &geom, &s.AreaM2, &attrs, &s.Violation, &props, &s.Source}, extra...)...); err != nil {
		return nil, fmt.Errorf("read a site row: %w", err)
	}
	var err error
	if s.Geometry, err = decodeGeom(geom); err != nil {
		return nil, fmt.Errorf("site %d: geometry: %w", s.ID, err)
	}
	if attrs != "" && attrs != "{}" {
		if err := json.Unmarshal([]byte(attrs), &s.Attrs); err != nil {
			return nil, fmt.Errorf("site %d: attrs: %w", s.ID, err)
		}
	}
	if props != "" && props != "{}" {
		if err := json.Unmarshal([]byte(props), &s.Props); err != nil {
			return nil, fmt.Errorf("site %d: props: %w", s.ID, err)
		}
	}
	return s, nil
}

// FindSites returns matching sites and the total. A scoped filter keeps
// the sites whose bounds' centre lies in one of the scope's regions (sites
// carry no region); the total and the page are of those.
func (db *DB) FindSites(ctx context.Context, f skygrid.SiteFilter) ([]*skygrid.Site, int, error) {
	if f.Scope == nil || f.Scope.All {
		return db.findSites(ctx, f, siteScope{})
	}
	if db.scopeInSQL() {
		return db.findScopedSitesSQL(ctx, f)
	}
	area, err := db.scopeRegions(ctx, f.Scope.Regions)
	if err != nil {
		return nil, 0, fmt.Errorf("find sites: the scope's regions: %w", err)
	} else if len(area) == 0 {
		return nil, 0, nil
	}
	return db.findSites(ctx, f, siteScope{area: area})
}

// findSites reads a filter's sites and total, kept to the scope sc.
func (db *DB) findSites(ctx context.Context, f skygrid.SiteFilter, sc siteScope) ([]*skygrid.Site, int, error) {
	q := siteQuery(f, sc, db.like())
	n := 0
	out, err := queryList(ctx, db.db, q, func(rows *sql.Rows) (*skygrid.Site, error) { return scanSite(rows, &n) })
	if err != nil {
		return nil, 0, err
	}
	if sc.area != nil {
		out, n = sitesIn(out, sc.area, f.Limit, f.Offset)
	}
	if f.WithCounty && len(out) > 0 {
		counties := db.siteCounties
		if db.scopeInSQL() {
			counties = db.siteCountiesPG
		}
		if err := counties(ctx, out); err != nil {
			return nil, 0, fmt.Errorf("sites' counties: %w", err)
		}
	}
	return out, n, nil
}

// siteQuery is a site filter's query. With a scope's regions (sc.area),
// the centre is kept within the regions' bounds here and within a
// polygon by sitesIn, which cuts the page after that; with its ids
// (sc.pg, PostgreSQL) the query keeps the centres in the polygons and
// pages. like is the store's case-insensitive LIKE (db.like).
func siteQuery(f skygrid.SiteFilter, sc siteScope, like string) *listQuery {
	area := sc.area
	q := &listQuery{what: "find sites", from: `SELECT ` + siteCols + `, COUNT(*) OVER () FROM sites`, limit: f.Limit, offset: f.Offset}
	if f.ID != nil {
		q.and("id = ?", *f.ID)
	}
	if f.Kind != nil {
		q.and("kind = ?", *f.Kind)
	}
	if f.Bbox != nil {
		q.conds = append(q.conds, bboxCond(*f.Bbox, &q.args))
	}
	if f.Violation != nil {
		if *f.Violation {
			q.and("violation <> ''")
		} else {
			q.and("violation = ''")
		}
	}
	if area != nil {
		b := areaBound(area)
		q.and(`(min_lon + max_lon) / 2 BETWEEN ? AND ?`, b.Min[0], b.Max[0])
		q.and(`(min_lat + max_lat) / 2 BETWEEN ? AND ?`, b.Min[1], b.Max[1])
		q.limit, q.offset = 0, 0
	}
	if sc.pg != nil {
		q.conds = append(q.conds, scopeCondPG(*sc.pg, siteCentrePG, siteNearPG, &q.args))
	}
	q.order = ` ORDER BY id`
	if f.Search != nil {
		// The rank's arguments come last: ORDER BY follows every condition.
		var rankArgs []any
		c, rank := searchCond(like, *f.Search, []string{"name", "external_id"}, &q.args, &rankArgs)
		q.and(c, rankArgs...)
		q.order = ` ORDER BY ` + rank + `, id`
	}
	return q
}

// scopeRegions reads a scope's regions with their polygons; ENOTFOUND when
// one is gone.
func (db *DB) scopeRegions(ctx context.Context, ids []string) ([]*skygrid.Region, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read the scope's regions: begin: %w", err)
	}
	defer tx.Rollback()
	var out []*skygrid.Region
	for _, id := range ids {
		rs, _, err := findRegions(ctx, tx, skygrid.RegionFilter{ID: &id, WithGeometry: true})
		if err != nil {
			return nil, fmt.Errorf("region %q: %w", id, err)
		} else if len(rs) == 0 {
			return nil, skygrid.Errorf(skygrid.ENOTFOUND, "region %q not found", id)
		}
		out = append(out, rs[0])
	}
	return out, nil
}

// areaBound is the bound of a scope's regions (at least one).
func areaBound(area []*skygrid.Region) orb.Bound {
	b := area[0].Bound
	for _, r := range area[1:] {
		b = b.Union(r.Bound)
	}
	return b
}

// inArea reports whether one of a scope's regions holds pt.
func inArea(area []*skygrid.Region, pt orb.Point) bool {
	for _, r := range area {
		if r.Bound.Contains(pt) && planar.MultiPolygonContains(r.Geometry, pt) {
			return true
		}
	}
	return false
}

// sitesIn keeps the sites whose bounds' centre lies in one of the regions,
// and returns the page of them at limit (0: all) and offset, and their
// total.
func sitesIn(sites []*skygrid.Site, regions []*skygrid.Region, limit, offset int) ([]*skygrid.Site, int) {
	var in []*skygrid.Site
	for _, s := range sites {
		if inArea(regions, s.Geometry.Bound().Center()) {
			in = append(in, s)
		}
	}
	n := len(in)
	in = in[min(offset, n):]
	if limit > 0 {
		in = in[:min(limit, len(in))]
	}
	return in, n
}

// siteCounties sets each site's county: the county region holding the
// centre of the site's bounds (as a scoped user's list keeps sites). The
// counties are read once, with their polygons, for the whole list.
func (db *DB) siteCounties(ctx context.Context, sites []*skygrid.Site) error {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("site counties: begin: %w", err)
	}
	defer tx.Rollback()
	level := skygrid.LevelCounty
	counties, _, err := findRegions(ctx, tx, skygrid.RegionFilter{Level: &level, WithGeometry: true})
	if err != nil {
		return err
	}
	for _, s := range sites {
		c := s.Geometry.Bound().Center()
		for _, r := range counties {
			if r.Bound.Contains(c) && planar.MultiPolygonContains(r.Geometry, c) {
				s.CountyID, s.CountyName = r.ID, r.Name
				break
			}
		}
	}
	return nil
}

// FindSiteByID returns one site or ENOTFOUND.
func (db *DB) FindSiteByID(ctx context.Context, id int64) (*skygrid.Site, error) {
	ss, _, err := db.FindSites(ctx, skygrid.SiteFilter{ID: &id})
	if err != nil {
		return nil, err
	}
	if len(ss) == 0 {
		return nil, skygrid.Errorf(skygrid.ENOTFOUND, "site %d not found", id)
	}
	return ss[0], nil
}

func jsonMap(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// ImportSites stores sites in one transaction, replacing those of the same
// kind and external id, applies the event class changes the new layer
// causes and raises the versions of the layers it changed. It returns how
// many sites were new.
func (db *DB) ImportSites(ctx context.Context, sites []*skygrid.Site, changes []skygrid.EventClassChange) (int, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("import sites: begin: %w", err)
	}
	defer tx.Rollback()
	now := ts(tx.now)
	uniq, rows, err := db.siteRows(sites, now)
	if err != nil {
		return 0, err
	}
	known, err := knownSites(ctx, tx, uniq)
	if err != nil {
		return 0, err
	}
	if err := upsertSites(ctx, tx, uniq, rows); err != nil {
		return 0, err
	}
	sameIDs(sites, uniq)
	created := len(uniq) - known
	layers, kinds := map[string]bool{}, map[string]int{}
	for _, s := range sites {
		layers[skygrid.SiteLayer[s.Kind]] = true
		kinds[s.Kind]++
	}
	if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: skygrid.ActorOf(ctx, "cli"), Action: "sites.import", Entity: "site", EntityID: "*",
		After: fmt.Sprintf("%d sites (%d new) %v; %d events reclassified", len(sites), created, kinds, len(changes))}); err != nil {
		return 0, err
	}
	if err := reclassifyEvents(ctx, tx, changes, now); err != nil {
		return 0, err
	}
	if len(changes) > 0 {
		layers[skygrid.LayerEvents] = true
	}
	names := make([]string, 0, len(layers))
	for l := range layers {
		names = append(names, l)
	}
	sort.Strings(names)
	if err := bumpLayers(ctx, tx, names...); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("import sites: commit: %w", err)
	}
	return created, nil
}

// siteValues is how many values siteRows gives a site.
const siteValues = 15

// siteRows checks the sites of an import (an id, a geometry, a known
// kind), applies the dust rules and gives each kind and id once with its
// row's values, in the order of upsertSites' columns: where one is given
// twice, the later site in the place of the first (as when each replaced
// the one before).
func (db *DB) siteRows(sites []*skygrid.Site, now string) ([]*skygrid.Site, [][]any, error) {
	var uniq []*skygrid.Site
	var rows [][]any
	at := make(map[[2]string]int, len(sites))
	for i, s := range sites {
		if s.ExternalID == "" {
			return nil, nil, skygrid.Errorf(skygrid.EINVALID, "site %d (%s): id required", i, s.Name)
		}
		if s.Geometry == nil {
			return nil, nil, skygrid.Errorf(skygrid.EINVALID, "site %s: empty geometry", s.ExternalID)
		}
		if _, ok := skygrid.SiteLayer[s.Kind]; !ok {
			return nil, nil, skygrid.Errorf(skygrid.EINVALID, "site %s: unknown kind %q", s.ExternalID, s.Kind)
		}
		geom, err := encodeGeom(s.Geometry)
		if err != nil {
			return nil, nil, fmt.Errorf("site %s: %w", s.ExternalID, err)
		}
		s.Violation = db.SiteRules.Check(s)
		b := s.Geometry.Bound()
		row := []any{s.Kind, s.ExternalID, s.Name, geom, b.Min[0], b.Min[1], b.Max[0], b.Max[1],
			s.AreaM2, jsonMap(s.Attrs), s.Violation, jsonMap(s.Props), s.Source, now, now}
		key := [2]string{s.Kind, s.ExternalID}
		if j, dup := at[key]; dup {
			uniq[j], rows[j] = s, row
			continue
		}
		at[key] = len(uniq)
		uniq, rows = append(uniq, s), append(rows, row)
	}
	return uniq, rows, nil
}

// sameIDs gives each site the id stored for its kind and id (a site
// given twice has it from the later one).
func sameIDs(sites, stored []*skygrid.Site) {
	ids := make(map[[2]string]int64, len(stored))
	for _, s := range stored {
		ids[[2]string{s.Kind, s.ExternalID}] = s.ID
	}
	for _, s := range sites {
		s.ID = ids[[2]string{s.Kind, s.ExternalID}]
	}
}

// knownSites counts the imported sites already stored (same kind and id).
func knownSites(ctx context.Context, tx *Tx, sites []*skygrid.Site) (int, error) {
	want := make(map[[2]string]bool, len(sites))
	for _, s := range sites {
		want[[2]string{s.Kind, s.ExternalID}] = true
	}
	known := 0
	err := chunks(len(sites), func(lo, hi int) error {
		var kinds, args []any
		for _, s := range sites[lo:hi] {
			if !slices.Contains(kinds, any(s.Kind)) {
				kinds = append(kinds, s.Kind)
			}
			args = append(args, s.ExternalID)
		}
		rows, err := tx.QueryContext(ctx, `SELECT kind, external_id FROM sites WHERE kind IN (`+placeholders(len(kinds))+`)
			AND external_id IN (`+placeholders(len(args))+`)`, append(kinds, args...)...)
		if err != nil {
			return fmt.Errorf("import sites: find the known ones: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var key [2]string
			if err := rows.Scan(&key[0], &key[1]); err != nil {
				return fmt.Errorf("import sites: read a known one: %w", err)
			}
			if want[key] {
				known++
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("import sites: find the known ones: %w", err)
		}
		return nil
	})
	return known, err
}

// upsertSites stores the sites by kind and id, importChunk a statement,
// and sets their ids.
func upsertSites(ctx context.Context, tx *Tx, sites []*skygrid.Site, vals [][]any) error {
	at := make(map[[2]string]*skygrid.Site, len(sites))
	for _, s := range sites {
		at[[2]string{s.Kind, s.ExternalID}] = s
	}
	return chunks(len(sites), func(lo, hi int) error {
		args := make([]any, 0, siteValues*(hi-lo))
		for _, v := range vals[lo:hi] {
			args = append(args, v...)
		}
		rows, err := tx.QueryContext(ctx, `INSERT INTO sites (kind, external_id, name, geom, min_lon, min_lat, max_lon, max_lat,
				area_m2, attrs, violation, props, source, created_at, updated_at)
			VALUES `+valuesRows(hi-lo, siteValues)+`
			ON CONFLICT (kind, external_id) DO UPDATE SET name = excluded.name, geom = excluded.geom, min_lon = excluded.min_lon,
				min_lat = excluded.min_lat, max_lon = excluded.max_lon, max_lat = excluded.max_lat, area_m2 = excluded.area_m2,
				attrs = excluded.attrs, violation = excluded.violation, props = excluded.props,
				source = excluded.source, updated_at = excluded.updated_at
			RETURNING kind, external_id, id`, args...)
		if err != nil {
			return siteStoreError(sites[lo], sites[hi-1], err)
		}
		defer rows.Close()
		for rows.Next() {
			var key [2]string
			var id int64
			if err := rows.Scan(&key[0], &key[1], &id); err != nil {
				return fmt.Errorf("import sites: read a stored id: %w", err)
			}
			at[key].ID = id
		}
		if err := rows.Err(); err != nil {
			return siteStoreError(sites[lo], sites[hi-1], err)
		}
		return nil
	})
}

// siteStoreError says which sites a statement that failed stored.
func siteStoreError(first, last *skygrid.Site, err error) error {
	if isConstraint(err) {
		return skygrid.Errorf(skygrid.EINVALID, "sites %s to %s: %v", first.ExternalID, last.ExternalID, err)
	}
	return fmt.Errorf("import sites: store sites %s to %s: %w", first.ExternalID, last.ExternalID, err)
}

// reclassifyEvents applies the class changes a site import brings, each
// with its audit line; an event whose class changed meanwhile is ECONFLICT.
func reclassifyEvents(ctx context.Context, tx *Tx, changes []skygrid.EventClassChange, now string) error {
	for _, c := range changes {
		res, err := tx.ExecContext(ctx, `UPDATE events SET class = ?, updated_at = ? WHERE id = ? AND class = ?`, c.To, now, c.EventID, c.From)
		if err != nil {
			return fmt.Errorf("reclassify event %d: %w", c.EventID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return skygrid.Errorf(skygrid.ECONFLICT, "reclassify event %d: it is no longer %s; import again", c.EventID, c.From)
		}
		if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: skygrid.ActorOf(ctx, "cli"), Action: "event.reclassify", Entity: "event",
			EntityID: fmt.Sprint(c.EventID), Before: "class=" + c.From, After: fmt.Sprintf("class=%s site=%s", c.To, c.Site)}); err != nil {
			return err
		}
	}
	return nil
}
