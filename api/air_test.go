package api_test

import (
	"context"
	"testing"

	"skygrid"
	"skygrid/airdata"
	"skygrid/api"
	"skygrid/aqi"
)

// newAirServer serves (on 127.0.0.1) a real store with Datong's counties
// and the six Datong stations' published hour (2018-02-20 07:00 Beijing).
func newAirServer(t *testing.T) (string, *airdata.File) {
	t.Helper()
	ls := newLightServer(t, api.Services{AirNearestKm: 30})
	adminToken = ls.tokens["admin"]
	name := "../airdata/testdata/datong_stations_2018-02-20T07.csv"
	file, err := airdata.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ls.db.ImportAirStations(context.Background(), file.Stations); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ls.db.IngestAirHours(context.Background(), file.Hours); err != nil {
		t.Fatal(err)
	}
	return ls.srv.URL(), file
}

type airStationsBody struct {
	Stations []struct {
		skygrid.AirStation
		Latest *skygrid.AirHour `json:"latest"`
		AQI    *struct {
			AQI          int            `json:"aqi"`
			Level        aqi.Level      `json:"level"`
			IAQI         map[string]int `json:"iaqi"`
			PrimaryNames []string       `json:"primary_names"`
		} `json:"aqi"`
	} `json:"stations"`
}

func TestAirAPI(t *testing.T) {
	base, file := newAirServer(t)
	var body airStationsBody
	get(t, base+"/api/air/stations", 200, &body)
	if len(body.Stations) != 6 {
		t.Fatalf("%d stations", len(body.Stations))
	}
	byCounty := map[string][]float64{}
	var all []float64
	for i, s := range body.Stations {
		want, _ := aqi.Hourly(aqi.Concentrations(file.Hours[i].Values))
		if s.Code != file.Hours[i].Station || s.Latest == nil || s.AQI == nil || s.AQI.AQI != want.AQI ||
			s.AQI.Level.Name != "优" || s.AQI.Level.Colour != "#00e400" || len(s.AQI.PrimaryNames) != 0 {
			t.Errorf("station %d: %+v %+v, want AQI %d", i, s.AirStation, s.AQI, want.AQI)
		}
		if s.CountyID == "" {
			t.Errorf("%s: no county", s.Code)
		}
		if v, ok := s.Latest.Values["pm10"]; ok {
			byCounty[s.CountyID] = append(byCounty[s.CountyID], v)
			all = append(all, v)
		}
	}
	urban := body.Stations[0].CountyID
	tests := []struct {
		name, county, source string
		pm10                 []float64
	}{
		{"a county with stations", urban, skygrid.AmbientCounty, byCounty[urban]},
		{"浑源县, far from every station: the city", "140225", skygrid.AmbientCity, all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var amb struct {
				Hours []skygrid.Ambient `json:"hours"`
			}
			get(t, base+"/api/air/ambient?county="+tt.county+"&from=2018-02-19T23:00:00Z&to=2018-02-20T00:00:00Z", 200, &amb)
			if len(amb.Hours) != 1 {
				t.Fatalf("%d hours", len(amb.Hours))
			}
			sum := 0.0
			for _, v := range tt.pm10 {
				sum += v
			}
			h := amb.Hours[0]
			if h.Source != tt.source || len(h.Stations) != len(tt.pm10) || h.PM10 != float64(int(sum/float64(len(tt.pm10))*10+0.5))/10 {
				t.Errorf("%s %v from %d stations, want %s from %v", h.Source, h.PM10, len(h.Stations), tt.source, tt.pm10)
			}
		})
	}
	var e map[string]any
	get(t, base+"/api/air/ambient", 400, &e)
	get(t, base+"/api/air/ambient?county=999999", 404, &e)
	get(t, base+"/api/air/ambient?county="+urban+"&from=2018-02-20&to=2018-02-19", 400, &e)
	get(t, base+"/api/air/ambient?county="+urban+"&from=2018-01-01&to=2018-03-01", 400, &e)
}
