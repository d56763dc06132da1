package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"skygrid"
)

// The public page's reads (skygrid.PublicService): only what public.go
// allows out. No id, name or phone of a person, no task, no exact
// position leaves these functions.

var _ skygrid.PublicService = (*DB)(nil)

// PublicFires: see skygrid.PublicService. The detections (hotspots) of
// live fire events (skygrid.PublicFireClasses, not history, not
// cross-border) acquired in [since, until), by rounded cell and by county;
// every county of the city is listed, with 0 where none.
func (db *DB) PublicFires(ctx context.Context, since, until time.Time) ([]skygrid.PublicFire, []skygrid.PublicFireCount, error) {
	classes := skygrid.PublicFireClasses()
	args := []any{minuteID(since.Unix()), since.Unix(), minuteID(until.Unix() + 59), until.Unix()}
	for _, c := range classes {
		args = append(args, c)
	}
	rows, err := db.rdb.QueryContext(ctx, `SELECT h.lon_e5, h.lat_e5, h.acq_time, COALESCE(e.county_id, '')
		FROM hotspots h JOIN events e ON e.id = h.event_id
		WHERE h.id >= ? AND h.acq_time >= ? AND h.id < ? AND h.acq_time < ?
		AND e.class IN (`+placeholders(len(classes))+`) AND e.history = 0 AND e.cross_border = 0`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("find public fires: %w", err)
	}
	defer rows.Close()
	type key struct {
		lon, lat float64
		county   string
	}
	cells, byCounty := map[key]*skygrid.PublicFire{}, map[string]int{}
	for rows.Next() {
		var lon, lat, at int64
		var county string
		if err := rows.Scan(&lon, &lat, &at, &county); err != nil {
			return nil, nil, fmt.Errorf("find public fires: read a row: %w", err)
		}
		k := key{skygrid.PublicCellE5(lon), skygrid.PublicCellE5(lat), county}
		c := cells[k]
		if c == nil {
			c = &skygrid.PublicFire{Lon: k.lon, Lat: k.lat, County: county}
			cells[k] = c
		}
		c.Count++
		if t := time.Unix(at, 0).UTC(); t.After(c.Last) {
			c.Last = t
		}
		byCounty[county]++
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("find public fires: %w", err)
	}
	counts, names, err := db.publicCounties(ctx, byCounty)
	if err != nil {
		return nil, nil, err
	}
	out := make([]skygrid.PublicFire, 0, len(cells))
	for _, c := range cells {
		c.County = names[c.County]
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b skygrid.PublicFire) int {
		return cmp.Or(cmp.Compare(a.Lat, b.Lat), cmp.Compare(a.Lon, b.Lon), cmp.Compare(a.County, b.County))
	})
	return out, counts, nil
}

// publicCounties lists every county of the city with its count from n,
// most fires first (then by name), and the counties' names by id.
func (db *DB) publicCounties(ctx context.Context, n map[string]int) ([]skygrid.PublicFireCount, map[string]string, error) {
	q := &listQuery{what: "find public fire counties", from: `SELECT id, name FROM regions`, conds: []string{"level = 'county'", "neighbour = 0"}, order: ` ORDER BY id`}
	counts, err := queryList(ctx, db.rdb, q, func(rows *sql.Rows) (skygrid.PublicFireCount, error) {
		var c skygrid.PublicFireCount
		if err := rows.Scan(&c.CountyID, &c.County); err != nil {
			return c, fmt.Errorf("read a row: %w", err)
		}
		return c, nil
	})
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	for i := range counts {
		counts[i].Fires = n[counts[i].CountyID]
		names[counts[i].CountyID] = counts[i].County
	}
	slices.SortStableFunc(counts, func(a, b skygrid.PublicFireCount) int { return cmp.Compare(b.Fires, a.Fires) })
	return counts, names, nil
}

// PublicViolations: see skygrid.PublicService. Closed tasks of the
// skygrid.PublicViolationClasses about a site, whose finding confirmed a
// violation (skygrid.PublicViolationFindings) and whose close an official
// (or the bureau) accepted, closed since since; newest first.
func (db *DB) PublicViolations(ctx context.Context, since time.Time) ([]skygrid.PublicViolation, error) {
	var args []any
	for _, c := range skygrid.PublicViolationClasses {
		args = append(args, c)
	}
	for _, f := range skygrid.PublicViolationFindings {
		args = append(args, f)
	}
	args = append(args, ts(since))
	q := &listQuery{what: "find public violations",
		from: `SELECT s.name, COALESCE(r.name, ''), e.class, e.rule, e.first_seen, t.finding, t.closed_at,
			COALESCE((SELECT MAX(a.limit_value) FROM dust_alarms a WHERE a.event_id = e.id), 0)
			FROM tasks t JOIN events e ON e.id = t.event_id JOIN sites s ON s.id = e.site_id
			JOIN users u ON u.id = t.closed_by LEFT JOIN regions r ON r.id = e.county_id`,
		conds: []string{"e.class IN (" + placeholders(len(skygrid.PublicViolationClasses)) + ")",
			"t.finding IN (" + placeholders(len(skygrid.PublicViolationFindings)) + ")",
			"t.state = 'closed'", "t.closed_at >= ?", "u.role IN ('official', 'auditor', 'admin')"},
		args: args, order: ` ORDER BY t.closed_at DESC, t.id DESC`}
	return queryList(ctx, db.rdb, q, func(rows *sql.Rows) (skygrid.PublicViolation, error) {
		var v skygrid.PublicViolation
		var class, rule, found, finding, closed string
		var limit float64
		if err := rows.Scan(&v.Site, &v.County, &class, &rule, &found, &finding, &closed, &limit); err != nil {
			return v, fmt.Errorf("read a row: %w", err)
		}
		v.What = skygrid.PublicViolationWhat(class, rule, limit, finding)
		v.Found, v.Rectified = parseTS(found), parseTS(closed)
		return v, nil
	})
}

// PublishedReports: see skygrid.PublicService. Newest month first.
func (db *DB) PublishedReports(ctx context.Context) ([]skygrid.PublishedReport, error) {
	q := &listQuery{what: "find published reports", from: `SELECT month, published_at FROM publications`, order: ` ORDER BY month DESC`}
	return queryList(ctx, db.rdb, q, func(rows *sql.Rows) (skygrid.PublishedReport, error) {
		var r skygrid.PublishedReport
		var at string
		if err := rows.Scan(&r.Month, &at); err != nil {
			return r, fmt.Errorf("read a row: %w", err)
		}
		r.PublishedAt, r.Title = parseTS(at), skygrid.PublishedReportTitle(db.AreaName, r.Month)
		return r, nil
	})
}

// PublishReport: see skygrid.PublicService. The month is read in Beijing
// time; publishing a published month, or unpublishing one not published,
// is a conflict. The change and its audit line are one transaction.
func (db *DB) PublishReport(ctx context.Context, month time.Time, public bool, by int64, now time.Time) error {
	m := month.In(skygrid.Beijing).Format("2006-01")
	action := map[bool]string{true: "publish", false: "unpublish"}[public]
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s report %s: %w", action, m, err)
	}
	defer tx.Rollback()
	var res sql.Result
	if public {
		res, err = tx.ExecContext(ctx, `INSERT INTO publications (month, published_by, published_at) VALUES (?, ?, ?)
			ON CONFLICT (month) DO NOTHING`, m, nullID(by), ts(now))
	} else {
		res, err = tx.ExecContext(ctx, `DELETE FROM publications WHERE month = ?`, m)
	}
	if err != nil {
		return fmt.Errorf("%s report %s: %w", action, m, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return skygrid.Errorf(skygrid.ECONFLICT, "the monthly report of %s is %s already", m, map[bool]string{true: "public", false: "not public"}[public])
	}
	if err := insertAudit(ctx, tx, &skygrid.AuditEntry{At: now, Actor: skygrid.ActorOf(ctx, "cli"), Action: "report." + action,
		Entity: "report", EntityID: m, Before: fmt.Sprintf("public=%t", !public), After: fmt.Sprintf("public=%t", public)}); err != nil {
		return fmt.Errorf("%s report %s: audit: %w", action, m, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s report %s: commit: %w", action, m, err)
	}
	return nil
}

// nullID is NULL for 0 (no user: the command line).
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
