package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"skygrid"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

var _ skygrid.StatsService = (*DB)(nil)

// Stats computes the figures of a period and of the same period a year
// before (see skygrid.StatsService): counts are SQL aggregates, response
// times are read per task and ranked in Go.
func (db *DB) Stats(ctx context.Context, q skygrid.StatsQuery) (*skygrid.Stats, error) {
	if q.By == "" {
		q.By = skygrid.ByCounty
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("stats: begin: %w", err)
	}
	defer tx.Rollback()
	if q.By, err = statsBy(ctx, tx, q); err != nil {
		return nil, err
	}
	s, err := stats(ctx, tx, q, db.Now())
	if err != nil {
		return nil, err
	}
	ago := q
	ago.Since, ago.Until = skygrid.YearBefore(q.Since), skygrid.YearBefore(q.Until)
	if s.YearAgo, err = stats(ctx, tx, ago, db.Now()); err != nil {
		return nil, err
	}
	return s, nil
}

// taskMinutes are a task's (alias t) minutes from dispatch (a reassigned
// task's new dispatch, else its creation) to acknowledgement and to report,
// NULL until it gets there. Counted in SQL, each dialect with its own
// date arithmetic on the stored RFC 3339 text: read out and counted in Go
// instead, a year's figures took twice as long on SQLite (533 ms against
// 246, docs/PERFORMANCE.md).
func (db *DB) taskMinutes() string {
	minutes := func(to, from string) string {
		if db.postgres {
			return "date_part('epoch', CAST(" + to + " AS timestamptz) - CAST(" + from + " AS timestamptz)) / 60"
		}
		return "(julianday(" + to + ") - julianday(" + from + ")) * 1440"
	}
	dispatched := "COALESCE(NULLIF(t.dispatched_at, ''), t.created_at)"
	return "CASE WHEN t.acknowledged_at <> '' THEN " + minutes("t.acknowledged_at", dispatched) + " END,\n\t\t" +
		"CASE WHEN t.reported_at <> '' THEN " + minutes("t.reported_at", dispatched) + " END"
}

// statsConds selects the events a StatsQuery counts (alias e): first seen
// in the period, in the region, of the class, and in the user's area.
func statsConds(q skygrid.StatsQuery) ([]string, []any, error) {
	if !q.Until.After(q.Since) {
		return nil, nil, skygrid.Errorf(skygrid.EINVALID, "the period is empty: until %s is not after since %s", ts(q.Until), ts(q.Since))
	}
	// The city's fire events: cross-border ones are counted apart, dust
	// events (alarms, inspections) in the dust figures of dust_alarms.
	conds := []string{"e.first_seen >= ?", "e.first_seen < ?", "e.cross_border = 0",
		"e.class NOT IN " + dustClassesSQL}
	args := []any{ts(q.Since), ts(q.Until)}
	if q.Region != "" {
		conds = append(conds, regionCond(q.Region, &args, "e.county_id", "e.township_id", "e.grid_id"))
	}
	if q.Class != "" {
		if !slices.Contains(skygrid.Classes, q.Class) {
			return nil, nil, skygrid.Errorf(skygrid.EINVALID, "class %q: want one of %s", q.Class, strings.Join(skygrid.Classes, ", "))
		}
		conds = append(conds, "e.class = ?")
		args = append(args, q.Class)
	}
	if q.Scope != nil && !q.Scope.All {
		// Figures are about fires in the user's area: an event reassigned
		// in from another area counts where it burnt, not here; and only
		// events the user sees (eventScopeCond: one with a task goes
		// where its task is). Written so that the tasks in scope are
		// found once, not per event: a county's year in a third of the
		// time of a correlated scope check.
		conds = append(conds, scopeCond(q.Scope, &args, "e.grid_id", "e.township_id", "e.county_id"))
		if len(q.Scope.Regions) > 0 {
			// taskScopeListCond first: the indexes find the area's tasks
			// (a county of a province's 213,000 tasks: 1.3 s without).
			conds = append(conds, "(e.id IN (SELECT t.event_id"+taskFrom+" WHERE "+taskScopeListCond(q.Scope, &args)+" AND "+taskScopeCond(q.Scope, &args)+
				") OR NOT EXISTS (SELECT 1 FROM tasks t0 WHERE t0.event_id = e.id))")
		}
	}
	return conds, args, nil
}

// statsAreas holds a stats query's figures per region while they are
// read.
type statsAreas map[string]*skygrid.AreaStats

// area is the figures of region id, made on first use.
func (m statsAreas) area(id string) *skygrid.AreaStats {
	a := m[id]
	if a == nil {
		a = &skygrid.AreaStats{RegionID: id, ByClass: map[string]int{}, ByFinding: map[string]int{}}
		m[id] = a
	}
	return a
}

// responseTimes are one region's tasks' minutes to acknowledgement and to
// report.
type responseTimes struct{ ack, rep []float64 }

// statsCol is the events' column of the regions a query groups by (a
// city's figures are its counties', added up: statsGroup).
func statsCol(by string) (string, error) {
	col := map[string]string{skygrid.ByCity: "county_id", skygrid.ByCounty: "county_id", skygrid.ByTownship: "township_id", skygrid.ByGrid: "grid_id"}[by]
	if col == "" {
		return "", skygrid.Errorf(skygrid.EINVALID, "by %q: want county, township, grid or city", by)
	}
	return col, nil
}

// regionCond is the condition that a row lies in region id: its county,
// township or grid (the columns given) is id, or id is a city and the
// county is one of its (a province's drill-down). Its arguments are
// added to args.
func regionCond(id string, args *[]any, county, township, grid string) string {
	*args = append(*args, id, id, id, id)
	return "(" + county + " = ? OR " + township + " = ? OR " + grid + " = ? OR " + county +
		" IN (SELECT id FROM regions WHERE level = 'county' AND parent_id = ?))"
}

// regionIDs are the ids a place's county, township or grid may be to lie
// in region: itself, and a city's counties (none for no region).
func regionIDs(ctx context.Context, tx *Tx, region string) ([]string, error) {
	if region == "" {
		return nil, nil
	}
	q := &listQuery{what: "the counties of " + region, from: `SELECT id FROM regions`, args: []any{region},
		conds: []string{"level = 'county'", "parent_id = ?"}}
	ids, err := queryList(ctx, tx, q, readString)
	return append(ids, region), err
}

// statsBy is the grouping q's figures are counted by: q.By, or the level
// of the region asked for or of the user's regions where that is finer,
// so that no row is named after an area the figures are only part of (a
// township official's figures by county were a row named after the
// county, with the township's fires rated against the county's cropland).
func statsBy(ctx context.Context, tx *Tx, q skygrid.StatsQuery) (string, error) {
	if _, err := statsCol(q.By); err != nil {
		return "", err
	}
	var ids []string
	if q.Region != "" {
		ids = append(ids, q.Region)
	}
	if q.Scope != nil && !q.Scope.All {
		ids = append(ids, q.Scope.Regions...)
	}
	if len(ids) == 0 {
		return q.By, nil
	}
	lq := &listQuery{what: "stats: the levels of the area", from: `SELECT DISTINCT level FROM regions`,
		conds: []string{"id IN (" + placeholders(len(ids)) + ")"}}
	for _, id := range ids {
		lq.args = append(lq.args, id)
	}
	levels, err := queryList(ctx, tx, lq, readString)
	if err != nil {
		return "", err
	}
	by := q.By
	for _, l := range levels {
		if skygrid.LevelRank(l) > skygrid.LevelRank(by) {
			by = l
		}
	}
	return by, nil
}

// statsGroup maps the id statsCol reads to the region figures are kept
// under: itself, or for by city the county's city ("" for a county with
// no city above it).
func statsGroup(ctx context.Context, tx *Tx, by string) (func(string) string, error) {
	if by != skygrid.ByCity {
		return func(id string) string { return id }, nil
	}
	cityOf, err := queryPairs(ctx, tx, &listQuery{what: "stats: the counties' cities", from: `SELECT c.id, p.id FROM regions c JOIN regions p ON p.id = c.parent_id`,
		conds: []string{"c.level = 'county'", "p.level = 'city'"}})
	return func(id string) string { return cityOf[id] }, err
}

func stats(ctx context.Context, tx *Tx, q skygrid.StatsQuery, now time.Time) (*skygrid.Stats, error) {
	col, err := statsCol(q.By)
	if err != nil {
		return nil, err
	}
	conds, args, err := statsConds(q)
	if err != nil {
		return nil, err
	}
	group, err := statsGroup(ctx, tx, q.By)
	if err != nil {
		return nil, err
	}
	w := where(conds)
	areas := statsAreas{}
	// The events' aggregate runs beside the tasks' scan, on another
	// connection (two cores: about half the time of a year's figures).
	evs := statsEvents(ctx, tx, col, w, args)
	resp, err := statsTasks(ctx, tx, areas, group, col, w, append([]any{ts(minTime(now, q.Until)), ts(minTime(now, q.Until))}, args...))
	if err != nil {
		return nil, err
	}
	if err := evs.addTo(areas, group); err != nil {
		return nil, err
	}
	out := &skygrid.Stats{Query: q, Computed: now}
	allAck, allRep, err := statsAreaList(ctx, tx, q.By, areas, resp, out)
	if err != nil {
		return nil, err
	}
	if out.NoData, err = noDetections(ctx, tx, q); err != nil {
		return nil, err
	}
	if out.CrossBorder, err = crossBorder(ctx, tx, q); err != nil {
		return nil, err
	}
	total := skygrid.SumAreas(out.Areas)
	total.RegionName = "合计"
	total.AckMedianMin, total.AckP90Min = quantile(allAck, 0.5), quantile(allAck, 0.9)
	total.ReportMedianMin, total.ReportP90Min = quantile(allRep, 0.5), quantile(allRep, 0.9)
	out.Total = total
	return out, nil
}

// eventRow is one region's and class's events and hotspots.
type eventRow struct {
	id, class string
	n, hs     int
}

// eventFigures is the events' aggregate, read beside the tasks' scan.
type eventFigures struct {
	rows chan []eventRow
	err  chan error
}

// addTo waits for the aggregate and adds it to areas, each row to the
// region group names.
func (e eventFigures) addTo(areas statsAreas, group func(string) string) error {
	select {
	case err := <-e.err:
		return err
	case evs := <-e.rows:
		for _, r := range evs {
			a := areas.area(group(r.id))
			a.Events += r.n
			a.Hotspots += r.hs
			a.ByClass[r.class] += r.n
		}
		return nil
	}
}

// statsEvents starts the events' aggregate by region and class: on
// another read connection beside this one for a file database, in tx
// (before returning) for a database in memory, which has one connection.
func statsEvents(ctx context.Context, tx *Tx, col, w string, args []any) eventFigures {
	e := eventFigures{rows: make(chan []eventRow, 1), err: make(chan error, 1)}
	var db querier = tx
	run := func(f func()) { f() }
	if tx.db.rdb != tx.db.db {
		db, run = tx.db.rdb, func(f func()) { go f() }
	}
	q := &listQuery{what: "stats: events by region and class", from: `SELECT COALESCE(e.` + col + `, ''), e.class, COUNT(*), SUM(e.hotspot_count) FROM events e` + w + ` GROUP BY 1, 2`, args: args}
	run(func() {
		rows, err := queryList(ctx, db, q, func(rows *sql.Rows) (eventRow, error) {
			var r eventRow
			if err := rows.Scan(&r.id, &r.class, &r.n, &r.hs); err != nil {
				return r, fmt.Errorf("read an events row: %w", err)
			}
			return r, nil
		})
		if err != nil {
			e.err <- err
			return
		}
		e.rows <- rows
	})
	return e
}

// statsTasks reads the tasks, one row each, into areas: state, finding,
// response minutes and lateness worked out by SQLite (no time parsing in
// Go). Done steps are late when done after their deadline (stored
// times). Open ones are late when their deadline passed before the
// period's end or now, whichever is earlier (the first two of args), or
// when the task was escalated (stored): a closed period's figures do not
// move with the clock. It returns the response times by region.
func statsTasks(ctx context.Context, tx *Tx, areas statsAreas, group func(string) string, col, w string, args []any) (map[string]*responseTimes, error) {
	rows, err := tx.QueryContext(ctx, `SELECT COALESCE(e.`+col+`, ''), t.state, t.finding, `+tx.db.taskMinutes()+`,
		(t.acknowledged_at <> '' AND t.acknowledged_at > t.ack_due) OR (t.acknowledged_at = '' AND t.reported_at = '' AND ? > t.ack_due)
			OR (t.reported_at <> '' AND t.reported_at > t.report_due) OR (t.reported_at = '' AND ? > t.report_due)
			OR (t.reported_at = '' AND t.escalation > 0)
		FROM tasks t JOIN events e ON e.id = t.event_id`+w, args...)
	if err != nil {
		return nil, fmt.Errorf("stats: tasks: %w", err)
	}
	defer rows.Close()
	resp := map[string]*responseTimes{}
	for rows.Next() {
		var id, state, finding string
		var ackMin, repMin sql.NullFloat64
		var late bool
		if err := rows.Scan(&id, &state, &finding, &ackMin, &repMin, &late); err != nil {
			return nil, fmt.Errorf("stats: read a task row: %w", err)
		}
		id = group(id)
		r := resp[id]
		if r == nil {
			r = &responseTimes{}
			resp[id] = r
		}
		if ackMin.Valid {
			r.ack = append(r.ack, ackMin.Float64)
		}
		if repMin.Valid {
			r.rep = append(r.rep, repMin.Float64)
		}
		countTask(areas.area(id), state, finding, late)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("stats: read the task rows: %w", err)
	}
	return resp, nil
}

// countTask adds a task of this state and finding to a region's figures.
func countTask(a *skygrid.AreaStats, state, finding string, late bool) {
	a.Tasks++
	reported := state == skygrid.TaskReported || state == skygrid.TaskClosed
	if finding != "" && reported {
		a.ByFinding[finding]++
	}
	if state == skygrid.TaskClosed && finding == skygrid.FindingStrawBurning {
		a.ConfirmedStraw++
	}
	if finding == skygrid.FindingFalseAlarm && reported {
		a.FalseAlarms++
	}
	if state == skygrid.TaskDispatched || state == skygrid.TaskAcknowledged {
		a.Unverified++
	}
	if late {
		a.Overdue++
	}
}

// statsAreaList names each region, adds its cropland and response times,
// and lists the regions in id order in out.Areas. It returns every
// response time, for the total.
func statsAreaList(ctx context.Context, tx *Tx, by string, areas statsAreas, resp map[string]*responseTimes, out *skygrid.Stats) (allAck, allRep []float64, err error) {
	names, err := regionNames(ctx, tx, by)
	if err != nil {
		return nil, nil, err
	}
	// Cropland per area, where a cropland layer is loaded.
	crop, err := croplandHa(ctx, tx, by)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]string, 0, len(areas))
	for id := range areas {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		a := areas[id]
		a.RegionName = names[id]
		if id == "" {
			a.RegionName = unplaced(by)
		}
		if r := resp[id]; r != nil {
			a.AckMedianMin, a.AckP90Min = quantile(r.ack, 0.5), quantile(r.ack, 0.9)
			a.ReportMedianMin, a.ReportP90Min = quantile(r.rep, 0.5), quantile(r.rep, 0.9)
			allAck, allRep = append(allAck, r.ack...), append(allRep, r.rep...)
		}
		a.CroplandHa = crop[id]
		a.SetRates()
		out.Areas = append(out.Areas, a)
	}
	return allAck, allRep, nil
}

// unplaced names the figures of what lies in no region of a level
// (未落入区县).
func unplaced(level string) string {
	return "未落入" + skygrid.LevelNames[level]
}

// regionNames are the names of the regions of a level, by id.
func regionNames(ctx context.Context, tx *Tx, level string) (map[string]string, error) {
	return queryPairs(ctx, tx, &listQuery{what: "stats: region names", from: `SELECT id, name FROM regions`, args: []any{level}, conds: []string{"level = ?"}})
}

// noDetections says whether no detection at all is stored for the
// period (hotspot ids are minutes).
func noDetections(ctx context.Context, tx *Tx, q skygrid.StatsQuery) (bool, error) {
	var stored bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM hotspots WHERE id >= ? AND id < ?)`,
		minuteID(q.Since.Unix()), minuteID(q.Until.Unix()+59)).Scan(&stored); err != nil {
		return false, fmt.Errorf("stats: detections stored: %w", err)
	}
	return !stored, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// crossBorder counts the cross-border events first seen in the period (of
// the class), for a city-wide query by a user who sees the whole city.
func crossBorder(ctx context.Context, tx *Tx, q skygrid.StatsQuery) (int, error) {
	if q.Region != "" || (q.Scope != nil && !q.Scope.All) {
		return 0, nil
	}
	cond := "first_seen >= ? AND first_seen < ? AND cross_border = 1"
	args := []any{ts(q.Since), ts(q.Until)}
	if q.Class != "" {
		cond, args = cond+" AND class = ?", append(args, q.Class)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE `+cond, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count cross-border events: %w", err)
	}
	return n, nil
}

// quantile is the q-quantile (nearest rank) of xs, nil when empty.
func quantile(xs []float64, q float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	v := math.Round(skygrid.Quantile(s, q)*10) / 10
	return &v
}

// croplandHa sums the cropland sites' geodesic area (ha) by the region of
// the given level holding each site's centroid.
func croplandHa(ctx context.Context, tx *Tx, level string) (map[string]float64, error) {
	out := map[string]float64{}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sites WHERE kind = 'cropland'`).Scan(&n); err != nil {
		return out, fmt.Errorf("count cropland sites: %w", err)
	} else if n == 0 {
		return out, nil
	}
	regions, _, err := findRegions(ctx, tx, skygrid.RegionFilter{Level: &level, WithGeometry: true})
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT geom, area_m2 FROM sites WHERE kind = 'cropland'`)
	if err != nil {
		return nil, fmt.Errorf("cropland ha: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var geom []byte
		var m2 float64
		if err := rows.Scan(&geom, &m2); err != nil {
			return nil, fmt.Errorf("cropland ha: read a row: %w", err)
		}
		g, err := decodeGeom(geom)
		if err != nil {
			return nil, fmt.Errorf("cropland: %w", err)
		}
		c := g.Bound().Center()
		if mp, ok := g.(orb.MultiPolygon); ok {
			c, _ = planar.CentroidArea(mp)
		}
		for _, r := range regions {
			if r.Bound.Contains(c) && planar.MultiPolygonContains(r.Geometry, c) {
				out[r.ID] += m2 / 1e4
				break
			}
		}
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("cropland ha: %w", err)
	}
	return out, nil
}

// Series answers the audit charts for the events q counts (see
// skygrid.StatsService): three SQL queries, no events loaded.
func (db *DB) Series(ctx context.Context, q skygrid.StatsQuery) (*skygrid.StatsSeries, error) {
	conds, args, err := statsConds(q)
	if err != nil {
		return nil, err
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("series: begin: %w", err)
	}
	defer tx.Rollback()
	out := &skygrid.StatsSeries{AckMinutes: []float64{}, ReportMinutes: []float64{}, Confirmed: []skygrid.ConfirmedFire{}}
	if out.Days, err = seriesDays(ctx, tx, q, conds, args); err != nil {
		return nil, err
	}
	if err := seriesMinutes(ctx, tx, conds, args, out); err != nil {
		return nil, err
	}
	confirmed, err := seriesConfirmed(ctx, tx, conds, args)
	if err != nil {
		return nil, err
	}
	out.Confirmed = append(out.Confirmed, confirmed...)
	return out, nil
}

// seriesDays counts the events by class on each Beijing day (UTC+8, no
// daylight saving time) of the period, by their first sighting.
func seriesDays(ctx context.Context, tx *Tx, q skygrid.StatsQuery, conds []string, args []any) ([]skygrid.DayClasses, error) {
	days := map[string]map[string]int{}
	// By the UTC date and whether the time is 16:00 UTC or later (then the
	// Beijing date is the next day): text both dialects cut alike from
	// the stored RFC 3339 UTC time, no date function.
	lq := &listQuery{what: "series: events by day", from: `SELECT substr(e.first_seen, 1, 10),
		CASE WHEN substr(e.first_seen, 12, 2) >= '16' THEN 1 ELSE 0 END, e.class, COUNT(*) FROM events e`,
		conds: conds, args: args, order: ` GROUP BY 1, 2, 3`}
	_, err := queryList(ctx, tx, lq, func(rows *sql.Rows) (struct{}, error) {
		var utcDay, class string
		var next, n int
		if err := rows.Scan(&utcDay, &next, &class, &n); err != nil {
			return struct{}{}, fmt.Errorf("read a day's row: %w", err)
		}
		day, err := beijingDay(utcDay, next == 1)
		if err != nil {
			return struct{}{}, fmt.Errorf("read a day's row: %w", err)
		}
		if days[day] == nil {
			days[day] = map[string]int{}
		}
		days[day][class] += n
		return struct{}{}, nil
	})
	if err != nil {
		return nil, err
	}
	var out []skygrid.DayClasses
	for d := q.Since.In(skygrid.Beijing); d.Before(q.Until); d = d.AddDate(0, 0, 1) {
		day := d.Format("2006-01-02")
		byClass := days[day]
		if byClass == nil {
			byClass = map[string]int{}
		}
		out = append(out, skygrid.DayClasses{Day: day, ByClass: byClass})
	}
	return out, nil
}

// beijingDay is the Beijing date (YYYY-MM-DD) of a UTC date, the next
// one when the time was 16:00 UTC or later.
func beijingDay(utcDay string, next bool) (string, error) {
	d, err := time.Parse("2006-01-02", utcDay)
	if err != nil {
		return "", fmt.Errorf("first seen %q: %w", utcDay, err)
	}
	if next {
		d = d.AddDate(0, 0, 1)
	}
	return d.Format("2006-01-02"), nil
}

// seriesMinutes adds the tasks' minutes from dispatch to acknowledgement
// and to report, as the statistics count them, to out, in the order of
// their events' first sighting (as seriesConfirmed). Without an order the
// list came in the order rows happened to be read: on PostgreSQL that of
// the table's pages, which a task's updates and autovacuum's timing
// change, so two builds of the same demo answered it in two orders.
func seriesMinutes(ctx context.Context, tx *Tx, conds []string, args []any, out *skygrid.StatsSeries) error {
	lq := &listQuery{what: "series: response minutes", from: `SELECT ` + tx.db.taskMinutes() + ` FROM tasks t JOIN events e ON e.id = t.event_id`,
		conds: conds, args: args, order: ` ORDER BY e.first_seen, e.id, t.id`}
	_, err := queryList(ctx, tx, lq, func(rows *sql.Rows) (struct{}, error) {
		var ack, rep sql.NullFloat64
		if err := rows.Scan(&ack, &rep); err != nil {
			return struct{}{}, fmt.Errorf("read a task's minutes: %w", err)
		}
		if ack.Valid {
			out.AckMinutes = append(out.AckMinutes, ack.Float64)
		}
		if rep.Valid {
			out.ReportMinutes = append(out.ReportMinutes, rep.Float64)
		}
		return struct{}{}, nil
	})
	return err
}

// seriesConfirmed lists the confirmed straw burning, with the names of
// its place, in the order of first sighting.
func seriesConfirmed(ctx context.Context, tx *Tx, conds []string, args []any) ([]skygrid.ConfirmedFire, error) {
	lq := &listQuery{what: "series: confirmed straw burning", from: `SELECT e.id, t.id, e.lon, e.lat, e.first_seen, t.closed_at,
		COALESCE(e.county_id, ''), COALESCE(c.name, ''), COALESCE(e.township_id, ''), COALESCE(tw.name, ''), COALESCE(e.grid_id, ''), COALESCE(g.name, ''),
		t.finding, t.notes
		FROM tasks t JOIN events e ON e.id = t.event_id
		LEFT JOIN regions c ON c.id = e.county_id LEFT JOIN regions tw ON tw.id = e.township_id LEFT JOIN regions g ON g.id = e.grid_id`,
		conds: slices.Clip(conds), args: slices.Clone(args), order: ` ORDER BY e.first_seen, e.id`}
	lq.and("t.state = ?", skygrid.TaskClosed)
	lq.and("t.finding = ?", skygrid.FindingStrawBurning)
	return queryList(ctx, tx, lq, func(rows *sql.Rows) (skygrid.ConfirmedFire, error) {
		var f skygrid.ConfirmedFire
		var first, closed string
		if err := rows.Scan(&f.ID, &f.TaskID, &f.Lon, &f.Lat, &first, &closed, &f.CountyID, &f.CountyName, &f.TownshipID, &f.TownshipName,
			&f.GridID, &f.GridName, &f.Finding, &f.Notes); err != nil {
			return f, fmt.Errorf("read a confirmed fire: %w", err)
		}
		f.FirstSeen, f.ClosedAt = parseTS(first), parseTS(closed)
		return f, nil
	})
}
