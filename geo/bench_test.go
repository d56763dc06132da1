package geo_test

import (
	"fmt"
	"math"
	"math/rand"
	"runtime"
	"sync"
	"testing"
	"time"

	"skygrid/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// irregularGrid makes nx*ny non-overlapping polygons covering a box at
// Datong: a lattice whose nodes are jittered and whose every edge is cut
// into 7-37 points wiggled sideways. Both cells beside an edge share its
// points, so the polygons tile the box without gaps or overlaps; each has
// 4 edges of 8-38 points: 30-150 vertices. (Synthetic, for benchmarks.)
func irregularGrid(nx, ny int, seed int64) []orb.Polygon {
	rnd := rand.New(rand.NewSource(seed))
	x0, y0, dx, dy := 112.6, 39.05, 0.02, 0.017
	node := make([][]orb.Point, nx+1)
	for i := range node {
		node[i] = make([]orb.Point, ny+1)
		for j := range node[i] {
			jx, jy := 0.0, 0.0
			if i > 0 && i < nx {
				jx = (rnd.Float64() - 0.5) * dx * 0.3
			}
			if j > 0 && j < ny {
				jy = (rnd.Float64() - 0.5) * dy * 0.3
			}
			node[i][j] = orb.Point{x0 + float64(i)*dx + jx, y0 + float64(j)*dy + jy}
		}
	}
	edge := func(a, b orb.Point) []orb.Point {
		n := 7 + rnd.Intn(31)
		pts := make([]orb.Point, 0, n+1)
		nx, ny := -(b[1] - a[1]), b[0]-a[0]
		for k := 0; k <= n; k++ {
			t := float64(k) / float64(n+1)
			w := 0.0
			if k > 0 {
				w = math.Sin(t*math.Pi) * (rnd.Float64() - 0.5) * 0.15
			}
			pts = append(pts, orb.Point{a[0] + t*(b[0]-a[0]) + w*nx, a[1] + t*(b[1]-a[1]) + w*ny})
		}
		return pts // from a, without b
	}
	rev := func(pts []orb.Point, end orb.Point) []orb.Point {
		// the same edge walked the other way: from end back to pts[0], without pts[0]
		out := []orb.Point{end}
		for k := len(pts) - 1; k > 0; k-- {
			out = append(out, pts[k])
		}
		return out
	}
	h := make([][][]orb.Point, nx)
	for i := range h {
		h[i] = make([][]orb.Point, ny+1)
		for j := range h[i] {
			h[i][j] = edge(node[i][j], node[i+1][j])
		}
	}
	v := make([][][]orb.Point, nx+1)
	for i := range v {
		v[i] = make([][]orb.Point, ny)
		for j := range v[i] {
			v[i][j] = edge(node[i][j], node[i][j+1])
		}
	}
	polys := make([]orb.Polygon, 0, nx*ny)
	for i := 0; i < nx; i++ {
		for j := 0; j < ny; j++ {
			var ring orb.Ring
			ring = append(ring, h[i][j]...)                        // bottom, west to east
			ring = append(ring, v[i+1][j]...)                      // east side, south to north
			ring = append(ring, rev(h[i][j+1], node[i+1][j+1])...) // top, east to west
			ring = append(ring, rev(v[i][j], node[i][j+1])...)     // west side, north to south
			ring = append(ring, ring[0])
			polys = append(polys, orb.Polygon{ring})
		}
	}
	return polys
}

func TestIrregularGridIsATiling(t *testing.T) {
	polys := irregularGrid(20, 10, 1)
	ix := geo.NewIndex()
	ids := make([]string, len(polys))
	for i, p := range polys {
		if n := len(p[0]) - 1; n < 30 || n > 150 {
			t.Fatalf("polygon %d has %d vertices", i, n)
		}
		ids[i] = fmt.Sprintf("p%03d", i)
		ix.Add(ids[i], orb.MultiPolygon{p})
	}
	rnd := rand.New(rand.NewSource(2))
	b := ix.Bound()
	for k := 0; k < 10000; k++ {
		pt := orb.Point{b.Min[0] + 0.003 + rnd.Float64()*(b.Max[0]-b.Min[0]-0.006), b.Min[1] + 0.003 + rnd.Float64()*(b.Max[1]-b.Min[1]-0.006)}
		n, owner := 0, -1
		for i, p := range polys {
			if planar.PolygonContains(p, pt) {
				n++
				owner = i
			}
		}
		if n != 1 {
			t.Fatalf("point %v is in %d polygons", pt, n)
		}
		if id, ok := ix.Locate(pt); !ok || id != ids[owner] {
			t.Fatalf("point %v: index says %q, brute force %q", pt, id, ids[owner])
		}
	}
}

// BenchmarkAssign assigns 1,000,000 points to 5,000 irregular grid
// polygons of 30-150 vertices, on every core (GOMAXPROCS goroutines), and
// reports points/s.
func BenchmarkAssign(b *testing.B) {
	polys := irregularGrid(100, 50, 1)
	ix := geo.NewIndex()
	for i, p := range polys {
		ix.Add(string(rune(i)), orb.MultiPolygon{p})
	}
	bd := ix.Bound()
	rnd := rand.New(rand.NewSource(3))
	pts := make([]orb.Point, 1_000_000)
	for i := range pts {
		// 5% fall just outside the grid, as points near a border do.
		pts[i] = orb.Point{bd.Min[0] - 0.02 + rnd.Float64()*(bd.Max[0]-bd.Min[0]+0.04), bd.Min[1] - 0.02 + rnd.Float64()*(bd.Max[1]-bd.Min[1]+0.04)}
	}
	t0 := time.Now()
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	ix.Build()
	runtime.GC()
	runtime.ReadMemStats(&m1)
	build := time.Since(t0)
	workers := runtime.GOMAXPROCS(0)
	b.ResetTimer()
	start := time.Now()
	found := 0
	for n := 0; n < b.N; n++ {
		var wg sync.WaitGroup
		counts := make([]int, workers)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := w; i < len(pts); i += workers {
					if _, ok := ix.Locate(pts[i]); ok {
						counts[w]++
					}
				}
			}(w)
		}
		wg.Wait()
		found = 0
		for _, c := range counts {
			found += c
		}
	}
	el := time.Since(start)
	b.ReportMetric(float64(len(pts)*b.N)/el.Seconds(), "points/s")
	b.ReportMetric(float64(found)/float64(len(pts)), "found-share")
	b.ReportMetric(build.Seconds(), "build-s")
	b.ReportMetric(float64(m1.HeapAlloc-m0.HeapAlloc)/(1<<20), "raster-MiB")
}

// BenchmarkLabelPoint: the label points of Datong's ten county outlines
// (the answer of /api/regions?level=county&labels=true).
func BenchmarkLabelPoint(b *testing.B) {
	counties := readFeatures(b, "testdata/datong_districts_tianditu_cgcs2000.geojson", geo.CGCS2000)
	vertices := 0
	for _, mp := range counties {
		for _, poly := range mp {
			for _, r := range poly {
				vertices += len(r)
			}
		}
	}
	b.ReportMetric(float64(vertices), "vertices")
	b.ResetTimer()
	for b.Loop() {
		for _, mp := range counties {
			geo.LabelPoint(mp)
		}
	}
}
