package geo

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/planar"
)

// LocateTreeForTest answers with the plain R-tree search, bypassing the raster.
func (ix *Index) LocateTreeForTest(p orb.Point) (string, bool) {
	i := ix.locateTree(p)
	if i < 0 {
		return "", false
	}
	return ix.ids[i], true
}

func (ix *Index) DebugForTest(p orb.Point) string {
	r := ix.raster
	x, y := (p[0]-r.b.Min[0])/r.cw, (p[1]-r.b.Min[1])/r.ch
	i, j := int(x), int(y)
	if i >= r.nx || j >= r.ny {
		return fmt.Sprintf("x=%v y=%v outside", x, y)
	}
	v := r.cells[j*r.nx+i]
	s := fmt.Sprintf("x=%v y=%v nx=%d ny=%d v=%d", x, y, r.nx, r.ny, v)
	if v <= -2 {
		for _, pc := range r.border[-(v + 2)] {
			s += fmt.Sprintf(" piece %s %v", ix.ids[pc.item], pc.poly)
		}
	}
	return s
}

func (ix *Index) DebugCellForTest(p orb.Point) string {
	r := ix.raster
	x, y := (p[0]-r.b.Min[0])/r.cw, (p[1]-r.b.Min[1])/r.ch
	i, j := int(x), int(y)
	cb := orb.Bound{
		Min: orb.Point{r.b.Min[0] + float64(i)*r.cw, r.b.Min[1] + float64(j)*r.ch},
		Max: orb.Point{r.b.Min[0] + float64(i+1)*r.cw, r.b.Min[1] + float64(j+1)*r.ch},
	}
	s := fmt.Sprintf("cell %v ", cb)
	ix.tree.Search([2]float64{cb.Min[0], cb.Min[1]}, [2]float64{cb.Max[0], cb.Max[1]}, func(_, _ [2]float64, pi int32) bool {
		pa := ix.parts[pi]
		cp := clip.Polygon(cb, pa.poly.Clone())
		s += fmt.Sprintf("\ncand %s bound %v poly %v\n clip %v area %v", ix.ids[pa.item], pa.bound, pa.poly, cp, planar.Area(cp))
		return true
	})
	return s
}
