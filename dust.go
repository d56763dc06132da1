package skygrid

import "slices"

// Dust event classes: alarms from the site monitors and the registry, worked
// as tasks on the same lifecycle as fires. They are not in Classes, the
// order in which fires are classified.
const (
	ClassDustExceedance = "dust_exceedance" // 扬尘超标: a dust rule exceeded at a site's monitor
	ClassMonitorOffline = "monitor_offline" // 监测设备离线或数据异常: silent, stuck, out of range, low capture
	ClassSiteInspection = "site_inspection" // 工地/堆场检查: a registry violation (video, uncovered pile)
)

// DustClasses lists the dust classes.
var DustClasses = []string{ClassDustExceedance, ClassMonitorOffline, ClassSiteInspection}

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
	return Findings
}
