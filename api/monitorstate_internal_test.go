package api

import (
	"testing"
	"time"

	"skygrid"
)

// A monitor is silent once quiet for the silence rule's time (the dust
// rules' silent_after; an air station, which may send hourly, 2 hours at
// least); one never heard is not called silent (it is unheard).
func TestMonitorSilent(t *testing.T) {
	now := time.Date(2023, 10, 31, 10, 23, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		kind  string
		quiet time.Duration
		after time.Duration
		want  bool
	}{
		{"a dust monitor heard 5 minutes ago", skygrid.MonitorDust, 5 * time.Minute, 30 * time.Minute, false},
		{"a dust monitor quiet since 33 minutes", skygrid.MonitorDust, 33 * time.Minute, 30 * time.Minute, true},
		{"the same under a silent_after of an hour", skygrid.MonitorDust, 33 * time.Minute, time.Hour, false},
		{"a station heard an hour ago", skygrid.MonitorStation, time.Hour, 30 * time.Minute, false},
		{"a station quiet for 3 hours", skygrid.MonitorStation, 3 * time.Hour, 30 * time.Minute, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := silent(tc.kind, now.Add(-tc.quiet), now, tc.after); got != tc.want {
				t.Errorf("silent %v, want %v", got, tc.want)
			}
		})
	}
	if silent(skygrid.MonitorDust, time.Time{}, now, 30*time.Minute) {
		t.Error("a monitor never heard called silent")
	}
}
