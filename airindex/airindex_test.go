package airindex_test

import (
	"math"
	"strconv"
	"testing"
	"time"

	"skygrid"
	"skygrid/airindex"
	"skygrid/aqi"
)

// day0 is 2026-11-10 00:00 Beijing: its hours are labelled 01:00 to 24:00.
var day0 = time.Date(2026, 11, 10, 0, 0, 0, 0, skygrid.Beijing)

// hoursOf puts value v of key at the day's labels 1..n (hour h is the
// label day0+h), and an hour labelled day0 itself (the previous day's
// last) of 1000 that must not count.
func hoursOf(key string, labels []int, v func(h int) float64) airindex.Hours {
	hs := airindex.Hours{day0.UTC(): {key: 1000}}
	for _, h := range labels {
		hs[day0.Add(time.Duration(h)*time.Hour).UTC()] = map[string]float64{key: v(h)}
	}
	return hs
}

func span(from, to int) []int {
	var out []int
	for h := from; h <= to; h++ {
		out = append(out, h)
	}
	return out
}

func TestDayOf24HourCapture(t *testing.T) {
	tests := []struct {
		name   string
		labels []int
		want   float64 // 0: no valid mean
	}{
		// 19 hours (labels 6..24): below the 20 of GB 3095 Table 4.
		{"19 hours: none", span(6, 24), 0},
		// 20 hours (labels 5..24): 19 of 10 and label 24 of 30:
		// (19·10 + 30)/20 = 11.
		{"20 hours: the mean of 20", span(5, 24), 11},
		// 24 hours: (23·10 + 30)/24 = 10.8333…
		{"24 hours", span(1, 24), 260.0 / 24},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := hoursOf(aqi.PM25, tt.labels, func(h int) float64 {
				if h == 24 {
					return 30
				}
				return 10
			})
			got, ok := airindex.DayOf(hs, day0).Values[aqi.PM25]
			if tt.want == 0 {
				if ok {
					t.Fatalf("PM2.5 %v from %d hours, want none", got, len(tt.labels))
				}
				return
			}
			if !ok || math.Abs(got-tt.want) > 1e-9 {
				t.Fatalf("PM2.5 %v (%v), want %v", got, ok, tt.want)
			}
		})
	}
}

// With O3 at labels 1..N, the window ending e (8..24) holds labels
// e−7..e: all 8 present for e ≤ N, N−e+8 for e > N, valid (≥ 6) up to
// e = N+2; so N−5 valid windows: 14 for N = 19, 13 for N = 18.
func TestDailyMax8hCapture(t *testing.T) {
	flat := func(h int) float64 { return 80 }
	// 200 at labels 9..16: the window ending 16 is all 200; > 160.
	peak := func(h int) float64 {
		if h >= 9 && h <= 16 {
			return 200
		}
		return 100
	}
	tests := []struct {
		name   string
		labels []int
		v      func(int) float64
		want   float64
	}{
		{"14 windows: valid", span(1, 19), flat, 80},
		{"13 windows: none", span(1, 18), flat, 0},
		{"13 windows but above 160: valid", span(1, 18), peak, 200},
		// Labels 1..5 and 9..24 (6, 7, 8 missing): the windows ending 8
		// to 13 hold 5 hours each (1..5; 2..5+9; 3..5+9..10; 4..5+9..11;
		// 5+9..12; 9..13): not valid; those ending 14..24 hold 6 to 8:
		// 11 windows: no daily max.
		{"5 of 8 hours: window not valid", append(span(1, 5), span(9, 24)...), flat, 0},
		// Labels 1..6 and 9..24: the window ending 8 holds 1..6, those
		// ending 9..13 hold 6 too (2..6+9, …, 6+9..13): all 17 valid.
		{"6 of 8 hours: window valid", append(span(1, 6), span(9, 24)...), flat, 80},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := airindex.DayOf(hoursOf(aqi.O3, tt.labels, tt.v), day0).Values[aqi.O38h]
			if tt.want == 0 {
				if ok {
					t.Fatalf("O3-8h max %v, want none", got)
				}
				return
			}
			if !ok || math.Abs(got-tt.want) > 1e-9 {
				t.Fatalf("O3-8h max %v (%v), want %v", got, ok, tt.want)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	tests := []struct {
		name string
		xs   []float64
		p    float64
		want float64
	}{
		// The worked example quoted with HJ 663's formula: sorted
		// {2,3,4,4,5,8}, k = 1 + 5·0.9 = 5.5, X5 + (X6 − X5)·0.5 = 5 + 1.5.
		{"six values p90", []float64{3, 4, 8, 2, 5, 4}, 90, 6.5},
		{"one value", []float64{0.7}, 95, 0.7},
		// n = 2: k = 1 + 0.95 = 1.95: 1 + (2 − 1)·0.95.
		{"two values p95", []float64{2, 1}, 95, 1.95},
		// n = 3: k = 1 + 2·0.9 = 2.8: 20 + (30 − 20)·0.8.
		{"three values p90", []float64{30, 10, 20}, 90, 28},
		// n = 27: k = 1 + 26·0.95 = 25.7: X25 + 0.7·(X26 − X25), with
		// X_i = i/10: 2.5 + 0.07 = 2.57.
		{"27 days p95", tenths(27), 95, 2.57},
		{"ties", []float64{1, 1, 1, 1}, 90, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := airindex.Percentile(tt.xs, tt.p); math.Abs(got-tt.want) > 1e-9 {
				t.Fatalf("P%v = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

// tenths is 0.1, 0.2, … n/10, reversed (the percentile sorts).
func tenths(n int) []float64 {
	var out []float64
	for i := n; i >= 1; i-- {
		out = append(out, float64(i)/10)
	}
	return out
}

func TestRoundHalfEven(t *testing.T) {
	for _, tt := range []struct {
		x      float64
		places int
		want   float64
	}{{2.5, 0, 2}, {3.5, 0, 4}, {44.4, 0, 44}, {0.25, 1, 0.2}, {0.35, 1, 0.4}, {2.855, 1, 2.9}, {4.86875, 2, 4.87}, {4.865, 2, 4.86}} {
		t.Run(strconv.FormatFloat(tt.x, 'f', -1, 64), func(t *testing.T) {
			if got := airindex.Round(tt.x, tt.places); got != tt.want {
				t.Fatalf("Round(%v, %d) = %v, want %v", tt.x, tt.places, got, tt.want)
			}
		})
	}
}
