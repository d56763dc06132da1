package dispatch

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"sort"
	"sync"
	"time"

	"skygrid"
	"skygrid/dustrule"

	"github.com/paulmach/orb"
)

// The dust checker lives in dispatch, not in a package of its own: an
// alarm becomes an event placed in its grid exactly as a fire is
// (Pipeline.LoadContext and assign), with a task on the fire lifecycle,
// and its scheduled checks run on the deadlines' Clock beside escalation.

// DustStore is what the dust checker needs of the store.
type DustStore interface {
	skygrid.ReadingSink
	skygrid.DustService
	dustrule.History
	skygrid.RegionService
	skygrid.SiteService
	ListMonitors(ctx context.Context, scope *skygrid.Scope) ([]*skygrid.MonitorItem, error)
	AmbientPM10(ctx context.Context, countyID string, from, to time.Time, nearestKm float64) ([]skygrid.Ambient, error)
}

// DustChecker is a skygrid.ReadingSink that wraps the store's: after
// StoreReadings commits, the active dust rules are checked for the
// readings (dustrule.Checker.OnReading, reading the past from the store
// and the ambient PM10 from the air store) and the alarms are recorded
// (skygrid.DustService: events and tasks). Tick runs the checks a clock
// decides: silence, yesterday's capture rate, registry violations.
type DustChecker struct {
	Store  DustStore
	Config dustrule.Config
	// Pipeline places alarms in their grid as fires are placed.
	Pipeline *Pipeline
	// NearestKm is [air] nearest_km (the ambient fallback).
	NearestKm float64
	Now       func() time.Time
	Logger    *slog.Logger
	// Warnings and WarningRule: while a warning is in force in a
	// monitor's county (at the reading's time), WarningRule is checked
	// instead of the active presets; the data-quality rules are
	// unchanged (nil: none).
	Warnings    *WarningCache
	WarningRule *dustrule.Rule

	// mu: one check at a time (the sink is called from many goroutines),
	// and the maps read by checks. Tick reads the store without it and
	// holds it only to swap in what it read, so the clock's work (regions,
	// 5,000 monitors' silence, a day's capture) never holds up readings.
	mu       sync.Mutex
	place    *Context
	monitors map[int64]*dustMonitor // nil: known, not checked (a station)
	lastDay  time.Time              // the last day whose capture was checked
	amu      sync.Mutex             // the ambient cache, shared by checks and ticks
	ambient  map[string]float64     // county|hour -> PM10, hits only
	pmu      sync.Mutex             // placed, and one placing at a time
	placed   placedMonitors
}

// placedMonitors are the monitors as read placed the last time: kept
// while the places they were placed in (the pipeline's context, one
// object until the regions or a site layer change) and the monitors'
// layer version are the same. Every clock tick read the 5,000 monitors of
// a province with their latest readings and a site each again.
type placedMonitors struct {
	from    *Context
	version int64
	ms      map[int64]*dustMonitor
}

// dustMonitor is what the checker knows of a monitor: its subject and
// where its alarms go.
type dustMonitor struct {
	subject dustrule.Subject
	site    *int64
	where   skygrid.Event // point, grid, township, county, assigned_by
}

// NewDustChecker returns a checker over the store with the pipeline's
// grid assignment.
func NewDustChecker(s DustStore, p *Pipeline, cfg dustrule.Config, nearestKm float64) *DustChecker {
	return &DustChecker{Store: s, Pipeline: p, Config: cfg, NearestKm: nearestKm, Now: time.Now, Logger: slog.Default()}
}

func (c *DustChecker) MonitorByMN(ctx context.Context, mn string) (skygrid.Monitor, error) {
	return c.Store.MonitorByMN(ctx, mn)
}

func (c *DustChecker) RejectPacket(ctx context.Context, r skygrid.PacketReject) error {
	return c.Store.RejectPacket(ctx, r)
}

// StoreReadings stores the readings, then checks them. A failing check
// is logged, not returned: the readings are durable and answered; the
// next reading or tick checks the windows again.
func (c *DustChecker) StoreReadings(ctx context.Context, rs []skygrid.Reading) (int, error) {
	n, err := c.Store.StoreReadings(ctx, rs)
	if err != nil {
		return n, err
	}
	if _, err := c.Check(ctx, rs); err != nil {
		c.Logger.Error("dust: check readings", "err", err)
	}
	return n, nil
}

// Check checks stored readings in data-time order and records their
// alarms.
func (c *DustChecker) Check(ctx context.Context, rs []skygrid.Reading) (skygrid.DustRecorded, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sorted := append([]skygrid.Reading(nil), rs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].MonitorID != sorted[j].MonitorID {
			return sorted[i].MonitorID < sorted[j].MonitorID
		}
		return sorted[i].At.Before(sorted[j].At)
	})
	ck, warn, err := c.checkers(ctx)
	if err != nil {
		return skygrid.DustRecorded{}, err
	}
	var alarms []dustrule.Alarm
	for _, r := range sorted {
		m, err := c.monitor(ctx, r.MonitorID)
		if err != nil || m == nil {
			return skygrid.DustRecorded{}, err
		}
		use := ck
		if warn != nil && c.Warnings.InForce(m.subject.County, r.At) != nil {
			use = warn
		}
		got, err := use.OnReading(ctx, m.subject, r)
		if err != nil {
			return skygrid.DustRecorded{}, err
		}
		alarms = append(alarms, got...)
	}
	return c.record(ctx, c.monitors, alarms)
}

// checker is the rules over the store, with the cached ambient.
func (c *DustChecker) checker(ctx context.Context) *dustrule.Checker {
	return &dustrule.Checker{Rules: c.Config.Rules(), Quality: c.Config.Quality(), History: c.Store,
		Ambient: func(county string, hour time.Time) (float64, bool) { return c.ambientPM10(ctx, county, hour) }}
}

// checkers are the usual rules and, with warnings, the warning's (the
// warnings read again when they changed).
func (c *DustChecker) checkers(ctx context.Context) (usual, warning *dustrule.Checker, err error) {
	usual = c.checker(ctx)
	if c.Warnings == nil || c.WarningRule == nil {
		return usual, nil, nil
	}
	if err := c.Warnings.Refresh(ctx); err != nil {
		return nil, nil, fmt.Errorf("dust: %w", err)
	}
	w := *usual
	w.Rules = []dustrule.Rule{*c.WarningRule}
	return usual, &w, nil
}

// ambientPM10 is the county's ambient PM10 of the hour, from the air
// store; a found value is kept (an hour's air may arrive after its
// readings, so a miss is asked again).
func (c *DustChecker) ambientPM10(ctx context.Context, county string, hour time.Time) (float64, bool) {
	if county == "" {
		return 0, false
	}
	key := county + "|" + hour.UTC().Format(time.RFC3339)
	c.amu.Lock()
	v, ok := c.ambient[key]
	c.amu.Unlock()
	if ok {
		return v, true
	}
	label := skygrid.AirHourLabel(hour)
	as, err := c.Store.AmbientPM10(ctx, county, label, label.Add(time.Hour), c.NearestKm)
	if err != nil || len(as) == 0 {
		if err != nil {
			c.Logger.Warn("dust: ambient pm10", "county", county, "hour", hour, "err", err)
		}
		return 0, false
	}
	c.amu.Lock()
	if c.ambient == nil || len(c.ambient) > 100000 {
		c.ambient = map[string]float64{}
	}
	c.ambient[key] = as[0].PM10
	c.amu.Unlock()
	return as[0].PM10, true
}

// Forget drops the monitors and places read before: the next check reads
// them again. Another server's change (its regions, sites or monitors)
// calls it on servers whose clock does not tick (store.Jobs: the clock
// runs on one server of several).
func (c *DustChecker) Forget() {
	c.mu.Lock()
	c.place, c.monitors = nil, nil
	c.mu.Unlock()
	c.pmu.Lock()
	c.placed = placedMonitors{}
	c.pmu.Unlock()
}

// monitor is the monitor's subject and place, read once (a monitor not
// known yet reloads them); nil for an air-quality station, not checked.
func (c *DustChecker) monitor(ctx context.Context, id int64) (*dustMonitor, error) {
	if m, ok := c.monitors[id]; ok {
		return m, nil
	}
	place, ms, err := c.read(ctx)
	if err != nil {
		return nil, err
	}
	c.place, c.monitors = place, ms
	m := c.monitors[id]
	c.monitors[id] = m // still unknown: not read again until the next Tick
	return m, nil
}

// read reads the regions, the sites and the dust monitors and places
// each monitor, or takes them as placed before when none of them changed
// (placedMonitors); the map is the caller's own. It changes nothing.
func (c *DustChecker) read(ctx context.Context) (*Context, map[int64]*dustMonitor, error) {
	place, err := c.Pipeline.Places(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("dust: %w", err)
	}
	version, known := int64(0), false
	if ls, ok := c.Store.(skygrid.LayerService); ok {
		vs, err := ls.LayerVersions(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("dust: layer versions: %w", err)
		}
		version, known = vs[skygrid.LayerMonitors], true
	}
	c.pmu.Lock()
	defer c.pmu.Unlock()
	if p := c.placed; known && p.ms != nil && p.from == place && p.version == version {
		return place, maps.Clone(p.ms), nil
	}
	ms, err := c.placeMonitors(ctx, place)
	if err != nil {
		return nil, nil, err
	}
	if known {
		c.placed = placedMonitors{from: place, version: version, ms: ms}
	}
	return place, maps.Clone(ms), nil
}

// placeMonitors reads the dust monitors and places each: at its site's
// centre (its own position without a site), in the grid holding it as a
// fire there would be.
func (c *DustChecker) placeMonitors(ctx context.Context, place *Context) (map[int64]*dustMonitor, error) {
	ms, err := c.Store.ListMonitors(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("dust: list monitors: %w", err)
	}
	out := map[int64]*dustMonitor{}
	for _, m := range ms {
		if m.Kind != skygrid.MonitorDust {
			out[m.ID] = nil
			continue
		}
		pt := orb.Point{m.Lon, m.Lat}
		if m.SiteID != nil {
			site, err := c.Store.FindSiteByID(ctx, *m.SiteID)
			if err != nil {
				return nil, fmt.Errorf("dust: site %d of monitor %s: %w", *m.SiteID, m.MN, err)
			}
			pt = site.Geometry.Bound().Center()
		}
		where := skygrid.Event{Point: pt}
		c.Pipeline.assign(place, &where)
		out[m.ID] = &dustMonitor{subject: c.Config.Subject(m.Monitor, where.CountyID), site: m.SiteID, where: where}
	}
	return out, nil
}

// record records the alarms, each placed at its monitor's site with the
// deadlines of [dust] respond_minutes from now: the supervisor
// acknowledges and reports from the site within it.
func (c *DustChecker) record(ctx context.Context, monitors map[int64]*dustMonitor, alarms []dustrule.Alarm) (skygrid.DustRecorded, error) {
	if len(alarms) == 0 {
		return skygrid.DustRecorded{}, nil
	}
	due := c.Now().UTC().Add(time.Duration(c.Config.RespondMinutes) * time.Minute)
	out := make([]skygrid.DustAlarm, 0, len(alarms))
	for _, a := range alarms {
		m := monitors[a.MonitorID] // set: only checked monitors raise alarms
		w := m.where
		out = append(out, skygrid.DustAlarm{MonitorID: a.MonitorID, SiteID: m.site, Rule: a.Rule, Class: a.Class,
			Start: a.Start.UTC(), End: a.End.UTC(), Value: a.Value, Limit: a.Limit, Detail: a.Detail, Point: w.Point,
			GridID: w.GridID, TownshipID: w.TownshipID, CountyID: w.CountyID, AssignedBy: w.AssignedBy, AckDue: due, ReportDue: due})
	}
	res, err := c.Store.RecordDustAlarms(ctx, out)
	if err != nil {
		return res, fmt.Errorf("dust: record %d alarms: %w", len(out), err)
	}
	if res.EventsNew > 0 {
		c.Logger.Info("dust: alarms", "new", res.Alarms, "events_new", res.EventsNew, "events_updated", res.EventsUpdated)
	}
	return res, nil
}

// Tick runs what the clock decides at now: silence of every dust monitor,
// the capture rate of the Beijing day before now (once a day), and the
// registry's violations (one inspection task per site and violation while
// open). The regions and monitors are read again first.
func (c *DustChecker) Tick(ctx context.Context, now time.Time) (skygrid.DustRecorded, error) {
	place, ms, err := c.read(ctx)
	if err != nil {
		return skygrid.DustRecorded{}, err
	}
	yesterday := dustrule.DayOf(now).Add(-24 * time.Hour)
	c.mu.Lock()
	c.place, c.monitors = place, ms
	checkDay := yesterday.After(c.lastDay)
	c.mu.Unlock()
	alarms, err := c.clockChecks(ctx, ms, now, checkDay, yesterday)
	if err != nil {
		return skygrid.DustRecorded{}, err
	}
	if checkDay {
		c.mu.Lock()
		c.lastDay = yesterday
		c.mu.Unlock()
	}
	res, err := c.record(ctx, ms, alarms)
	if err != nil {
		return res, err
	}
	inspect, err := c.inspections(ctx, place, now)
	res.Alarms, res.EventsNew, res.EventsUpdated = res.Alarms+inspect.Alarms, res.EventsNew+inspect.EventsNew, res.EventsUpdated+inspect.EventsUpdated
	res.TaskIDs = append(res.TaskIDs, inspect.TaskIDs...)
	return res, err
}

// clockChecks are the silence of every dust monitor and, when checkDay,
// the capture rate of day.
func (c *DustChecker) clockChecks(ctx context.Context, ms map[int64]*dustMonitor, now time.Time, checkDay bool, day time.Time) ([]dustrule.Alarm, error) {
	ck := c.checker(ctx)
	subjects := checkedSubjects(ms)
	alarms, err := ck.CheckSilence(ctx, subjects, now)
	if err != nil || !checkDay {
		return alarms, err
	}
	got, err := ck.CheckDay(ctx, subjects, day)
	return append(alarms, got...), err
}

// checkedSubjects are the subjects of the monitors checked (not the
// stations), by monitor id.
func checkedSubjects(ms map[int64]*dustMonitor) []dustrule.Subject {
	var out []dustrule.Subject
	for _, m := range ms {
		if m != nil {
			out = append(out, m.subject)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].MonitorID < out[j].MonitorID })
	return out
}

// Inspect opens an inspection task for each registry violation (a large
// site without connected video, an uncovered coal or ore pile) that has
// no task still being worked: after a site import, and on every Tick.
func (c *DustChecker) Inspect(ctx context.Context) (skygrid.DustRecorded, error) {
	c.mu.Lock()
	place := c.place
	c.mu.Unlock()
	if place == nil {
		var err error
		if place, _, err = c.read(ctx); err != nil {
			return skygrid.DustRecorded{}, err
		}
	}
	return c.inspections(ctx, place, c.Now())
}

func (c *DustChecker) inspections(ctx context.Context, place *Context, now time.Time) (skygrid.DustRecorded, error) {
	yes := true
	sites, _, err := c.Store.FindSites(ctx, skygrid.SiteFilter{Violation: &yes})
	if err != nil {
		return skygrid.DustRecorded{}, fmt.Errorf("dust: sites breaking a rule: %w", err)
	}
	now = now.UTC()
	due := now.Add(time.Duration(c.Config.RespondMinutes) * time.Minute)
	var alarms []skygrid.DustAlarm
	for _, s := range sites {
		where := skygrid.Event{Point: s.Geometry.Bound().Center()}
		c.Pipeline.assign(place, &where)
		id := s.ID
		alarms = append(alarms, skygrid.DustAlarm{SiteID: &id, Rule: s.Violation, Class: skygrid.ClassSiteInspection,
			Start: now, End: now, Detail: s.Name + "：" + skygrid.ViolationNames[s.Violation], Point: where.Point,
			GridID: where.GridID, TownshipID: where.TownshipID, CountyID: where.CountyID, AssignedBy: where.AssignedBy,
			AckDue: due, ReportDue: due})
	}
	if len(alarms) == 0 {
		return skygrid.DustRecorded{}, nil
	}
	res, err := c.Store.RecordDustAlarms(ctx, alarms)
	if err != nil {
		return res, fmt.Errorf("dust: inspection tasks: %w", err)
	}
	return res, nil
}
