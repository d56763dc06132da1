package hj212

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Factor is what a reading measures, whatever code the device sent.
type Factor string

// The factors of dust and air monitors.
const (
	TSP         Factor = "TSP"
	PM10        Factor = "PM10"
	PM25        Factor = "PM2.5"
	Temperature Factor = "temperature"
	Humidity    Factor = "humidity"
	Pressure    Factor = "pressure"
	WindSpeed   Factor = "wind speed"
	WindDir     Factor = "wind direction"
	Noise       Factor = "noise"
	SO2         Factor = "SO2"
	NO2         Factor = "NO2"
	CO          Factor = "CO"
	O3          Factor = "O3"
)

// Units, as a code declares them.
const (
	MilligramPerM3 = "mg/m³"
	MicrogramPerM3 = "µg/m³"
)

type codeInfo struct {
	factor Factor
	unit   string
}

// codes maps the 2017 codes and the 2005-era names to a factor and the unit
// the code declares (see the package comment for the particulates' units).
var codes = map[string]codeInfo{
	"a34001": {TSP, MilligramPerM3}, "a34002": {PM10, MilligramPerM3}, "a34004": {PM25, MilligramPerM3},
	"a01001": {Temperature, "℃"}, "a01002": {Humidity, "%"}, "a01006": {Pressure, "kPa"},
	"a01007": {WindSpeed, "m/s"}, "a01008": {WindDir, "°"}, "LA": {Noise, "dB(A)"},
	"a21026": {SO2, MilligramPerM3}, "a21004": {NO2, MilligramPerM3}, "a21005": {CO, MilligramPerM3},
	"a05024": {O3, MilligramPerM3},
	"TSP":    {TSP, MicrogramPerM3}, "PM10": {PM10, MicrogramPerM3}, "PM25": {PM25, MicrogramPerM3},
	"TEM": {Temperature, "℃"}, "RH": {Humidity, "%"}, "WS": {WindSpeed, "m/s"}, "WD": {WindDir, "°"},
	"Leq": {Noise, "dB(A)"},
	"SO2": {SO2, MicrogramPerM3}, "NO2": {NO2, MicrogramPerM3}, "CO": {CO, MilligramPerM3},
	"O3": {O3, MicrogramPerM3},
}

// Lookup gives the factor and declared unit of a code; ok is false for a
// code not known here (its readings are kept with an empty Factor).
func Lookup(code string) (Factor, string, bool) {
	c, ok := codes[code]
	return c.factor, c.unit, ok
}

// Microgram converts a value declared in unit to µg/m³; ok is false for a
// unit that is not a mass concentration.
func Microgram(v float64, unit string) (float64, bool) {
	switch unit {
	case MicrogramPerM3:
		return v, true
	case MilligramPerM3:
		return v * 1000, true
	}
	return 0, false
}

// Reading is one factor group of CP: CODE-Rtd=v,CODE-Flag=N...
type Reading struct {
	Code                    string // as sent
	Factor                  Factor // "" for an unknown code
	Unit                    string // the unit the code declares, "" if unknown
	Rtd, Avg, Min, Max, Cou *float64
	Flag                    string // data flag as sent, "" if none
}

// Valid says whether the reading counts: flag N, or no flag at all.
func (r Reading) Valid() bool { return r.Flag == "" || r.Flag == "N" }

// CP is the parsed CP field.
type CP struct {
	DataTime    time.Time // in UTC; zero if not sent
	HasDataTime bool
	Readings    []Reading         // in the order sent
	Params      map[string]string // other keys (RtdInterval, SystemTime, QnRtn...)
}

// ParseCP parses the inside of CP=&&...&&: groups separated by ';', items
// in a group by ','; an item CODE-Attr=value is a factor's, others are params.
func ParseCP(s string) (CP, error) {
	var cp CP
	index := map[string]int{}
	for _, group := range strings.Split(s, ";") {
		for _, item := range strings.Split(group, ",") {
			if item == "" {
				continue
			}
			if err := cp.add(item, index); err != nil {
				return CP{}, err
			}
		}
	}
	return cp, nil
}

func (cp *CP) add(item string, index map[string]int) error {
	k, v, ok := strings.Cut(item, "=")
	if !ok || k == "" {
		return refuse(ReasonCP, "item %q is not key=value", item)
	}
	code, attr, isFactor := strings.Cut(k, "-")
	if !isFactor {
		return cp.param(k, v)
	}
	if code == "" {
		return refuse(ReasonCP, "item %q has no factor code", item)
	}
	i, seen := index[code]
	if !seen {
		f, unit, _ := Lookup(code)
		cp.Readings = append(cp.Readings, Reading{Code: code, Factor: f, Unit: unit})
		i = len(cp.Readings) - 1
		index[code] = i
	}
	return cp.Readings[i].set(attr, v)
}

func (cp *CP) param(k, v string) error {
	if _, dup := cp.Params[k]; dup || (k == "DataTime" && cp.HasDataTime) {
		return refuse(ReasonCP, "%s given twice", k)
	}
	if k == "DataTime" {
		t, err := ParseDataTime(v)
		if err != nil {
			return err
		}
		cp.DataTime, cp.HasDataTime = t, true
		return nil
	}
	if cp.Params == nil {
		cp.Params = map[string]string{}
	}
	cp.Params[k] = v
	return nil
}

func (r *Reading) set(attr, v string) error {
	if attr == "Flag" {
		// A letter in lower case is read as its capital (devices send n for N).
		if r.Flag != "" || len(v) != 1 || !('A' <= v[0] && v[0] <= 'Z' || 'a' <= v[0] && v[0] <= 'z') {
			return refuse(ReasonCP, "%s-Flag %q: one letter, once", r.Code, v)
		}
		r.Flag = strings.ToUpper(v)
		return nil
	}
	var slot **float64
	switch attr {
	case "Rtd":
		slot = &r.Rtd
	case "Avg":
		slot = &r.Avg
	case "Min":
		slot = &r.Min
	case "Max":
		slot = &r.Max
	case "Cou":
		slot = &r.Cou
	default:
		return nil // other attributes (-SampleTime, -EFlag...) are not read
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || *slot != nil {
		return refuse(ReasonCP, "%s-%s %q: one finite number, once", r.Code, attr, v)
	}
	*slot = &f
	return nil
}
