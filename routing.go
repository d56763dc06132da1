package skygrid

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Who is told of what, and what they are sent: the policy a store calls
// inside the transaction that changes a task or a feed. The store reads
// the facts (the task, its regions, the channels, the grid's people),
// these functions decide, and the store queues the messages they return.

// TaskAudiences says which channel audiences hear of each task event.
var TaskAudiences = map[string][]string{
	NotifyTaskCreated:   {"all", "officials"},
	NotifyTaskOverdue:   {"all", "officials"},
	NotifyTaskEscalated: {"all", "auditors"},
}

// FeedAudiences are the channel audiences told of a failing feed.
var FeedAudiences = []string{"admins", "all"}

// TaskRegion is the region whose channels, and those of every region
// above it, hear of the task: its grid, else its township, else its
// county; "" for the city's unassigned queue (the city's channels).
func TaskRegion(t *Task) string {
	for _, id := range []string{t.GridID, t.TownshipID, t.CountyID} {
		if id != "" {
			return id
		}
	}
	return ""
}

// ToldPersonally says whether the grid's people are told of the task's
// event personally: only with a configured personal channel kind, for an
// event told personally (PersonalEvents), and for a task with a grid.
func ToldPersonally(t *Task, event string, kinds []string) bool {
	return len(kinds) > 0 && PersonalEvents[event] && t.GridID != ""
}

// TaskLink opens the task in the web app at publicURL.
func TaskLink(publicURL string, id int64) string {
	return fmt.Sprintf("%s/#/tasks/%d", publicURL, id)
}

// PlaceName names a place from the names of its regions, largest first
// (county, township, grid), leaving out the empty ones and a name the
// next begins with: generated grids carry their county's name
// ("浑源县 12行2列").
func PlaceName(names ...string) string {
	var out []string
	for i, s := range names {
		if s != "" && (i == len(names)-1 || !strings.HasPrefix(names[i+1], s)) {
			out = append(out, s)
		}
	}
	return strings.Join(out, " ")
}

// TaskNotice is what the notices of a task's event say, from the task,
// its place (PlaceName) and its event's position, first detection and
// class.
func TaskNotice(t *Task, event, publicURL, place string, lon, lat float64, firstSeen time.Time, class string) Notice {
	return Notice{Event: event, TaskID: t.ID, EventID: t.EventID, Class: class, GridID: t.GridID, CountyID: t.CountyID,
		Supervisor: t.SupervisorName, ReportDue: t.ReportDue, Escalation: t.Escalation, Version: t.Version,
		Link: TaskLink(publicURL, t.ID), Place: place, Lon: lon, Lat: lat, FirstSeen: firstSeen}
}

// TaskMessages are the outbox messages of a task's notice: one for each
// group channel (by id) and, through PersonalMessages, one for each
// person and personal kind. The key makes each once per event, task,
// escalation level, version and channel or person and kind.
func TaskMessages(n Notice, channels []int64, people []Person, kinds []string) []*OutboxMessage {
	title, text := NoticeText(n)
	payload, _ := json.Marshal(n)
	var msgs []*OutboxMessage
	for _, c := range channels {
		key := fmt.Sprintf("%s/task-%d/level-%d/version-%d/channel-%d", n.Event, n.TaskID, n.Escalation, n.Version, c)
		msgs = append(msgs, &OutboxMessage{Key: key, ChannelID: c, Event: n.Event, TaskID: n.TaskID, Title: title,
			Text: text + "\n\n编号 " + key, Payload: string(payload)})
	}
	return append(msgs, PersonalMessages(n, people, kinds, string(payload))...)
}

// FeedFailingMessages are the messages telling the channels (by id) that a
// feed has failed, with a link to the feeds' page at publicURL: once per
// outage (the key holds when it began) and channel.
func FeedFailingMessages(f *FeedStatus, publicURL string, channels []int64) []*OutboxMessage {
	title := "卫星数据源中断：" + f.Source
	text := fmt.Sprintf("### %s\n\n- 数据源：%s\n- 最后成功：%s\n- 最近错误：%s\n\n[查看数据源状态](%s/#/admin/feeds)",
		title, f.Source, timeOrNever(f.LastSuccess), f.LastError, publicURL)
	var msgs []*OutboxMessage
	for _, id := range channels {
		key := fmt.Sprintf("%s/%s/%s/channel-%d", NotifyFeedFailing, f.Source, rfc3339(f.FailingSince), id)
		msgs = append(msgs, &OutboxMessage{Key: key, ChannelID: id, Event: NotifyFeedFailing, Title: title,
			Text: text + "\n\n编号 " + key, Payload: fmt.Sprintf(`{"event":%q,"source":%q}`, NotifyFeedFailing, f.Source)})
	}
	return msgs
}

// rfc3339 is a time as the store keeps it (UTC, whole seconds), "" for
// none.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// timeOrNever is a time in Beijing to the minute, or 从未成功.
func timeOrNever(t time.Time) string {
	if t.IsZero() {
		return "从未成功"
	}
	return t.In(Beijing).Format("2006-01-02 15:04")
}
