package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"skygrid"
	"skygrid/internal/storetest"
	"skygrid/store"

	"github.com/paulmach/orb"
)

// The dust period: 5 and 6 November 2026 in Beijing time; the clock stops
// at 10:00Z on the 6th, before the period ends.
var (
	dustSince = time.Date(2026, 11, 4, 16, 0, 0, 0, time.UTC)
	dustUntil = time.Date(2026, 11, 6, 16, 0, 0, 0, time.UTC)
	dustNow   = time.Date(2026, 11, 6, 10, 20, 0, 0, time.UTC)
)

// dustDB holds sitesDB's counties X and Y with a grid in X's township,
// four dust monitors (M1 on x-west-1 in the township, M2 on x-east-1, M3
// on y-1, M4 in Y on no site, registered in the period), minute readings
// with flagged ones, hour readings, alarms across Beijing midnight, and
// dust tasks; the clock at dustNow.
func dustDB(t *testing.T) (*store.DB, map[string]int64) {
	t.Helper()
	db, sites := sitesDB(t)
	ctx := context.Background()
	clock := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return clock }
	if err := db.ImportRegions(ctx, []*skygrid.Region{{ID: "140201001001", Name: "X网格一", Level: skygrid.LevelGrid, ParentID: "140201001",
		Geometry: orb.MultiPolygon{{{{113.0, 39.9}, {113.1, 39.9}, {113.1, 40.1}, {113.0, 40.1}, {113.0, 39.9}}}}, AreaKm2: 1}}); err != nil {
		t.Fatal(err)
	}
	mons := map[string]int64{}
	importMon := func(mn string, lon, lat float64, site string) {
		m := []skygrid.MonitorImport{{Monitor: skygrid.Monitor{MN: mn, Name: mn + "（示例）", Kind: skygrid.MonitorDust, Lon: lon, Lat: lat}, SiteRef: site, Where: "line 2"}}
		if _, err := db.ImportMonitors(ctx, m); err != nil {
			t.Fatal(err)
		}
		mons[mn] = m[0].ID
	}
	importMon("M1", 113.05, 40, "x-west-1")
	importMon("M2", 113.15, 40, "x-east-1")
	importMon("M3", 113.3, 40, "y-1")
	clock = time.Date(2026, 11, 5, 3, 30, 0, 0, time.UTC)
	importMon("M4", 113.35, 40.05, "")
	clock = dustNow
	dustReadings(t, db, mons)
	dustAlarms(t, db, mons, sites)
	dustTasksFixture(t, db)
	return db, mons
}

// dustReadings stores minute readings: M1 every minute 00:00-02:59Z on
// the 5th (every tenth flagged D on both factors), M2 every other minute
// of 15:00-16:59Z on the 5th (across Beijing midnight), realtime the 50
// minutes before now (10:20, a partial hour) and 10 after it, M3 hour
// readings only, M4 minutes before the period and before its
// registration at 03:30 (not counted) and after it in the same hour.
func dustReadings(t *testing.T, db *store.DB, mons map[string]int64) {
	t.Helper()
	var rs []skygrid.Reading
	add := func(mn string, kind string, at time.Time, flag string) {
		r := skygrid.Reading{MonitorID: mons[mn], At: at, Kind: kind, Source: skygrid.SourceFile,
			Values: map[string]float64{skygrid.FactorPM10: 90, skygrid.FactorPM25: 40}}
		if flag != "" {
			r.Flags = map[string]string{skygrid.FactorPM10: flag, skygrid.FactorPM25: flag}
		}
		rs = append(rs, r)
	}
	day5 := time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)
	for i := range 180 {
		flag := ""
		if i%10 == 0 {
			flag = "D"
		}
		add("M1", skygrid.ReadingMinute, day5.Add(time.Duration(i)*time.Minute), flag)
	}
	for i := 0; i < 120; i += 2 {
		add("M2", skygrid.ReadingMinute, day5.Add(15*time.Hour+time.Duration(i)*time.Minute), "")
	}
	for i := range 50 {
		add("M2", skygrid.ReadingRealtime, dustNow.Add(-time.Duration(i+1)*time.Minute), "")
	}
	for i := range 10 {
		add("M2", skygrid.ReadingRealtime, dustNow.Add(time.Duration(i+5)*time.Minute), "")
	}
	for h := range 5 {
		add("M3", skygrid.ReadingHour, day5.Add(time.Duration(h)*time.Hour), "")
	}
	for i := range 30 {
		add("M4", skygrid.ReadingMinute, dustSince.Add(-time.Duration(i+1)*time.Minute), "")
		add("M4", skygrid.ReadingMinute, day5.Add(4*time.Hour+time.Duration(i)*time.Minute), "M")
		add("M4", skygrid.ReadingMinute, day5.Add(5*time.Hour+time.Duration(i)*time.Minute), "")
		add("M4", skygrid.ReadingMinute, day5.Add(3*time.Hour+time.Duration(2*i)*time.Minute), "")
	}
	if _, err := db.StoreReadings(context.Background(), rs); err != nil {
		t.Fatal(err)
	}
}

// dustAlarms stores alarms: at x-west-1 two 5-minute windows in one hour
// and one across Beijing midnight (23:55 and 00:05), an offline alarm,
// one before the period; at y-1 three hours on the 6th; M4 one.
func dustAlarms(t *testing.T, db *store.DB, mons map[string]int64, sites map[string]int64) {
	t.Helper()
	ctx := context.Background()
	type alarm struct {
		mn, site, county, grid, class string
		start                         time.Time
	}
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, time.UTC) }
	x, y, g := "140201", "140202", "140201001001"
	for _, a := range []alarm{
		{"M1", "x-west-1", x, g, skygrid.ClassDustExceedance, at(5, 2, 0)},
		{"M1", "x-west-1", x, g, skygrid.ClassDustExceedance, at(5, 2, 30)},
		{"M1", "x-west-1", x, g, skygrid.ClassDustExceedance, at(5, 15, 55)},
		{"M1", "x-west-1", x, g, skygrid.ClassDustExceedance, at(5, 16, 5)},
		{"M1", "x-west-1", x, g, skygrid.ClassMonitorOffline, at(5, 8, 0)},
		{"M1", "x-west-1", x, g, skygrid.ClassDustExceedance, at(4, 15, 50)},
		{"M2", "x-east-1", x, "", skygrid.ClassDustExceedance, at(5, 16, 10)},
		{"M3", "y-1", y, "", skygrid.ClassDustExceedance, at(6, 1, 0)},
		{"M3", "y-1", y, "", skygrid.ClassDustExceedance, at(6, 2, 0)},
		{"M3", "y-1", y, "", skygrid.ClassDustExceedance, at(6, 3, 0)},
		{"M4", "", y, "", skygrid.ClassMonitorOffline, at(5, 9, 0)},
	} {
		var site, grid any
		if a.site != "" {
			site = sites[a.site]
		}
		if a.grid != "" {
			grid = a.grid
		}
		if err := db.ExecArgsForTest(ctx, `INSERT INTO dust_alarms (monitor_id, site_id, county_id, grid_id, rule, class,
			window_start, window_end, value, limit_value, created_at) VALUES (?, ?, ?, ?, 'datong', ?, ?, ?, 200, 80, ?)`,
			mons[a.mn], site, a.county, grid, a.class, a.start.Format(time.RFC3339), a.start.Add(5*time.Minute).Format(time.RFC3339),
			a.start.Format(time.RFC3339)); err != nil {
			t.Fatal(err)
		}
	}
}

// dustTasksFixture stores three dust events with tasks in X: one
// reported on time (rectified), one reported late (device fault), one
// still dispatched past its deadline; and a fire task, not counted.
func dustTasksFixture(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 11, 5, 2, 0, 0, 0, time.UTC)
	for i, class := range []string{skygrid.ClassDustExceedance, skygrid.ClassDustExceedance, skygrid.ClassMonitorOffline, skygrid.ClassOpenBurning} {
		e := &skygrid.Event{ID: int64(i + 1), Class: class, State: skygrid.EventOpen, FirstSeen: at, LastSeen: at,
			Point: orb.Point{113.05, 40}, HotspotCount: 1, CountyID: "140201", AssignedBy: "none"}
		err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
			if err := tx.SaveResult(ctx, &skygrid.IngestResult{Events: []*skygrid.Event{e}}); err != nil {
				return err
			}
			return tx.SaveResult(ctx, &skygrid.IngestResult{NewTasks: []*skygrid.Task{{EventID: e.ID, State: skygrid.TaskDispatched,
				AckDue: at.Add(30 * time.Minute), ReportDue: at.Add(time.Hour)}}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// The supervisors' reports (the lifecycle is tested in task_test.go).
	for _, u := range []struct {
		event    int
		reported time.Time
		finding  string
	}{{1, at.Add(40 * time.Minute), skygrid.FindingRectified}, {2, at.Add(3 * time.Hour), skygrid.FindingDeviceFault}} {
		if err := db.ExecArgsForTest(ctx, `UPDATE tasks SET state = 'reported', finding = ?, reported_at = ? WHERE event_id = ?`,
			u.finding, u.reported.Format(time.RFC3339), u.event); err != nil {
			t.Fatal(err)
		}
	}
}

// The dust figures equal independent SQL queries written here, over the
// raw readings (not the hourly aggregates the store reads) and the
// alarms, for the city, a county, a township and a scoped user.
func TestDustStatsEqualIndependentSQL(t *testing.T) {
	db, mons := dustDB(t)
	for _, tt := range []struct {
		name     string
		q        skygrid.DustQuery
		alarms   string // the alarms (alias a) of the area
		tasks    string // the events (alias e) of the area
		monitors []string
	}{
		{"city", skygrid.DustQuery{}, "1 = 1", "1 = 1", []string{"M1", "M2", "M3", "M4"}},
		{"county X", skygrid.DustQuery{Region: "140201"}, "a.county_id = '140201'", "e.county_id = '140201'", []string{"M1", "M2"}},
		{"township of X", skygrid.DustQuery{Region: "140201001"},
			"a.grid_id IN (SELECT id FROM regions WHERE parent_id = '140201001')", "e.township_id = '140201001'", []string{"M1"}},
		{"a user of county Y", skygrid.DustQuery{Scope: &skygrid.Scope{Regions: []string{"140202"}}}, "a.county_id = '140202'", "e.county_id = '140202'", []string{"M3", "M4"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := dustOf(t, db, tt.q)
			checkDustAlarms(t, db, st, tt.alarms)
			checkDustCapture(t, db, st, mons, tt.monitors)
			checkDustTasks(t, db, st, tt.tasks)
		})
	}
}

// dustOf is the dust figures of q over the fixture's period.
func dustOf(t *testing.T, db *store.DB, q skygrid.DustQuery) *skygrid.DustStats {
	t.Helper()
	q.Since, q.Until = dustSince, dustUntil
	st, err := db.DustStats(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// alarmSQL counts alarms, distinct exceedance hours and distinct Beijing
// exceedance days of the period where cond holds (each dialect's own
// calendar: SQLite's datetime(), PostgreSQL's time zones).
var alarmSQL = `SELECT COUNT(*),
	COUNT(DISTINCT CASE class WHEN 'dust_exceedance' THEN substr(window_start, 1, 13) END),
	COUNT(DISTINCT CASE class WHEN 'dust_exceedance' THEN ` + dialect(`substr(datetime(window_start, '+8 hours'), 1, 10)`,
	`to_char(window_start::timestamptz AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')`) + ` END)
	FROM dust_alarms a WHERE window_start >= ? AND window_start < ? AND `

// dialect is the test's SQL for the store the run is on: an independent
// check computes times with each dialect's own functions.
func dialect(sqlite, postgres string) string {
	if storetest.Postgres() {
		return postgres
	}
	return sqlite
}

func checkDustAlarms(t *testing.T, db *store.DB, st *skygrid.DustStats, cond string) {
	t.Helper()
	ctx := context.Background()
	p := []any{dustSince.Format(time.RFC3339), dustUntil.Format(time.RFC3339)}
	var n, h, d int
	if err := db.QueryRowForTest(ctx, alarmSQL+cond, p...).Scan(&n, &h, &d); err != nil {
		t.Fatal(err)
	}
	if got := st.Total; got.Alarms != n || got.ExceedanceHours != h || got.ExceedanceDays != d {
		t.Errorf("total: %d alarms, %d hours, %d days; SQL: %d, %d, %d", got.Alarms, got.ExceedanceHours, got.ExceedanceDays, n, h, d)
	}
	if n == 0 || h == 0 || d == 0 {
		t.Errorf("the fixture gives this area no alarm figures (%d, %d, %d)", n, h, d)
	}
	// Each row's area: a county, or a township (its grids' alarms).
	area := map[string]string{skygrid.ByCounty: `COALESCE(county_id, '')`,
		skygrid.ByTownship: `COALESCE((SELECT g.parent_id FROM regions g WHERE g.id = a.grid_id), '')`}[st.By]
	if area == "" {
		t.Fatalf("the figures by %q", st.By)
	}
	for _, c := range st.Counties {
		if err := db.QueryRowForTest(ctx, alarmSQL+cond+` AND `+area+` = ?`, append(p, c.RegionID)...).Scan(&n, &h, &d); err != nil {
			t.Fatal(err)
		}
		if c.Alarms != n || c.ExceedanceHours != h || c.ExceedanceDays != d {
			t.Errorf("%s %s: %d alarms, %d hours, %d days; SQL: %d, %d, %d", st.By, c.RegionID, c.Alarms, c.ExceedanceHours, c.ExceedanceDays, n, h, d)
		}
	}
	var sites int
	if err := db.QueryRowForTest(ctx, `SELECT COUNT(*) FROM (SELECT DISTINCT site_id, CASE WHEN site_id IS NULL THEN monitor_id END
		FROM dust_alarms a WHERE window_start >= ? AND window_start < ? AND `+cond+`) x`, p...).Scan(&sites); err != nil {
		t.Fatal(err)
	}
	if len(st.Sites) != sites || len(st.TopSites) != min(sites, 10) {
		t.Errorf("%d sites (%d top), SQL: %d", len(st.Sites), len(st.TopSites), sites)
	}
	for i, s := range st.Sites {
		who := "site_id = ?"
		arg := any(s.SiteID)
		if s.SiteID == 0 {
			who, arg = "site_id IS NULL AND monitor_id = (SELECT id FROM monitors WHERE name = ?)", s.Name
		}
		if err := db.QueryRowForTest(ctx, alarmSQL+cond+" AND "+who, append(p, arg)...).Scan(&n, &h, &d); err != nil {
			t.Fatal(err)
		}
		if s.Alarms != n || s.ExceedanceHours != h || s.ExceedanceDays != d {
			t.Errorf("site %d %s: %d alarms, %d hours, %d days; SQL: %d, %d, %d", s.SiteID, s.Name, s.Alarms, s.ExceedanceHours, s.ExceedanceDays, n, h, d)
		}
		if i > 0 && st.Sites[i-1].Alarms < s.Alarms {
			t.Errorf("site %s (%d alarms) after one with %d", s.Name, s.Alarms, st.Sites[i-1].Alarms)
		}
	}
}

// captureSQL is a monitor's expected minutes (the clock minutes its span
// touches), valid minutes (a minute with a particulate value not flagged,
// from the raw readings), hours of the
// period and hours with any reading, and whether it is silent now.
var captureSQL = dialect(captureSQLite, capturePostgres)

const captureSQLite = `WITH b AS (SELECT m.id, max(?1, m.created_at) s, min(?2, ?3) e, m.created_at c FROM monitors m WHERE m.id = ?4),
	u AS (SELECT id, CAST(strftime('%s', s) AS INTEGER) s, CAST(strftime('%s', e) AS INTEGER) e, c FROM b)
	SELECT (u.e + 59) / 60 - u.s / 60,
	(SELECT COUNT(DISTINCT r.at / 60) FROM readings r WHERE r.monitor_id = u.id AND r.kind IN ('rtd', 'minute') AND r.at >= u.s AND r.at < u.e
		AND ((r.pm10 IS NOT NULL AND instr(COALESCE(r.flags, ''), 'pm10=') = 0) OR (r.pm25 IS NOT NULL AND instr(COALESCE(r.flags, ''), 'pm25=') = 0)
			OR (r.tsp IS NOT NULL AND instr(COALESCE(r.flags, ''), 'tsp=') = 0))),
	(u.e + 3599) / 3600 - u.s / 3600,
	(SELECT COUNT(DISTINCT r.at / 3600) FROM readings r WHERE r.monitor_id = u.id AND r.at >= u.s / 3600 * 3600 AND r.at < (u.e + 3599) / 3600 * 3600),
	CAST(strftime('%s', ?3) AS INTEGER) - COALESCE((SELECT MAX(at) FROM readings r WHERE r.monitor_id = u.id AND r.at <= CAST(strftime('%s', ?3) AS INTEGER)),
		CAST(strftime('%s', u.c) AS INTEGER)) > 1800
	FROM b JOIN u ON u.id = b.id`

const capturePostgres = `WITH b AS (SELECT m.id, GREATEST(?1, m.created_at) s, LEAST(?2, ?3) e, m.created_at c FROM monitors m WHERE m.id = ?4),
	u AS (SELECT id, extract(epoch FROM s::timestamptz)::bigint s, extract(epoch FROM e::timestamptz)::bigint e, c FROM b)
	SELECT (u.e + 59) / 60 - u.s / 60,
	(SELECT COUNT(DISTINCT r.at / 60) FROM readings r WHERE r.monitor_id = u.id AND r.kind IN ('rtd', 'minute') AND r.at >= u.s AND r.at < u.e
		AND ((r.pm10 IS NOT NULL AND strpos(COALESCE(r.flags, ''), 'pm10=') = 0) OR (r.pm25 IS NOT NULL AND strpos(COALESCE(r.flags, ''), 'pm25=') = 0)
			OR (r.tsp IS NOT NULL AND strpos(COALESCE(r.flags, ''), 'tsp=') = 0))),
	(u.e + 3599) / 3600 - u.s / 3600,
	(SELECT COUNT(DISTINCT r.at / 3600) FROM readings r WHERE r.monitor_id = u.id AND r.at >= u.s / 3600 * 3600 AND r.at < (u.e + 3599) / 3600 * 3600),
	extract(epoch FROM ?3::timestamptz)::bigint - COALESCE((SELECT MAX(at) FROM readings r WHERE r.monitor_id = u.id
		AND r.at <= extract(epoch FROM ?3::timestamptz)::bigint), extract(epoch FROM u.c::timestamptz)::bigint) > 1800
	FROM b JOIN u ON u.id = b.id`

func checkDustCapture(t *testing.T, db *store.DB, st *skygrid.DustStats, mons map[string]int64, want []string) {
	t.Helper()
	if len(st.Monitors) != len(want) {
		t.Fatalf("%d monitors, want %v", len(st.Monitors), want)
	}
	var valid, expected int64
	offline := 0
	for i, m := range st.Monitors {
		if m.MonitorID != mons[want[i]] {
			t.Fatalf("monitor %d is %s, want %s", i, m.MN, want[i])
		}
		var exp, val int64
		var hours, seen int
		var off bool
		p := []any{dustSince.Format(time.RFC3339), dustUntil.Format(time.RFC3339), dustNow.Format(time.RFC3339), m.MonitorID}
		if err := db.QueryRowForTest(context.Background(), captureSQL, p...).Scan(&exp, &val, &hours, &seen, &off); err != nil {
			t.Fatal(err)
		}
		if m.ExpectedMinutes != exp || m.ValidMinutes != val || m.OfflineHours != hours-seen || m.OfflineNow != off {
			t.Errorf("%s: %d of %d minutes, %d hours offline, offline now %v; SQL: %d of %d, %d, %v",
				m.MN, m.ValidMinutes, m.ExpectedMinutes, m.OfflineHours, m.OfflineNow, val, exp, hours-seen, off)
		}
		valid, expected, offline = valid+val, expected+exp, offline+b2i(off)
	}
	if got := st.Total; got.ValidMinutes != valid || got.ExpectedMinutes != expected || got.OfflineNow != offline {
		t.Errorf("total: %d of %d minutes, %d offline now; SQL: %d of %d, %d", got.ValidMinutes, got.ExpectedMinutes, got.OfflineNow, valid, expected, offline)
	}
	if r := st.Total.CaptureRate; r == nil || *r != float64(valid)/float64(expected) {
		t.Errorf("capture rate %v, want %d/%d", r, valid, expected)
	}
}

func checkDustTasks(t *testing.T, db *store.DB, st *skygrid.DustStats, cond string) {
	t.Helper()
	var total, reported, onTime, due int
	p := []any{dustNow.Format(time.RFC3339), dustSince.Format(time.RFC3339), dustUntil.Format(time.RFC3339)}
	if err := db.QueryRowForTest(context.Background(), `SELECT COUNT(*), COUNT(CASE WHEN t.state = 'reported' THEN 1 END),
		COUNT(CASE WHEN t.reported_at <> '' AND `+dialect(`julianday(t.reported_at) <= julianday(t.report_due)`,
		`CASE WHEN t.reported_at <> '' THEN t.reported_at::timestamptz <= t.report_due::timestamptz END`)+` THEN 1 END),
		COUNT(CASE WHEN t.reported_at <> '' OR `+dialect(`julianday(t.report_due) < julianday(?)`, `t.report_due::timestamptz < ?::timestamptz`)+` THEN 1 END)
		FROM tasks t JOIN events e ON e.id = t.event_id WHERE e.class IN ('dust_exceedance', 'monitor_offline', 'site_inspection')
		AND e.first_seen >= ? AND e.first_seen < ? AND `+cond, p...).Scan(&total, &reported, &onTime, &due); err != nil {
		t.Fatal(err)
	}
	got := st.Tasks
	if got.Total != total || got.ByState[skygrid.TaskReported] != reported || got.OnTime != onTime || got.Due != due {
		t.Errorf("tasks: %d, %d reported, %d on time of %d due; SQL: %d, %d, %d of %d", got.Total, got.ByState[skygrid.TaskReported], got.OnTime, got.Due, total, reported, onTime, due)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestDustStatsPlacesAfterChanges: the monitors' regions follow every
// change, however DustStats keeps them between calls: a county redrawn
// through another server on the same store (M2 moves from X to Y), a
// monitor moved (M2 back into X) and a monitor added (M5 in Y).
func TestDustStatsPlacesAfterChanges(t *testing.T) {
	db, mons := dustDB(t)
	ctx := context.Background()
	other := store.NewDB(db.DSN) // another server
	other.Now = db.Now
	if err := other.Open(); err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	moveMonitor := func(mn string, lon float64) {
		m := []skygrid.MonitorImport{{Monitor: skygrid.Monitor{MN: mn, Name: mn + "（示例）", Kind: skygrid.MonitorDust, Lon: lon, Lat: 40}, Where: "line 2"}}
		if _, err := db.ImportMonitors(ctx, m); err != nil {
			t.Fatal(err)
		}
		mons[mn] = m[0].ID
	}
	for _, step := range []struct {
		name   string
		change func()
		counts map[string]string // monitor: county
	}{
		{"as imported", func() {}, map[string]string{"M1": "140201", "M2": "140201", "M3": "140202", "M4": "140202"}},
		{"again", func() {}, map[string]string{"M1": "140201", "M2": "140201", "M3": "140202", "M4": "140202"}},
		{"counties redrawn on another server", func() {
			if err := other.ImportRegions(ctx, []*skygrid.Region{
				{ID: "140201", Name: "X县", Level: skygrid.LevelCounty, Geometry: square(113.05, 40, 0.05), AreaKm2: 1},
				{ID: "140202", Name: "Y县", Level: skygrid.LevelCounty, Geometry: square(113.25, 40, 0.15), AreaKm2: 1},
			}); err != nil {
				t.Fatal(err)
			}
		}, map[string]string{"M1": "140201", "M2": "140202", "M3": "140202", "M4": "140202"}},
		{"M2 moved back into X", func() { moveMonitor("M2", 113.07) },
			map[string]string{"M1": "140201", "M2": "140201", "M3": "140202", "M4": "140202"}},
		{"M5 added in Y", func() { moveMonitor("M5", 113.38) },
			map[string]string{"M1": "140201", "M2": "140201", "M3": "140202", "M4": "140202", "M5": "140202"}},
	} {
		t.Run(step.name, func(t *testing.T) {
			step.change()
			st, err := db.DustStats(ctx, skygrid.DustQuery{Since: dustSince, Until: dustUntil})
			if err != nil {
				t.Fatal(err)
			}
			got, perCounty := map[string]string{}, map[string]int{}
			for _, m := range st.Monitors {
				got[m.MN] = m.CountyID
			}
			for mn, c := range step.counts {
				if got[mn] != c {
					t.Errorf("%s (id %d) in county %q, want %q", mn, mons[mn], got[mn], c)
				}
				perCounty[c]++
			}
			for _, c := range st.Counties {
				if c.Monitors != perCounty[c.RegionID] {
					t.Errorf("county %s: %d monitors, want %d", c.RegionID, c.Monitors, perCounty[c.RegionID])
				}
			}
			x, err := db.DustStats(ctx, skygrid.DustQuery{Since: dustSince, Until: dustUntil, Region: "140201"})
			if err != nil {
				t.Fatal(err)
			}
			if len(x.Monitors) != perCounty["140201"] {
				t.Errorf("county X's statistics: %d monitors, want %d", len(x.Monitors), perCounty["140201"])
			}
		})
	}
}

// TestDustStatsPlacesWhileRegionsChange: statistics asked from several
// goroutines while the counties are redrawn three times (M2 into Y, back
// into X, into Y again) all succeed, and the call after the last change
// places M2 in Y (run with -race: the kept places are shared).
func TestDustStatsPlacesWhileRegionsChange(t *testing.T) {
	db, _ := dustDB(t)
	ctx := context.Background()
	q := skygrid.DustQuery{Since: dustSince, Until: dustUntil}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				if _, err := db.DustStats(ctx, q); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range 3 {
		x, y := square(113.05, 40, 0.05), square(113.25, 40, 0.15) // M2 (113.15) in Y
		if i%2 == 1 {
			x, y = square(113.1, 40, 0.1), square(113.3, 40, 0.1) // as sitesDB drew them: M2 in X
		}
		if err := db.ImportRegions(ctx, []*skygrid.Region{
			{ID: "140201", Name: "X县", Level: skygrid.LevelCounty, Geometry: x, AreaKm2: 1},
			{ID: "140202", Name: "Y县", Level: skygrid.LevelCounty, Geometry: y, AreaKm2: 1},
		}); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	st, err := db.DustStats(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range st.Monitors {
		if m.MN == "M2" && m.CountyID != "140202" {
			t.Errorf("M2 in county %q after the last redraw, want 140202", m.CountyID)
		}
	}
}

// A monitor registered a few minutes ago with a reading in each minute
// since, the last in the minute now: the period expects every clock minute
// it touches, so the capture rate is 100%, not more (the minute in
// progress had been valid but not expected: 3 of 2 minutes, 150%, on the
// audit page of a demo just started).
func TestDustCaptureRateAtMostOne(t *testing.T) {
	db, _ := sitesDB(t)
	ctx := context.Background()
	created := time.Date(2026, 11, 5, 9, 30, 0, 0, time.UTC)
	now := created.Add(2*time.Minute + 40*time.Second)
	db.Now = func() time.Time { return created }
	ms := []skygrid.MonitorImport{{Monitor: skygrid.Monitor{MN: "M9", Name: "九号（示例）", Kind: skygrid.MonitorDust, Lon: 113.05, Lat: 40}, Where: "line 2"}}
	if _, err := db.ImportMonitors(ctx, ms); err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return now }
	var rs []skygrid.Reading
	for _, at := range []time.Duration{0, time.Minute, 2*time.Minute + 30*time.Second} {
		rs = append(rs, minute(ms[0].ID, created.Add(at), "", 50, ""))
	}
	if _, err := db.StoreReadings(ctx, rs); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 5, 0, 0, 0, 0, skygrid.Beijing)
	st, err := db.DustStats(ctx, skygrid.DustQuery{Since: day, Until: day.AddDate(0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Monitors) != 1 {
		t.Fatalf("%d monitors", len(st.Monitors))
	}
	m := st.Monitors[0]
	if m.ValidMinutes != 3 || m.ExpectedMinutes != 3 || m.CaptureRate == nil || *m.CaptureRate != 1 {
		t.Errorf("%d valid of %d expected minutes, rate %v; want 3 of 3, 1", m.ValidMinutes, m.ExpectedMinutes, ptrVal(m.CaptureRate))
	}
}

func ptrVal(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestDustStatsByTheAreasLevel: the dust figures of a township (asked for,
// or a township official's) come by township, as the fire figures do: the
// row was the county's name (X县) over the township's monitors and
// alarms. A county's stay by county. On both stores.
func TestDustStatsByTheAreasLevel(t *testing.T) {
	db, _ := dustDB(t)
	for _, tt := range []struct {
		name, by, row string
		q             skygrid.DustQuery
		monitors      int
	}{
		{"township X镇 asked for", skygrid.ByTownship, "140201001 X镇", skygrid.DustQuery{Region: "140201001"}, 1},
		{"X镇's official", skygrid.ByTownship, "140201001 X镇", skygrid.DustQuery{Scope: &skygrid.Scope{Regions: []string{"140201001"}}}, 1},
		{"county X asked for", skygrid.ByCounty, "140201 X县", skygrid.DustQuery{Region: "140201"}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := dustOf(t, db, tt.q)
			if len(st.Counties) != 1 || st.By != tt.by {
				t.Fatalf("%d rows by %q, want one by %q: %+v", len(st.Counties), st.By, tt.by, st.Counties)
			}
			a := st.Counties[0]
			if got := a.RegionID + " " + a.RegionName; got != tt.row || a.Monitors != tt.monitors || a.Alarms != st.Total.Alarms ||
				a.ExceedanceHours != st.Total.ExceedanceHours || a.SiteHours == 0 || a.Alarms == 0 {
				t.Errorf("row %s: %d monitors, %d alarms, %d hours, %d site hours; want %s, %d monitors, the total's %d alarms and %d hours",
					got, a.Monitors, a.Alarms, a.ExceedanceHours, a.SiteHours, tt.row, tt.monitors, st.Total.Alarms, st.Total.ExceedanceHours)
			}
			for _, m := range st.Monitors {
				if m.CountyID != "140201" || m.CountyName != "X县" {
					t.Errorf("monitor %s in %s %s, want its county X县", m.MN, m.CountyID, m.CountyName)
				}
			}
		})
	}
}
