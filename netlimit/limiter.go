package netlimit

import (
	"math"
	"sync"
	"time"
)

// Limiter is a token bucket per key (a client address, AddrKey): Rate
// tokens a second up to Burst; each Allow takes one. Buckets back to full
// are forgotten once a minute; should more than MaxKeys be held even
// then (a flood from many addresses), all are forgotten and start full:
// the limiter gives way rather than grow without bound. Safe for
// concurrent use.
type Limiter struct {
	rate    float64
	burst   float64
	now     func() time.Time
	maxKeys int
	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// DefaultMaxKeys bounds a Limiter's memory: some 100 bytes a key.
const DefaultMaxKeys = 100000

// NewLimiter returns a limiter of rate a second and burst at the clock
// now (nil: time.Now); nil when rate or burst is not positive (no limit:
// a nil Limiter allows everything).
func NewLimiter(rate float64, burst int, now func() time.Time) *Limiter {
	if rate <= 0 || burst <= 0 || math.IsNaN(rate) || math.IsInf(rate, 0) {
		return nil
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{rate: rate, burst: float64(burst), now: now, maxKeys: DefaultMaxKeys, buckets: map[string]*bucket{}}
}

// Allow takes a token of key's bucket: true, or false and how long until
// the next token.
func (l *Limiter) Allow(key string) (ok bool, wait time.Duration) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	if dt := now.Sub(b.at).Seconds(); dt > 0 {
		b.tokens = min(l.burst, b.tokens+dt*l.rate)
	}
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// sweep forgets the buckets that are full again, once a minute, and all
// of them when there are still too many.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute && len(l.buckets) < l.maxKeys {
		return
	}
	l.swept = now
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= l.maxKeys {
		clear(l.buckets)
	}
}

// Len is how many keys the limiter holds.
func (l *Limiter) Len() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
