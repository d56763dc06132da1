package store_test

import (
	"context"
	"fmt"
	"testing"

	"skygrid"
	"skygrid/internal/perfgen"
	"skygrid/internal/shanxi"
	"skygrid/internal/storetest"
)

// importMonitorList is a province's dust monitors as a registry file
// gives them (SYNTHETIC): every other one stands in a site of
// scopeSiteList, found by its position; one in ten names its site;
// the rest stand where no site is. prefix keeps each run's device
// numbers apart.
func importMonitorList(prefix string, sites []*skygrid.Site) []skygrid.MonitorImport {
	var ms []skygrid.MonitorImport
	for i, pt := range perfgen.Uniform(shanxi.Monitors, provinceSeed+7, perfgen.Shanxi) {
		m := skygrid.MonitorImport{Monitor: skygrid.Monitor{MN: fmt.Sprintf("%s%08d", prefix, i+1), Name: fmt.Sprintf("示例扬尘监测仪%04d", i+1),
			Kind: skygrid.MonitorDust, Lon: pt[0], Lat: pt[1]}, Where: fmt.Sprintf("line %d", i+2)}
		s := sites[(i*7)%len(sites)]
		switch {
		case i%10 == 0:
			m.SiteRef = s.ExternalID
		case i%2 == 0:
			c := s.Geometry.Bound().Center()
			m.Lon, m.Lat = c[0], c[1]
		}
		ms = append(ms, m)
	}
	return ms
}

// BenchmarkImport: a province's registry imported into its store:
// scopeSites construction sites (new each round), then its 5,000
// monitors onto them (new each round, and the same file again: every
// monitor updated).
func BenchmarkImport(b *testing.B) {
	ctx := context.Background()
	db := storetest.NewDB(b, "import.db")
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	sites := scopeSiteList()
	if _, err := db.ImportSites(ctx, sites, nil); err != nil {
		b.Fatal(err)
	}
	b.Run("sites", func(b *testing.B) {
		round := 0
		for b.Loop() {
			round++
			ss := scopeSiteList()
			for _, s := range ss {
				s.ExternalID = fmt.Sprintf("R%d-%s", round, s.ExternalID)
			}
			if n, err := db.ImportSites(ctx, ss, nil); err != nil || n != len(ss) {
				b.Fatalf("import sites: %d new, %v", n, err)
			}
		}
		b.ReportMetric(float64(scopeSites*b.N)/b.Elapsed().Seconds(), "sites/s")
	})
	for _, again := range []bool{false, true} {
		name := map[bool]string{false: "monitors-new", true: "monitors-again"}[again]
		b.Run(name, func(b *testing.B) {
			round := 0
			for b.Loop() {
				round++
				prefix := fmt.Sprintf("N%d-", round)
				if again {
					prefix = "AGAIN-"
				}
				ms := importMonitorList(prefix, sites)
				n, err := db.ImportMonitors(ctx, ms)
				if err != nil || (!again && n != len(ms)) {
					b.Fatalf("import monitors: %d new, %v", n, err)
				}
			}
			b.ReportMetric(float64(shanxi.Monitors*b.N)/b.Elapsed().Seconds(), "monitors/s")
		})
	}
}
