package receiver

import (
	"sync/atomic"
	"time"
)

// latencyStep is the width of a bucket of the latency histogram; the last
// bucket holds everything from latencyBuckets-1 steps (10 s) on.
const (
	latencyStep    = 100 * time.Microsecond
	latencyBuckets = 100001
)

// Latency is the histogram of the time from a data packet received (its
// last byte read) to its readings stored (the batch's StoreReadings
// returned), on the wall clock, in 0.1 ms buckets; safe for concurrent use.
type Latency struct {
	buckets [latencyBuckets]atomic.Int64
	max     atomic.Int64
}

// Observe counts one packet's time.
func (l *Latency) Observe(d time.Duration) {
	i := min(max(int(d/latencyStep), 0), latencyBuckets-1)
	l.buckets[i].Add(1)
	for {
		m := l.max.Load()
		if int64(d) <= m || l.max.CompareAndSwap(m, int64(d)) {
			return
		}
	}
}

// LatencySummary are the figures of a Latency.
type LatencySummary struct {
	N             int64
	P50, P99, Max time.Duration // a quantile is its bucket's upper bound
}

// Summary reads the histogram: the count, p50 and p99 (nearest rank, to
// 0.1 ms above) and the largest time seen.
func (l *Latency) Summary() LatencySummary {
	var counts [latencyBuckets]int64
	var s LatencySummary
	for i := range counts {
		counts[i] = l.buckets[i].Load()
		s.N += counts[i]
	}
	s.Max = time.Duration(l.max.Load())
	if s.N == 0 {
		return s
	}
	s.P50, s.P99 = quantile(counts[:], s.N, 0.50), quantile(counts[:], s.N, 0.99)
	return s
}

func quantile(counts []int64, n int64, p float64) time.Duration {
	rank := max(int64(p*float64(n)+0.5), 1)
	var seen int64
	for i, c := range counts {
		if seen += c; seen >= rank {
			return time.Duration(i+1) * latencyStep
		}
	}
	return time.Duration(len(counts)) * latencyStep
}
