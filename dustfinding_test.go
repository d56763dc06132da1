package skygrid

import (
	"strings"
	"testing"
	"time"
)

// A dust task takes the dust findings, a fire task the fire ones; closing
// a dust task needs a reason, closing a fire task does not.
func TestDustTaskFindingsAndClose(t *testing.T) {
	admin := &User{ID: 1, Name: "admin", Role: RoleAdmin}
	at := time.Date(2026, 11, 5, 2, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name, class, action, finding, notes string
		from                                string
		want                                string // error code, "" none
	}{
		{"dust finding on a dust task", ClassDustExceedance, ActionReport, FindingRectified, "", TaskAcknowledged, ""},
		{"fire finding on a dust task", ClassMonitorOffline, ActionReport, FindingStrawBurning, "", TaskAcknowledged, EINVALID},
		{"dust finding on a fire task", ClassStrawBurning, ActionReport, FindingStopWork, "", TaskAcknowledged, EINVALID},
		{"false alarm on an inspection", ClassSiteInspection, ActionReport, FindingFalseAlarm, "", TaskAcknowledged, ""},
		{"close a dust task without a reason", ClassDustExceedance, ActionClose, "", " ", TaskReported, EINVALID},
		{"close a dust task with one", ClassDustExceedance, ActionClose, "", "已覆盖，复测达标", TaskReported, ""},
		{"close a fire task without one", ClassStrawBurning, ActionClose, "", "", TaskReported, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k := &Task{ID: 7, State: tt.from, EventClass: tt.class}
			err := k.Transition(tt.action, admin, TaskChange{Finding: tt.finding, Notes: tt.notes, Photos: 1}, at)
			if ErrorCode(err) != tt.want {
				t.Fatalf("got %v, want code %q", err, tt.want)
			}
		})
	}
}

// A dust task's notice says it is a dust alarm and when the alarm came,
// not a satellite's fire.
func TestDustNoticeText(t *testing.T) {
	at := time.Date(2026, 11, 5, 2, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name, class, title, seen string
	}{
		{"dust", ClassDustExceedance, "新扬尘报警任务 #3 扬尘超标", "- 首次报警：2026-11-05 10:00"},
		{"fire", ClassStrawBurning, "新火点任务 #3 疑似秸秆焚烧", "- 卫星发现：2026-11-05 10:00"},
		// A registry violation is no alarm: the site is to be inspected.
		{"inspection", ClassSiteInspection, "新工地检查任务 #3 " + ClassNames[ClassSiteInspection], "- 发现时间：2026-11-05 10:00"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			title, text := NoticeText(Notice{Event: NotifyTaskCreated, TaskID: 3, Class: tt.class, FirstSeen: at, ReportDue: at})
			if title != tt.title || !strings.Contains(text, tt.seen) {
				t.Errorf("title %q, text %q; want %q and %q", title, text, tt.title, tt.seen)
			}
		})
	}
}

// A group's notice names the task's place as people say it (county,
// township, grid), the grid's code beside; a supervisor's own notice
// says when a dust alarm came or a citizen reported, not 卫星发现.
func TestNoticeTextNamesPlace(t *testing.T) {
	at := time.Date(2026, 11, 5, 2, 0, 0, 0, time.UTC)
	n := Notice{Event: NotifyTaskCreated, TaskID: 3, Class: ClassStrawBurning, FirstSeen: at, ReportDue: at,
		GridID: "140225-008-006", Supervisor: "张三", Place: "浑源县 王庄堡镇 王庄堡村网格"}
	_, text := NoticeText(n)
	for _, want := range []string{"- 地点：浑源县 王庄堡镇 王庄堡村网格（网格员 张三）\n", "- 网格编号：140225-008-006\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("group notice %q: want %q", text, want)
		}
	}
	n.Place = ""
	if _, text := NoticeText(n); !strings.Contains(text, "- 网格：140225-008-006（网格员 张三）\n") {
		t.Errorf("group notice without a place name %q", text)
	}
	for class, seen := range map[string]string{ClassDustExceedance: "- 首次报警：", ClassPublicReport: "- 群众举报：", ClassStrawBurning: "- 卫星发现："} {
		n.Class = class
		if _, text := PersonalText(n); !strings.Contains(text, seen+"2026-11-05 10:00") {
			t.Errorf("%s: personal notice %q: want %q", class, text, seen)
		}
	}
}
