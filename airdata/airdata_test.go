package airdata_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/airdata"
)

func readFile(t *testing.T, name string) *airdata.File {
	t.Helper()
	out, err := airdata.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func hourOf(f *airdata.File, code string, at time.Time) *skygrid.AirHour {
	for _, h := range f.Hours {
		if h.Station == code && h.Hour.Equal(at) {
			return h
		}
	}
	return nil
}

var hour7 = time.Date(2018, 2, 19, 23, 0, 0, 0, time.UTC) // 07:00 Beijing

func TestReadLayouts(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		layout   string
		stations int
		hours    int
	}{
		{"per station", "datong_stations_2018-02-20T07.csv", airdata.LayoutStation, 6, 6},
		{"station list", "stations_datong.csv", airdata.LayoutList, 6, 0},
		{"per day", "china_sites_20180220_example.csv", airdata.LayoutDaily, 0, 14},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := readFile(t, tt.file)
			if f.Layout != tt.layout || len(f.Stations) != tt.stations || len(f.Hours) != tt.hours {
				t.Fatalf("layout %s, %d stations, %d hours; want %s %d %d", f.Layout, len(f.Stations), len(f.Hours),
					tt.layout, tt.stations, tt.hours)
			}
		})
	}
}

// The same published hour read from both layouts gives the same values.
func TestLayoutsAgree(t *testing.T) {
	st := readFile(t, "datong_stations_2018-02-20T07.csv")
	day := readFile(t, "china_sites_20180220_example.csv")
	for _, code := range []string{"1721A", "1723A", "1724A", "1725A", "1726A", "2923A"} {
		t.Run(code, func(t *testing.T) {
			a, b := hourOf(st, code, hour7), hourOf(day, code, hour7)
			if a == nil || b == nil {
				t.Fatalf("hour 7 missing: %v %v", a, b)
			}
			if !reflect.DeepEqual(a.Values, b.Values) || !reflect.DeepEqual(a.Missing, b.Missing) || *a.AQI != *b.AQI {
				t.Errorf("per station %v %v %d\nper day %v %v %d", a.Values, a.Missing, *a.AQI, b.Values, b.Missing, *b.AQI)
			}
		})
	}
	h := hourOf(st, "2923A", hour7)
	if _, ok := h.Values["pm10"]; ok || !reflect.DeepEqual(h.Missing, []string{"pm10"}) {
		t.Errorf("2923A's missing PM10 (-;): values %v missing %v", h.Values, h.Missing)
	}
	if s := st.Stations[0]; s.Code != "1721A" || s.Name != "果树场" || s.Lon != 113.3819 || s.Network != skygrid.AirNational {
		t.Errorf("first station %+v", s)
	}
}

func TestReadRefuses(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"unknown layout", "a,b\n1,2\n", "x.csv:1: unknown layout"},
		{"bad lon", "code,name,lon,lat\n1721A,果树场,11x,40\n", "x.csv:2: field lon:"},
		{"lon outside China", "code,name,lon,lat\n1721A,果树场,13.38,40.1\n", "x.csv:2: field lon:"},
		{"empty code", "code,name,lon,lat\n,果树场,113.3,40.1\n", "x.csv:2: field code: empty"},
		{"bad network", "code,name,lon,lat,network\n1721A,果树场,113.3,40.1,county\n", "x.csv:2: field network:"},
		{"bad timepoint", "station_code,name,city,lon,lat,timepoint,pm10\n1721A,a,b,113.3,40.1,2018-02-20,15\n", "x.csv:2: field timepoint:"},
		{"negative value", "station_code,name,city,lon,lat,timepoint,pm10\n1721A,a,b,113.3,40.1,2018-02-20T07:00:00,-5\n", "x.csv:2: field pm10:"},
		{"bad aqi", "station_code,name,city,lon,lat,timepoint,aqi\n1721A,a,b,113.3,40.1,2018-02-20T07:00:00,x\n", "x.csv:2: field aqi:"},
		{"unknown type", "date,hour,type,1721A\n20180220,7,PM1,3\n", "x.csv:2: field type: unknown type \"PM1\""},
		{"bad hour", "date,hour,type,1721A\n20180220,24,PM10,3\n", "x.csv:2: field hour:"},
		{"bad date", "date,hour,type,1721A\n2018/02/20,1,PM10,3\n", "x.csv:2: field date:"},
		{"bad value names the station", "date,hour,type,1721A,1723A\n20180220,7,PM10,3,abc\n", "x.csv:2: field 1723A:"},
		{"malformed CSV", "code,name,lon,lat\n\"1721A,a,113,40\n", "malformed CSV"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := airdata.Read("x.csv", strings.NewReader(tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
			if skygrid.ErrorCode(err) != skygrid.EINVALID {
				t.Errorf("code %s, want invalid", skygrid.ErrorCode(err))
			}
		})
	}
}

func TestDailyHoursInUTC(t *testing.T) {
	f := readFile(t, "china_sites_20180220_example.csv")
	h8 := hourOf(f, "1721A", hour7.Add(time.Hour))
	if h8 == nil || h8.AQI != nil || h8.Values["pm10"] != 16 {
		t.Fatalf("hour 8 of 1721A: %+v", h8)
	}
	other := hourOf(f, "1081A", hour7)
	if other == nil || other.Values["pm10"] != 88 || len(other.Missing) != len(skygrid.AirPollutants)-1 {
		t.Errorf("1081A hour 7: %+v", other)
	}
}
