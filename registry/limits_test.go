package registry_test

import (
	"skygrid/registry"
	"strings"
	"testing"

	"skygrid"
)

// huge is a 50 MiB name, as the attack on the demo sent.
var huge = strings.Repeat("名", 50<<20/3)

// A supervisors CSV is refused when any field is over its limit, holds
// control or bidi characters, or is not UTF-8 (nor GBK): the message names
// the file, the line and the field, never repeats the value, and nothing
// is stored. On the old code a 50 MiB name was accepted.
func TestReadSupervisorsRefusesBadText(t *testing.T) {
	const head = "grid_id,name,phone\n"
	for _, tc := range []struct {
		name, csv, want string
	}{
		{"a 50 MiB name", head + "140225-001-001,张三,13800000001\n140225-001-002," + huge + ",13800000002\n",
			"s.csv:3: field name: at most 64 characters, got 17476266"},
		{"a long grid id", head + strings.Repeat("9", 65) + ",张三,13800000001\n", "s.csv:2: field grid_id: at most 64 characters"},
		{"a long phone", head + "140225-001-001,张三," + strings.Repeat("1", 33) + "\n", "s.csv:2: field phone: at most 32 characters"},
		{"a NUL", head + "140225-001-001,张\x00三,13800000001\n", "s.csv:2: field name: control characters are not allowed: NUL (U+0000 at character 2)"},
		{"an escape", head + "140225-001-001,张三\x1b[31m,13800000001\n", "s.csv:2: field name: control characters are not allowed (U+001B at character 3)"},
		{"a right-to-left override", head + "140225-001-001,\u202e三张,13800000001\n", "s.csv:2: field name: bidirectional overrides and isolates are not allowed (U+202E"},
		{"an unterminated quote (the old code panicked)", head + "140225-001-001,张三,13800000001\n\"x,y\n", "s.csv:3: malformed CSV: extraneous or missing \" in quoted-field"},
		{"invalid UTF-8", head + "140225-001-001,张三,13800000001\n140225-001-002,李\xff四,13800000002\n",
			"s.csv: line 3: invalid UTF-8 at byte 19 of the line, and not GBK/GB18030 either"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := registry.ReadSupervisors(strings.NewReader(tc.csv), "s.csv")
			msg := skygrid.ErrorMessage(err)
			if skygrid.ErrorCode(err) != skygrid.EINVALID || !strings.Contains(msg, tc.want) {
				t.Errorf("%.300s\nwant %q", msg, tc.want)
			}
			if len(msg) > 1000 {
				t.Errorf("a message of %d bytes", len(msg))
			}
		})
	}
	// Excel's GBK is read as such.
	gbk := head + "140225-001-001,\xd5\xc5\xc8\xfd,13800000001\n" // 张三
	sups, err := registry.ReadSupervisors(strings.NewReader(gbk), "gbk.csv")
	if err != nil || sups[0].Name != "张三" {
		t.Errorf("GBK: %v %v", sups, err)
	}
}

// A file of a million bad rows is refused with the first 200 listed and
// the others counted.
func TestReadSupervisorsBoundsItsMessage(t *testing.T) {
	csv := "grid_id,name,phone\n" + strings.Repeat("x,,\n", 1_000_000)
	_, err := registry.ReadSupervisors(strings.NewReader(csv), "s.csv")
	msg := skygrid.ErrorMessage(err)
	if !strings.Contains(msg, "s.csv: 1000000 rows refused") || !strings.Contains(msg, "... and 999800 more rows") || len(msg) > 20000 {
		t.Errorf("%d bytes: %.300s", len(msg), msg)
	}
}

// Registry files: text over its limit, control characters, NaN, ±Inf and
// out-of-range numbers, and invalid UTF-8, each refused with the line (or
// feature) and field.
func TestReadSitesRefusesBadTextAndNumbers(t *testing.T) {
	const head = "id,name,material,suppression,lon,lat,备注\n"
	row := func(id, name, lon, lat, note string) string {
		return id + "," + name + ",coal,none," + lon + "," + lat + "," + note + "\n"
	}
	good := row("S0", "煤场", "113.3", "40.1", "")
	for _, tc := range []struct {
		name, file, want string
	}{
		{"a 50 MiB name", head + good + row("S1", huge, "113.3", "40.1", ""), "s.csv: line 3: field name: at most 200 characters"},
		{"a long id", head + row(strings.Repeat("s", 65), "x", "113.3", "40.1", ""), "s.csv: line 2: field id: at most 64 characters"},
		{"a long property", head + row("S1", "x", "113.3", "40.1", strings.Repeat("备", 1001)), "s.csv: line 2: field 备注: at most 1000 characters"},
		{"a control character in a property", head + row("S1", "x", "113.3", "40.1", "a\x07b"), "s.csv: line 2: field 备注: control characters are not allowed"},
		{"NaN longitude", head + row("S1", "x", "NaN", "40.1", ""), "s.csv: line 2: field lon: not a finite number: NaN"},
		{"infinite latitude", head + row("S1", "x", "113.3", "+Inf", ""), "s.csv: line 2: field lat: not a finite number: +Inf"},
		{"latitude 1e400", head + row("S1", "x", "113.3", "1e400", ""), "s.csv: line 2: field lat: not a finite number: +Inf"},
		{"latitude 1e308", head + row("S1", "x", "113.3", "1e308", ""), "s.csv: line 2: field lat: out of range: 1e+308 (want -90 to 90 °)"},
		{"invalid UTF-8", head + good + row("S1", "x\xff\xfe", "113.3", "40.1", ""), "s.csv: line 3: invalid UTF-8 at byte 5 of the line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := registry.ReadSites(strings.NewReader(tc.file), "s.csv", registry.SiteImport{Kind: skygrid.SiteStockpile})
			msg := skygrid.ErrorMessage(err)
			if skygrid.ErrorCode(err) != skygrid.EINVALID || !strings.Contains(msg, tc.want) || len(msg) > 2000 {
				t.Errorf("%.300s\nwant %q", msg, tc.want)
			}
		})
	}
	for _, tc := range []struct{ name, area, want string }{
		{"NaN area", "NaN", "field area_m2: not an area in m²: not a finite number: NaN"},
		{"infinite area", "Inf", "field area_m2: not an area in m²: not a finite number: +Inf"},
		{"negative area", "-5", "field area_m2: not an area in m²: out of range: -5"},
		{"hexadecimal area", "0x1p20", `field area_m2: not an area in m²: not a decimal number: "0x1p20"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := "id,name,video,area_m2,lon,lat\nC1,工地," + "yes," + tc.area + ",113.3,40.1\n"
			_, err := registry.ReadSites(strings.NewReader(f), "c.csv", registry.SiteImport{Kind: skygrid.SiteConstruction})
			if msg := skygrid.ErrorMessage(err); !strings.Contains(msg, "c.csv: line 2: "+tc.want) {
				t.Errorf("%.300s\nwant %q", msg, tc.want)
			}
		})
	}
	geo := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"C1","name":"a\u202eb","video":"yes"},` +
		`"geometry":{"type":"Polygon","coordinates":[[[113,40],[113.01,40],[113.01,40.01],[113,40]]]}}]}`
	_, err := registry.ReadSites(strings.NewReader(geo), "c.geojson", registry.SiteImport{Kind: skygrid.SiteConstruction})
	if msg := skygrid.ErrorMessage(err); !strings.Contains(msg, "c.geojson: feature 0: field name: bidirectional overrides and isolates are not allowed (U+202E at character 2)") {
		t.Errorf("GeoJSON: %.300s", msg)
	}
}

// Regions: a name over its limit is refused with its feature; a file that
// is not UTF-8 with its line.
func TestReadRegionsRefusesBadText(t *testing.T) {
	feature := func(id, name string) string {
		return `{"type":"Feature","properties":{"id":"` + id + `","name":"` + name + `"},` +
			`"geometry":{"type":"Polygon","coordinates":[[[113,40],[113.1,40],[113.1,40.1],[113,40]]]}}`
	}
	fc := func(fs ...string) string {
		return `{"type":"FeatureCollection","features":[` + strings.Join(fs, ",\n") + `]}`
	}
	for _, tc := range []struct{ name, file, want string }{
		{"a 50 MiB name", fc(feature("1", "县"), feature("2", huge)), "r.geojson: feature 1: name: at most 100 characters, got 17476266"},
		{"a long id", fc(feature(strings.Repeat("1", 65), "县")), "r.geojson: feature 0: id: at most 64 characters"},
		{"a NUL by escape", fc(feature("1", `a\u0000b`)), "r.geojson: feature 0: name: control characters are not allowed: NUL"},
		{"a lone surrogate", fc(feature("1", `a\ud800b`)), "r.geojson: feature 0: name: U+FFFD"},
		{"invalid UTF-8", fc(feature("1", "县"), feature("2", "\xc3\x28")), "r.geojson: line 2: invalid UTF-8 at byte 50 of the line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := registry.ReadRegions(strings.NewReader(tc.file), "r.geojson", registry.RegionImport{Level: skygrid.LevelCounty, IDProp: "id", NameProp: "name"})
			if msg := skygrid.ErrorMessage(err); !strings.Contains(msg, tc.want) || len(msg) > 2000 {
				t.Errorf("%.300s\nwant %q", msg, tc.want)
			}
		})
	}
}
