package api

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"time"

	"skygrid"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// passHours is how far ahead GET /api/passes looks by default, and at most.
const (
	passHours    = 48
	maxPassHours = 7 * 24
	// publicPassDegrees: a place asked for on the public page is rounded
	// to 0.1° (about 11 km), which also lets the answers be kept.
	publicPassDegrees = 0.1
)

// passes is the pass service, or ENOTFOUND when none is served.
func (s *Server) passes() (skygrid.PassService, error) {
	if s.Passes == nil {
		return nil, skygrid.Errorf(skygrid.ENOTFOUND, "satellite passes are not served here")
	}
	return s.Passes, nil
}

// place reads lon and lat (both or neither); ok false when absent.
func (p *params) place() (orb.Point, bool) {
	lon, lat := p.str("lon"), p.str("lat")
	if lon == nil && lat == nil {
		return orb.Point{}, false
	}
	var v [2]float64
	for i, f := range []struct {
		name string
		s    *string
		max  float64
	}{{"lon", lon, 180}, {"lat", lat, 90}} {
		if f.s == nil {
			p.fail(f.name, "required with %s", map[string]string{"lon": "lat", "lat": "lon"}[f.name])
			return orb.Point{}, false
		}
		x, err := strconv.ParseFloat(*f.s, 64)
		if err != nil || math.IsNaN(x) || math.Abs(x) > f.max {
			p.fail(f.name, "want a number within -%v..%v, got %q", f.max, f.max, *f.s)
			return orb.Point{}, false
		}
		v[i] = x
	}
	return orb.Point{v[0], v[1]}, true
}

// areaCentre is the centre of the user's regions, else of the city, else
// skygrid.PassCity (no regions imported).
func (s *Server) areaCentre(ctx context.Context, u *skygrid.User) (orb.Point, error) {
	var b orb.Bound
	found := false
	if u != nil {
		for _, id := range u.Regions {
			r, err := s.Regions.FindRegionByID(ctx, id)
			if err != nil {
				return orb.Point{}, err
			}
			b, found = extend(b, r.Bound, found), true
		}
	}
	if !found {
		city := skygrid.LevelCity
		rs, _, err := s.Regions.FindRegions(ctx, skygrid.RegionFilter{Level: &city})
		if err != nil {
			return orb.Point{}, err
		}
		for _, r := range rs {
			b, found = extend(b, r.Bound, found), true
		}
	}
	if !found {
		return skygrid.PassCity, nil
	}
	return b.Center(), nil
}

func extend(b, r orb.Bound, found bool) orb.Bound {
	if !found {
		return r
	}
	return b.Union(r)
}

// GET /api/passes?lon=&lat=&hours=48: the fire satellites' passes over the
// place (default the centre of the user's area) in the next hours, and the
// age of the orbital elements.
func (s *Server) handlePasses(c echo.Context) error {
	return s.answerPasses(c, userOf(c), maxPassHours, false)
}

// GET /public/api/passes?lon=&lat=: the next 48 hours' passes over the
// place rounded to 0.1° (default the city's centre), for the public page.
func (s *Server) handlePublicPasses(c echo.Context) error {
	return s.answerPasses(c, nil, passHours, true)
}

// answerPasses answers the passes over the place asked for (default the
// centre of u's area, nil: the city's) in the next hours (default 48, at
// most maxHours), the place rounded to 0.1° when round.
func (s *Server) answerPasses(c echo.Context, u *skygrid.User, maxHours int, round bool) error {
	svc, err := s.passes()
	if err != nil {
		return err
	}
	p := &params{c: c}
	place, ok := p.place()
	hours := p.intv("hours", passHours, maxHours)
	if p.err != nil {
		return p.err
	}
	if !ok {
		if place, err = s.areaCentre(c.Request().Context(), u); err != nil {
			return err
		}
	}
	if round {
		r := func(x float64) float64 { return math.Round(x/publicPassDegrees) * publicPassDegrees }
		place = orb.Point{r(place[0]), r(place[1])}
	}
	now := s.now().UTC()
	list, err := svc.Passes(c.Request().Context(), place, now, now.Add(time.Duration(max(hours, 1))*time.Hour))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list)
}

// GET /api/passes/coverage: each satellite's last pass over the centre of
// the user's area (within a day) as its ground swath, with its times.
func (s *Server) handlePassCoverage(c echo.Context) error {
	svc, err := s.passes()
	if err != nil {
		return err
	}
	place, err := s.areaCentre(c.Request().Context(), userOf(c))
	if err != nil {
		return err
	}
	swaths, list, err := svc.LastPasses(c.Request().Context(), place, s.now().UTC())
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for _, sw := range swaths {
		f := geojson.NewFeature(sw.Swath)
		f.Properties = geojson.Properties{"satellite": sw.Satellite, "norad": sw.NORAD, "start": sw.Start, "peak": sw.Peak,
			"end": sw.End, "max_elevation": sw.MaxElevation, "night": sw.Night}
		fc.Append(f)
	}
	fc.ExtraMembers = geojson.Properties{"tle_epoch": list.TLEEpoch, "tle_source": list.TLESource, "tle_age_days": list.TLEAgeDays,
		"lon": place[0], "lat": place[1]}
	return c.JSON(http.StatusOK, fc)
}

// firstPass is the pass that saw an event's first detection (nil: no
// pass service, no satellite detection, no pass near its time).
func (s *Server) firstPass(ctx context.Context, hs []*skygrid.Hotspot) (*skygrid.Pass, error) {
	if s.Passes == nil || len(hs) == 0 {
		return nil, nil
	}
	first := hs[0]
	for _, h := range hs[1:] {
		if h.AcqTime.Before(first.AcqTime) {
			first = h
		}
	}
	return s.Passes.PassOf(ctx, first.Satellite, first.Point, first.AcqTime)
}
