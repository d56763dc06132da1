package api

import (
	"net/http"
	"time"

	"skygrid"
	"skygrid/aqi"

	"github.com/labstack/echo/v4"
)

// maxAmbientSpan is the longest period GET /api/air/ambient answers.
const maxAmbientSpan = 31 * 24 * time.Hour

// hourlyAQI is the AQI of a stored hour, nil when no pollutant gives one.
func hourlyAQI(h *skygrid.AirHour) *AirIndex {
	if h == nil {
		return nil
	}
	c := aqi.Concentrations{}
	// aqi's keys are the stored pollutant names (skygrid.AirPollutants).
	for _, key := range []string{aqi.PM25, aqi.PM10, aqi.SO2, aqi.SO2Day, aqi.NO2, aqi.CO, aqi.O3, aqi.O38h} {
		if v, ok := h.Values[key]; ok {
			c[key] = v
		}
	}
	r, err := aqi.Hourly(c)
	if err != nil {
		return nil
	}
	ix := &AirIndex{Result: r, PrimaryNames: []string{}}
	for _, k := range r.Primary {
		ix.PrimaryNames = append(ix.PrimaryNames, aqi.Names[k])
	}
	return ix
}

// GET /api/air/stations: every air-quality station with its latest hour,
// AQI, level and primary pollutant.
func (s *Server) handleAirStations(c echo.Context) error {
	ss, err := s.Air.FindAirStations(c.Request().Context())
	if err != nil {
		return err
	}
	out := AirStationList{Stations: make([]AirStationView, 0, len(ss))}
	for _, st := range ss {
		out.Stations = append(out.Stations, AirStationView{AirStationLatest: st, AQI: hourlyAQI(st.Latest)})
	}
	return c.JSON(http.StatusOK, out)
}

// GET /api/air/ambient?county=&from=&to=: the county's hourly ambient PM10
// in [from, to) (default the last 24 hours, at most 31 days), each hour
// with its source (county, nearest or city) and stations.
func (s *Server) handleAirAmbient(c echo.Context) error {
	p := &params{c: c}
	county, from, to := p.str("county"), p.time("from"), p.time("to")
	if p.err != nil {
		return p.err
	}
	if county == nil || *county == "" {
		return skygrid.Errorf(skygrid.EINVALID, "county: required (a county region id)")
	}
	end := s.now().UTC().Truncate(time.Hour).Add(time.Hour)
	if to != nil {
		end = *to
	}
	start := end.Add(-24 * time.Hour)
	if from != nil {
		start = *from
	}
	if !start.Before(end) || end.Sub(start) > maxAmbientSpan {
		return skygrid.Errorf(skygrid.EINVALID, "from, to: want from before to, at most 31 days apart")
	}
	as, err := s.Air.AmbientPM10(c.Request().Context(), *county, start, end, s.AirNearestKm)
	if err != nil {
		return err
	}
	if as == nil {
		as = []skygrid.Ambient{}
	}
	return c.JSON(http.StatusOK, AmbientSeries{County: *county, From: start.UTC(), To: end.UTC(), NearestKm: s.AirNearestKm, Hours: as})
}
