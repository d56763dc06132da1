package firms

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"skygrid"
	"skygrid/detect"
)

// FeedConfig configures the FIRMS pull.
type FeedConfig struct {
	// MapKey is the FIRMS MAP_KEY; $FIRMS_MAP_KEY overrides it. Never
	// logged or shown. Empty: serve does not pull.
	MapKey string `toml:"map_key"`
	// BaseURL of the FIRMS API (a mirror, a proxy, a test stand-in).
	BaseURL string   `toml:"base_url"`
	Sources []string `toml:"sources"`
	// Every is the pull interval; Days the day range of each pull (1-10).
	Every detect.Duration `toml:"every"`
	Days  int             `toml:"days"`
}

// DefaultFeedConfig: every 10 minutes, 2 days, the four NRT sources of
// the FIRMS API, no MAP_KEY.
func DefaultFeedConfig() FeedConfig {
	return FeedConfig{BaseURL: "https://firms.modaps.eosdis.nasa.gov",
		Sources: []string{"VIIRS_NOAA20_NRT", "VIIRS_NOAA21_NRT", "VIIRS_SNPP_NRT", "MODIS_NRT"},
		Every:   detect.Duration{Duration: 10 * time.Minute}, Days: 2}
}

// Validate checks the [feed] section.
func (c FeedConfig) Validate() error {
	if c.Days < 1 || c.Days > 10 {
		return fmt.Errorf("feed.days %d: FIRMS takes 1 to 10", c.Days)
	}
	if err := CheckSources(c.Sources); err != nil {
		return fmt.Errorf("feed.sources: %w", err)
	}
	if c.Every.Duration < time.Minute {
		return fmt.Errorf("feed.every %s: at least 1m", c.Every.Duration)
	}
	return nil
}

// CheckSources checks FIRMS source names.
func CheckSources(sources []string) error {
	for _, s := range sources {
		if !slices.Contains(Sources, s) {
			return skygrid.Errorf(skygrid.EINVALID, "unknown FIRMS source %q (want %s)", s, strings.Join(Sources, ", "))
		}
	}
	return nil
}
