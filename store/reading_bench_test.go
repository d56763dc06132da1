package store_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"skygrid"
	"skygrid/store"
)

// benchEnv reads a positive whole number from the environment.
func benchEnv(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// fileSize is the database's size once its WAL is checkpointed into it.
func fileSize(b *testing.B, db *store.DB, path string) int64 {
	b.Helper()
	if err := db.ExecForTest(context.Background(), `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return st.Size()
}

// BenchmarkReadingsYear: SYNTHETIC minute data (made up for the
// benchmark: a daily PM10 cycle with noise, every factor a dust monitor
// sends, 1 in 200 values flagged) for SKYGRID_BENCH_MONITORS monitors
// (default 10) over SKYGRID_BENCH_DAYS days (default 35), stored an hour
// of all monitors per transaction. A year for 1,000 monitors (525 million
// minute rows) is too long to generate here, so the size is measured per
// row (the file before and after pruning every minute row and VACUUM:
// minute rows and hourly aggregates apart) and projected, as metrics.
// Then the queries: a site's 30-day chart (hourly aggregates) and a day
// of minute data, for one monitor.
func BenchmarkReadingsYear(b *testing.B) {
	nMon, days := benchEnv("SKYGRID_BENCH_MONITORS", 10), benchEnv("SKYGRID_BENCH_DAYS", 35)
	path := filepath.Join(b.TempDir(), "readings.db")
	db := store.NewDB(path)
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var ms []skygrid.MonitorImport
	for i := range nMon {
		ms = append(ms, skygrid.MonitorImport{Monitor: skygrid.Monitor{MN: fmt.Sprintf("BENCH%06d", i), Name: "示例", Kind: skygrid.MonitorDust,
			Lon: 113 + float64(i)*0.001, Lat: 40}})
	}
	if _, err := db.ImportMonitors(ctx, ms); err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	base := fileSize(b, db, path)
	t0 := time.Now()
	rows := generateReadings(b, db, ms, start, days)
	took := time.Since(t0)
	full := fileSize(b, db, path)
	minuteRows, hourRows := rows, int64(nMon*days*24*len(skygrid.Factors))
	b.Logf("generated %d minute rows for %d monitors over %d days in %s (%.0f readings/s); file %.1f MiB",
		rows, nMon, days, took.Round(time.Second), float64(rows)/took.Seconds(), float64(full)/(1<<20))
	end := start.AddDate(0, 0, days)
	b.Run("chart 30 days hourly", func(b *testing.B) {
		for b.Loop() {
			if s, err := db.ReadingSeries(ctx, ms[nMon/2].ID, end.AddDate(0, 0, -30), end, skygrid.ResHour); err != nil || len(s) != 720 {
				b.Fatalf("%d hours, %v", len(s), err)
			}
		}
	})
	b.Run("a day of minutes", func(b *testing.B) {
		for b.Loop() {
			if s, err := db.ReadingSeries(ctx, ms[nMon/2].ID, end.AddDate(0, 0, -1), end, skygrid.ResMinute); err != nil || len(s) != 1440 {
				b.Fatalf("%d minutes, %v", len(s), err)
			}
		}
	})
	if _, err := db.PruneReadings(ctx, end); err != nil {
		b.Fatal(err)
	}
	if err := db.ExecForTest(ctx, `VACUUM`); err != nil {
		b.Fatal(err)
	}
	hourly := fileSize(b, db, path)
	perMinute := float64(full-hourly) / float64(minuteRows)
	perHour := float64(hourly-base) / float64(hourRows)
	const yearMinutes, yearHours = 1000 * 525600, 1000 * 8760
	b.Logf("size: %.1f B a minute row (9 factors), %.1f B an hourly aggregate row; projected for 1,000 monitors: a year of minute data %.1f GiB, "+
		"90 days (keep_minutes) %.1f GiB, a year of hourly aggregates %.2f GiB", perMinute, perHour, perMinute*yearMinutes/(1<<30),
		perMinute*1000*1440*90/(1<<30), perHour*yearHours*float64(len(skygrid.Factors))/(1<<30))
}

// generateReadings stores a minute reading of every factor for every
// monitor and minute, an hour of all monitors per call; it returns the
// rows stored.
func generateReadings(b *testing.B, db *store.DB, ms []skygrid.MonitorImport, start time.Time, days int) int64 {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	var total int64
	batch := make([]skygrid.Reading, 0, 60*len(ms))
	for h := range days * 24 {
		batch = batch[:0]
		for _, m := range ms {
			for min := range 60 {
				at := start.Add(time.Duration(h*60+min) * time.Minute)
				batch = append(batch, syntheticReading(rng, m.ID, at))
			}
		}
		n, err := db.StoreReadings(context.Background(), batch)
		if err != nil {
			b.Fatal(err)
		}
		total += int64(n)
	}
	return total
}

func syntheticReading(rng *rand.Rand, id int64, at time.Time) skygrid.Reading {
	hour := float64(at.Hour()) + float64(at.Minute())/60
	pm10 := math.Round((80+50*math.Sin((hour-3)/24*2*math.Pi)+rng.NormFloat64()*15)*10) / 10
	r := skygrid.Reading{MonitorID: id, At: at, Kind: skygrid.ReadingMinute, Source: skygrid.SourceHJ212,
		QN: at.Format("20060102150405") + fmt.Sprintf("%03d", id%1000),
		Values: map[string]float64{skygrid.FactorPM10: math.Max(pm10, 5), skygrid.FactorPM25: math.Max(pm10*0.5, 3),
			skygrid.FactorTSP: math.Max(pm10*1.8, 10), skygrid.FactorTemperature: math.Round(rng.Float64()*200) / 10,
			skygrid.FactorHumidity: math.Round(rng.Float64()*900) / 10, skygrid.FactorPressure: 89.5,
			skygrid.FactorWindSpeed: math.Round(rng.Float64()*80) / 10, skygrid.FactorWindDir: float64(rng.IntN(360)),
			skygrid.FactorNoise: math.Round((55+rng.Float64()*20)*10) / 10}}
	if rng.IntN(200) == 0 {
		r.Flags = map[string]string{skygrid.FactorPM10: "D"}
	}
	return r
}
