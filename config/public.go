package config

import (
	"fmt"
	"time"

	"skygrid"
)

// Public is the [public] section: the reports from the public (举报).
type Public struct {
	// ReportsPerAddressHour and ReportsPerPhoneDay bound the reports of one
	// client address an hour and of one phone a day (beyond: 429, nothing
	// stored).
	ReportsPerAddressHour int `toml:"reports_per_address_hour"`
	ReportsPerPhoneDay    int `toml:"reports_per_phone_day"`
	// RespondMinutes is the report deadline of an accepted report's task
	// (acknowledged within the fire task's fire_ack_due, or sooner); 0:
	// the fire task's deadlines.
	RespondMinutes int `toml:"respond_minutes"`
}

// DefaultPublic: 20 reports an hour from an address, 5 a day from a
// phone, the fire task's deadlines.
func DefaultPublic() Public {
	return Public{ReportsPerAddressHour: skygrid.DefaultPublicLimits.PerAddressHour,
		ReportsPerPhoneDay: skygrid.DefaultPublicLimits.PerPhoneDay}
}

// Validate checks the [public] section.
func (p Public) Validate() error {
	switch {
	case p.ReportsPerAddressHour < 1 || p.ReportsPerAddressHour > 10000:
		return fmt.Errorf("public.reports_per_address_hour %d: want 1 to 10000", p.ReportsPerAddressHour)
	case p.ReportsPerPhoneDay < 1 || p.ReportsPerPhoneDay > 1000:
		return fmt.Errorf("public.reports_per_phone_day %d: want 1 to 1000", p.ReportsPerPhoneDay)
	case p.RespondMinutes < 0 || p.RespondMinutes > 7*24*60:
		return fmt.Errorf("public.respond_minutes %d: want 0 to 10080 (a week)", p.RespondMinutes)
	}
	return nil
}

// Limits are the section's limits.
func (p Public) Limits() skygrid.PublicLimits {
	return skygrid.PublicLimits{PerAddressHour: p.ReportsPerAddressHour, PerPhoneDay: p.ReportsPerPhoneDay}
}

// Deadlines are an accepted report's task's: the fire task's (ack, report),
// the report deadline respond_minutes when set (the acknowledgement no
// later).
func (p Public) Deadlines(fireAck, fireReport time.Duration) (ack, report time.Duration) {
	if p.RespondMinutes <= 0 {
		return fireAck, fireReport
	}
	report = time.Duration(p.RespondMinutes) * time.Minute
	return min(fireAck, report), report
}
