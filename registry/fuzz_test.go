package registry_test

import (
	"math"
	"skygrid/registry"
	"strings"
	"testing"
	"unicode/utf8"

	"skygrid"

	"github.com/paulmach/orb"
)

// The readers of outside files (registries, supervisors, regions) either
// refuse a file with an input error of bounded size, or return only
// records whose text is within its limits and whose numbers are finite
// and in range. Seeds run in `make test`; `make fuzz` runs each for a while.

// checkRefusal fails unless err is an input error with a short message.
func checkRefusal(t *testing.T, err error) {
	t.Helper()
	msg := skygrid.ErrorMessage(err)
	if skygrid.ErrorCode(err) != skygrid.EINVALID || len(msg) > 64<<10 || !utf8.ValidString(msg) {
		t.Fatalf("refused with %s, %d bytes: %.300s", skygrid.ErrorCode(err), len(msg), msg)
	}
}

// checkText fails unless s fits its limit.
func checkText(t *testing.T, lim skygrid.Limit, what, s string) {
	t.Helper()
	if reason := lim.Check(s); reason != "" {
		t.Fatalf("%s %.100q accepted: %s", what, s, reason)
	}
}

// checkGeometry fails unless every point is finite and in range.
func checkGeometry(t *testing.T, g orb.Geometry) {
	t.Helper()
	var pts []orb.Point
	switch g := g.(type) {
	case orb.Point:
		pts = []orb.Point{g}
	case orb.MultiPolygon:
		for _, p := range g {
			for _, r := range p {
				pts = append(pts, r...)
			}
		}
	default:
		t.Fatalf("geometry %T accepted", g)
	}
	for _, p := range pts {
		if skygrid.RangeLon.Check(p[0]) != "" || skygrid.RangeLat.Check(p[1]) != "" {
			t.Fatalf("point %v accepted", p)
		}
	}
}

func FuzzReadSites(f *testing.F) {
	for _, seed := range []string{
		"id,name,material,suppression,lon,lat\nS1,煤场,coal,none,113.3,40.1\n",
		"id,name,material,suppression,lon,lat\nS1,煤场,coal,none,NaN,40.1\nS2,x,ore,covered,113,+Inf\n",
		"编号,名称,是否视频,占地面积,经度,纬度\nC1,工地,是,1e400,113.3,40.1\nC2,工地\u202e,否,0x1p4,113.3,40.1\n",
		"id,name,video,wkt\nC1,工地,yes,\"POLYGON((113 40,113.01 40,113.01 40.01,113 40))\"\n",
		"id,name,wkt\nN1,x,\"MULTIPOLYGON(((113 40,113.1 40,113.1 40.1,113 40)))\"\n",
		"id,name,wkt\nN1,x\xff,POINT(NaN 1)\n",
		"\xef\xbb\xbfid,name,material,suppression,lon,lat\r\nS1,\xd5\xc5,coal,none,113.3,40.1\r\n",
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"C1","name":"工地","video":"yes","start_date":"2023/1/2"},` +
			`"geometry":{"type":"Polygon","coordinates":[[[113,40],[113.01,40],[113.01,40.01],[113,40]]]}}]}`,
		`{"type":"Feature","properties":{"id":{"a":[1,2]},"name":"a\u0000b","area_m2":-1},"geometry":{"type":"Point","coordinates":[113,40]}}`,
	} {
		for kind := range len(skygrid.SiteKinds) {
			f.Add([]byte(seed), uint8(kind))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte, kind uint8) {
		k := skygrid.SiteKinds[int(kind)%len(skygrid.SiteKinds)]
		sites, err := registry.ReadSites(strings.NewReader(string(in)), "fuzz.csv", registry.SiteImport{Kind: k, CRS: "gcj02"})
		if err != nil {
			checkRefusal(t, err)
			return
		}
		for _, s := range sites {
			checkText(t, skygrid.LimitID, "id", s.ExternalID)
			checkText(t, skygrid.LimitSiteName, "name", s.Name)
			for key, v := range s.Props {
				checkText(t, skygrid.LimitPropName, "property name", key)
				checkText(t, skygrid.LimitPropValue, "property "+key, v)
			}
			for key, v := range s.Attrs {
				checkText(t, skygrid.LimitPropValue, "attribute "+key, v)
			}
			checkGeometry(t, s.Geometry)
			_, point := s.Geometry.(orb.Point)
			if math.IsNaN(s.AreaM2) || math.IsInf(s.AreaM2, 0) || s.AreaM2 < 0 || (point && skygrid.RangeArea.Check(s.AreaM2) != "") {
				t.Fatalf("area %v accepted", s.AreaM2)
			}
		}
	})
}

func FuzzReadSupervisors(f *testing.F) {
	for _, seed := range []string{
		"grid_id,name,phone\n140225-001-001,张三,13800000001\n",
		"网格编号,姓名,电话\n140225-001-001,张三,13800000001\n140225-001-001,李四,13800000002\n",
		"grid_id,name,phone\n140225-001-001,张\x00三,1\n140225-001-002,\u202e李四,2\n",
		"grid_id,name,phone\n140225-001-001,\"张\n三\",1\n\"x,y\n",
		"grid_id,name,phone\n140225-001-001,\xd5\xc5\xc8\xfd,1\n",
		"grid_id,name,phone\n140225-001-001,\xff,1\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		sups, err := registry.ReadSupervisors(strings.NewReader(string(in)), "fuzz.csv")
		if err != nil {
			checkRefusal(t, err)
			return
		}
		for _, s := range sups {
			checkText(t, skygrid.LimitID, "grid id", s.GridID)
			checkText(t, skygrid.LimitPersonName, "name", s.Name)
			checkText(t, skygrid.LimitPhone, "phone", s.Phone)
			if s.GridID == "" || s.Name == "" || s.Phone == "" {
				t.Fatalf("an empty field accepted: %+v", s)
			}
		}
	})
}

func FuzzReadRegions(f *testing.F) {
	for _, seed := range []string{
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"140225","name":"浑源县","parent_id":"140200"},` +
			`"geometry":{"type":"Polygon","coordinates":[[[113,40],[113.1,40],[113.1,40.1],[113,40]]]}}]}`,
		`{"type":"Feature","properties":{"adcode":140225,"name":"a\u202eb","parent":{"adcode":140200}},` +
			`"geometry":{"type":"MultiPolygon","coordinates":[[[[113,40],[113.1,40],[113.1,40.1],[113,40]]]]}}`,
		`{"type":"Polygon","coordinates":[[[1,1],[2,1],[2,2],[1,1]]]}`,
		"{\"type\":\"Feature\",\"properties\":{\"id\":\"1\",\"name\":\"\xff\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[1,1],[2,1],[2,2],[1,1]]]}}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, crs := range []string{"wgs84", "bd09"} {
			regions, err := registry.ReadRegions(strings.NewReader(string(in)), "fuzz.geojson", registry.RegionImport{Level: skygrid.LevelCounty,
				IDProp: registry.DefaultRegionIDProps, NameProp: registry.DefaultRegionNameProps, ParentProp: registry.DefaultRegionParentProps, CRS: crs})
			if err != nil {
				checkRefusal(t, err)
				continue
			}
			for _, r := range regions {
				checkText(t, skygrid.LimitID, "id", r.ID)
				checkText(t, skygrid.LimitRegionName, "name", r.Name)
				checkText(t, skygrid.LimitID, "parent id", r.ParentID)
				checkGeometry(t, r.Geometry)
				if !(r.AreaKm2 > 0) || math.IsInf(r.AreaKm2, 0) {
					t.Fatalf("area %v km² accepted", r.AreaKm2)
				}
			}
		}
	})
}
