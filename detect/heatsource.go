package detect

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode"

	"skygrid"

	"github.com/paulmach/orb"
)

// HeatSourceResult is what ReadHeatSources found.
type HeatSourceResult struct {
	Sites []*skygrid.Site
	// Skipped counts rows left out by fuel (wind, hydro, solar, ...).
	Skipped map[string]int
	// Errors are the first refused rows (at most MaxRowErrors); Refused
	// counts them all.
	Errors  []skygrid.RowError
	Refused int
	Layout  string
}

// MaxRowErrors is how many refused rows ReadHeatSources keeps.
const MaxRowErrors = 200

func (res *HeatSourceResult) refuse(e skygrid.RowError) {
	if res.Refused++; len(res.Errors) < MaxRowErrors {
		res.Errors = append(res.Errors, e)
	}
}

// thermal reports whether a fuel burns something (and so shows as heat).
func thermal(fuel string) bool {
	f := strings.ToLower(fuel)
	for _, k := range []string{"coal", "gas", "oil", "biomass", "waste", "petcoke", "cogeneration", "diesel"} {
		if strings.Contains(f, k) {
			return true
		}
	}
	return false
}

// ReadHeatSources reads known industrial heat sources: the Global Power
// Plant Database (its global layout and its China source-table layout,
// keeping thermal plants only) and Global Energy Monitor's steel plant
// tracker (every plant). Columns are found by header names.
func ReadHeatSources(r io.Reader, name string) (*HeatSourceResult, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read a CSV header: %v", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[ColumnName(h)] = i
	}
	pick := func(names ...string) int {
		for _, n := range names {
			if i, ok := col[n]; ok {
				return i
			}
		}
		return -1
	}
	res := &HeatSourceResult{Skipped: map[string]int{}}
	id, nm, fuel, cap := pick("gppd_idnr", "power plant id", "plant id"), pick("name", "plant name (english)_x", "plant name (english)"),
		pick("primary_fuel", "fuel"), pick("capacity_mw", "capacity (mw)")
	lat, lon, coords := pick("latitude"), pick("longitude"), pick("coordinates")
	status := pick("status", "operational status")
	// A Chinese name where the file has one: GEM's "other language" name
	// (the WRI China table's "Natural Language" column is empty).
	nameZh := pick("plant name (other language)_x", "plant name (other language)", "name_zh", "natural language")
	switch {
	case coords >= 0 && id >= 0:
		res.Layout = "gem-steel"
	case pick("gppd_idnr") >= 0:
		res.Layout = "gppd"
	case id >= 0 && fuel >= 0:
		res.Layout = "gppd-china"
	}
	if res.Layout == "" || nm < 0 || (coords < 0 && (lat < 0 || lon < 0)) {
		return nil, fmt.Errorf("%s: not a heat-source file: want the Global Power Plant Database layout (gppd_idnr, name, primary_fuel, latitude, longitude) or GEM's steel plant tracker (Plant ID, Coordinates)", name)
	}
	cols := heatCols{id: id, name: nm, nameZh: nameZh, fuel: fuel, capacity: cap, status: status, lat: lat, lon: lon, coords: coords}
	err = skygrid.EachCSVRow(cr, func(rec []string, line int) error {
		site, field, reason := res.heatSource(rec, header, cols, name, line)
		if reason != "" {
			res.refuse(skygrid.RowError{File: name, Line: line, Field: field, Reason: reason})
		} else if site != nil {
			res.Sites = append(res.Sites, site)
		}
		return nil
	}, func(line int, err error) {
		res.refuse(skygrid.RowError{File: name, Line: line, Reason: "malformed CSV: " + err.Error()})
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return res, nil
}

// heatCols are the columns a heat-source file's rows are read from (-1:
// none).
type heatCols struct {
	id, name, nameZh, fuel, capacity, status, lat, lon, coords int
}

// heatSource reads one row: the site, nil for a plant that burns
// nothing, or the field and reason it is refused.
func (res *HeatSourceResult) heatSource(rec, header []string, c heatCols, name string, line int) (*skygrid.Site, string, string) {
	get := func(i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	head := func(i int) string {
		if i < 0 || i >= len(header) {
			return ""
		}
		return skygrid.ClipName(header[i])
	}
	f := get(c.fuel)
	if res.Layout == "gem-steel" {
		f = "steel"
	} else if !thermal(f) {
		res.Skipped[f]++
		return nil, "", ""
	}
	var p orb.Point
	if c.coords >= 0 {
		parts := strings.Split(get(c.coords), ",")
		if len(parts) != 2 {
			return nil, head(c.coords), fmt.Sprintf("want \"lat, lon\", got %s", skygrid.Clip(get(c.coords)))
		}
		la, r1 := skygrid.RangeLat.ParseNumber(strings.TrimSpace(parts[0]))
		lo, r2 := skygrid.RangeLon.ParseNumber(strings.TrimSpace(parts[1]))
		if r1 != "" || r2 != "" {
			return nil, head(c.coords), "latitude " + orOK(r1) + ", longitude " + orOK(r2)
		}
		p = orb.Point{lo, la}
	} else {
		la, reason := skygrid.RangeLat.ParseNumber(get(c.lat))
		if reason != "" {
			return nil, head(c.lat), reason
		}
		lo, reason := skygrid.RangeLon.ParseNumber(get(c.lon))
		if reason != "" {
			return nil, head(c.lon), reason
		}
		p = orb.Point{lo, la}
	}
	ext := get(c.id)
	if ext == "" {
		ext = fmt.Sprintf("%s:%d", name, line)
	} else if reason := skygrid.LimitID.Check(ext); reason != "" {
		return nil, head(c.id), reason
	}
	props := map[string]string{"fuel": f, "layout": res.Layout}
	if v := get(c.capacity); v != "" {
		if _, reason := skygrid.RangeCapacity.ParseNumber(v); reason != "" {
			return nil, head(c.capacity), reason
		}
		props["capacity_mw"] = v
	}
	if v := get(c.status); v != "" {
		props["status"] = v
	}
	if zh := get(c.nameZh); hasHan(zh) {
		props["name_zh"] = zh
	}
	for _, t := range []struct {
		col   int
		value string
		lim   skygrid.Limit
	}{{c.name, get(c.name), skygrid.LimitSiteName}, {c.nameZh, props["name_zh"], skygrid.LimitSiteName},
		{c.fuel, props["fuel"], skygrid.LimitPropValue}, {c.status, props["status"], skygrid.LimitPropValue}} {
		if reason := t.lim.Check(t.value); reason != "" {
			return nil, head(t.col), reason
		}
	}
	return &skygrid.Site{Kind: skygrid.SiteIndustrial, ExternalID: ext, Name: get(c.name), Geometry: p, Props: props, Source: name}, "", ""
}

// orOK is a number's reason to be refused, or "ok".
func orOK(reason string) string {
	if reason == "" {
		return "ok"
	}
	return reason
}

// hasHan reports whether s holds a Chinese character.
func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}
