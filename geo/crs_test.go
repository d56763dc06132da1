package geo_test

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"skygrid/geo"

	"github.com/paulmach/orb"
)

func readFeatures(t testing.TB, path, crs string) map[string]orb.MultiPolygon {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	feats, errs, err := geo.ReadGeoJSON(f, path, geo.ReadOptions{CRS: crs})
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	out := map[string]orb.MultiPolygon{}
	for _, ft := range feats {
		id := geo.Prop(ft.Properties, "district_adcode")
		if id == "" {
			id = geo.Prop(ft.Properties, "adcode")
		}
		out[id] = ft.Geometry.(orb.MultiPolygon)
	}
	return out
}

// The DataV county outlines are GCJ-02: converted to WGS84 their area
// centroids agree with Tianditu's (CGCS2000) within 0.003°, 0.005° for
// 平城区 (140213) and 云冈区 (140214) whose shared border the sources
// draw differently; unconverted they are more than 0.005° off.
func TestDataVCentroidsAfterGCJ02Conversion(t *testing.T) {
	tianditu := readFeatures(t, "testdata/datong_districts_tianditu_cgcs2000.geojson", geo.CGCS2000)
	converted := readFeatures(t, "testdata/datav_gcj02_citys_140200.json", geo.GCJ02)
	raw := readFeatures(t, "testdata/datav_gcj02_citys_140200.json", geo.WGS84)
	if len(tianditu) != 10 || len(converted) != 10 {
		t.Fatalf("want 10 counties in each, got %d and %d", len(tianditu), len(converted))
	}
	for id, tmp := range tianditu {
		t.Run(id, func(t *testing.T) {
			want := geo.Centroid(tmp)
			got := geo.Centroid(converted[id])
			off := geo.Centroid(raw[id])
			tol := 0.003
			if id == "140213" || id == "140214" {
				tol = 0.005
			}
			d := math.Max(math.Abs(got[0]-want[0]), math.Abs(got[1]-want[1]))
			dRaw := math.Max(math.Abs(off[0]-want[0]), math.Abs(off[1]-want[1]))
			t.Logf("converted off by %.4f°, unconverted by %.4f°", d, dRaw)
			if d > tol {
				t.Errorf("converted centroid %v is %.4f° from Tianditu's %v (tolerance %.3f)", got, d, want, tol)
			}
			if dRaw <= 0.005 {
				t.Errorf("unconverted centroid only %.4f° off: the test would not catch a missing conversion", dRaw)
			}
		})
	}
}

func TestGCJ02RoundTrip(t *testing.T) {
	for _, tt := range []struct {
		name string
		p    orb.Point
	}{
		{"Datong power station", orb.Point{113.2933, 40.0279}},
		{"Hunyuan", orb.Point{113.69, 39.70}},
		{"Beijing", orb.Point{116.397, 39.909}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := geo.WGS84ToGCJ02(tt.p)
			// The offset near Datong is about 500-600 m.
			if d := geo.DistanceMeters(tt.p, g); d < 200 || d > 900 {
				t.Errorf("GCJ-02 offset %.0f m, want a few hundred metres", d)
			}
			if d := geo.DistanceMeters(tt.p, geo.GCJ02ToWGS84(g)); d > 0.01 {
				t.Errorf("GCJ-02 round trip off by %.4f m", d)
			}
			if d := geo.DistanceMeters(tt.p, geo.BD09ToWGS84(geo.WGS84ToBD09(tt.p))); d > 0.01 {
				t.Errorf("BD-09 round trip off by %.4f m", d)
			}
		})
	}
	outside := orb.Point{2.35, 48.85}
	if geo.WGS84ToGCJ02(outside) != outside {
		t.Error("GCJ-02 must leave points outside China alone")
	}
}

// The conversions match the reference pairs published with the widely
// used coordTransform implementations (wandergis/coordTransform README:
// 116.404, 39.915 near Tiananmen), within 1 m.
func TestConversionsMatchPublishedReferencePoints(t *testing.T) {
	in := orb.Point{116.404, 39.915}
	for _, tc := range []struct {
		name      string
		got, want orb.Point
	}{
		{"wgs84 -> gcj02", geo.WGS84ToGCJ02(in), orb.Point{116.41024449916938, 39.91640428150164}},
		{"gcj02 -> bd09", geo.GCJ02ToBD09(in), orb.Point{116.41036949371029, 39.92133699351021}},
		{"bd09 -> gcj02", geo.BD09ToGCJ02(in), orb.Point{116.39762729119315, 39.90865673957631}},
		{"wgs84 -> bd09", geo.WGS84ToBD09(in), orb.Point{116.41662724378733, 39.922699552216216}},
	} {
		if d := geo.DistanceMeters(tc.got, tc.want); d > 1 {
			t.Errorf("%s: %v, want %v (%.2f m off)", tc.name, tc.got, tc.want, d)
		}
	}
	// Our GCJ-02 -> WGS84 is the exact inverse; the published one-step
	// approximation (116.39775550083061, 39.91359571849836) is within
	// a few metres of it.
	if d := geo.DistanceMeters(geo.GCJ02ToWGS84(in), orb.Point{116.39775550083061, 39.91359571849836}); d > 5 {
		t.Errorf("gcj02 -> wgs84 %.2f m from the published approximation", d)
	}
}

func TestNavigationLinks(t *testing.T) {
	p := orb.Point{113.69, 39.70}
	n := geo.Navigation(p, "任务 12")
	g, b := geo.WGS84ToGCJ02(p), geo.WGS84ToBD09(p)
	for _, want := range []struct{ link, part string }{
		{n.Amap, fmt.Sprintf("position=%.6f,%.6f", g[0], g[1])},
		{n.Amap, "coordinate=gaode"},
		{n.Baidu, fmt.Sprintf("location=%.6f,%.6f", b[1], b[0])},
		{n.Baidu, "coord_type=bd09ll"},
		{n.Tianditu, "lng=113.690000&lat=39.700000"},
		{n.Geo, "geo:39.700000,113.690000"},
	} {
		if !strings.Contains(want.link, want.part) {
			t.Errorf("%s lacks %s", want.link, want.part)
		}
	}
	// Each app's coordinates convert back to the point within 1 m.
	if d := geo.DistanceMeters(geo.GCJ02ToWGS84(orb.Point(n.GCJ02)), p); d > 1 {
		t.Errorf("amap point %.2f m off", d)
	}
	if d := geo.DistanceMeters(geo.BD09ToWGS84(orb.Point(n.BD09)), p); d > 1 {
		t.Errorf("baidu point %.2f m off", d)
	}
}
