package store_test

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"skygrid"
	"skygrid/internal/perfgen"
	"skygrid/internal/shanxi"
	"skygrid/internal/storetest"
	"skygrid/store"

	"github.com/paulmach/orb"
)

// The area scope benchmark's SYNTHETIC load (invented for benchmarks):
// the synthetic Shanxi's 11 cities, 120 counties and 1,200 townships
// (internal/shanxi; no grids), scopeSites construction sites, small
// squares of 100-300 m spread evenly over the province, and its 5,000
// dust monitors (as BenchmarkProvinceMonth places them).
const scopeSites = 20000

var scopeProvince = sync.OnceValue(func() *shanxi.Province { return shanxi.Generate(provinceSeed) })

// openScope opens the run's store with the scope benchmark's regions,
// sites and monitors.
func openScope(tb testing.TB) (*store.DB, *shanxi.Province) {
	tb.Helper()
	db := storetest.NewDB(tb, "scope.db")
	db.Now = func() time.Time { return provinceNow }
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, loadScope(tb, db)
}

// loadScope stores the scope benchmark's regions, sites and monitors.
func loadScope(tb testing.TB, db *store.DB) *shanxi.Province {
	tb.Helper()
	ctx := context.Background()
	p := scopeProvince()
	t0 := time.Now()
	var rs []*skygrid.Region
	for _, l := range []struct {
		level string
		rs    []shanxi.Region
	}{{skygrid.LevelCity, p.Cities}, {skygrid.LevelCounty, p.Counties}, {skygrid.LevelTownship, p.Townships}} {
		for _, r := range l.rs {
			rs = append(rs, &skygrid.Region{ID: r.ID, Name: r.Name, Level: l.level, ParentID: r.ParentID, Geometry: r.Geometry, AreaKm2: 1})
		}
	}
	if err := db.ImportRegions(ctx, rs); err != nil {
		tb.Fatal(err)
	}
	if _, err := db.ImportSites(ctx, scopeSiteList(), nil); err != nil {
		tb.Fatal(err)
	}
	var ms []skygrid.MonitorImport
	for i, pt := range perfgen.Uniform(shanxi.Monitors, provinceSeed+7, perfgen.Shanxi) {
		ms = append(ms, skygrid.MonitorImport{Monitor: skygrid.Monitor{MN: fmt.Sprintf("SXM%08d", i+1), Name: fmt.Sprintf("示例扬尘监测仪%04d", i+1),
			Kind: skygrid.MonitorDust, Lon: pt[0], Lat: pt[1]}, Where: "line"})
	}
	if _, err := db.ImportMonitors(ctx, ms); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("scope load (%d regions, %d sites, %d monitors) on %s in %s", len(rs), scopeSites, len(ms), storetest.Kind(),
		time.Since(t0).Round(time.Millisecond))
	return p
}

// scopeSiteList is the benchmark's construction sites, the same on
// every run.
func scopeSiteList() []*skygrid.Site {
	var out []*skygrid.Site
	for i, pt := range perfgen.Uniform(scopeSites, provinceSeed+23, perfgen.Shanxi) {
		h := 0.0005 + 0.001*float64(i%5)/4 // half a side: about 50-150 m
		ring := orb.Ring{{pt[0] - h, pt[1] - h}, {pt[0] + h, pt[1] - h}, {pt[0] + h, pt[1] + h}, {pt[0] - h, pt[1] + h}, {pt[0] - h, pt[1] - h}}
		out = append(out, &skygrid.Site{Kind: skygrid.SiteConstruction, ExternalID: fmt.Sprintf("SXS%05d", i+1),
			Name: fmt.Sprintf("示例工地%05d", i+1), Geometry: orb.MultiPolygon{{ring}}})
	}
	return out
}

// scopePaths are the ways a scoped list can be kept: Go on both stores,
// SQL on PostgreSQL.
func scopePaths() []string {
	if storetest.Postgres() {
		return []string{"go", "sql"}
	}
	return []string{"go"}
}

// BenchmarkSitesInScope: a township official's and a county official's
// first page of construction sites (50, with the total, as GET
// /api/sites without its counties; then with them, as the page asks) and
// their monitor list, by each path the store has (Go on SQLite; Go and
// SQL on PostgreSQL).
func BenchmarkSitesInScope(b *testing.B) {
	db, p := openScope(b)
	scopes := []struct{ name, id string }{
		{"township", p.Townships[len(p.Townships)/2].ID},
		{"county", p.Counties[len(p.Counties)/2].ID},
	}
	for _, sc := range scopes {
		for _, path := range scopePaths() {
			db.ScopeInGoForTest(path == "go")
			scope := &skygrid.Scope{Regions: []string{sc.id}}
			for _, counties := range []bool{false, true} {
				name := "sites/" + sc.name + "/" + path
				if counties {
					name = "sites+counties/" + sc.name + "/" + path
				}
				b.Run(name, func(b *testing.B) {
					benchScopedSites(b, db, skygrid.SiteFilter{Kind: ptr(skygrid.SiteConstruction), Scope: scope, Limit: 50, WithCounty: counties})
				})
			}
			b.Run("monitors/"+sc.name+"/"+path, func(b *testing.B) { benchScopedMonitors(b, db, scope) })
		}
	}
	db.ScopeInGoForTest(false)
}

func benchScopedSites(b *testing.B, db *store.DB, f skygrid.SiteFilter) {
	n, cpu0 := 0, cpuTime()
	for b.Loop() {
		ss, total, err := db.FindSites(context.Background(), f)
		if err != nil || len(ss) == 0 || (f.WithCounty && ss[0].CountyID == "") {
			b.Fatalf("%d sites of %d: %v", len(ss), total, err)
		}
		n = total
	}
	b.ReportMetric(float64(n), "sites")
	reportCPU(b, cpu0)
}

func benchScopedMonitors(b *testing.B, db *store.DB, scope *skygrid.Scope) {
	n, cpu0 := 0, cpuTime()
	for b.Loop() {
		ms, err := db.ListMonitors(context.Background(), scope)
		if err != nil || len(ms) == 0 {
			b.Fatalf("%d monitors: %v", len(ms), err)
		}
		n = len(ms)
	}
	b.ReportMetric(float64(n), "monitors")
	reportCPU(b, cpu0)
}

// cpuTime is the CPU time this process has used (user and system, every
// thread): on SQLite all of a query's work, on PostgreSQL the client's.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the process's CPU milliseconds per operation since
// cpu0 (the machine is shared: wall time alone says little).
func reportCPU(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}
