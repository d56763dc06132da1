package geo

import (
	"github.com/paulmach/orb"
)

// LocateTreeForTest answers with the plain R-tree search, bypassing the raster.
func (ix *Index) LocateTreeForTest(p orb.Point) (string, bool) {
	i := ix.locateTree(p)
	if i < 0 {
		return "", false
	}
	return ix.ids[i], true
}
