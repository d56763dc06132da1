// Package shanxi makes a SYNTHETIC Shanxi province for benchmarks at a
// province's size: 11 cities, 120 counties, 1,200 townships and 50,000
// grids (internal/perfgen's irregular grids over Shanxi's real bounding
// box), a supervisor for every grid, 5,000 dust monitors and a fire season
// of 2,000,000 detections in the FIRMS VIIRS layout. Nothing in it is
// real but the box and the cities' names: the shapes are rectangles of
// grids cut by a lattice, every name is marked 示例, every id starts SX.
// The same seed gives the same files.
//
// The regions are GeoJSON files that `skygrid import regions` reads, one
// per level (properties id, name, parent_id), each outline the union of
// its grids (geo.MergeCells).
package shanxi

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"skygrid/geo"
	"skygrid/internal/perfgen"

	"github.com/paulmach/orb"
)

// Region is one generated region.
type Region struct {
	ID, Name, ParentID string
	Geometry           orb.MultiPolygon
}

// Province is the generated province.
type Province struct {
	Cities, Counties, Townships []Region
	Grids                       []perfgen.Grid
	GridTownship                []int // index in Townships of each grid's township
}

// rect is a share of the box in fractions (0-1) of its width and height.
type rect struct{ x0, y0, x1, y1 float64 }

func (r rect) holds(x, y float64) bool { return x >= r.x0 && x < r.x1 && y >= r.y0 && y < r.y1 }

// city is one of Shanxi's eleven cities: its adcode, name and place in
// the synthetic layout (five bands from north to south).
type city struct {
	code, name string
	at         rect
}

var cities = []city{
	{"1406", "朔州市", rect{0, 0.82, 0.45, 1.01}},
	{"1402", "大同市", rect{0.45, 0.82, 1.01, 1.01}},
	{"1409", "忻州市", rect{0, 0.64, 0.6, 0.82}},
	{"1403", "阳泉市", rect{0.6, 0.64, 1.01, 0.82}},
	{"1411", "吕梁市", rect{0, 0.44, 0.4, 0.64}},
	{"1401", "太原市", rect{0.4, 0.44, 0.7, 0.64}},
	{"1407", "晋中市", rect{0.7, 0.44, 1.01, 0.64}},
	{"1410", "临汾市", rect{0, 0.22, 0.55, 0.44}},
	{"1404", "长治市", rect{0.55, 0.22, 1.01, 0.44}},
	{"1408", "运城市", rect{0, -0.01, 0.6, 0.22}},
	{"1405", "晋城市", rect{0.6, -0.01, 1.01, 0.22}},
}

// countiesOf is how many counties each city has (120 in all); every
// county has townshipsPerCounty townships (1,200).
func countiesOf(c int) int { return 11 - c/10 }

const townshipsPerCounty = 10

// split cuts r into n rectangles in rows, about square on the ground.
func split(r rect, n int, box perfgen.Box) []rect {
	wkm := (r.x1 - r.x0) * (box.MaxLon - box.MinLon) * 111.32 * math.Cos((box.MinLat+box.MaxLat)/2*math.Pi/180)
	hkm := (r.y1 - r.y0) * (box.MaxLat - box.MinLat) * 110.57
	rows := max(1, min(n, int(math.Round(math.Sqrt(float64(n)*hkm/wkm)))))
	var out []rect
	for k := range rows {
		in := n/rows + b2i(k < n%rows)
		y0 := r.y0 + (r.y1-r.y0)*float64(k)/float64(rows)
		y1 := r.y0 + (r.y1-r.y0)*float64(k+1)/float64(rows)
		for i := range in {
			out = append(out, rect{r.x0 + (r.x1-r.x0)*float64(i)/float64(in), y0, r.x0 + (r.x1-r.x0)*float64(i+1)/float64(in), y1})
		}
	}
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// unit is a region being made: its place and its grids.
type unit struct {
	Region
	at    rect
	grids []int
}

// Generate makes the province's regions and grids for seed.
func Generate(seed uint64) *Province {
	box := perfgen.Shanxi
	grids, _ := perfgen.Grids(perfgen.ShanxiGrids, seed, box, perfgen.ShanxiPrefix)
	var cs, ks, ts []*unit
	for ci, c := range cities {
		cu := &unit{Region: Region{ID: "SX-" + c.code, Name: c.name + "（示例）"}, at: c.at}
		cs = append(cs, cu)
		for ki, kr := range split(c.at, countiesOf(ci), box) {
			ku := &unit{Region: Region{ID: fmt.Sprintf("%s-%02d", cu.ID, ki+1), Name: fmt.Sprintf("%s示例%d县", c.name[:len(c.name)-len("市")], ki+1), ParentID: cu.ID}, at: kr}
			ks = append(ks, ku)
			for ti, tr := range split(kr, townshipsPerCounty, box) {
				ts = append(ts, &unit{Region: Region{ID: fmt.Sprintf("%s-%02d", ku.ID, ti+1), Name: fmt.Sprintf("%s%d乡", ku.Name, ti+1), ParentID: ku.ID}, at: tr})
			}
		}
	}
	p := &Province{Grids: grids, GridTownship: make([]int, len(grids))}
	for gi, g := range grids {
		p.GridTownship[gi] = place(g, box, cs, ks, ts)
	}
	// Townships from grids, counties from townships, cities from counties.
	gp := make([]orb.Polygon, len(grids))
	for i, g := range grids {
		gp[i] = Polygon(g)
	}
	p.Townships = outlines(ts, func(u *unit) []orb.Polygon { return pick(gp, u.grids) })
	p.Counties = outlines(ks, func(u *unit) []orb.Polygon { return kidsOf(u, ts) })
	p.Cities = outlines(cs, func(u *unit) []orb.Polygon { return kidsOf(u, ks) })
	return p
}

func pick(polys []orb.Polygon, idx []int) []orb.Polygon {
	out := make([]orb.Polygon, len(idx))
	for i, k := range idx {
		out[i] = polys[k]
	}
	return out
}

// kidsOf is the outlines of u's children (the finer level's units whose
// parent is u).
func kidsOf(u *unit, finer []*unit) []orb.Polygon {
	var out []orb.Polygon
	for _, k := range finer {
		if k.ParentID == u.ID {
			out = append(out, k.Geometry...)
		}
	}
	return out
}

// place adds grid g to the city, county and township its middle lies in
// and answers the township's index.
func place(g perfgen.Grid, box perfgen.Box, levels ...[]*unit) int {
	x := ((g.MinX+g.MaxX)/2 - box.MinLon) / (box.MaxLon - box.MinLon)
	y := ((g.MinY+g.MaxY)/2 - box.MinLat) / (box.MaxLat - box.MinLat)
	at := -1
	for _, us := range levels {
		for i, u := range us {
			if u.at.holds(x, y) {
				u.grids = append(u.grids, gIndex(g))
				at = i
				break
			}
		}
	}
	return at
}

// gIndex is a grid's index from its id (SXG00001 is 0).
func gIndex(g perfgen.Grid) int {
	var n int
	fmt.Sscanf(g.ID[len(perfgen.ShanxiPrefix):], "%d", &n)
	return n - 1
}

// outlines makes each unit's outline, the union of its pieces (on every
// core), and drops units without grids.
func outlines(us []*unit, pieces func(u *unit) []orb.Polygon) []Region {
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(us); i += workers {
				u := us[i]
				if len(u.grids) == 0 {
					continue
				}
				polys := pieces(u)
				mp, ok := geo.MergeCells(polys)
				if !ok {
					mp = orb.MultiPolygon(polys)
				}
				u.Geometry = mp
			}
		}()
	}
	wg.Wait()
	out := make([]Region, 0, len(us))
	for _, u := range us {
		if len(u.grids) > 0 {
			out = append(out, u.Region)
		}
	}
	return out
}

// Polygon is a generated grid as an orb polygon.
func Polygon(g perfgen.Grid) orb.Polygon {
	ring := make(orb.Ring, len(g.Ring))
	for i, p := range g.Ring {
		ring[i] = orb.Point(p)
	}
	return orb.Polygon{ring}
}
