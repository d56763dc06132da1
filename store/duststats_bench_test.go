package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"skygrid"
	"skygrid/internal/storetest"
)

// BenchmarkDustStatsMonth: a month of SYNTHETIC dust data (made up for
// the benchmark): 1,000 dust monitors in 10 counties, their hourly
// aggregates for November 2026 (PM10 and TSP, minute data: 1.44 million
// rows of readings_hourly), 20,000 alarms. The dust figures of the month
// for the city and for one county.
func BenchmarkDustStatsMonth(b *testing.B) {
	db := storetest.NewDB(b, "dust.db")
	since := time.Date(2026, 10, 31, 16, 0, 0, 0, time.UTC)
	clock := since.AddDate(0, 0, -10)
	db.Now = func() time.Time { return clock }
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var counties []*skygrid.Region
	var ms []skygrid.MonitorImport
	for i := range 10 {
		counties = append(counties, &skygrid.Region{ID: fmt.Sprintf("1402%02d", 11+i), Name: fmt.Sprintf("县%d", i), Level: skygrid.LevelCounty,
			Geometry: square(113+float64(i)*0.2, 40, 0.09), AreaKm2: 300})
		for j := range 100 {
			ms = append(ms, skygrid.MonitorImport{Monitor: skygrid.Monitor{MN: fmt.Sprintf("B%d-%d", i, j), Name: "示例", Kind: skygrid.MonitorDust,
				Lon: 113 + float64(i)*0.2 + float64(j)*0.001 - 0.05, Lat: 40}, Where: "line"})
		}
	}
	if err := db.ImportRegions(ctx, counties); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ImportMonitors(ctx, ms); err != nil {
		b.Fatal(err)
	}
	h0 := since.Unix()
	for _, q := range []string{
		fmt.Sprintf(`WITH RECURSIVE h(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM h WHERE x < 719)
			INSERT INTO readings_hourly (monitor_id, kind, hour, factor, n_all, n_valid, sum_valid, min_valid, max_valid) SELECT m.id, 'minute', %d + h.x * 3600, f.f, 60, 60 - (m.id + h.x) %% 7, 5000, 20, 300
			FROM monitors m, h, (SELECT 'pm10' f UNION ALL SELECT 'tsp') f`, h0),
		fmt.Sprintf(`WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < 19999)
			INSERT INTO dust_alarms (monitor_id, county_id, rule, class, window_start, window_end, value, limit_value, created_at)
			SELECT 1 + n.x %% 1000, '1402' || (11 + (n.x %% 1000) / 100), 'datong', CASE WHEN n.x %% 5 = 0 THEN 'monitor_offline' ELSE 'dust_exceedance' END,
				`+rfc3339SQL("%d + n.x * 127")+`, `+rfc3339SQL("%d + n.x * 127 + 300")+`, 200, 80, '2026-11-01T00:00:00Z' FROM n`, h0, h0),
	} {
		if err := db.ExecForTest(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.RebuildCaptureDailyForTest(ctx); err != nil { // the hours above went in with SQL
		b.Fatal(err)
	}
	clock = since.AddDate(0, 0, 30)
	for _, tc := range []struct{ name, region string }{{"city", ""}, {"county", "140211"}} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				st, err := db.DustStats(ctx, skygrid.DustQuery{Since: since, Until: clock, Region: tc.region})
				if err != nil || st.Total.Alarms == 0 || st.Total.ValidMinutes == 0 {
					b.Fatalf("%v: %+v", err, st)
				}
			}
		})
	}
}

// rfc3339SQL is the SQL of Unix time expr (a Sprintf format, %% for %)
// as the store's RFC 3339 UTC text, in the run's dialect.
func rfc3339SQL(expr string) string {
	return dialect(`strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', `+expr+`, 'unixepoch')`,
		`to_char(to_timestamp(`+expr+`) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`)
}
