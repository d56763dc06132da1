package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/store"
)

// airDB: the city 1402 with three counties (urban 140213 with two
// stations, 140214 next to it with none, 140225 far off), a county of a
// neighbouring city (130728) with a station, and a Taiyuan station outside
// every region.
func airDB(t testing.TB) *store.DB {
	t.Helper()
	db := MustOpenDB(t)
	ctx := context.Background()
	regions := []*skygrid.Region{
		{ID: "1402", Name: "大同市", Level: skygrid.LevelCity, Geometry: square(113.8, 40.0, 1.0), AreaKm2: 1},
		{ID: "140213", Name: "平城区", Level: skygrid.LevelCounty, ParentID: "1402", Geometry: square(113.3, 40.1, 0.1), AreaKm2: 1},
		{ID: "140214", Name: "云冈区", Level: skygrid.LevelCounty, ParentID: "1402", Geometry: square(113.6, 40.1, 0.1), AreaKm2: 1},
		{ID: "140225", Name: "浑源县", Level: skygrid.LevelCounty, ParentID: "1402", Geometry: square(114.3, 39.7, 0.1), AreaKm2: 1},
		{ID: "130728", Name: "怀安县", Level: skygrid.LevelCounty, Neighbour: true, Geometry: square(114.6, 39.7, 0.1), AreaKm2: 1},
	}
	if err := db.ImportRegions(ctx, regions); err != nil {
		t.Fatal(err)
	}
	stations := []*skygrid.AirStation{
		{Code: "S1", Name: "示例站1", Lon: 113.30, Lat: 40.10},
		{Code: "S2", Name: "示例站2", Lon: 113.35, Lat: 40.12},
		{Code: "X1", Name: "示例邻市站", Lon: 114.55, Lat: 39.7},
		{Code: "1081A", Name: "尖草坪", City: "太原市", Lon: 112.522, Lat: 37.8873},
	}
	if n, err := db.ImportAirStations(ctx, stations); err != nil || n != 4 {
		t.Fatal(n, err)
	}
	return db
}

func airHour(code string, at time.Time, pm10 float64) *skygrid.AirHour {
	return &skygrid.AirHour{Station: code, Hour: at, Values: map[string]float64{"pm10": pm10}}
}

func TestAirStationsCounty(t *testing.T) {
	db := airDB(t)
	got, err := db.FindAirStations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"S1": "140213", "S2": "140213", "X1": "130728", "1081A": ""}
	for _, s := range got {
		if s.CountyID != want[s.Code] || s.Network != skygrid.AirNational {
			t.Errorf("%s: county %q network %s, want %q national", s.Code, s.CountyID, s.Network, want[s.Code])
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d stations", len(got))
	}
}

func TestAmbientPM10(t *testing.T) {
	db := airDB(t)
	ctx := context.Background()
	h0 := time.Date(2018, 2, 19, 23, 0, 0, 0, time.UTC)
	h1 := h0.Add(time.Hour)
	hours := []*skygrid.AirHour{airHour("S1", h0, 40), airHour("S2", h0, 61), airHour("X1", h0, 200), airHour("1081A", h0, 300),
		airHour("S2", h1, 80), {Station: "S1", Hour: h1, Values: map[string]float64{}, Missing: []string{"pm10"}}}
	if added, updated, err := db.IngestAirHours(ctx, hours); err != nil || added != 6 || updated != 0 {
		t.Fatal(added, updated, err)
	}
	tests := []struct {
		name, county string
		nearestKm    float64
		hour         time.Time
		source       string
		pm10         float64
		stations     string
	}{
		{"own stations", "140213", 30, h0, skygrid.AmbientCounty, 50.5, "S1 S2"},
		{"own, one missing", "140213", 30, h1, skygrid.AmbientCounty, 80, "S2"},
		{"nearest within 30 km", "140214", 30, h0, skygrid.AmbientNearest, 50.5, "S1 S2"},
		{"nearest: a neighbouring city's station", "140225", 30, h0, skygrid.AmbientNearest, 200, "X1"},
		{"city mean when none is near", "140214", 10, h0, skygrid.AmbientCity, 50.5, "S1 S2"},
		{"city mean leaves out Taiyuan and the neighbour", "140225", 5, h0, skygrid.AmbientCity, 50.5, "S1 S2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			as, err := db.AmbientPM10(ctx, tt.county, h0, h1.Add(time.Hour), tt.nearestKm)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range as {
				if !a.Hour.Equal(tt.hour) {
					continue
				}
				var codes []string
				for _, s := range a.Stations {
					codes = append(codes, s.Code)
				}
				if a.Source != tt.source || a.PM10 != tt.pm10 || strings.Join(codes, " ") != tt.stations {
					t.Errorf("%s %v %v, want %s %v %s", a.Source, a.PM10, codes, tt.source, tt.pm10, tt.stations)
				}
				return
			}
			t.Errorf("no ambient for %s in %v", tt.hour, as)
		})
	}
	if _, err := db.AmbientPM10(ctx, "1402", h0, h1, 30); skygrid.ErrorCode(err) != skygrid.EINVALID {
		t.Errorf("a city as county: %v", err)
	}
	if _, err := db.AmbientPM10(ctx, "999999", h0, h1, 30); skygrid.ErrorCode(err) != skygrid.ENOTFOUND {
		t.Errorf("unknown county: %v", err)
	}
}

func TestIngestAirHoursMerges(t *testing.T) {
	db := airDB(t)
	ctx := context.Background()
	h0 := time.Date(2018, 2, 19, 23, 0, 0, 0, time.UTC)
	aqi := 42
	first := &skygrid.AirHour{Station: "S1", Hour: h0, Values: map[string]float64{"pm10": 40, "pm25": 20}, Missing: []string{"so2"}, AQI: &aqi, Primary: "-;"}
	if _, _, err := db.IngestAirHours(ctx, []*skygrid.AirHour{first}); err != nil {
		t.Fatal(err)
	}
	// A later file: PM10 revised, PM2.5 missing (kept), SO2 now given.
	later := &skygrid.AirHour{Station: "S1", Hour: h0, Values: map[string]float64{"pm10": 45, "so2": 9}, Missing: []string{"pm25"}}
	added, updated, err := db.IngestAirHours(ctx, []*skygrid.AirHour{later})
	if err != nil || added != 0 || updated != 1 {
		t.Fatal(added, updated, err)
	}
	ss, err := db.FindAirStations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		if s.Code != "S1" {
			continue
		}
		h := s.Latest
		if h == nil || h.Values["pm10"] != 45 || h.Values["pm25"] != 20 || h.Values["so2"] != 9 || len(h.Missing) != 0 ||
			h.AQI == nil || *h.AQI != 42 || h.Primary != "-;" {
			t.Errorf("merged hour %+v", h)
		}
	}
	_, _, err = db.IngestAirHours(ctx, []*skygrid.AirHour{airHour("S1", h0.Add(time.Hour), 1), airHour("NOPE", h0, 3)})
	if skygrid.ErrorCode(err) != skygrid.EINVALID || !strings.Contains(err.Error(), "NOPE") {
		t.Fatalf("unknown station: %v", err)
	}
	ss, _ = db.FindAirStations(ctx)
	for _, s := range ss {
		if s.Code == "S1" && !s.Latest.Hour.Equal(h0) {
			t.Errorf("a refused file stored an hour: %v", s.Latest.Hour)
		}
	}
}
