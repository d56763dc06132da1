package dustrule

import (
	"fmt"
	"math"
	"sort"
	"time"

	"skygrid"
)

// Names of the data-quality rules (the words of [dust] active).
const (
	RuleSilent     = "silent"
	RuleStuck      = "stuck"
	RuleOutOfRange = "out_of_range"
	RuleLowCapture = "low_capture"
)

// Quality are the data-quality rules (plan §27: faults, gaps, fraud).
// A rule whose switch is off is not checked.
type Quality struct {
	// Kind and Interval: the readings counted (minute data, 1m).
	Kind     string
	Interval time.Duration
	// Silent: no reading of any kind received for SilentAfter.
	Silent      bool
	SilentAfter time.Duration
	// Stuck: a factor of StuckFactors with the same valid value for
	// StuckFor (with values in at least MinValid of that time).
	Stuck        bool
	StuckFor     time.Duration
	StuckFactors []string
	MinValid     float64
	// OutOfRange: a valid value outside Ranges[factor] = {min, max}.
	OutOfRange bool
	Ranges     map[string][2]float64
	// LowCapture: fewer than CaptureMin of a Beijing day's expected values
	// of CaptureFactor valid (flagged and missing values both count
	// against it).
	LowCapture    bool
	CaptureMin    float64
	CaptureFactor string
}

func qualityAlarm(s Subject, rule string, start, end time.Time, value, limit float64, detail string) Alarm {
	return Alarm{MonitorID: s.MonitorID, Rule: rule, Class: ClassMonitorOffline, Start: start, End: end,
		Value: value, Limit: limit, Detail: detail}
}

// CheckSilent raises an alarm when the monitor's last reading (received at
// last; ok false when it never sent one) is SilentAfter or more before now.
// A monitor that never reported raises none: it is not yet connected,
// which the registry shows.
func (q Quality) CheckSilent(s Subject, last time.Time, ok bool, now time.Time) []Alarm {
	if !q.Silent || !ok || now.Sub(last) < q.SilentAfter {
		return nil
	}
	mins := math.Floor(now.Sub(last).Minutes())
	detail := fmt.Sprintf("设备已 %.0f 分钟未上报数据（最后一次 %s，限 %.0f 分钟）", mins,
		last.In(Beijing).Format("01-02 15:04"), q.SilentAfter.Minutes())
	return []Alarm{qualityAlarm(s, RuleSilent, last, now, mins, q.SilentAfter.Minutes(), detail)}
}

// CheckRange raises an alarm for each valid value of r outside its
// factor's instrument range (a flagged value is already known bad).
func (q Quality) CheckRange(s Subject, r skygrid.Reading) []Alarm {
	if !q.OutOfRange {
		return nil
	}
	factors := make([]string, 0, len(r.Values))
	for f := range r.Values {
		factors = append(factors, f)
	}
	sort.Strings(factors)
	var out []Alarm
	for _, f := range factors {
		lim, ok := q.Ranges[f]
		v := r.Values[f]
		if !ok || !r.Valid(f) || (v >= lim[0] && v <= lim[1]) {
			continue
		}
		bound := lim[1]
		if v < lim[0] {
			bound = lim[0]
		}
		detail := fmt.Sprintf("%s 数值 %g 超出仪器量程 %g–%g（%s）", skygrid.FactorNames[f], v, lim[0], lim[1],
			r.At.In(Beijing).Format("01-02 15:04"))
		out = append(out, qualityAlarm(s, RuleOutOfRange, r.At, r.At, v, bound, detail))
	}
	return out
}

// valid is the factor's distinct valid values of the quality kind, by time.
type point struct {
	at time.Time
	v  float64
}

func (q Quality) valid(rs []skygrid.Reading, factor string) []point {
	seen := map[int64]bool{}
	var ps []point
	for i := range rs {
		x := &rs[i]
		if x.Kind != q.Kind || !x.Valid(factor) || seen[x.At.UnixNano()] {
			continue
		}
		seen[x.At.UnixNano()] = true
		ps = append(ps, point{x.At, x.Values[factor]})
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].at.Before(ps[j].at) })
	return ps
}

// CheckStuck raises an alarm, once a run, when a factor's valid values
// have stayed the same for StuckFor: at the reading where the run's span
// reaches StuckFor, if the run holds at least MinValid of the values that
// span should hold.
func (q Quality) CheckStuck(s Subject, rs []skygrid.Reading) []Alarm {
	if !q.Stuck {
		return nil
	}
	need := max(2, int(math.Ceil(q.MinValid*float64(q.StuckFor/q.Interval)-1e-9)))
	var out []Alarm
	for _, f := range q.StuckFactors {
		ps := q.valid(rs, f)
		first, raised := 0, false
		for i := 1; i < len(ps); i++ {
			if ps[i].v != ps[first].v {
				first, raised = i, false
				continue
			}
			span := ps[i].at.Sub(ps[first].at)
			if raised || span < q.StuckFor || i-first+1 < need {
				continue
			}
			raised = true
			detail := fmt.Sprintf("%s 数值 %g 自 %s 起 %.0f 分钟未变化，疑似设备故障或数据造假", skygrid.FactorNames[f],
				ps[i].v, ps[first].at.In(Beijing).Format("01-02 15:04"), span.Minutes())
			out = append(out, qualityAlarm(s, RuleStuck, ps[first].at, ps[i].at, span.Minutes(), q.StuckFor.Minutes(), detail))
		}
	}
	return out
}

// CaptureRate is the share of the Beijing day starting at day whose
// expected values of the capture factor rs holds valid.
func (q Quality) CaptureRate(day time.Time, rs []skygrid.Reading) float64 {
	n := 0
	for _, p := range q.valid(rs, q.CaptureFactor) {
		if !p.at.Before(day) && p.at.Before(day.Add(24*time.Hour)) {
			n++
		}
	}
	return q.rateOf(n)
}

// rateOf is the share of a day's expected values that n valid ones are.
func (q Quality) rateOf(n int) float64 { return float64(n) / float64(24*time.Hour/q.Interval) }

// CheckCapture raises an alarm when the day's capture rate is under
// CaptureMin (exactly at it is enough).
func (q Quality) CheckCapture(s Subject, day time.Time, rs []skygrid.Reading) []Alarm {
	return q.checkRate(s, day, q.CaptureRate(day, rs))
}

// CheckCaptured is CheckCapture from the count of the day's valid values
// (History.ValidCounts, what the clock reads).
func (q Quality) CheckCaptured(s Subject, day time.Time, n int) []Alarm {
	return q.checkRate(s, day, q.rateOf(n))
}

func (q Quality) checkRate(s Subject, day time.Time, rate float64) []Alarm {
	if !q.LowCapture || rate >= q.CaptureMin {
		return nil
	}
	detail := fmt.Sprintf("%s %s 数据有效率 %.1f%%，低于 %.0f%%", day.In(Beijing).Format("01-02"),
		skygrid.FactorNames[q.CaptureFactor], rate*100, q.CaptureMin*100)
	return []Alarm{qualityAlarm(s, RuleLowCapture, day, day.Add(24*time.Hour), rate*100, q.CaptureMin*100, detail)}
}

// CheckSeries runs the stuck, range and capture checks over a series (the
// capture rate for each Beijing day the series has readings on).
func (q Quality) CheckSeries(s Subject, rs []skygrid.Reading) []Alarm {
	out := q.CheckStuck(s, rs)
	days := map[time.Time]bool{}
	for i := range rs {
		out = append(out, q.CheckRange(s, rs[i])...)
		days[DayOf(rs[i].At)] = true
	}
	order := make([]time.Time, 0, len(days))
	for d := range days {
		order = append(order, d)
	}
	sort.Slice(order, func(i, j int) bool { return order[i].Before(order[j]) })
	for _, d := range order {
		out = append(out, q.CheckCapture(s, d, rs)...)
	}
	return out
}
