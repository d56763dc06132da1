package orbit

import (
	"testing"
	"time"
)

func TestSunElevation(t *testing.T) {
	tests := []struct {
		name     string
		lat, lon float64
		at       time.Time
		min, max float64
	}{
		// Datong, solar noon near the solstices: 90-40.1-23.4 and 90-40.1+23.4
		{"Datong winter noon", 40.08, 113.3, time.Date(2026, 12, 21, 4, 30, 0, 0, time.UTC), 25.5, 27.5},
		{"Datong summer noon", 40.08, 113.3, time.Date(2026, 6, 21, 4, 25, 0, 0, time.UTC), 72.3, 74.3},
		{"Datong midnight", 40.08, 113.3, time.Date(2026, 12, 5, 16, 30, 0, 0, time.UTC), -80, -60},
		{"equator equinox noon", 0, 0, time.Date(2026, 3, 20, 12, 7, 0, 0, time.UTC), 88, 90},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if e := SunElevation(tt.lat, tt.lon, tt.at); e < tt.min || e > tt.max {
				t.Errorf("sun at %.2f°, want %.1f..%.1f", e, tt.min, tt.max)
			}
		})
	}
}
