package orbit

import (
	"testing"
	"time"
)

// BenchmarkPasses48h: the five fire satellites' passes over Datong for 48
// hours (what GET /api/passes computes when its hour is not kept yet).
func BenchmarkPasses48h(b *testing.B) {
	p, _, err := NewPredictor(Select(Fallback(), time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		b.Fatal(err)
	}
	from := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	n := 0
	for b.Loop() {
		ps, err := p.Passes(40.08, 113.30, from, from.Add(48*time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		n = len(ps)
	}
	b.ReportMetric(float64(n), "passes")
}
