package config

import (
	"strings"
	"testing"
)

func TestHJ212AndVideoSections(t *testing.T) {
	tests := []struct {
		name string
		sets []string
		want string // part of the error; "" valid
	}{
		{"defaults", nil, ""},
		{"limits set", []string{"hj212.idle_timeout=5m", "hj212.max_conns=20000", "hj212.batch_window=10ms", "hj212.batch_max=500"}, ""},
		{"idle timeout too short", []string{"hj212.idle_timeout=100ms"}, "hj212.idle_timeout"},
		{"no connections", []string{"hj212.max_conns=0"}, "hj212.max_conns"},
		{"batch window too long", []string{"hj212.batch_window=2s"}, "hj212.batch_window"},
		{"empty batches", []string{"hj212.batch_max=0"}, "hj212.batch_max"},
		{"probe every minute", []string{"video.probe_minutes=1", "video.offline_minutes=3"}, ""},
		{"no probing", []string{"video.probe_minutes=0"}, "video.probe_minutes"},
		{"offline before a probe", []string{"video.probe_minutes=10", "video.offline_minutes=5"}, "video.offline_minutes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("", nil, tt.sets...)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("Load(%v) = %v, want %q", tt.sets, err, tt.want)
			}
		})
	}
	d := Default()
	if d.HJ212.BatchMax != 1000 || d.Video.ProbeMinutes != 5 || d.Video.OfflineMinutes != 30 {
		t.Errorf("defaults %+v %+v", d.HJ212, d.Video)
	}
}
