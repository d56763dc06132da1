package geo_test

import (
	"math/rand"
	"testing"

	"skygrid/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// TestShapeContainsAsPlanar: a prepared shape answers as
// planar.MultiPolygonContains for points inside, outside, in holes, on
// edges and vertices (outer rings and holes) and at random.
func TestShapeContainsAsPlanar(t *testing.T) {
	concave := orb.Ring{{113, 40}, {113.3, 40}, {113.3, 40.3}, {113.15, 40.1}, {113, 40.3}, {113, 40}}
	for _, tt := range []struct {
		name string
		mp   orb.MultiPolygon
	}{
		{"square with a hole", orb.MultiPolygon{{sq(113.0, 40.0, 113.1, 40.1), sq(113.04, 40.04, 113.06, 40.06)}}},
		{"two parts", orb.MultiPolygon{{sq(114.0, 40.0, 114.1, 40.1)}, {sq(114.3, 40.0, 114.4, 40.1)}}},
		{"concave", orb.MultiPolygon{{concave}}},
		{"concave with two holes", orb.MultiPolygon{{concave, sq(113.02, 40.02, 113.05, 40.05), sq(113.2, 40.02, 113.25, 40.05)}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, b := geo.NewShape(tt.mp), tt.mp.Bound()
			var pts []orb.Point
			for _, poly := range tt.mp {
				for _, r := range poly {
					for i := 0; i+1 < len(r); i++ { // vertices, edge midpoints, just off them
						mid := orb.Point{(r[i][0] + r[i+1][0]) / 2, (r[i][1] + r[i+1][1]) / 2}
						pts = append(pts, r[i], mid, orb.Point{mid[0] + 1e-9, mid[1]}, orb.Point{mid[0], mid[1] - 1e-9})
					}
				}
			}
			rnd := rand.New(rand.NewSource(1))
			for range 2000 {
				pts = append(pts, orb.Point{b.Min[0] - 0.05 + rnd.Float64()*(b.Max[0]-b.Min[0]+0.1), b.Min[1] - 0.05 + rnd.Float64()*(b.Max[1]-b.Min[1]+0.1)})
			}
			in := 0
			for _, p := range pts {
				want := planar.MultiPolygonContains(tt.mp, p)
				if got := s.Contains(p); got != want {
					t.Errorf("%v: Contains %v, planar %v", p, got, want)
				}
				in += b2i(want)
			}
			if in == 0 || in == len(pts) {
				t.Fatalf("%d of %d points inside: the test tells nothing", in, len(pts))
			}
		})
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
