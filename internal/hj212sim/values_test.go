package hj212sim

import (
	"math"
	"strings"
	"testing"
	"time"
)

// datongAir is the embedded Datong air, or the test stops.
func datongAir(tb testing.TB) Air {
	tb.Helper()
	air, err := DatongAir()
	if err != nil {
		tb.Fatal(err)
	}
	return air
}

func TestDatongAir(t *testing.T) {
	air := datongAir(t)
	// the file's pm10_24h: 52 67 52 64 74 67; pm2_5_24h: 23 24 25 29 29 31
	pm10, pm25 := (52+67+52+64+74+67)/6.0, (23+24+25+29+29+31)/6.0
	if math.Abs(air.PM10-pm10) > 1e-9 || math.Abs(air.PM25Ratio-pm25/pm10) > 1e-9 {
		t.Errorf("air %+v, want PM10 %.2f, ratio %.3f", air, pm10, pm25/pm10)
	}
}

func TestReadAirErrors(t *testing.T) {
	tests := []struct{ name, csv, want string }{
		{"no column", "pm10_24h\n52\n", "line 1: no column pm2_5_24h"},
		{"not a number", "pm10_24h,pm2_5_24h\n52,23\nx,1\n", `line 3: pm10_24h "x" is not a number`},
		{"all missing", "pm10_24h,pm2_5_24h\n-;,-;\n", "no station gives"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadAir(strings.NewReader(tt.csv), "x.csv")
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "x.csv: ") {
				t.Errorf("error %v, want x.csv: ...%s", err, tt.want)
			}
		})
	}
}

// hourlyMean is a monitor's mean PM10 over the given Beijing clock hours of
// 30 days, from the minute values.
func hourlyMean(p *Profile, air Air, key uint64, hours ...int) float64 {
	sum, n := 0.0, 0
	for day := range 30 {
		for _, h := range hours {
			for m := 0; m < 60; m += 5 {
				at := time.Date(2026, 3, 1+day, h, m, 0, 0, beijing)
				sum += p.At(air, key, at).PM10
				n++
			}
		}
	}
	return sum / float64(n)
}

func TestDiurnalShape(t *testing.T) {
	mean := 0.0
	for m := range 24 * 60 {
		mean += Shape(float64(m)/60) / (24 * 60)
	}
	if math.Abs(mean-1) > 1e-6 {
		t.Errorf("shape's daily mean %g, want 1", mean)
	}
	air := datongAir(t)
	tests := []struct {
		name  string
		p     Profile
		ratio float64 // the peaks over the afternoon, at least
	}{
		{"ambient", Profile{}, 1.5},
		{"a site's 25 µg/m³ in working hours on top", Profile{Excess: 25}, 1.1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &tt.p
			morning, afternoon, evening := hourlyMean(p, air, 1, 8, 9), hourlyMean(p, air, 1, 14, 15, 16), hourlyMean(p, air, 1, 20, 21, 22)
			if morning < tt.ratio*afternoon || evening < tt.ratio*afternoon {
				t.Errorf("PM10 morning %.0f, afternoon %.0f, evening %.0f µg/m³: the peaks should be %g times the afternoon",
					morning, afternoon, evening, tt.ratio)
			}
			night := hourlyMean(p, air, 1, 3, 4)
			if night > morning || night > evening {
				t.Errorf("night %.0f above a peak (%.0f, %.0f)", night, morning, evening)
			}
		})
	}
}

func TestProfiles(t *testing.T) {
	air := datongAir(t)
	ambient := &Profile{}
	tests := []struct {
		name         string
		p            Profile
		hour         []int
		minEx, maxEx float64 // the hours' mean PM10 over the ambient's
	}{
		{"ordinary site in working hours", Profile{Excess: 40}, []int{10}, 20, 60},
		{"ordinary site at night", Profile{Excess: 40}, []int{2}, -5, 5},
		{"exceeding hour", Profile{Excess: 20, ExceedHours: []int{10}, ExceedBy: 150}, []int{10}, 130, 200},
		{"exceeding site outside its hours", Profile{Excess: 20, ExceedHours: []int{10}, ExceedBy: 150}, []int{13}, 5, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := hourlyMean(&tt.p, air, 9, tt.hour...) - hourlyMean(ambient, air, 9, tt.hour...)
			if ex < tt.minEx || ex > tt.maxEx {
				t.Errorf("excess %.1f µg/m³, want %g..%g", ex, tt.minEx, tt.maxEx)
			}
		})
	}
}

func TestStuck(t *testing.T) {
	air := datongAir(t)
	p := &Profile{StuckFrom: 12, StuckTo: 16}
	at := func(h, m int) Values { return p.At(air, 3, time.Date(2026, 3, 5, h, m, 0, 0, beijing)) }
	stuck := at(12, 0)
	for _, c := range []struct{ h, m int }{{12, 1}, {13, 30}, {15, 59}} {
		v := at(c.h, c.m)
		if v.PM10 != stuck.PM10 || v.PM25 != stuck.PM25 || v.TSP != stuck.TSP {
			t.Errorf("%02d:%02d: particulates %v, want stuck at %v", c.h, c.m, v, stuck)
		}
	}
	if v := at(16, 0); v.PM10 == stuck.PM10 {
		t.Errorf("16:00: still stuck at %g", v.PM10)
	}
	if v := at(11, 59); v.PM10 == stuck.PM10 {
		t.Errorf("11:59: already stuck at %g", v.PM10)
	}
}

func TestValuesPlausible(t *testing.T) {
	air := datongAir(t)
	p := &Profile{Excess: 40, ExceedHours: []int{10}, ExceedBy: 250}
	for m := 0; m < 365*24*60; m += 37 {
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(m) * time.Minute)
		v := p.At(air, 5, at)
		switch {
		case v.PM25 > v.PM10 || v.PM10 > v.TSP || v.PM25 < 2:
			t.Fatalf("%v: PM2.5 %g, PM10 %g, TSP %g out of order", at, v.PM25, v.PM10, v.TSP)
		case v.Temp < -30 || v.Temp > 40 || v.RH < 8 || v.RH > 98 || v.WS < 0.1 || v.WS > 15 || v.WD < 0 || v.WD >= 360:
			t.Fatalf("%v: weather %+v implausible", at, v)
		case v.Noise < 35 || v.Noise > 80 || v.Pressure < 88 || v.Pressure > 92:
			t.Fatalf("%v: noise %g, pressure %g implausible", at, v.Noise, v.Pressure)
		}
	}
}
