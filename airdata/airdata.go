package airdata

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"skygrid"
)

// Layouts detected from a file's header.
const (
	LayoutStation = "station" // per-station rows
	LayoutDaily   = "daily"   // per-day CNEMC
	LayoutList    = "list"    // a station list
)

// File is what one file held.
type File struct {
	Layout   string
	Stations []*skygrid.AirStation
	Hours    []*skygrid.AirHour
}

var beijing = skygrid.Beijing

// header aliases: a field's name and the headers that name it.
var aliases = map[string][]string{
	"code": {"station_code", "code", "监测点编码", "id"}, "name": {"name", "监测点名称"},
	"city": {"city", "城市"}, "lon": {"lon", "经度", "longitude"}, "lat": {"lat", "纬度", "latitude"},
	"network": {"network", "类型"},
}

// perStation maps the per-station layout's columns to pollutant keys.
var perStation = map[string]string{"pm2_5": "pm25", "pm2_5_24h": "pm25_24h", "pm10": "pm10", "pm10_24h": "pm10_24h",
	"so2": "so2", "so2_24h": "so2_24h", "no2": "no2", "no2_24h": "no2_24h", "co": "co", "co_24h": "co_24h",
	"o3": "o3", "o3_24h": "o3_24h", "o3_8h": "o3_8h", "o3_8h_24h": "o3_8h_24h"}

// ReadFile reads the file at path (Read, errors naming path).
func ReadFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(path, f)
}

// Read reads one file of any layout, detected from its header.
func Read(name string, r io.Reader) (*File, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, skygrid.Errorf(skygrid.EINVALID, "%s:1: no header: %v", name, err)
	}
	cols := map[string]int{}
	for i, h := range head {
		cols[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	rd := &reader{name: name, cols: cols, head: head, f: &File{}}
	switch {
	case has(cols, "date", "hour", "type"):
		rd.f.Layout = LayoutDaily
		return rd.run(cr, rd.daily)
	case has(cols, "station_code", "timepoint"):
		rd.f.Layout = LayoutStation
		return rd.run(cr, rd.station)
	case rd.col("code") >= 0 && rd.col("lon") >= 0 && rd.col("lat") >= 0:
		rd.f.Layout = LayoutList
		return rd.run(cr, func(rec []string, line int) error { _, err := rd.stationOf(rec, line); return err })
	}
	return nil, skygrid.Errorf(skygrid.EINVALID, "%s:1: unknown layout: want date,hour,type,<stations> (CNEMC per day), "+
		"station_code,...,timepoint,... (per station) or a station list (code, name, city, lon, lat)", name)
}

func has(cols map[string]int, names ...string) bool {
	for _, n := range names {
		if _, ok := cols[n]; !ok {
			return false
		}
	}
	return true
}

type reader struct {
	name string
	cols map[string]int
	head []string
	f    *File
	// daily: the hour being built per station, by "hour|code".
	byKey map[string]*skygrid.AirHour
}

func (rd *reader) run(cr *csv.Reader, row func([]string, int) error) (*File, error) {
	var bad []string
	err := skygrid.EachCSVRow(cr, row, func(line int, err error) {
		bad = append(bad, fmt.Sprintf("%s:%d: malformed CSV: %v", rd.name, line, err))
	})
	if err != nil {
		return nil, err
	}
	if len(bad) > 0 {
		return nil, skygrid.Errorf(skygrid.EINVALID, "%s", strings.Join(bad, "; "))
	}
	return rd.f, nil
}

// col is the index of a field by its aliases, or -1.
func (rd *reader) col(field string) int {
	for _, a := range aliases[field] {
		if i, ok := rd.cols[a]; ok {
			return i
		}
	}
	return -1
}

func (rd *reader) errf(line int, field, format string, args ...any) error {
	return skygrid.Errorf(skygrid.EINVALID, "%s:%d: field %s: %s", rd.name, line, field, fmt.Sprintf(format, args...))
}

func cell(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// missing reports whether a published value says "no value".
func missing(v string) bool { return v == "" || v == "-" || v == "-;" || v == "—" }

// value parses a concentration: ok false for a missing one.
func (rd *reader) value(v string, line int, field string) (float64, bool, error) {
	if missing(v) {
		return 0, false, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		return 0, false, rd.errf(line, field, "want a concentration (a number ≥ 0, or - for missing), got %q", v)
	}
	return f, true, nil
}
