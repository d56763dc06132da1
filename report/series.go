package report

import (
	"skygrid"
)

// Series is what happened in a period day by day: the events first seen
// each day by class, the response times of their tasks and the confirmed
// straw burning. The monthly report and the audit page both draw it.
type Series struct {
	// Daily has one entry per day of the period (Beijing days).
	Daily []DayCount
	// AckMinutes and ResponseMinutes are the acknowledge and report times
	// of the tasks (from dispatch, as the statistics count them), for the
	// distributions.
	AckMinutes, ResponseMinutes []float64
	// Confirmed are the confirmed straw-burning events (task closed with
	// the finding straw_burning), with their Task.
	Confirmed []*skygrid.Event
}

// SeriesOf aggregates the events first seen in a period (with their
// tasks) by day, with the response times and the confirmed straw burning.
// Events first seen outside the period are left out of the daily counts.
func SeriesOf(per Period, events []*skygrid.Event) *Series {
	s := &Series{}
	days := map[string]map[string]int{}
	for d := per.Since.In(skygrid.Beijing); d.Before(per.Until); d = d.AddDate(0, 0, 1) {
		days[d.Format("2006-01-02")] = map[string]int{}
	}
	for _, e := range events {
		if byClass := days[e.FirstSeen.In(skygrid.Beijing).Format("2006-01-02")]; byClass != nil {
			byClass[e.Class]++
		}
		t := e.Task
		if t == nil {
			continue
		}
		from := t.CreatedAt
		if !t.DispatchedAt.IsZero() {
			from = t.DispatchedAt // as the statistics count it
		}
		if !t.AcknowledgedAt.IsZero() {
			s.AckMinutes = append(s.AckMinutes, t.AcknowledgedAt.Sub(from).Minutes())
		}
		if !t.ReportedAt.IsZero() {
			s.ResponseMinutes = append(s.ResponseMinutes, t.ReportedAt.Sub(from).Minutes())
		}
		if t.State == skygrid.TaskClosed && t.Finding == skygrid.FindingStrawBurning {
			s.Confirmed = append(s.Confirmed, e)
		}
	}
	for d := per.Since.In(skygrid.Beijing); d.Before(per.Until); d = d.AddDate(0, 0, 1) {
		s.Daily = append(s.Daily, DayCount{Day: d, ByClass: days[d.Format("2006-01-02")]})
	}
	return s
}
