package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/internal/perfgen"
	"skygrid/internal/shanxi"
	"skygrid/internal/storetest"
	"skygrid/store"

	"github.com/paulmach/orb"
)

// The province benchmark's SYNTHETIC season (internal/shanxi, invented
// for benchmarks): its 2,000,000 detections counted into provinceEvents
// events over 2024, each at one of the 50,000 grids, on days drawn as
// perfgen draws its detections' days; the busiest month is April (the
// spring field burning), in Beijing time.
const (
	provinceSeed   = 1
	provinceEvents = 100000
)

var (
	provinceSince = time.Date(2024, 3, 31, 16, 0, 0, 0, time.UTC) // 1 April 2024, Beijing
	provinceUntil = time.Date(2024, 4, 30, 16, 0, 0, 0, time.UTC)
	provinceNow   = provinceUntil.AddDate(0, 0, 5)
)

// BenchmarkProvinceMonth: the synthetic Shanxi (11 cities, 120
// counties, 1,200 townships, 50,000 grids with supervisors, 5,000 dust
// monitors), a fire season's events and tasks, a month of the monitors'
// hourly aggregates (PM10 and TSP from minute data: 7.44 million rows of
// readings_hourly, through the write path's capture rollup too) and
// 100,000 dust alarms. The busiest month's statistics by county for the
// province (the audit page) and its dust statistics (dust: the monitors'
// places kept from the call before, as between two changes of the
// regions; dust-placed: every monitor placed, as after one);
// stats-official: a county official's own county by township. Target:
// each under 1 s on both stores. On SQLite the built file is kept in
// SKYGRID_BENCH_DIR when set (and reused when there); on PostgreSQL the
// province is kept in the database SKYGRID_BENCH_DSN names when set (a
// postgres:// URL of a database with PostGIS, migrated on open).
func BenchmarkProvinceMonth(b *testing.B) {
	ctx := context.Background()
	db := openProvince(b)
	defer db.Close()
	b.Run("stats-by-county", func(b *testing.B) {
		for b.Loop() {
			st, err := db.Stats(ctx, skygrid.StatsQuery{Since: provinceSince, Until: provinceUntil, By: skygrid.ByCounty})
			if err != nil {
				b.Fatal(err)
			}
			if len(st.Areas) < 100 || st.Total.Events < provinceEvents/10 || st.Total.Tasks == 0 || st.Total.AckMedianMin == nil {
				b.Fatalf("%d areas, %+v", len(st.Areas), st.Total)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/stats")
	})
	// A county's official: their county's statistics by township (the
	// audit page), found among the province's tasks by the area indexes.
	b.Run("stats-official", func(b *testing.B) {
		counties, _, err := db.FindRegions(ctx, skygrid.RegionFilter{Level: ptr(skygrid.LevelCounty), Limit: 1})
		if err != nil || len(counties) == 0 {
			b.Fatal(counties, err)
		}
		sc := &skygrid.Scope{Regions: []string{counties[0].ID}}
		for b.Loop() {
			st, err := db.Stats(ctx, skygrid.StatsQuery{Since: provinceSince, Until: provinceUntil, By: skygrid.ByTownship, Scope: sc})
			if err != nil {
				b.Fatal(err)
			}
			if len(st.Areas) == 0 || st.Total.Events == 0 || st.Total.Tasks == 0 {
				b.Fatalf("%d areas, %+v", len(st.Areas), st.Total)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/stats")
	})
	b.Run("dust", func(b *testing.B) {
		for b.Loop() {
			st, err := db.DustStats(ctx, skygrid.DustQuery{Since: provinceSince, Until: provinceUntil})
			if err != nil {
				b.Fatal(err)
			}
			if len(st.Monitors) != shanxi.Monitors || st.Total.Alarms == 0 || st.Total.ValidMinutes == 0 || len(st.Counties) < 100 {
				b.Fatalf("%d monitors, %d counties, %+v", len(st.Monitors), len(st.Counties), st.Total)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/dust")
	})
	// The first call after the regions change: every monitor placed again
	// (the others take the places kept at the regions' version).
	b.Run("dust-placed", func(b *testing.B) {
		for b.Loop() {
			db.ForgetPlacesForTest()
			st, err := db.DustStats(ctx, skygrid.DustQuery{Since: provinceSince, Until: provinceUntil})
			if err != nil {
				b.Fatal(err)
			}
			if len(st.Monitors) != shanxi.Monitors || st.Total.Alarms == 0 {
				b.Fatalf("%d monitors, %+v", len(st.Monitors), st.Total)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/dust")
	})
}

// openProvince opens the run's store with the province loaded: built
// here, or the file SKYGRID_BENCH_DIR (SQLite) or the database
// SKYGRID_BENCH_DSN (PostgreSQL) already holds.
func openProvince(b *testing.B) *store.DB {
	var db *store.DB
	built := false
	if dsn := os.Getenv("SKYGRID_BENCH_DSN"); dsn != "" && storetest.Postgres() {
		db, built = store.NewDB(dsn), true // the parts it already has are kept
	} else if dir := os.Getenv("SKYGRID_BENCH_DIR"); dir != "" && !storetest.Postgres() {
		path := filepath.Join(dir, "province.db")
		_, err := os.Stat(path)
		built = err == nil
		db = store.NewDB(path)
	} else {
		db = storetest.NewDB(b, "province.db")
	}
	clock := provinceSince.AddDate(0, 0, -10) // the monitors exist before the month
	db.Now = func() time.Time { return clock }
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	if err := loadProvince(b, db, built); err != nil {
		db.Close()
		b.Fatal(err)
	}
	clock = provinceNow
	return db
}

// loadProvince stores the province, its season and its month of dust,
// each part unless a kept file already has it.
func loadProvince(b *testing.B, db *store.DB, kept bool) error {
	ctx := context.Background()
	p := shanxi.Generate(provinceSeed)
	for _, part := range []struct {
		name, table string
		load        func() error
	}{
		{"regions and supervisors", "supervisors", func() error { return loadRegions(ctx, db, p) }},
		{"events and tasks", "tasks", func() error { return loadSeason(ctx, db, p) }},
		{"monitors, hourly aggregates and alarms", "dust_alarms", func() error { return loadDust(ctx, db) }},
	} {
		var n int
		if err := db.QueryRowForTest(ctx, `SELECT COUNT(*) FROM `+part.table).Scan(&n); err != nil {
			return err
		}
		if kept && n > 0 {
			continue
		}
		t0 := time.Now()
		if err := part.load(); err != nil {
			return err
		}
		b.Logf("%s loaded on %s in %s", part.name, storetest.Kind(), time.Since(t0).Round(time.Millisecond))
	}
	return nil
}

func loadRegions(ctx context.Context, db *store.DB, p *shanxi.Province) error {
	var rs []*skygrid.Region
	for _, l := range []struct {
		level string
		rs    []shanxi.Region
	}{{skygrid.LevelCity, p.Cities}, {skygrid.LevelCounty, p.Counties}, {skygrid.LevelTownship, p.Townships}} {
		for _, r := range l.rs {
			rs = append(rs, &skygrid.Region{ID: r.ID, Name: r.Name, Level: l.level, ParentID: r.ParentID, Geometry: r.Geometry, AreaKm2: 1})
		}
	}
	sups := make([]*skygrid.Supervisor, len(p.Grids))
	for i, g := range p.Grids {
		rs = append(rs, &skygrid.Region{ID: g.ID, Name: "示例网格" + g.ID, Level: skygrid.LevelGrid, ParentID: p.Townships[p.GridTownship[i]].ID,
			Geometry: orb.MultiPolygon{shanxi.Polygon(g)}, AreaKm2: 1})
		sups[i] = &skygrid.Supervisor{GridID: g.ID, Name: "示例网格员" + g.ID, Phone: fmt.Sprintf("139%08d", i)}
	}
	if err := db.ImportRegions(ctx, rs); err != nil {
		return fmt.Errorf("import regions: %w", err)
	}
	if err := db.ImportSupervisors(ctx, sups); err != nil {
		return fmt.Errorf("import supervisors: %w", err)
	}
	return nil
}

// seasonDay draws a day of 2024 (0-based) as perfgen's sampleDOY draws
// its detections' days: 40% uniform, 35% around the spring field
// burning (day 95), 25% around the autumn harvest (day 295).
func seasonDay(r *rand.Rand) int {
	var d float64
	switch u := r.Float64(); {
	case u < 0.40:
		d = 1 + r.Float64()*366
	case u < 0.75:
		d = 95 + 15*r.NormFloat64()
	default:
		d = 295 + 15*r.NormFloat64()
	}
	return int(min(max(d, 1), 366)) - 1
}

// loadSeason stores the events and their tasks by batched inserts (the
// figures read only these rows): tasks two thirds acknowledged, half
// reported, with findings and response times of up to 50 minutes.
func loadSeason(ctx context.Context, db *store.DB, p *shanxi.Province) error {
	r := rand.New(rand.NewPCG(provinceSeed, 17))
	t0 := time.Date(2023, 12, 31, 16, 0, 0, 0, time.UTC)
	twp := map[string]string{}
	for _, t := range p.Townships {
		twp[t.ID] = t.ParentID
	}
	var ev, tk batchInsert
	var tasks [][]any
	ev.head = `INSERT INTO events (id, class, state, first_seen, last_seen, lon, lat, min_lon, min_lat, max_lon, max_lat,
		hotspot_count, max_frp, grid_id, township_id, county_id, assigned_by, created_at, updated_at) VALUES `
	tk.head = `INSERT INTO tasks (event_id, grid_id, state, ack_due, report_due, created_at, updated_at, acknowledged_at, reported_at, finding) VALUES `
	for i := range provinceEvents {
		gi := r.IntN(len(p.Grids))
		g, tw := p.Grids[gi], p.Townships[p.GridTownship[gi]].ID
		first := t0.Add(time.Duration(seasonDay(r))*24*time.Hour + time.Duration(r.IntN(24*60))*time.Minute)
		class := skygrid.Classes[r.IntN(len(skygrid.Classes))]
		lon, lat := (g.MinX+g.MaxX)/2, (g.MinY+g.MaxY)/2
		n := perfgen.ShanxiPoints / provinceEvents
		if err := ev.add(ctx, db, int64(i+1), class, "open", ts(first), ts(first.Add(time.Hour)), lon, lat, lon, lat, lon, lat,
			n, 3.0, g.ID, tw, twp[tw], "grid", ts(first), ts(first)); err != nil {
			return err
		}
		if !skygrid.Dispatched(class) {
			continue
		}
		state, acked, reported, finding := "dispatched", "", "", ""
		if i%3 != 0 {
			state, acked = "acknowledged", ts(first.Add(time.Duration(i%40)*time.Minute))
		}
		if i%2 == 0 && i%3 != 0 {
			state, reported = "closed", ts(first.Add(time.Duration(35+i%50)*time.Minute))
			finding = []string{skygrid.FindingStrawBurning, skygrid.FindingFalseAlarm, "open_burning"}[i%3]
		}
		tasks = append(tasks, []any{int64(i + 1), g.ID, state, ts(first.Add(30 * time.Minute)), ts(first.Add(time.Hour)), ts(first), ts(first),
			acked, reported, finding})
	}
	if err := ev.flush(ctx, db); err != nil {
		return err
	}
	for _, t := range tasks { // after their events: a trigger copies the event's first sight
		if err := tk.add(ctx, db, t...); err != nil {
			return err
		}
	}
	return tk.flush(ctx, db)
}

// loadDust stores the 5,000 monitors (where shanxi's monitors.csv puts
// them), a month of hourly aggregates through the capture rollup's
// backfill, and 100,000 alarms (a fifth of them offline alarms).
func loadDust(ctx context.Context, db *store.DB) error {
	var ms []skygrid.MonitorImport
	for i, pt := range perfgen.Uniform(shanxi.Monitors, provinceSeed+7, perfgen.Shanxi) {
		ms = append(ms, skygrid.MonitorImport{Monitor: skygrid.Monitor{MN: fmt.Sprintf("SXM%08d", i+1), Name: fmt.Sprintf("示例扬尘监测仪%04d", i+1),
			Kind: skygrid.MonitorDust, Lon: pt[0], Lat: pt[1]}, Where: "line"})
	}
	if _, err := db.ImportMonitors(ctx, ms); err != nil {
		return fmt.Errorf("import monitors: %w", err)
	}
	h0, hours := provinceSince.Unix(), int(provinceUntil.Sub(provinceSince)/time.Hour)
	counties, _, err := db.FindRegions(ctx, skygrid.RegionFilter{Level: ptr(skygrid.LevelCounty)})
	if err != nil {
		return err
	}
	var vals []string
	for i, c := range counties {
		vals = append(vals, fmt.Sprintf("(%d, '%s')", i, c.ID))
	}
	for _, q := range []string{
		`DELETE FROM readings_hourly`, // a kept file's from a run that stopped
		fmt.Sprintf(`WITH RECURSIVE h(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM h WHERE x < %d)
			INSERT INTO readings_hourly (monitor_id, kind, hour, factor, n_all, n_valid, sum_valid, min_valid, max_valid) SELECT m.id, 'minute', %d + h.x * 3600, f.f, 60, 60 - (m.id + h.x) %% 7, 5000, 20, 300
			FROM monitors m, h, (SELECT 'pm10' f UNION ALL SELECT 'tsp') f`, hours-1, h0),
		fmt.Sprintf(`WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < 99999)
			INSERT INTO dust_alarms (monitor_id, county_id, rule, class, window_start, window_end, value, limit_value, created_at)
			SELECT 1 + n.x %% 5000, c.id, 'datong',
				CASE WHEN n.x %% 5 = 0 THEN 'monitor_offline' ELSE 'dust_exceedance' END,
				`+rfc3339SQL("%d + n.x * 26")+`, `+rfc3339SQL("%d + n.x * 26 + 300")+`, 200, 80, '2024-04-01T00:00:00Z'
			FROM n JOIN (SELECT column1 AS k, column2 AS id FROM (VALUES `+strings.Join(vals, ", ")+`) v) c ON c.k = n.x %% %d`, h0, h0, len(counties)),
	} {
		if err := db.ExecForTest(ctx, q); err != nil {
			return fmt.Errorf("dust fixtures: %w", err)
		}
	}
	if err := db.RebuildCaptureDailyForTest(ctx); err != nil {
		return fmt.Errorf("dust fixtures: the daily capture: %w", err)
	}
	return nil
}

// batchInsert gathers rows of one INSERT and sends them 500 at a time.
type batchInsert struct {
	head string
	rows []string
	args []any
}

func (bi *batchInsert) add(ctx context.Context, db *store.DB, vals ...any) error {
	bi.rows = append(bi.rows, "("+strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ")+")")
	bi.args = append(bi.args, vals...)
	if len(bi.rows) < 500 {
		return nil
	}
	return bi.flush(ctx, db)
}

func (bi *batchInsert) flush(ctx context.Context, db *store.DB) error {
	if len(bi.rows) == 0 {
		return nil
	}
	if err := db.ExecArgsForTest(ctx, bi.head+strings.Join(bi.rows, ", "), bi.args...); err != nil {
		return fmt.Errorf("batch insert: %w", err)
	}
	bi.rows, bi.args = bi.rows[:0], bi.args[:0]
	return nil
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }
