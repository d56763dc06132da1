package dustrule

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"skygrid"
	"skygrid/detect"
)

// Site stages (DB61/1078-2017's two groups) and areas (DB21/2642-2016's).
const (
	StageDemolition = "demolition" // 拆除
	StageEarthworks = "earthworks" // 土方
	StageGround     = "ground"     // 地基处理
	StageFoundation = "foundation" // 基础
	StageStructure  = "structure"  // 主体结构
	StageDecoration = "decoration" // 装饰
	AreaBuiltUp     = "built_up"   // 城镇建成区
	AreaRural       = "rural"      // 郊区及农村
)

var (
	stages = []string{StageDemolition, StageEarthworks, StageGround, StageFoundation, StageStructure, StageDecoration}
	areas  = []string{AreaBuiltUp, AreaRural}
)

// Preset is a named rule as written in [dust.presets.NAME].
type Preset struct {
	Factor        string          `toml:"factor"`
	Kind          string          `toml:"kind"`
	Interval      detect.Duration `toml:"interval"`
	Window        detect.Duration `toml:"window"`
	LimitUGM3     float64         `toml:"limit_ugm3"`
	OverAmbient   bool            `toml:"over_ambient"`
	AllowedPerDay int             `toml:"allowed_per_day"`
	Stages        []string        `toml:"stages"`
	Areas         []string        `toml:"areas"`
}

// SiteDust is what the rules need of a site ([dust.sites."ID"]).
type SiteDust struct {
	Stage string `toml:"stage"`
	Area  string `toml:"area"`
}

// Config is the [dust] section.
type Config struct {
	// RespondMinutes: the deadline of a dust task (phase 2).
	RespondMinutes int `toml:"respond_minutes"`
	// Active: the presets and data-quality rules checked.
	Active []string `toml:"active"`
	// MinValid: the share of a window's values that must be valid.
	MinValid        float64              `toml:"min_valid_fraction"`
	SilentAfter     detect.Duration      `toml:"silent_after"`
	StuckFor        detect.Duration      `toml:"stuck_for"`
	StuckFactors    []string             `toml:"stuck_factors"`
	InstrumentRange map[string][]float64 `toml:"instrument_range"`
	CaptureMin      float64              `toml:"capture_min"`
	CaptureFactor   string               `toml:"capture_factor"`
	Sites           map[string]SiteDust  `toml:"sites"`
	Presets         map[string]Preset    `toml:"presets"`
}

func dur(d time.Duration) detect.Duration { return detect.Duration{Duration: d} }

func minutePreset(factor string, window time.Duration, limit float64, allowed int) Preset {
	return Preset{Factor: factor, Kind: skygrid.ReadingMinute, Interval: dur(time.Minute), Window: dur(window),
		LimitUGM3: limit, AllowedPerDay: allowed}
}

// WarningAnyHour is the preset of a heavy-pollution warning.
const WarningAnyHour = "warning_any_hour"

// DefaultPresets are the presets of skygrid.example.toml.
func DefaultPresets() map[string]Preset {
	datong := minutePreset(skygrid.FactorPM10, time.Hour, 80, 2)
	datong.OverAmbient = true
	earth := minutePreset(skygrid.FactorTSP, time.Hour, 800, 0)
	earth.Stages = []string{StageDemolition, StageEarthworks, StageGround}
	structure := minutePreset(skygrid.FactorTSP, time.Hour, 700, 0)
	structure.Stages = []string{StageFoundation, StageStructure, StageDecoration}
	builtUp := minutePreset(skygrid.FactorTSP, 5*time.Minute, 800, 0)
	builtUp.Areas = []string{AreaBuiltUp}
	rural := minutePreset(skygrid.FactorTSP, 5*time.Minute, 1000, 0)
	rural.Areas = []string{AreaRural}
	return map[string]Preset{"datong_default": datong, "shaanxi_tsp_earthworks": earth,
		"shaanxi_tsp_structure": structure, "liaoning_tsp_built_up": builtUp, "liaoning_tsp_rural": rural,
		"shanghai_15min": minutePreset(skygrid.FactorTSP, 15*time.Minute, 2000, 1),
		// During a heavy-pollution warning ([warning] dust_rule): any hour's
		// PM10 mean over the limit is an alarm, none allowed ([warning]
		// limit_ugm3 sets the limit).
		WarningAnyHour: minutePreset(skygrid.FactorPM10, time.Hour, 150, 0)}
}

// DefaultConfig: datong_default and the four data-quality rules.
func DefaultConfig() Config {
	return Config{RespondMinutes: 60,
		Active:   []string{"datong_default", RuleSilent, RuleStuck, RuleOutOfRange, RuleLowCapture},
		MinValid: 0.75, SilentAfter: dur(30 * time.Minute), StuckFor: dur(time.Hour),
		StuckFactors: []string{skygrid.FactorPM10, skygrid.FactorPM25, skygrid.FactorTSP},
		InstrumentRange: map[string][]float64{skygrid.FactorPM10: {0, 10000}, skygrid.FactorPM25: {0, 10000},
			skygrid.FactorTSP: {0, 20000}},
		CaptureMin: 0.9, CaptureFactor: skygrid.FactorPM10, Sites: map[string]SiteDust{}, Presets: DefaultPresets()}
}

func isQuality(name string) bool {
	return slices.Contains([]string{RuleSilent, RuleStuck, RuleOutOfRange, RuleLowCapture}, name)
}

// Validate checks the section; errors name the key.
func (c Config) Validate() error {
	if c.RespondMinutes < 1 || c.RespondMinutes > 7*24*60 {
		return fmt.Errorf("dust.respond_minutes %d: want 1 to 10080", c.RespondMinutes)
	}
	if !(c.MinValid > 0 && c.MinValid <= 1) {
		return fmt.Errorf("dust.min_valid_fraction %v: want more than 0, at most 1", c.MinValid)
	}
	if !(c.CaptureMin >= 0 && c.CaptureMin <= 1) {
		return fmt.Errorf("dust.capture_min %v: want 0 to 1", c.CaptureMin)
	}
	if c.SilentAfter.Duration < time.Minute || c.StuckFor.Duration < 2*time.Minute {
		return fmt.Errorf("dust.silent_after %s, dust.stuck_for %s: want at least 1m and 2m", c.SilentAfter.Duration, c.StuckFor.Duration)
	}
	for _, f := range append(slices.Clone(c.StuckFactors), c.CaptureFactor) {
		if _, ok := skygrid.FactorNames[f]; !ok {
			return fmt.Errorf("dust.stuck_factors or capture_factor: unknown factor %q", f)
		}
	}
	for f, r := range c.InstrumentRange {
		if _, ok := skygrid.FactorNames[f]; !ok || len(r) != 2 || !(r[0] < r[1]) {
			return fmt.Errorf("dust.instrument_range.%s %v: want a known factor and [min, max] with min < max", f, r)
		}
	}
	for _, name := range c.Active {
		if _, ok := c.Presets[name]; !ok && !isQuality(name) {
			return fmt.Errorf("dust.active: %q is neither a preset nor %s, %s, %s, %s", name, RuleSilent, RuleStuck, RuleOutOfRange, RuleLowCapture)
		}
	}
	for name, p := range c.Presets {
		if err := p.validate(); err != nil {
			return fmt.Errorf("dust.presets.%s.%w", name, err)
		}
	}
	for id, s := range c.Sites {
		if _, err := strconv.ParseInt(id, 10, 64); err != nil {
			return fmt.Errorf("dust.sites.%s: want a site id", id)
		}
		if (s.Stage != "" && !slices.Contains(stages, s.Stage)) || (s.Area != "" && !slices.Contains(areas, s.Area)) {
			return fmt.Errorf("dust.sites.%s: stage %q, area %q: want a stage of %v and an area of %v", id, s.Stage, s.Area, stages, areas)
		}
	}
	return nil
}

func (p Preset) validate() error {
	w, i := p.Window.Duration, p.Interval.Duration
	switch {
	case skygrid.FactorNames[p.Factor] == "":
		return fmt.Errorf("factor %q: unknown", p.Factor)
	case !slices.Contains([]string{skygrid.ReadingRealtime, skygrid.ReadingMinute, skygrid.ReadingHour}, p.Kind):
		return fmt.Errorf("kind %q: want rtd, minute or hour", p.Kind)
	case w < time.Minute || w > 24*time.Hour || (24*time.Hour)%w != 0:
		return fmt.Errorf("window %s: want 1m to 24h, dividing a day", w)
	case i <= 0 || i > w || w%i != 0:
		return fmt.Errorf("interval %s: want a part of the window %s", i, w)
	case p.OverAmbient && (w > time.Hour || time.Hour%w != 0):
		return fmt.Errorf("window %s: an over_ambient rule's window divides an hour", w)
	case !(p.LimitUGM3 > 0 && p.LimitUGM3 < 1e6) || p.AllowedPerDay < 0 || p.AllowedPerDay > int(24*time.Hour/w):
		return fmt.Errorf("limit_ugm3 %v, allowed_per_day %d: want a positive limit and 0 to the windows of a day", p.LimitUGM3, p.AllowedPerDay)
	}
	for _, s := range p.Stages {
		if !slices.Contains(stages, s) {
			return fmt.Errorf("stages: %q is not one of %v", s, stages)
		}
	}
	for _, a := range p.Areas {
		if !slices.Contains(areas, a) {
			return fmt.Errorf("areas: %q is not one of %v", a, areas)
		}
	}
	return nil
}

// Rules are the active presets as rules, by name.
func (c Config) Rules() []Rule {
	var out []Rule
	for _, name := range c.Active {
		if r, ok := c.Rule(name); ok {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Rule is the preset of that name as a rule, active or not (a heavy-
// pollution warning's rule, [warning] dust_rule).
func (c Config) Rule(name string) (Rule, bool) {
	p, ok := c.Presets[name]
	if !ok {
		return Rule{}, false
	}
	return Rule{Name: name, Factor: p.Factor, Kind: p.Kind, Interval: p.Interval.Duration,
		Window: p.Window.Duration, MinValid: c.MinValid, Limit: p.LimitUGM3, OverAmbient: p.OverAmbient,
		AllowedPerDay: p.AllowedPerDay, Stages: p.Stages, Areas: p.Areas}, true
}

// Quality is the data-quality rules as configured (minute data).
func (c Config) Quality() Quality {
	ranges := map[string][2]float64{}
	for f, r := range c.InstrumentRange {
		ranges[f] = [2]float64{r[0], r[1]}
	}
	return Quality{Kind: skygrid.ReadingMinute, Interval: time.Minute,
		Silent: slices.Contains(c.Active, RuleSilent), SilentAfter: c.SilentAfter.Duration,
		Stuck: slices.Contains(c.Active, RuleStuck), StuckFor: c.StuckFor.Duration, StuckFactors: c.StuckFactors,
		MinValid: c.MinValid, OutOfRange: slices.Contains(c.Active, RuleOutOfRange), Ranges: ranges,
		LowCapture: slices.Contains(c.Active, RuleLowCapture), CaptureMin: c.CaptureMin, CaptureFactor: c.CaptureFactor}
}

// Subject is the monitor's subject: its county and, when its site is in
// [dust.sites], the site's stage and area.
func (c Config) Subject(m skygrid.Monitor, county string) Subject {
	s := Subject{MonitorID: m.ID, County: county}
	if m.SiteID != nil {
		site := c.Sites[strconv.FormatInt(*m.SiteID, 10)]
		s.Stage, s.Area = site.Stage, site.Area
	}
	return s
}
