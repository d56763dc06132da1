package config

import (
	"fmt"
	"net/url"
	"time"

	"skygrid/detect"
	"skygrid/intake"
)

// Passes is the [passes] section: where serve refreshes the fire
// satellites' orbital elements from, and how often.
type Passes struct {
	// TLEURL: a TLE text (CelesTrak's 3-line format) of the fire
	// satellites; "" fetches nothing (the passes use the embedded set).
	TLEURL string `toml:"tle_url"`
	// Refresh: how often the set is fetched.
	Refresh detect.Duration `toml:"refresh"`
}

// DefaultPasses: CelesTrak's GP set of the five fire satellites, daily.
func DefaultPasses() Passes {
	return Passes{TLEURL: intake.DefaultTLEURL, Refresh: detect.Duration{Duration: 24 * time.Hour}}
}

// Validate checks the [passes] section.
func (p Passes) Validate() error {
	if p.TLEURL != "" {
		u, err := url.Parse(p.TLEURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("passes.tle_url %q: want an http or https URL (\"\": no refresh)", p.TLEURL)
		}
	}
	if p.Refresh.Duration < time.Hour || p.Refresh.Duration > 30*24*time.Hour {
		return fmt.Errorf("passes.refresh %s: want 1h to 720h", p.Refresh.Duration)
	}
	return nil
}
