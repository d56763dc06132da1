package tiles_test

import (
	"testing"
	"time"

	"skygrid/tiles"
)

func TestPM10Level(t *testing.T) {
	now := time.Date(2026, 11, 5, 6, 30, 0, 0, time.UTC)
	hour := now.Truncate(time.Hour).Add(-time.Hour) // 05:00-06:00, ended 30 minutes ago
	v := func(x float64) *float64 { return &x }
	for _, tc := range []struct {
		name string
		pm10 *float64
		hour time.Time
		want int
	}{
		{"no reading", nil, hour, 0},
		{"0 is 优", v(0), hour, 1},
		{"50 is still 优", v(50), hour, 1},
		{"50.1 is 良", v(50.1), hour, 2},
		{"150 is 良", v(150), hour, 2},
		{"250 is 轻度", v(250), hour, 3},
		{"350 is 中度", v(350), hour, 4},
		{"420 is 重度", v(420), hour, 5},
		{"420.1 is 严重", v(420.1), hour, 6},
		{"ended exactly 2 hours ago", v(80), now.Add(-3 * time.Hour), 2},
		{"ended more than 2 hours ago: grey", v(80), now.Add(-3*time.Hour - time.Second), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tiles.PM10Level(tc.pm10, tc.hour, now); got != tc.want {
				t.Fatalf("level %d, want %d", got, tc.want)
			}
			if c := tiles.LevelColours[tc.want]; c == "" {
				t.Fatal("no colour")
			}
		})
	}
}
