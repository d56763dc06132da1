package api

import (
	"bytes"
	"math"
	"net/http"
	"strconv"
	"time"

	"skygrid"
	"skygrid/report"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"
)

// The public page's routes (/public/...): no session, limited per client
// address, nothing personal and nothing unconfirmed (skygrid.PublicService
// decides what goes out; these handlers only read the window).

// publicOutlineDegrees is what the county outlines are simplified with for
// the public map (half of it) and rounded to: PublicRoundDegrees (about a
// kilometre, a pixel of a phone's map of the city), so that no number on
// the public page is finer than the fires' cells.
const publicOutlineDegrees = skygrid.PublicRoundDegrees

// PublicFires is the body of GET /public/api/fires.
type PublicFires struct {
	Since    time.Time                 `json:"since"`
	Until    time.Time                 `json:"until"`
	Days     int                       `json:"days"`
	RoundDeg float64                   `json:"round_degrees"`
	Counties []skygrid.PublicFireCount `json:"counties"`
	Fires    []skygrid.PublicFire      `json:"fires"`
}

// PublicViolations is the body of GET /public/api/violations.
type PublicViolations struct {
	Since      time.Time                 `json:"since"`
	Days       int                       `json:"days"`
	Violations []skygrid.PublicViolation `json:"violations"`
}

// PublicCounty is one county's outline for the public map: simplified,
// coordinates rounded (publicOutlineDegrees).
type PublicCounty struct {
	ID      string           `json:"id"`
	Name    string           `json:"name"`
	Outline orb.MultiPolygon `json:"outline"`
	Centre  orb.Point        `json:"centre"`
}

// PublicCountyList is the body of GET /public/api/counties.
type PublicCountyList struct {
	Counties []PublicCounty `json:"counties"`
}

// PublishedReportList is the body of GET /public/api/reports.
type PublishedReportList struct {
	Reports []skygrid.PublishedReport `json:"reports"`
}

// PublishRequest is the body of POST /api/reports/monthly/publish, and
// its answer (the month as stored).
type PublishRequest struct {
	Month  string `json:"month"` // 2026-11
	Public bool   `json:"public"`
}

func (s *Server) publicService() (skygrid.PublicService, error) {
	if s.Public == nil {
		return nil, skygrid.Errorf(skygrid.ENOTFOUND, "the public page's data are not served here")
	}
	return s.Public, nil
}

// publicCache lets browsers and proxies keep a public answer a while.
func publicCache(c echo.Context, d time.Duration) {
	c.Response().Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int(d.Seconds())))
}

// GET /public/api/fires?days=7 (at most 30): the satellite fire count by
// county over the last days Beijing days and the fires by rounded cell.
func (s *Server) handlePublicFires(c echo.Context) error {
	w, err := s.publicWindow(c, 7, skygrid.PublicMaxDays)
	if err != nil {
		return err
	}
	fires, counts, err := w.pub.PublicFires(c.Request().Context(), w.since, w.until)
	if err != nil {
		return err
	}
	publicCache(c, time.Minute)
	return c.JSON(http.StatusOK, PublicFires{Since: w.since, Until: w.until, Days: w.days, RoundDeg: skygrid.PublicRoundDegrees,
		Counties: nonNil(counts), Fires: nonNil(fires)})
}

// publicWin is a public route's service and its window (?days=).
type publicWin struct {
	pub          skygrid.PublicService
	days         int
	since, until time.Time
}

// publicWindow reads ?days= (def when absent, at most most; 0 is 1) as
// skygrid.PublicWindow's Beijing days up to now.
func (s *Server) publicWindow(c echo.Context, def, most int) (publicWin, error) {
	pub, err := s.publicService()
	if err != nil {
		return publicWin{}, err
	}
	p := &params{c: c}
	days := p.intv("days", def, most)
	if p.err != nil {
		return publicWin{}, p.err
	}
	since, until := skygrid.PublicWindow(s.now(), days)
	return publicWin{pub: pub, days: max(days, 1), since: since, until: until}, nil
}

// GET /public/api/violations?days=90 (at most 366): the sites confirmed
// breaking the rules, put right in the window.
func (s *Server) handlePublicViolations(c echo.Context) error {
	w, err := s.publicWindow(c, 90, skygrid.PublicViolationMaxDays)
	if err != nil {
		return err
	}
	vs, err := w.pub.PublicViolations(c.Request().Context(), w.since)
	if err != nil {
		return err
	}
	publicCache(c, time.Minute)
	return c.JSON(http.StatusOK, PublicViolations{Since: w.since, Days: w.days, Violations: nonNil(vs)})
}

// GET /public/api/reports: the monthly reports marked public.
func (s *Server) handlePublicReports(c echo.Context) error {
	pub, err := s.publicService()
	if err != nil {
		return err
	}
	rs, err := pub.PublishedReports(c.Request().Context())
	if err != nil {
		return err
	}
	publicCache(c, time.Minute)
	return c.JSON(http.StatusOK, PublishedReportList{Reports: nonNil(rs)})
}

// GET /public/reports/:month: the public copy of a published month's
// report (city-wide, without grids, positions, notes or alarmed sites);
// 404 unless the month is published.
func (s *Server) handlePublicReport(c echo.Context) error {
	pub, err := s.publicService()
	if err != nil {
		return err
	}
	month := c.Param("month")
	rs, err := pub.PublishedReports(c.Request().Context())
	if err != nil {
		return err
	}
	published := false
	for _, r := range rs {
		published = published || r.Month == month
	}
	if !published || s.Stats == nil {
		return skygrid.Errorf(skygrid.ENOTFOUND, "报告未公开 (the report of %q is not public)", skygrid.ClipText(month, 20))
	}
	m, err := report.BuildMonthly(c.Request().Context(), s.Stats, &skygrid.Scope{All: true}, month, s.now(), s.Demo)
	if err != nil {
		return err
	}
	m.Public, m.Area = true, s.area()
	var buf bytes.Buffer
	if err := report.RenderMonthly(&buf, m); err != nil {
		return err
	}
	c.Response().Header()["Content-Security-Policy"] = reportCSP
	publicCache(c, 10*time.Minute)
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// GET /public/api/counties: the city's counties' outlines, simplified, for
// the public map (no township, grid or supervisor).
func (s *Server) handlePublicCounties(c echo.Context) error {
	if s.Regions == nil {
		return skygrid.Errorf(skygrid.ENOTFOUND, "regions are not served here")
	}
	level := skygrid.LevelCounty
	rs, _, err := s.Regions.FindRegions(c.Request().Context(), skygrid.RegionFilter{Level: &level, WithGeometry: true})
	if err != nil {
		return err
	}
	out := make([]PublicCounty, 0, len(rs))
	for _, r := range rs {
		if r.Neighbour {
			continue
		}
		out = append(out, PublicCounty{ID: r.ID, Name: r.Name, Outline: publicOutline(r.Geometry),
			Centre: roundPoint(r.Geometry.Bound().Center())})
	}
	publicCache(c, time.Hour)
	return c.JSON(http.StatusOK, PublicCountyList{Counties: out})
}

// publicOutline simplifies a county's polygons and rounds their points
// (repeats dropped); rings that vanish are dropped.
func publicOutline(mp orb.MultiPolygon) orb.MultiPolygon {
	mp = simplify.DouglasPeucker(publicOutlineDegrees / 2).MultiPolygon(mp.Clone())
	var out orb.MultiPolygon
	for _, poly := range mp {
		var p orb.Polygon
		for _, ring := range poly {
			var r orb.Ring
			for _, pt := range ring {
				if pt = roundPoint(pt); len(r) == 0 || r[len(r)-1] != pt {
					r = append(r, pt)
				}
			}
			if len(r) >= 4 {
				p = append(p, r)
			}
		}
		if len(p) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// roundPoint rounds to publicOutlineDegrees.
func roundPoint(p orb.Point) orb.Point {
	n := 1 / publicOutlineDegrees
	return orb.Point{math.Round(p[0]*n) / n, math.Round(p[1]*n) / n}
}

// POST /api/reports/monthly/publish {month, public} (admins and
// auditors): mark a month's report public, or take it off (audited).
func (s *Server) handlePublishReport(c echo.Context) error {
	pub, err := s.publicService()
	if err != nil {
		return err
	}
	var req PublishRequest
	if err := bindJSON(c, &req, `{"month": "2026-11", "public": true}`); err != nil {
		return err
	}
	month, err := time.ParseInLocation("2006-01", req.Month, skygrid.Beijing)
	if err != nil {
		return skygrid.Errorf(skygrid.EINVALID, "month: want a month like 2026-11, got %q", skygrid.ClipText(req.Month, 20))
	}
	me := userOf(c)
	if err := pub.PublishReport(skygrid.WithActor(c.Request().Context(), me.Name), month, req.Public, me.ID, s.now()); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, PublishRequest{Month: month.Format("2006-01"), Public: req.Public})
}

// nonNil is an empty list for none (JSON [] rather than null).
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// RouteList lists the registered routes (method, path), for tests that
// must cover every route of a prefix, those added later included.
func (s *Server) RouteList() []*echo.Route { return s.echo.Routes() }
