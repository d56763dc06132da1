package geo_test

import (
	"io"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"skygrid/geo"
	"skygrid/internal/perfgen"

	"github.com/paulmach/orb"
)

// joinData is generated grids, points and each point's grid found
// without an index (perfgen's bucketed brute force).
type joinData struct {
	grids  []perfgen.Grid
	pts    []orb.Point
	expect []int32
}

func newJoinData(tb testing.TB, grids, points int, seed uint64, box perfgen.Box, prefix string, clusters int) joinData {
	gs, st := perfgen.Grids(grids, seed, box, prefix)
	if st.InvalidRings > 0 {
		tb.Fatalf("%d invalid rings", st.InvalidRings)
	}
	ps, _, err := perfgen.WritePoints(io.Discard, points, seed, box, clusters)
	if err != nil {
		tb.Fatal(err)
	}
	expect, ast := perfgen.AssignBucketed(gs, ps, box)
	if ast.MultiHits > 0 || ast.BoundaryHits > 0 {
		tb.Fatalf("reference: %+v", ast)
	}
	d := joinData{grids: gs, expect: expect, pts: make([]orb.Point, len(ps))}
	for i, p := range ps {
		d.pts[i] = orb.Point{p.Lon, p.Lat}
	}
	return d
}

// index builds the grid index as a regions change does: every grid added
// (the R-tree) and the raster built.
func (d joinData) index() *geo.Index {
	ix := geo.NewIndex()
	for _, g := range d.grids {
		ring := make(orb.Ring, len(g.Ring))
		for i, p := range g.Ring {
			ring[i] = orb.Point(p)
		}
		ix.Add(g.ID, orb.MultiPolygon{{ring}})
	}
	ix.Build()
	return ix
}

// join locates every point on every core into got (the grid's id, "").
func (d joinData) join(ix *geo.Index, got []string) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(d.pts); i += workers {
				got[i], _ = ix.Locate(d.pts[i])
			}
		}()
	}
	wg.Wait()
}

// benchJoin reports the index build (build-s: Add of every grid and
// Build, the median of three builds) and the join of every point
// (points/s), and fails on any answer other than the reference's.
func benchJoin(b *testing.B, d joinData) {
	var builds, buildsCPU []float64
	var ix *geo.Index
	for range 3 {
		runtime.GC()
		t0, c0 := time.Now(), cpuSeconds()
		ix = d.index()
		builds = append(builds, time.Since(t0).Seconds())
		buildsCPU = append(buildsCPU, cpuSeconds()-c0)
	}
	got := make([]string, len(d.pts))
	b.ResetTimer()
	start, c0 := time.Now(), cpuSeconds()
	for b.Loop() {
		d.join(ix, got)
	}
	el, cpu := time.Since(start), cpuSeconds()-c0
	b.StopTimer()
	for i := range got {
		want := ""
		if d.expect[i] >= 0 {
			want = d.grids[d.expect[i]].ID
		}
		if got[i] != want {
			b.Fatalf("point %d %v: index says grid %q, brute force %q", i+1, d.pts[i], got[i], want)
		}
	}
	b.ReportMetric(float64(len(d.pts)*b.N)/el.Seconds(), "points/s")
	b.ReportMetric(median(builds), "build-s")
	// CPU time, every thread's (the machine is shared: wall time waits
	// for other work, CPU time much less).
	b.ReportMetric(median(buildsCPU), "build-cpu-s")
	b.ReportMetric(float64(len(d.pts)*b.N)/cpu, "points/cpu-s")
	b.ReportMetric(float64(len(d.grids)), "grids")
}

// cpuSeconds is the CPU time the process has used (user and system).
func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	for i := 1; i < len(s); i++ {
		for k := i; k > 0 && s[k] < s[k-1]; k-- {
			s[k], s[k-1] = s[k-1], s[k]
		}
	}
	return s[len(s)/2]
}

// BenchmarkJoin: the issue-17 side-by-side data (perfgen's defaults, the
// files PostGIS is measured on by scripts/perf/join.sh): 5,000 irregular
// grids over Datong and 1,000,000 FIRMS points, every answer checked.
func BenchmarkJoin(b *testing.B) {
	o := perfgen.Defaults
	benchJoin(b, newJoinData(b, o.Grids, o.Points, o.Seed, perfgen.Datong, "DT", 250))
}

// BenchmarkProvinceIndex: the synthetic Shanxi's 50,000 grids and its
// season of 2,000,000 detections (internal/shanxi), every answer checked.
func BenchmarkProvinceIndex(b *testing.B) {
	benchJoin(b, newJoinData(b, perfgen.ShanxiGrids, perfgen.ShanxiPoints, 1, perfgen.Shanxi, perfgen.ShanxiPrefix, perfgen.ShanxiClusters))
}
