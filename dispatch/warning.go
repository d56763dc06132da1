package dispatch

import (
	"context"
	"fmt"
	"sync"
	"time"

	"skygrid"
	"skygrid/dustrule"

	"github.com/paulmach/orb"
)

// WarningConfig is the [warning] section: what a heavy-pollution warning
// changes.
type WarningConfig struct {
	// InspectHours: a listed site's inspection task is due this long
	// after the warning starts.
	InspectHours float64 `toml:"inspect_hours"`
	// DustRule is the dust preset checked instead of the active ones for
	// monitors in the area while a warning is in force; LimitUGM3 its
	// limit (µg/m³).
	DustRule  string  `toml:"dust_rule"`
	LimitUGM3 float64 `toml:"limit_ugm3"`
	// FireAckMinutes and FireReportMinutes are the deadlines of fire
	// tasks created in the area while a warning is in force.
	FireAckMinutes    int `toml:"fire_ack_minutes"`
	FireReportMinutes int `toml:"fire_report_minutes"`
}

// DefaultWarningConfig: 4 hours to inspect, warning_any_hour at 150
// µg/m³, half the usual fire deadlines (15 and 30 minutes).
func DefaultWarningConfig() WarningConfig {
	return WarningConfig{InspectHours: skygrid.DefaultInspectHours, DustRule: dustrule.WarningAnyHour, LimitUGM3: 150,
		FireAckMinutes: 15, FireReportMinutes: 30}
}

// Validate checks the section against the dust presets.
func (c WarningConfig) Validate(dust dustrule.Config) error {
	switch {
	case !(c.InspectHours > 0 && c.InspectHours <= 72):
		return fmt.Errorf("warning.inspect_hours %v: want more than 0, at most 72", c.InspectHours)
	case !(c.LimitUGM3 > 0 && c.LimitUGM3 < 1e5):
		return fmt.Errorf("warning.limit_ugm3 %v: want a positive limit", c.LimitUGM3)
	case c.FireAckMinutes < 1 || c.FireReportMinutes < c.FireAckMinutes || c.FireReportMinutes > 24*60:
		return fmt.Errorf("warning.fire_ack_minutes %d, fire_report_minutes %d: want 1 or more, the report's at least the acknowledgement's, at most 1440",
			c.FireAckMinutes, c.FireReportMinutes)
	}
	if _, ok := dust.Rule(c.DustRule); !ok {
		return fmt.Errorf("warning.dust_rule %q: not a preset of [dust.presets]", c.DustRule)
	}
	return nil
}

// Rule is the warning's dust rule with the section's limit.
func (c WarningConfig) Rule(dust dustrule.Config) (dustrule.Rule, bool) {
	r, ok := dust.Rule(c.DustRule)
	r.Limit = c.LimitUGM3
	return r, ok
}

// WarningFinder finds warnings (the store).
type WarningFinder interface {
	FindWarnings(ctx context.Context, f skygrid.WarningFilter) ([]*skygrid.Warning, error)
}

// WarningCache keeps the recent warnings for the checks that ask, for
// each reading or fire, whether its county is under a warning: read again
// when the store says they changed (Changed) or after Every (another
// process may have changed them).
type WarningCache struct {
	Store WarningFinder
	// Changed is a number that moves when this process changes a warning
	// (store.DB.WarningsChanged); nil: Every only.
	Changed func() int64
	Every   time.Duration // 0: a minute
	// Now is the clock the cache's age is measured on (nil: time.Now).
	Now func() time.Time

	mu     sync.Mutex
	list   []*skygrid.Warning
	loaded time.Time
	gen    int64
}

// Refresh reads the warnings again when they changed or are older than
// Every.
func (c *WarningCache) Refresh(ctx context.Context) error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	every := c.Every
	if every <= 0 {
		every = time.Minute
	}
	now := time.Now()
	if c.Now != nil {
		now = c.Now()
	}
	gen := int64(0)
	if c.Changed != nil {
		gen = c.Changed()
	}
	if !c.loaded.IsZero() && now.Sub(c.loaded) >= 0 && now.Sub(c.loaded) < every && gen == c.gen {
		return nil
	}
	// The warnings that can matter: the latest ones (a reading arrives
	// within hours of its time).
	ws, err := c.Store.FindWarnings(ctx, skygrid.WarningFilter{Limit: 100})
	if err != nil {
		return fmt.Errorf("read the warnings: %w", err)
	}
	c.list, c.loaded, c.gen = ws, now, gen
	return nil
}

// InForce is the warning in force at t whose area holds the county (the
// highest level when more than one), or nil. No store read: call Refresh
// first.
func (c *WarningCache) InForce(county string, t time.Time) *skygrid.Warning {
	if c == nil || county == "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var best *skygrid.Warning
	for _, w := range c.list {
		if w.InForce(t) && w.Covers(county) && (best == nil || levelAbove(w.Level, best.Level)) {
			best = w
		}
	}
	return best
}

func levelAbove(a, b string) bool {
	ra, rb := -1, -1
	for i, l := range skygrid.WarningLevels {
		if l == a {
			ra = i
		}
		if l == b {
			rb = i
		}
	}
	return ra > rb
}

// warningDue shortens a fire task's deadlines when its county is under a
// warning at now ([warning] fire_ack_minutes, fire_report_minutes), never
// lengthens them.
func (p *Pipeline) warningDue(t *skygrid.Task, class, county string, now time.Time) {
	if p.Warnings == nil || p.WarningConfig.FireAckMinutes == 0 || p.Warnings.InForce(county, now) == nil {
		return
	}
	fire := false
	for _, cl := range p.Config.FireClasses {
		fire = fire || cl == class
	}
	if !fire {
		return
	}
	if ack := now.Add(time.Duration(p.WarningConfig.FireAckMinutes) * time.Minute); ack.Before(t.AckDue) {
		t.AckDue = ack
	}
	if rep := now.Add(time.Duration(p.WarningConfig.FireReportMinutes) * time.Minute); rep.Before(t.ReportDue) {
		t.ReportDue = rep
	}
}

// Place places a point in the grid holding it as a fire there would be
// (the regions read again when they change): store.DB.Place, for a
// warning's inspection of a listed site.
func (p *Pipeline) Place(ctx context.Context, pt orb.Point) (skygrid.Event, error) {
	c, err := p.Places(ctx)
	if err != nil {
		return skygrid.Event{}, err
	}
	e := skygrid.Event{Point: pt}
	p.assign(c, &e)
	return e, nil
}

// WarningStart opens the inspection tasks of warnings whose start has
// come (store.DB.StartWarnings).
type WarningStart interface {
	StartWarnings(ctx context.Context, now time.Time) (int, error)
}
