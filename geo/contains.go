package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// pieceContains is planar.PolygonContains(poly, p) for a raster piece
// whose outer ring's bound is already known to hold p: the same ray
// casting without working out the bound again, which was half its time.
func pieceContains(poly orb.Polygon, p orb.Point) bool {
	if !ringContainsInBound(poly[0], p) {
		return false
	}
	for _, hole := range poly[1:] {
		if planar.RingContains(hole, p) {
			return false
		}
	}
	return true
}

// ringContainsInBound and rayIntersect are orb's planar.RingContains
// (after its bound test) and rayIntersect, copied from
// github.com/paulmach/orb v0.14.0 planar/contains.go (MIT License,
// Copyright (c) 2017 Paul Mach) so that the answers stay the same.
func ringContainsInBound(r orb.Ring, point orb.Point) bool {
	c, on := rayIntersect(point, r[0], r[len(r)-1])
	if on {
		return true
	}
	for i := 0; i < len(r)-1; i++ {
		inter, on := rayIntersect(point, r[i], r[i+1])
		if on {
			return true
		}
		if inter {
			c = !c
		}
	}
	return c
}

// Original implementation: http://rosettacode.org/wiki/Ray-casting_algorithm#Go
func rayIntersect(p, s, e orb.Point) (intersects, on bool) {
	if s[0] > e[0] {
		s, e = e, s
	}
	switch p[0] {
	case s[0]:
		if p[1] == s[1] {
			return false, true // p == start
		} else if s[0] == e[0] {
			// vertical segment (s -> e): on it if within
			if s[1] > e[1] && s[1] >= p[1] && p[1] >= e[1] {
				return false, true
			}
			if e[1] > s[1] && e[1] >= p[1] && p[1] >= s[1] {
				return false, true
			}
		}
		// Move the y coordinate to deal with degenerate case
		p[0] = math.Nextafter(p[0], math.Inf(1))
	case e[0]:
		if p[1] == e[1] {
			return false, true // matching the end point
		}
		p[0] = math.Nextafter(p[0], math.Inf(1))
	}
	if p[0] < s[0] || p[0] > e[0] {
		return false, false
	}
	if s[1] > e[1] {
		if p[1] > s[1] {
			return false, false
		} else if p[1] < e[1] {
			return true, false
		}
	} else {
		if p[1] > e[1] {
			return false, false
		} else if p[1] < s[1] {
			return true, false
		}
	}
	rs := (p[1] - s[1]) / (p[0] - s[0])
	ds := (e[1] - s[1]) / (e[0] - s[0])
	if rs == ds {
		return false, true
	}
	return rs <= ds, false
}
