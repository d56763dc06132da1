package airdata

import (
	"strconv"
	"strings"
	"time"

	"skygrid"
)

// stationOf reads a station's fields from a row and keeps the station.
func (rd *reader) stationOf(rec []string, line int) (*skygrid.AirStation, error) {
	s := &skygrid.AirStation{Code: cell(rec, rd.col("code")), Name: cell(rec, rd.col("name")), City: cell(rec, rd.col("city"))}
	if s.Code == "" {
		return nil, rd.errf(line, "code", "empty")
	}
	for _, c := range []struct {
		field    string
		dst      *float64
		min, max float64
	}{{"lon", &s.Lon, 73, 136}, {"lat", &s.Lat, 3, 54}} {
		v := cell(rec, rd.col(c.field))
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < c.min || f > c.max {
			return nil, rd.errf(line, c.field, "want a WGS84 degree in China (%g to %g), got %q", c.min, c.max, v)
		}
		*c.dst = f
	}
	switch n := cell(rec, rd.col("network")); n {
	case "", "national", "国控", "国控点":
		s.Network = skygrid.AirNational
	case "provincial", "省控", "省控点":
		s.Network = skygrid.AirProvincial
	default:
		return nil, rd.errf(line, "network", "want national or provincial, got %q", n)
	}
	rd.f.Stations = append(rd.f.Stations, s)
	return s, nil
}

// station reads a row of the per-station layout: its station and hour.
func (rd *reader) station(rec []string, line int) error {
	s, err := rd.stationOf(rec, line)
	if err != nil {
		return err
	}
	tp := cell(rec, rd.cols["timepoint"])
	t, err := time.ParseInLocation("2006-01-02T15:04:05", tp, beijing)
	if err != nil {
		if t, err = time.ParseInLocation("2006-01-02 15:04:05", tp, beijing); err != nil {
			return rd.errf(line, "timepoint", "want 2006-01-02T15:04:05 (Beijing time), got %q", tp)
		}
	}
	h := &skygrid.AirHour{Station: s.Code, Hour: t.UTC(), Values: map[string]float64{}}
	for col, key := range perStation {
		i, ok := rd.cols[col]
		if !ok {
			continue
		}
		if err := rd.put(h, key, cell(rec, i), line, col); err != nil {
			return err
		}
	}
	if i, ok := rd.cols["aqi"]; ok {
		if err := rd.publishedAQI(h, cell(rec, i), line); err != nil {
			return err
		}
	}
	if i, ok := rd.cols["primarypollutant"]; ok {
		h.Primary = cell(rec, i)
	}
	sortMissing(h)
	rd.f.Hours = append(rd.f.Hours, h)
	return nil
}

func (rd *reader) put(h *skygrid.AirHour, key, v string, line int, field string) error {
	f, ok, err := rd.value(v, line, field)
	if err != nil {
		return err
	}
	if ok {
		h.Values[key] = f
	} else {
		h.Missing = append(h.Missing, key)
	}
	return nil
}

func (rd *reader) publishedAQI(h *skygrid.AirHour, v string, line int) error {
	if missing(v) {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return rd.errf(line, "aqi", "want a whole number ≥ 0, got %q", v)
	}
	h.AQI = &n
	return nil
}

// dailyTypes maps the per-day layout's type rows to pollutant keys.
var dailyTypes = map[string]string{"PM2.5": "pm25", "PM2.5_24h": "pm25_24h", "PM10": "pm10", "PM10_24h": "pm10_24h",
	"SO2": "so2", "SO2_24h": "so2_24h", "NO2": "no2", "NO2_24h": "no2_24h", "O3": "o3", "O3_24h": "o3_24h",
	"O3_8h": "o3_8h", "O3_8h_24h": "o3_8h_24h", "CO": "co", "CO_24h": "co_24h", "AQI": "aqi"}

// daily reads a row of the per-day layout: one type for one hour, a value
// per station column.
func (rd *reader) daily(rec []string, line int) error {
	t, err := rd.dailyHour(rec, line)
	if err != nil {
		return err
	}
	typ := cell(rec, rd.cols["type"])
	key, ok := dailyTypes[typ]
	if !ok {
		return rd.errf(line, "type", "unknown type %q (want PM2.5, PM2.5_24h, PM10, PM10_24h, SO2, ..., CO_24h or AQI)", typ)
	}
	if rd.byKey == nil {
		rd.byKey = map[string]*skygrid.AirHour{}
	}
	for i := 3; i < len(rd.head); i++ {
		code := strings.TrimSpace(rd.head[i])
		k := t.Format(time.RFC3339) + "|" + code
		h := rd.byKey[k]
		if h == nil {
			h = &skygrid.AirHour{Station: code, Hour: t, Values: map[string]float64{}}
			rd.byKey[k] = h
			rd.f.Hours = append(rd.f.Hours, h)
		}
		if key == "aqi" {
			err = rd.publishedAQI(h, cell(rec, i), line)
		} else {
			err = rd.put(h, key, cell(rec, i), line, code)
		}
		if err != nil {
			return err
		}
		sortMissing(h)
	}
	return nil
}

func (rd *reader) dailyHour(rec []string, line int) (time.Time, error) {
	d := cell(rec, rd.cols["date"])
	day, err := time.ParseInLocation("20060102", d, beijing)
	if err != nil {
		if day, err = time.ParseInLocation("2006-01-02", d, beijing); err != nil {
			return time.Time{}, rd.errf(line, "date", "want 20060102 or 2006-01-02, got %q", d)
		}
	}
	hs := cell(rec, rd.cols["hour"])
	h, err := strconv.Atoi(hs)
	if err != nil || h < 0 || h > 23 {
		return time.Time{}, rd.errf(line, "hour", "want 0 to 23 (Beijing time), got %q", hs)
	}
	return day.Add(time.Duration(h) * time.Hour).UTC(), nil
}

// sortMissing keeps Missing in skygrid.AirPollutants order, once each.
func sortMissing(h *skygrid.AirHour) {
	set := map[string]bool{}
	for _, k := range h.Missing {
		set[k] = true
	}
	h.Missing = h.Missing[:0]
	for _, k := range skygrid.AirPollutants {
		if set[k] {
			h.Missing = append(h.Missing, k)
		}
	}
	if len(h.Missing) == 0 {
		h.Missing = nil
	}
}
