package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"skygrid"

	"github.com/paulmach/orb"
)

var _ skygrid.DustStatsService = (*DB)(nil)

// DustStats computes the dust figures of a period (see skygrid.DustArea
// for how each is counted): alarms from dust_alarms, capture from
// readings_hourly, tasks of the dust classes. Monitors are placed in the
// county, township and grid whose polygon holds them.
func (db *DB) DustStats(ctx context.Context, q skygrid.DustQuery) (*skygrid.DustStats, error) {
	if !q.Until.After(q.Since) {
		return nil, skygrid.Errorf(skygrid.EINVALID, "the period is empty: until %s is not after since %s", ts(q.Until), ts(q.Since))
	}
	if q.SilentAfter <= 0 {
		q.SilentAfter = 30 * time.Minute
	}
	tx, err := db.BeginTx(ctx, &readOnly)
	if err != nil {
		return nil, fmt.Errorf("dust stats: begin: %w", err)
	}
	defer tx.Rollback()
	if err := statsSettings(ctx, tx); err != nil {
		return nil, err
	}
	now := db.Now().UTC()
	out := &skygrid.DustStats{Since: q.Since.UTC(), Until: q.Until.UTC(), Computed: now}
	// By county, or by the area's level when it is finer (statsBy).
	if out.By, err = statsBy(ctx, tx, skygrid.StatsQuery{By: skygrid.ByCounty, Region: q.Region, Scope: q.Scope}); err != nil {
		return nil, err
	}
	names, err := regionNames(ctx, tx, skygrid.ByCounty)
	if err != nil {
		return nil, err
	}
	areas := dustAreas{level: out.By, names: names, m: map[string]*skygrid.DustArea{}}
	if out.By != skygrid.ByCounty {
		if areas.names, err = regionNames(ctx, tx, out.By); err != nil {
			return nil, err
		}
	}
	monitors, places, err := dustMonitors(ctx, tx, q, now)
	if err != nil {
		return nil, err
	}
	out.Monitors = monitors
	for _, m := range out.Monitors {
		m.CountyName = names[m.CountyID]
		areas.addMonitor(places[m.MonitorID].of(out.By), m)
	}
	alarms, err := dustAlarms(ctx, tx, q, names, out.By)
	if err != nil {
		return nil, err
	}
	out.Sites = alarms.sites
	for id, c := range alarms.areas {
		a := areas.area(id)
		a.Alarms, a.ExceedanceHours, a.ExceedanceDays = c.figures(&alarms.hours)
	}
	for i, s := range out.Sites {
		areas.area(alarms.siteAreas[i]).SiteHours += s.ExceedanceHours
	}
	out.TopSites = out.Sites[:min(10, len(out.Sites))]
	if out.Tasks, err = dustTasks(ctx, tx, q, now); err != nil {
		return nil, err
	}
	out.Counties, out.Total = areas.list()
	out.Total.Alarms, out.Total.ExceedanceHours, out.Total.ExceedanceDays = alarms.total.figures(&alarms.hours)
	return out, nil
}

// statsSettings sets PostgreSQL up for the rest of a statistics
// transaction: no JIT compilation (the statements with a correlated
// subquery a monitor are costed past jit_above_cost and were compiled on
// every call, 150 ms of a province's month for statements that run in
// tens of milliseconds) and work_mem enough to group a month's alarms in
// memory (the default 4 MB sorted 100,000 of them on disk). Nothing on
// SQLite.
func statsSettings(ctx context.Context, tx *Tx) error {
	if !tx.db.postgres {
		return nil
	}
	for _, set := range []string{`SET LOCAL jit = off`, `SET LOCAL work_mem = '32MB'`} {
		if _, err := tx.ExecContext(ctx, set); err != nil {
			return fmt.Errorf("dust stats: %s: %w", set, err)
		}
	}
	return nil
}

// dustAreas holds the figures by area (of a level: county, township or
// grid) while they are read.
type dustAreas struct {
	level string
	names map[string]string
	m     map[string]*skygrid.DustArea
}

func (d dustAreas) area(id string) *skygrid.DustArea {
	a := d.m[id]
	if a == nil {
		a = &skygrid.DustArea{RegionID: id, RegionName: d.names[id]}
		if id == "" {
			a.RegionName = unplaced(d.level)
		}
		d.m[id] = a
	}
	return a
}

// addMonitor adds a monitor to its area's figures (id: the area's).
func (d dustAreas) addMonitor(id string, m *skygrid.MonitorCapture) {
	a := d.area(id)
	a.Monitors++
	a.ValidMinutes += m.ValidMinutes
	a.ExpectedMinutes += m.ExpectedMinutes
	a.OfflineHours += m.OfflineHours
	if m.OfflineNow {
		a.OfflineNow++
	}
}

// list returns the counties in id order and their total (alarm hours and
// days of the total are counted city-wide by dustTotalAlarms).
func (d dustAreas) list() ([]*skygrid.DustArea, *skygrid.DustArea) {
	t := &skygrid.DustArea{RegionName: "合计"}
	out := make([]*skygrid.DustArea, 0, len(d.m))
	for _, a := range d.m {
		a.CaptureRate = skygrid.Rate(a.ValidMinutes, a.ExpectedMinutes)
		t.Monitors += a.Monitors
		t.ValidMinutes += a.ValidMinutes
		t.ExpectedMinutes += a.ExpectedMinutes
		t.OfflineNow += a.OfflineNow
		t.OfflineHours += a.OfflineHours
		t.SiteHours += a.SiteHours
		out = append(out, a)
	}
	t.CaptureRate = skygrid.Rate(t.ValidMinutes, t.ExpectedMinutes)
	slices.SortFunc(out, func(a, b *skygrid.DustArea) int { return cmp.Compare(a.RegionID, b.RegionID) })
	return out, t
}

// placed is a monitor's county, township and grid.
type placed struct{ county, township, grid string }

// at is p with its region of level set to id.
func (p placed) at(level, id string) placed {
	switch level {
	case skygrid.LevelCounty:
		p.county = id
	case skygrid.LevelTownship:
		p.township = id
	default:
		p.grid = id
	}
	return p
}

// of is the place's region of a level (county, township or grid).
func (p placed) of(level string) string {
	switch level {
	case skygrid.LevelTownship:
		return p.township
	case skygrid.LevelGrid:
		return p.grid
	}
	return p.county
}

// inArea says whether a place is in the query's region (region: its ids,
// regionIDs) and scope.
func (p placed) inArea(region []string, scope *skygrid.Scope) bool {
	in := func(ids ...string) bool {
		return slices.Contains(ids, p.county) || slices.Contains(ids, p.township) || slices.Contains(ids, p.grid)
	}
	if len(region) > 0 && !in(region...) {
		return false
	}
	if scope != nil && !scope.All && !in(scope.Regions...) {
		return false
	}
	return true
}

// dustMonitors lists the dust monitors in the area with their capture in
// the period and whether they are silent now, and their places.
func dustMonitors(ctx context.Context, tx *Tx, q skygrid.DustQuery, now time.Time) ([]*skygrid.MonitorCapture, map[int64]placed, error) {
	type mon struct {
		m       *skygrid.MonitorCapture
		pt      orb.Point
		created string
		last    [3]sql.NullInt64
	}
	// Each monitor's last reading of each kind in the same query, a
	// lookup along the readings key each (not three queries a monitor).
	all, err := queryList(ctx, tx, &listQuery{what: "dust stats: monitors",
		from: `SELECT id, mn, name, COALESCE(site_id, 0), lon, lat, created_at,
			(SELECT MAX(at) FROM readings r WHERE r.monitor_id = m.id AND r.kind = 'rtd' AND r.at <= ?),
			(SELECT MAX(at) FROM readings r WHERE r.monitor_id = m.id AND r.kind = 'minute' AND r.at <= ?),
			(SELECT MAX(at) FROM readings r WHERE r.monitor_id = m.id AND r.kind = 'hour' AND r.at <= ?)
			FROM monitors m WHERE kind = 'dust'`, args: []any{now.Unix(), now.Unix(), now.Unix()},
		order: " ORDER BY id"}, func(rows *sql.Rows) (mon, error) {
		m := mon{m: &skygrid.MonitorCapture{}}
		if err := rows.Scan(&m.m.MonitorID, &m.m.MN, &m.m.Name, &m.m.SiteID, &m.pt[0], &m.pt[1], &m.created, &m.last[0], &m.last[1], &m.last[2]); err != nil {
			return m, fmt.Errorf("read a monitor: %w", err)
		}
		return m, nil
	})
	if err != nil {
		return nil, nil, err
	}
	pts := map[int64]orb.Point{}
	for _, m := range all {
		pts[m.m.MonitorID] = m.pt
	}
	places, err := placeMonitors(ctx, tx, pts)
	if err != nil {
		return nil, nil, err
	}
	region, err := regionIDs(ctx, tx, q.Region)
	if err != nil {
		return nil, nil, fmt.Errorf("dust stats: %w", err)
	}
	out := []*skygrid.MonitorCapture{}
	starts := map[int64]time.Time{}
	for _, m := range all {
		pl := places[m.m.MonitorID]
		if !pl.inArea(region, q.Scope) {
			continue
		}
		m.m.CountyID = pl.county
		created, _ := time.Parse(time.RFC3339, m.created)
		var last sql.NullInt64
		for _, l := range m.last {
			if l.Valid && (!last.Valid || l.Int64 > last.Int64) {
				last = l
			}
		}
		if start, ok := monitorPeriod(m.m, q, created, now, last); ok {
			starts[m.m.MonitorID] = start
		}
		out = append(out, m.m)
	}
	return out, places, monitorCaptures(ctx, tx, out, starts, minTime(q.Until, now))
}

// monitorPeriod sets a monitor's last reading, whether it is silent now
// and its expected minutes; ok says whether the part of the period since
// it was created (start, up to now) is not empty.
func monitorPeriod(m *skygrid.MonitorCapture, q skygrid.DustQuery, created, now time.Time, last sql.NullInt64) (start time.Time, ok bool) {
	start, end := q.Since, minTime(q.Until, now)
	if created.After(start) {
		start = created
	}
	seen := created
	if last.Valid {
		m.LastReading = time.Unix(last.Int64, 0).UTC()
		seen = m.LastReading
	}
	m.OfflineNow = now.Sub(seen) > q.SilentAfter
	if !end.After(start) {
		return start, false
	}
	m.ExpectedMinutes = expectedMinutes(start, end)
	return start, true
}

// expectedMinutes counts the clock minutes [start, end) touches, as the
// valid minutes are counted (a minute with a reading in the span): a
// span ending within a minute, up to now, expects that minute too, so
// valid minutes never exceed it (3 of 2 minutes, 150%, had shown on the
// audit page a few minutes after a monitor's registration).
func expectedMinutes(start, end time.Time) int64 {
	return -floorDiv(-end.Unix(), 60) - floorDiv(start.Unix(), 60)
}

// monitorCaptures sets the valid minutes, offline hours and capture rate
// of the monitors with a start (up to end). The monitors sharing a start
// (all those created before the period) are read together: a few queries
// for all, not one per monitor.
func monitorCaptures(ctx context.Context, tx *Tx, ms []*skygrid.MonitorCapture, starts map[int64]time.Time, end time.Time) error {
	groups := map[int64][]*skygrid.MonitorCapture{}
	for _, m := range ms {
		if start, ok := starts[m.MonitorID]; ok {
			groups[start.Unix()] = append(groups[start.Unix()], m)
		}
	}
	for _, g := range groups {
		start := starts[g[0].MonitorID]
		var one int64 // 0: every dust monitor
		if len(g) == 1 {
			one = g[0].MonitorID
		}
		caps, err := readCaptures(ctx, tx, captureSpan(start, end), one)
		if err != nil {
			return err
		}
		h0, h1 := start.Truncate(time.Hour), end.Add(time.Hour-time.Second).Truncate(time.Hour)
		for _, m := range g {
			c := caps[m.MonitorID]
			m.ValidMinutes = c.valid
			m.OfflineHours = int(h1.Sub(h0)/time.Hour) - c.hours
			m.CaptureRate = skygrid.Rate(m.ValidMinutes, m.ExpectedMinutes)
		}
	}
	return nil
}

// capture is a monitor's hours with any reading and valid minutes.
type capture struct {
	hours int
	valid int64
}

// span splits a period [start, end) for counting its capture: hours with
// a reading over [h0, h1) (every hour the period overlaps), valid minutes
// of the whole hours [full0, full1) from readings_hourly and of the
// partial hours at either end ([start, full0), [full1, end)) from the
// readings themselves; the whole Beijing days [d0, d1) of the whole hours
// from readings_capture_daily. With no whole hour, full0 = full1 = start
// and every minute comes from the readings.
type span struct {
	start, end, h0, h1, full0, full1, d0, d1 int64
}

func captureSpan(start, end time.Time) span {
	s := span{start: start.Unix(), end: end.Unix()}
	s.h0, s.h1 = start.Truncate(time.Hour).Unix(), end.Add(time.Hour-time.Second).Truncate(time.Hour).Unix()
	s.full0, s.full1 = s.h0, end.Truncate(time.Hour).Unix()
	if s.full0 < s.start {
		s.full0 += 3600
	}
	if s.full1 <= s.full0 {
		s.full0, s.full1 = s.start, s.start
	}
	s.d0, s.d1 = captureDay(s.full0+86399), captureDay(s.full1) // the first and last Beijing midnight in [full0, full1]
	if s.d1 <= s.d0 {
		s.d0, s.d1 = s.full1, s.full1 // no whole day: every hour from readings_hourly
	}
	return s
}

// readCaptures reads the capture of one monitor (one > 0) or of every dust
// monitor over a span: whole days from the daily rollup, the hours at
// either end from readings_hourly, the partial hours from the readings.
// Each is one statement over the monitors with one correlated subquery a
// monitor giving both figures (packed, see capturePacked): both stores run
// it per monitor along the table's key (a join may be planned as a scan
// of all of readings_hourly for an hour range: SQLite without
// statistics, PostgreSQL by its cost estimate), once, not once a figure.
func readCaptures(ctx context.Context, tx *Tx, s span, one int64) (map[int64]capture, error) {
	out := map[int64]capture{}
	add := func(what, packed string, args ...any) error {
		_, err := queryList(ctx, tx, &listQuery{what: "dust stats: capture, " + what, from: `SELECT m.id, ` + packed + ` FROM monitors m`,
			conds: []string{captureMonitors}, args: append(args, one, one)},
			func(rows *sql.Rows) (struct{}, error) {
				var id, p int64
				if err := rows.Scan(&id, &p); err != nil {
					return struct{}{}, fmt.Errorf("read a monitor's capture: %w", err)
				}
				o := out[id]
				out[id] = capture{hours: o.hours + int(p>>32), valid: o.valid + p&(1<<32-1)}
				return struct{}{}, nil
			})
		return err
	}
	if s.d1 > s.d0 {
		if err := add("whole days", `(SELECT `+capturePacked(`SUM(c.hours)`, `SUM(c.valid_minutes)`)+`
			FROM readings_capture_daily c WHERE c.monitor_id = m.id AND c.day >= ? AND c.day < ?)`, s.d0, s.d1); err != nil {
			return nil, err
		}
	}
	for _, hs := range [][2]int64{{s.h0, s.d0}, {s.d1, s.h1}} {
		if hs[1] > hs[0] {
			if err := add("edge hours", `(SELECT `+capturePacked(`COUNT(*)`, `SUM(CASE WHEN x.hour >= ? AND x.hour < ? THEN x.v ELSE 0 END)`)+`
				FROM (`+captureHoursSQL+` WHERE h.monitor_id = m.id AND h.hour >= ? AND h.hour < ? GROUP BY h.hour HAVING MAX(h.n_all) > 0) x)`,
				s.full0, s.full1, hs[0], hs[1]); err != nil {
				return nil, err
			}
		}
	}
	for _, ms := range [][2]int64{{s.start, s.full0}, {s.full1, s.end}} {
		if ms[1] > ms[0] {
			if err := add("partial hours", `(SELECT `+capturePacked(`0`, `COUNT(DISTINCT r.at / 60)`)+` FROM readings r WHERE r.monitor_id = m.id
				AND r.kind IN ('rtd', 'minute') AND r.at >= ? AND r.at < ? AND `+validParticulate+`)`, ms[0], ms[1]); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// capturePacked packs a monitor's hours with a reading and valid minutes
// (two aggregates, NULL as 0) into one integer, hours times 2^32 plus
// minutes, so that one correlated subquery gives both: the minutes of
// any period stay far below 2^32 (8,000 years), and the hours below 2^31.
func capturePacked(hours, minutes string) string {
	return `CAST(COALESCE(` + hours + `, 0) AS BIGINT) * 4294967296 + CAST(COALESCE(` + minutes + `, 0) AS BIGINT)`
}

// captureMonitors selects (alias m) every dust monitor or only one: its
// two arguments are the monitor's id or 0 for all.
const captureMonitors = `m.kind = 'dust' AND (? = 0 OR m.id = ?)`

// captureHoursSQL selects each hour of readings_hourly (alias h) with its
// valid minutes v: the most valid values of one realtime or minute PM10,
// PM2.5 or TSP in the hour, at most 60. The caller adds the WHERE, GROUP
// BY h.hour and HAVING MAX(h.n_all) > 0 (an hour with any reading).
// Migration 0020 and refreshCaptureDaily sum the same per Beijing day into
// readings_capture_daily.
const captureHoursSQL = `SELECT h.hour, MAX(CASE WHEN h.factor IN ('pm10', 'pm25', 'tsp') AND h.kind IN ('rtd', 'minute')
	THEN CASE WHEN h.n_valid < 60 THEN h.n_valid ELSE 60 END ELSE 0 END) v FROM readings_hourly h`

// validParticulate holds for a reading with a valid PM10, PM2.5 or TSP
// (flags are lowercase "factor=flag" pairs: LIKE is exact here in both
// dialects).
const validParticulate = `((pm10 IS NOT NULL AND COALESCE(flags, '') NOT LIKE '%pm10=%')
	OR (pm25 IS NOT NULL AND COALESCE(flags, '') NOT LIKE '%pm25=%') OR (tsp IS NOT NULL AND COALESCE(flags, '') NOT LIKE '%tsp=%'))`

// alarmConds selects the alarms (alias a) whose window starts in the
// period, in the region and scope; ok is false while the store has no
// dust_alarms table (before migration 0013).
func alarmConds(ctx context.Context, tx *Tx, q skygrid.DustQuery) (conds []string, args []any, ok bool, err error) {
	if err := tx.QueryRowContext(ctx, tx.db.tableExistsSQL("dust_alarms")).Scan(&ok); err != nil || !ok {
		if err != nil {
			err = fmt.Errorf("dust stats: find the alarms table: %w", err)
		}
		return nil, nil, false, err
	}
	const township = "(SELECT g.parent_id FROM regions g WHERE g.id = a.grid_id)"
	conds = []string{"a.window_start >= ?", "a.window_start < ?"}
	args = []any{ts(q.Since), ts(q.Until)}
	if q.Region != "" {
		conds = append(conds, regionCond(q.Region, &args, "a.county_id", township, "a.grid_id"))
	}
	if c := scopeCond(q.Scope, &args, "a.grid_id", township, "a.county_id"); c != "" {
		conds = append(conds, c)
	}
	return conds, args, true, nil
}

// tableExistsSQL selects whether the table exists: one row, one value.
// Dialects: SQLite lists its tables in sqlite_master, PostgreSQL resolves
// a name with to_regclass.
func (db *DB) tableExistsSQL(table string) string {
	if db.postgres {
		return `SELECT to_regclass('` + table + `') IS NOT NULL`
	}
	return `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '` + table + `')`
}

// dustTasks counts the tasks of dust events first seen in the period, in
// the region and scope, by state and finding, and their on-time response.
func dustTasks(ctx context.Context, tx *Tx, q skygrid.DustQuery, now time.Time) (*skygrid.DustTasks, error) {
	// Its own conditions, not the fire statistics' (which leave dust
	// events out): the dust events first seen in the period, where the
	// user sees them (a dust event's task stays at its site's grid).
	conds := []string{"e.first_seen >= ?", "e.first_seen < ?",
		"e.class IN ('" + skygrid.ClassDustExceedance + "', '" + skygrid.ClassMonitorOffline + "', '" + skygrid.ClassSiteInspection + "')"}
	args := []any{ts(minTime(q.Until, now)), ts(q.Since), ts(q.Until)}
	if q.Region != "" {
		conds = append(conds, regionCond(q.Region, &args, "e.county_id", "e.township_id", "e.grid_id"))
	}
	if c := scopeCond(q.Scope, &args, "e.grid_id", "e.township_id", "e.county_id"); c != "" {
		conds = append(conds, c)
	}
	out := &skygrid.DustTasks{ByState: map[string]int{}, ByFinding: map[string]int{}}
	var err error
	_, err = queryList(ctx, tx, &listQuery{what: "dust stats: tasks", conds: conds, args: args,
		from: `SELECT t.state, t.finding, t.reported_at <> '' AND t.reported_at <= t.report_due,
			t.reported_at <> '' OR t.report_due < ? FROM tasks t JOIN events e ON e.id = t.event_id`},
		func(rows *sql.Rows) (struct{}, error) {
			var state, finding string
			var onTime, due bool
			if err := rows.Scan(&state, &finding, &onTime, &due); err != nil {
				return struct{}{}, fmt.Errorf("read a dust task: %w", err)
			}
			out.Total++
			out.ByState[state]++
			if finding != "" && (state == skygrid.TaskReported || state == skygrid.TaskClosed) {
				out.ByFinding[finding]++
			}
			out.OnTime += b2i(onTime)
			out.Due += b2i(due)
			return struct{}{}, nil
		})
	out.OnTimeRate = skygrid.Rate(int64(out.OnTime), int64(out.Due))
	return out, err
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
