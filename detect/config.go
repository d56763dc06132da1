package detect

import (
	"fmt"
	"time"

	"skygrid"
)

// Duration is a time.Duration that reads "12h" or "30m" from config files.
type Duration struct{ time.Duration }

// UnmarshalText reads a Go duration ("12h", "30m", "720h").
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration in Go's form.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.Duration.String()), nil }

// Config holds the detect defaults of DESIGN.md; all are configurable.
type Config struct {
	// VIIRSMinConfidence keeps VIIRS points at or above: "l", "n" or "h".
	VIIRSMinConfidence string `toml:"viirs_min_confidence"`
	// MODISMinConfidence keeps MODIS points at or above this percentage.
	MODISMinConfidence int `toml:"modis_min_confidence"`
	// HimawariMinReliability keeps Himawari points whose reliability is at
	// or above this (0 keeps all).
	HimawariMinReliability int `toml:"himawari_min_reliability"`

	// HeatSourceMetres: a point this close to a known industrial heat
	// source is industrial heat.
	HeatSourceMetres float64 `toml:"heat_source_metres"`
	// StaticType2: FIRMS type 2 (other static land source) is industrial heat.
	StaticType2 bool `toml:"static_type2"`
	// Persistent heat: at least PersistMinDetections detections on at least
	// PersistMinDays days within PersistMetres in the trailing PersistWindow.
	PersistMetres        float64  `toml:"persist_metres"`
	PersistMinDetections int      `toml:"persist_min_detections"`
	PersistMinDays       int      `toml:"persist_min_days"`
	PersistWindow        Duration `toml:"persist_window"`

	// A hotspot joins an event when within ClusterMetres of one of its
	// hotspots and within ClusterGap of its last detection.
	ClusterMetres float64  `toml:"cluster_metres"`
	ClusterGap    Duration `toml:"cluster_gap"`

	// Heating season for the no-coal rule, as MM-DD (Datong: 10-15 to 04-15).
	HeatingSeasonStart string `toml:"heating_season_start"`
	HeatingSeasonEnd   string `toml:"heating_season_end"`
	// SiteMetres: a point site (not a polygon) holds a fire this close.
	SiteMetres float64 `toml:"site_metres"`

	// TimeZone counts days (persistence, heating season).
	TimeZone string `toml:"time_zone"`
}

// DefaultConfig returns the defaults of DESIGN.md.
func DefaultConfig() Config {
	return Config{
		VIIRSMinConfidence:   "n",
		MODISMinConfidence:   30,
		HeatSourceMetres:     1000,
		StaticType2:          true,
		PersistMetres:        400,
		PersistMinDetections: 5,
		PersistMinDays:       3,
		PersistWindow:        Duration{30 * 24 * time.Hour},
		ClusterMetres:        1000,
		ClusterGap:           Duration{12 * time.Hour},
		HeatingSeasonStart:   "10-15",
		HeatingSeasonEnd:     "04-15",
		SiteMetres:           200,
		TimeZone:             "Asia/Shanghai",
	}
}

// Validate checks the configuration.
func (c Config) Validate() error {
	for _, m := range []struct {
		key string
		v   float64
	}{{"heat_source_metres", c.HeatSourceMetres}, {"persist_metres", c.PersistMetres}, {"cluster_metres", c.ClusterMetres}, {"site_metres", c.SiteMetres}} {
		if reason := skygrid.RangeMetres.Check(m.v); reason != "" {
			return fmt.Errorf("%s: %s", m.key, reason)
		}
	}
	switch c.VIIRSMinConfidence {
	case "l", "n", "h":
	default:
		return fmt.Errorf("viirs_min_confidence: want l, n or h, got %q", c.VIIRSMinConfidence)
	}
	if c.MODISMinConfidence < 0 || c.MODISMinConfidence > 100 {
		return fmt.Errorf("modis_min_confidence: want 0-100, got %d", c.MODISMinConfidence)
	}
	if c.ClusterMetres <= 0 || c.ClusterGap.Duration <= 0 {
		return fmt.Errorf("cluster_metres and cluster_gap must be positive")
	}
	if c.PersistMetres <= 0 || c.PersistWindow.Duration <= 0 || c.PersistMinDetections < 1 || c.PersistMinDays < 1 {
		return fmt.Errorf("persist_*: must be positive")
	}
	if _, _, err := parseMonthDay(c.HeatingSeasonStart); err != nil {
		return fmt.Errorf("heating_season_start: %v", err)
	}
	if _, _, err := parseMonthDay(c.HeatingSeasonEnd); err != nil {
		return fmt.Errorf("heating_season_end: %v", err)
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return fmt.Errorf("time_zone: %v", err)
	}
	return nil
}

func parseMonthDay(s string) (time.Month, int, error) {
	t, err := time.Parse("01-02", s)
	if err != nil {
		return 0, 0, fmt.Errorf("want MM-DD, got %q", s)
	}
	return t.Month(), t.Day(), nil
}
