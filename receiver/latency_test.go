package receiver

import (
	"testing"
	"time"
)

func TestLatencySummary(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name          string
		obs           []time.Duration
		p50, p99, max time.Duration
	}{
		{"none", nil, 0, 0, 0},
		{"one", []time.Duration{3 * ms}, 3*ms + latencyStep, 3*ms + latencyStep, 3 * ms},
		{"hundred, one slow", append(repeat(99, 1*ms), 250*ms), 1*ms + latencyStep, 1*ms + latencyStep, 250 * ms},
		{"hundred, two slow", append(repeat(98, 1*ms), 40*ms, 250*ms), 1*ms + latencyStep, 40*ms + latencyStep, 250 * ms},
		{"beyond the last bucket", []time.Duration{time.Minute}, 10*time.Second + latencyStep, 10*time.Second + latencyStep, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l Latency
			for _, d := range tt.obs {
				l.Observe(d)
			}
			s := l.Summary()
			if s.N != int64(len(tt.obs)) || s.P50 != tt.p50 || s.P99 != tt.p99 || s.Max != tt.max {
				t.Errorf("Summary() = %+v, want n %d p50 %s p99 %s max %s", s, len(tt.obs), tt.p50, tt.p99, tt.max)
			}
		})
	}
}

func repeat(n int, d time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}
