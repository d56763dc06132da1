package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"skygrid"
	"skygrid/store"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// publicDB has two counties of the city and one neighbouring county (示例),
// an official and a supervisor's user.
func publicDB(t *testing.T) (*store.DB, map[string]int64) {
	t.Helper()
	db := MustOpenDB(t)
	ctx := context.Background()
	regions := []*skygrid.Region{
		{ID: "140201", Name: "甲县（示例）", Level: skygrid.LevelCounty, Geometry: square(113.3, 40.1, 0.2), AreaKm2: 1},
		{ID: "140202", Name: "乙县（示例）", Level: skygrid.LevelCounty, Geometry: square(113.8, 40.1, 0.2), AreaKm2: 1},
		{ID: "140201001", Name: "一镇（示例）", Level: skygrid.LevelTownship, ParentID: "140201", Geometry: square(113.3, 40.1, 0.05), AreaKm2: 1},
		{ID: "140201001001", Name: "一网格（示例）", Level: skygrid.LevelGrid, ParentID: "140201001", Geometry: square(113.3, 40.1, 0.01), AreaKm2: 1},
	}
	if err := db.ImportRegions(ctx, regions); err != nil {
		t.Fatal(err)
	}
	users := map[string]int64{}
	for _, u := range []*skygrid.User{{Name: "official", Role: skygrid.RoleOfficial, Regions: []string{"140201"}},
		{Name: "supervisor", Role: skygrid.RoleSupervisor, Regions: []string{"140201001001"}}} {
		if err := db.CreateUser(ctx, u, "x"); err != nil {
			t.Fatal(err)
		}
		users[u.Name] = u.ID
	}
	return db, users
}

// publicEvent stores an event of class in county with its flags.
func publicEvent(t *testing.T, db *store.DB, id int64, class, county string, history, border bool, site int64, rule string) {
	t.Helper()
	var siteID any
	if site > 0 {
		siteID = site
	}
	if err := db.ExecArgsForTest(context.Background(), `INSERT INTO events (id, class, state, first_seen, last_seen, lon, lat, min_lon, min_lat,
		max_lon, max_lat, hotspot_count, max_frp, county_id, assigned_by, created_at, updated_at, history, cross_border, site_id, rule)
		VALUES (?, ?, 'open', '2026-11-20T01:00:00Z', '2026-11-20T01:00:00Z', 113.3, 40.1, 113.3, 40.1, 113.3, 40.1, 1, 1, ?, 'contains',
		'2026-11-20T01:00:00Z', '2026-11-20T01:00:00Z', ?, ?, ?, ?)`, id, class, county, history, border, siteID, rule); err != nil {
		t.Fatal(err)
	}
}

// publicHotspot stores a detection of event at (lon, lat) in 1e-5 degrees.
func publicHotspot(t *testing.T, db *store.DB, seq int64, at time.Time, lonE5, latE5, event int64) {
	t.Helper()
	id := (at.Unix()/60)<<20 + seq
	if err := db.ExecArgsForTest(context.Background(), `INSERT INTO hotspots (id, acq_time, source, satellite, lat_e5, lon_e5, brightness,
		bright_t31, scan, track, frp, confidence, daynight, version, type, batch_id, status, event_id)
		VALUES (?, ?, 'VIIRS_SNPP_NRT', 'N', ?, ?, 330, 290, 0.4, 0.4, 5, 'n', 'D', '2.0NRT', 0, 1, 'fire', ?)`,
		id, at.Unix(), latE5, lonE5, event); err != nil {
		t.Fatal(err)
	}
}

// Fires are rounded to the nearest PublicRoundDegrees, half up, in whole
// 1e-5 degrees: a fire exactly at a cell's edge (113.30500) goes to the
// cell above (113.31); a hair below (113.30499) to the one below; float
// arithmetic (113.305/0.01 = 11330.499...) would put the edge below.
func TestPublicFiresRounding(t *testing.T) {
	at := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name             string
		lonE5, latE5     int64
		wantLon, wantLat float64
	}{
		{"inside a cell", 11330212, 4010377, 113.30, 40.10},
		{"at the cell's edge: the cell above", 11330500, 4010500, 113.31, 40.11},
		{"just below the edge", 11330499, 4010499, 113.30, 40.10},
		{"the float trap 0.29", 11328500, 4002900, 113.29, 40.03},
		{"the float trap 0.57", 11356500, 4005700, 113.57, 40.06},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := publicDB(t)
			publicEvent(t, db, 1, skygrid.ClassStrawBurning, "140201", false, false, 0, "")
			publicHotspot(t, db, 1, at, tt.lonE5, tt.latE5, 1)
			fires, counts, err := db.PublicFires(context.Background(), at.Add(-time.Hour), at.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if len(fires) != 1 || fires[0].Lon != tt.wantLon || fires[0].Lat != tt.wantLat || fires[0].Count != 1 ||
				fires[0].County != "甲县（示例）" || !fires[0].Last.Equal(at) {
				t.Errorf("fires %+v, want one at %v, %v in 甲县 at %v", fires, tt.wantLon, tt.wantLat, at)
			}
			if len(counts) != 2 || counts[0] != (skygrid.PublicFireCount{CountyID: "140201", County: "甲县（示例）", Fires: 1}) || counts[1].Fires != 0 {
				t.Errorf("counts %+v", counts)
			}
		})
	}
}

// The window is Beijing days: 7 days on 5 December 10:00 Beijing start at
// 29 November 00:00 Beijing, 28 November 16:00 UTC. A fire at 15:59 UTC
// (23:59 Beijing, the day before) is out, one at 16:00 UTC is in.
func TestPublicFiresWindowInBeijingDays(t *testing.T) {
	db, _ := publicDB(t)
	now := time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC)
	since, until := skygrid.PublicWindow(now, 7)
	if want := time.Date(2026, 11, 28, 16, 0, 0, 0, time.UTC); !since.Equal(want) || !until.Equal(now) {
		t.Fatalf("window %v to %v, want %v to %v", since, until, want, now)
	}
	publicEvent(t, db, 1, skygrid.ClassStrawBurning, "140201", false, false, 0, "")
	publicHotspot(t, db, 1, time.Date(2026, 11, 28, 15, 59, 0, 0, time.UTC), 11330000, 4010000, 1)
	publicHotspot(t, db, 2, time.Date(2026, 11, 28, 16, 0, 0, 0, time.UTC), 11340000, 4010000, 1)
	publicHotspot(t, db, 3, now.Add(time.Minute), 11350000, 4010000, 1)
	fires, counts, err := db.PublicFires(context.Background(), since, until)
	if err != nil {
		t.Fatal(err)
	}
	if len(fires) != 1 || fires[0].Lon != 113.4 || counts[0].Fires != 1 {
		t.Errorf("fires %+v counts %+v: want the one at 16:00 UTC only", fires, counts)
	}
}

// Only live fire events count: not industrial heat, not history, not
// cross-border.
func TestPublicFiresClasses(t *testing.T) {
	db, _ := publicDB(t)
	at := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	for i, ev := range []struct {
		class           string
		history, border bool
	}{
		{skygrid.ClassStrawBurning, false, false}, {skygrid.ClassOpenBurning, false, false},
		{skygrid.ClassIndustrialHeat, false, false}, {skygrid.ClassStrawBurning, true, false}, {skygrid.ClassStrawBurning, false, true},
	} {
		id := int64(i + 1)
		publicEvent(t, db, id, ev.class, "140202", ev.history, ev.border, 0, "")
		publicHotspot(t, db, id, at, 11380000+id*2000, 4010000, id)
	}
	fires, counts, err := db.PublicFires(context.Background(), at.Add(-time.Hour), at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var lons []float64
	for _, f := range fires {
		lons = append(lons, f.Lon)
	}
	if !slices.Equal(lons, []float64{113.82, 113.84}) || counts[0].CountyID != "140202" || counts[0].Fires != 2 {
		t.Errorf("fires at %v, counts %+v: want the straw and open burning only (113.82, 113.84)", lons, counts)
	}
}

// Only closed tasks of a site whose finding confirmed the violation and
// whose close an official accepted, closed in the window.
func TestPublicViolations(t *testing.T) {
	db, users := publicDB(t)
	ctx := context.Background()
	closed := "2026-11-25T02:00:00Z"
	sitePoint, err := wkb.Marshal(orb.Point{113.3, 40.1})
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range []struct {
		site, class, rule, state, finding, closedAt string
		closedBy                                    int64
	}{
		{"停工工地（示例）", skygrid.ClassDustExceedance, "datong_default", "closed", skygrid.FindingStopWork, closed, users["official"]},
		{"苫盖堆场（示例）", skygrid.ClassSiteInspection, skygrid.ViolationUncoveredPile, "closed", skygrid.FindingRectified, closed, users["official"]},
		{"误报工地（示例）", skygrid.ClassDustExceedance, "datong_default", "closed", skygrid.FindingFalseAlarm, closed, users["official"]},
		{"故障工地（示例）", skygrid.ClassDustExceedance, "datong_default", "closed", skygrid.FindingDeviceFault, closed, users["official"]},
		{"未办结工地（示例）", skygrid.ClassDustExceedance, "datong_default", "reported", skygrid.FindingStopWork, "", 0},
		{"未上报工地（示例）", skygrid.ClassDustExceedance, "datong_default", "dispatched", "", "", 0},
		{"早已整改工地（示例）", skygrid.ClassDustExceedance, "datong_default", "closed", skygrid.FindingRectified, "2026-08-01T00:00:00Z", users["official"]},
		{"网格员关闭工地（示例）", skygrid.ClassDustExceedance, "datong_default", "closed", skygrid.FindingRectified, closed, users["supervisor"]},
		{"离线设备工地（示例）", skygrid.ClassMonitorOffline, "silent", "closed", skygrid.FindingRectified, closed, users["official"]},
	} {
		id := int64(i + 1)
		if err := db.ExecArgsForTest(ctx, `INSERT INTO sites (id, kind, external_id, name, geom, min_lon, min_lat, max_lon, max_lat, created_at, updated_at)
			VALUES (?, 'construction', ?, ?, ?, 113.3, 40.1, 113.3, 40.1, ?, ?)`, id, fmt.Sprint(id), tt.site, sitePoint, closed, closed); err != nil {
			t.Fatal(err)
		}
		publicEvent(t, db, id, tt.class, "140201", false, false, id, tt.rule)
		var by any
		if tt.closedBy > 0 {
			by = tt.closedBy
		}
		if err := db.ExecArgsForTest(ctx, `INSERT INTO tasks (id, event_id, state, ack_due, report_due, created_at, updated_at, finding, closed_at, closed_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, id, tt.state, closed, closed, closed, closed, tt.finding, tt.closedAt, by); err != nil {
			t.Fatal(err)
		}
		if tt.class == skygrid.ClassDustExceedance {
			if err := db.ExecArgsForTest(ctx, `INSERT INTO monitors (id, mn, name, lon, lat, created_at, updated_at) VALUES (?, ?, '示例', 113.3, 40.1, ?, ?)`, id, fmt.Sprint("MN", id), closed, closed); err != nil {
				t.Fatal(err)
			}
			if err := db.ExecArgsForTest(ctx, `INSERT INTO dust_alarms (monitor_id, site_id, rule, class, window_start, window_end, value, limit_value, event_id, created_at)
				VALUES (?, ?, 'datong_default', 'dust_exceedance', ?, ?, 190, 80, ?, ?)`, id, id, closed, closed, id, closed); err != nil {
				t.Fatal(err)
			}
		}
	}
	vs, err := db.PublicViolations(ctx, time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	want := []skygrid.PublicViolation{
		{Site: "苫盖堆场（示例）", County: "甲县（示例）", What: "工地堆场检查：煤/矿堆场未苫盖或抑尘；处置：已整改（洒水、覆盖）"},
		{Site: "停工工地（示例）", County: "甲县（示例）", What: "扬尘超标：颗粒物浓度超过限值 80 微克/立方米；处置：停工整改"},
	}
	if len(vs) != len(want) {
		t.Fatalf("violations %+v, want %d", vs, len(want))
	}
	for i, w := range want {
		w.Found, w.Rectified = time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC), time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
		if vs[i] != w {
			t.Errorf("violation %d: %+v, want %+v", i, vs[i], w)
		}
	}
}

// Publishing a month lists it; again is a conflict; unpublishing takes it
// off and keeps both steps in the audit log.
func TestPublishReport(t *testing.T) {
	db, users := publicDB(t)
	ctx := context.Background()
	month := time.Date(2026, 10, 31, 17, 0, 0, 0, time.UTC) // 1 November in Beijing
	at := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	if err := db.PublishReport(ctx, month, true, users["official"], at); err != nil {
		t.Fatal(err)
	}
	if err := db.PublishReport(ctx, month, true, users["official"], at); skygrid.ErrorCode(err) != skygrid.ECONFLICT {
		t.Errorf("published twice: %v, want a conflict", err)
	}
	rs, err := db.PublishedReports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Month != "2026-11" || !rs[0].PublishedAt.Equal(at) || rs[0].Title != "大同市秸秆焚烧卫星监测月报 2026年11月" {
		t.Errorf("published %+v", rs)
	}
	// A province's store titles them with its area ([server] area_name).
	db.AreaName = "山西省"
	if rs, err := db.PublishedReports(ctx); err != nil || len(rs) != 1 || rs[0].Title != "山西省秸秆焚烧卫星监测月报 2026年11月" {
		t.Errorf("a province's published %+v %v", rs, err)
	}
	db.AreaName = ""
	if err := db.PublishReport(ctx, month, false, users["official"], at); err != nil {
		t.Fatal(err)
	}
	if err := db.PublishReport(ctx, month, false, users["official"], at); skygrid.ErrorCode(err) != skygrid.ECONFLICT {
		t.Errorf("unpublished twice: %v, want a conflict", err)
	}
	if rs, err := db.PublishedReports(ctx); err != nil || len(rs) != 0 {
		t.Errorf("after unpublishing: %+v %v", rs, err)
	}
	if n := countRows(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'report' AND entity_id = '2026-11' AND action IN ('report.publish', 'report.unpublish')`); n != 2 {
		t.Errorf("%d audit lines, want 2", n)
	}
}
