package airindex_test

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/airdata"
	"skygrid/airindex"
	"skygrid/aqi"
)

// november is November 2026: 30 days, 27 needed.
var november = airindex.Month(time.Date(2026, 11, 15, 12, 0, 0, 0, skygrid.Beijing))

// monthDays are n days of November from the 1st, day i (0-based) with
// PM2.5 40 (80 on days 0, 1, 2), PM10 80, SO2 12, NO2 30, CO (i+1)/10,
// O3 1-h max 150, O3-8h max 101+i.
func monthDays(n int) []airindex.Day {
	var out []airindex.Day
	for i := 0; i < n; i++ {
		pm25 := 40.0
		if i < 3 {
			pm25 = 80
		}
		out = append(out, airindex.Day{Date: november.From.AddDate(0, 0, i), Values: map[string]float64{
			aqi.PM25: pm25, aqi.PM10: 80, aqi.SO2: 12, aqi.NO2: 30, aqi.CO: float64(i+1) / 10,
			aqi.O3: 150, aqi.O38h: float64(101 + i)}})
	}
	return out
}

// TestEvaluateMonth: 30 hand-made days of November.
//
// PM2.5: (3·80 + 27·40)/30 = 44. PM10 80, SO2 12, NO2 30.
// CO 95th of 0.1..3.0: k = 1 + 29·0.95 = 28.55, 2.8 + 0.55·0.1 = 2.855,
// rounded 2.9. O3-8h 90th of 101..130: k = 1 + 29·0.9 = 27.1,
// 127 + 0.1 = 127.1, rounded 127.
// Index = 44/35 + 80/70 + 12/60 + 30/40 + 2.9/4 + 127/160
// = 1.257143 + 1.142857 + 0.2 + 0.75 + 0.725 + 0.79375 = 4.86875 → 4.87.
// Daily AQI: PM2.5 80 gives (150−100)/(115−75)·(80−75) + 100 = 106.25 →
// 107 > 100 on days 0-2; on the others PM2.5 40 gives 56.25 → 57, PM10 80
// 65, CO ≤ 3.0 at most 75, O3-8h ≤ 130 at most 75, O3 1-h 150 46.875 →
// 47: good. 27 good of 30: 0.9.
//
// 27 days (26 after dropping one more) exercise the month's boundary.
func TestEvaluateMonth(t *testing.T) {
	t.Run("30 days", func(t *testing.T) {
		e := airindex.Evaluate(november, monthDays(30))
		want := map[string]float64{aqi.PM25: 44, aqi.PM10: 80, aqi.SO2: 12, aqi.NO2: 30, aqi.CO: 2.9, aqi.O38h: 127}
		for k, w := range want {
			if e.Conc[k] == nil || *e.Conc[k] != w {
				t.Errorf("%s = %v, want %v", k, e.Conc[k], w)
			}
		}
		if e.Index == nil || *e.Index != 4.87 {
			t.Errorf("index %v, want 4.87", e.Index)
		}
		if e.ValidDays != 30 || e.GoodDays != 27 || e.GoodShare == nil || *e.GoodShare != 0.9 {
			t.Errorf("days %d good %d share %v, want 30, 27, 0.9", e.ValidDays, e.GoodDays, e.GoodShare)
		}
	})
	// 27 days: PM2.5 (240 + 24·40)/27 = 44.44 → 44; CO k = 1 + 26·0.95 =
	// 25.7, 2.5 + 0.07 = 2.57 → 2.6; O3 (X_i = 100 + i) k = 1 + 26·0.9 =
	// 24.4, 124 + 0.4 → 124. Index 44/35 + 80/70 + 0.2 + 0.75 + 2.6/4 +
	// 124/160 = 1.257143 + 1.142857 + 0.2 + 0.75 + 0.65 + 0.775 = 4.775: a
	// half, to the even neighbour (GB/T 8170): 4.78.
	t.Run("27 days: evaluated", func(t *testing.T) {
		e := airindex.Evaluate(november, monthDays(27))
		if e.Index == nil || *e.Index != 4.78 || *e.Conc[aqi.CO] != 2.6 || *e.Conc[aqi.O38h] != 124 {
			t.Fatalf("index %v CO %v O3 %v, want 4.78, 2.6, 124", *e.Index, *e.Conc[aqi.CO], *e.Conc[aqi.O38h])
		}
		if e.GoodShare == nil || *e.GoodShare != 24.0/27 {
			t.Fatalf("good share %v, want 24/27", e.GoodShare)
		}
	})
	t.Run("26 days: nothing", func(t *testing.T) {
		e := airindex.Evaluate(november, monthDays(26))
		for _, k := range airindex.Six {
			if e.Conc[k] != nil {
				t.Errorf("%s = %v from 26 days", k, *e.Conc[k])
			}
		}
		if e.Index != nil || e.GoodShare != nil {
			t.Errorf("index %v share %v from 26 days", e.Index, e.GoodShare)
		}
		if notes := strings.Join(e.Notes, "；"); !strings.Contains(notes, "PM2.5有效日数26天，少于27天") ||
			!strings.Contains(notes, "有效AQI日数26天") {
			t.Errorf("notes %q", notes)
		}
	})
	t.Run("one pollutant short: no index", func(t *testing.T) {
		days := monthDays(30)
		for i := range days[:4] {
			delete(days[i].Values, aqi.NO2)
		}
		e := airindex.Evaluate(november, days)
		// NO2 on 26 days: no NO2, so no index; the other five stand; a
		// day without NO2 has no AQI: 26 valid days, not enough.
		if e.Conc[aqi.NO2] != nil || e.Index != nil || e.Conc[aqi.PM25] == nil || e.GoodShare != nil {
			t.Fatalf("NO2 %v index %v PM2.5 %v share %v", e.Conc[aqi.NO2], e.Index, e.Conc[aqi.PM25], e.GoodShare)
		}
	})
}

func TestEvaluateFebruary(t *testing.T) {
	feb := airindex.Month(time.Date(2026, 2, 1, 0, 0, 0, 0, skygrid.Beijing))
	days := func(n int) []airindex.Day {
		var out []airindex.Day
		for i := 0; i < n; i++ {
			out = append(out, airindex.Day{Date: feb.From.AddDate(0, 0, i), Values: map[string]float64{aqi.PM25: 50}})
		}
		return out
	}
	for _, tt := range []struct {
		name string
		n    int
		ok   bool
	}{{"24 days: none", 24, false}, {"25 days: evaluated", 25, true}} {
		t.Run(tt.name, func(t *testing.T) {
			e := airindex.Evaluate(feb, days(tt.n))
			if (e.Conc[aqi.PM25] != nil) != tt.ok {
				t.Fatalf("PM2.5 %v from %d February days", e.Conc[aqi.PM25], tt.n)
			}
		})
	}
	if y := airindex.Year(feb.From); y.MinDays != 324 || y.To.Sub(y.From) != 365*24*time.Hour {
		t.Fatalf("year %v to %v, %d days", y.From, y.To, y.MinDays)
	}
}

// A year needs 324 valid days: 2026 with PM2.5 on its first 323 or 324.
func TestEvaluateYear(t *testing.T) {
	year := airindex.Year(time.Date(2026, 6, 1, 0, 0, 0, 0, skygrid.Beijing))
	for _, tt := range []struct {
		name string
		n    int
		ok   bool
	}{{"323 days: none", 323, false}, {"324 days: evaluated", 324, true}} {
		t.Run(tt.name, func(t *testing.T) {
			var days []airindex.Day
			for i := 0; i < tt.n; i++ {
				days = append(days, airindex.Day{Date: year.From.AddDate(0, 0, i), Values: map[string]float64{aqi.PM25: 30}})
			}
			e := airindex.Evaluate(year, days)
			if (e.Conc[aqi.PM25] != nil) != tt.ok || (tt.ok && *e.Conc[aqi.PM25] != 30) {
				t.Fatalf("PM2.5 %v from %d days of a year (notes %v)", e.Conc[aqi.PM25], tt.n, e.Notes)
			}
		})
	}
}

func TestRankTies(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	cs := []*skygrid.CountyAir{{CountyID: "a", Index: f(4.1)}, {CountyID: "b", Index: f(3.2)},
		{CountyID: "c", Index: f(4.1)}, {CountyID: "d"}, {CountyID: "e", Index: f(5)}}
	airindex.Rank(cs)
	var got []string
	for _, c := range cs {
		got = append(got, c.CountyID+strconv.Itoa(c.Rank))
	}
	// b first; a and c tie at 2 (by id); e is 4th, not 3rd; d unranked.
	if strings.Join(got, " ") != "b1 a2 c2 e4 d0" {
		t.Fatalf("ranking %v", got)
	}
}

// TestDatongDailyAQI: the IAQI part on Datong's six stations' hour of
// 2018-02-20 07:00 (aqi's testdata, read in place). CNEMC's 24-hour fields
// are the inputs of a daily AQI for the 24 hours to 07:00: the 24-hour
// means, o3_24h the largest 1-hour O3, o3_8h_24h the largest 8-hour one.
//
// 1721A: PM2.5 23 → 50/35·23 = 32.86 → 33; PM10 52 → 50 + 50/100·2 = 51;
// SO2 15 → 15; NO2 8 → 10; CO 0.7 → 50/2·0.7 = 17.5 → 18; O3 1-h 73 →
// 50/160·73 = 22.8 → 23; O3-8h 77 → 38.5 → 39. AQI 51, PM10, good.
// 1725A: PM2.5 29 → 41.4 → 42; PM10 64 → 57; SO2 19; NO2 8 → 10; CO 1.3 →
// 32.5 → 33; O3 82 → 25.6 → 26; O3-8h 85 → 42.5 → 43. AQI 57, PM10, good.
func TestDatongDailyAQI(t *testing.T) {
	file, err := airdata.ReadFile("../aqi/testdata/shanxi_stations_2018-02-20T07.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]int{
		"1721A": {aqi.PM25: 33, aqi.PM10: 51, aqi.SO2: 15, aqi.NO2: 10, aqi.CO: 18, aqi.O3: 23, aqi.O38h: 39},
		"1725A": {aqi.PM25: 42, aqi.PM10: 57, aqi.SO2: 19, aqi.NO2: 10, aqi.CO: 33, aqi.O3: 26, aqi.O38h: 43},
	}
	// The day's inputs are the hour's 24-hour fields, by the stored names.
	fields := map[string]string{aqi.PM25: "pm25_24h", aqi.PM10: "pm10_24h", aqi.SO2: "so2_24h", aqi.NO2: "no2_24h",
		aqi.CO: "co_24h", aqi.O3: "o3_24h", aqi.O38h: "o3_8h_24h"}
	seen := 0
	for _, hr := range file.Hours {
		w, ok := want[hr.Station]
		if !ok {
			continue
		}
		seen++
		d := airindex.Day{Values: map[string]float64{}}
		for k, name := range fields {
			v, ok := hr.Values[name]
			if !ok {
				t.Fatalf("%s: no %s", hr.Station, name)
			}
			d.Values[k] = v
		}
		res, ok := airindex.DailyAQI(d)
		if !ok {
			t.Fatalf("%s: no daily AQI", hr.Station)
		}
		for k, iaqi := range w {
			if res.IAQI[k] != iaqi {
				t.Errorf("%s IAQI %s = %d, want %d", hr.Station, k, res.IAQI[k], iaqi)
			}
		}
		if wantAQI := w[aqi.PM10]; res.AQI != wantAQI || res.AQI > 100 || strings.Join(res.Primary, ",") != aqi.PM10 {
			t.Errorf("%s AQI %d %v, want %d PM10 good", hr.Station, res.AQI, res.Primary, wantAQI)
		}
	}
	if seen != 2 {
		t.Fatalf("found %d of the two stations", seen)
	}
	if !math.IsNaN(airindex.Percentile(nil, 90)) {
		t.Fatal("percentile of nothing is a number")
	}
}
