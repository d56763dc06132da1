package store_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"skygrid"
	"skygrid/dispatch"
	"skygrid/internal/storetest"
	"skygrid/store"

	"github.com/paulmach/orb"
)

// A closed month's overdue figures do not move with the clock: an open
// task whose deadline falls after the month's end is not counted late
// because time went on, only once it was escalated (a stored time). The
// month's cross-border fires are counted apart from its figures.
func TestClosedPeriodOverdueDoesNotMoveWithTheClock(t *testing.T) {
	db, clock := closedPeriodDB(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		now  time.Time
		want int
	}{
		{"within the month", time.Date(2023, 10, 31, 15, 55, 0, 0, time.UTC), 1},
		{"ten minutes after the month", time.Date(2023, 10, 31, 16, 10, 0, 0, time.UTC), 1},
		{"the next day", time.Date(2023, 11, 1, 4, 0, 0, 0, time.UTC), 1},
		{"years later", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got, ago := overdueAt(t, db, clock, tt.now); got != tt.want || ago != 0 {
				t.Errorf("%d overdue (a year before: %d), want %d", got, ago, tt.want)
			}
		})
	}
	// Escalated (the escalation clock found it overdue): late, for good.
	if n, err := dispatch.Escalate(ctx, db, db.Escalation, time.Date(2023, 10, 31, 16, 30, 0, 0, time.UTC)); err != nil || n != 2 {
		t.Fatalf("escalated %d: %v", n, err)
	}
	for _, now := range []time.Time{time.Date(2023, 10, 31, 16, 40, 0, 0, time.UTC), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)} {
		if got, _ := overdueAt(t, db, clock, now); got != 2 {
			t.Errorf("at %s after the escalation: %d overdue, want 2", now, got)
		}
	}
}

// closedPeriodDB is a store of one county with three events at the end of
// October 2023, and the clock it runs on.
func closedPeriodDB(t *testing.T) (*store.DB, *time.Time) {
	t.Helper()
	clock := new(time.Time)
	*clock = time.Date(2023, 10, 31, 10, 0, 0, 0, time.UTC)
	db := storetest.NewDB(t, "stats.db")
	db.Now = func() time.Time { return *clock }
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if err := db.ImportRegions(ctx, []*skygrid.Region{{ID: "140225", Name: "浑源县", Level: skygrid.LevelCounty,
		Geometry: square(113.7, 39.7, 0.3), AreaKm2: 1}}); err != nil {
		t.Fatal(err)
	}
	// October in Beijing time ends at 2023-10-31T16:00Z.
	early, late := time.Date(2023, 10, 31, 10, 0, 0, 0, time.UTC), time.Date(2023, 10, 31, 15, 50, 0, 0, time.UTC)
	ev := func(id int64, at time.Time, crossBorder bool) *skygrid.Event {
		e := &skygrid.Event{ID: id, Class: skygrid.ClassOpenBurning, State: skygrid.EventOpen, FirstSeen: at, LastSeen: at,
			Point: orb.Point{113.7, 39.7}, HotspotCount: 1, CountyID: "140225", AssignedBy: "none", CrossBorder: crossBorder}
		if crossBorder {
			e.CountyID, e.Point = "", orb.Point{114.1, 39.7}
		}
		return e
	}
	task := func(id int64, at time.Time) *skygrid.Task {
		return &skygrid.Task{EventID: id, State: skygrid.TaskDispatched, AckDue: at.Add(30 * time.Minute), ReportDue: at.Add(time.Hour)}
	}
	// Event 1: dispatched at 10:00Z, never acknowledged: late before the
	// month ended. Event 2: dispatched at 15:50Z (23:50 Beijing), due at
	// 16:20Z, after the month's end. Event 3: cross-border.
	for _, step := range []struct {
		at    time.Time
		event *skygrid.Event
	}{{early, ev(1, early, false)}, {late, ev(2, late, false)}, {late, ev(3, late, true)}} {
		*clock = step.at
		err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
			if err := tx.SaveResult(ctx, &skygrid.IngestResult{Events: []*skygrid.Event{step.event}}); err != nil {
				return err
			}
			if step.event.CrossBorder {
				return nil
			}
			return tx.SaveResult(ctx, &skygrid.IngestResult{NewTasks: []*skygrid.Task{task(step.event.ID, step.at)}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return db, clock
}

// overdueAt sets the clock and returns October's overdue tasks and those
// of a year before.
func overdueAt(t *testing.T, db *store.DB, clock *time.Time, now time.Time) (int, int) {
	t.Helper()
	october := skygrid.StatsQuery{Since: time.Date(2023, 9, 30, 16, 0, 0, 0, time.UTC), Until: time.Date(2023, 10, 31, 16, 0, 0, 0, time.UTC)}
	*clock = now
	st, err := db.Stats(context.Background(), october)
	if err != nil {
		t.Fatal(err)
	}
	if st.Total.Events != 2 || st.Total.Tasks != 2 || st.CrossBorder != 1 {
		t.Fatalf("at %s: %d events, %d tasks, %d cross-border; want 2, 2, 1", now, st.Total.Events, st.Total.Tasks, st.CrossBorder)
	}
	return st.Total.Overdue, st.YearAgo.Total.Overdue
}

// Response minutes count from dispatch to acknowledgement and to report
// in each store's own date arithmetic, to the same figures; the events
// fall on their Beijing day.
func TestResponseMinutesBothStores(t *testing.T) {
	db, clock := closedPeriodDB(t)
	ctx := context.Background()
	admin := &skygrid.User{Name: "admin", Role: skygrid.RoleAdmin}
	if err := db.CreateUser(ctx, admin, "x"); err != nil {
		t.Fatal(err)
	}
	ts, _, err := db.FindTasks(ctx, skygrid.TaskFilter{})
	if err != nil || len(ts) != 2 {
		t.Fatalf("tasks %v, %v", ts, err)
	}
	first := ts[len(ts)-1] // dispatched at 10:00Z
	photo := &skygrid.Photo{SHA256: fmt.Sprintf("%064x", first.ID), Mime: "image/jpeg", Size: 1, Width: 1, Height: 1}
	for _, step := range []struct {
		at     time.Time
		action string
		photos []*skygrid.Photo
	}{
		{time.Date(2023, 10, 31, 10, 30, 30, 0, time.UTC), skygrid.ActionAcknowledge, nil},
		{time.Date(2023, 10, 31, 11, 30, 0, 0, time.UTC), skygrid.ActionReport, []*skygrid.Photo{photo}},
	} {
		*clock = step.at
		if _, err := db.UpdateTask(ctx, first.ID, 0, step.action, admin, skygrid.TaskChange{Finding: skygrid.FindingStrawBurning}, step.photos); err != nil {
			t.Fatalf("%s: %v", step.action, err)
		}
	}
	october := skygrid.StatsQuery{Since: time.Date(2023, 9, 30, 16, 0, 0, 0, time.UTC), Until: time.Date(2023, 10, 31, 16, 0, 0, 0, time.UTC)}
	st, err := db.Stats(ctx, october)
	if err != nil {
		t.Fatal(err)
	}
	if a, r := st.Total.AckMedianMin, st.Total.ReportMedianMin; a == nil || *a != 30.5 || r == nil || *r != 90 {
		t.Errorf("medians %v %v, want 30.5 and 90 minutes", a, r)
	}
	se, err := db.Series(ctx, october)
	if err != nil {
		t.Fatal(err)
	}
	if len(se.AckMinutes) != 1 || math.Abs(se.AckMinutes[0]-30.5) > 1e-6 || len(se.ReportMinutes) != 1 || math.Abs(se.ReportMinutes[0]-90) > 1e-6 {
		t.Errorf("minutes %v %v, want [30.5] [90]", se.AckMinutes, se.ReportMinutes)
	}
	if n := len(se.Days); n != 31 || se.Days[30].Day != "2023-10-31" || se.Days[30].ByClass[skygrid.ClassOpenBurning] != 2 {
		t.Errorf("%d days, the last %+v; want October's 31, the 31st with both fires", n, se.Days[n-1])
	}
}

// openStatsDB opens a new database whose clock stands two days after the
// time its events are given (returned).
func openStatsDB(t *testing.T, name string) (*store.DB, time.Time) {
	t.Helper()
	db := storetest.NewDB(t, name)
	at := time.Date(2023, 10, 20, 2, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return at.Add(48 * time.Hour) }
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, at
}

// citiesDB is a province of two cities (示例市甲: two counties, 示例市乙:
// one) and a county of no city, with six events at at: two in 示例县甲一,
// one in each other county (示例县甲二's without a task) and one outside.
func citiesDB(t *testing.T) (*store.DB, time.Time) {
	t.Helper()
	db, at := openStatsDB(t, "cities.db")
	ctx := context.Background()
	regions := []*skygrid.Region{
		{ID: "SXA", Name: "示例市甲", Level: skygrid.LevelCity, Geometry: square(112.5, 38, 1), AreaKm2: 1},
		{ID: "SXB", Name: "示例市乙", Level: skygrid.LevelCity, Geometry: square(112.5, 36, 1), AreaKm2: 1},
		{ID: "SXA1", Name: "示例县甲一", Level: skygrid.LevelCounty, ParentID: "SXA", Geometry: square(112.2, 38, 0.2), AreaKm2: 1},
		{ID: "SXA2", Name: "示例县甲二", Level: skygrid.LevelCounty, ParentID: "SXA", Geometry: square(112.8, 38, 0.2), AreaKm2: 1},
		{ID: "SXB1", Name: "示例县乙一", Level: skygrid.LevelCounty, ParentID: "SXB", Geometry: square(112.5, 36, 0.2), AreaKm2: 1},
		{ID: "SXC1", Name: "示例县无市", Level: skygrid.LevelCounty, Geometry: square(110.5, 35, 0.2), AreaKm2: 1},
	}
	if err := db.ImportRegions(ctx, regions); err != nil {
		t.Fatal(err)
	}
	var events []*skygrid.Event
	var tasks []*skygrid.Task
	for i, county := range []string{"SXA1", "SXA1", "SXA2", "SXB1", "SXC1", ""} {
		id := int64(i + 1)
		cls := []string{skygrid.ClassOpenBurning, skygrid.ClassStrawBurning}[i%2]
		events = append(events, &skygrid.Event{ID: id, Class: cls, State: skygrid.EventOpen, FirstSeen: at, LastSeen: at,
			Point: orb.Point{112, 38}, HotspotCount: i + 1, CountyID: county, AssignedBy: "none"})
		if county != "SXA2" {
			tasks = append(tasks, &skygrid.Task{EventID: id, State: skygrid.TaskDispatched, AckDue: at.Add(30 * time.Minute), ReportDue: at.Add(time.Hour)})
		}
	}
	err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
		if err := tx.SaveResult(ctx, &skygrid.IngestResult{Events: events}); err != nil {
			return err
		}
		return tx.SaveResult(ctx, &skygrid.IngestResult{NewTasks: tasks})
	})
	if err != nil {
		t.Fatal(err)
	}
	return db, at
}

// TestTasksOfACity: the task list keeps a city's tasks, those of its
// counties, counted and paged like a county's. On both stores.
func TestTasksOfACity(t *testing.T) {
	db, _ := citiesDB(t)
	ctx := context.Background()
	for city, want := range map[string][]string{"SXA": {"SXA1", "SXA1"}, "SXB": {"SXB1"}, "SXC1": nil} {
		ts, page, err := db.FindTaskPage(ctx, skygrid.TaskFilter{CityID: &city, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		all, n, err := db.FindTasks(ctx, skygrid.TaskFilter{CityID: &city})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tk := range all {
			got = append(got, tk.CountyID)
		}
		if !slices.Equal(got, want) || n != len(want) || page.Total != len(want) || len(ts) != min(1, len(want)) {
			t.Errorf("city %s: counties %v (%d; a page of 1: %d of %d), want %v", city, got, n, len(ts), page.Total, want)
		}
	}
}

// TestStatsByCity: a province's figures by city are its counties' added
// up (events, hotspots, classes, tasks, overdue), named after the city;
// a county with no city above it and an event in no county go under
// 未落入地市; the total is the same as by county. On both stores.
func TestStatsByCity(t *testing.T) {
	db, at := citiesDB(t)
	ctx := context.Background()
	q := skygrid.StatsQuery{Since: at.Add(-time.Hour), Until: at.Add(time.Hour)}
	q.By = skygrid.ByCounty
	byCounty, err := db.Stats(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	q.By = skygrid.ByCity
	byCity, err := db.Stats(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	counties := map[string]*skygrid.AreaStats{}
	for _, a := range byCounty.Areas {
		counties[a.RegionID] = a
	}
	want := map[string]struct {
		name     string
		counties []string
	}{"SXA": {"示例市甲", []string{"SXA1", "SXA2"}}, "SXB": {"示例市乙", []string{"SXB1"}}, "": {"未落入地市", []string{"SXC1", ""}}}
	if len(byCity.Areas) != len(want) {
		t.Fatalf("by city: %d rows, want %d: %+v", len(byCity.Areas), len(want), byCity.Areas)
	}
	for _, a := range byCity.Areas {
		w := want[a.RegionID]
		var parts []*skygrid.AreaStats
		for _, c := range w.counties {
			parts = append(parts, counties[c])
		}
		sum := skygrid.SumAreas(parts)
		if a.RegionName != w.name || a.Events != sum.Events || a.Hotspots != sum.Hotspots || a.Tasks != sum.Tasks || a.Overdue != sum.Overdue ||
			fmt.Sprint(a.ByClass) != fmt.Sprint(sum.ByClass) || a.Events == 0 {
			t.Errorf("city %q: %+v, want %s with its counties' sum %+v", a.RegionID, a, w.name, sum)
		}
	}
	if byCity.Total.Events != byCounty.Total.Events || byCity.Total.Tasks != byCounty.Total.Tasks || byCity.Total.Events != 6 {
		t.Errorf("totals by city %+v and by county %+v differ (want 6 events)", byCity.Total, byCounty.Total)
	}
	if _, err := db.Stats(ctx, skygrid.StatsQuery{Since: q.Since, Until: q.Until, By: "province"}); skygrid.ErrorCode(err) != skygrid.EINVALID {
		t.Errorf("by province: %v, want EINVALID", err)
	}
	checkCityRegion(t, db, q, counties)
}

// checkCityRegion: a city as the region keeps its counties' figures (by
// county), its events and its monitors, and no other's.
func checkCityRegion(t *testing.T, db *store.DB, q skygrid.StatsQuery, counties map[string]*skygrid.AreaStats) {
	t.Helper()
	ctx := context.Background()
	q.By, q.Region = skygrid.ByCounty, "SXA"
	st, err := db.Stats(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range st.Areas {
		ids = append(ids, a.RegionID)
	}
	want := skygrid.SumAreas([]*skygrid.AreaStats{counties["SXA1"], counties["SXA2"]})
	if fmt.Sprint(ids) != "[SXA1 SXA2]" || st.Total.Events != want.Events || st.Total.Tasks != want.Tasks || want.Events != 3 {
		t.Errorf("region SXA by county: %v, %d events and %d tasks; want its counties SXA1, SXA2 with %d and %d", ids, st.Total.Events, st.Total.Tasks, want.Events, want.Tasks)
	}
	city := "SXA"
	evs, _, err := db.FindEvents(ctx, skygrid.EventFilter{RegionID: &city})
	if err != nil || len(evs) != 3 {
		t.Errorf("the events of city SXA: %d %v, want 3", len(evs), err)
	}
	if _, err := db.ImportMonitors(ctx, []skygrid.MonitorImport{
		{Monitor: skygrid.Monitor{MN: "SXM1", Password: "123456", Name: "示例监测仪甲", Kind: skygrid.MonitorDust, Lon: 112.2, Lat: 38}},
		{Monitor: skygrid.Monitor{MN: "SXM2", Password: "123456", Name: "示例监测仪乙", Kind: skygrid.MonitorDust, Lon: 112.5, Lat: 36}},
	}); err != nil {
		t.Fatal(err)
	}
	ds, err := db.DustStats(ctx, skygrid.DustQuery{Since: q.Since, Until: q.Until, Region: "SXA"})
	if err != nil || len(ds.Monitors) != 1 || ds.Monitors[0].MN != "SXM1" {
		t.Errorf("the dust monitors of city SXA: %+v %v, want SXM1 alone", ds, err)
	}
}

// townshipsDB is a county (示例县, under 示例市) of two townships, 示例乡一
// and 示例乡二, each with a cropland site of its own (100 and 400 ha) and a grid;
// three straw-burning events at at: two in 示例乡一, one in 示例乡二.
func townshipsDB(t *testing.T) (*store.DB, time.Time) {
	t.Helper()
	db, at := openStatsDB(t, "townships.db")
	ctx := context.Background()
	if err := db.ImportRegions(ctx, []*skygrid.Region{
		{ID: "SXT", Name: "示例市", Level: skygrid.LevelCity, Geometry: square(112.5, 38, 1), AreaKm2: 1},
		{ID: "SXT1", Name: "示例县", Level: skygrid.LevelCounty, ParentID: "SXT", Geometry: square(112.5, 38, 0.4), AreaKm2: 1},
		{ID: "SXT1A", Name: "示例乡一", Level: skygrid.LevelTownship, ParentID: "SXT1", Geometry: square(112.3, 38, 0.2), AreaKm2: 1},
		{ID: "SXT1B", Name: "示例乡二", Level: skygrid.LevelTownship, ParentID: "SXT1", Geometry: square(112.7, 38, 0.2), AreaKm2: 1},
		{ID: "SXT1A-G", Name: "示例乡一 1行1列", Level: skygrid.LevelGrid, ParentID: "SXT1A", Geometry: square(112.3, 38, 0.2), AreaKm2: 1},
		{ID: "SXT1B-G", Name: "示例乡二 1行1列", Level: skygrid.LevelGrid, ParentID: "SXT1B", Geometry: square(112.7, 38, 0.2), AreaKm2: 1},
	}); err != nil {
		t.Fatal(err)
	}
	var crops []*skygrid.Site
	for i, c := range []struct{ lon, ha float64 }{{112.3, 100}, {112.7, 400}} {
		crops = append(crops, &skygrid.Site{Kind: skygrid.SiteCropland, ExternalID: fmt.Sprint("crop", i), Name: fmt.Sprint("示例耕地", i),
			Geometry: square(c.lon, 38, 0.01), AreaM2: c.ha * 1e4})
	}
	if _, err := db.ImportSites(ctx, crops, nil); err != nil {
		t.Fatal(err)
	}
	var events []*skygrid.Event
	var tasks []*skygrid.Task
	for i, tw := range []string{"SXT1A", "SXT1A", "SXT1B"} {
		id := int64(i + 1)
		events = append(events, &skygrid.Event{ID: id, Class: skygrid.ClassStrawBurning, State: skygrid.EventOpen, FirstSeen: at, LastSeen: at,
			Point: orb.Point{112.3, 38}, HotspotCount: 1, CountyID: "SXT1", TownshipID: tw, GridID: tw + "-G", AssignedBy: "contains"})
		tasks = append(tasks, &skygrid.Task{EventID: id, GridID: tw + "-G", State: skygrid.TaskDispatched, AckDue: at.Add(30 * time.Minute), ReportDue: at.Add(time.Hour)})
	}
	if err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
		if err := tx.SaveResult(ctx, &skygrid.IngestResult{Events: events}); err != nil {
			return err
		}
		return tx.SaveResult(ctx, &skygrid.IngestResult{NewTasks: tasks})
	}); err != nil {
		t.Fatal(err)
	}
	return db, at
}

// TestStatsNoCoarserThanTheArea: figures are grouped no coarser than the
// area they are of. A township official's figures "by county" (the audit
// page's and the monthly report's default) were one row named after the
// whole county, holding the township's fires alone, and rated against the
// county's cropland (下韩村乡's 2 straw burnings: 0.04 a 1,000 ha, against
// 6.17 on its own cropland). Now they come by township, as do a township
// asked for by county or city, and a county's by city; the query says so.
// A coarser area keeps the grouping asked for. On both stores.
func TestStatsNoCoarserThanTheArea(t *testing.T) {
	db, at := townshipsDB(t)
	ctx := context.Background()
	one := &skygrid.Scope{Regions: []string{"SXT1A"}}
	tests := []struct {
		name      string
		q         skygrid.StatsQuery
		by        string
		rows      string  // id name events
		cropRatio float64 // the row's cropland over 示例乡一's
	}{
		{"a township official by county", skygrid.StatsQuery{By: skygrid.ByCounty, Scope: one}, skygrid.ByTownship, "[SXT1A 示例乡一 2]", 1},
		{"a township official by city", skygrid.StatsQuery{By: skygrid.ByCity, Scope: one}, skygrid.ByTownship, "[SXT1A 示例乡一 2]", 1},
		{"a township asked for by county", skygrid.StatsQuery{By: skygrid.ByCounty, Region: "SXT1B"}, skygrid.ByTownship, "[SXT1B 示例乡二 1]", 4},
		{"a township official by grid", skygrid.StatsQuery{By: skygrid.ByGrid, Scope: one}, skygrid.ByGrid, "[SXT1A-G 示例乡一 1行1列 2]", 1},
		{"a county official by county", skygrid.StatsQuery{By: skygrid.ByCounty, Scope: &skygrid.Scope{Regions: []string{"SXT1"}}}, skygrid.ByCounty, "[SXT1 示例县 3]", 5},
		{"a county asked for by city", skygrid.StatsQuery{By: skygrid.ByCity, Region: "SXT1"}, skygrid.ByCounty, "[SXT1 示例县 3]", 5},
		{"the city by county", skygrid.StatsQuery{By: skygrid.ByCounty, Region: "SXT"}, skygrid.ByCounty, "[SXT1 示例县 3]", 5},
		{"an auditor by county", skygrid.StatsQuery{By: skygrid.ByCounty, Scope: &skygrid.Scope{All: true}}, skygrid.ByCounty, "[SXT1 示例县 3]", 5},
	}
	all, err := db.Stats(ctx, skygrid.StatsQuery{Since: at.Add(-time.Hour), Until: at.Add(time.Hour), By: skygrid.ByTownship})
	if err != nil || len(all.Areas) != 2 || all.Areas[0].CroplandHa == 0 {
		t.Fatalf("by township: %+v %v, want two townships with cropland", all, err)
	}
	base := all.Areas[0].CroplandHa // 示例乡一's
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.Since, q.Until = at.Add(-time.Hour), at.Add(time.Hour)
			st, err := db.Stats(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var rows []string
			for _, a := range st.Areas {
				rows = append(rows, fmt.Sprint(a.RegionID, " ", a.RegionName, " ", a.Events))
			}
			if got := fmt.Sprint(rows); got != tc.rows || st.Query.By != tc.by || st.YearAgo == nil || st.YearAgo.Query.By != tc.by {
				t.Errorf("%s: rows %s by %q, want %s by %q", tc.name, got, st.Query.By, tc.rows, tc.by)
			}
			if len(st.Areas) != 1 {
				return
			}
			// 示例乡二's cropland is 4 times 示例乡一's; the county's both.
			if ratio := st.Areas[0].CroplandHa / base; math.Abs(ratio-tc.cropRatio) > 0.01 {
				t.Errorf("%s: cropland %.1f ha, %.2f times 示例乡一's, want %.0f times", tc.name, st.Areas[0].CroplandHa, ratio, tc.cropRatio)
			}
		})
	}
}
