package geo

import (
	"container/heap"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// LabelPoint returns where a region's name goes on a map: its pole of
// inaccessibility, the point inside it farthest from its edges (found as
// in Mapbox's polylabel: a quadtree search of cells ordered by the best
// distance each could hold), to within 1/200 of its size. A county shaped
// like a crescent gets its name inside, where its centroid would not be.
// Of a multipolygon, the point of the part with the widest interior.
// Distances are measured in metres in a local equirectangular projection,
// so a cell of a high-latitude grid is not squeezed.
func LabelPoint(mp orb.MultiPolygon) orb.Point {
	best, bestD := orb.Point{}, math.Inf(-1)
	for _, poly := range mp {
		if len(poly) == 0 || len(poly[0]) < 3 {
			continue
		}
		p, d := poleOf(poly)
		if d > bestD {
			best, bestD = p, d
		}
	}
	return best
}

// labelCell is a square of the search: its centre, half its side, the
// signed distance from its centre to the polygon's edge (negative
// outside) and the most any point in it could have.
type labelCell struct {
	x, y, h, d, max float64
}

type cellQueue []labelCell

func (q cellQueue) Len() int           { return len(q) }
func (q cellQueue) Less(i, j int) bool { return q[i].max > q[j].max }
func (q cellQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *cellQueue) Push(x any)        { *q = append(*q, x.(labelCell)) }
func (q *cellQueue) Pop() any {
	old := *q
	c := old[len(old)-1]
	*q = old[:len(old)-1]
	return c
}

// poleOf finds a polygon's pole of inaccessibility and its distance (m).
func poleOf(poly orb.Polygon) (orb.Point, float64) {
	b := poly[0].Bound()
	lat0 := (b.Min[1] + b.Max[1]) / 2
	kx, ky := metresPerDegree*math.Cos(lat0*math.Pi/180), metresPerDegree
	// The polygon in metres from the bound's south-west corner.
	rings := make([][]orb.Point, len(poly))
	for i, r := range poly {
		rings[i] = make([]orb.Point, len(r))
		for j, p := range r {
			rings[i][j] = orb.Point{(p[0] - b.Min[0]) * kx, (p[1] - b.Min[1]) * ky}
		}
	}
	w, h := (b.Max[0]-b.Min[0])*kx, (b.Max[1]-b.Min[1])*ky
	back := func(x, y float64) orb.Point { return orb.Point{b.Min[0] + x/kx, b.Min[1] + y/ky} }
	size := math.Min(w, h)
	if size == 0 {
		return poly[0][0], 0
	}
	precision := math.Max(w, h) / 200
	cell := func(x, y, half float64) labelCell {
		d := signedDistance(x, y, rings)
		return labelCell{x: x, y: y, h: half, d: d, max: d + half*math.Sqrt2}
	}
	q := &cellQueue{}
	half := size / 2
	for x := 0.0; x < w; x += size {
		for y := 0.0; y < h; y += size {
			heap.Push(q, cell(x+half, y+half, half))
		}
	}
	// Start from the centroid (inside for most shapes) and the bound's centre.
	c, _ := planar.CentroidArea(poly)
	best := cell((c[0]-b.Min[0])*kx, (c[1]-b.Min[1])*ky, 0)
	if bc := cell(w/2, h/2, 0); bc.d > best.d {
		best = bc
	}
	for q.Len() > 0 {
		cl := heap.Pop(q).(labelCell)
		if cl.d > best.d {
			best = cl
		}
		if cl.max-best.d <= precision {
			continue
		}
		hh := cl.h / 2
		heap.Push(q, cell(cl.x-hh, cl.y-hh, hh))
		heap.Push(q, cell(cl.x+hh, cl.y-hh, hh))
		heap.Push(q, cell(cl.x-hh, cl.y+hh, hh))
		heap.Push(q, cell(cl.x+hh, cl.y+hh, hh))
	}
	return back(best.x, best.y), best.d
}

// signedDistance is the distance from (x, y) to the nearest edge of the
// rings, negative when the point is outside (even-odd rule, so holes are
// outside).
func signedDistance(x, y float64, rings [][]orb.Point) float64 {
	inside := false
	best := math.Inf(1)
	for _, r := range rings {
		for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
			a, b := r[i], r[j]
			if (a[1] > y) != (b[1] > y) && x < (b[0]-a[0])*(y-a[1])/(b[1]-a[1])+a[0] {
				inside = !inside
			}
			if d := segDist2(a[0]-x, a[1]-y, b[0]-x, b[1]-y); d < best {
				best = d
			}
		}
	}
	d := math.Sqrt(best)
	if !inside {
		return -d
	}
	return d
}
