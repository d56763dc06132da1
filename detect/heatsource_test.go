package detect_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"skygrid"
	"skygrid/data"
	"skygrid/detect"

	"github.com/paulmach/orb"
)

func TestReadHeatSources(t *testing.T) {
	for _, tt := range []struct {
		name, file, layout string
		sites              int
		skipped            map[string]int
		find               string
		at                 orb.Point
		// zh is the Chinese name the file gives (GEM only); withZh how
		// many sites have one
		zh     string
		withZh int
	}{
		{"WRI China source table", data.PowerPlantsWRI, "gppd-china", 170, map[string]int{"Wind": 34, "Hydro": 16},
			"Tongmei Tashan power station", orb.Point{113.18874840000002, 39.9792083}, "", 0},
		{"GPPD GEO database", data.PowerPlantsGEO, "gppd", 7, map[string]int{"Hydro": 2},
			"Datang Tuoketuo Coal Power Station China", orb.Point{111.3555, 40.1951}, "", 0},
		{"GEM steel plants", data.SteelPlants, "gem-steel", 20, map[string]int{},
			"Changzhi Xingbao Steel Co Ltd", orb.Point{113.15509, 36.332449}, "长治市兴宝钢铁有限责任公司", 20},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := data.FS.Open(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			res, err := detect.ReadHeatSources(f, tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if res.Layout != tt.layout || len(res.Sites) != tt.sites || len(res.Errors) != 0 {
				t.Fatalf("layout %s, %d sites, errors %v; want %s, %d", res.Layout, len(res.Sites), res.Errors, tt.layout, tt.sites)
			}
			for k, v := range tt.skipped {
				if res.Skipped[k] != v {
					t.Errorf("skipped %s: %d, want %d", k, res.Skipped[k], v)
				}
			}
			found, withZh := false, 0
			for _, s := range res.Sites {
				if s.Props["name_zh"] != "" {
					withZh++
				}
				if s.Name == tt.find {
					found = true
					if s.Geometry.(orb.Point) != tt.at {
						t.Errorf("%s at %v, want %v", s.Name, s.Geometry, tt.at)
					}
					if s.Props["name_zh"] != tt.zh {
						t.Errorf("%s: Chinese name %q, want %q", s.Name, s.Props["name_zh"], tt.zh)
					}
				}
			}
			if withZh != tt.withZh {
				t.Errorf("%d sites with a Chinese name, want %d", withZh, tt.withZh)
			}
			if !found {
				t.Errorf("%s not found", tt.find)
			}
		})
	}
}

func TestReadHeatSourcesRefusesOtherFiles(t *testing.T) {
	_, err := detect.ReadHeatSources(strings.NewReader("latitude,longitude,acq_date\n1,2,2023-01-01\n"), "fires.csv")
	if err == nil || !strings.Contains(err.Error(), "fires.csv: not a heat-source file") {
		t.Errorf("got %v", err)
	}
	res, err := detect.ReadHeatSources(strings.NewReader("gppd_idnr,name,primary_fuel,latitude,longitude\nX1,a,Coal,abc,113\n"), "p.csv")
	if err != nil || len(res.Errors) != 1 || res.Errors[0].Line != 2 || res.Errors[0].Field != "latitude" {
		t.Errorf("got %v %+v", err, res)
	}
}

// NaN, ±Inf and out-of-range numbers, and text over its limit, are refused
// rows with their line and field (the old code took a NaN latitude).
func TestReadHeatSourcesRefusesBadNumbersAndText(t *testing.T) {
	const gppd = "gppd_idnr,name,primary_fuel,capacity_mw,latitude,longitude\n"
	for _, tc := range []struct {
		name, row, field, why string
	}{
		{"NaN latitude", "X1,a,Coal,10,NaN,113", "latitude", "not a finite number: NaN"},
		{"infinite longitude", "X1,a,Coal,10,40,-Inf", "longitude", "not a finite number: -Inf"},
		{"latitude 91", "X1,a,Coal,10,91,113", "latitude", "out of range: 91 (want -90 to 90 °)"},
		{"NaN capacity", "X1,a,Coal,NaN,40,113", "capacity_mw", "not a finite number"},
		{"negative capacity", "X1,a,Coal,-1,40,113", "capacity_mw", "out of range"},
		{"a long name", "X1," + strings.Repeat("n", 201) + ",Coal,10,40,113", "name", "at most 200 characters"},
		{"a long id", strings.Repeat("X", 65) + ",a,Coal,10,40,113", "gppd_idnr", "at most 64 characters"},
		{"a right-to-left override", "X1,a\u202eb,Coal,10,40,113", "name", "bidirectional overrides and isolates are not allowed"},
		{"invalid UTF-8", "X1,a\xffb,Coal,10,40,113", "name", "invalid UTF-8 at byte 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := detect.ReadHeatSources(strings.NewReader(gppd+"X0,ok,Coal,10,40,113\n"+tc.row+"\n"), "p.csv")
			if err != nil || len(res.Sites) != 1 || res.Refused != 1 || len(res.Errors) != 1 {
				t.Fatalf("%v %+v", err, res)
			}
			if e := res.Errors[0]; e.Line != 3 || e.Field != tc.field || !strings.Contains(e.Reason, tc.why) {
				t.Errorf("%v, want line 3 field %s: %s", e, tc.field, tc.why)
			}
		})
	}
	// An unterminated quote: a refused row (the old code panicked in FieldPos).
	res, err := detect.ReadHeatSources(strings.NewReader(gppd+"X0,ok,Coal,10,40,113\n\"X1,a\n"), "p.csv")
	if err != nil || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), "p.csv:3: malformed CSV") {
		t.Errorf("unterminated quote: %v %+v", err, res)
	}
	res, err = detect.ReadHeatSources(strings.NewReader("Plant ID,Plant name (English),Coordinates\nP1,a,\"NaN, 113\"\n"), "gem.csv")
	if err != nil || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), "gem.csv:2: field Coordinates: latitude not a finite number: NaN, longitude ok") {
		t.Errorf("GEM coordinates: %v %+v", err, res.Errors)
	}
}

// Heat-source files: every accepted plant has finite coordinates in range
// and text within its limits; refused rows are bounded and placed.
func FuzzReadHeatSources(f *testing.F) {
	for _, seed := range []string{
		"gppd_idnr,name,primary_fuel,capacity_mw,latitude,longitude\nX1,a,Coal,10,40,113\nX2,b,Wind,5,40,113\n",
		"gppd_idnr,name,primary_fuel,capacity_mw,latitude,longitude\nX1,a,Coal,NaN,NaN,113\nX2,b\u202e,Gas,1e400,40,-Inf\n\"X3,c\n",
		"Power Plant ID,Name,Fuel,Capacity (MW),Latitude,Longitude\n1,a,Coal,,40,113\n",
		"Plant ID,Plant name (English),Plant name (other language),Coordinates\nP1,a,大同钢铁,\"40.1, 113.2\"\nP2,b,\xff,\"NaN, 1\"\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		res, err := detect.ReadHeatSources(strings.NewReader(string(in)), "fuzz.csv")
		if err != nil {
			if len(err.Error()) > 2000 {
				t.Fatalf("a refusal of %d bytes", len(err.Error()))
			}
			return
		}
		if len(res.Errors) > detect.MaxRowErrors || res.Refused < len(res.Errors) {
			t.Fatalf("%d errors kept of %d", len(res.Errors), res.Refused)
		}
		for _, e := range res.Errors {
			if e.Line < 1 || len(e.Error()) > 500 || !utf8.ValidString(e.Error()) {
				t.Fatalf("row error %q", e.Error())
			}
		}
		for _, s := range res.Sites {
			p, ok := s.Geometry.(orb.Point)
			if !ok || skygrid.RangeLon.Check(p[0]) != "" || skygrid.RangeLat.Check(p[1]) != "" {
				t.Fatalf("geometry %v accepted", s.Geometry)
			}
			if reason := skygrid.LimitSiteName.Check(s.Name); reason != "" {
				t.Fatalf("name %.100q accepted: %s", s.Name, reason)
			}
			for k, v := range s.Props {
				if reason := skygrid.LimitPropValue.Check(v); reason != "" {
					t.Fatalf("property %s %.100q accepted: %s", k, v, reason)
				}
			}
		}
	})
}
