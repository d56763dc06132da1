package aqi_test

import (
	"encoding/csv"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"skygrid/aqi"
)

// TestBreakpoints: Table 1 of HJ 633-2012 written out row by row (IAQI,
// then each column's concentration; "-" where the column stops), so that
// a wrong breakpoint in the package fails here.
func TestBreakpoints(t *testing.T) {
	table := `
IAQI SO2-24h SO2-1h NO2-24h NO2-1h PM10-24h CO-24h CO-1h O3-1h O3-8h PM2.5-24h
0    0    0   0   0    0   0  0   0    0   0
50   50   150 40  100  50  2  5   160  100 35
100  150  500 80  200  150 4  10  200  160 75
150  475  650 180 700  250 14 35  300  215 115
200  800  800 280 1200 350 24 60  400  265 150
300  1600 -   565 2340 420 36 90  800  800 250
400  2100 -   750 3090 500 48 120 1000 -   350
500  2620 -   940 3840 600 60 150 1200 -   500`
	cols := []aqi.Column{aqi.SO224h, aqi.SO21h, aqi.NO224h, aqi.NO21h, aqi.PM1024h, aqi.CO24h, aqi.CO1h,
		aqi.O31h, aqi.O38hCol, aqi.PM2524h}
	lines := strings.Split(strings.TrimSpace(table), "\n")[1:]
	for ci, col := range cols {
		t.Run(col.Name, func(t *testing.T) {
			n := 0
			for _, line := range lines {
				f := strings.Fields(line)
				if f[ci+1] == "-" {
					continue
				}
				want, _ := strconv.Atoi(f[0])
				conc, _ := strconv.ParseFloat(f[ci+1], 64)
				got, above, ok := col.IAQI(conc)
				if !ok || above || got != want {
					t.Errorf("IAQI(%v) = %d above=%v ok=%v, want %d", conc, got, above, ok, want)
				}
				n++
			}
			if n != len(col.BP) {
				t.Errorf("standard has %d breakpoints, package %d", n, len(col.BP))
			}
		})
	}
}

func TestIAQIBetweenAndBeyond(t *testing.T) {
	tests := []struct {
		name      string
		col       aqi.Column
		conc      float64
		want      int
		above, ok bool
	}{
		{"PM2.5 48 rounds 66.25 up", aqi.PM2524h, 48, 67, false, true},
		{"PM10 88 is exactly 69", aqi.PM1024h, 88, 69, false, true},
		{"PM10 just above a breakpoint", aqi.PM1024h, 150.01, 101, false, true},
		{"PM10 just below a breakpoint", aqi.PM1024h, 149.99, 100, false, true},
		{"CO 0.9 mg is 22.5 up to 23", aqi.CO1h, 0.9, 9, false, true},
		{"CO 24h 2.3 (float noise)", aqi.CO24h, 2.3, 58, false, true},
		{"O3 8h 84", aqi.O38hCol, 84, 42, false, true},
		{"PM2.5 above the table", aqi.PM2524h, 650, 500, true, true},
		{"SO2 24h above the table", aqi.SO224h, 3000, 500, true, true},
		{"SO2 1h above 800: no 1h index", aqi.SO21h, 801, 0, false, false},
		{"O3 8h above 800: no 8h index", aqi.O38hCol, 900, 0, false, false},
		{"negative", aqi.PM1024h, -1, 0, false, false},
		{"NaN", aqi.PM1024h, math.NaN(), 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, above, ok := tt.col.IAQI(tt.conc)
			if got != tt.want || above != tt.above || ok != tt.ok {
				t.Errorf("IAQI(%v) = %d,%v,%v want %d,%v,%v", tt.conc, got, above, ok, tt.want, tt.above, tt.ok)
			}
		})
	}
}

func TestNotes(t *testing.T) {
	tests := []struct {
		name    string
		hourly  bool
		c       aqi.Concentrations
		wantKey string
		want    int
	}{
		{"SO2 1h above 800 reports its 24h IAQI", true, aqi.Concentrations{aqi.SO2: 900, aqi.SO2Day: 475}, aqi.SO2, 150},
		{"SO2 1h at 800 keeps the 1h column", true, aqi.Concentrations{aqi.SO2: 800, aqi.SO2Day: 475}, aqi.SO2, 200},
		{"O3 8h above 800 reports the 1h IAQI", false, aqi.Concentrations{aqi.O38h: 850, aqi.O3: 1000}, aqi.O38h, 400},
		{"O3 8h at 800 keeps the 8h column", false, aqi.Concentrations{aqi.O38h: 800, aqi.O3: 1000}, aqi.O38h, 300},
		{"daily SO2 uses the 24h column", false, aqi.Concentrations{aqi.SO2: 150}, aqi.SO2, 100},
		{"hourly SO2 uses the 1h column", true, aqi.Concentrations{aqi.SO2: 150}, aqi.SO2, 50},
		{"daily CO 24h", false, aqi.Concentrations{aqi.CO: 4}, aqi.CO, 100},
		{"hourly PM10 uses the 24h PM column", true, aqi.Concentrations{aqi.PM10: 250}, aqi.PM10, 150},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r aqi.Result
			var err error
			if tt.hourly {
				r, err = aqi.Hourly(tt.c)
			} else {
				r, err = aqi.Daily(tt.c)
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, ok := r.IAQI[tt.wantKey]; !ok || got != tt.want {
				t.Errorf("IAQI[%s] = %d (%v), want %d", tt.wantKey, got, ok, tt.want)
			}
		})
	}
	if _, err := aqi.Hourly(aqi.Concentrations{aqi.SO2: 900}); err == nil {
		t.Error("SO2 above 800 without a 24h mean gave an AQI")
	}
}

func TestPrimaryAndLevels(t *testing.T) {
	tests := []struct {
		name    string
		c       aqi.Concentrations
		aqi     int
		level   string
		colour  string
		primary []string
		exceed  []string
	}{
		{"no primary at 50", aqi.Concentrations{aqi.PM10: 50, aqi.PM25: 20}, 50, "优", "#00e400", nil, nil},
		{"primary above 50", aqi.Concentrations{aqi.PM10: 52, aqi.PM25: 20}, 51, "良", "#ffff00", []string{aqi.PM10}, nil},
		{"tie names both", aqi.Concentrations{aqi.PM10: 150, aqi.PM25: 75}, 100, "良", "#ffff00", []string{aqi.PM10, aqi.PM25}, nil},
		{"light", aqi.Concentrations{aqi.PM25: 115}, 150, "轻度污染", "#ff7e00", []string{aqi.PM25}, []string{aqi.PM25}},
		{"moderate", aqi.Concentrations{aqi.PM25: 150, aqi.PM10: 200}, 200, "中度污染", "#ff0000", []string{aqi.PM25}, []string{aqi.PM10, aqi.PM25}},
		{"heavy", aqi.Concentrations{aqi.PM25: 250}, 300, "重度污染", "#99004c", []string{aqi.PM25}, []string{aqi.PM25}},
		{"severe", aqi.Concentrations{aqi.PM25: 251}, 301, "严重污染", "#7e0023", []string{aqi.PM25}, []string{aqi.PM25}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := aqi.Hourly(tt.c)
			if err != nil {
				t.Fatal(err)
			}
			if r.AQI != tt.aqi || r.Level.Name != tt.level || r.Level.Colour != tt.colour {
				t.Errorf("got %d %s %s, want %d %s %s", r.AQI, r.Level.Name, r.Level.Colour, tt.aqi, tt.level, tt.colour)
			}
			if !reflect.DeepEqual(r.Primary, tt.primary) || !reflect.DeepEqual(r.Exceeding, tt.exceed) {
				t.Errorf("primary %v exceeding %v, want %v %v", r.Primary, r.Exceeding, tt.primary, tt.exceed)
			}
		})
	}
}

func TestPM10Level(t *testing.T) {
	tests := []struct {
		name   string
		ug     float64
		grade  int
		colour string
	}{
		{"clean", 30, 1, "#00e400"},
		{"at 50", 50, 1, "#00e400"},
		{"51", 51, 2, "#ffff00"},
		{"150", 150, 2, "#ffff00"},
		{"151", 151, 3, "#ff7e00"},
		{"350", 350, 4, "#ff0000"},
		{"420", 420, 5, "#99004c"},
		{"421", 421, 6, "#7e0023"},
		{"above the table", 900, 6, "#7e0023"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, ok := aqi.PM10Level(tt.ug)
			if !ok || l.Grade != tt.grade || l.Colour != tt.colour {
				t.Errorf("PM10Level(%v) = %+v %v", tt.ug, l, ok)
			}
		})
	}
	if _, ok := aqi.PM10Level(-3); ok {
		t.Error("negative PM10 has a level")
	}
}

// published reads a station CSV of testdata (the per-station layout).
func published(t *testing.T, name string) []map[string]string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}
