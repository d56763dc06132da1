package demo

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"skygrid"
	"skygrid/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Township is a township-level unit (乡镇/街道) of the official list:
// its 9-digit code, full name and county.
type Township struct {
	ID, Name, CountyID string
}

// ReadTownships reads the township list of data/admin (AreaCity-JsSpider
// layout: id,pid,deep,name,pinyin_prefix,pinyin,ext_id,ext_name, with a
// BOM): the townships (depth 3), and the counties' (depth 2) pinyin
// without spaces ("hunyuan") by county code.
func ReadTownships(r io.Reader, name string) ([]Township, map[string]string, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: header: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")] = i
	}
	for _, want := range []string{"id", "pid", "deep", "pinyin", "ext_name"} {
		if _, ok := col[want]; !ok {
			return nil, nil, skygrid.Errorf(skygrid.EINVALID, "%s: no column %q", name, want)
		}
	}
	var out []Township
	pinyin := map[string]string{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, pinyin, nil
		} else if err != nil {
			return nil, nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		switch rec[col["deep"]] {
		case "2":
			pinyin[rec[col["id"]]] = strings.ReplaceAll(rec[col["pinyin"]], " ", "")
			continue
		case "3":
		default:
			continue
		}
		t := Township{ID: rec[col["id"]], Name: rec[col["ext_name"]], CountyID: rec[col["pid"]]}
		if len(t.ID) != 9 || !strings.HasPrefix(t.ID, t.CountyID) || t.Name == "" {
			return nil, nil, skygrid.Errorf(skygrid.EINVALID, "%s:%d: township %q (county %q, name %q) is not a 9-digit code under its county", name, line, t.ID, t.CountyID, t.Name)
		}
		out = append(out, t)
	}
}

// cellRC reads the row and column of a generated grid id (COUNTY-RRR-CCC).
func cellRC(id string) (row, col int, ok bool) {
	parts := strings.Split(id, "-")
	if len(parts) != 3 {
		return 0, 0, false
	}
	r, err1 := strconv.Atoi(parts[1])
	c, err2 := strconv.Atoi(parts[2])
	return r, c, err1 == nil && err2 == nil
}

// Townships gives each county's generated grid cells to the county's
// real townships (codes and names of the official list): contiguous
// groups of cells grown from seeds spread over the county, the same every
// run. It returns the township regions, whose invented boundaries (the
// union of their cells) are marked Demo, and makes each cell's parent its
// township and its name "<township> R行C列". Cells of counties without
// townships in the list are left as they are.
func Townships(counties, grids []*skygrid.Region, towns []Township) []*skygrid.Region {
	rng := rand.New(rand.NewPCG(2023, 11))
	byCounty := map[string][]*skygrid.Region{}
	for _, g := range grids {
		byCounty[g.ParentID] = append(byCounty[g.ParentID], g)
	}
	townsOf := map[string][]Township{}
	for _, t := range towns {
		townsOf[t.CountyID] = append(townsOf[t.CountyID], t)
	}
	var out []*skygrid.Region
	for _, c := range counties {
		cells, ts := byCounty[c.ID], townsOf[c.ID]
		if len(cells) == 0 || len(ts) == 0 {
			continue
		}
		owner := growTownships(cells, len(ts), rng)
		members := make([][]*skygrid.Region, len(ts))
		for i, g := range cells {
			members[owner[i]] = append(members[owner[i]], g)
		}
		for k, t := range ts {
			if len(members[k]) == 0 {
				continue
			}
			var polys []orb.Polygon
			area := 0.0
			for _, g := range members[k] {
				polys = append(polys, g.Geometry...)
				area += g.AreaKm2
				r, col, _ := cellRC(g.ID)
				g.ParentID, g.Name = t.ID, fmt.Sprintf("%s %d行%d列", t.Name, r+1, col+1)
			}
			mp, ok := geo.MergeCells(polys)
			if !ok {
				mp = orb.MultiPolygon(polys)
			}
			out = append(out, &skygrid.Region{ID: t.ID, Name: t.Name, Level: skygrid.LevelTownship, ParentID: c.ID,
				Geometry: mp, AreaKm2: area, Demo: true})
		}
	}
	return out
}

// growTownships splits cells (of one county) into n contiguous groups:
// seeds far apart (the first at random, then each the cell farthest from
// those chosen), grown together a cell at a time over shared sides; cells
// no side reaches (islands) join the group of the nearest cell. It
// returns each cell's group.
func growTownships(cells []*skygrid.Region, n int, rng *rand.Rand) []int {
	type rc struct{ r, c int }
	pos := make([]rc, len(cells))
	at := map[rc]int{}
	for i, g := range cells {
		r, c, _ := cellRC(g.ID)
		pos[i] = rc{r, c}
		at[pos[i]] = i
	}
	dist := func(a, b rc) float64 { return math.Hypot(float64(a.r-b.r), float64(a.c-b.c)) }
	owner := make([]int, len(cells))
	for i := range owner {
		owner[i] = -1
	}
	seeds := []int{rng.IntN(len(cells))}
	for len(seeds) < min(n, len(cells)) {
		best, bestD := -1, -1.0
		for i := range cells {
			d := math.Inf(1)
			for _, s := range seeds {
				d = math.Min(d, dist(pos[i], pos[s]))
			}
			if d > bestD {
				best, bestD = i, d
			}
		}
		seeds = append(seeds, best)
	}
	frontier := make([][]int, n)
	for k, s := range seeds {
		owner[s] = k
		frontier[k] = []int{s}
	}
	for grown := true; grown; {
		grown = false
		for k := range frontier {
			// Each group takes one cell a round: groups grow alike.
			for len(frontier[k]) > 0 {
				i := frontier[k][0]
				var free []int
				for _, d := range []rc{{-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
					if j, ok := at[rc{pos[i].r + d.r, pos[i].c + d.c}]; ok && owner[j] < 0 {
						free = append(free, j)
					}
				}
				if len(free) == 0 {
					frontier[k] = frontier[k][1:]
					continue
				}
				j := free[rng.IntN(len(free))]
				owner[j] = k
				frontier[k] = append(frontier[k], j)
				grown = true
				break
			}
		}
	}
	for i := range cells {
		if owner[i] >= 0 {
			continue
		}
		best, bestD := 0, math.Inf(1)
		for j := range cells {
			if owner[j] >= 0 && dist(pos[i], pos[j]) < bestD {
				best, bestD = j, dist(pos[i], pos[j])
			}
		}
		owner[i] = owner[best]
	}
	return owner
}

// demoUrbanCore is the radius around 平城区's centre kept free of demo
// cropland: the city itself.
const demoUrbanCore = 6000

// Cropland invents a cropland layer (耕地) for the demo, the same every
// run: in each county, field blocks of four parcels with lanes between
// them on a 2 km lattice, where a smooth random field is highest, until
// they cover a share of the county between a quarter and a third (Datong's
// cultivated land is roughly that share of its area), none within 6 km of
// 平城区's centre. Blocks lie wholly inside their county and are drawn
// without regard to any fire. Every name starts with 示例; the source is
// Source.
func Cropland(counties []*skygrid.Region) []*skygrid.Site {
	rng := rand.New(rand.NewPCG(2023, 12))
	var centre orb.Point
	for _, c := range counties {
		if c.ID == demoNoCoalCounty {
			centre = geo.Centroid(c.Geometry)
		}
	}
	field := newValueNoise(rng)
	var out []*skygrid.Site
	for _, c := range counties {
		share := 0.25 + rng.Float64()*0.08
		type block struct {
			centre orb.Point
			v      float64
		}
		var cands []block
		b := c.Geometry.Bound()
		dLat, dLon := geo.DegreesFor(2000, b.Center()[1])
		for y := math.Floor(b.Min[1]/dLat) * dLat; y < b.Max[1]; y += dLat {
			for x := math.Floor(b.Min[0]/dLon) * dLon; x < b.Max[0]; x += dLon {
				p := orb.Point{x + dLon/2, y + dLat/2}
				if centre != (orb.Point{}) && geo.DistanceMeters(p, centre) < demoUrbanCore {
					continue
				}
				in := planar.MultiPolygonContains(c.Geometry, p)
				for _, q := range []orb.Point{{x, y}, {x + dLon, y}, {x, y + dLat}, {x + dLon, y + dLat}} {
					in = in && planar.MultiPolygonContains(c.Geometry, q)
				}
				if in {
					cands = append(cands, block{p, field.at(p)})
				}
			}
		}
		slices.SortStableFunc(cands, func(a, b block) int { return -cmpFloat(a.v, b.v) })
		target, area := share*c.AreaKm2*1e6, 0.0
		for i, bl := range cands {
			if area >= target {
				break
			}
			mp := fieldBlock(bl.centre, rng)
			m2 := geo.AreaM2(mp)
			area += m2
			out = append(out, &skygrid.Site{Kind: skygrid.SiteCropland, ExternalID: fmt.Sprintf("DEMO-F%s-%03d", c.ID, i+1),
				Name: fmt.Sprintf("示例耕地%s%03d", c.Name, i+1), Geometry: mp, AreaM2: m2, Source: Source})
		}
	}
	return out
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// fieldBlock is four parcels of about 850 m, with lanes between them, in
// the 2 km square around c.
func fieldBlock(c orb.Point, rng *rand.Rand) orb.MultiPolygon {
	var mp orb.MultiPolygon
	for _, off := range [][2]float64{{-500, -500}, {500, -500}, {-500, 500}, {500, 500}} {
		dLat, dLon := geo.DegreesFor(1, c[1])
		p := orb.Point{c[0] + off[0]*dLon, c[1] + off[1]*dLat}
		w, h := 760+rng.Float64()*180, 760+rng.Float64()*180
		mp = append(mp, geo.Rect(p, w, h)...)
	}
	return mp
}

// valueNoise is a smooth random field: random values on lattices of 25
// and 8 km, interpolated smoothly, summed.
type valueNoise struct {
	seeds [2]uint64
}

func newValueNoise(rng *rand.Rand) valueNoise {
	return valueNoise{[2]uint64{rng.Uint64(), rng.Uint64()}}
}

func (n valueNoise) at(p orb.Point) float64 {
	return 0.65*n.octave(p, 0.25, n.seeds[0]) + 0.35*n.octave(p, 0.08, n.seeds[1])
}

func (n valueNoise) octave(p orb.Point, step float64, seed uint64) float64 {
	x, y := p[0]/step, p[1]/step
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := smooth(x-x0), smooth(y-y0)
	v := func(i, j float64) float64 {
		h := rand.New(rand.NewPCG(seed, uint64(int64(i)*73856093^int64(j)*19349663)))
		return h.Float64()
	}
	a, b := v(x0, y0), v(x0+1, y0)
	c, d := v(x0, y0+1), v(x0+1, y0+1)
	return (a*(1-fx)+b*fx)*(1-fy) + (c*(1-fx)+d*fx)*fy
}

func smooth(t float64) float64 { return t * t * (3 - 2*t) }
