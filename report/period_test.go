package report_test

import (
	"skygrid"
	"testing"
	"time"

	"skygrid/report"
)

func TestParsePeriod(t *testing.T) {
	bj := skygrid.Beijing
	for _, tc := range []struct {
		in           string
		since, until time.Time
	}{
		{"2023-10", time.Date(2023, 10, 1, 0, 0, 0, 0, bj), time.Date(2023, 11, 1, 0, 0, 0, 0, bj)},
		{"2023-10-24", time.Date(2023, 10, 24, 0, 0, 0, 0, bj), time.Date(2023, 10, 25, 0, 0, 0, 0, bj)},
		{"2023-W43", time.Date(2023, 10, 23, 0, 0, 0, 0, bj), time.Date(2023, 10, 30, 0, 0, 0, 0, bj)},
		{"2020-W53", time.Date(2020, 12, 28, 0, 0, 0, 0, bj), time.Date(2021, 1, 4, 0, 0, 0, 0, bj)},
		{"2025-W01", time.Date(2024, 12, 30, 0, 0, 0, 0, bj), time.Date(2025, 1, 6, 0, 0, 0, 0, bj)},
		{"2023", time.Date(2023, 1, 1, 0, 0, 0, 0, bj), time.Date(2024, 1, 1, 0, 0, 0, 0, bj)},
		{"2023-spring", time.Date(2023, 3, 1, 0, 0, 0, 0, bj), time.Date(2023, 6, 1, 0, 0, 0, 0, bj)},
		{"2023-autumn", time.Date(2023, 9, 15, 0, 0, 0, 0, bj), time.Date(2023, 12, 1, 0, 0, 0, 0, bj)},
		{"2023-10-01..2023-10-15", time.Date(2023, 10, 1, 0, 0, 0, 0, bj), time.Date(2023, 10, 15, 0, 0, 0, 0, bj)},
	} {
		p, err := report.ParsePeriod(tc.in, nil)
		if err != nil || !p.Since.Equal(tc.since) || !p.Until.Equal(tc.until) || p.Name == "" {
			t.Errorf("%s: %v..%v %q (%v), want %v..%v", tc.in, p.Since, p.Until, p.Name, err, tc.since, tc.until)
		}
	}
	for _, bad := range []string{"", "October", "2023-13", "2023-10-15..2023-10-01", "2023-winter", "2023-W53", "2023-W54", "2023-W00"} {
		if _, err := report.ParsePeriod(bad, nil); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
