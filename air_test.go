package skygrid_test

import (
	"testing"

	"skygrid"

	"github.com/paulmach/orb"
)

func TestChooseAmbient(t *testing.T) {
	centroid := orb.Point{113.6, 40.1}
	// 0.1° of longitude at 40.1°N is about 8.5 km.
	own := skygrid.StationPM10{Code: "A1", CountyID: "140214", Lon: 113.62, Lat: 40.1, PM10: 100, InCity: true}
	own2 := skygrid.StationPM10{Code: "A2", CountyID: "140214", Lon: 113.58, Lat: 40.1, PM10: 51, InCity: true}
	near := skygrid.StationPM10{Code: "N1", CountyID: "140213", Lon: 113.35, Lat: 40.1, PM10: 60, InCity: true} // ~21 km
	far := skygrid.StationPM10{Code: "F1", CountyID: "140213", Lon: 113.2, Lat: 40.1, PM10: 90, InCity: true}   // ~34 km
	across := skygrid.StationPM10{Code: "X1", CountyID: "130728", Lon: 113.8, Lat: 40.1, PM10: 70}              // ~17 km, another city
	outside := skygrid.StationPM10{Code: "T1", CountyID: "", Lon: 112.5, Lat: 37.9, PM10: 300}                  // Taiyuan
	tests := []struct {
		name      string
		stations  []skygrid.StationPM10
		nearestKm float64
		source    string
		pm10      float64
		codes     []string
		ok        bool
	}{
		{"the county's own stations", []skygrid.StationPM10{own, own2, near, far}, 30, skygrid.AmbientCounty, 75.5, []string{"A1", "A2"}, true},
		{"else the nearest, a neighbour city's too", []skygrid.StationPM10{near, far, across, outside}, 30, skygrid.AmbientNearest, 65, []string{"N1", "X1"}, true},
		{"a smaller radius keeps fewer", []skygrid.StationPM10{near, far, across}, 20, skygrid.AmbientNearest, 70, []string{"X1"}, true},
		{"else the city's mean, not the province's", []skygrid.StationPM10{far, outside}, 30, skygrid.AmbientCity, 90, []string{"F1"}, true},
		{"radius 0: the city", []skygrid.StationPM10{near, far, across}, 0, skygrid.AmbientCity, 75, []string{"F1", "N1"}, true},
		{"nothing of the city", []skygrid.StationPM10{outside}, 30, "", 0, nil, false},
		{"no station", nil, 30, "", 0, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, ok := skygrid.ChooseAmbient("140214", centroid, tt.nearestKm, tt.stations)
			if ok != tt.ok || a.Source != tt.source || a.PM10 != tt.pm10 {
				t.Fatalf("got %v %s %v, want %v %s %v", ok, a.Source, a.PM10, tt.ok, tt.source, tt.pm10)
			}
			var codes []string
			for _, s := range a.Stations {
				codes = append(codes, s.Code)
			}
			if len(codes) != len(tt.codes) {
				t.Fatalf("stations %v, want %v", codes, tt.codes)
			}
			for i := range codes {
				if codes[i] != tt.codes[i] {
					t.Errorf("stations %v, want %v", codes, tt.codes)
				}
			}
		})
	}
}
