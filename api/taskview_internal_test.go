package api

import (
	"testing"
	"time"

	"skygrid"
)

// The history reads every kind of task audit line the store and the
// pipeline write, quoted words and all.
func TestTimeline(t *testing.T) {
	at := time.Date(2023, 10, 30, 9, 0, 0, 0, time.UTC)
	lines := []*skygrid.AuditEntry{
		{ID: 5, Action: "task.escalate", Actor: "escalation", Before: "state=dispatched grid=g1 version=1",
			After: "state=dispatched grid=g1 version=2 escalation=2 to the auditors"},
		{ID: 1, Action: "task.dispatch", Actor: "feed", After: "event=7 to=示例网格员 0001 ack_due=2023-10-30T09:30:00Z report_due=2023-10-30T10:00:00Z"},
		{ID: 6, Action: "task.update", Actor: "feed", After: "event=7 now 3 hotspots, last seen 2023-10-30T10:00:00Z"},
		{ID: 7, Action: "task.reassign", Actor: "hunyuan", Before: "state=dispatched grid=g1 version=2 escalation=2", After: "state=dispatched grid=g2 version=3"},
		{ID: 8, Action: "task.return", Actor: "hunyuan", After: `state=acknowledged grid=g2 version=5 review="看不清 finding=x 请重拍"`},
		{ID: 9, Action: "task.note", Actor: "hunyuan", After: `note="已电话核实 a=b"`},
		{ID: 10, Action: "task.report", Actor: "wg", After: "state=reported grid=g2 version=6 finding=false_alarm photos=2 flagged=abc:far"},
	}
	for _, l := range lines {
		l.At = at
	}
	got := timeline(lines)
	want := []TimelineEntry{
		{Action: "dispatch", Actor: "feed", Assignee: "示例网格员 0001"},
		{Action: "escalate", Actor: "escalation", Level: "2"},
		{Action: "reassign", Actor: "hunyuan", FromGrid: "g1", ToGrid: "g2"},
		{Action: "return", Actor: "hunyuan", Note: "看不清 finding=x 请重拍"},
		{Action: "note", Actor: "hunyuan", Note: "已电话核实 a=b"},
		{Action: "report", Actor: "wg", Finding: "false_alarm", Photos: "2", Flagged: true},
	}
	if len(got) != len(want) {
		t.Fatalf("%d steps, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		want[i].At = at
		if got[i] != want[i] {
			t.Errorf("step %d: %+v\nwant %+v", i, got[i], want[i])
		}
	}
}
