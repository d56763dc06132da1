package api

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"skygrid"
	"skygrid/registry"
	"skygrid/tiles"

	"github.com/labstack/echo/v4"
)

// MonitorList is the body of GET /api/monitors.
type MonitorList struct {
	Items []*skygrid.MonitorItem `json:"items"`
	Total int                    `json:"total"`
}

// MonitorSeries is the body of GET /api/monitors/:id/readings.
type MonitorSeries struct {
	MonitorID int64                 `json:"monitor_id"`
	From      time.Time             `json:"from"`
	To        time.Time             `json:"to"`
	Res       string                `json:"res"`
	Points    []skygrid.SeriesPoint `json:"points"`
}

// PacketRejectList is the body of GET /api/admin/packet-rejects.
type PacketRejectList struct {
	Items  []skygrid.PacketReject `json:"items"`
	Counts []skygrid.RejectCount  `json:"counts"`
}

// monitors is the monitor service, or ENOTFOUND when none is served.
func (s *Server) monitors() (skygrid.MonitorService, error) {
	if s.Monitors == nil {
		return nil, skygrid.Errorf(skygrid.ENOTFOUND, "monitors are not served here")
	}
	return s.Monitors, nil
}

// GET /api/monitors: the monitors in the user's area (as sites are kept),
// each with its site, latest reading time and latest hourly PM10.
func (s *Server) handleMonitors(c echo.Context) error {
	ms, err := s.monitors()
	if err != nil {
		return err
	}
	list, err := ms.ListMonitors(c.Request().Context(), scopeOf(c))
	if err != nil {
		return err
	}
	for _, m := range list {
		s.colour(m)
	}
	return c.JSON(http.StatusOK, MonitorList{Items: list, Total: len(list)})
}

// monitorOf reads :id and finds the monitor, in the user's area.
func (s *Server) monitorOf(c echo.Context) (*skygrid.MonitorItem, error) {
	ms, err := s.monitors()
	if err != nil {
		return nil, err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, skygrid.Errorf(skygrid.EINVALID, "monitor id must be a positive whole number, got %q", c.Param("id"))
	}
	ctx := c.Request().Context()
	if sc := scopeOf(c); !sc.All {
		list, err := ms.ListMonitors(ctx, sc)
		if err != nil {
			return nil, err
		}
		if i := slices.IndexFunc(list, func(m *skygrid.MonitorItem) bool { return m.ID == id }); i >= 0 {
			return list[i], nil
		}
		return nil, forbidden(fmt.Sprintf("monitor %d", id))
	}
	return ms.Monitor(ctx, id)
}

// colour sets a monitor's PM10 level and colour, and whether it is
// silent, now.
func (s *Server) colour(m *skygrid.MonitorItem) {
	now := s.now()
	m.Level = tiles.PM10Level(m.PM10, m.PM10Hour, now)
	m.Colour = tiles.LevelColours[m.Level]
	m.Silent = silent(m.Kind, m.LastAt, now, s.dustConfig().SilentAfter.Duration)
}

// stationQuiet is how long an air station, which may send only hourly
// data, may be quiet before it is called silent.
const stationQuiet = 2 * time.Hour

// silent says whether a monitor last heard at last (zero: never) is
// silent at now: quiet for after, as the silence rule judges (a station
// for stationQuiet at least).
func silent(kind string, last, now time.Time, after time.Duration) bool {
	if kind == skygrid.MonitorStation {
		after = max(after, stationQuiet)
	}
	return !last.IsZero() && now.Sub(last) >= after
}

// GET /api/monitors/:id
func (s *Server) handleMonitor(c echo.Context) error {
	m, err := s.monitorOf(c)
	if err != nil {
		return err
	}
	s.colour(m)
	return c.JSON(http.StatusOK, m)
}

// GET /api/monitors/:id/readings?from=&to=&res=minute|hour: RFC 3339
// times (to defaults to now, from to a day before it for minutes and 30
// days for hours); at most 2 days of minutes or 400 days of hours.
func (s *Server) handleMonitorReadings(c echo.Context) error {
	m, err := s.monitorOf(c)
	if err != nil {
		return err
	}
	p := &params{c: c}
	res := skygrid.ResHour
	if r := p.oneOf("res", []string{skygrid.ResMinute, skygrid.ResHour}); r != nil {
		res = *r
	}
	from, to := p.time("from"), p.time("to")
	if p.err != nil {
		return p.err
	}
	end := s.now().UTC()
	if to != nil {
		end = *to
	}
	start := end.Add(-24 * time.Hour)
	if res == skygrid.ResHour {
		start = end.AddDate(0, 0, -30)
	}
	if from != nil {
		start = *from
	}
	series, err := s.Monitors.ReadingSeries(c.Request().Context(), m.ID, start, end, res)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, MonitorSeries{MonitorID: m.ID, From: start.UTC(), To: end.UTC(), Res: res, Points: series})
}

// POST /api/readings (admins): a JSON array of {mn, at, kind, values,
// flags}, or the readings CSV of skygrid ingest readings as text/csv. An
// unknown device or a bad item is refused alone; the others are stored
// in one transaction. Answers {stored, duplicates, refused}.
func (s *Server) handleReadings(c echo.Context) error {
	ms, err := s.monitors()
	if err != nil {
		return err
	}
	var in *registry.ReadingsInput
	body := c.Request().Body
	if ct := c.Request().Header.Get(echo.HeaderContentType); strings.HasPrefix(strings.ToLower(ct), "text/csv") {
		in, err = registry.ReadReadingsCSV(body, "body")
	} else {
		in, err = registry.ReadReadingsJSON(body)
	}
	if err != nil {
		return err
	}
	var sink skygrid.ReadingSink = ms
	if s.Readings != nil {
		sink = s.Readings
	}
	res, err := registry.StoreReadings(c.Request().Context(), sink, in, skygrid.SourceHTTP, s.now().UTC())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// GET /api/admin/packet-rejects?limit= (admins): the newest rejected
// packets and the count per device.
func (s *Server) handlePacketRejects(c echo.Context) error {
	ms, err := s.monitors()
	if err != nil {
		return err
	}
	p := &params{c: c}
	limit := p.intv("limit", defaultLimit, maxLimit)
	if p.err != nil {
		return p.err
	}
	list, counts, err := ms.PacketRejects(c.Request().Context(), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, PacketRejectList{Items: list, Counts: counts})
}
