package geo_test

import (
	"math"
	"testing"

	"skygrid/data"
	"skygrid/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func box(x0, y0, x1, y1 float64) orb.Polygon {
	return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
}

func TestMergeCells(t *testing.T) {
	for _, tt := range []struct {
		name          string
		cells         []orb.Polygon
		ok            bool
		polys, holes  int
		outerVertices int // of the first polygon's outer ring, closing point included
		area          float64
	}{
		{"two by two", []orb.Polygon{box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 1, 2), box(1, 1, 2, 2)}, true, 1, 0, 5, 4},
		{"an L", []orb.Polygon{box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 1, 2)}, true, 1, 0, 7, 3},
		{"corners touching", []orb.Polygon{box(0, 0, 1, 1), box(1, 1, 2, 2)}, true, 2, 0, 5, 2},
		{"a ring around a gap", []orb.Polygon{box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1), box(0, 1, 1, 2), box(2, 1, 3, 2),
			box(0, 2, 1, 3), box(1, 2, 2, 3), box(2, 2, 3, 3)}, true, 1, 1, 5, 8},
		{"a side split by a neighbour's corner", []orb.Polygon{box(0, 0, 2, 1), box(0, 1, 1, 2), box(1, 1, 2, 2)}, true, 1, 0, 5, 4},
		{"clockwise input", []orb.Polygon{{{{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0}}}, box(1, 0, 2, 1)}, true, 1, 0, 5, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mp, ok := geo.MergeCells(tt.cells)
			if ok != tt.ok {
				t.Fatalf("ok %v, want %v: %v", ok, tt.ok, mp)
			}
			if !ok {
				return
			}
			holes := 0
			for _, p := range mp {
				holes += len(p) - 1
			}
			if len(mp) != tt.polys || holes != tt.holes || len(mp[0][0]) != tt.outerVertices || math.Abs(planar.Area(mp)-tt.area) > 1e-9 {
				t.Errorf("%d polygons, %d holes, %d vertices, area %v: %v", len(mp), holes, len(mp[0][0]), planar.Area(mp), mp)
			}
		})
	}
}

// The generated 3 km cells of a real county merge back into its outline:
// the same area, a handful of rings, and every cell's centre inside.
func TestMergeCellsOfACounty(t *testing.T) {
	counties := readDistricts(t)
	for _, c := range counties {
		cells, err := geo.GenerateGrid(c.id, c.geom, geo.GridOptions{CellMetres: 3000, RefLat: 39.9})
		if err != nil {
			t.Fatal(err)
		}
		var polys []orb.Polygon
		for _, cell := range cells {
			polys = append(polys, cell.Geometry...)
		}
		mp, ok := geo.MergeCells(polys)
		if !ok {
			t.Errorf("%s: the %d cells do not merge", c.id, len(cells))
			continue
		}
		if got, want := geo.AreaKm2(mp), geo.AreaKm2(c.geom); math.Abs(got-want) > 0.001*want {
			t.Errorf("%s: merged %.2f km², the county %.2f km²", c.id, got, want)
		}
		for _, cell := range cells {
			if p := geo.Centroid(cell.Geometry); planar.MultiPolygonContains(cell.Geometry, p) && !planar.MultiPolygonContains(mp, p) {
				t.Errorf("%s: cell %s's centre %v not in the merged outline", c.id, cell.ID, p)
				break
			}
		}
		if len(mp) > 2*len(c.geom)+2 {
			t.Errorf("%s: %d polygons from a county of %d", c.id, len(mp), len(c.geom))
		}
	}
}

type district struct {
	id   string
	geom orb.MultiPolygon
}

func readDistricts(t *testing.T) []district {
	t.Helper()
	f, err := data.FS.Open(data.Districts)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	feats, _, err := geo.ReadGeoJSON(f, data.Districts, geo.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []district
	for _, ft := range feats {
		out = append(out, district{geo.Prop(ft.Properties, "district_adcode"), ft.Geometry.(orb.MultiPolygon)})
	}
	return out
}
