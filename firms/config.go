package firms

import (
	"slices"
	"strings"

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

// CheckSources checks FIRMS source names.
func CheckSources(sources []string) error {
	for _, s := range sources {
		if !slices.Contains(Sources, s) {
			return skygrid.Errorf(skygrid.EINVALID, "unknown FIRMS source %q (want %s)", s, strings.Join(Sources, ", "))
		}
	}
	return nil
}
