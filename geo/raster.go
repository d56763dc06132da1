package geo

import (
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Raster sizing: about cellsPerPart cells per polygon, at most maxCells.
const (
	cellsPerPart = 128
	maxCells     = 4 << 20
	cellEmpty    = -1
)

// raster is a uniform grid of cells over the index's bound. A cell is
// empty (-1), owned by one item (>= 0: the whole cell lies inside it), or
// on a border (<= -2: -(v+2) indexes border).
type raster struct {
	b      orb.Bound
	nx, ny int
	cw, ch float64
	cells  []int32
	border []piece // the border cells' pieces, cell after cell
	starts []int32 // border cell k's pieces are border[starts[k]:starts[k+1]]
}

// piece is an item's polygon clipped to one cell, with its outer ring's
// bound; a nil poly is a part that covers the whole cell (it holds every
// point of the cell).
type piece struct {
	item  int32
	bound orb.Bound
	poly  orb.Polygon
}

// cellEntry says what one part is in one cell: the whole cell (poly nil)
// or the part clipped to the cell.
type cellEntry struct {
	cell int32
	item int32
	poly orb.Polygon
}

// buildRaster rasterizes part by part, on every core: each part marks the
// cells its rings' segments touch (its border cells) and clips itself to
// those only (first to the column, then to the cell, as orb's clip would
// do in one go); a run of untouched cells in a row lies wholly inside or
// wholly outside, which one point of the run decides. The cells then take
// their parts in item order, so the first added wins on a shared border.
func (ix *Index) buildRaster() {
	r := ix.newRaster()
	if r == nil {
		return
	}
	workers := min(runtime.GOMAXPROCS(0), max(1, len(ix.parts)/64))
	out := make([][]cellEntry, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var rp rasterPart
			for pi := w; pi < len(ix.parts); pi += workers {
				out[w] = rp.entries(r, &ix.parts[pi], out[w])
			}
		}()
	}
	wg.Wait()
	r.merge(out)
	ix.raster = r
}

// newRaster sizes the raster over the index's bound (nil when empty).
func (ix *Index) newRaster() *raster {
	if len(ix.parts) == 0 {
		return nil
	}
	b := ix.Bound()
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	if w <= 0 || h <= 0 {
		return nil
	}
	target := float64(len(ix.parts) * cellsPerPart)
	if target > maxCells {
		target = maxCells
	}
	cs := math.Sqrt(w * h / target)
	r := &raster{b: b, nx: int(math.Ceil(w / cs)), ny: int(math.Ceil(h / cs))}
	r.cw, r.ch = w/float64(r.nx), h/float64(r.ny)
	return r
}

// cellBound is cell (i, j)'s bound, computed the same way everywhere.
func (r *raster) cellBound(i, j int) orb.Bound {
	return orb.Bound{
		Min: orb.Point{r.b.Min[0] + float64(i)*r.cw, r.b.Min[1] + float64(j)*r.ch},
		Max: orb.Point{r.b.Min[0] + float64(i+1)*r.cw, r.b.Min[1] + float64(j+1)*r.ch},
	}
}

// span is the range of cells [lo, hi] along one axis that [a, b] touches,
// widened by a millionth of a cell so that a segment on a cell's edge marks
// the cells on both sides.
func span(a, b, origin, size float64, n int) (int, int) {
	const tiny = 1e-6
	lo := int(math.Floor((a-origin)/size - tiny))
	hi := int(math.Floor((b-origin)/size + tiny))
	return max(lo, 0), min(hi, n-1)
}

// merge gathers the parts' entries cell by cell and decides the cells, a
// share of them on each core: first each share sorts its cells' entries
// and counts its border cells and pieces, then it writes them at its
// place in r.border and r.starts.
func (r *raster) merge(out [][]cellEntry) {
	start, all := gather(out, r.nx*r.ny)
	r.cells = make([]int32, r.nx*r.ny)
	n := len(out)
	cells, pieces := make([]int, n+1), make([]int, n+1)
	r.shares(n, func(w, lo, hi int) {
		for c := lo; c < hi; c++ {
			if k := borderLen(all[start[c]:start[c+1]]); k > 0 {
				cells[w+1]++
				pieces[w+1] += k
			}
		}
	})
	for w := range n {
		cells[w+1] += cells[w]
		pieces[w+1] += pieces[w]
	}
	r.border = make([]piece, pieces[n])
	r.starts = make([]int32, cells[n]+1)
	r.shares(n, func(w, lo, hi int) {
		k, p := cells[w], pieces[w]
		for c := lo; c < hi; c++ {
			es := all[start[c]:start[c+1]]
			switch m := borderLen(es); {
			case len(es) == 0:
				r.cells[c] = cellEmpty
			case m == 0:
				r.cells[c] = es[0].item
			default:
				for i, e := range es[:m] {
					r.border[p+i] = piece{item: e.item, poly: e.poly, bound: outerBound(e.poly)}
				}
				p += m
				r.starts[k+1] = int32(p)
				r.cells[c] = int32(-k - 2)
				k++
			}
		}
	})
}

// gather sorts the entries by cell (a counting sort): cell c's are
// all[start[c]:start[c+1]].
func gather(out [][]cellEntry, ncells int) ([]int32, []cellEntry) {
	start := make([]int32, ncells+1)
	for _, es := range out {
		for _, e := range es {
			start[e.cell+1]++
		}
	}
	for c := 1; c < len(start); c++ {
		start[c] += start[c-1]
	}
	all := make([]cellEntry, start[len(start)-1])
	next := slices.Clone(start[:len(start)-1])
	for _, es := range out {
		for _, e := range es {
			all[next[e.cell]] = e
			next[e.cell]++
		}
	}
	return start, all
}

// shares runs f on n goroutines, each with a contiguous share of the cells.
func (r *raster) shares(n int, f func(w, lo, hi int)) {
	var wg sync.WaitGroup
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(w, len(r.cells)*w/n, len(r.cells)*(w+1)/n)
		}()
	}
	wg.Wait()
}

// borderLen sorts a cell's entries by item (stable: a cell has few) and
// says how many pieces the cell keeps: 0 when it is empty or the lowest
// item covers it, else the entries up to the first that covers it.
func borderLen(es []cellEntry) int {
	for i := 1; i < len(es); i++ {
		for k := i; k > 0 && es[k].item < es[k-1].item; k-- {
			es[k], es[k-1] = es[k-1], es[k]
		}
	}
	if len(es) == 0 || es[0].poly == nil {
		return 0
	}
	for i, e := range es {
		if e.poly == nil {
			return i + 1
		}
	}
	return len(es)
}

// outerBound is the bound of a polygon's outer ring (empty for nil).
func outerBound(poly orb.Polygon) orb.Bound {
	if len(poly) == 0 || len(poly[0]) == 0 {
		return orb.Bound{}
	}
	b := orb.Bound{Min: poly[0][0], Max: poly[0][0]}
	for _, p := range poly[0][1:] {
		b.Min[0], b.Max[0] = min(b.Min[0], p[0]), max(b.Max[0], p[0])
		b.Min[1], b.Max[1] = min(b.Min[1], p[1]), max(b.Max[1], p[1])
	}
	return b
}

// rasterPart is one worker's scratch space for rasterizing parts.
type rasterPart struct {
	touched []bool
	cross   [][]float64 // per row of the part's cells: x where rings cross the row's middle line
	column  []orb.Ring  // the part clipped to the current column
	buf     [2][]orb.Point
	arena   arena
}

// entries appends what part pa is in each cell of its bound.
func (rp *rasterPart) entries(r *raster, pa *part, out []cellEntry) []cellEntry {
	i0, i1 := span(pa.bound.Min[0], pa.bound.Max[0], r.b.Min[0], r.cw, r.nx)
	j0, j1 := span(pa.bound.Min[1], pa.bound.Max[1], r.b.Min[1], r.ch, r.ny)
	if i0 == i1 && j0 == j1 {
		// The part lies within one cell: kept whole.
		return append(out, cellEntry{cell: int32(j0*r.nx + i0), item: pa.item, poly: pa.poly})
	}
	nx, ny := i1-i0+1, j1-j0+1
	rp.touched = slices.Grow(rp.touched[:0], nx*ny)[:nx*ny]
	clear(rp.touched)
	for _, ring := range pa.poly {
		for k := 0; k+1 < len(ring); k++ {
			a, b := ring[k], ring[k+1]
			si0, si1 := span(min(a[0], b[0]), max(a[0], b[0]), r.b.Min[0], r.cw, r.nx)
			sj0, sj1 := span(min(a[1], b[1]), max(a[1], b[1]), r.b.Min[1], r.ch, r.ny)
			for j := max(sj0, j0); j <= min(sj1, j1); j++ {
				for i := max(si0, i0); i <= min(si1, i1); i++ {
					rp.touched[(j-j0)*nx+i-i0] = true
				}
			}
		}
	}
	out = rp.inside(r, pa, i0, j0, nx, ny, out)
	return rp.clipped(r, pa, i0, j0, nx, ny, out)
}

// inside appends the cells no segment touches that lie inside the part.
// Such a cell's middle is inside when an odd number of the rings' segments
// cross its row's middle line to its left (no segment crosses the cell).
func (rp *rasterPart) inside(r *raster, pa *part, i0, j0, nx, ny int, out []cellEntry) []cellEntry {
	for len(rp.cross) < ny {
		rp.cross = append(rp.cross, nil)
	}
	for j := range ny {
		rp.cross[j] = rp.cross[j][:0]
	}
	mid := func(j int) float64 { c := r.cellBound(i0, j0+j); return (c.Min[1] + c.Max[1]) / 2 }
	for _, ring := range pa.poly {
		for k := 0; k+1 < len(ring); k++ {
			a, b := ring[k], ring[k+1]
			lo, hi := span(min(a[1], b[1]), max(a[1], b[1]), r.b.Min[1], r.ch, r.ny)
			for j := max(lo, j0) - j0; j <= min(hi, j0+ny-1)-j0; j++ {
				if y := mid(j); (a[1] > y) != (b[1] > y) {
					rp.cross[j] = append(rp.cross[j], a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]))
				}
			}
		}
	}
	for j := range ny {
		xs := rp.cross[j]
		slices.Sort(xs)
		for i := range nx {
			if rp.touched[j*nx+i] {
				continue
			}
			cb := r.cellBound(i0+i, j0+j)
			left, _ := slices.BinarySearch(xs, (cb.Min[0]+cb.Max[0])/2)
			if left%2 == 1 {
				out = append(out, cellEntry{cell: int32((j0+j)*r.nx + i0 + i), item: pa.item})
			}
		}
	}
	return out
}

// clipped appends the part clipped to each cell its segments touch: to
// the cell's column first, then to the cell.
func (rp *rasterPart) clipped(r *raster, pa *part, i0, j0, nx, ny int, out []cellEntry) []cellEntry {
	for i := range nx {
		first := true
		for j := range ny {
			if !rp.touched[j*nx+i] {
				continue
			}
			cb := r.cellBound(i0+i, j0+j)
			if first {
				first = false
				if !rp.clipColumn(pa.poly, cb) {
					break
				}
			}
			e, ok := rp.clipCell(cb)
			if ok {
				e.cell, e.item = int32((j0+j)*r.nx+i0+i), pa.item
				out = append(out, e)
			}
		}
	}
	return out
}

// clipColumn clips the part to cb's column (cb's x range, any y) into
// rp.column, as orb's clip.Polygon's left and right passes do; false when
// nothing is left.
func (rp *rasterPart) clipColumn(poly orb.Polygon, cb orb.Bound) bool {
	rp.column = rp.column[:0]
	for k, ring := range poly {
		c := rp.clipRing(ring, cb, 1, 2)
		if c == nil {
			if k == 0 {
				return false
			}
			continue
		}
		rp.column = append(rp.column, slices.Clone(c))
	}
	return true
}

// clipCell clips the column to cb (its bottom and top passes): nil poly
// when the piece covers the whole cell, ok false when nothing is left.
func (rp *rasterPart) clipCell(cb orb.Bound) (cellEntry, bool) {
	var e cellEntry
	outer := rp.clipRing(rp.column[0], cb, 4, 8)
	if len(outer) < 2 {
		return e, false
	}
	e.poly = orb.Polygon{rp.arena.ring(outer)}
	for _, hole := range rp.column[1:] {
		if h := rp.clipRing(hole, cb, 4, 8); h != nil {
			e.poly = append(e.poly, rp.arena.ring(h))
		}
	}
	cellArea := (cb.Max[0] - cb.Min[0]) * (cb.Max[1] - cb.Min[1])
	if math.Abs(planar.Area(e.poly)) >= cellArea*(1-1e-9) {
		e.poly = nil
	}
	// A piece of zero area (a part that only touches the cell along its
	// edge) is kept: points on that edge belong to it.
	return e, true
}

// clipRing is orb's clip.Ring (Sutherland-Hodgman, one pass per side of
// box) for the sides e1 and e2 only, into rp's scratch buffers: the result
// is valid until the next call.
func (rp *rasterPart) clipRing(in orb.Ring, box orb.Bound, e1, e2 int) orb.Ring {
	if len(in) == 0 {
		return nil
	}
	closed := in[0] == in[len(in)-1]
	src := []orb.Point(in)
	for k, edge := range [2]int{e1, e2} {
		dst := rp.buf[k][:0]
		prev := src[len(src)-1]
		if !closed {
			prev = src[0]
		}
		prevInside := clipCode(box, prev)&edge == 0
		for _, p := range src {
			inside := clipCode(box, p)&edge == 0
			if inside != prevInside {
				dst = append(dst, clipIntersect(box, edge, prev, p))
			}
			if inside {
				dst = append(dst, p)
			}
			prev, prevInside = p, inside
		}
		rp.buf[k] = dst
		if len(dst) == 0 {
			return nil
		}
		src = dst
	}
	if closed && src[0] != src[len(src)-1] {
		src = append(src, src[0])
		rp.buf[1] = src
	}
	return orb.Ring(src)
}

// clipCode and clipIntersect are orb/clip's bitCode and intersect.
func clipCode(b orb.Bound, p orb.Point) int {
	code := 0
	if p[0] < b.Min[0] {
		code |= 1
	} else if p[0] > b.Max[0] {
		code |= 2
	}
	if p[1] < b.Min[1] {
		code |= 4
	} else if p[1] > b.Max[1] {
		code |= 8
	}
	return code
}

func clipIntersect(box orb.Bound, edge int, a, b orb.Point) orb.Point {
	switch {
	case edge&8 != 0:
		return orb.Point{a[0] + (b[0]-a[0])*(box.Max[1]-a[1])/(b[1]-a[1]), box.Max[1]}
	case edge&4 != 0:
		return orb.Point{a[0] + (b[0]-a[0])*(box.Min[1]-a[1])/(b[1]-a[1]), box.Min[1]}
	case edge&2 != 0:
		return orb.Point{box.Max[0], a[1] + (b[1]-a[1])*(box.Max[0]-a[0])/(b[0]-a[0])}
	default:
		return orb.Point{box.Min[0], a[1] + (b[1]-a[1])*(box.Min[0]-a[0])/(b[0]-a[0])}
	}
}

// arena hands out copies of rings from large blocks, so that the raster's
// hundreds of thousands of small pieces are a few allocations.
type arena struct{ block []orb.Point }

func (a *arena) ring(r orb.Ring) orb.Ring {
	if len(r) > cap(a.block)-len(a.block) {
		a.block = make([]orb.Point, 0, max(1<<14, len(r)))
	}
	n := len(a.block)
	a.block = append(a.block, r...)
	return orb.Ring(a.block[n:len(a.block):len(a.block)])
}

// locate answers from the raster; ok is false outside its bound.
func (r *raster) locate(p orb.Point) (int32, bool) {
	x, y := (p[0]-r.b.Min[0])/r.cw, (p[1]-r.b.Min[1])/r.ch
	const eps = 1e-6
	if !(x >= -eps && y >= -eps) || x > float64(r.nx)+eps || y > float64(r.ny)+eps {
		return -1, true // outside every polygon's bound
	}
	i, j := int(x), int(y)
	if x < 0 || y < 0 || i >= r.nx || j >= r.ny || x == float64(i) || y == float64(j) {
		return -1, false // on the raster's or a cell's edge: let the tree decide
	}
	v := r.cells[j*r.nx+i]
	if v >= cellEmpty {
		return v, true
	}
	k := -(v + 2)
	for _, pc := range r.border[r.starts[k]:r.starts[k+1]] {
		if pc.poly == nil {
			return pc.item, true
		}
		// The bound first, then containment without it.
		if pc.bound.Contains(p) && pieceContains(pc.poly, p) {
			return pc.item, true
		}
	}
	// Outside every clipped piece: most likely outside every polygon, but
	// a point on a border may fall between pieces by rounding: ask the tree.
	return -1, false
}
