package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// PointIndex finds the point nearest to a query, within a distance, on an
// R-tree (known heat sources and other point sites: checked for every
// detection, so not scanned one by one).
type PointIndex struct {
	ids  []string
	pts  []orb.Point
	tree rtree.RTreeG[int32]
}

// Add adds a point under id.
func (pi *PointIndex) Add(id string, p orb.Point) {
	i := int32(len(pi.ids))
	pi.ids = append(pi.ids, id)
	pi.pts = append(pi.pts, p)
	pi.tree.Insert([2]float64{p[0], p[1]}, [2]float64{p[0], p[1]}, i)
}

// Len is the number of points added.
func (pi *PointIndex) Len() int { return len(pi.ids) }

// Nearest returns the point closest to p within maxMetres and its distance.
// Of points at the same distance the one added last wins.
func (pi *PointIndex) Nearest(p orb.Point, maxMetres float64) (string, float64, bool) {
	dLat, dLon := DegreesFor(maxMetres, p[1])
	best, bestD := int32(-1), math.Inf(1)
	pi.tree.Search([2]float64{p[0] - dLon, p[1] - dLat}, [2]float64{p[0] + dLon, p[1] + dLat},
		func(_, _ [2]float64, i int32) bool {
			if d := DistanceMeters(p, pi.pts[i]); d < bestD || (d == bestD && i > best) {
				best, bestD = i, d
			}
			return true
		})
	if best < 0 || bestD > maxMetres {
		return "", 0, false
	}
	return pi.ids[best], bestD, true
}
