package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"skygrid"
	"skygrid/hj212"
)

// hj212Factors maps the codec's factors to the stored factor keys.
var hj212Factors = map[hj212.Factor]string{
	hj212.TSP: skygrid.FactorTSP, hj212.PM10: skygrid.FactorPM10, hj212.PM25: skygrid.FactorPM25,
	hj212.Temperature: skygrid.FactorTemperature, hj212.Humidity: skygrid.FactorHumidity,
	hj212.Pressure: skygrid.FactorPressure, hj212.WindSpeed: skygrid.FactorWindSpeed,
	hj212.WindDir: skygrid.FactorWindDir, hj212.Noise: skygrid.FactorNoise,
}

// FactorKey resolves a column or value name to a factor key (Factor*) and
// the scale to its stored unit: an HJ 212 code (a34002, PM10, ...; mass
// concentrations in the unit the code declares, converted to µg/m³), or
// a factor key (pm10, ...; already in stored units). ok is false for any
// other name.
func FactorKey(name string) (key string, scale float64, ok bool) {
	if f, unit, found := hj212.Lookup(name); found {
		if key, ok = hj212Factors[f]; !ok {
			return "", 0, false
		}
		scale = 1
		if v, mass := hj212.Microgram(1, unit); mass {
			scale = v
		}
		return key, scale, true
	}
	if _, known := skygrid.FactorNames[strings.ToLower(name)]; known {
		return strings.ToLower(name), 1, true
	}
	return "", 0, false
}

// ReadingItem is one item of POST /api/readings' JSON, or one CSV row.
type ReadingItem struct {
	MN     string             `json:"mn"`
	At     string             `json:"at"`
	Kind   string             `json:"kind"`
	Values map[string]float64 `json:"values"`
	Flags  map[string]string  `json:"flags"`
}

// ReadingsInput is a readings file or body read into items, each with
// where it was; rows already refused are in Refused.
type ReadingsInput struct {
	items   []ReadingItem
	where   []skygrid.ReadingRefusal // Line or Index of items[i]
	Refused []skygrid.ReadingRefusal
}

// ReadReadingsJSON reads a JSON array of reading items.
func ReadReadingsJSON(r io.Reader) (*ReadingsInput, error) {
	var items []ReadingItem
	dec := json.NewDecoder(r)
	if err := dec.Decode(&items); err != nil {
		return nil, skygrid.Errorf(skygrid.EINVALID, "body: want a JSON array of {mn, at, kind, values, flags}: %v", err)
	}
	in := &ReadingsInput{items: items}
	for i := range items {
		in.where = append(in.where, skygrid.ReadingRefusal{Index: &i})
	}
	return in, nil
}

// readingsCSV is a readings CSV's header: the columns of mn, time, kind,
// and of each factor and its flag.
type readingsCSV struct {
	mn, at, kind int
	factors      map[int]string // column -> header name of a value
	flags        map[int]string // column -> header name of its value
}

// ReadReadingsCSV reads a readings CSV (UTF-8 or GBK): columns mn/设备编号,
// time/时间, kind (default minute), a column per factor (a Factor* key or
// an HJ 212 code) and optional <factor>_flag columns. A bad header refuses
// the file; a bad row is refused alone, naming its line and field.
func ReadReadingsCSV(r io.Reader, name string) (*ReadingsInput, error) {
	cr, header, err := readCSVHeader(r, name)
	if err != nil {
		return nil, err
	}
	h, err := readingsHeader(header, name)
	if err != nil {
		return nil, err
	}
	in := &ReadingsInput{}
	err = skygrid.EachCSVRow(cr, func(row []string, line int) error {
		it := ReadingItem{Values: map[string]float64{}, Flags: map[string]string{}}
		if field, msg := h.item(row, header, &it); msg != "" {
			in.Refused = append(in.Refused, skygrid.ReadingRefusal{Line: line, Field: field, Message: msg})
			return nil
		}
		in.items = append(in.items, it)
		in.where = append(in.where, skygrid.ReadingRefusal{Line: line})
		return nil
	}, func(line int, err error) {
		in.Refused = append(in.Refused, skygrid.ReadingRefusal{Line: line, Message: "malformed CSV: " + err.Error()})
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return in, nil
}

func readingsHeader(header []string, name string) (*readingsCSV, error) {
	h := &readingsCSV{mn: -1, at: -1, kind: -1, factors: map[int]string{}, flags: map[int]string{}}
	for i, c := range header {
		c = strings.TrimSpace(c)
		switch lc := strings.ToLower(c); {
		case lc == "mn" || c == "设备编号":
			h.mn = i
		case lc == "time" || c == "时间":
			h.at = i
		case lc == "kind":
			h.kind = i
		case strings.HasSuffix(lc, "_flag"):
			if _, _, ok := FactorKey(c[:len(c)-5]); !ok {
				return nil, skygrid.Errorf(skygrid.EINVALID, "%s: line 1: column %s: the flag of an unknown factor", name, skygrid.ClipName(c))
			}
			h.flags[i] = c[:len(c)-5]
		default:
			if _, _, ok := FactorKey(c); !ok {
				return nil, skygrid.Errorf(skygrid.EINVALID, "%s: line 1: column %s: unknown (want mn, time, kind, a factor (%s) or an HJ 212 code, or <factor>_flag)",
					name, skygrid.ClipName(c), strings.Join(skygrid.Factors, ", "))
			}
			h.factors[i] = c
		}
	}
	if h.mn < 0 || h.at < 0 {
		return nil, skygrid.Errorf(skygrid.EINVALID, "%s: line 1: the header needs columns mn (设备编号) and time (时间)", name)
	}
	return h, nil
}

// item reads a row into it; a refusal gives the field and why.
func (h *readingsCSV) item(row, header []string, it *ReadingItem) (field, msg string) {
	get := func(i int) string {
		if i < 0 || i >= len(row) {
			return ""
		}
		return strings.TrimSpace(row[i])
	}
	it.MN, it.At, it.Kind = get(h.mn), get(h.at), get(h.kind)
	for i, f := range h.factors {
		v := get(i)
		if v == "" {
			continue
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return header[i], fmt.Sprintf("%q: not a number", skygrid.ClipName(v))
		}
		it.Values[f] = x
	}
	for i, f := range h.flags {
		if v := get(i); v != "" {
			it.Flags[f] = v
		}
	}
	return "", ""
}

// Readings is what a readings input becomes: the readings to store and
// the refusals (rows and items refused while reading, and those whose
// monitor is unknown or whose fields are wrong).
func (in *ReadingsInput) Readings(ctx context.Context, monitors func(context.Context, string) (skygrid.Monitor, error),
	source string, received time.Time) ([]skygrid.Reading, []skygrid.ReadingRefusal, error) {
	refused := append([]skygrid.ReadingRefusal{}, in.Refused...)
	ids := map[string]int64{}
	var out []skygrid.Reading
	for i, it := range in.items {
		r, field, msg := it.reading(source, received)
		if msg == "" {
			id, ok := ids[it.MN]
			if !ok {
				m, err := monitors(ctx, it.MN)
				if err != nil && skygrid.ErrorCode(err) != skygrid.ENOTFOUND {
					return nil, nil, err
				}
				id, ids[it.MN] = m.ID, m.ID
			}
			if r.MonitorID = id; id == 0 {
				field, msg = "mn", fmt.Sprintf("unknown monitor %q (import it with skygrid import monitors)", skygrid.ClipName(it.MN))
			}
		}
		if msg != "" {
			ref := in.where[i]
			ref.Field, ref.Message = field, msg
			refused = append(refused, ref)
			continue
		}
		out = append(out, r)
	}
	// Rows refused while reading come first: put them in the file's order.
	sort.SliceStable(refused, func(i, j int) bool { return refused[i].Line < refused[j].Line })
	return out, refused, nil
}

// reading checks an item's fields and converts its values.
func (it ReadingItem) reading(source string, received time.Time) (skygrid.Reading, string, string) {
	r := skygrid.Reading{Kind: it.Kind, Source: source, ReceivedAt: received, Values: map[string]float64{}}
	if it.MN == "" {
		return r, "mn", "empty"
	}
	if r.Kind == "" {
		r.Kind = skygrid.ReadingMinute
	}
	if !readingKinds[r.Kind] {
		return r, "kind", fmt.Sprintf("%q: want rtd, minute, hour or day", skygrid.ClipName(it.Kind))
	}
	var err error
	if r.At, err = ParseReadingTime(it.At); err != nil {
		return r, "time", err.Error()
	}
	for name, v := range it.Values {
		key, scale, ok := FactorKey(name)
		if !ok {
			return r, name, "unknown factor"
		} else if _, dup := r.Values[key]; dup {
			return r, name, "a second value of " + key
		} else if math.IsNaN(v) || math.IsInf(v, 0) {
			return r, name, "not a number"
		}
		r.Values[key] = v * scale
	}
	if len(r.Values) == 0 {
		return r, "values", "no value"
	}
	for name, flag := range it.Flags {
		key, _, ok := FactorKey(name)
		if _, has := r.Values[key]; !ok || !has {
			return r, name + "_flag", "a flag without its value"
		}
		if r.Flags == nil {
			r.Flags = map[string]string{}
		}
		r.Flags[key] = strings.TrimSpace(flag)
	}
	return r, "", ""
}

var readingKinds = map[string]bool{skygrid.ReadingRealtime: true, skygrid.ReadingMinute: true, skygrid.ReadingHour: true, skygrid.ReadingDay: true}

// ParseReadingTime reads a data time: RFC 3339, or Beijing time
// "2026-11-05 14:03" (seconds optional).
func ParseReadingTime(s string) (time.Time, error) {
	if t, ok := ParseBeijingTime(s, "2006-01-02 15:04", "2006-01-02 15:04:05"); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q: want RFC 3339 or Beijing time like 2026-11-05 14:03", skygrid.ClipName(strings.TrimSpace(s)))
}

// ParseBeijingTime reads a time given as RFC 3339, or in Beijing time in
// one of the layouts; the time in UTC, or false.
func ParseBeijingTime(s string, layouts ...string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true
	}
	for _, layout := range layouts {
		if t, err := time.ParseInLocation(layout, s, skygrid.Beijing); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// StoreReadings stores an input's readings through sink and says what
// became of each.
func StoreReadings(ctx context.Context, sink skygrid.ReadingSink, in *ReadingsInput, source string, received time.Time) (skygrid.ReadingsResult, error) {
	rs, refused, err := in.Readings(ctx, sink.MonitorByMN, source, received)
	res := skygrid.ReadingsResult{Refused: refused}
	if err != nil {
		return res, err
	}
	if len(rs) > 0 {
		if res.Stored, err = sink.StoreReadings(ctx, rs); err != nil {
			return res, err
		}
	}
	res.Duplicates = len(rs) - res.Stored
	return res, nil
}
