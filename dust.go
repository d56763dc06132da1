package skygrid

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Dust event classes: alarms from the site monitors and the registry, worked
// as tasks on the same lifecycle as fires. They are not in Classes, the
// order in which fires are classified.
const (
	ClassDustExceedance = "dust_exceedance" // 扬尘超标: a dust rule exceeded at a site's monitor
	ClassMonitorOffline = "monitor_offline" // 监测设备离线或数据异常: silent, stuck, out of range, low capture
	ClassSiteInspection = "site_inspection" // 工地/堆场检查: a registry violation (video, uncovered pile)
)

// DustClasses lists the dust classes. A warning's inspection of a listed
// site (ClassEmergencyInspection, warning.go) is one: a site's dust
// findings, left out of the fire figures, drawn as dust.
var DustClasses = []string{ClassDustExceedance, ClassMonitorOffline, ClassSiteInspection, ClassEmergencyInspection}

// IsDust reports whether a class is a dust class.
func IsDust(class string) bool { return slices.Contains(DustClasses, class) }

// Findings of an on-site check of a dust task.
const (
	FindingRectified   = "rectified"    // 已整改（洒水、覆盖）
	FindingStopWork    = "stop_work"    // 停工整改
	FindingDeviceFault = "device_fault" // 设备故障
)

// DustFindings lists the findings a dust task takes, in the order shown.
var DustFindings = []string{FindingRectified, FindingStopWork, FindingDeviceFault, FindingFalseAlarm, FindingNotFound}

// FindingsFor lists the findings a task of the class takes.
func FindingsFor(class string) []string {
	if IsDust(class) {
		return DustFindings
	}
	if class == ClassPublicReport {
		return PublicReportFindings
	}
	return Findings
}

// DustAlarm is one alarm of a dust rule at a monitor (a window that
// exceeded, a data-quality finding), or one registry violation of a site
// (MonitorID 0, Class ClassSiteInspection, Rule the violation), with
// where its event goes: the event it opens when none of its monitor (or
// site) and class is still being worked.
type DustAlarm struct {
	MonitorID int64  `json:"monitor_id,omitempty"`
	SiteID    *int64 `json:"site_id,omitempty"`
	Rule      string `json:"rule"`
	Class     string `json:"class"`
	// Start and End bound the window or stretch (UTC).
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Value  float64   `json:"value"`
	Limit  float64   `json:"limit"`
	Detail string    `json:"detail"`
	// Point is the site's position (the monitor's without a site); the
	// grid, township and county hold it, assigned as fires are.
	Point      orb.Point `json:"-"`
	GridID     string    `json:"grid_id,omitempty"`
	TownshipID string    `json:"township_id,omitempty"`
	CountyID   string    `json:"county_id,omitempty"`
	AssignedBy string    `json:"assigned_by"`
	// AckDue and ReportDue are the deadlines of the task it opens.
	AckDue    time.Time `json:"ack_due"`
	ReportDue time.Time `json:"report_due"`
}

// DustRecorded is what recording alarms did.
type DustRecorded struct {
	// Alarms are the new alarms (an alarm already recorded, same monitor,
	// rule and window start, is not counted again).
	Alarms int `json:"alarms"`
	// EventsNew opened an event and a task; EventsUpdated went to the
	// event still being worked (last seen, count; no new task).
	EventsNew     int `json:"events_new"`
	EventsUpdated int `json:"events_updated"`
	// TaskIDs are the new tasks.
	TaskIDs []int64 `json:"task_ids,omitempty"`
}

// DustService records dust alarms: each new alarm in the same transaction
// as the event and task it opens or updates, their audit lines and the
// task's notifications. An event is still being worked while its task is
// not closed.
type DustService interface {
	RecordDustAlarms(ctx context.Context, alarms []DustAlarm) (DustRecorded, error)
}

// InspectAgainAfter is how long a closed inspection of a registry
// violation stands: the violation opens a new one when the site's record
// changes (imported again) or this long after the close, if it is still
// there.
const InspectAgainAfter = 7 * 24 * time.Hour

// CloseNeedsReason refuses to close a dust task without a reason (the
// review note): EINVALID.
func CloseNeedsReason(class, note string) error {
	if IsDust(class) && strings.TrimSpace(note) == "" {
		return Errorf(EINVALID, "closing a dust task (%s) needs a reason: write it in the review note", ClassNames[class])
	}
	return nil
}
