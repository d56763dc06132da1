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

// eventsIn lists the events first seen in the period, in scope, with tasks
// (?region= and ?class= narrow them).
func (s *Server) eventsIn(ctx context.Context, c echo.Context, per report.Period) ([]*skygrid.Event, error) {
	return periodEvents(ctx, s.Events, scopeOf(c), per, c.QueryParam("region"), c.QueryParam("class"))
}

// periodEvents lists the events first seen in a period, in a scope, with
// their tasks; region and class ("" for all) narrow them.
func periodEvents(ctx context.Context, events skygrid.EventService, scope *skygrid.Scope, per report.Period, region, class string) ([]*skygrid.Event, error) {
	f := skygrid.EventFilter{FirstSince: &per.Since, Until: &per.Until, Scope: scope}
	if region != "" {
		f.RegionID = &region
	}
	if class != "" {
		f.Class = &class
	}
	es, _, err := events.FindEvents(ctx, f)
	return es, err
}

func attachment(c echo.Context, name, mime string, data []byte) error {
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	return c.Blob(http.StatusOK, mime, data)
}

// GET /api/stats?period=&by=county|township|grid&region=&class=&format=json|csv|xlsx
func (s *Server) handleStats(c echo.Context) error {
	st, per, err := s.stats(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	switch f := c.QueryParam("format"); f {
	case "", "json":
		return c.JSON(http.StatusOK, map[string]any{"period": per.Name, "since": per.Since, "until": per.Until, "stats": st})
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
		if err := report.WriteXLSX(&buf, st, es); err != nil {
			return err
		}
		return attachment(c, "skygrid-stats-"+c.QueryParam("period")+".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
	default:
		return skygrid.Errorf(skygrid.EINVALID, "format %q: want json, csv or xlsx", f)
	}
}

// GET /api/stats/ranking?period=2023-10: the county ranking, worst first.
func (s *Server) handleRanking(c echo.Context) error {
	st, per, err := s.stats(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"period": per.Name, "ranking": report.Ranking(st)})
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
			err = report.WriteXLSX(&buf, st, es)
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
	default:
		return skygrid.Errorf(skygrid.ENOTFOUND, "no export %q (events or hotspots)", c.Param("file"))
	}
	mime := map[string]string{"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"geojson": "application/geo+json", "kml": "application/vnd.google-earth.kml+xml"}[format]
	return attachment(c, name, mime, buf.Bytes())
}

// MonthlyReport assembles a month's printable report.
func MonthlyReport(ctx context.Context, stats skygrid.StatsService, events skygrid.EventService, tasks skygrid.TaskService,
	scope *skygrid.Scope, month string, now time.Time, demo bool) (*report.Monthly, error) {
	per, err := report.ParsePeriod(month, nil)
	if err != nil {
		return nil, err
	}
	if per.Until.Sub(per.Since) < 27*24*time.Hour || per.Until.Sub(per.Since) > 32*24*time.Hour {
		return nil, skygrid.Errorf(skygrid.EINVALID, "month %q: want YYYY-MM", month)
	}
	st, err := stats.Stats(ctx, skygrid.StatsQuery{Since: per.Since, Until: per.Until, By: skygrid.ByCounty, Scope: scope})
	if err != nil {
		return nil, err
	}
	es, err := periodEvents(ctx, events, scope, per, "", "")
	if err != nil {
		return nil, err
	}
	sr := report.SeriesOf(per, es)
	return &report.Monthly{Month: per.Since, Stats: st, Ranking: report.Ranking(st), Generated: now, Demo: demo,
		Daily: sr.Daily, ResponseMinutes: sr.ResponseMinutes, Confirmed: sr.Confirmed}, nil
}

// SeriesView is the JSON of GET /api/stats/series.
type SeriesView struct {
	Period          string          `json:"period"`
	Since           time.Time       `json:"since"`
	Until           time.Time       `json:"until"`
	Days            []SeriesDay     `json:"days"`
	AckMinutes      []float64       `json:"ack_minutes"`
	ResponseMinutes []float64       `json:"response_minutes"`
	Confirmed       []ConfirmedFire `json:"confirmed"`
}

// SeriesDay is the events first seen on one Beijing day, by class.
type SeriesDay struct {
	Day     string         `json:"day"` // 2023-10-01
	ByClass map[string]int `json:"by_class"`
}

// ConfirmedFire is a confirmed straw-burning event for the audit map.
type ConfirmedFire struct {
	ID           int64     `json:"id"`
	TaskID       int64     `json:"task_id"`
	Lon          float64   `json:"lon"`
	Lat          float64   `json:"lat"`
	FirstSeen    time.Time `json:"first_seen"`
	ClosedAt     time.Time `json:"closed_at,omitzero"`
	CountyID     string    `json:"county_id,omitempty"`
	CountyName   string    `json:"county_name,omitempty"`
	TownshipID   string    `json:"township_id,omitempty"`
	TownshipName string    `json:"township_name,omitempty"`
	GridID       string    `json:"grid_id,omitempty"`
	Finding      string    `json:"finding"`
	Notes        string    `json:"notes,omitempty"`
}

// GET /api/stats/series?period=&region=&class=: the events of each day by
// class, the tasks' acknowledge and report minutes, and the confirmed
// straw burning with place and notes, in the user's scope.
func (s *Server) handleSeries(c echo.Context) error {
	per, err := s.period(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	es, err := s.eventsIn(ctx, c, per)
	if err != nil {
		return err
	}
	sr := report.SeriesOf(per, es)
	v := SeriesView{Period: per.Name, Since: per.Since, Until: per.Until, Days: []SeriesDay{},
		AckMinutes: nonNil(sr.AckMinutes), ResponseMinutes: nonNil(sr.ResponseMinutes), Confirmed: []ConfirmedFire{}}
	for _, d := range sr.Daily {
		v.Days = append(v.Days, SeriesDay{Day: d.Day.In(skygrid.Beijing).Format("2006-01-02"), ByClass: d.ByClass})
	}
	names := map[string]string{}
	if len(sr.Confirmed) > 0 {
		for _, level := range []string{skygrid.LevelCounty, skygrid.LevelTownship} {
			rs, _, err := s.Regions.FindRegions(ctx, skygrid.RegionFilter{Level: &level})
			if err != nil {
				return err
			}
			for _, r := range rs {
				names[r.ID] = r.Name
			}
		}
	}
	for _, e := range sr.Confirmed {
		f := ConfirmedFire{ID: e.ID, TaskID: e.Task.ID, Lon: e.Point[0], Lat: e.Point[1], FirstSeen: e.FirstSeen, ClosedAt: e.Task.ClosedAt,
			CountyID: e.CountyID, CountyName: names[e.CountyID], TownshipID: e.TownshipID, TownshipName: names[e.TownshipID],
			GridID: e.GridID, Finding: e.Task.Finding, Notes: e.Task.Notes}
		v.Confirmed = append(v.Confirmed, f)
	}
	return c.JSON(http.StatusOK, v)
}

func nonNil(xs []float64) []float64 {
	if xs == nil {
		return []float64{}
	}
	return xs
}

// GET /api/reports/monthly?month=2023-10: the printable monthly report
// (HTML with a print stylesheet; the browser prints it to PDF).
func (s *Server) handleMonthly(c echo.Context) error {
	month := c.QueryParam("month")
	if month == "" {
		month = s.now().In(skygrid.Beijing).Format("2006-01")
	}
	m, err := MonthlyReport(c.Request().Context(), s.Stats, s.Events, s.Tasks, scopeOf(c), month, s.now(), s.Demo)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.RenderMonthly(&buf, m); err != nil {
		return err
	}
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}
