package dispatch

import (
	"fmt"
	"time"

	"skygrid"
	"skygrid/detect"
)

// Config is the pipeline's part of the configuration (config.Config
// embeds it: the top-level keys, [detect] and [dispatch]); DefaultConfig
// has the defaults of DESIGN.md.
type Config struct {
	Detect detect.Config `toml:"detect"`
	// AreaMarginMetres: detections farther than this outside the imported
	// regions are counted, not stored.
	AreaMarginMetres float64 `toml:"area_margin_metres"`
	// AssignToleranceMetres: an event outside every grid goes to the
	// nearest grid within this distance, else to the city's unassigned queue.
	AssignToleranceMetres float64 `toml:"assign_tolerance_metres"`
	// FireClasses get the fire deadlines; other dispatched classes get the
	// other deadlines.
	FireClasses    []string        `toml:"fire_classes"`
	FireAckDue     detect.Duration `toml:"fire_ack_due"`
	FireReportDue  detect.Duration `toml:"fire_report_due"`
	OtherAckDue    detect.Duration `toml:"other_ack_due"`
	OtherReportDue detect.Duration `toml:"other_report_due"`
	// Dispatch: which events are worked.
	Dispatch DispatchConfig `toml:"dispatch"`
}

// DispatchConfig says which events become tasks.
type DispatchConfig struct {
	// MaxAge: a detection acquired longer than this before the pipeline's
	// clock is history: its event is recorded without a task, deadline
	// or notification (a back-filled archive floods no one). An event
	// becomes live, with its task, when a fresher detection joins it.
	MaxAge detect.Duration `toml:"max_age"`
}

// DefaultConfig returns the defaults of DESIGN.md.
func DefaultConfig() Config {
	return Config{
		Detect:                detect.DefaultConfig(),
		AreaMarginMetres:      5000,
		AssignToleranceMetres: 500,
		FireClasses:           []string{skygrid.ClassStrawBurning, skygrid.ClassOpenBurning, skygrid.ClassLooseCoal},
		FireAckDue:            detect.Duration{Duration: 30 * time.Minute},
		FireReportDue:         detect.Duration{Duration: 60 * time.Minute},
		OtherAckDue:           detect.Duration{Duration: 24 * time.Hour},
		OtherReportDue:        detect.Duration{Duration: 24 * time.Hour},
		Dispatch:              DispatchConfig{MaxAge: detect.Duration{Duration: 24 * time.Hour}},
	}
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if err := c.Detect.Validate(); err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	if reason := skygrid.RangeMetres.Check(c.AreaMarginMetres); reason != "" {
		return fmt.Errorf("area_margin_metres: %s", reason)
	}
	if reason := skygrid.RangeMetres.Check(c.AssignToleranceMetres); reason != "" {
		return fmt.Errorf("assign_tolerance_metres: %s", reason)
	}
	for _, cl := range c.FireClasses {
		ok := false
		for _, k := range skygrid.Classes {
			ok = ok || k == cl
		}
		if !ok {
			return fmt.Errorf("fire_classes: unknown class %q", cl)
		}
	}
	if c.Dispatch.MaxAge.Duration < time.Hour {
		return fmt.Errorf("dispatch.max_age %s: at least 1h (detections older than it are history)", c.Dispatch.MaxAge.Duration)
	}
	if c.FireAckDue.Duration <= 0 || c.FireReportDue.Duration <= 0 || c.OtherAckDue.Duration <= 0 || c.OtherReportDue.Duration <= 0 {
		return fmt.Errorf("due times must be positive")
	}
	return nil
}

// dueTimes returns the deadlines of a task of class created at t.
func (c Config) dueTimes(class string, t time.Time) (ack, report time.Time) {
	for _, cl := range c.FireClasses {
		if cl == class {
			return t.Add(c.FireAckDue.Duration), t.Add(c.FireReportDue.Duration)
		}
	}
	return t.Add(c.OtherAckDue.Duration), t.Add(c.OtherReportDue.Duration)
}
