package registry_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/registry"
)

func readMonitorsFile(t *testing.T, path string) ([]skygrid.MonitorImport, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return registry.ReadMonitors(f, path, "wgs84")
}

func TestReadMonitors(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []skygrid.MonitorImport
	}{
		{"testdata/monitors.csv", []skygrid.MonitorImport{
			{Monitor: skygrid.Monitor{MN: "DT0001SG000001", Password: "123456", Name: "一号工地扬尘监测（示例）", Kind: "dust", Lon: 113.301, Lat: 40.081,
				VideoURL: "http://127.0.0.1:9000/live/1.m3u8", SnapshotURL: "http://127.0.0.1:9000/snap/1.jpg", Demo: true}, SiteRef: "C1", Where: "testdata/monitors.csv: line 2"},
			{Monitor: skygrid.Monitor{MN: "DT0001SG000002", Password: "123456", Name: "二号工地扬尘监测（示例）", Kind: "dust", Lon: 113.311, Lat: 40.091,
				Lenient: skygrid.MonitorLenient{LengthCountsTrailer: true, LowercaseHex: true}, Demo: true}, Where: "testdata/monitors.csv: line 3"},
			{Monitor: skygrid.Monitor{MN: "DT0001ZD000001", Password: "654321", Name: "城区空气站（示例）", Kind: "station", Lon: 113.29, Lat: 40.07,
				Lenient: skygrid.MonitorLenient{ModbusCRC: true}, Demo: true}, Where: "testdata/monitors.csv: line 4"},
		}},
		{"testdata/monitors.geojson", []skygrid.MonitorImport{
			{Monitor: skygrid.Monitor{MN: "DT0001SG000011", Password: "123456", Name: "示例监测仪甲", Kind: "dust", Lon: 113.301, Lat: 40.081,
				Lenient: skygrid.MonitorLenient{ModbusCRC: true, LowercaseHex: true}, Demo: true}, SiteRef: "C1", Where: "testdata/monitors.geojson: feature 0"},
			{Monitor: skygrid.Monitor{MN: "DT0001SG000012", Name: "示例监测仪乙", Kind: "station", Lon: 113.321, Lat: 40.101,
				SnapshotURL: "https://127.0.0.1/snap.jpg", Demo: true}, Where: "testdata/monitors.geojson: feature 1"},
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, err := readMonitorsFile(t, tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d monitors, want %d", len(got), len(tc.want))
			}
			for i := range got {
				g, w := got[i], tc.want[i]
				if g.Monitor.SiteID != nil || g.MN != w.MN || g.Password != w.Password || g.Name != w.Name || g.Kind != w.Kind ||
					g.Lon != w.Lon || g.Lat != w.Lat || g.VideoURL != w.VideoURL || g.SnapshotURL != w.SnapshotURL ||
					g.Lenient != w.Lenient || g.Demo != w.Demo || g.SiteRef != w.SiteRef || !strings.HasPrefix(g.Where, tc.file) {
					t.Errorf("monitor %d:\n got %+v\nwant %+v", i, g, w)
				}
			}
		})
	}
}

func TestReadMonitorsRefusesBadRows(t *testing.T) {
	_, err := readMonitorsFile(t, "testdata/monitors_bad.csv")
	if skygrid.ErrorCode(err) != skygrid.EINVALID {
		t.Fatalf("err %v, want invalid", err)
	}
	for _, want := range []string{
		"7 rows refused, nothing stored",
		"line 3: field mn: empty",
		"line 4: field lon",
		"line 5: field kind: \"truck\"",
		"line 6: field video_url: scheme \"ftp\"",
		"line 7: field lenient: \"crc32\"",
		"line 8: field mn: DT0001SG000021 already used by line 2",
		"line 9: field mn: \"DT0001;SG27\"",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// sink is a ReadingSink over a map of monitors that keeps what it is given
// (the store's own dedupe is tested in store).
type sink struct {
	monitors map[string]int64
	got      []skygrid.Reading
}

func (s *sink) MonitorByMN(_ context.Context, mn string) (skygrid.Monitor, error) {
	if id, ok := s.monitors[mn]; ok {
		return skygrid.Monitor{ID: id, MN: mn}, nil
	}
	return skygrid.Monitor{}, skygrid.Errorf(skygrid.ENOTFOUND, "no %s", mn)
}

func (s *sink) StoreReadings(_ context.Context, rs []skygrid.Reading) (int, error) {
	s.got = append(s.got, rs...)
	return len(rs), nil
}

func (s *sink) RejectPacket(context.Context, skygrid.PacketReject) error { return nil }

func TestReadReadingsCSV(t *testing.T) {
	f, err := os.Open("testdata/readings.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := registry.ReadReadingsCSV(f, "readings.csv")
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{monitors: map[string]int64{"DT0001SG000001": 1, "DT0001SG000002": 2}}
	recv := time.Date(2026, 11, 5, 7, 0, 0, 0, time.UTC)
	res, err := registry.StoreReadings(context.Background(), s, in, skygrid.SourceFile, recv)
	if err != nil {
		t.Fatal(err)
	}
	var refused []string
	for _, r := range res.Refused {
		refused = append(refused, strings.Join([]string{itoa(r.Line), r.Field}, " "))
	}
	if got := strings.Join(refused, "; "); got != "5 mn; 6 time; 7 kind; 8 a34002" {
		t.Errorf("refused %q (%+v), want lines 5 mn, 6 time, 7 kind, 8 a34002", got, res.Refused)
	}
	if len(s.got) != 4 || res.Stored != 4 {
		t.Fatalf("stored %d readings (%+v), want 4 (the resend is the store's to drop)", len(s.got), s.got)
	}
	r0 := s.got[0]
	at := time.Date(2026, 11, 5, 6, 3, 0, 0, time.UTC)
	if r0.MonitorID != 1 || !r0.At.Equal(at) || r0.Kind != "minute" || r0.Values["pm10"] != 85 || r0.Values["pm25"] != 41 ||
		r0.Values["tsp"] != 160 || r0.Values["ws"] != 2.5 || r0.Flags["pm10"] != "N" || r0.Source != "file" || !r0.ReceivedAt.Equal(recv) {
		t.Errorf("first reading %+v; want monitor 1 at %v, pm10 85 µg/m³ from 0.085 mg/m³ flag N", r0, at)
	}
	if r1 := s.got[1]; r1.Flags["pm10"] != "D" || r1.Valid("pm10") || !r1.Valid("pm25") {
		t.Errorf("second reading %+v: want pm10 flagged D, invalid", r1)
	}
	if r3 := s.got[3]; r3.Kind != "minute" || len(r3.Values) != 1 || r3.Values["pm10"] != 70 {
		t.Errorf("last reading %+v: want kind minute by default and pm10 70 alone", r3)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestReadReadingsCSVHeader(t *testing.T) {
	for _, tc := range []struct{ name, csv, want string }{
		{"unknown column", "mn,time,so3\n", "line 1: column so3: unknown"},
		{"flag of nothing", "mn,time,foo_flag\n", "line 1: column foo_flag"},
		{"no time", "mn,pm10\n", "needs columns mn (设备编号) and time (时间)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := registry.ReadReadingsCSV(strings.NewReader(tc.csv), "x.csv")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}

func TestReadReadingsJSON(t *testing.T) {
	body := `[{"mn":"A","at":"2026-11-05T06:00:00Z","values":{"PM10":80,"a34001":0.2},"flags":{"PM10":"N"}},
		{"mn":"B","at":"2026-11-05T06:00:00Z","values":{"pm10":80}},
		{"mn":"A","at":"yesterday","values":{"pm10":80}},
		{"mn":"A","at":"2026-11-05T06:01:00Z","values":{"pm10":80},"flags":{"tsp":"D"}}]`
	in, err := registry.ReadReadingsJSON(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{monitors: map[string]int64{"A": 7}}
	res, err := registry.StoreReadings(context.Background(), s, in, skygrid.SourceHTTP, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if res.Stored != 1 || len(res.Refused) != 3 {
		t.Fatalf("result %+v, want 1 stored and 3 refused", res)
	}
	for i, want := range []struct {
		index int
		field string
	}{{1, "mn"}, {2, "time"}, {3, "tsp_flag"}} {
		r := res.Refused[i]
		if r.Index == nil || *r.Index != want.index || r.Field != want.field {
			t.Errorf("refusal %d: %+v, want index %d field %s", i, r, want.index, want.field)
		}
	}
	if v := s.got[0].Values; v["pm10"] != 80 || v["tsp"] != 200 {
		t.Errorf("values %v, want pm10 80 (old code PM10 in µg/m³) and tsp 200 (a34001 in mg/m³)", v)
	}
}

// The files an operator gets from a vendor, refused with what to do: an
// Excel workbook (it read `invalid UTF-8 … save the file as UTF-8`), a
// header separated by semicolons, and no lon/lat column (it offered
// --lon-col, a flag this command has not).
func TestReadMonitorsSaysWhatToDo(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		want       []string
		not        string
	}{
		{"an Excel workbook", "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xff\xfe", []string{"monitors.xlsx: an Excel workbook (XLSX)", "save it as CSV UTF-8"}, ""},
		{"semicolons", "mn;pw;lon;lat\nDT1;123456;113.3;40.1\n", []string{"monitors.xlsx: line 1: the header is separated by semicolons", "commas"}, ""},
		{"no lat column", "mn,pw,lon\nDT1,123456,113.3\n", []string{"nor lon and lat columns", "lat, latitude, 纬度"}, "--lon-col"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := registry.ReadMonitors(strings.NewReader(tc.file), "monitors.xlsx", "")
			if skygrid.ErrorCode(err) != skygrid.EINVALID {
				t.Fatalf("err %v, want invalid", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%v: want %q", err, w)
				}
			}
			if tc.not != "" && strings.Contains(err.Error(), tc.not) {
				t.Errorf("%v: names %s", err, tc.not)
			}
		})
	}
}
