package dustrule

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"skygrid"
)

// Alarm classes: the event classes an alarm opens (the root package's
// dust classes; names in skygrid.ClassNames).
const (
	ClassDustExceedance = skygrid.ClassDustExceedance
	ClassMonitorOffline = skygrid.ClassMonitorOffline // silence and data quality
)

// Beijing is the zone of windows and days: Asia/Shanghai, fixed at UTC+8
// (no daylight saving since 1991), so no tzdata is needed.
var Beijing = time.FixedZone("CST", 8*3600)

// Alarm is one breach of a rule by one monitor.
type Alarm struct {
	MonitorID int64  `json:"monitor_id"`
	Rule      string `json:"rule"`
	Class     string `json:"class"` // Class*
	// Start and End bound the window (or the stretch) the alarm is about.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Value is what was compared with Limit (µg/m³ for exceedances; the
	// silent minutes, the stuck minutes, the capture rate in % for the
	// data-quality rules).
	Value float64 `json:"value"`
	Limit float64 `json:"limit"`
	// CountToday is the exceedances of the rule that Beijing day so far.
	CountToday int    `json:"count_today"`
	Detail     string `json:"detail"` // in Chinese
}

// Subject is the monitor a rule is checked for, with what the rules need
// to know of it: its county (for the ambient mean), and its site's stage
// and area ([dust.sites]).
type Subject struct {
	MonitorID int64
	County    string
	Stage     string // Stage*, "" unknown
	Area      string // Area*, "" unknown
}

// Ambient is the county's ambient mean of a factor for the hour starting at
// hour (µg/m³); ok is false when there is none.
type Ambient func(county string, hour time.Time) (value float64, ok bool)

// Rule is one parameterised dust rule.
type Rule struct {
	Name   string
	Factor string // skygrid.Factor*
	// Kind is the reading kind the rule reads (skygrid.Reading*), Interval
	// the spacing of those readings (1m for minute data).
	Kind     string
	Interval time.Duration
	// Window is the averaging time (1 minute to 1 day, dividing a day).
	Window time.Duration
	// MinValid is the share of the window's Window/Interval values that
	// must be valid for the window to count (0.75).
	MinValid float64
	// Limit in µg/m³: the window's mean, or with OverAmbient its excess
	// over the county's ambient mean for the same hour, must not exceed it.
	Limit       float64
	OverAmbient bool
	// AllowedPerDay: an alarm when the rule is exceeded more often than
	// this in a Beijing day.
	AllowedPerDay int
	// Stages and Areas, when not empty, restrict the rule to sites of
	// those stages and areas.
	Stages []string
	Areas  []string
}

// AppliesTo reports whether the rule is checked for s.
func (r Rule) AppliesTo(s Subject) bool {
	return (len(r.Stages) == 0 || slices.Contains(r.Stages, s.Stage)) &&
		(len(r.Areas) == 0 || slices.Contains(r.Areas, s.Area))
}

// Needed is how many valid values a window needs to count.
func (r Rule) Needed() int {
	expected := float64(r.Window / r.Interval)
	return max(1, int(math.Ceil(r.MinValid*expected-1e-9)))
}

// WindowOf is the window holding t, aligned to Beijing time.
func (r Rule) WindowOf(t time.Time) (start, end time.Time) {
	return alignedWindow(t, r.Window)
}

func alignedWindow(t time.Time, w time.Duration) (start, end time.Time) {
	const offset = 8 * time.Hour
	start = t.Add(offset).Truncate(w).Add(-offset).UTC()
	return start, start.Add(w)
}

// DayOf is the start of t's Beijing calendar day, in UTC.
func DayOf(t time.Time) time.Time {
	start, _ := alignedWindow(t, 24*time.Hour)
	return start
}

// Window statuses.
const (
	StatusWithin    = "within"     // counted, not exceeding
	StatusExceeds   = "exceeds"    // counted, exceeding
	StatusTooFew    = "too_few"    // fewer valid values than Needed
	StatusNoAmbient = "no_ambient" // an ambient rule without the county's mean: not judged
)

// Window is the judgement of one window.
type Window struct {
	Start, End time.Time
	Valid      int     // distinct valid values of the factor in the window
	Mean       float64 // their mean
	Ambient    float64 // the county's mean (OverAmbient rules)
	Value      float64 // what is compared with the limit: Mean, or Mean - Ambient
	Status     string  // Status*
}

// Judge judges the window starting at start over rs (readings of any kind
// and time: only those of the rule's kind in the window count, one value a
// data time, valid ones only).
func (r Rule) Judge(s Subject, start time.Time, rs []skygrid.Reading, amb Ambient) Window {
	w := Window{Start: start, End: start.Add(r.Window)}
	seen := map[int64]bool{}
	sum := 0.0
	for i := range rs {
		x := &rs[i]
		if x.Kind != r.Kind || x.At.Before(w.Start) || !x.At.Before(w.End) || !x.Valid(r.Factor) || seen[x.At.UnixNano()] {
			continue
		}
		seen[x.At.UnixNano()] = true
		sum += x.Values[r.Factor]
		w.Valid++
	}
	if w.Valid < r.Needed() {
		w.Status = StatusTooFew
		return w
	}
	w.Mean = sum / float64(w.Valid)
	w.Value = w.Mean
	if r.OverAmbient {
		a, ok := amb(s.County, w.Start.Truncate(time.Hour))
		if !ok {
			w.Status, w.Value = StatusNoAmbient, 0
			return w
		}
		w.Ambient, w.Value = a, w.Mean-a
	}
	w.Status = StatusWithin
	if w.Value > r.Limit {
		w.Status = StatusExceeds
	}
	return w
}

// Evaluate judges every window of rs that holds a reading of the rule's
// kind, in time order, and raises an alarm for each exceeding window
// beyond AllowedPerDay in its Beijing day. rs may be in any order.
func (r Rule) Evaluate(s Subject, rs []skygrid.Reading, amb Ambient) ([]Window, []Alarm) {
	sorted := make([]skygrid.Reading, 0, len(rs))
	for i := range rs {
		if rs[i].Kind == r.Kind {
			sorted = append(sorted, rs[i])
		}
	}
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].At.Before(sorted[j].At) })
	var windows []Window
	var alarms []Alarm
	count, day := 0, time.Time{}
	for lo := 0; lo < len(sorted); {
		start, end := r.WindowOf(sorted[lo].At)
		hi := lo + sort.Search(len(sorted)-lo, func(i int) bool { return !sorted[lo+i].At.Before(end) })
		w := r.Judge(s, start, sorted[lo:hi], amb)
		windows, lo = append(windows, w), hi
		if d := DayOf(start); !d.Equal(day) {
			count, day = 0, d
		}
		if w.Status != StatusExceeds {
			continue
		}
		if count++; count > r.AllowedPerDay {
			alarms = append(alarms, r.alarm(s, w, count))
		}
	}
	return windows, alarms
}

func (r Rule) alarm(s Subject, w Window, count int) Alarm {
	name := skygrid.FactorNames[r.Factor]
	from, to := w.Start.In(Beijing).Format("01-02 15:04"), w.End.In(Beijing).Format("15:04")
	detail := fmt.Sprintf(" %s–%s %s均值 %.0f µg/m³，超过限值 %.0f µg/m³", from, to, windowName(r.Window), w.Mean, r.Limit)
	if r.OverAmbient {
		detail = fmt.Sprintf(" %s–%s %s均值 %.0f µg/m³，高于区县环境均值 %.0f µg/m³ 达 %.0f µg/m³，超过限值 %.0f µg/m³",
			from, to, windowName(r.Window), w.Mean, w.Ambient, w.Value, r.Limit)
	}
	detail = fmt.Sprintf("%s%s；今日第 %d 次超标（允许 %d 次）", name, detail, count, r.AllowedPerDay)
	return Alarm{MonitorID: s.MonitorID, Rule: r.Name, Class: ClassDustExceedance, Start: w.Start, End: w.End,
		Value: w.Value, Limit: r.Limit, CountToday: count, Detail: detail}
}

// windowName is the averaging time in Chinese: 小时, 15分钟, 日.
func windowName(w time.Duration) string {
	switch {
	case w == 24*time.Hour:
		return "日"
	case w == time.Hour:
		return "小时"
	case w%time.Hour == 0:
		return fmt.Sprintf("%d小时", w/time.Hour)
	default:
		return fmt.Sprintf("%d分钟", w/time.Minute)
	}
}
