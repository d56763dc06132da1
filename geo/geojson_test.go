package geo_test

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"skygrid/geo"

	"github.com/paulmach/orb"
)

func TestReadGeoJSONRefusesBadGeometry(t *testing.T) {
	const good = `{"type":"Feature","properties":{"id":"g"},"geometry":{"type":"Polygon","coordinates":[[[113,40],[113.1,40],[113.1,40.1],[113,40]]]}}`
	for _, tt := range []struct {
		name, feature, why string
	}{
		{"unclosed ring", `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[113,40],[113.1,40],[113.1,40.1],[113,40.1]]]}}`, "outer ring is not closed"},
		{"unclosed hole", `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[113,40],[114,40],[114,41],[113,40]],[[113.5,40.2],[113.6,40.2],[113.6,40.3]]]}}`, "hole 1 is not closed"},
		{"latitude out of range", `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[113,40],[113.1,95],[113.1,40.1],[113,40]]]}}`, "coordinates out of range"},
		{"longitude out of range", `{"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[[[[213,40],[113.1,40],[113.1,40.1],[213,40]]]]}}`, "polygon 0: outer ring, point 0: coordinates out of range"},
		{"empty polygon", `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[]}}`, "empty geometry"},
		{"null geometry", `{"type":"Feature","properties":{},"geometry":null}`, "empty geometry"},
		{"empty multipolygon", `{"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[]}}`, "empty geometry"},
		{"too few points", `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[113,40],[113.1,40],[113,40]]]}}`, "at least 4"},
		{"a line", `{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[113,40],[114,41]]}}`, "geometry type LineString"},
		{"a point for a region", `{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[113,40]}}`, "a region must be a Polygon"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := `{"type":"FeatureCollection","features":[` + good + `,` + tt.feature + `]}`
			feats, errs, err := geo.ReadGeoJSON(strings.NewReader(in), "bad.geojson", geo.ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(feats) != 1 || len(errs) != 1 {
				t.Fatalf("want 1 good and 1 refused, got %d and %v", len(feats), errs)
			}
			if msg := errs[0].Error(); !strings.HasPrefix(msg, "bad.geojson: feature 1: ") || !strings.Contains(msg, tt.why) {
				t.Errorf("got %q, want feature 1: %s", msg, tt.why)
			}
		})
	}
	if _, _, err := geo.ReadGeoJSON(strings.NewReader("not json"), "x.geojson", geo.ReadOptions{}); err == nil || !strings.Contains(err.Error(), "x.geojson: not GeoJSON") {
		t.Errorf("got %v", err)
	}
}

func TestReadGeoJSONHolesAndProps(t *testing.T) {
	in := `{"type":"FeatureCollection","features":[{"type":"Feature","id":7,"properties":{"name":"甲","parent":{"adcode":140200}},
	"geometry":{"type":"Polygon","coordinates":[[[113,40],[114,40],[114,41],[113,41],[113,40]],[[113.4,40.4],[113.6,40.4],[113.6,40.6],[113.4,40.4]]]}}]}`
	feats, errs, err := geo.ReadGeoJSON(strings.NewReader(in), "h.geojson", geo.ReadOptions{})
	if err != nil || len(errs) > 0 || len(feats) != 1 {
		t.Fatal(err, errs)
	}
	f := feats[0]
	if geo.Prop(f.Properties, "id") != "7" || geo.Prop(f.Properties, "parent.adcode") != "140200" || geo.Prop(f.Properties, "name") != "甲" {
		t.Errorf("props: %v", f.Properties)
	}
	mp, ok := f.Geometry.(orb.MultiPolygon)
	if !ok || len(mp) != 1 || len(mp[0]) != 2 {
		t.Fatalf("want one polygon with a hole, got %v", f.Geometry)
	}
	ix := geo.NewIndex()
	ix.Add("a", mp)
	if _, in := ix.Locate(orb.Point{113.55, 40.45}); in {
		t.Error("a point in the hole is inside")
	}
	if _, in := ix.Locate(orb.Point{113.2, 40.8}); !in {
		t.Error("a point outside the hole is not inside")
	}
}

// GeoJSON is UTF-8: a file that is not is refused with the line of its
// first invalid byte (encoding/json would read it as U+FFFD).
func TestReadGeoJSONRefusesInvalidUTF8(t *testing.T) {
	in := "{\"type\":\"Feature\",\n\"properties\":{\"name\":\"县\xff\"},\n\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}}"
	_, _, err := geo.ReadGeoJSON(strings.NewReader(in), "r.geojson", geo.ReadOptions{Points: true})
	if err == nil || err.Error() != "r.geojson: line 2: invalid UTF-8 at byte 26 of the line (GeoJSON is UTF-8)" {
		t.Errorf("got %v", err)
	}
}

func FuzzReadGeoJSON(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Polygon","coordinates":[[[113,40],[114,40],[114,41],[113,40]]]}}]}`))
	f.Add([]byte(`{"type":"MultiPolygon","coordinates":[[[[1,1],[2,1],[2,2],[1,1]]]]}`))
	f.Add([]byte(`{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}`))
	f.Add([]byte(`{"type":"Feature","properties":{"name":"a\u202eb\ud800"},"geometry":{"type":"Point","coordinates":[1e400,2]}}`))
	f.Add([]byte("{\"type\":\"Feature\",\n\"properties\":{\"name\":\"\xff\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}}"))
	f.Add([]byte(`{"type":"Polygon","coordinates":[[[1,1],[2,1],[2,2],[1,1]],[[1.1,1.1],[1.2,1.1],[1.2,1.2]]]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, crs := range []string{geo.WGS84, geo.GCJ02} {
			feats, errs, err := geo.ReadGeoJSON(strings.NewReader(string(in)), "fuzz.geojson", geo.ReadOptions{CRS: crs, Points: true})
			if err != nil {
				if !strings.HasPrefix(err.Error(), "fuzz.geojson: ") {
					t.Fatalf("error without the file name: %v", err)
				}
				continue
			}
			for _, e := range errs {
				if !strings.HasPrefix(e.Error(), "fuzz.geojson: feature ") {
					t.Fatalf("feature error without place: %v", e)
				}
			}
			if len(errs) > 0 && !utf8.Valid(in) {
				t.Fatalf("a file that is not UTF-8 read feature by feature")
			}
			for _, ft := range feats {
				b := ft.Geometry.Bound()
				if b.Min[0] < -180.01 || b.Max[0] > 180.01 || b.Min[1] < -90.01 || b.Max[1] > 90.01 {
					t.Fatalf("out-of-range geometry accepted: %v", b)
				}
				for _, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("a geometry that is not finite accepted: %v", b)
					}
				}
			}
		}
	})
}
