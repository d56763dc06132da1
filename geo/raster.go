package geo

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
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
	border [][]piece
}

// piece is an item's polygon clipped to one cell.
type piece struct {
	item int32
	poly orb.Polygon
}

func (ix *Index) buildRaster() {
	if len(ix.parts) == 0 {
		return
	}
	b := ix.Bound()
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	if w <= 0 || h <= 0 {
		return
	}
	target := float64(len(ix.parts) * cellsPerPart)
	if target > maxCells {
		target = maxCells
	}
	cs := math.Sqrt(w * h / target)
	r := &raster{b: b, nx: int(math.Ceil(w / cs)), ny: int(math.Ceil(h / cs))}
	r.cw, r.ch = w/float64(r.nx), h/float64(r.ny)
	r.cells = make([]int32, r.nx*r.ny)
	var cands []int32
	for j := 0; j < r.ny; j++ {
		for i := 0; i < r.nx; i++ {
			cb := orb.Bound{
				Min: orb.Point{b.Min[0] + float64(i)*r.cw, b.Min[1] + float64(j)*r.ch},
				Max: orb.Point{b.Min[0] + float64(i+1)*r.cw, b.Min[1] + float64(j+1)*r.ch},
			}
			cands = cands[:0]
			ix.tree.Search([2]float64{cb.Min[0], cb.Min[1]}, [2]float64{cb.Max[0], cb.Max[1]}, func(_, _ [2]float64, pi int32) bool {
				cands = append(cands, pi)
				return true
			})
			r.cells[j*r.nx+i] = r.classify(ix, cb, cands)
		}
	}
	ix.raster = r
}

// classify decides a cell from the parts whose bounds touch it.
func (r *raster) classify(ix *Index, cb orb.Bound, cands []int32) int32 {
	if len(cands) == 0 {
		return cellEmpty
	}
	cellArea := (cb.Max[0] - cb.Min[0]) * (cb.Max[1] - cb.Min[1])
	var pieces []piece
	for _, pi := range cands {
		pa := &ix.parts[pi]
		cp := pa.poly // a part that lies wholly in the cell is kept whole
		if !(pa.bound.Min[0] >= cb.Min[0] && pa.bound.Max[0] <= cb.Max[0] && pa.bound.Min[1] >= cb.Min[1] && pa.bound.Max[1] <= cb.Max[1]) {
			// Clone: the clip result keeps the whole input's backing array.
			cp = clip.Polygon(cb, pa.poly.Clone()).Clone()
		}
		if len(cp) == 0 || len(cp[0]) < 2 {
			continue
		}
		a := math.Abs(planar.Area(cp))
		if a >= cellArea*(1-1e-9) {
			// The part covers the whole cell. With non-overlapping
			// polygons no other can own any of it but on a shared border,
			// which the lowest item wins anyway, as in locateTree.
			if len(pieces) == 0 || allLater(pieces, pa.item) {
				return pa.item
			}
		}
		// A piece of zero area (a part that only touches the cell along
		// its edge) is kept: points on that edge belong to the part.
		pieces = append(pieces, piece{item: pa.item, poly: cp})
	}
	if len(pieces) == 0 {
		return cellEmpty
	}
	sort.SliceStable(pieces, func(a, b int) bool { return pieces[a].item < pieces[b].item })
	r.border = append(r.border, pieces)
	return int32(-(len(r.border) - 1) - 2)
}

func allLater(ps []piece, item int32) bool {
	for _, p := range ps {
		if p.item < item {
			return false
		}
	}
	return true
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
	for _, pc := range r.border[-(v + 2)] {
		if planar.PolygonContains(pc.poly, p) {
			return pc.item, true
		}
	}
	// Outside every clipped piece: most likely outside every polygon, but
	// a point on a border may fall between pieces by rounding: ask the tree.
	return -1, false
}
