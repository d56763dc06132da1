package skygrid_test

import (
	"testing"
	"time"

	"skygrid"
)

// The video rule's area is a figure of the rules: a 4,500 m² site without
// video breaks a 4,000 m² rule, not Datong's 5,000 m² one.
func TestSiteRulesVideoArea(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rules skygrid.SiteRules
		area  float64
		attrs map[string]string
		want  string
	}{
		{"below the default area", skygrid.DefaultSiteRules(), 4500, map[string]string{skygrid.AttrVideo: "no"}, ""},
		{"at the default area", skygrid.DefaultSiteRules(), 5000, map[string]string{skygrid.AttrVideo: "no"}, skygrid.ViolationNoVideo},
		{"4,000 m² rule, no video", skygrid.SiteRules{VideoAreaM2: 4000}, 4500, map[string]string{skygrid.AttrVideo: "no"}, skygrid.ViolationNoVideo},
		{"4,000 m² rule, video offline", skygrid.SiteRules{VideoAreaM2: 4000}, 4500, map[string]string{skygrid.AttrVideo: "yes"}, skygrid.ViolationVideoOffline},
		{"4,000 m² rule, video connected", skygrid.SiteRules{VideoAreaM2: 4000}, 4500,
			map[string]string{skygrid.AttrVideo: "yes", skygrid.AttrPlatformID: "DT-1"}, ""},
		{"10,000 m² rule", skygrid.SiteRules{VideoAreaM2: 10000}, 8000, map[string]string{skygrid.AttrVideo: "no"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &skygrid.Site{Kind: skygrid.SiteConstruction, AreaM2: tc.area, Attrs: tc.attrs}
			if got := tc.rules.Check(s); got != tc.want {
				t.Errorf("Check = %q, want %q", got, tc.want)
			}
		})
	}
	s := &skygrid.Site{Kind: skygrid.SiteConstruction, AreaM2: 5000, Attrs: map[string]string{skygrid.AttrVideo: "no"}}
	if s.CheckRules() != skygrid.ViolationNoVideo {
		t.Errorf("CheckRules does not apply the default rules")
	}
}

// The escalation levels: the officials once a deadline is OfficialAfter
// behind, the auditors once the report is late by AuditorsRatio times the
// time given (a fire task: 60 minutes).
func TestEscalationPolicy(t *testing.T) {
	created := time.Date(2023, 10, 24, 6, 0, 0, 0, time.UTC)
	task := func() *skygrid.Task {
		return &skygrid.Task{State: skygrid.TaskDispatched, CreatedAt: created, AckDue: created.Add(30 * time.Minute),
			ReportDue: created.Add(time.Hour)}
	}
	at := func(d time.Duration) time.Time { return created.Add(d) }
	for _, tc := range []struct {
		name   string
		policy skygrid.EscalationPolicy
		now    time.Time
		want   int
	}{
		{"default, in time", skygrid.DefaultEscalation(), at(29 * time.Minute), 0},
		{"default, ack overdue", skygrid.DefaultEscalation(), at(31 * time.Minute), 1},
		{"default, late by less than given", skygrid.DefaultEscalation(), at(119 * time.Minute), 1},
		{"default, late by as long again", skygrid.DefaultEscalation(), at(121 * time.Minute), 2},
		{"officials after 20 minutes, ack 1 minute late", skygrid.EscalationPolicy{OfficialAfter: 20 * time.Minute, AuditorsRatio: 1}, at(31 * time.Minute), 0},
		{"officials after 20 minutes, ack 21 minutes late", skygrid.EscalationPolicy{OfficialAfter: 20 * time.Minute, AuditorsRatio: 1}, at(51 * time.Minute), 1},
		{"auditors at half the time given", skygrid.EscalationPolicy{AuditorsRatio: 0.5}, at(91 * time.Minute), 2},
		{"auditors at twice the time given", skygrid.EscalationPolicy{AuditorsRatio: 2}, at(121 * time.Minute), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.policy.Level(task(), tc.now); got != tc.want {
				t.Errorf("Level = %d, want %d", got, tc.want)
			}
		})
	}
	if got := task().EscalationDue(at(121 * time.Minute)); got != 2 {
		t.Errorf("EscalationDue = %d, want the default policy's 2", got)
	}
}
