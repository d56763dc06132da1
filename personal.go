package skygrid

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Personal channel kinds: a message to one person, through a provider set
// up in the configuration file (its credentials never enter the store).
const (
	ChannelAliyunSMS    = "aliyun_sms"    // 阿里云短信 (dysmsapi SendSms)
	ChannelTencentSMS   = "tencent_sms"   // 腾讯云短信 (SendSms 2021-01-11)
	ChannelDingTalkWork = "dingtalk_work" // 钉钉工作通知 (corpconversation asyncsend_v2)
)

// PersonalKinds lists the personal channel kinds.
var PersonalKinds = []string{ChannelAliyunSMS, ChannelTencentSMS, ChannelDingTalkWork}

// IsPersonalKind reports whether kind is a personal channel kind.
func IsPersonalKind(kind string) bool {
	for _, k := range PersonalKinds {
		if k == kind {
			return true
		}
	}
	return false
}

// A DingTalk work notice goes to a user id, or to a phone that the sender
// resolves to one (topapi/v2/user/getbymobile): its recipient is
// "userid:ID" or "mobile:PHONE".
const (
	RecipientUserID = "userid:"
	RecipientMobile = "mobile:"
)

// Person is someone who may be told of a task personally.
type Person struct {
	// Ref names the person in idempotency keys without their phone:
	// "user-12" (a user) or "supervisor-3" (a grid's registered supervisor).
	Ref        string
	Name       string
	Phone      string
	DingTalkID string
}

// PersonalEvents are the events a grid's supervisors are told of
// personally: a new task (or one reassigned to their grid) and the first
// overdue reminder. The second escalation goes to the auditors' groups only.
var PersonalEvents = map[string]bool{NotifyTaskCreated: true, NotifyTaskOverdue: true}

// GridSupervisors decides who is told personally of a task in a grid.
// users are the users whose regions include the grid (by id), registered
// the grid's registered supervisor (table supervisors; nil when none).
// Told are the active users with the role supervisor; when there is none,
// the registered supervisor. People with the same phone are one person:
// the first is kept, and a later one's DingTalk id fills in a missing one.
func GridSupervisors(users []*User, registered *Supervisor) []Person {
	var people []Person
	for _, u := range users {
		if u.Role == RoleSupervisor && !u.Disabled {
			people = append(people, Person{Ref: fmt.Sprintf("user-%d", u.ID), Name: u.Name, Phone: u.Phone, DingTalkID: u.DingTalkID})
		}
	}
	if len(people) == 0 && registered != nil {
		people = []Person{{Ref: fmt.Sprintf("supervisor-%d", registered.ID), Name: registered.Name, Phone: registered.Phone}}
	}
	var out []Person
	byPhone := map[string]int{}
	for _, p := range people {
		phone, err := ParsePhone(p.Phone)
		if err == nil && phone != "" {
			if i, ok := byPhone[phone]; ok {
				if out[i].DingTalkID == "" {
					out[i].DingTalkID = p.DingTalkID
				}
				continue
			}
			byPhone[phone] = len(out)
		}
		out = append(out, p)
	}
	return out
}

// PersonalRecipient returns the address a personal channel kind reaches
// the person at, or "" when it cannot: SMS needs a mainland mobile; a
// DingTalk work notice a DingTalk user id, else a mobile to look one up.
func PersonalRecipient(kind string, p Person) string {
	mobile, ok := MobilePhone(p.Phone)
	switch kind {
	case ChannelAliyunSMS, ChannelTencentSMS:
		if ok {
			return mobile
		}
	case ChannelDingTalkWork:
		if p.DingTalkID != "" {
			return RecipientUserID + p.DingTalkID
		}
		if ok {
			return RecipientMobile + mobile
		}
	}
	return ""
}

// PersonalMessages returns the personal messages of a notice: one per
// person and configured personal channel kind that can reach them, none
// for an event not in PersonalEvents. The key names the event, task,
// escalation level, version, person and kind, so each is queued once.
func PersonalMessages(n Notice, people []Person, kinds []string, payload string) []*OutboxMessage {
	if !PersonalEvents[n.Event] {
		return nil
	}
	title, text := PersonalText(n)
	var out []*OutboxMessage
	reach(people, kinds, func(p Person, kind, to string) {
		key := fmt.Sprintf("%s/task-%d/level-%d/version-%d/%s/%s", n.Event, n.TaskID, n.Escalation, n.Version, p.Ref, kind)
		out = append(out, &OutboxMessage{Key: key, Kind: kind, Recipient: to, RecipientName: p.Name, Event: n.Event,
			TaskID: n.TaskID, Title: title, Text: text + "\n\n编号 " + key, Payload: payload})
	})
	return out
}

// reach calls fn for each person and personal kind that can reach them
// (PersonalRecipient), once per kind and address (two people with one
// phone are told once).
func reach(people []Person, kinds []string, fn func(p Person, kind, to string)) {
	seen := map[string]bool{}
	for _, p := range people {
		for _, kind := range kinds {
			to := PersonalRecipient(kind, p)
			if to == "" || seen[kind+" "+to] {
				continue
			}
			seen[kind+" "+to] = true
			fn(p, kind, to)
		}
	}
}

// PersonalText renders a notice for the supervisor it is sent to: a title
// and a markdown text in Chinese, times in Beijing time.
func PersonalText(n Notice) (title, text string) {
	title = headline(n, map[string]string{
		NotifyTaskCreated: "您有新的核查任务",
		NotifyTaskOverdue: "任务已超时，请尽快到场核查并上报",
	})
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", title)
	fmt.Fprintf(&b, "- 类别：%s\n", ClassNames[n.Class])
	fmt.Fprintf(&b, "- 地点：%s\n", placeOf(n))
	fmt.Fprintf(&b, "- 位置：%.5f, %.5f\n", n.Lon, n.Lat)
	_, seen := taskWords(n.Class)
	fmt.Fprintf(&b, "- %s：%s\n", seen, n.FirstSeen.In(Beijing).Format("2006-01-02 15:04"))
	fmt.Fprintf(&b, "- 上报时限：%s\n", n.ReportDue.In(Beijing).Format("2006-01-02 15:04"))
	if n.Link != "" {
		fmt.Fprintf(&b, "\n[查看任务](%s)\n", n.Link)
	}
	return title, b.String()
}

func placeOf(n Notice) string {
	switch {
	case n.Place != "":
		return n.Place
	case n.GridID != "":
		return "网格 " + n.GridID
	}
	return "未落入任何网格"
}

// SMSFields are the notice fields an SMS template parameter may take. SMS
// templates in China are approved in advance: only the parameters vary,
// each short, and links are not allowed in them.
var SMSFields = map[string]string{
	"task_id":  "任务编号 (12)",
	"event":    "事件 (新任务 / 任务超时)",
	"class":    "类别 (疑似秸秆焚烧)",
	"place":    "地点 (浑源县 王庄堡镇 网格名)",
	"deadline": "上报时限, 北京时间 (10月24日15:04)",
	"found":    "卫星发现时间, 北京时间 (10月24日13:30)",
	"lonlat":   "经纬度 (113.70123,39.70123)",
}

// SMSParam returns the value of one SMS template field for a notice, cut
// to max characters (0: no limit).
func SMSParam(n Notice, field string, max int) (string, error) {
	var v string
	switch field {
	case "task_id":
		v = strconv.FormatInt(n.TaskID, 10)
	case "event":
		v = map[string]string{NotifyTaskCreated: "新任务", NotifyTaskOverdue: "任务超时", NotifyTaskEscalated: "任务严重超时"}[n.Event]
	case "class":
		v = ClassNames[n.Class]
	case "place":
		v = placeOf(n)
	case "deadline":
		v = n.ReportDue.In(Beijing).Format("1月2日15:04")
	case "found":
		v = n.FirstSeen.In(Beijing).Format("1月2日15:04")
	case "lonlat":
		v = fmt.Sprintf("%.5f,%.5f", n.Lon, n.Lat)
	default:
		return "", Errorf(EINVALID, "SMS template parameter %q: want one of task_id, event, class, place, deadline, found, lonlat", field)
	}
	if v == "" {
		v = "-" // providers refuse empty parameters
	}
	if r := []rune(v); max > 0 && len(r) > max {
		v = string(r[:max])
	}
	return v, nil
}

// ParsePhone checks a phone number and returns it in one form: a
// mainland mobile as its 11 digits (13812345678), a landline as area code
// and number (0352-1234567). Spaces and hyphens may separate digits; +86,
// 0086 or 86 may come first. Empty stays empty.
func ParsePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 || !utf8.ValidString(s) {
		return "", Errorf(EINVALID, "phone %q: control characters", s)
	}
	bad := Errorf(EINVALID, "phone %q: want an 11-digit mainland mobile (13812345678, +86 allowed) or a landline with its area code (0352-1234567)", s)
	d := strings.NewReplacer(" ", "", "-", "").Replace(s)
	intl := false
	switch {
	case strings.HasPrefix(d, "+86"):
		d, intl = d[3:], true
	case strings.HasPrefix(d, "0086"):
		d, intl = d[4:], true
	case strings.HasPrefix(d, "86") && len(d) == 13:
		d, intl = d[2:], true
	}
	if d == "" || strings.Trim(d, "0123456789") != "" {
		return "", bad
	}
	if len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' {
		return d, nil
	}
	if intl && d[0] != '0' {
		d = "0" + d // +86 352 1234567
	}
	if d[0] != '0' || d[1] == '0' {
		return "", bad
	}
	area := 4
	if d[1] == '1' || d[1] == '2' {
		area = 3 // 010 Beijing, 020-029
	}
	if local := len(d) - area; local < 7 || local > 8 {
		return "", bad
	}
	return d[:area] + "-" + d[area:], nil
}

// MobilePhone returns the 11-digit mainland mobile number in s when s is
// one (in any form ParsePhone takes).
func MobilePhone(s string) (string, bool) {
	p, err := ParsePhone(s)
	if err != nil || len(p) != 11 || p[0] != '1' {
		return "", false
	}
	return p, true
}

// CheckDingTalkID checks a DingTalk user id (userid): 1-64 characters, no
// spaces, commas or control characters (work notices list ids with commas).
func CheckDingTalkID(id string) error {
	switch {
	case id == "":
		return nil
	case len(id) > 64 || !utf8.ValidString(id):
		return Errorf(EINVALID, "DingTalk id: want at most 64 characters")
	case strings.IndexFunc(id, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) || r == ',' }) >= 0:
		return Errorf(EINVALID, "DingTalk id %q: no spaces, commas or control characters", id)
	}
	return nil
}

// MaskPhone hides the middle of a phone number or an id: 138****5678,
// 03****67; "" stays "".
func MaskPhone(s string) string {
	r := []rune(s)
	switch n := len(r); {
	case n == 0:
		return ""
	case n >= 11:
		return string(r[:3]) + "****" + string(r[n-4:])
	case n >= 7:
		return string(r[:2]) + "****" + string(r[n-2:])
	}
	return "****"
}

// MaskRecipient masks a personal message's recipient for display: the
// phone or id masked, the DingTalk prefix kept (userid:ma****20).
func MaskRecipient(s string) string {
	for _, p := range []string{RecipientUserID, RecipientMobile} {
		if strings.HasPrefix(s, p) {
			return p + MaskPhone(s[len(p):])
		}
	}
	return MaskPhone(s)
}
