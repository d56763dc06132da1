package geo

import (
	"math"

	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"
)

// Index finds which polygon holds a point. Every polygon of every
// multipolygon is one R-tree entry (its bound); candidates from the tree are
// tested with orb's planar containment.
//
// For speed, the first Locate builds a raster over the index's bound from
// the R-tree: a cell wholly inside one polygon answers at once; a cell on a
// border keeps the candidates' polygons clipped to the cell (orb's clip), so
// containment is tested on a few vertices instead of a whole polygon. Safe
// for concurrent reads; Add must not be called after the first query.
type Index struct {
	ids   []string
	parts []part
	tree  rtree.RTreeG[int32]

	once   sync.Once
	raster *raster
}

type part struct {
	item  int32
	poly  orb.Polygon
	bound orb.Bound
}

// Contains reports whether a polygon or multipolygon holds p (planar; any
// other geometry holds nothing). For one geometry; an Index for many.
func Contains(g orb.Geometry, p orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, p)
	}
	return false
}

// NewIndex returns an empty index.
func NewIndex() *Index { return &Index{} }

// Add adds a multipolygon under id. Add all items before querying.
func (ix *Index) Add(id string, mp orb.MultiPolygon) {
	item := int32(len(ix.ids))
	ix.ids = append(ix.ids, id)
	for _, poly := range mp {
		if len(poly) == 0 || len(poly[0]) < 4 {
			continue
		}
		b := poly[0].Bound()
		pi := int32(len(ix.parts))
		ix.parts = append(ix.parts, part{item: item, poly: poly, bound: b})
		ix.tree.Insert([2]float64{b.Min[0], b.Min[1]}, [2]float64{b.Max[0], b.Max[1]}, pi)
	}
}

// Build prepares the raster now rather than on the first query.
func (ix *Index) Build() { ix.once.Do(ix.buildRaster) }

// Len is the number of items added.
func (ix *Index) Len() int { return len(ix.ids) }

// Bound is the bound of every polygon in the index.
func (ix *Index) Bound() orb.Bound {
	if len(ix.parts) == 0 {
		return orb.Bound{}
	}
	min, max := ix.tree.Bounds()
	return orb.Bound{Min: min, Max: max}
}

// Locate returns the id of the polygon that holds p. A point on a border
// shared by two polygons goes to the one added first, so the answer never
// depends on the tree's order.
func (ix *Index) Locate(p orb.Point) (string, bool) {
	i := ix.locate(p)
	if i < 0 {
		return "", false
	}
	return ix.ids[i], true
}

func (ix *Index) locate(p orb.Point) int32 {
	ix.once.Do(ix.buildRaster)
	if r := ix.raster; r != nil {
		if i, ok := r.locate(p); ok {
			return i
		}
	}
	return ix.locateTree(p)
}

// locateTree is the plain R-tree + containment search.
func (ix *Index) locateTree(p orb.Point) int32 {
	best := int32(-1)
	pt := [2]float64{p[0], p[1]}
	ix.tree.Search(pt, pt, func(_, _ [2]float64, pi int32) bool {
		pa := &ix.parts[pi]
		if best >= 0 && pa.item >= best {
			return true
		}
		if planar.PolygonContains(pa.poly, p) {
			best = pa.item
		}
		return true
	})
	return best
}

// Nearest returns the item whose polygons come closest to p, if within
// maxMetres, and the distance (0 when p is inside).
func (ix *Index) Nearest(p orb.Point, maxMetres float64) (string, float64, bool) {
	dLat, dLon := DegreesFor(maxMetres, p[1])
	best, bestD := int32(-1), math.Inf(1)
	ix.tree.Search([2]float64{p[0] - dLon, p[1] - dLat}, [2]float64{p[0] + dLon, p[1] + dLat},
		func(_, _ [2]float64, pi int32) bool {
			pa := &ix.parts[pi]
			d := DistanceToMultiPolygon(p, orb.MultiPolygon{pa.poly})
			if d < bestD || (d == bestD && pa.item < best) {
				best, bestD = pa.item, d
			}
			return true
		})
	if best < 0 || bestD > maxMetres {
		return "", 0, false
	}
	return ix.ids[best], bestD, true
}

// How an assignment was made.
const (
	AssignContains = "contains"
	AssignNearest  = "nearest"
	AssignNone     = "none"
)

// Assign returns the polygon holding p, else the nearest within tolMetres
// (the boundary tolerance), else "" with AssignNone.
func (ix *Index) Assign(p orb.Point, tolMetres float64) (id, how string) {
	if id, ok := ix.Locate(p); ok {
		return id, AssignContains
	}
	if tolMetres > 0 {
		if id, _, ok := ix.Nearest(p, tolMetres); ok {
			return id, AssignNearest
		}
	}
	return "", AssignNone
}

// Covers reports whether p is inside any polygon or within marginMetres of one.
func (ix *Index) Covers(p orb.Point, marginMetres float64) bool {
	if ix.locate(p) >= 0 {
		return true
	}
	if marginMetres <= 0 {
		return false
	}
	_, _, ok := ix.Nearest(p, marginMetres)
	return ok
}
