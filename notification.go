package skygrid

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Notification channel kinds.
const (
	ChannelDingTalk = "dingtalk" // 钉钉群机器人: markdown, signed with timestamp + HMAC-SHA256
	ChannelWeCom    = "wecom"    // 企业微信群机器人: markdown
	ChannelWebhook  = "webhook"  // generic JSON POST
)

// Notification events.
const (
	NotifyTaskCreated   = "task.created"
	NotifyTaskOverdue   = "task.overdue"
	NotifyTaskEscalated = "task.escalated"
)

// Channel is a notification receiver configured for a region: messages
// about tasks in the region (or below it) go there.
type Channel struct {
	ID       int64  `json:"id"`
	RegionID string `json:"region_id"`
	Kind     string `json:"kind"`
	URL      string `json:"url"`
	// Secret signs DingTalk messages; never shown by the API.
	Secret string `json:"-"`
	// Audience: all, officials, auditors or admins (who the group is).
	Audience  string    `json:"audience"`
	CreatedAt time.Time `json:"created_at"`
}

// OutboxMessage is one notification to one channel (a group robot, a
// webhook) or to one person (a personal channel kind and their address),
// written in the same transaction as the change it tells of and sent by
// the notify worker.
type OutboxMessage struct {
	ID int64 `json:"id"`
	// Key is the idempotency key (event, task, channel or person and
	// kind): the same change never queues twice, and receivers can drop
	// repeats.
	Key string `json:"key"`
	// ChannelID is the channel's; 0 for a personal message.
	ChannelID int64 `json:"channel_id"`
	// Kind is the channel's kind (filled by ClaimOutbox and FindOutbox) or
	// the personal message's (aliyun_sms, tencent_sms, dingtalk_work).
	Kind string `json:"kind"`
	// URL and Secret are the channel's, filled by ClaimOutbox.
	URL    string `json:"-"`
	Secret string `json:"-"`
	// Recipient is a personal message's address: a mobile for SMS,
	// "userid:ID" or "mobile:PHONE" for a DingTalk work notice. It is never
	// shown: RecipientMasked is (138****5678).
	Recipient       string `json:"-"`
	RecipientMasked string `json:"recipient,omitempty"`
	RecipientName   string `json:"recipient_name,omitempty"`
	Event           string `json:"event"`
	TaskID          int64  `json:"task_id,omitempty"`
	// Title and Text (markdown) are the message; Payload is the JSON the
	// generic webhook receives.
	Title     string    `json:"title"`
	Text      string    `json:"text"`
	Payload   string    `json:"payload"`
	Attempts  int       `json:"attempts"`
	NextAt    time.Time `json:"next_at"`
	SentAt    time.Time `json:"sent_at"`
	LastError string    `json:"last_error,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// OutboxService is what the notify worker needs from the store.
type OutboxService interface {
	// ClaimOutbox returns up to n unsent messages due at now and not
	// claimed by another worker, and claims them until now+lease.
	ClaimOutbox(ctx context.Context, now time.Time, n int, lease time.Duration) ([]*OutboxMessage, error)
	// MarkSent records a delivered message: it is never sent again.
	MarkSent(ctx context.Context, id int64, at time.Time) error
	// MarkFailed records a failed attempt and when to try again.
	MarkFailed(ctx context.Context, id int64, reason string, next time.Time) error
	// FindOutbox lists messages, newest first (sent or not).
	FindOutbox(ctx context.Context, limit int) ([]*OutboxMessage, error)
}

// Notice is what a task notification says.
type Notice struct {
	Event      string    `json:"event"`
	TaskID     int64     `json:"task_id"`
	EventID    int64     `json:"event_id"`
	Class      string    `json:"class"`
	GridID     string    `json:"grid_id,omitempty"`
	CountyID   string    `json:"county_id,omitempty"`
	Supervisor string    `json:"supervisor,omitempty"`
	Lon        float64   `json:"lon"`
	Lat        float64   `json:"lat"`
	FirstSeen  time.Time `json:"first_seen"`
	ReportDue  time.Time `json:"report_due"`
	Escalation int       `json:"escalation,omitempty"`
	// Version is the task's version when the notice was written.
	Version int64 `json:"version,omitempty"`
	// Place names the task's county, township and grid (浑源县 王庄堡镇 网格名).
	Place string `json:"place,omitempty"`
	// Link opens the task in the web app.
	Link string `json:"link"`
}

// Beijing is Asia/Shanghai, Datong's time: days, months and key periods
// are counted in it and messages show it. Loaded once; China has had no
// daylight saving time since 1991, so +08:00 stands in when the zone
// database is missing.
var Beijing = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// headline is a notice's title: what happened (heads by event), the task
// and its class.
func headline(n Notice, heads map[string]string) string {
	head := heads[n.Event]
	if head == "" {
		head = n.Event
	}
	return fmt.Sprintf("%s #%d %s", head, n.TaskID, ClassNames[n.Class])
}

// TaskNoun names a task by what it is about, in Chinese: 火点任务 (a
// satellite's fire), 扬尘报警任务 (a site monitor's alarm), 工地检查任务
// (a registry violation), 应急减排检查任务, 群众举报任务.
func TaskNoun(class string) string {
	noun, _ := taskWords(class)
	return noun
}

// taskWords is TaskNoun and the word for when its event began.
func taskWords(class string) (noun, seen string) {
	switch class {
	case ClassDustExceedance, ClassMonitorOffline:
		return "扬尘报警任务", "首次报警"
	case ClassSiteInspection:
		return "工地检查任务", "发现时间"
	case ClassEmergencyInspection:
		return "应急减排检查任务", "预警开始"
	case ClassPublicReport:
		return "群众举报任务", "群众举报"
	}
	return "火点任务", "卫星发现"
}

// writeGrid writes a group notice's grid: its place as people say it
// (county, township, grid) and its supervisor, then its code; the code
// alone where the place has no name.
func writeGrid(b *strings.Builder, n Notice) {
	switch {
	case n.GridID == "":
		b.WriteString("- 网格：未落入任何网格（市级待分派）\n")
		return
	case n.Place != "":
		fmt.Fprintf(b, "- 地点：%s", n.Place)
	default:
		fmt.Fprintf(b, "- 网格：%s", n.GridID)
	}
	if n.Supervisor != "" {
		fmt.Fprintf(b, "（网格员 %s）", n.Supervisor)
	}
	b.WriteString("\n")
	if n.Place != "" {
		fmt.Fprintf(b, "- 网格编号：%s\n", n.GridID)
	}
}

// NoticeText renders a notice as a title and a markdown text in Chinese,
// times in Beijing time.
func NoticeText(n Notice) (title, text string) {
	noun, seen := taskWords(n.Class)
	title = headline(n, map[string]string{
		NotifyTaskCreated:   "新" + noun,
		NotifyTaskOverdue:   "任务超时（已上报区县/乡镇）",
		NotifyTaskEscalated: "任务严重超时（已上报主管部门）",
	})
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", title)
	fmt.Fprintf(&b, "- 类别：%s\n", ClassNames[n.Class])
	writeGrid(&b, n)
	fmt.Fprintf(&b, "- 位置：%.5f, %.5f\n", n.Lon, n.Lat)
	fmt.Fprintf(&b, "- %s：%s\n", seen, n.FirstSeen.In(Beijing).Format("2006-01-02 15:04"))
	fmt.Fprintf(&b, "- 上报时限：%s\n", n.ReportDue.In(Beijing).Format("2006-01-02 15:04"))
	if n.Link != "" {
		fmt.Fprintf(&b, "\n[查看任务](%s)\n", n.Link)
	}
	return title, b.String()
}
