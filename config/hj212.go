package config

import (
	"fmt"
	"time"

	"skygrid/detect"
)

// HJ212 is the [hj212] section: the limits of the HJ 212 receiver that
// `skygrid serve --hj212 ADDR` starts.
type HJ212 struct {
	// IdleTimeout: a device's connection silent this long is closed.
	IdleTimeout detect.Duration `toml:"idle_timeout"`
	// MaxConns: connections beyond this many are closed at once.
	MaxConns int `toml:"max_conns"`
	// BatchWindow: how long the write queue gathers packets into one
	// transaction; BatchMax: readings of one transaction at most.
	BatchWindow detect.Duration `toml:"batch_window"`
	BatchMax    int             `toml:"batch_max"`
}

// DefaultHJ212 are the receiver's defaults (receiver.Default*).
func DefaultHJ212() HJ212 {
	return HJ212{IdleTimeout: detect.Duration{Duration: 10 * time.Minute}, MaxConns: 10000,
		BatchWindow: detect.Duration{Duration: 2 * time.Millisecond}, BatchMax: 1000}
}

// Validate checks the [hj212] section.
func (h HJ212) Validate() error {
	switch {
	case h.IdleTimeout.Duration < time.Second:
		return fmt.Errorf("hj212.idle_timeout %s: want at least 1s", h.IdleTimeout.Duration)
	case h.MaxConns < 1:
		return fmt.Errorf("hj212.max_conns %d: want at least 1", h.MaxConns)
	case h.BatchWindow.Duration < 0 || h.BatchWindow.Duration > time.Second:
		return fmt.Errorf("hj212.batch_window %s: want 0 to 1s", h.BatchWindow.Duration)
	case h.BatchMax < 1:
		return fmt.Errorf("hj212.batch_max %d: want at least 1", h.BatchMax)
	}
	return nil
}

// Video is the [video] section: the probing of monitors' snapshot URLs.
type Video struct {
	// ProbeMinutes: every how many minutes each snapshot URL is fetched.
	ProbeMinutes int `toml:"probe_minutes"`
	// OfflineMinutes: a site whose monitors' video was not seen for this
	// long has the violation video_offline.
	OfflineMinutes int `toml:"offline_minutes"`
}

// DefaultVideo probes every 5 minutes; 30 minutes unseen is offline.
func DefaultVideo() Video { return Video{ProbeMinutes: 5, OfflineMinutes: 30} }

// Validate checks the [video] section.
func (v Video) Validate() error {
	switch {
	case v.ProbeMinutes < 1 || v.ProbeMinutes > 1440:
		return fmt.Errorf("video.probe_minutes %d: want 1 to 1440", v.ProbeMinutes)
	case v.OfflineMinutes < v.ProbeMinutes || v.OfflineMinutes > 10080:
		return fmt.Errorf("video.offline_minutes %d: want probe_minutes (%d) to 10080", v.OfflineMinutes, v.ProbeMinutes)
	}
	return nil
}
