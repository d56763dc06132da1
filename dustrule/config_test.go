package dustrule

import (
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("the defaults: %v", err)
	}
	for _, tt := range []struct {
		name   string
		change func(c *Config)
		want   string
	}{
		{"share of valid values", func(c *Config) { c.MinValid = 0 }, "dust.min_valid_fraction 0"},
		{"capture", func(c *Config) { c.CaptureMin = 1.5 }, "dust.capture_min 1.5"},
		{"silence", func(c *Config) { c.SilentAfter = dur(time.Second) }, "dust.silent_after 1s"},
		{"stuck factor", func(c *Config) { c.StuckFactors = []string{"so2"} }, `unknown factor "so2"`},
		{"range", func(c *Config) { c.InstrumentRange["pm10"] = []float64{10, 0} }, "dust.instrument_range.pm10 [10 0]"},
		{"active", func(c *Config) { c.Active = append(c.Active, "hebei") }, `dust.active: "hebei"`},
		{"site id", func(c *Config) { c.Sites["工地"] = SiteDust{} }, "dust.sites.工地: want a site id"},
		{"site stage", func(c *Config) { c.Sites["3"] = SiteDust{Stage: "digging"} }, `dust.sites.3: stage "digging"`},
		{"preset factor", func(c *Config) { p := c.Presets["datong_default"]; p.Factor = "pm1"; c.Presets["datong_default"] = p },
			`dust.presets.datong_default.factor "pm1": unknown`},
		{"interval", func(c *Config) {
			p := c.Presets["shanghai_15min"]
			p.Interval = dur(7 * time.Minute)
			c.Presets["shanghai_15min"] = p
		},
			"dust.presets.shanghai_15min.interval 7m0s"},
		{"ambient window", func(c *Config) {
			p := c.Presets["datong_default"]
			p.Window = dur(2 * time.Hour)
			c.Presets["datong_default"] = p
		},
			"dust.presets.datong_default.window 2h0m0s: an over_ambient rule's window divides an hour"},
		{"limit", func(c *Config) {
			p := c.Presets["liaoning_tsp_rural"]
			p.LimitUGM3 = 0
			c.Presets["liaoning_tsp_rural"] = p
		},
			"dust.presets.liaoning_tsp_rural.limit_ugm3 0"},
		{"stage", func(c *Config) {
			p := c.Presets["shaanxi_tsp_structure"]
			p.Stages = []string{"roof"}
			c.Presets["shaanxi_tsp_structure"] = p
		},
			`dust.presets.shaanxi_tsp_structure.stages: "roof"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.change(&c)
			if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %s", err, tt.want)
			}
		})
	}
}

// The defaults: datong_default and the four data-quality rules.
func TestDefaultActive(t *testing.T) {
	c := DefaultConfig()
	rules, q := c.Rules(), c.Quality()
	if len(rules) != 1 || rules[0].Name != "datong_default" || rules[0].Needed() != 45 || !rules[0].OverAmbient {
		t.Errorf("rules %+v", rules)
	}
	if !q.Silent || !q.Stuck || !q.OutOfRange || !q.LowCapture || q.SilentAfter != 30*time.Minute || q.Ranges["tsp"] != [2]float64{0, 20000} {
		t.Errorf("quality %+v", q)
	}
}
