package store

import (
	"testing"
	"time"

	"skygrid"
)

// A period on Beijing midnights (every period of the statistics pages)
// is read from whole days of the rollup alone: no edge hours from
// readings_hourly. A period on UTC midnights has edges of 16 and 8 hours.
func TestCaptureSpanReadsBeijingDaysWhole(t *testing.T) {
	bj := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, skygrid.Beijing) }
	utc := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name       string
		start, end time.Time
		d0, d1     time.Time
	}{
		{"a Beijing month", bj(2024, 4, 1), bj(2024, 5, 1), bj(2024, 4, 1), bj(2024, 5, 1)},
		{"one Beijing day", bj(2026, 11, 5), bj(2026, 11, 6), bj(2026, 11, 5), bj(2026, 11, 6)},
		{"two UTC days", utc(2026, 11, 4), utc(2026, 11, 6), bj(2026, 11, 5), bj(2026, 11, 6)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := captureSpan(tc.start, tc.end)
			if s.d0 != tc.d0.Unix() || s.d1 != tc.d1.Unix() {
				t.Errorf("whole days [%s, %s), want [%s, %s)", ts(time.Unix(s.d0, 0)), ts(time.Unix(s.d1, 0)), ts(tc.d0), ts(tc.d1))
			}
			edges := (s.d0 - s.h0 + s.h1 - s.d1) / 3600
			if want := (tc.d0.Sub(tc.start) + tc.end.Sub(tc.d1)) / time.Hour; edges != int64(want) {
				t.Errorf("%d edge hours, want %d", edges, want)
			}
		})
	}
}

// captureDay is the Beijing midnight at or before a time.
func TestCaptureDay(t *testing.T) {
	mid := time.Date(2026, 11, 6, 0, 0, 0, 0, skygrid.Beijing)
	for _, at := range []time.Time{mid, mid.Add(time.Second), mid.Add(15 * time.Hour), mid.Add(24*time.Hour - time.Second)} {
		if got := captureDay(at.Unix()); got != mid.Unix() {
			t.Errorf("%s: day %s, want %s", ts(at), ts(time.Unix(got, 0)), ts(mid))
		}
	}
}
