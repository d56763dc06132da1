package skygrid_test

import (
	"strings"
	"testing"
	"time"

	"skygrid"
)

func TestParsePhone(t *testing.T) {
	for _, tt := range []struct {
		name, in, want, err string
		mobile              bool
	}{
		{"mobile", "13812345678", "13812345678", "", true},
		{"spaced +86", " +86 138 1234 5678 ", "13812345678", "", true},
		{"0086 hyphens", "0086-138-1234-5678", "13812345678", "", true},
		{"86 prefix", "8613812345678", "13812345678", "", true},
		{"empty", "", "", "", false},
		{"Datong landline", "0352-1234567", "0352-1234567", "", false},
		{"landline 8 digits", "0352 12345678", "0352-12345678", "", false},
		{"Beijing", "01012345678", "010-12345678", "", false},
		{"+86 landline", "+86 352 1234567", "0352-1234567", "", false},
		{"short", "138", "", "11-digit mainland mobile", false},
		{"no such mobile prefix", "12812345678", "", "11-digit mainland mobile", false},
		{"letters", "1381234567a", "", "11-digit mainland mobile", false},
		{"abroad", "+1 202 555 0100", "", "11-digit mainland mobile", false},
		{"landline too short", "0352-123", "", "11-digit mainland mobile", false},
		{"control", "138\x0012345678", "", "control characters", false},
		{"newline", "1381234\n5678", "", "control characters", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := skygrid.ParsePhone(tt.in)
			if tt.err != "" {
				if skygrid.ErrorCode(err) != skygrid.EINVALID || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParsePhone(%q) = %q, %v; want an error with %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParsePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			if m, ok := skygrid.MobilePhone(tt.in); ok != tt.mobile || (ok && m != tt.want) {
				t.Errorf("MobilePhone(%q) = %q, %v", tt.in, m, ok)
			}
		})
	}
}

func TestCheckDingTalkIDAndMasks(t *testing.T) {
	for _, tt := range []struct {
		id string
		ok bool
	}{{"manager4220", true}, {"0468215762701215", true}, {"", true}, {"a,b", false}, {"a b", false}, {"a\tb", false},
		{strings.Repeat("x", 65), false}} {
		if err := skygrid.CheckDingTalkID(tt.id); (err == nil) != tt.ok {
			t.Errorf("CheckDingTalkID(%q): %v", tt.id, err)
		}
	}
	for in, want := range map[string]string{"13812345678": "138****5678", "0352-1234567": "035****4567", "manager4220": "man****4220",
		"wg0001": "****", "": "", "userid:manager4220": "userid:man****4220", "mobile:13812345678": "mobile:138****5678"} {
		if got := skygrid.MaskRecipient(in); got != want {
			t.Errorf("MaskRecipient(%q) = %q, want %q", in, got, want)
		}
	}
}

// Who is told: the grid's active supervisor users, else its registered
// supervisor; one person per phone.
func TestGridSupervisors(t *testing.T) {
	sup := func(id int64, name, phone, ding string) *skygrid.User {
		return &skygrid.User{ID: id, Name: name, Phone: phone, DingTalkID: ding, Role: skygrid.RoleSupervisor}
	}
	official := &skygrid.User{ID: 5, Name: "干部", Phone: "13900000005", Role: skygrid.RoleOfficial}
	disabled := sup(6, "离职", "13900000006", "")
	disabled.Disabled = true
	registered := &skygrid.Supervisor{ID: 9, GridID: "g1", Name: "登记网格员", Phone: "13900000009"}
	refs := func(ps []skygrid.Person) string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Ref+":"+p.DingTalkID)
		}
		return strings.Join(out, ",")
	}
	for _, tt := range []struct {
		name       string
		users      []*skygrid.User
		registered *skygrid.Supervisor
		want       string
	}{
		{"users cover the grid", []*skygrid.User{official, sup(3, "张三", "13900000003", "zs"), sup(4, "李四", "", "ls")}, registered,
			"user-3:zs,user-4:ls"},
		{"no supervisor user: the registered one", []*skygrid.User{official, disabled}, registered, "supervisor-9:"},
		{"nobody", []*skygrid.User{official}, nil, ""},
		{"one per phone, the DingTalk id filled in", []*skygrid.User{sup(3, "张三", "13900000003", ""), sup(7, "张三(钉钉)", "+86 139 0000 0003", "zs")},
			nil, "user-3:zs"},
		{"no phone is no duplicate", []*skygrid.User{sup(3, "a", "", "x"), sup(4, "b", "", "y")}, nil, "user-3:x,user-4:y"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := refs(skygrid.GridSupervisors(tt.users, tt.registered)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPersonalMessages(t *testing.T) {
	due := time.Date(2023, 10, 24, 7, 0, 0, 0, time.UTC) // 15:00 in Beijing
	n := skygrid.Notice{Event: skygrid.NotifyTaskOverdue, TaskID: 12, Class: skygrid.ClassStrawBurning, GridID: "g1", Place: "浑源县 第1网格",
		ReportDue: due, FirstSeen: due.Add(-90 * time.Minute), Escalation: 1, Version: 4, Link: "http://x/#/tasks/12"}
	people := []skygrid.Person{
		{Ref: "user-3", Name: "张三", Phone: "13900000003", DingTalkID: "zs"},
		{Ref: "user-4", Name: "李四", Phone: "0352-1234567"}, // a landline: no SMS, no DingTalk lookup
		{Ref: "user-5", Name: "王五", Phone: "13900000005"},
		{Ref: "user-6", Name: "赵六", DingTalkID: "zs"}, // the same DingTalk user as 张三
	}
	kinds := []string{skygrid.ChannelTencentSMS, skygrid.ChannelDingTalkWork}
	ms := skygrid.PersonalMessages(n, people, kinds, `{"task_id":12}`)
	var got []string
	for _, m := range ms {
		got = append(got, m.Kind+" "+m.Recipient+" "+m.RecipientName)
		if m.Key != "task.overdue/task-12/level-1/version-4/"+map[string]string{"张三": "user-3", "王五": "user-5"}[m.RecipientName]+"/"+m.Kind ||
			m.Payload != `{"task_id":12}` || m.ChannelID != 0 || !strings.HasSuffix(m.Text, "编号 "+m.Key) ||
			!strings.Contains(m.Title, "任务已超时") || !strings.Contains(m.Text, "上报时限：2023-10-24 15:00") {
			t.Errorf("message %+v", m)
		}
	}
	want := "tencent_sms 13900000003 张三|dingtalk_work userid:zs 张三|tencent_sms 13900000005 王五|dingtalk_work mobile:13900000005 王五"
	if strings.Join(got, "|") != want {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
	// The second escalation goes to the auditors' groups only.
	n.Event = skygrid.NotifyTaskEscalated
	if ms := skygrid.PersonalMessages(n, people, kinds, "{}"); len(ms) != 0 {
		t.Errorf("escalated: %d personal messages", len(ms))
	}
	if ms := skygrid.PersonalMessages(skygrid.Notice{Event: skygrid.NotifyTaskCreated, TaskID: 1}, people, nil, "{}"); len(ms) != 0 {
		t.Errorf("no kinds: %d personal messages", len(ms))
	}
}

func TestSMSParam(t *testing.T) {
	due := time.Date(2023, 10, 24, 7, 5, 0, 0, time.UTC)
	n := skygrid.Notice{Event: skygrid.NotifyTaskCreated, TaskID: 12, Class: skygrid.ClassStrawBurning, Place: "浑源县 王庄堡镇 第十二网格",
		ReportDue: due, FirstSeen: due.Add(-time.Hour), Lon: 113.7, Lat: 39.7}
	for _, tt := range []struct {
		field string
		max   int
		want  string
	}{
		{"task_id", 0, "12"}, {"event", 0, "新任务"}, {"class", 0, "疑似秸秆焚烧"}, {"place", 0, "浑源县 王庄堡镇 第十二网格"},
		{"place", 7, "浑源县 王庄堡"}, {"deadline", 0, "10月24日15:05"}, {"found", 0, "10月24日14:05"}, {"lonlat", 0, "113.70000,39.70000"},
	} {
		if got, err := skygrid.SMSParam(n, tt.field, tt.max); err != nil || got != tt.want {
			t.Errorf("%s (max %d): %q, %v; want %q", tt.field, tt.max, got, err, tt.want)
		}
	}
	if _, err := skygrid.SMSParam(n, "link", 0); skygrid.ErrorCode(err) != skygrid.EINVALID {
		t.Errorf("link: %v", err)
	}
	if got, _ := skygrid.SMSParam(skygrid.Notice{}, "place", 0); got != "未落入任何网格" {
		t.Errorf("no place: %q", got)
	}
}
