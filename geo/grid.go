package geo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
)

// Cell is one generated grid cell.
type Cell struct {
	// ID is the county code, the row (from the north) and the column (from
	// the west): "140221-007-012".
	ID       string
	Row, Col int
	Geometry orb.MultiPolygon
}

// GridOptions configures GenerateGrid.
type GridOptions struct {
	// CellMetres is the side of a square cell (3000 for the national
	// 3 km hotspot grid).
	CellMetres float64
	// RefLat is the latitude at which a cell is CellMetres wide. Use one
	// value for a whole city so cells of neighbouring counties line up.
	RefLat float64
	// MinAreaM2 drops clipped slivers smaller than this (0 keeps all).
	MinAreaM2 float64
}

// GenerateGrid cuts the county polygon into square cells on a lattice
// anchored at 0°,0°, each clipped to the county. The same county and
// options always give the same ids and shapes.
func GenerateGrid(countyID string, county orb.MultiPolygon, opt GridOptions) ([]Cell, error) {
	if opt.CellMetres <= 0 {
		return nil, fmt.Errorf("cell size must be positive, got %v m", opt.CellMetres)
	}
	dLat, dLon := DegreesFor(opt.CellMetres, opt.RefLat)
	b := county.Bound()
	c0 := int(math.Floor(b.Min[0] / dLon))
	c1 := int(math.Floor(b.Max[0] / dLon))
	r0 := int(math.Floor(b.Min[1] / dLat))
	r1 := int(math.Floor(b.Max[1] / dLat))
	if (c1-c0+1)*(r1-r0+1) > 4_000_000 {
		return nil, fmt.Errorf("county %s: %d x %d cells is too many; use a larger cell", countyID, c1-c0+1, r1-r0+1)
	}
	var cells []Cell
	for r := r1; r >= r0; r-- {
		for c := c0; c <= c1; c++ {
			cb := orb.Bound{
				Min: orb.Point{float64(c) * dLon, float64(r) * dLat},
				Max: orb.Point{float64(c+1) * dLon, float64(r+1) * dLat},
			}
			if !cb.Intersects(b) {
				continue
			}
			var mp orb.MultiPolygon
			for _, poly := range county {
				if !cb.Intersects(poly.Bound()) {
					continue
				}
				cp := clip.Polygon(cb, poly.Clone())
				if len(cp) == 0 || len(cp[0]) < 4 {
					continue
				}
				mp = append(mp, cp)
			}
			if len(mp) == 0 {
				continue
			}
			a := AreaKm2(mp) * 1e6
			if a <= 0 || a < opt.MinAreaM2 {
				continue
			}
			row, col := r1-r, c-c0
			cells = append(cells, Cell{ID: fmt.Sprintf("%s-%03d-%03d", countyID, row, col), Row: row, Col: col, Geometry: mp})
		}
	}
	return cells, nil
}
