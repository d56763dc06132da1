package geo

import (
	"math"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/planar"
)

// metresPerDegree is the length of one degree of latitude on orb's sphere.
const metresPerDegree = orb.EarthRadius * math.Pi / 180

// DistanceMeters is the great-circle distance between two WGS84 points.
func DistanceMeters(a, b orb.Point) float64 { return orbgeo.Distance(a, b) }

// Near measures short distances (up to tens of km) from one point fast, in
// an equirectangular projection around it: within 0.1% of the great-circle
// distance at the 0.4-5 km that the detect rules use.
type Near struct {
	p      orb.Point
	kx, ky float64
}

// NewNear prepares distances from p.
func NewNear(p orb.Point) Near {
	return Near{p: p, kx: metresPerDegree * math.Cos(p[1]*math.Pi/180), ky: metresPerDegree}
}

// Metres is the distance from the prepared point to q.
func (n Near) Metres(q orb.Point) float64 {
	dx, dy := (q[0]-n.p[0])*n.kx, (q[1]-n.p[1])*n.ky
	return math.Sqrt(dx*dx + dy*dy)
}

// AreaKm2 is the geodesic area of a WGS84 multipolygon in km².
func AreaKm2(mp orb.MultiPolygon) float64 { return math.Abs(orbgeo.Area(mp)) / 1e6 }

// Centroid is the area-weighted centroid (planar in degrees, which is what
// boundary comparisons use).
func Centroid(mp orb.MultiPolygon) orb.Point {
	c, _ := planar.CentroidArea(mp)
	return c
}

// DegreesFor returns how many degrees of latitude and of longitude at lat
// make the given metres. Used to grow bounds before an index search.
func DegreesFor(metres, lat float64) (dLat, dLon float64) {
	dLat = metres / metresPerDegree
	c := math.Cos(lat * math.Pi / 180)
	if c < 0.01 {
		c = 0.01
	}
	return dLat, dLat / c
}

// GrowBound returns b grown by metres on every side.
func GrowBound(b orb.Bound, metres float64) orb.Bound {
	lat := math.Max(math.Abs(b.Min[1]), math.Abs(b.Max[1]))
	dLat, dLon := DegreesFor(metres, lat)
	return orb.Bound{Min: orb.Point{b.Min[0] - dLon, b.Min[1] - dLat}, Max: orb.Point{b.Max[0] + dLon, b.Max[1] + dLat}}
}

// DistanceToMultiPolygon returns the distance in metres from p to the
// nearest point of mp: 0 inside. Near distances (a few km) are measured in a
// local equirectangular projection around p, accurate to well under 1%.
func DistanceToMultiPolygon(p orb.Point, mp orb.MultiPolygon) float64 {
	if planar.MultiPolygonContains(mp, p) {
		return 0
	}
	kx := metresPerDegree * math.Cos(p[1]*math.Pi/180)
	ky := metresPerDegree
	best := math.Inf(1)
	for _, poly := range mp {
		for _, ring := range poly {
			for i := 0; i+1 < len(ring); i++ {
				d := segDist2((ring[i][0]-p[0])*kx, (ring[i][1]-p[1])*ky, (ring[i+1][0]-p[0])*kx, (ring[i+1][1]-p[1])*ky)
				if d < best {
					best = d
				}
			}
		}
	}
	return math.Sqrt(best)
}

// segDist2 is the squared distance from the origin to segment (ax,ay)-(bx,by).
func segDist2(ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = -(ax*dx + ay*dy) / l2
		if t < 0 {
			t = 0
		} else if t > 1 {
			t = 1
		}
	}
	x, y := ax+t*dx, ay+t*dy
	return x*x + y*y
}

// AreaM2 is the geodesic area of a polygon geometry in square metres (on
// the sphere of orb's geo package; 0 for points).
func AreaM2(g orb.Geometry) float64 { return math.Abs(orbgeo.Area(g)) }

// Rect returns a w × h metre rectangle centred on c, its sides along the
// meridian and the parallel (an exterior ring counter-clockwise).
func Rect(c orb.Point, w, h float64) orb.MultiPolygon {
	dLat, dLon := DegreesFor(h/2, c[1])
	_, dLon = DegreesFor(w/2, c[1])
	return orb.MultiPolygon{{{
		{c[0] - dLon, c[1] - dLat}, {c[0] + dLon, c[1] - dLat}, {c[0] + dLon, c[1] + dLat},
		{c[0] - dLon, c[1] + dLat}, {c[0] - dLon, c[1] - dLat},
	}}}
}

// NearestOn returns the point of mp's boundary nearest to p, the distance
// to it in metres and the bearing from it to p in degrees clockwise from
// north (where p lies seen from mp). p inside mp gives p, 0 and 0. Like
// DistanceToMultiPolygon it measures in a local projection around p.
func NearestOn(p orb.Point, mp orb.MultiPolygon) (q orb.Point, metres, bearing float64) {
	if planar.MultiPolygonContains(mp, p) {
		return p, 0, 0
	}
	kx := metresPerDegree * math.Cos(p[1]*math.Pi/180)
	ky := metresPerDegree
	best, bx, by := math.Inf(1), 0.0, 0.0
	for _, poly := range mp {
		for _, ring := range poly {
			for i := 0; i+1 < len(ring); i++ {
				ax, ay := (ring[i][0]-p[0])*kx, (ring[i][1]-p[1])*ky
				dx, dy := (ring[i+1][0]-p[0])*kx-ax, (ring[i+1][1]-p[1])*ky-ay
				t := 0.0
				if l2 := dx*dx + dy*dy; l2 > 0 {
					t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
				}
				x, y := ax+t*dx, ay+t*dy
				if d := x*x + y*y; d < best {
					best, bx, by = d, x, y
				}
			}
		}
	}
	if math.IsInf(best, 1) {
		return p, math.Inf(1), 0
	}
	q = orb.Point{p[0] + bx/kx, p[1] + by/ky}
	// From q to p is minus (bx, by); bearing: clockwise from north.
	bearing = math.Atan2(-bx, -by) * 180 / math.Pi
	if bearing < 0 {
		bearing += 360
	}
	return q, math.Sqrt(best), bearing
}
