package registry_test

import (
	"os"
	"strings"
	"testing"

	"skygrid"
	"skygrid/geo"
	"skygrid/registry"

	"github.com/paulmach/orb"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func readSitesFile(t *testing.T, path string, opt registry.SiteImport) ([]*skygrid.Site, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return registry.ReadSites(f, path, opt)
}

func TestReadConstructionSitesGeoJSONChineseProperties(t *testing.T) {
	sites, err := readSitesFile(t, "testdata/sites_construction.geojson", registry.SiteImport{Kind: skygrid.SiteConstruction})
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) != 3 {
		t.Fatalf("%d sites, want 3", len(sites))
	}
	c1, c2, c3 := sites[0], sites[1], sites[2]
	if c1.ExternalID != "C1" || c1.Name != "测试工地一" || c1.Attrs[skygrid.AttrPermit] != "140213-2023-001" ||
		c1.Attrs[skygrid.AttrBuilder] != "测试建设" || c1.Attrs[skygrid.AttrStartDate] != "2023-03-01" ||
		c1.Attrs[skygrid.AttrVideo] != "yes" || c1.Attrs[skygrid.AttrPlatformID] != "V-1" {
		t.Errorf("C1 read as %+v", c1)
	}
	// 0.002° × 0.0015° at 40.08° N: about 170 m × 167 m.
	if c1.AreaM2 < 27000 || c1.AreaM2 > 30000 {
		t.Errorf("C1 area %.0f m²", c1.AreaM2)
	}
	if c1.Violation != "" || c2.Violation != skygrid.ViolationNoVideo || c3.Violation != "" {
		t.Errorf("violations %q %q %q, want \"\", no_video, \"\" (C3 is %.0f m²)", c1.Violation, c2.Violation, c3.Violation, c3.AreaM2)
	}
	if c3.AreaM2 > skygrid.VideoAreaM2 {
		t.Errorf("C3 is %.0f m², want under 5000", c3.AreaM2)
	}
}

func TestReadStockpilesCSV(t *testing.T) {
	sites, err := readSitesFile(t, "testdata/sites_stockpiles_wkt.csv", registry.SiteImport{Kind: skygrid.SiteStockpile})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ id, material, suppression, violation string }{
		{"S1", "coal", "none", skygrid.ViolationUncoveredPile},
		{"S2", "sand", "none", ""},
		{"S3", "ore", "covered", ""},
	}
	for i, w := range want {
		s := sites[i]
		if s.ExternalID != w.id || s.Attrs[skygrid.AttrMaterial] != w.material || s.Attrs[skygrid.AttrSuppression] != w.suppression || s.Violation != w.violation {
			t.Errorf("site %d: %s %v violation %q, want %+v", i, s.ExternalID, s.Attrs, s.Violation, w)
		}
	}
	if _, ok := sites[0].Geometry.(orb.MultiPolygon); !ok || sites[0].AreaM2 <= 0 {
		t.Errorf("S1 geometry %T area %v", sites[0].Geometry, sites[0].AreaM2)
	}
	if p, ok := sites[1].Geometry.(orb.Point); !ok || p != (orb.Point{113.41, 40.11}) {
		t.Errorf("S2 geometry %v", sites[1].Geometry)
	}

	// Lon/lat columns in GCJ-02 are converted to WGS84.
	g, err := readSitesFile(t, "testdata/sites_stockpiles_lonlat_gcj02.csv", registry.SiteImport{Kind: skygrid.SiteStockpile, CRS: "gcj02"})
	if err != nil {
		t.Fatal(err)
	}
	p := g[0].Geometry.(orb.Point)
	if back := geo.WGS84ToGCJ02(p); geo.DistanceMeters(back, orb.Point{113.306, 40.081}) > 0.5 {
		t.Errorf("GCJ-02 point converted to %v, which maps back to %v", p, back)
	}
	if d := geo.DistanceMeters(p, orb.Point{113.306, 40.081}); d < 100 || d > 1000 {
		t.Errorf("GCJ-02 offset %.0f m, want a few hundred metres", d)
	}
}

func TestReadSitesRefusesBadRowsNamingLineAndField(t *testing.T) {
	_, err := readSitesFile(t, "testdata/sites_bad.csv", registry.SiteImport{Kind: skygrid.SiteStockpile})
	if skygrid.ErrorCode(err) != skygrid.EINVALID {
		t.Fatalf("want EINVALID, got %v", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"testdata/sites_bad.csv: 4 rows refused, nothing stored",
		`line 3: field material: "gold": want coal, ore, sand, other`,
		`line 4: field lon: not a number: "east"`,
		"line 5: field suppression: empty",
		"line 6: id B1 already used by line 2",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	// A construction point without an area, and a no-coal point, are refused.
	_, err = registry.ReadSites(strings.NewReader("id,name,video,lon,lat\nP1,x,yes,113.3,40.1\n"), "p.csv", registry.SiteImport{Kind: skygrid.SiteConstruction})
	if err == nil || !strings.Contains(err.Error(), "p.csv: line 2: a construction site given as a point needs its area") {
		t.Errorf("point construction site: %v", err)
	}
	_, err = registry.ReadSites(strings.NewReader(`{"type":"Feature","properties":{"id":"N"},"geometry":{"type":"Point","coordinates":[113.3,40.1]}}`), "n.geojson", registry.SiteImport{Kind: skygrid.SiteNoCoal})
	if err == nil || !strings.Contains(err.Error(), "n.geojson: feature 0: geometry type Point") {
		t.Errorf("point no-coal zone: %v", err)
	}
	_, err = registry.ReadSites(strings.NewReader("id,name,wkt\nN1,x,\"POLYGON((113 40,113.1 40,113.1 40.1,113 40.1))\"\n"), "w.csv", registry.SiteImport{Kind: skygrid.SiteCropland})
	if err == nil || !strings.Contains(err.Error(), "w.csv: line 2: field wkt: outer ring is not closed") {
		t.Errorf("bad WKT: %v", err)
	}
}

// The rule at its edge: 4990 m² and 5010 m² sites without video fall on
// either side of 5000 m², measured geodesically.
func TestVideoRuleAt5000SquareMetres(t *testing.T) {
	datong := orb.Point{113.30, 40.08}
	rect := geo.Rect(datong, 100, 50)
	if a := geo.AreaM2(rect); a < 5000*0.995 || a > 5000*1.005 {
		t.Fatalf("100 m × 50 m at 40.08° N measures %.1f m², want 5000 within 0.5%%", a)
	}
	for _, tc := range []struct {
		area      float64
		violation string
	}{{4990, ""}, {5010, skygrid.ViolationNoVideo}} {
		// Scale the 100 × 50 rectangle to the area, then measure it.
		k := tc.area / 5000
		mp := geo.Rect(datong, 100*k, 50)
		fc := `{"type":"Feature","properties":{"id":"X","video":"no"},"geometry":` + string(geo.MarshalGeoJSONGeometry(mp)) + `}`
		sites, err := registry.ReadSites(strings.NewReader(fc), "edge.geojson", registry.SiteImport{Kind: skygrid.SiteConstruction})
		if err != nil {
			t.Fatal(err)
		}
		s := sites[0]
		if s.AreaM2 < tc.area-10 || s.AreaM2 > tc.area+10 {
			t.Errorf("%.0f m² site measured %.1f m²", tc.area, s.AreaM2)
		}
		if s.Violation != tc.violation {
			t.Errorf("%.1f m² without video: violation %q, want %q", s.AreaM2, s.Violation, tc.violation)
		}
		// With connected video neither breaks the rule; with video not
		// connected the large one still does.
		s.Attrs[skygrid.AttrVideo], s.Attrs[skygrid.AttrPlatformID] = "yes", "P"
		if v := s.CheckRules(); v != "" {
			t.Errorf("%.0f m² with connected video: %q", tc.area, v)
		}
		delete(s.Attrs, skygrid.AttrPlatformID)
		if v := s.CheckRules(); (v != "") != (tc.violation != "") || (v != "" && v != skygrid.ViolationVideoOffline) {
			t.Errorf("%.0f m² with video not connected: %q", tc.area, v)
		}
	}
}

// A CSV saved by Excel on Chinese Windows is GBK: read as such.
func TestReadSitesGBKCSV(t *testing.T) {
	utf := "编号,名称,物料,抑尘措施,经度,纬度\nG1,测试煤场,煤,无,113.30,40.08\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(utf)
	if err != nil {
		t.Fatal(err)
	}
	sites, err := registry.ReadSites(strings.NewReader(gbk), "堆场.csv", registry.SiteImport{Kind: skygrid.SiteStockpile})
	if err != nil {
		t.Fatal(err)
	}
	if s := sites[0]; s.Name != "测试煤场" || s.Attrs[skygrid.AttrMaterial] != "coal" || s.Violation != skygrid.ViolationUncoveredPile {
		t.Errorf("GBK site read as %+v", s)
	}
	if _, err := registry.ReadSites(strings.NewReader("id,name\xff\xfe\x00\n"), "bin.csv", registry.SiteImport{Kind: skygrid.SiteStockpile}); err == nil {
		t.Error("binary file accepted")
	}
}

// Refusals come in the file's order, geometry and attribute errors mixed.
func TestReadSitesListsRefusalsInFileOrder(t *testing.T) {
	csv := "id,name,area_m2,video,lon,lat\nA,甲,12000,maybe,113.3,40.08\nB,乙,12000,no,east,40.08\nC,丙,12000,perhaps,113.3,40.08\nD,丁,12000,no,113.3,north\n"
	_, err := registry.ReadSites(strings.NewReader(csv), "r.csv", registry.SiteImport{Kind: skygrid.SiteConstruction, IDProp: registry.DefaultSiteIDProps, NameProp: registry.DefaultSiteNameProps})
	if err == nil {
		t.Fatal("accepted")
	}
	var lines []string
	for _, l := range strings.Split(err.Error(), "\n")[1:] {
		lines = append(lines, strings.TrimSpace(l)[:len("r.csv: line 2")])
	}
	if got := strings.Join(lines, ","); got != "r.csv: line 2,r.csv: line 3,r.csv: line 4,r.csv: line 5" {
		t.Errorf("order: %s\n%v", got, err)
	}
}
