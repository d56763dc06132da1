package store_test

import (
	"context"
	"testing"
	"time"

	"skygrid"
)

// checkCaptureDaily fails the test when readings_capture_daily differs
// from a recomputation from readings_hourly.
func checkCaptureDaily(t *testing.T, db interface {
	CaptureDailyDiffForTest(context.Context) ([]string, error)
}, step string) {
	t.Helper()
	diff, err := db.CaptureDailyDiffForTest(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	if len(diff) > 0 {
		t.Errorf("%s: the daily capture differs from readings_hourly: %v", step, diff)
	}
}

// The daily capture rollup follows every write of readings_hourly: new
// hours and days, more readings in an hour already counted (the hourly
// upsert), copies ignored, realtime and hour data, flagged values, a
// failed batch, and pruning the minute readings (which keeps the hours).
func TestCaptureDailyKeptByWrites(t *testing.T) {
	db, ids := monitorsDB(t)
	ctx := context.Background()
	// The rollup's days are Beijing days: 120 minutes from 23:00 Beijing
	// time fall on two.
	midnight := time.Date(2026, 11, 6, 0, 0, 0, 0, skygrid.Beijing)
	var across []skygrid.Reading
	for i := range 120 {
		flag := ""
		if i%7 == 0 {
			flag = "D"
		}
		across = append(across, minute(ids[0], midnight.Add(-time.Hour+time.Duration(i)*time.Minute), "", float64(i), flag))
	}
	rtd := func(id int64, at time.Time) skygrid.Reading {
		return skygrid.Reading{MonitorID: id, At: at, Kind: skygrid.ReadingRealtime, Source: skygrid.SourceHJ212,
			Values: map[string]float64{skygrid.FactorPM25: 30}}
	}
	var more []skygrid.Reading // into hours already counted, and realtime
	for i := range 30 {
		more = append(more, minute(ids[0], midnight.Add(-time.Hour+time.Duration(i)*time.Minute+30*time.Second), "", 50, ""))
		more = append(more, rtd(ids[1], midnight.Add(time.Duration(i)*20*time.Second)))
	}
	for _, tc := range []struct {
		name  string
		write func() error
	}{
		{"minutes across midnight", func() error { _, err := db.StoreReadings(ctx, across); return err }},
		{"the same minutes again (ignored)", func() error { _, err := db.StoreReadings(ctx, across[:60]); return err }},
		{"more values in the same hours, realtime", func() error { _, err := db.StoreReadings(ctx, more); return err }},
		{"hour and day readings", func() error {
			h := skygrid.Reading{MonitorID: ids[1], At: midnight.Add(5 * time.Hour), Kind: skygrid.ReadingHour, Source: skygrid.SourceHJ212,
				Values: map[string]float64{skygrid.FactorPM10: 7}}
			d := h
			d.Kind, d.At = skygrid.ReadingDay, midnight
			_, err := db.StoreReadings(ctx, []skygrid.Reading{h, d})
			return err
		}},
		{"a batch that fails stores nothing", func() error {
			bad := []skygrid.Reading{minute(ids[1], midnight.Add(9*time.Hour), "", 1, ""), minute(987654, midnight, "", 1, "")}
			if _, err := db.StoreReadings(ctx, bad); err == nil {
				t.Error("a reading of no monitor was stored")
			}
			return nil
		}},
		{"pruning the minutes", func() error { _, err := db.PruneReadings(ctx, midnight.Add(time.Hour)); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.write(); err != nil {
				t.Fatal(err)
			}
			checkCaptureDaily(t, db, tc.name)
		})
	}
	var days int
	if err := db.QueryRowForTest(ctx, `SELECT COUNT(*) FROM readings_capture_daily`).Scan(&days); err != nil || days != 3 {
		t.Errorf("%d monitor-days (%v), want 3 (M1 on the 5th and 6th, M2 on the 6th)", days, err)
	}
}

// DustStats's capture (whole days from the rollup, the edge hours from
// readings_hourly, partial hours from the readings, for all monitors at
// once) equals the count of each monitor's hourly rows and readings over
// its own period, for periods on and off the day and hour boundaries.
func TestDustStatsCaptureEqualsHourlyCount(t *testing.T) {
	db, mons := dustDB(t)
	ctx := context.Background()
	created := map[string]time.Time{"M4": time.Date(2026, 11, 5, 3, 30, 0, 0, time.UTC)} // the others before every period
	day5 := time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name         string
		since, until time.Time
	}{
		{"two Beijing days, until after now", dustSince, dustUntil},
		{"whole UTC days", day5.AddDate(0, 0, -1), day5.AddDate(0, 0, 1)},
		{"one UTC day", day5, day5.AddDate(0, 0, 1)},
		{"from mid-hour across midnight", day5.Add(-90 * time.Minute), day5.Add(26*time.Hour + 10*time.Minute)},
		{"less than a day across midnight", day5.Add(-2 * time.Hour), day5.Add(22 * time.Hour)},
		{"inside one hour", day5.Add(70 * time.Minute), day5.Add(100 * time.Minute)},
		{"two partial hours", day5.Add(50 * time.Minute), day5.Add(75 * time.Minute)},
		{"the night of M2's realtime data", day5.Add(15*time.Hour + 7*time.Minute), dustNow.Add(time.Hour)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := db.DustStats(ctx, skygrid.DustQuery{Since: tc.since, Until: tc.until})
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Monitors) != len(mons) {
				t.Fatalf("%d monitors, want %d", len(st.Monitors), len(mons))
			}
			var total int64
			for _, m := range st.Monitors {
				start, end := tc.since, tc.until
				if end.After(dustNow) {
					end = dustNow
				}
				if c, ok := created[m.MN]; ok && c.After(start) {
					start = c
				}
				var hours int
				var valid int64
				if end.After(start) {
					if hours, valid, err = db.ValidMinutesForTest(ctx, m.MonitorID, start, end); err != nil {
						t.Fatal(err)
					}
					h0, h1 := start.Truncate(time.Hour), end.Add(time.Hour-time.Second).Truncate(time.Hour)
					hours = int(h1.Sub(h0)/time.Hour) - hours
				}
				if m.ValidMinutes != valid || m.OfflineHours != hours {
					t.Errorf("%s: %d valid minutes, %d offline hours; want %d, %d", m.MN, m.ValidMinutes, m.OfflineHours, valid, hours)
				}
				total += valid
			}
			if st.Total.ValidMinutes != total {
				t.Errorf("total %d valid minutes, want %d", st.Total.ValidMinutes, total)
			}
		})
	}
}
