package dustrule

import (
	"context"
	"fmt"
	"time"

	"skygrid"
)

// History is what the checks as readings arrive read of the past: the
// store implements it.
type History interface {
	// Readings are the monitor's readings with a data time in [from, to).
	Readings(ctx context.Context, monitorID int64, from, to time.Time) ([]skygrid.Reading, error)
	// Latest is the monitor's reading of kind ("" any) with the latest
	// data time before before; ok is false when there is none.
	Latest(ctx context.Context, monitorID int64, kind string, before time.Time) (r skygrid.Reading, ok bool, err error)
	// LastHeard is, for every dust monitor with a reading whose data time
	// is before before, when the latest of them (Latest's, of any kind)
	// arrived: its received time, else its data time.
	LastHeard(ctx context.Context, before time.Time) (map[int64]time.Time, error)
	// ValidCounts is, per dust monitor, how many of its readings of kind
	// with a data time in [from, to), both on whole hours, hold a valid
	// value of factor.
	ValidCounts(ctx context.Context, kind, factor string, from, to time.Time) (map[int64]int, error)
}

// Checker checks the active rules as readings arrive.
type Checker struct {
	Rules   []Rule
	Quality Quality
	History History
	Ambient Ambient
}

// OnReading checks what the reading r, just stored, decides: the windows
// of each rule it closes (those whose last slot is at or before r and
// after the previous reading of its kind), its values' ranges, and
// whether it makes a stuck run. A reading that arrives late (older than
// one already stored) closes its windows again: the caller's open task
// takes the repeat.
func (c *Checker) OnReading(ctx context.Context, s Subject, r skygrid.Reading) ([]Alarm, error) {
	out := c.Quality.CheckRange(s, r)
	prev, ok, err := c.History.Latest(ctx, s.MonitorID, r.Kind, r.At)
	if err != nil {
		return nil, fmt.Errorf("monitor %d: the reading before %s: %w", s.MonitorID, r.At.Format(time.RFC3339), err)
	}
	for _, rule := range c.Rules {
		if rule.Kind != r.Kind || !rule.AppliesTo(s) {
			continue
		}
		alarms, err := c.closeWindows(ctx, s, rule, r, prev, ok)
		if err != nil {
			return nil, err
		}
		out = append(out, alarms...)
	}
	if ok && c.Quality.Stuck && r.Kind == c.Quality.Kind && c.sameAsBefore(r, prev) {
		rs, err := c.History.Readings(ctx, s.MonitorID, r.At.Add(-2*c.Quality.StuckFor), r.At.Add(time.Nanosecond))
		if err != nil {
			return nil, fmt.Errorf("stuck check of monitor %d: %w", s.MonitorID, err)
		}
		for _, a := range c.Quality.CheckStuck(s, rs) {
			if a.End.Equal(r.At) {
				out = append(out, a)
			}
		}
	}
	return out, nil
}

// sameAsBefore: a watched factor has the value it had in prev, so r may
// make a stuck run (most readings do not, and cost no more reads).
func (c *Checker) sameAsBefore(r, prev skygrid.Reading) bool {
	for _, f := range c.Quality.StuckFactors {
		if r.Valid(f) && prev.Valid(f) && r.Values[f] == prev.Values[f] {
			return true
		}
	}
	return false
}

// closeWindows judges the windows of rule that r closes, at most a day's:
// prev (ok) is the reading of its kind before r.
func (c *Checker) closeWindows(ctx context.Context, s Subject, rule Rule, r, prev skygrid.Reading, ok bool) ([]Alarm, error) {
	after := r.At // no reading before r: no window before r's holds one
	if ok && prev.At.After(r.At.Add(-24*time.Hour)) {
		after = prev.At
	}
	// Window ends in (after+Interval, r.At+Interval]; those wholly
	// between after and r hold no reading of the kind and are skipped.
	var out []Alarm
	_, end := rule.WindowOf(after.Add(rule.Interval))
	for ; !end.After(r.At.Add(rule.Interval)); end = end.Add(rule.Window) {
		start := end.Add(-rule.Window)
		if start.After(after) && !end.After(r.At) {
			continue
		}
		a, err := c.judgeClosed(ctx, s, rule, start)
		if err != nil {
			return nil, err
		}
		out = append(out, a...)
	}
	return out, nil
}

// judgeClosed judges the closed window at start; when it exceeds, the
// day's windows up to it are judged again to count the day's exceedances.
func (c *Checker) judgeClosed(ctx context.Context, s Subject, rule Rule, start time.Time) ([]Alarm, error) {
	end := start.Add(rule.Window)
	rs, err := c.History.Readings(ctx, s.MonitorID, start, end)
	if err != nil {
		return nil, fmt.Errorf("rule %s, monitor %d: window readings: %w", rule.Name, s.MonitorID, err)
	}
	if rule.Judge(s, start, rs, c.Ambient).Status != StatusExceeds {
		return nil, nil
	}
	if day := DayOf(start); day.Before(start) {
		if rs, err = c.History.Readings(ctx, s.MonitorID, day, end); err != nil {
			return nil, fmt.Errorf("rule %s, monitor %d: day readings: %w", rule.Name, s.MonitorID, err)
		}
	}
	_, alarms := rule.Evaluate(s, rs, c.Ambient)
	for _, a := range alarms {
		if a.Start.Equal(start) {
			return []Alarm{a}, nil
		}
	}
	return nil, nil
}

// CheckSilence checks the silence rule at now (a clock's tick) for every
// subject, reading when each was last heard in one call: an alarm at
// every tick while a monitor is silent, which the caller's open task
// takes.
func (c *Checker) CheckSilence(ctx context.Context, subjects []Subject, now time.Time) ([]Alarm, error) {
	if !c.Quality.Silent || len(subjects) == 0 {
		return nil, nil
	}
	heard, err := c.History.LastHeard(ctx, now.Add(time.Nanosecond))
	if err != nil {
		return nil, fmt.Errorf("silence of %d monitors: %w", len(subjects), err)
	}
	var out []Alarm
	for _, s := range subjects {
		at, ok := heard[s.MonitorID]
		out = append(out, c.Quality.CheckSilent(s, at, ok, now)...)
	}
	return out, nil
}

// CheckDay checks the capture rate of the Beijing day starting at day (a
// clock's tick after it ends) for every subject heard from by its end,
// in two reads for all of them: a day with no reading at all is 0%; a
// monitor never heard from is not yet connected (the registry shows it),
// as for silence.
func (c *Checker) CheckDay(ctx context.Context, subjects []Subject, day time.Time) ([]Alarm, error) {
	if !c.Quality.LowCapture || len(subjects) == 0 {
		return nil, nil
	}
	day = DayOf(day)
	end := day.Add(24 * time.Hour)
	heard, err := c.History.LastHeard(ctx, end)
	if err != nil {
		return nil, fmt.Errorf("capture rate of %d monitors: who was heard: %w", len(subjects), err)
	}
	counts, err := c.History.ValidCounts(ctx, c.Quality.Kind, c.Quality.CaptureFactor, day, end)
	if err != nil {
		return nil, fmt.Errorf("capture rate of %d monitors: %w", len(subjects), err)
	}
	var out []Alarm
	for _, s := range subjects {
		if _, ok := heard[s.MonitorID]; ok {
			out = append(out, c.Quality.CheckCaptured(s, day, counts[s.MonitorID])...)
		}
	}
	return out, nil
}

// Series checks a whole series at once (a file of readings, a re-check):
// each applicable rule's Evaluate, then the stuck, range and capture
// checks. Silence is for the clock (CheckSilence).
func (c *Checker) Series(s Subject, rs []skygrid.Reading) []Alarm {
	var out []Alarm
	for _, rule := range c.Rules {
		if rule.AppliesTo(s) {
			_, alarms := rule.Evaluate(s, rs, c.Ambient)
			out = append(out, alarms...)
		}
	}
	return append(out, c.Quality.CheckSeries(s, rs)...)
}
