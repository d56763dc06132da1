package detect

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
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
	Errors  []skygrid.RowError
	Layout  string
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
		col[normHeader(h)] = i
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
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			res.Errors = append(res.Errors, skygrid.RowError{File: name, Line: pe.StartLine, Reason: "malformed CSV: " + pe.Err.Error()})
			continue
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		get := func(i int) string {
			if i < 0 || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		f := get(fuel)
		if res.Layout == "gem-steel" {
			f = "steel"
		} else if !thermal(f) {
			res.Skipped[f]++
			continue
		}
		var p orb.Point
		if coords >= 0 {
			parts := strings.Split(get(coords), ",")
			if len(parts) != 2 {
				res.Errors = append(res.Errors, skygrid.RowError{File: name, Line: line, Field: header[coords], Reason: fmt.Sprintf("want \"lat, lon\", got %q", get(coords))})
				continue
			}
			la, err1 := strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
			lo, err2 := strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
			if err1 != nil || err2 != nil {
				res.Errors = append(res.Errors, skygrid.RowError{File: name, Line: line, Field: header[coords], Reason: fmt.Sprintf("not numbers: %q", get(coords))})
				continue
			}
			p = orb.Point{lo, la}
		} else {
			la, err1 := strconv.ParseFloat(get(lat), 64)
			lo, err2 := strconv.ParseFloat(get(lon), 64)
			if err1 != nil {
				res.Errors = append(res.Errors, skygrid.RowError{File: name, Line: line, Field: header[lat], Reason: fmt.Sprintf("not a number: %q", get(lat))})
				continue
			}
			if err2 != nil {
				res.Errors = append(res.Errors, skygrid.RowError{File: name, Line: line, Field: header[lon], Reason: fmt.Sprintf("not a number: %q", get(lon))})
				continue
			}
			p = orb.Point{lo, la}
		}
		if p[1] < -90 || p[1] > 90 || p[0] < -180 || p[0] > 180 {
			res.Errors = append(res.Errors, skygrid.RowError{File: name, Line: line, Field: "latitude", Reason: fmt.Sprintf("out of range: %v, %v", p[1], p[0])})
			continue
		}
		ext := get(id)
		if ext == "" {
			ext = fmt.Sprintf("%s:%d", name, line)
		}
		props := map[string]string{"fuel": f, "layout": res.Layout}
		if c := get(cap); c != "" {
			props["capacity_mw"] = c
		}
		if s := get(status); s != "" {
			props["status"] = s
		}
		if zh := get(nameZh); hasHan(zh) {
			props["name_zh"] = zh
		}
		res.Sites = append(res.Sites, &skygrid.Site{Kind: skygrid.SiteIndustrial, ExternalID: ext, Name: get(nm), Geometry: p, Props: props, Source: name})
	}
	return res, nil
}

// hasHan reports whether s holds a Chinese character.
func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}
