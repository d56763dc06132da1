package geo_test

import (
	"math"
	"testing"

	"skygrid/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// edgeMetres is how far p lies inside mp: the distance to its nearest edge
// (holes included), negative outside. Measured in a local equirectangular
// projection, as the label search does.
func edgeMetres(p orb.Point, mp orb.MultiPolygon) float64 {
	const m = 6378137 * math.Pi / 180
	kx, ky := m*math.Cos(p[1]*math.Pi/180), m
	best := math.Inf(1)
	for _, poly := range mp {
		for _, ring := range poly {
			for i := 0; i+1 < len(ring); i++ {
				ax, ay := (ring[i][0]-p[0])*kx, (ring[i][1]-p[1])*ky
				bx, by := (ring[i+1][0]-p[0])*kx, (ring[i+1][1]-p[1])*ky
				dx, dy := bx-ax, by-ay
				t := 0.0
				if l := dx*dx + dy*dy; l > 0 {
					t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l))
				}
				best = math.Min(best, math.Hypot(ax+t*dx, ay+t*dy))
			}
		}
	}
	if !planar.MultiPolygonContains(mp, p) {
		return -best
	}
	return best
}

func TestLabelPoint(t *testing.T) {
	// A U open to the north: its centroid lies in the opening.
	u := orb.MultiPolygon{{{{113.0, 40.0}, {113.3, 40.0}, {113.3, 40.3}, {113.2, 40.3}, {113.2, 40.1}, {113.1, 40.1}, {113.1, 40.3}, {113.0, 40.3}, {113.0, 40.0}}}}
	// A square with a hole in its middle.
	holed := orb.MultiPolygon{{sq(113.0, 40.0, 113.3, 40.3), sq(113.1, 40.1, 113.2, 40.2)}}
	// A small island and a large main part.
	parts := orb.MultiPolygon{{sq(114.0, 40.0, 114.02, 40.02)}, {sq(113.0, 40.0, 113.4, 40.2)}}
	for _, tt := range []struct {
		name string
		mp   orb.MultiPolygon
		// the label lies within tol degrees of want, when want is set
		want orb.Point
		tol  float64
		// and at least minEdge metres from every edge
		minEdge float64
	}{
		{"square: its centre", orb.MultiPolygon{{sq(113.0, 40.0, 113.1, 40.1)}}, orb.Point{113.05, 40.05}, 0.002, 4000},
		{"U shape: inside an arm or the base, not in the opening", u, orb.Point{}, 0, 3000},
		{"square with a hole: beside the hole", holed, orb.Point{}, 0, 3000},
		{"island and main part: in the main part", parts, orb.Point{113.2, 40.1}, 0.01, 10000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := geo.LabelPoint(tt.mp)
			if d := edgeMetres(p, tt.mp); d < tt.minEdge {
				t.Errorf("label %v is %.0f m from the edge, want at least %.0f m inside", p, d, tt.minEdge)
			}
			if tt.want != (orb.Point{}) && (math.Abs(p[0]-tt.want[0]) > tt.tol || math.Abs(p[1]-tt.want[1]) > tt.tol) {
				t.Errorf("label %v, want %v ± %v", p, tt.want, tt.tol)
			}
		})
	}
	if p := geo.LabelPoint(nil); p != (orb.Point{}) {
		t.Errorf("empty multipolygon: %v", p)
	}
}

// On Datong's real county outlines every label lies inside its county, and
// at least as deep inside as the centroid is (where that is inside at all).
func TestLabelPointDatongCounties(t *testing.T) {
	counties := readFeatures(t, "testdata/datong_districts_tianditu_cgcs2000.geojson", geo.CGCS2000)
	for id, mp := range counties {
		t.Run(id, func(t *testing.T) {
			p := geo.LabelPoint(mp)
			d := edgeMetres(p, mp)
			c := edgeMetres(geo.Centroid(mp), mp)
			if d <= 0 {
				t.Fatalf("label %v is outside the county (%.0f m)", p, d)
			}
			if d < c*0.99 {
				t.Errorf("label %v is %.0f m inside, the centroid %.0f m", p, d, c)
			}
		})
	}
}
