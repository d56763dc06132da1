package airindex

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"skygrid"
	"skygrid/aqi"

	"github.com/paulmach/orb/planar"
)

// Source is what Ranking reads: the counties, the stations and their hours.
type Source interface {
	FindRegions(ctx context.Context, filter skygrid.RegionFilter) ([]*skygrid.Region, int, error)
	FindAirStations(ctx context.Context) ([]*skygrid.AirStationLatest, error)
	// FindAirHours returns every station's hours labelled in [from, to).
	FindAirHours(ctx context.Context, from, to time.Time) ([]*skygrid.AirHour, error)
}

// Ranking is the skygrid.AirRankingService over a Source: each county's
// figures from its own stations, else those within NearestKm of its
// centroid, else the city's (skygrid.ChooseAmbient's rule).
type Ranking struct {
	Source    Source
	NearestKm float64
	// CacheFor keeps a month's ranking this long (0: computed each time):
	// the public page asks for it on every visit, the stations' hours
	// arrive once an hour. Now is the clock (nil: time.Now). A cached
	// ranking is shared: callers read it, never change it.
	CacheFor time.Duration
	Now      func() time.Time
	// Area is the area served ([server] area_name; "": the default): a
	// county without a station near is estimated from its whole
	// (skygrid.WholeOf: 全市, 全省).
	Area string

	mu    sync.Mutex
	cache map[string]cachedRanking
}

type cachedRanking struct {
	at time.Time
	cs []*skygrid.CountyAir
}

var _ skygrid.AirRankingService = (*Ranking)(nil)

// hourKeys maps the stored hour's columns to the keys DayOf reads.
var hourKeys = map[string]string{"pm25": aqi.PM25, "pm10": aqi.PM10, "so2": aqi.SO2, "no2": aqi.NO2, "co": aqi.CO, "o3": aqi.O3}

// CountyAirRanking ranks the city's counties for the month holding month
// (Beijing), with the previous month's and the year-ago month's index.
func (r *Ranking) CountyAirRanking(ctx context.Context, month time.Time) ([]*skygrid.CountyAir, error) {
	if r.CacheFor <= 0 {
		return r.compute(ctx, month)
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	key := Month(month).From.Format("2006-01")
	r.mu.Lock()
	c, ok := r.cache[key]
	r.mu.Unlock()
	if ok && now().Sub(c.at) < r.CacheFor {
		return c.cs, nil
	}
	cs, err := r.compute(ctx, month)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if r.cache == nil {
		r.cache = map[string]cachedRanking{}
	}
	r.cache[key] = cachedRanking{at: now(), cs: cs}
	r.mu.Unlock()
	return cs, nil
}

// compute ranks the month from the stations' hours.
func (r *Ranking) compute(ctx context.Context, month time.Time) ([]*skygrid.CountyAir, error) {
	plans, err := r.plans(ctx)
	if err != nil {
		return nil, err
	}
	p := Month(month)
	cur, err := r.evaluate(ctx, p, plans)
	if err != nil {
		return nil, err
	}
	prev, err := r.evaluate(ctx, Month(p.From.AddDate(0, -1, 0)), plans)
	if err != nil {
		return nil, err
	}
	ago, err := r.evaluate(ctx, Month(p.From.AddDate(-1, 0, 0)), plans)
	if err != nil {
		return nil, err
	}
	out := make([]*skygrid.CountyAir, len(plans))
	for i, pl := range plans {
		out[i] = countyAir(pl, p, cur[i])
		out[i].PrevIndex, out[i].YearAgoIndex = prev[i].Index, ago[i].Index
		out[i].ChangePrev, out[i].ChangeYearAgo = Change(cur[i].Index, prev[i].Index), Change(cur[i].Index, ago[i].Index)
	}
	Rank(out)
	return out, nil
}

func countyAir(pl plan, p Period, e Evaluation) *skygrid.CountyAir {
	c := &skygrid.CountyAir{CountyID: pl.county.ID, CountyName: pl.county.Name, Month: p.From.UTC(),
		PM25: e.Conc[aqi.PM25], PM10: e.Conc[aqi.PM10], SO2: e.Conc[aqi.SO2], NO2: e.Conc[aqi.NO2],
		CO95: e.Conc[aqi.CO], O3P90: e.Conc[aqi.O38h], ValidDays: e.ValidDays, GoodDays: e.GoodDays,
		GoodShare: e.GoodShare, Index: e.Index, Estimated: pl.source != skygrid.AmbientCounty, Stations: pl.names}
	notes := append([]string{pl.note}, e.Notes...)
	c.Note = strings.Trim(strings.Join(notes, "；"), "；")
	return c
}

// plan is a county with the stations its figures come from.
type plan struct {
	county *skygrid.Region
	source string
	codes  []string
	names  []string
	note   string
}

// plans chooses each county's stations once, by position.
func (r *Ranking) plans(ctx context.Context) ([]plan, error) {
	level := skygrid.LevelCounty
	counties, _, err := r.Source.FindRegions(ctx, skygrid.RegionFilter{Level: &level, WithGeometry: true})
	if err != nil {
		return nil, fmt.Errorf("air ranking: counties: %w", err)
	}
	stations, err := r.Source.FindAirStations(ctx)
	if err != nil {
		return nil, fmt.Errorf("air ranking: stations: %w", err)
	}
	inCity, names := map[string]bool{}, map[string]string{}
	for _, c := range counties {
		inCity[c.ID] = true
	}
	var sp []skygrid.StationPM10
	for _, s := range stations {
		names[s.Code] = s.Name
		sp = append(sp, skygrid.StationPM10{Code: s.Code, CountyID: s.CountyID, Lon: s.Lon, Lat: s.Lat, InCity: inCity[s.CountyID]})
	}
	out := make([]plan, len(counties))
	for i, c := range counties {
		centroid, _ := planar.CentroidArea(c.Geometry)
		pl := plan{county: c, names: []string{}} // a list even when empty: clients read its length
		if a, ok := skygrid.ChooseAmbient(c.ID, centroid, r.NearestKm, sp); ok {
			pl.source = a.Source
			for _, s := range a.Stations {
				pl.codes, pl.names = append(pl.codes, s.Code), append(pl.names, names[s.Code])
			}
		}
		pl.note = planNote(pl, r.NearestKm, skygrid.WholeOf(r.Area))
		out[i] = pl
	}
	return out, nil
}

func planNote(pl plan, km float64, whole string) string {
	list := strings.Join(pl.names, "、")
	switch pl.source {
	case skygrid.AmbientCounty:
		return ""
	case skygrid.AmbientNearest:
		return fmt.Sprintf("本区县无空气质量站点，按%g公里内的站点（%s）估算", km, list)
	case skygrid.AmbientCity:
		return fmt.Sprintf("本区县无空气质量站点，%g公里内也无站点，按%s站点（%s）均值估算", km, whole, list)
	}
	return "无可用的空气质量站点"
}

// evaluate computes every plan's evaluation of p from the stations' hours.
func (r *Ranking) evaluate(ctx context.Context, p Period, plans []plan) ([]Evaluation, error) {
	// A day's hours are labelled 01:00 to 24:00: [From+1h, To+1h).
	hours, err := r.Source.FindAirHours(ctx, p.From.Add(time.Hour).UTC(), p.To.Add(time.Hour).UTC())
	if err != nil {
		return nil, fmt.Errorf("air ranking %s: %w", p.From.Format("2006-01"), err)
	}
	byStation := map[string]Hours{}
	for _, h := range hours {
		hs := byStation[h.Station]
		if hs == nil {
			hs = Hours{}
			byStation[h.Station] = hs
		}
		vals := map[string]float64{}
		for col, key := range hourKeys {
			if v, ok := h.Values[col]; ok {
				vals[key] = v
			}
		}
		hs[h.Hour.UTC()] = vals
	}
	dates := Days(p.From, p.To)
	stationDays := map[string][]Day{}
	for code, hs := range byStation {
		for _, d := range dates {
			stationDays[code] = append(stationDays[code], DayOf(hs, d))
		}
	}
	out := make([]Evaluation, len(plans))
	for i, pl := range plans {
		var days []Day
		for j, d := range dates {
			var of []Day
			for _, code := range pl.codes {
				if sd := stationDays[code]; sd != nil {
					of = append(of, sd[j])
				}
			}
			days = append(days, MeanDay(d, of))
		}
		out[i] = Evaluate(p, days)
	}
	return out, nil
}
