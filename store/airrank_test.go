package store_test

import (
	"context"
	"encoding/json"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/airindex"
	"skygrid/aqi"
)

// rankGen is the invented hour of station code on Beijing day d (1-based
// in its month) at label h (1..24): S1 and S2 clean, X1 dirtier with
// PM2.5 100 on days 1-5. ok false: the hour is missing (S2 on 12 November
// keeps 19 hours: its day does not count).
func rankGen(code string, d, h int) (v map[string]float64, ok bool) {
	fd, fh := float64(d), float64(h%4)
	switch code {
	case "S1":
		return map[string]float64{"pm25": 20 + fd + fh, "pm10": 50 + fd, "so2": 10, "no2": 20 + fh, "co": 0.5 + fd/20, "o3": 100 + fd}, true
	case "S2":
		if d == 12 && h > 19 {
			return nil, false
		}
		return map[string]float64{"pm25": 40 + 2*fd, "pm10": 70 + fd, "so2": 14, "no2": 30, "co": 0.7 + fd/30, "o3": 120 + fd}, true
	}
	pm25 := 45.0
	if d <= 5 {
		pm25 = 100
	}
	return map[string]float64{"pm25": pm25, "pm10": 90, "so2": 20, "no2": 35, "co": 1.2, "o3": 90}, true
}

// ingestMonth stores days 1..n of the month starting at from (Beijing) for
// the stations, each hour from gen.
func ingestMonth(t testing.TB, db interface {
	IngestAirHours(context.Context, []*skygrid.AirHour) (int, int, error)
}, from time.Time, n int, gen func(code string, d, h int) (map[string]float64, bool)) {
	t.Helper()
	var hs []*skygrid.AirHour
	for _, code := range []string{"S1", "S2", "X1"} {
		for d := 1; d <= n; d++ {
			for h := 1; h <= 24; h++ {
				if v, ok := gen(code, d, h); ok {
					hs = append(hs, &skygrid.AirHour{Station: code, Hour: from.AddDate(0, 0, d-1).Add(time.Duration(h) * time.Hour).UTC(), Values: v})
				}
			}
		}
	}
	if _, _, err := db.IngestAirHours(context.Background(), hs); err != nil {
		t.Fatal(err)
	}
}

// expectIndex computes a county's November figures the long way: each
// station's day is the mean of its hours when it has 20, O3-8h the day's
// (constant) O3; the county's day the mean of its stations' days; the
// month's means, CO's 95th and O3's 90th percentile by k = 1 + (n−1)p.
func expectIndex(codes []string) (pm25, index, good float64) {
	daily := map[string][]float64{}
	goodDays := 0
	for d := 1; d <= 30; d++ {
		sum, n := map[string]float64{}, map[string]int{}
		for _, code := range codes {
			st, hours := map[string]float64{}, 0
			for h := 1; h <= 24; h++ {
				if v, ok := rankGen(code, d, h); ok {
					hours++
					for k, x := range v {
						st[k] += x
					}
				}
			}
			if hours < 20 {
				continue
			}
			for k, x := range st {
				sum[k] += x / float64(hours)
				n[k]++
			}
		}
		day := aqi.Concentrations{}
		for k := range sum {
			day[k] = sum[k] / float64(n[k])
			daily[k] = append(daily[k], day[k])
		}
		day[aqi.O38h] = day[aqi.O3] // O3 is constant through each day
		if r, err := aqi.Daily(day); err == nil && r.AQI <= 100 {
			goodDays++
		}
	}
	mean := func(xs []float64) float64 {
		s := 0.0
		for _, x := range xs {
			s += x
		}
		return math.RoundToEven(s / float64(len(xs)))
	}
	pct := func(xs []float64, p float64) float64 {
		sort.Float64s(xs)
		k := 1 + float64(len(xs)-1)*p/100
		s := int(k)
		return xs[s-1] + (xs[s]-xs[s-1])*(k-float64(s))
	}
	co := math.RoundToEven(pct(daily["co"], 95)*10) / 10
	o3 := math.RoundToEven(pct(daily["o3"], 90))
	pm25 = mean(daily["pm25"])
	sum := pm25/35 + mean(daily["pm10"])/70 + mean(daily["so2"])/60 + mean(daily["no2"])/40 + co/4 + o3/160
	return pm25, math.RoundToEven(sum*100) / 100, float64(goodDays) / 30
}

func TestCountyAirRanking(t *testing.T) {
	db := airDB(t)
	nov := time.Date(2026, 11, 1, 0, 0, 0, 0, skygrid.Beijing)
	ingestMonth(t, db, nov, 30, rankGen)
	ingestMonth(t, db, nov.AddDate(0, -1, 0), 26, rankGen) // October: 26 days, not evaluated
	flat := func(code string, d, h int) (map[string]float64, bool) {
		return map[string]float64{"pm25": 30, "pm10": 60, "so2": 10, "no2": 20, "co": 1, "o3": 120}, true
	}
	ingestMonth(t, db, nov.AddDate(-1, 0, 0), 30, flat)
	r := &airindex.Ranking{Source: db, NearestKm: 30}
	got, err := r.CountyAirRanking(context.Background(), nov.AddDate(0, 0, 14))
	if err != nil {
		t.Fatal(err)
	}
	// A year ago, flat: 30/35 + 60/70 + 10/60 + 20/40 + 1/4 + 120/160 = 3.380952 → 3.38.
	const yearAgo = 3.38
	urbanPM25, urban, urbanGood := expectIndex([]string{"S1", "S2"})
	farPM25, far, farGood := expectIndex([]string{"X1"})
	want := []struct {
		id           string
		rank         int
		estimated    bool
		pm25, index  float64
		good         float64
		stationCount int
	}{
		// 云冈区 has no station: S1 and S2 are within 30 km of its
		// centroid; the same figures as 平城区's: a tie at rank 1.
		{"140213", 1, false, urbanPM25, urban, urbanGood, 2},
		{"140214", 1, true, urbanPM25, urban, urbanGood, 2},
		// 浑源县: the neighbouring city's X1 within 30 km.
		{"140225", 3, true, farPM25, far, farGood, 1},
	}
	if len(got) != len(want) {
		t.Fatalf("%d counties, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.CountyID != w.id || g.Rank != w.rank || g.Estimated != w.estimated || len(g.Stations) != w.stationCount {
			t.Errorf("%d: %s rank %d estimated %v stations %v, want %s %d %v", i, g.CountyID, g.Rank, g.Estimated, g.Stations, w.id, w.rank, w.estimated)
		}
		if g.Index == nil || *g.Index != w.index || *g.PM25 != w.pm25 || *g.GoodShare != w.good {
			t.Errorf("%s: index %v pm25 %v good %v, want %v %v %v", g.CountyID, g.Index, g.PM25, g.GoodShare, w.index, w.pm25, w.good)
			continue
		}
		if g.PrevIndex != nil || g.ChangePrev != nil || g.YearAgoIndex == nil || *g.YearAgoIndex != yearAgo ||
			*g.ChangeYearAgo != airindex.Round(w.index/yearAgo-1, 4) {
			t.Errorf("%s: prev %v change %v, year ago %v change %v", g.CountyID, g.PrevIndex, g.ChangePrev, g.YearAgoIndex, g.ChangeYearAgo)
		}
		if w.estimated && g.Note == "" {
			t.Errorf("%s: estimated without a note", g.CountyID)
		}
	}
	if farGood != 25.0/30 || urban >= far {
		t.Fatalf("the hand-made month is not what it meant: far good %v, urban %v far %v", farGood, urban, far)
	}
}

// With CacheFor, a month's ranking is kept that long on the injected
// clock: hours ingested meanwhile show once it has passed.
func TestCountyAirRankingCache(t *testing.T) {
	db := airDB(t)
	nov := time.Date(2026, 11, 1, 0, 0, 0, 0, skygrid.Beijing)
	ingestMonth(t, db, nov, 30, rankGen)
	now := nov.AddDate(0, 1, 0)
	r := &airindex.Ranking{Source: db, NearestKm: 30, CacheFor: 10 * time.Minute, Now: func() time.Time { return now }}
	index := func() float64 {
		cs, err := r.CountyAirRanking(context.Background(), nov)
		if err != nil || cs[0].Index == nil {
			t.Fatal(cs, err)
		}
		return *cs[0].Index
	}
	before := index()
	dirtier := func(code string, d, h int) (map[string]float64, bool) {
		v, ok := rankGen(code, d, h)
		if ok {
			v["pm25"] += 50
		}
		return v, ok
	}
	ingestMonth(t, db, nov, 30, dirtier)
	for _, tt := range []struct {
		name  string
		after time.Duration
		fresh bool
	}{{"within 10 minutes: kept", 9 * time.Minute, false}, {"after: computed anew", 10 * time.Minute, true}} {
		t.Run(tt.name, func(t *testing.T) {
			now = nov.AddDate(0, 1, 0).Add(tt.after)
			if got := index(); (got != before) != tt.fresh {
				t.Fatalf("index %v, before %v: fresh %v, want %v", got, before, got != before, tt.fresh)
			}
		})
	}
}

// BenchmarkCountyAirRanking: a month's ranking (with the previous month's
// and the year-ago month's index) of airDB's three counties and four
// stations, every hour of the three months stored.
func BenchmarkCountyAirRanking(b *testing.B) {
	db := airDB(b)
	ctx := context.Background()
	nov := time.Date(2026, 11, 1, 0, 0, 0, 0, skygrid.Beijing)
	for _, m := range []time.Time{nov, nov.AddDate(0, -1, 0), nov.AddDate(-1, 0, 0)} {
		var hs []*skygrid.AirHour
		for _, code := range []string{"S1", "S2", "X1", "1081A"} {
			for h := 1; h <= 31*24; h++ {
				v, _ := rankGen(code, 1+h/24, h%24)
				hs = append(hs, &skygrid.AirHour{Station: code, Hour: m.Add(time.Duration(h) * time.Hour).UTC(), Values: v})
			}
		}
		if _, _, err := db.IngestAirHours(ctx, hs); err != nil {
			b.Fatal(err)
		}
	}
	r := &airindex.Ranking{Source: db, NearestKm: 30}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cs, err := r.CountyAirRanking(ctx, nov)
		if err != nil || len(cs) != 3 || cs[0].Index == nil {
			b.Fatal(len(cs), err)
		}
	}
}

// TestCountyAirRankingWithoutStations: a city with counties and no air
// station yet (a new deployment) ranks every county unranked with an
// empty list of stations, never null (the audit page read its length and
// stopped with a TypeError).
func TestCountyAirRankingWithoutStations(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if err := db.ImportRegions(ctx, []*skygrid.Region{
		{ID: "140225", Name: "浑源县", Level: skygrid.LevelCounty, Geometry: square(114.3, 39.7, 0.1), AreaKm2: 1},
		{ID: "140226", Name: "左云县", Level: skygrid.LevelCounty, Geometry: square(112.7, 40.0, 0.1), AreaKm2: 1},
	}); err != nil {
		t.Fatal(err)
	}
	r := &airindex.Ranking{Source: db, NearestKm: 30}
	got, err := r.CountyAirRanking(ctx, time.Date(2026, 12, 7, 0, 0, 0, 0, skygrid.Beijing))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || strings.Contains(string(b), `"stations":null`) || strings.Count(string(b), `"stations":[]`) != 2 {
		t.Errorf("the ranking of a city without stations: %s, want two counties with \"stations\":[]", b)
	}
	for _, c := range got {
		if c.Rank != 0 || c.Index != nil || c.Note == "" {
			t.Errorf("%s without a station: rank %d, index %v, note %q; want unranked with a note", c.CountyName, c.Rank, c.Index, c.Note)
		}
	}
}
