package perfgen

import (
	"fmt"
	"math"
)

func ringArea(ring [][2]float64) float64 {
	a := 0.0
	for i := 0; i < len(ring)-1; i++ {
		a += ring[i][0]*ring[i+1][1] - ring[i+1][0]*ring[i][1]
	}
	return a / 2
}

func orient(a, b, c [2]float64) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

func onSeg(a, b, p [2]float64) bool {
	return math.Min(a[0], b[0]) <= p[0] && p[0] <= math.Max(a[0], b[0]) &&
		math.Min(a[1], b[1]) <= p[1] && p[1] <= math.Max(a[1], b[1])
}

func segsTouch(p1, p2, p3, p4 [2]float64) bool {
	d1, d2 := orient(p3, p4, p1), orient(p3, p4, p2)
	d3, d4 := orient(p1, p2, p3), orient(p1, p2, p4)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	return (d1 == 0 && onSeg(p3, p4, p1)) || (d2 == 0 && onSeg(p3, p4, p2)) ||
		(d3 == 0 && onSeg(p1, p2, p3)) || (d4 == 0 && onSeg(p1, p2, p4))
}

// ringSimple reports whether a closed ring has no self-intersections, no repeated
// vertices and no spikes (O(n^2), fine for <= 150 vertices).
func ringSimple(ring [][2]float64) (bool, string) {
	n := len(ring) - 1
	seen := map[[2]float64]bool{}
	for _, p := range ring[:n] {
		if seen[p] {
			return false, fmt.Sprintf("repeated vertex %v", p)
		}
		seen[p] = true
	}
	for i := 0; i < n; i++ {
		a, b := ring[i], ring[i+1]
		// spike: next segment folds back over this one
		c := ring[(i+2)%n]
		if orient(a, b, c) == 0 && (c[0]-b[0])*(a[0]-b[0])+(c[1]-b[1])*(a[1]-b[1]) > 0 {
			return false, fmt.Sprintf("spike at vertex %d %v", i+1, b)
		}
		for j := i + 2; j < n; j++ {
			if i == 0 && j == n-1 {
				continue // adjacent through the closing vertex
			}
			if segsTouch(a, b, ring[j], ring[j+1]) {
				return false, fmt.Sprintf("segments %d-%d and %d-%d touch: %v %v / %v %v (n=%d)", i, i+1, j, j+1, a, b, ring[j], ring[j+1], n)
			}
		}
	}
	return true, ""
}

// pip: even-odd ray casting; onEdge reports an exact boundary hit.
func pip(ring [][2]float64, x, y float64) (inside, onEdge bool) {
	for i := 0; i < len(ring)-1; i++ {
		x1, y1 := ring[i][0], ring[i][1]
		x2, y2 := ring[i+1][0], ring[i+1][1]
		if (x-x1)*(y2-y1) == (y-y1)*(x2-x1) &&
			math.Min(x1, x2) <= x && x <= math.Max(x1, x2) && math.Min(y1, y2) <= y && y <= math.Max(y1, y2) {
			onEdge = true
		}
		if (y1 > y) != (y2 > y) {
			if x < x1+(y-y1)*(x2-x1)/(y2-y1) {
				inside = !inside
			}
		}
	}
	return
}

// AssignStats counts the points no grid holds, more than one grid holds,
// and exact boundary hits (the manifest's subset_brute_force and
// full_bucketed).
type AssignStats struct {
	Points       int `json:"points"`
	ZeroHits     int `json:"zero_hits"`
	MultiHits    int `json:"multi_hits"`
	BoundaryHits int `json:"boundary_hits"`
}

// count adds one point's hits to the statistics.
func (st *AssignStats) count(hits int) {
	switch {
	case hits == 0:
		st.ZeroHits++
	case hits > 1:
		st.MultiHits++
	}
}

// AssignBrute tests every point against every grid (bbox prefilter only):
// the index of the grid holding each point, -1 for none.
func AssignBrute(grids []Grid, pts []Point) ([]int32, AssignStats) {
	res := make([]int32, len(pts))
	st := AssignStats{Points: len(pts)}
	for i, p := range pts {
		hits := 0
		res[i] = -1
		for gi := range grids {
			g := &grids[gi]
			if p.Lon < g.MinX || p.Lon > g.MaxX || p.Lat < g.MinY || p.Lat > g.MaxY {
				continue
			}
			in, on := pip(g.Ring, p.Lon, p.Lat)
			if on {
				st.BoundaryHits++
			}
			if in {
				hits++
				res[i] = int32(gi)
			}
		}
		st.count(hits)
	}
	return res, st
}

// AssignBucketed does what AssignBrute does through a uniform 256 x 256
// bucket grid over box.
func AssignBucketed(grids []Grid, pts []Point, box Box) ([]int32, AssignStats) {
	const nb = 256
	W, H := box.MaxLon-box.MinLon, box.MaxLat-box.MinLat
	bx := func(x float64) int { return min(nb-1, max(0, int((x-box.MinLon)/W*nb))) }
	by := func(y float64) int { return min(nb-1, max(0, int((y-box.MinLat)/H*nb))) }
	buckets := make([][]int32, nb*nb)
	for gi, g := range grids {
		for y := by(g.MinY); y <= by(g.MaxY); y++ {
			for x := bx(g.MinX); x <= bx(g.MaxX); x++ {
				buckets[y*nb+x] = append(buckets[y*nb+x], int32(gi))
			}
		}
	}
	res := make([]int32, len(pts))
	st := AssignStats{Points: len(pts)}
	for i, p := range pts {
		hits := 0
		res[i] = -1
		for _, gi := range buckets[by(p.Lat)*nb+bx(p.Lon)] {
			g := &grids[gi]
			if p.Lon < g.MinX || p.Lon > g.MaxX || p.Lat < g.MinY || p.Lat > g.MaxY {
				continue
			}
			in, on := pip(g.Ring, p.Lon, p.Lat)
			if on {
				st.BoundaryHits++
			}
			if in {
				hits++
				res[i] = gi
			}
		}
		st.count(hits)
	}
	return res, st
}
