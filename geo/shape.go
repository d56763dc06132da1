package geo

import "github.com/paulmach/orb"

// Shape is a multipolygon prepared for many point tests: the bound of each
// of its rings is worked out once, not on every test as
// planar.RingContains does (which was a third of placing a province's
// monitors in their regions). Contains answers as
// planar.MultiPolygonContains.
type Shape struct {
	polys []shapePolygon
}

type shapePolygon struct {
	rings  []orb.Ring
	bounds []orb.Bound
}

// NewShape prepares mp. Empty polygons and rings hold nothing.
func NewShape(mp orb.MultiPolygon) *Shape {
	s := &Shape{polys: make([]shapePolygon, 0, len(mp))}
	for _, poly := range mp {
		if len(poly) == 0 || len(poly[0]) == 0 {
			continue
		}
		sp := shapePolygon{rings: make([]orb.Ring, 0, len(poly)), bounds: make([]orb.Bound, 0, len(poly))}
		for _, r := range poly {
			if len(r) == 0 {
				continue
			}
			sp.rings = append(sp.rings, r)
			sp.bounds = append(sp.bounds, r.Bound())
		}
		s.polys = append(s.polys, sp)
	}
	return s
}

// Contains reports whether the shape holds p: inside a polygon's outer
// ring (or on it) and in none of its holes (a point on a hole's edge is
// in the hole), as planar.MultiPolygonContains.
func (s *Shape) Contains(p orb.Point) bool {
	for _, sp := range s.polys {
		if sp.contains(p) {
			return true
		}
	}
	return false
}

func (sp shapePolygon) contains(p orb.Point) bool {
	if !sp.bounds[0].Contains(p) || !ringContainsInBound(sp.rings[0], p) {
		return false
	}
	for i := 1; i < len(sp.rings); i++ {
		if sp.bounds[i].Contains(p) && ringContainsInBound(sp.rings[i], p) {
			return false
		}
	}
	return true
}
