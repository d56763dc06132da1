package geo_test

import (
	"fmt"
	"math"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"skygrid/geo"

	"github.com/paulmach/orb"
)

func sq(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

func TestIndexLocateAndAssign(t *testing.T) {
	ix := geo.NewIndex()
	// a: a square with a hole; b: its right neighbour sharing the edge x=113.1;
	// c: a two-part multipolygon.
	ix.Add("a", orb.MultiPolygon{{sq(113.0, 40.0, 113.1, 40.1), sq(113.04, 40.04, 113.06, 40.06)}})
	ix.Add("b", orb.MultiPolygon{{sq(113.1, 40.0, 113.2, 40.1)}})
	ix.Add("c", orb.MultiPolygon{{sq(114.0, 40.0, 114.1, 40.1)}, {sq(114.3, 40.0, 114.4, 40.1)}})
	for _, tt := range []struct {
		name string
		p    orb.Point
		id   string
		how  string
	}{
		{"inside a", orb.Point{113.01, 40.05}, "a", geo.AssignContains},
		{"in the middle of a's hole, 850 m from a", orb.Point{113.05, 40.05}, "", geo.AssignNone},
		{"on the shared edge goes to the first added", orb.Point{113.1, 40.05}, "a", geo.AssignContains},
		{"inside b", orb.Point{113.15, 40.05}, "b", geo.AssignContains},
		{"second part of c", orb.Point{114.35, 40.05}, "c", geo.AssignContains},
		{"300 m east of b", orb.Point{113.2 + 300/(111195*math.Cos(40.05*math.Pi/180)), 40.05}, "b", geo.AssignNearest},
		{"700 m north of a", orb.Point{113.05, 40.1 + 700/111195.0}, "", geo.AssignNone},
		{"far away", orb.Point{100, 30}, "", geo.AssignNone},
	} {
		t.Run(tt.name, func(t *testing.T) {
			id, how := ix.Assign(tt.p, 500)
			if id != tt.id || how != tt.how {
				t.Errorf("got %q %s, want %q %s", id, how, tt.id, tt.how)
			}
		})
	}
	if _, d, ok := ix.Nearest(orb.Point{113.05, 40.0505}, 2000); !ok || math.Abs(d-0.01*111195*math.Cos(40.0505*math.Pi/180)) > 5 {
		t.Errorf("distance from inside the hole to its edge: %.0f m (ok=%v)", d, ok)
	}
	if !ix.Covers(orb.Point{113.05, 40.1 + 4000/111195.0}, 5000) || ix.Covers(orb.Point{113.05, 40.1 + 6000/111195.0}, 5000) {
		t.Error("Covers with a 5 km margin is wrong")
	}
}

func TestGenerateGrid(t *testing.T) {
	tianditu := readFeatures(t, "testdata/datong_districts_tianditu_cgcs2000.geojson", geo.CGCS2000)
	county := tianditu["140225"] // 浑源县
	cells, err := geo.GenerateGrid("140225", county, geo.GridOptions{CellMetres: 3000, RefLat: 40})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := geo.GenerateGrid("140225", county, geo.GridOptions{CellMetres: 3000, RefLat: 40})
	var area float64
	ids := map[string]bool{}
	for i, c := range cells {
		if !strings.HasPrefix(c.ID, "140225-") || ids[c.ID] {
			t.Fatalf("bad or repeated id %q", c.ID)
		}
		ids[c.ID] = true
		if again[i].ID != c.ID {
			t.Fatalf("ids not stable: %s then %s", c.ID, again[i].ID)
		}
		a := geo.AreaKm2(c.Geometry)
		// 3 km tall; exactly 3 km wide at RefLat, within 1.5% across the county.
		if a > 9*1.015 {
			t.Errorf("cell %s is %.2f km², more than 3x3", c.ID, a)
		}
		area += a
	}
	want := geo.AreaKm2(county)
	t.Logf("%d cells, %.1f km² of %.1f km²", len(cells), area, want)
	if math.Abs(area-want)/want > 0.001 {
		t.Errorf("cells cover %.1f km², the county %.1f km²", area, want)
	}
	// Every point of the county is in exactly one cell (sampled).
	ix := geo.NewIndex()
	for _, c := range cells {
		ix.Add(c.ID, c.Geometry)
	}
	b := county.Bound()
	for i := 0; i < 2000; i++ {
		p := orb.Point{b.Min[0] + (b.Max[0]-b.Min[0])*float64(i%50)/50.0 + 0.0001, b.Min[1] + (b.Max[1]-b.Min[1])*float64(i/50)/40.0 + 0.0001}
		inCounty := geo.DistanceToMultiPolygon(p, county) == 0
		_, inCell := ix.Locate(p)
		if inCounty != inCell {
			t.Fatalf("point %v: in county %v, in a cell %v", p, inCounty, inCell)
		}
	}
	if _, err := geo.GenerateGrid("x", county, geo.GridOptions{CellMetres: 0}); err == nil {
		t.Error("cell size 0 accepted")
	}
}

// overlappingSquares makes n squares of 1-8 km scattered over 20 x 20 km
// so that most overlap; every third has a hole. Ids sort in the order the
// squares were made.
func overlappingSquares(n int, seed int64) map[string]orb.MultiPolygon {
	rnd := rand.New(rand.NewSource(seed))
	m := map[string]orb.MultiPolygon{}
	for i := range n {
		x, y, s := 113+rnd.Float64()*0.2, 40+rnd.Float64()*0.2, 0.01+rnd.Float64()*0.07
		poly := orb.Polygon{sq(x, y, x+s, y+s)}
		if i%3 == 0 {
			poly = append(poly, sq(x+s/4, y+s/4, x+s/2, y+s/2))
		}
		m[fmt.Sprintf("o%03d", i)] = orb.MultiPolygon{poly}
	}
	return m
}

// The raster must answer exactly as the plain R-tree search does, on real
// county outlines and on generated grids, for random points, vertices and
// points on cell edges.
func TestRasterAgreesWithTree(t *testing.T) {
	counties := readFeatures(t, "testdata/datong_districts_tianditu_cgcs2000.geojson", geo.CGCS2000)
	for _, tt := range []struct {
		name  string
		items map[string]orb.MultiPolygon
	}{
		{"counties", counties},
		{"3 km grid of 浑源县", func() map[string]orb.MultiPolygon {
			cells, _ := geo.GenerateGrid("140225", counties["140225"], geo.GridOptions{CellMetres: 3000, RefLat: 40})
			m := map[string]orb.MultiPolygon{}
			for _, c := range cells {
				m[c.ID] = c.Geometry
			}
			return m
		}()},
		{"overlapping squares, some with holes: the first added wins", overlappingSquares(60, 5)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fast, slow := geo.NewIndex(), geo.NewIndex()
			var ids []string
			for id := range tt.items {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			var vertices []orb.Point
			for _, id := range ids {
				fast.Add(id, tt.items[id])
				slow.Add(id, tt.items[id])
				for _, poly := range tt.items[id] {
					vertices = append(vertices, poly[0]...)
				}
			}
			fast.Build()
			b := fast.Bound()
			rnd := rand.New(rand.NewSource(7))
			pts := vertices
			for i := 0; i < 50000; i++ {
				pts = append(pts, orb.Point{b.Min[0] - 0.01 + rnd.Float64()*(b.Max[0]-b.Min[0]+0.02), b.Min[1] - 0.01 + rnd.Float64()*(b.Max[1]-b.Min[1]+0.02)})
			}
			for _, p := range pts {
				a, aok := fast.Locate(p)
				s, sok := slow.LocateTreeForTest(p)
				if a != s || aok != sok {
					t.Fatalf("point %v: raster %q %v, tree %q %v", p, a, aok, s, sok)
				}
			}
		})
	}
}

func TestPointIndexNearest(t *testing.T) {
	var pi geo.PointIndex
	// Tongmei Tashan power station and two made-up points.
	pi.Add("tashan", orb.Point{113.1887484, 39.9792083})
	pi.Add("east", orb.Point{113.2100, 39.9792})
	pi.Add("far", orb.Point{114.5, 40.5})
	for _, tt := range []struct {
		name string
		p    orb.Point
		max  float64
		want string
	}{
		{"900 m north of the plant", orb.Point{113.1887, 39.9873}, 1000, "tashan"},
		{"1100 m east of the plant, 700 m from east", orb.Point{113.2016, 39.9792}, 1000, "east"},
		{"nothing within 500 m", orb.Point{113.1995, 39.9792}, 500, ""},
		{"far away", orb.Point{100, 30}, 5000, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			id, d, ok := pi.Nearest(tt.p, tt.max)
			if id != tt.want || ok != (tt.want != "") || (ok && d > tt.max) {
				t.Errorf("got %q %.0f m %v, want %q", id, d, ok, tt.want)
			}
		})
	}
	if pi.Len() != 3 {
		t.Errorf("len %d", pi.Len())
	}
}

func TestContains(t *testing.T) {
	sq := geo.Rect(orb.Point{113.3, 40.1}, 100, 100)
	far := geo.Rect(orb.Point{114, 40.5}, 100, 100)
	for _, tc := range []struct {
		name string
		g    orb.Geometry
		p    orb.Point
		want bool
	}{
		{"inside a polygon", sq[0], orb.Point{113.3, 40.1}, true},
		{"outside a polygon", sq[0], orb.Point{113.31, 40.1}, false},
		{"inside a multipolygon's second part", orb.MultiPolygon{sq[0], far[0]}, orb.Point{114, 40.5}, true},
		{"a point holds nothing", orb.Point{113.3, 40.1}, orb.Point{113.3, 40.1}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := geo.Contains(tc.g, tc.p); got != tc.want {
				t.Errorf("Contains = %v, want %v", got, tc.want)
			}
		})
	}
}
