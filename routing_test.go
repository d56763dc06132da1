package skygrid_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"skygrid"
)

func TestTaskRegion(t *testing.T) {
	tests := []struct {
		name string
		task skygrid.Task
		want string
	}{
		{"grid first", skygrid.Task{GridID: "g1", TownshipID: "t1", CountyID: "c1"}, "g1"},
		{"township without a grid", skygrid.Task{TownshipID: "t1", CountyID: "c1"}, "t1"},
		{"county only", skygrid.Task{CountyID: "c1"}, "c1"},
		{"the city's unassigned queue", skygrid.Task{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := skygrid.TaskRegion(&tt.task); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestToldPersonally(t *testing.T) {
	sms := []string{skygrid.ChannelAliyunSMS}
	tests := []struct {
		name  string
		grid  string
		event string
		kinds []string
		want  bool
	}{
		{"new task in a grid", "g1", skygrid.NotifyTaskCreated, sms, true},
		{"first overdue reminder", "g1", skygrid.NotifyTaskOverdue, sms, true},
		{"second escalation: the auditors' groups only", "g1", skygrid.NotifyTaskEscalated, sms, false},
		{"no personal kind configured", "g1", skygrid.NotifyTaskCreated, nil, false},
		{"no grid", "", skygrid.NotifyTaskCreated, sms, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := skygrid.ToldPersonally(&skygrid.Task{GridID: tt.grid}, tt.event, tt.kinds); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTaskAudiences(t *testing.T) {
	tests := []struct {
		event, want string
	}{
		{skygrid.NotifyTaskCreated, "all officials"},
		{skygrid.NotifyTaskOverdue, "all officials"},
		{skygrid.NotifyTaskEscalated, "all auditors"},
		{skygrid.NotifyFeedFailing, ""},
	}
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			if got := strings.Join(skygrid.TaskAudiences[tt.event], " "); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPlaceName(t *testing.T) {
	tests := []struct {
		name  string
		names []string
		want  string
	}{
		{"county, township, grid", []string{"浑源县", "王庄堡镇", "第1网格"}, "浑源县 王庄堡镇 第1网格"},
		{"a generated grid carries its county's name", []string{"浑源县", "浑源县 12行2列"}, "浑源县 12行2列"},
		{"empty names left out", []string{"", "王庄堡镇", ""}, "王庄堡镇"},
		{"nothing", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := skygrid.PlaceName(tt.names...); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTaskMessages(t *testing.T) {
	due := time.Date(2023, 10, 24, 7, 0, 0, 0, time.UTC) // 15:00 in Beijing
	task := &skygrid.Task{ID: 12, EventID: 7, GridID: "g1", CountyID: "c1", SupervisorName: "张三", ReportDue: due, Escalation: 1, Version: 4}
	n := skygrid.TaskNotice(task, skygrid.NotifyTaskOverdue, "http://x", "浑源县 第1网格", 113.5, 39.7, due.Add(-90*time.Minute), skygrid.ClassStrawBurning)
	if n.Link != "http://x/#/tasks/12" || n.Class != skygrid.ClassStrawBurning || n.Place != "浑源县 第1网格" || n.Lon != 113.5 {
		t.Fatalf("notice %+v", n)
	}
	people := []skygrid.Person{{Ref: "user-3", Name: "张三", Phone: "13900000003"}}
	tests := []struct {
		name     string
		channels []int64
		kinds    []string
		keys     string
	}{
		{"two groups", []int64{5, 9}, nil, "task.overdue/task-12/level-1/version-4/channel-5 task.overdue/task-12/level-1/version-4/channel-9"},
		{"a group and an SMS", []int64{5}, []string{skygrid.ChannelAliyunSMS},
			"task.overdue/task-12/level-1/version-4/channel-5 task.overdue/task-12/level-1/version-4/user-3/aliyun_sms"},
		{"nobody", nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var keys []string
			for _, m := range skygrid.TaskMessages(n, tt.channels, people, tt.kinds) {
				keys = append(keys, m.Key)
				var back skygrid.Notice
				if err := json.Unmarshal([]byte(m.Payload), &back); err != nil || back.TaskID != 12 || back.Link != n.Link {
					t.Errorf("payload %s: %v", m.Payload, err)
				}
				if m.TaskID != 12 || m.Event != skygrid.NotifyTaskOverdue || !strings.HasSuffix(m.Text, "编号 "+m.Key) || !strings.Contains(m.Title, "任务") {
					t.Errorf("message %+v", m)
				}
			}
			if got := strings.Join(keys, " "); got != tt.keys {
				t.Errorf("keys\n%s\nwant\n%s", got, tt.keys)
			}
		})
	}
}

func TestFeedFailingMessages(t *testing.T) {
	since := time.Date(2023, 10, 24, 1, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		success time.Time
		says    string
	}{
		{"never succeeded", time.Time{}, "- 最后成功：从未成功"},
		{"last success in Beijing time", time.Date(2023, 10, 23, 23, 30, 0, 0, time.UTC), "- 最后成功：2023-10-24 07:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &skygrid.FeedStatus{Source: "VIIRS_SNPP_NRT", LastSuccess: tt.success, LastError: "timeout", FailingSince: since}
			ms := skygrid.FeedFailingMessages(f, "http://x", []int64{3, 4})
			if len(ms) != 2 {
				t.Fatalf("%d messages, want 2", len(ms))
			}
			m := ms[1]
			if m.Key != "feed.failing/VIIRS_SNPP_NRT/2023-10-24T01:00:00Z/channel-4" || m.ChannelID != 4 || m.Title != "卫星数据源中断：VIIRS_SNPP_NRT" ||
				m.Payload != `{"event":"feed.failing","source":"VIIRS_SNPP_NRT"}` {
				t.Errorf("message %+v", m)
			}
			for _, want := range []string{tt.says, "- 最近错误：timeout", "[查看数据源状态](http://x/#/admin/feeds)", "编号 " + m.Key} {
				if !strings.Contains(m.Text, want) {
					t.Errorf("text %q lacks %q", m.Text, want)
				}
			}
		})
	}
}
