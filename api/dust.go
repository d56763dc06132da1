package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"skygrid"
	"skygrid/dustrule"
	"skygrid/geo"

	"github.com/paulmach/orb"

	"github.com/labstack/echo/v4"
)

// Ranges of GET /api/sites/:id/dust: 24 hours of minutes, 30 days of hours.
const (
	DustRange24h = "24h"
	DustRange30d = "30d"
)

// SiteDust is the body of GET /api/sites/:id/dust: what the site page
// draws.
type SiteDust struct {
	SiteID     int64  `json:"site_id"`
	SiteName   string `json:"site_name"`
	CountyID   string `json:"county_id,omitempty"`
	CountyName string `json:"county_name,omitempty"`
	// Violation is the site's registry violation (skygrid.Violation*),
	// why a site inspection's task was sent.
	Violation string    `json:"violation,omitempty"`
	Range     string    `json:"range"`
	Res       string    `json:"res"`
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	// Monitors are the monitors standing on the site, each with its
	// series (minutes for 24h, hourly means for 30d).
	Monitors []MonitorDust `json:"monitors"`
	// Ambient is the county's hourly ambient PM10 with its source, each
	// at the start of the hour it averages (the air store's label - 1h).
	Ambient []skygrid.Ambient `json:"ambient"`
	// Limits are the active rules that apply to the site, with their
	// limit line.
	Limits []DustLimit `json:"limits"`
	// Alarms are the rules' breaches in the range, judged on the stored
	// minute readings.
	Alarms []dustrule.Alarm `json:"alarms"`
	// AQI is the county's latest hourly AQI (HJ 633), nil when its
	// stations have none.
	AQI *CountyAQI `json:"aqi,omitempty"`
	// Unjudged is what the alarms could not judge in the range; nil when
	// they judged all of it (no alarm then means none).
	Unjudged *DustUnjudged `json:"unjudged,omitempty"`
	// TaskAlarms are, for a task's dust (GET /api/tasks/:id/dust), the
	// alarms its event holds, newest first: the device, the rule, when
	// (a silent device's task has no exceedance to show). SiteID is 0
	// where no registered site holds the task's place.
	TaskAlarms []skygrid.EventAlarm `json:"task_alarms,omitempty"`
	// dayAmbient is the ambient from the start of From's Beijing day.
	dayAmbient []skygrid.Ambient
	// judgedHours counts the monitors' hours in the range with readings
	// the rules could judge.
	judgedHours int
}

// DustUnjudged is what a site's alarms could not judge: NoAmbientHours,
// the hours of the range with minute readings that a rule above the
// county's ambient could not judge for want of the county's ambient PM10
// (its stations sent nothing); MinutesFrom, the first minute reading when
// the range's series begins before it (the rules judge minute readings,
// which are kept for days; the hours before have only their means).
type DustUnjudged struct {
	NoAmbientHours int        `json:"no_ambient_hours,omitempty"`
	MinutesFrom    *time.Time `json:"minutes_from,omitempty"`
	// NoneJudged: no hour of the range could be judged (no alarm then
	// says nothing at all).
	NoneJudged bool `json:"none_judged,omitempty"`
}

// MonitorDust is one monitor of the site (as GET /api/monitors lists it)
// and its series.
type MonitorDust struct {
	Monitor skygrid.MonitorItem   `json:"monitor"`
	Points  []skygrid.SeriesPoint `json:"points"`
}

// DustLimit is one rule's limit line: Limit µg/m³ of Factor's
// WindowMinutes mean; with OverAmbient the line is the county's ambient
// PM10 plus Limit, one point an hour (Points), else the constant Limit.
type DustLimit struct {
	Rule          string       `json:"rule"`
	Factor        string       `json:"factor"`
	WindowMinutes int          `json:"window_minutes"`
	Limit         float64      `json:"limit"`
	OverAmbient   bool         `json:"over_ambient"`
	AllowedPerDay int          `json:"allowed_per_day"`
	Points        []LimitPoint `json:"points,omitempty"`
}

// CountyAQI is a county's hourly AQI: HJ 633's index of the mean
// concentrations of the county's stations at the latest hour any of them
// has (as a city's AQI is of its stations' means).
type CountyAQI struct {
	// Hour is the hour's label, its end (as the air store keeps it, unlike
	// Ambient's hours): 18:00 is the mean of 17:00-18:00.
	Hour     time.Time `json:"hour"`
	Stations int       `json:"stations"`
	Index    AirIndex  `json:"index"`
}

// LimitPoint is the limit line at one hour.
type LimitPoint struct {
	At    time.Time `json:"at"`
	Value float64   `json:"value"`
}

// dustConfig is the [dust] section served, the default when none is set.
func (s *Server) dustConfig() dustrule.Config {
	if s.Dust != nil {
		return *s.Dust
	}
	return dustrule.DefaultConfig()
}

// siteOf reads :id and finds the site with its county, in the user's area.
func (s *Server) siteOf(c echo.Context) (*skygrid.Site, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, skygrid.Errorf(skygrid.EINVALID, "site id must be a positive whole number, got %q", c.Param("id"))
	}
	ss, _, err := s.Sites.FindSites(c.Request().Context(), skygrid.SiteFilter{ID: &id, Scope: scopeOf(c), WithCounty: true})
	if err != nil {
		return nil, err
	}
	if len(ss) == 0 {
		if sc := scopeOf(c); sc.All {
			return nil, skygrid.Errorf(skygrid.ENOTFOUND, "site %d not found", id)
		}
		return nil, forbidden(fmt.Sprintf("site %d", id))
	}
	return ss[0], nil
}

// GET /api/sites/:id/dust?range=24h|30d: the site's monitors with their
// PM10, PM2.5, TSP, wind series and flags, the county's ambient PM10 for
// the same hours, the active rules' limit lines and the alarms in range.
func (s *Server) handleSiteDust(c echo.Context) error {
	p := &params{c: c}
	rng := DustRange24h
	if r := p.oneOf("range", []string{DustRange24h, DustRange30d}); r != nil {
		rng = *r
	}
	if p.err != nil {
		return p.err
	}
	if _, err := s.monitors(); err != nil {
		return err
	}
	st, err := s.siteOf(c)
	if err != nil {
		return err
	}
	to := s.now().UTC().Truncate(time.Minute).Add(time.Minute)
	from, res := to.Add(-24*time.Hour), skygrid.ResMinute
	if rng == DustRange30d {
		to = s.now().UTC().Truncate(time.Hour).Add(time.Hour)
		from, res = to.AddDate(0, 0, -30), skygrid.ResHour
	}
	out, err := s.siteDust(c, st, rng, from, to, res)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// GET /api/tasks/:id/dust: for a dust task, its site's dust in the 24
// hours from the alarm (the event's first time; up to now when sooner),
// minute by minute: what the task page and the review show. The site is
// the registered site holding the task's place.
func (s *Server) handleTaskDust(c echo.Context) error {
	t, err := s.visibleTask(c)
	if err != nil {
		return err
	}
	if !skygrid.IsDust(t.EventClass) {
		return skygrid.Errorf(skygrid.EINVALID, "task %d is a %s task, not a dust task", t.ID, t.EventClass)
	}
	ms, err := s.monitors()
	if err != nil {
		return err
	}
	alarms, err := ms.EventAlarms(c.Request().Context(), t.EventID)
	if err != nil {
		return err
	}
	st, err := s.siteAt(c.Request().Context(), orb.Point{t.Lon, t.Lat})
	if skygrid.ErrorCode(err) == skygrid.ENOTFOUND {
		// A monitor on no registered site: its alarms, no site's readings.
		return c.JSON(http.StatusOK, &SiteDust{Range: DustRange24h, Res: skygrid.ResMinute, From: t.FirstSeen, To: s.now(),
			Monitors: []MonitorDust{}, Ambient: []skygrid.Ambient{}, Limits: []DustLimit{}, Alarms: []dustrule.Alarm{}, TaskAlarms: alarms})
	} else if err != nil {
		return err
	}
	from := t.FirstSeen
	if from.IsZero() {
		from = t.CreatedAt
	}
	from = from.UTC().Truncate(time.Minute)
	to := from.Add(24 * time.Hour)
	if now := s.now().UTC().Truncate(time.Minute).Add(time.Minute); now.Before(to) {
		to = now
	}
	out, err := s.siteDust(c, st, DustRange24h, from, to, skygrid.ResMinute)
	if err != nil {
		return err
	}
	out.TaskAlarms = alarms
	return c.JSON(http.StatusOK, out)
}

// siteAt is the construction site or stockpile whose polygon holds pt.
func (s *Server) siteAt(ctx context.Context, pt orb.Point) (*skygrid.Site, error) {
	b := orb.Bound{Min: pt, Max: pt}
	ss, _, err := s.Sites.FindSites(ctx, skygrid.SiteFilter{Bbox: &b, WithCounty: true})
	if err != nil {
		return nil, err
	}
	for _, st := range ss {
		if (st.Kind == skygrid.SiteConstruction || st.Kind == skygrid.SiteStockpile) && geo.Contains(st.Geometry, pt) {
			return st, nil
		}
	}
	return nil, skygrid.Errorf(skygrid.ENOTFOUND, "no registered site at %.5f, %.5f", pt[0], pt[1])
}

// siteDust is the site's dust in [from, to) at res, with the monitors the
// user may see.
func (s *Server) siteDust(c echo.Context, st *skygrid.Site, rng string, from, to time.Time, res string) (*SiteDust, error) {
	ctx := c.Request().Context()
	out := &SiteDust{SiteID: st.ID, SiteName: st.Name, CountyID: st.CountyID, CountyName: st.CountyName, Violation: st.Violation, Range: rng,
		Res: res, From: from, To: to, Monitors: []MonitorDust{}, Ambient: []skygrid.Ambient{}, Limits: []DustLimit{}, Alarms: []dustrule.Alarm{}}
	if err := s.siteAmbient(ctx, out); err != nil {
		return nil, err
	}
	if err := s.countyAQI(ctx, out); err != nil {
		return nil, err
	}
	list, err := s.Monitors.ListMonitors(ctx, scopeOf(c))
	if err != nil {
		return nil, err
	}
	for _, m := range list {
		if m.SiteID == nil || *m.SiteID != st.ID {
			continue
		}
		if err := s.monitorDust(ctx, s.Monitors, m, out); err != nil {
			return nil, err
		}
	}
	if u := out.Unjudged; u != nil && u.MinutesFrom == nil && u.NoAmbientHours == 0 {
		out.Unjudged = nil
	} else if u != nil {
		u.NoneJudged = out.judgedHours == 0 && u.NoAmbientHours > 0
	}
	return out, nil
}

// siteAmbient fills the county's ambient PM10 (from the start of the first
// Beijing day, for the daily counts of the rules) and the limit lines.
func (s *Server) siteAmbient(ctx context.Context, out *SiteDust) error {
	cfg := s.dustConfig()
	subject := cfg.Subject(skygrid.Monitor{SiteID: &out.SiteID}, out.CountyID)
	if s.Air != nil && out.CountyID != "" {
		from := dustrule.DayOf(out.From)
		as, err := s.Air.AmbientPM10(ctx, out.CountyID, skygrid.AirHourLabel(from), skygrid.AirHourLabel(out.To), s.AirNearestKm)
		if err != nil {
			return err
		}
		// By the hour each averages (its start), as the rules judge them:
		// the limit line and the alarms here are those of the tasks.
		for i := range as {
			as[i].Hour = as[i].Hour.Add(-time.Hour)
		}
		for _, a := range as {
			if !a.Hour.Before(out.From.Truncate(time.Hour)) {
				out.Ambient = append(out.Ambient, a)
			}
		}
		out.dayAmbient = as
	}
	for _, r := range cfg.Rules() {
		if !r.AppliesTo(subject) {
			continue
		}
		l := DustLimit{Rule: r.Name, Factor: r.Factor, WindowMinutes: int(r.Window / time.Minute), Limit: r.Limit,
			OverAmbient: r.OverAmbient, AllowedPerDay: r.AllowedPerDay}
		if r.OverAmbient {
			for _, a := range out.Ambient {
				l.Points = append(l.Points, LimitPoint{At: a.Hour, Value: a.PM10 + r.Limit})
			}
		}
		out.Limits = append(out.Limits, l)
	}
	return nil
}

// maxMinuteSpan is the longest span of minutes ReadingSeries answers.
const maxMinuteSpan = 48 * time.Hour

// monitorDust adds the monitor, its series and the alarms its minute
// readings raise in the range (judged from the start of the first Beijing
// day, so the daily counts are right).
func (s *Server) monitorDust(ctx context.Context, ms skygrid.MonitorService, m *skygrid.MonitorItem, out *SiteDust) error {
	s.colour(m)
	points, err := ms.ReadingSeries(ctx, m.ID, out.From, out.To, out.Res)
	if err != nil {
		return err
	}
	out.Monitors = append(out.Monitors, MonitorDust{Monitor: *m, Points: points})
	var rs []skygrid.Reading
	for from := dustrule.DayOf(out.From); from.Before(out.To); from = from.Add(maxMinuteSpan) {
		to := from.Add(maxMinuteSpan)
		if to.After(out.To) {
			to = out.To
		}
		ps, err := ms.ReadingSeries(ctx, m.ID, from, to, skygrid.ResMinute)
		if err != nil {
			return err
		}
		for _, p := range ps {
			rs = append(rs, skygrid.Reading{MonitorID: m.ID, At: p.At, Kind: p.Kind, Values: p.Values, Flags: p.Flags})
		}
	}
	amb := map[time.Time]float64{}
	for _, a := range out.dayAmbient {
		amb[a.Hour.UTC()] = a.PM10
	}
	lookup := func(_ string, hour time.Time) (float64, bool) { v, ok := amb[hour.UTC()]; return v, ok }
	cfg := s.dustConfig()
	subject := cfg.Subject(m.Monitor, out.CountyID)
	var judging judgingRules
	for _, r := range cfg.Rules() {
		if !r.AppliesTo(subject) {
			continue
		}
		judging.overAmbient = judging.overAmbient || r.OverAmbient
		judging.fixed = judging.fixed || !r.OverAmbient
		_, alarms := r.Evaluate(subject, rs, lookup)
		for _, a := range alarms {
			if a.End.After(out.From) {
				out.Alarms = append(out.Alarms, a)
			}
		}
	}
	if judging.overAmbient || judging.fixed {
		out.noteUnjudged(rs, points, amb, judging)
	}
	return nil
}

// judgingRules says which kinds of rule judge a monitor: one above the
// county's ambient, one with a fixed limit.
type judgingRules struct{ overAmbient, fixed bool }

// noteUnjudged adds to out.Unjudged what the rules judging a monitor
// cannot judge of its minute readings rs (from the start of From's day)
// and series points: the hours in the range without the county's ambient
// (for a rule above it), and where the minute readings begin when the
// series begins an hour or more before.
func (out *SiteDust) noteUnjudged(rs []skygrid.Reading, points []skygrid.SeriesPoint, amb map[time.Time]float64, judging judgingRules) {
	if out.Unjudged == nil {
		out.Unjudged = &DustUnjudged{}
	}
	var first time.Time
	hours, missing := map[time.Time]bool{}, 0
	for _, r := range rs {
		if r.At.Before(out.From) || !r.At.Before(out.To) {
			continue
		}
		if first.IsZero() {
			first = r.At
		}
		if h := r.At.UTC().Truncate(time.Hour); !hours[h] {
			hours[h] = true
			if _, ok := amb[h]; judging.overAmbient && !ok {
				missing++
			}
		}
	}
	out.Unjudged.NoAmbientHours = max(out.Unjudged.NoAmbientHours, missing)
	if judging.overAmbient {
		out.judgedHours += len(hours) - missing
	}
	if judging.fixed {
		out.judgedHours += len(hours) // a fixed limit needs no ambient
	}
	if len(points) == 0 {
		return
	}
	if first.IsZero() {
		first = out.To
	}
	if points[0].At.Add(time.Hour).After(first) {
		return
	}
	if u := out.Unjudged; u.MinutesFrom == nil || first.After(*u.MinutesFrom) {
		u.MinutesFrom = &first
	}
}

// countyAQI sets out.AQI from the county's stations' latest hour.
func (s *Server) countyAQI(ctx context.Context, out *SiteDust) error {
	if s.Air == nil || out.CountyID == "" {
		return nil
	}
	ss, err := s.Air.FindAirStations(ctx)
	if err != nil {
		return err
	}
	var latest time.Time
	for _, st := range ss {
		if st.CountyID == out.CountyID && st.Latest != nil && st.Latest.Hour.After(latest) {
			latest = st.Latest.Hour
		}
	}
	sum, n := map[string]float64{}, map[string]int{}
	stations := 0
	for _, st := range ss {
		if st.CountyID != out.CountyID || st.Latest == nil || !st.Latest.Hour.Equal(latest) {
			continue
		}
		stations++
		for k, v := range st.Latest.Values {
			sum[k], n[k] = sum[k]+v, n[k]+1
		}
	}
	mean := &skygrid.AirHour{Hour: latest, Values: map[string]float64{}}
	for k, v := range sum {
		mean.Values[k] = v / float64(n[k])
	}
	if ix := hourlyAQI(mean); ix != nil && stations > 0 {
		out.AQI = &CountyAQI{Hour: latest, Stations: stations, Index: *ix}
	}
	return nil
}
