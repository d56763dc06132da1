package skygrid

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The rules of heavy-pollution warnings that do not depend on where the
// data is kept: levels and measures as the bureaus write them, which list
// rows a warning takes, what a checklist must answer, what the
// notifications say. The store calls them inside its transactions.

// Warning notification events.
const (
	NotifyWarningIssued   = "warning.issued"
	NotifyWarningExtended = "warning.extended"
	NotifyWarningLifted   = "warning.lifted"
)

// WarningEventNames are the Chinese heads of the warning notifications.
var WarningEventNames = map[string]string{
	NotifyWarningIssued: "发布重污染天气预警", NotifyWarningExtended: "重污染天气预警延长", NotifyWarningLifted: "解除重污染天气预警",
}

// DefaultInspectHours is [warning] inspect_hours: how long a listed
// site's inspection task has from the warning's start.
const DefaultInspectHours = 4

// WarningState is the warning's state at now: lifted once lifted, active
// from its start, issued before it.
func WarningState(w *Warning, now time.Time) string {
	switch {
	case !w.LiftedAt.IsZero() && (!now.Before(w.LiftedAt) || !w.LiftedAt.After(w.Start)):
		return WarningLifted
	case !now.Before(w.Start):
		return WarningActive
	}
	return WarningIssued
}

// levelWords are the words a list or a command may name a level by.
var levelWords = map[string]string{
	"蓝色": WarningBlue, "蓝": WarningBlue, "蓝色预警": WarningBlue, "ⅳ级": WarningBlue, "iv级": WarningBlue,
	"黄色": WarningYellow, "黄": WarningYellow, "黄色预警": WarningYellow, "ⅲ级": WarningYellow, "iii级": WarningYellow,
	"橙色": WarningOrange, "橙": WarningOrange, "橙色预警": WarningOrange, "ⅱ级": WarningOrange, "ii级": WarningOrange,
	"红色": WarningRed, "红": WarningRed, "红色预警": WarningRed, "ⅰ级": WarningRed, "i级": WarningRed,
}

// ParseWarningLevel reads a level in Chinese (黄色, 橙色预警, Ⅱ级) or
// English (yellow, orange).
func ParseWarningLevel(s string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if slices.Contains(WarningLevels, v) {
		return v, nil
	}
	if l, ok := levelWords[v]; ok {
		return l, nil
	}
	return "", Errorf(EINVALID, "warning level %s: want 蓝色, 黄色, 橙色 or 红色 (blue, yellow, orange, red)", Clip(s))
}

// levelRank is a level's place, mildest first (-1 unknown).
func levelRank(l string) int { return slices.Index(WarningLevels, l) }

// measureWords are the words of the known measures, longest first where
// one holds another.
var measureWords = []struct{ word, code string }{
	{"停止土石方作业", MeasureStopEarthworks}, {"停止土石方", MeasureStopEarthworks}, {"土石方作业停止", MeasureStopEarthworks},
	{"停止拆除作业", MeasureStopDemolition}, {"停止拆除", MeasureStopDemolition},
	{"物料堆场覆盖", MeasureCoverStockpile}, {"堆场覆盖", MeasureCoverStockpile}, {"物料覆盖", MeasureCoverStockpile},
	{"增加洒水降尘频次", MeasureSprinkle}, {"增加洒水频次", MeasureSprinkle}, {"洒水降尘", MeasureSprinkle},
	{"停止渣土运输", MeasureStopTransport}, {"停止渣土车运输", MeasureStopTransport},
	{"全面停产", MeasureStopProduction}, {"停产", MeasureStopProduction},
}

var limitOutput = regexp.MustCompile(`^限产\s*(\d{1,3})\s*[%％]$`)

// ParseMeasures reads a list cell of measures separated by ；;、| or a
// new line: known words become codes (MeasureNames; 限产30% is
// limit_output 30), others are kept in their own words.
func ParseMeasures(cell string) ([]Measure, error) {
	parts := strings.FieldsFunc(cell, func(r rune) bool { return strings.ContainsRune("；;、|\n\r", r) })
	out := []Measure{}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if m := limitOutput.FindStringSubmatch(p); m != nil {
			n, _ := strconv.Atoi(m[1])
			if n < 1 || n > 100 {
				return nil, Errorf(EINVALID, "measure %s: 限产 takes 1%% to 100%%", Clip(p))
			}
			out = append(out, Measure{Code: MeasureLimitOutput, Text: fmt.Sprintf("限产%d%%", n), Percent: n})
			continue
		}
		m := Measure{Text: p}
		for _, w := range measureWords {
			if p == w.word {
				m.Code = w.code
				break
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// MeasureText is how a measure is shown.
func MeasureText(m Measure) string {
	if m.Code == MeasureLimitOutput {
		return fmt.Sprintf("限产%d%%", m.Percent)
	}
	if m.Code != "" && m.Text == "" {
		return MeasureNames[m.Code]
	}
	return m.Text
}

// ListedKey names a listed site within a warning: its registry site, or
// for an unmatched row its name and county.
func ListedKey(e *EmergencyEntry) string {
	if e.SiteID != nil {
		return fmt.Sprintf("site-%d", *e.SiteID)
	}
	return e.Name + "|" + e.CountyID
}

// WarningEntries are the list rows a warning takes: for each listed site
// in its area (the entry's county; an unmatched row without a county is
// in no area), the row of the highest level at or below the warning's.
//
// Why: the lists are written per level (each enterprise has its measures
// for 黄色, for 橙色, for 红色), and where a list has fewer tiers the
// Ministry's practice is that the measures of a tier hold "at that level
// and above" (黄色预警执行黄色措施，橙色及以上执行橙色措施): an orange
// warning takes a site's orange row, a red warning with no red row the
// orange one, and a site listed only for yellow still does its yellow
// measures under orange. A site listed only for red is not inspected
// under orange.
func WarningEntries(list []*EmergencyEntry, w *Warning) []*EmergencyEntry {
	top := levelRank(w.Level)
	best := map[string]*EmergencyEntry{}
	var order []string
	for _, e := range list {
		r := levelRank(e.Level)
		if r < 0 || r > top || e.CountyID == "" || !w.Covers(e.CountyID) {
			continue
		}
		k := ListedKey(e)
		old, ok := best[k]
		if !ok {
			order = append(order, k)
		}
		if !ok || levelRank(old.Level) < r {
			best[k] = e
		}
	}
	out := make([]*EmergencyEntry, len(order))
	for i, k := range order {
		out[i] = best[k]
	}
	return out
}

// CheckChecklist checks a report's checklist against the measures listed
// for the task: each answered once, in place or not, with photo indexes
// into the report's photos. Errors are in Chinese: the supervisor reads
// them on the phone.
func CheckChecklist(plan []Measure, items []ChecklistItem, photos int) error {
	if len(items) == 0 {
		return Errorf(EINVALID, "应急减排检查需逐项填写减排措施落实情况（checklist）")
	}
	answered := map[string]bool{}
	for i, it := range items {
		k := measureKey(it.Measure)
		if !slices.ContainsFunc(plan, func(m Measure) bool { return measureKey(m) == k }) {
			return Errorf(EINVALID, "检查清单第 %d 项「%s」不是该任务的减排措施", i+1, ClipName(MeasureText(it.Measure)))
		}
		if answered[k] {
			return Errorf(EINVALID, "检查清单第 %d 项「%s」重复填写", i+1, MeasureText(it.Measure))
		}
		if it.InPlace == nil {
			return Errorf(EINVALID, "请填写「%s」是否落实（in_place）", MeasureText(it.Measure))
		}
		if err := LimitNotes.CheckField(fmt.Sprintf("checklist[%d].note", i), it.Note); err != nil {
			return err
		}
		for _, p := range it.PhotoIndex {
			if p < 0 || p >= photos {
				return Errorf(EINVALID, "「%s」的照片序号 %d 超出本次上报的 %d 张照片", MeasureText(it.Measure), p, photos)
			}
		}
		answered[k] = true
	}
	for _, m := range plan {
		if !answered[measureKey(m)] {
			return Errorf(EINVALID, "请逐项检查减排措施：「%s」未填写", MeasureText(m))
		}
	}
	return nil
}

func measureKey(m Measure) string {
	return fmt.Sprintf("%s|%s|%d", m.Code, strings.TrimSpace(m.Text), m.Percent)
}

// WarningAudiences are the channel audiences told of a warning: every
// group of the area.
var WarningAudiences = []string{"all", "officials", "auditors", "admins"}

// WarningText renders a warning's notification: a title and a markdown
// text in Chinese, times in Beijing time; whole names the whole area
// (WholeOf: 全市, 全省) for a warning over all of it.
func WarningText(w *Warning, event, whole string) (title, text string) {
	area := w.AreaText(whole)
	title = fmt.Sprintf("%s：%s %s", WarningEventNames[event], area, WarningLevelNames[w.Level])
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", title)
	fmt.Fprintf(&b, "- 级别：%s\n- 范围：%s\n", WarningLevelNames[w.Level], area)
	fmt.Fprintf(&b, "- 开始：%s\n", w.Start.In(Beijing).Format("2006-01-02 15:04"))
	if event == NotifyWarningLifted {
		fmt.Fprintf(&b, "- 解除：%s\n", w.LiftedAt.In(Beijing).Format("2006-01-02 15:04"))
	} else {
		fmt.Fprintf(&b, "- 预计结束：%s\n", w.ExpectedEnd.In(Beijing).Format("2006-01-02 15:04"))
		b.WriteString("- 清单内工地、企业请按本级别落实应急减排措施；网格员按任务到场检查\n")
	}
	return title, b.String()
}

// WarningMessages are the outbox messages of a warning's event: one for
// each group channel of its area (by id) and one per person and personal
// kind that reaches them. The key names the event, the warning and its
// expected end (an extension is told again), and the channel or person.
func WarningMessages(w *Warning, event, whole string, channels []int64, people []Person, kinds []string) []*OutboxMessage {
	title, text := WarningText(w, event, whole)
	payload, _ := json.Marshal(struct {
		Event   string   `json:"event"`
		Warning *Warning `json:"warning"`
	}{event, w})
	base := fmt.Sprintf("%s/warning-%d/end-%d", event, w.ID, w.ExpectedEnd.Unix())
	var out []*OutboxMessage
	for _, c := range channels {
		key := fmt.Sprintf("%s/channel-%d", base, c)
		out = append(out, &OutboxMessage{Key: key, ChannelID: c, Event: event, Title: title, Text: text + "\n\n编号 " + key, Payload: string(payload)})
	}
	reach(people, kinds, func(p Person, kind, to string) {
		key := fmt.Sprintf("%s/%s/%s", base, p.Ref, kind)
		out = append(out, &OutboxMessage{Key: key, Kind: kind, Recipient: to, RecipientName: p.Name, Event: event,
			Title: title, Text: text + "\n\n编号 " + key, Payload: string(payload)})
	})
	return out
}

// Until is when the warning stops being in force: its lift, else its
// expected end (one past it and not lifted is still in force).
func (w *Warning) Until() time.Time {
	if !w.LiftedAt.IsZero() {
		return w.LiftedAt
	}
	return w.ExpectedEnd
}

// SharedArea names the counties two warnings both hold in hours they
// both cover (a's names, or b's where a holds the whole area; 全部区县
// when both do); nil when they share no county or no hour.
func SharedArea(a, b *Warning) []string {
	if !a.Start.Before(b.Until()) || !b.Start.Before(a.Until()) || !b.Start.Before(b.Until()) || !a.Start.Before(a.Until()) {
		return nil
	}
	switch {
	case len(a.CountyIDs) == 0 && len(b.CountyIDs) == 0:
		return []string{"全部区县"}
	case len(a.CountyIDs) == 0:
		return b.CountyNames
	}
	var names []string
	for i, id := range a.CountyIDs {
		if b.Covers(id) && i < len(a.CountyNames) {
			names = append(names, a.CountyNames[i])
		}
	}
	return names
}

// CheckWarning checks a warning to issue: a known level, an expected end
// after its start.
func CheckWarning(w *Warning) error {
	if levelRank(w.Level) < 0 {
		return Errorf(EINVALID, "level %s: want one of %s", Clip(w.Level), strings.Join(WarningLevels, ", "))
	}
	if w.Start.IsZero() || !w.ExpectedEnd.After(w.Start) {
		return Errorf(EINVALID, "expected_end must be after start (%s, %s)", w.Start.Format(time.RFC3339), w.ExpectedEnd.Format(time.RFC3339))
	}
	for _, f := range []struct {
		field, value string
	}{{"reason", w.Reason}, {"public_advice", w.PublicAdvice}} {
		if err := LimitNotes.CheckField(f.field, f.value); err != nil {
			return err
		}
	}
	return nil
}
