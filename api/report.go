package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"skygrid"
	"skygrid/report"

	"github.com/labstack/echo/v4"
)

// period reads ?period= (2023-10, 2023-W43, 2023-10-24, 2023, 2023-spring,
// 2023-autumn, SINCE..UNTIL); default: the current month.
func (s *Server) period(c echo.Context) (report.Period, error) {
	p := c.QueryParam("period")
	if p == "" {
		p = s.now().In(skygrid.Beijing).Format("2006-01")
	}
	return report.ParsePeriod(p, nil)
}

// stats computes the figures of the requested period in the user's scope.
func (s *Server) stats(c echo.Context) (*skygrid.Stats, report.Period, error) {
	per, err := s.period(c)
	if err != nil {
		return nil, per, err
	}
	by := c.QueryParam("by")
	if by == "" {
		by = skygrid.ByCounty
	}
	st, err := s.Stats.Stats(c.Request().Context(), skygrid.StatsQuery{Since: per.Since, Until: per.Until, By: by,
		Region: c.QueryParam("region"), Class: c.QueryParam("class"), Scope: scopeOf(c)})
	return st, per, err
}

// dust computes the dust figures of the period in the user's scope
// (?region= narrows them); nil when the store does not compute them.
func (s *Server) dust(c echo.Context, per report.Period) (*skygrid.DustStats, error) {
	ds, ok := s.Stats.(skygrid.DustStatsService)
	if !ok {
		return nil, nil
	}
	return ds.DustStats(c.Request().Context(), skygrid.DustQuery{Since: per.Since, Until: per.Until,
		Region: c.QueryParam("region"), Scope: scopeOf(c), SilentAfter: s.DustSilentAfter})
}

// publicFigures are the period's figures of the reports from the public
// (nil when the server keeps none).
func (s *Server) publicFigures(c echo.Context, per report.Period) (*skygrid.PublicReportFigures, error) {
	ps, ok := s.PublicReports.(skygrid.PublicReportStats)
	if !ok {
		return nil, nil
	}
	return ps.PublicReportFigures(c.Request().Context(), per.Since, per.Until, c.QueryParam("region"), scopeOf(c))
}

// eventsIn lists the city's events first seen in the period, in scope,
// with tasks (?region= and ?class= narrow them); cross-border events are
// not the city's and are left out, as the statistics leave them out.
func (s *Server) eventsIn(ctx context.Context, c echo.Context, per report.Period) ([]*skygrid.Event, error) {
	city := false
	f := skygrid.EventFilter{FirstSince: &per.Since, Until: &per.Until, Scope: scopeOf(c), CrossBorder: &city}
	if region := c.QueryParam("region"); region != "" {
		f.RegionID = &region
	}
	if class := c.QueryParam("class"); class != "" {
		f.Class = &class
	}
	es, _, err := s.Events.FindEvents(ctx, f)
	return es, err
}

func attachment(c echo.Context, name, mime string, data []byte) error {
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	return c.Blob(http.StatusOK, mime, data)
}

// GET /api/stats?period=&by=county|township|grid|city&region=&class=&format=json|csv|xlsx
func (s *Server) handleStats(c echo.Context) error {
	st, per, err := s.stats(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	switch f := c.QueryParam("format"); f {
	case "", "json":
		dust, err := s.dust(c, per)
		if err != nil {
			return err
		}
		pub, err := s.publicFigures(c, per)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, StatsAnswer{Period: per.Name, Since: per.Since, Stats: statsView(st), Until: per.Until, Dust: dust,
			PublicReports: pub})
	case "csv":
		if err := report.WriteStatsCSV(&buf, st); err != nil {
			return err
		}
		return attachment(c, "skygrid-stats-"+c.QueryParam("period")+".csv", "text/csv; charset=utf-8", buf.Bytes())
	case "xlsx":
		es, err := s.eventsIn(c.Request().Context(), c, per)
		if err != nil {
			return err
		}
		dust, err := s.dust(c, per)
		if err != nil {
			return err
		}
		if err := report.WriteXLSXWithDust(&buf, st, es, dust); err != nil {
			return err
		}
		return attachment(c, "skygrid-stats-"+c.QueryParam("period")+".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
	default:
		return skygrid.Errorf(skygrid.EINVALID, "format %q: want json, csv or xlsx", f)
	}
}

// GET /api/stats/ranking?period=2023-10: the county ranking, worst first
// (of a finer level when the area is: RankingAnswer.By).
func (s *Server) handleRanking(c echo.Context) error {
	st, per, err := s.stats(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, RankingAnswer{Period: per.Name, By: st.Query.By, Ranking: rankViews(report.Ranking(st))})
}

// GET /api/exports/events.csv|xlsx|geojson|kml and hotspots.csv|geojson|kml
// ?period=&region=&class=
func (s *Server) handleExport(c echo.Context) error {
	what, format, _ := strings.Cut(c.Param("file"), ".")
	per, err := s.period(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var buf bytes.Buffer
	name := fmt.Sprintf("skygrid-%s-%s.%s", what, per.Since.In(skygrid.Beijing).Format("20060102"), format)
	switch what {
	case "events":
		es, err := s.eventsIn(ctx, c, per)
		if err != nil {
			return err
		}
		switch format {
		case "csv":
			err = report.WriteEventsCSV(&buf, es)
		case "xlsx":
			st, _, serr := s.stats(c)
			if serr != nil {
				return serr
			}
			dust, derr := s.dust(c, per)
			if derr != nil {
				return derr
			}
			err = report.WriteXLSXWithDust(&buf, st, es, dust)
		case "geojson":
			err = report.WriteEventsGeoJSON(&buf, es)
		case "kml":
			err = report.WriteEventsKML(&buf, es)
		default:
			return skygrid.Errorf(skygrid.ENOTFOUND, "no export events.%s (csv, xlsx, geojson, kml)", format)
		}
		if err != nil {
			return err
		}
	case "hotspots":
		hs, _, err := s.Hotspots.FindHotspots(ctx, skygrid.HotspotFilter{Since: &per.Since, Until: &per.Until, Scope: scopeOf(c)})
		if err != nil {
			return err
		}
		switch format {
		case "csv":
			err = report.WriteHotspotsFIRMSCSV(&buf, hs)
		case "geojson":
			err = report.WriteHotspotsGeoJSON(&buf, hs)
		case "kml":
			err = report.WriteHotspotsKML(&buf, hs)
		default:
			return skygrid.Errorf(skygrid.ENOTFOUND, "no export hotspots.%s (csv, geojson, kml)", format)
		}
		if err != nil {
			return err
		}
	case "dust":
		dust, err := s.dust(c, per)
		if err != nil {
			return err
		}
		if format != "csv" || dust == nil {
			return skygrid.Errorf(skygrid.ENOTFOUND, "no export dust.%s (csv)", format)
		}
		if err := report.WriteDustCSV(&buf, dust); err != nil {
			return err
		}
	default:
		return skygrid.Errorf(skygrid.ENOTFOUND, "no export %q (events, hotspots or dust)", c.Param("file"))
	}
	mime := map[string]string{"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"geojson": "application/geo+json", "kml": "application/vnd.google-earth.kml+xml"}[format]
	return attachment(c, name, mime, buf.Bytes())
}

// SeriesView is the JSON of GET /api/stats/series: the period and its
// skygrid.StatsSeries.
type SeriesView struct {
	Period string    `json:"period"`
	Since  time.Time `json:"since"`
	Until  time.Time `json:"until"`
	skygrid.StatsSeries
}

// ConfirmedFire is a confirmed straw-burning event for the audit map.
type ConfirmedFire = skygrid.ConfirmedFire

// GET /api/stats/series?period=&region=&class=: the events of each day by
// class, the tasks' acknowledge and report minutes, and the confirmed
// straw burning with place and notes, in the user's scope.
func (s *Server) handleSeries(c echo.Context) error {
	per, err := s.period(c)
	if err != nil {
		return err
	}
	sr, err := s.Stats.Series(c.Request().Context(), skygrid.StatsQuery{Since: per.Since, Until: per.Until,
		Region: c.QueryParam("region"), Class: c.QueryParam("class"), Scope: scopeOf(c)})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, SeriesView{Period: per.Name, Since: per.Since, Until: per.Until, StatsSeries: *sr})
}

// GET /api/reports/monthly?month=2023-10: the printable monthly report
// (HTML with a print stylesheet; the browser prints it to PDF).
func (s *Server) handleMonthly(c echo.Context) error {
	month := c.QueryParam("month")
	if month == "" {
		month = s.now().In(skygrid.Beijing).Format("2006-01")
	}
	m, err := report.BuildMonthly(c.Request().Context(), s.Stats, scopeOf(c), month, s.now(), s.Demo)
	if err != nil {
		return err
	}
	m.Area = s.area()
	if s.AirRanking != nil { // the air-quality ranking beside the straw-burning one
		if m.Air, err = s.AirRanking.CountyAirRanking(c.Request().Context(), m.Month); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := report.RenderMonthly(&buf, m); err != nil {
		return err
	}
	// A page of its own, opened in a new tab: its stylesheet is inline and
	// it has no script at all (reportCSP).
	c.Response().Header()["Content-Security-Policy"] = reportCSP
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}
