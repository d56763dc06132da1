package dustrule

import (
	"testing"
)

// A Beijing day of minute PM10 judged by datong_default (24 windows) and
// by a 5-minute rule (288 windows): what a recount of the day costs when
// an exceeding window closes.
func BenchmarkEvaluateDay(b *testing.B) {
	rs := series(day0, 1440, "pm10", func(i int) float64 { return 150 + float64(i%90) }, nil)
	five := DefaultConfig().rule("liaoning_tsp_built_up")
	five.Factor = "pm10"
	for _, r := range []Rule{datong(), five} {
		b.Run(r.Window.String(), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				r.Evaluate(pingcheng, rs, county100)
			}
		})
	}
}
