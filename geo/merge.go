package geo

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// MergeCells returns the union of polygons that meet edge to edge, as the
// cells of one lattice cut by GenerateGrid do: the edges they share are
// dropped and the others are chained into rings (outer rings
// counter-clockwise, holes clockwise). Shared edges lie on the lattice
// lines, so an edge along a parallel or a meridian is split where another
// piece has a vertex on it. The pieces must not overlap (cells of one
// lattice do not). ok is false when the edges left do not chain into
// closed rings of the pieces' area; the pieces themselves are then the
// multipolygon to use.
func MergeCells(polys []orb.Polygon) (orb.MultiPolygon, bool) {
	m := newMerger()
	want := 0.0
	for _, poly := range polys {
		for i, ring := range poly {
			a := planar.Area(ring)
			if i == 0 {
				want += math.Abs(a)
			} else {
				want -= math.Abs(a)
			}
			// Outer rings counter-clockwise, holes clockwise.
			r := ring
			if (i == 0) != (ringSignedArea(ring) > 0) {
				r = slices.Clone(ring)
				slices.Reverse(r)
			}
			m.addRing(r)
		}
	}
	m.split()
	rings, ok := m.trace()
	if !ok {
		return nil, false
	}
	out := assemble(rings)
	got := 0.0
	for _, p := range out {
		got += math.Abs(planar.Area(p))
	}
	if math.Abs(got-want) > 1e-9*math.Max(want, 1e-12) {
		return nil, false
	}
	return out, true
}

// vkey is a vertex snapped to 1e-9 degrees (0.1 mm): pieces cut by the
// same lattice line agree to far better than that.
type vkey [2]int64

func keyOf(p orb.Point) vkey {
	return vkey{int64(math.Round(p[0] * 1e9)), int64(math.Round(p[1] * 1e9))}
}

type merger struct {
	pts   map[vkey]orb.Point
	edges [][2]vkey
}

func newMerger() *merger { return &merger{pts: map[vkey]orb.Point{}} }

func (m *merger) addRing(r orb.Ring) {
	for i := 0; i+1 < len(r); i++ {
		a, b := keyOf(r[i]), keyOf(r[i+1])
		if _, ok := m.pts[a]; !ok {
			m.pts[a] = r[i]
		}
		if _, ok := m.pts[b]; !ok {
			m.pts[b] = r[i+1]
		}
		if a != b {
			m.edges = append(m.edges, [2]vkey{a, b})
		}
	}
}

// split cuts edges along a meridian or a parallel at the vertices lying on
// them, so that a side split in one piece matches the other's.
func (m *merger) split() {
	byX, byY := map[int64][]int64{}, map[int64][]int64{}
	for k := range m.pts {
		byX[k[0]] = append(byX[k[0]], k[1])
		byY[k[1]] = append(byY[k[1]], k[0])
	}
	for _, s := range byX {
		slices.Sort(s)
	}
	for _, s := range byY {
		slices.Sort(s)
	}
	var out [][2]vkey
	for _, e := range m.edges {
		a, b := e[0], e[1]
		var cuts []vkey
		switch {
		case a[0] == b[0]:
			for _, y := range between(byX[a[0]], a[1], b[1]) {
				cuts = append(cuts, vkey{a[0], y})
			}
		case a[1] == b[1]:
			for _, x := range between(byY[a[1]], a[0], b[0]) {
				cuts = append(cuts, vkey{x, a[1]})
			}
		}
		prev := a
		for _, c := range cuts {
			out = append(out, [2]vkey{prev, c})
			prev = c
		}
		out = append(out, [2]vkey{prev, b})
	}
	m.edges = out
}

// between returns the values of sorted strictly between from and to, in
// the order from -> to.
func between(sorted []int64, from, to int64) []int64 {
	lo, hi := min(from, to), max(from, to)
	i, _ := slices.BinarySearch(sorted, lo+1)
	j, _ := slices.BinarySearch(sorted, hi)
	if i >= j {
		return nil
	}
	s := slices.Clone(sorted[i:j])
	if from > to {
		slices.Reverse(s)
	}
	return s
}

// trace drops each edge met in both directions and chains the rest into
// closed rings; false when an edge leads nowhere.
func (m *merger) trace() ([]orb.Ring, bool) {
	count := map[[2]vkey]int{}
	for _, e := range m.edges {
		if rev := [2]vkey{e[1], e[0]}; count[rev] > 0 {
			count[rev]--
			continue
		}
		count[e]++
	}
	out := map[vkey][]vkey{}
	var left [][2]vkey
	for e, n := range count {
		for range n {
			out[e[0]] = append(out[e[0]], e[1])
			left = append(left, e)
		}
	}
	// Deterministic: rings start from the smallest edge left.
	slices.SortFunc(left, func(a, b [2]vkey) int {
		return cmp.Or(cmp.Compare(a[0][0], b[0][0]), cmp.Compare(a[0][1], b[0][1]), cmp.Compare(a[1][0], b[1][0]), cmp.Compare(a[1][1], b[1][1]))
	})
	for k := range out {
		slices.SortFunc(out[k], func(a, b vkey) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	}
	used := 0
	var rings []orb.Ring
	for _, e := range left {
		if !take(out, e[0], e[1]) {
			continue // taken by an earlier ring
		}
		used++
		ring := orb.Ring{m.pts[e[0]]}
		prev, cur := e[0], e[1]
		for cur != e[0] {
			ring = append(ring, m.pts[cur])
			next, ok := leftmost(out[cur], prev, cur)
			if !ok || !take(out, cur, next) {
				return nil, false
			}
			used++
			prev, cur = cur, next
		}
		ring = append(ring, m.pts[e[0]])
		rings = append(rings, dropCollinear(ring))
	}
	return rings, used == len(left)
}

// take removes one edge a -> b from out.
func take(out map[vkey][]vkey, a, b vkey) bool {
	i := slices.Index(out[a], b)
	if i < 0 {
		return false
	}
	out[a] = slices.Delete(out[a], i, i+1)
	return true
}

// leftmost picks, of the edges leaving cur, the one turning furthest to
// the left of the way in (prev -> cur): where two pieces of the union
// touch at a corner, each keeps its own ring.
func leftmost(cands []vkey, prev, cur vkey) (vkey, bool) {
	if len(cands) == 0 {
		return vkey{}, false
	}
	if len(cands) == 1 {
		return cands[0], true
	}
	inX, inY := float64(cur[0]-prev[0]), float64(cur[1]-prev[1])
	best, bestA := cands[0], math.Inf(-1)
	for _, c := range cands {
		ox, oy := float64(c[0]-cur[0]), float64(c[1]-cur[1])
		a := math.Atan2(inX*oy-inY*ox, inX*ox+inY*oy) // left turn positive
		if a > bestA {
			best, bestA = c, a
		}
	}
	return best, true
}

// dropCollinear removes vertices in the middle of a straight run along a
// meridian or a parallel (where cells' sides met).
func dropCollinear(r orb.Ring) orb.Ring {
	if len(r) < 5 {
		return r
	}
	pts := r[:len(r)-1]
	n := len(pts)
	var out orb.Ring
	for i := range n {
		a, b, c := keyOf(pts[(i+n-1)%n]), keyOf(pts[i]), keyOf(pts[(i+1)%n])
		if (a[0] == b[0] && b[0] == c[0]) || (a[1] == b[1] && b[1] == c[1]) {
			continue
		}
		out = append(out, pts[i])
	}
	if len(out) < 3 {
		return r
	}
	return append(out, out[0])
}

// assemble makes polygons of the rings: counter-clockwise rings are outer
// rings, each clockwise one a hole of the smallest outer ring holding it.
func assemble(rings []orb.Ring) orb.MultiPolygon {
	var outers, holes []orb.Ring
	for _, r := range rings {
		if ringSignedArea(r) > 0 {
			outers = append(outers, r)
		} else {
			holes = append(holes, r)
		}
	}
	mp := make(orb.MultiPolygon, len(outers))
	for i, r := range outers {
		mp[i] = orb.Polygon{r}
	}
	for _, h := range holes {
		c := h.Bound().Center()
		best, bestA := -1, math.Inf(1)
		for i, r := range outers {
			if a := math.Abs(planar.Area(r)); a < bestA && planar.RingContains(r, c) {
				best, bestA = i, a
			}
		}
		if best >= 0 {
			mp[best] = append(mp[best], h)
		}
	}
	return mp
}

// ringSignedArea is the shoelace area: positive counter-clockwise.
func ringSignedArea(r orb.Ring) float64 {
	s := 0.0
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s / 2
}
