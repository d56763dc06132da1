package skygrid

import (
	"context"
	"math"
	"time"
)

// Statistics group levels. ByCity groups a province's figures by its
// cities (the counties' parents of level city).
const (
	ByCity     = "city"
	ByCounty   = "county"
	ByTownship = "township"
	ByGrid     = "grid"
)

// StatsQuery selects the events counted: first seen in [Since, Until),
// grouped by the county, township or grid they are in, within a scope.
type StatsQuery struct {
	Since, Until time.Time
	By           string // county (default), township, grid or city
	// Region keeps one region and what is below it ("" the city).
	Region string
	// Class keeps the events of one class ("" every class).
	Class string
	Scope *Scope
}

// AreaStats are the figures of one city, county, township or grid.
type AreaStats struct {
	RegionID   string `json:"region_id"`
	RegionName string `json:"region_name"`
	// Hotspots are the detections of the events counted (their sum).
	Hotspots int `json:"hotspots"`
	Events   int `json:"events"`
	// ByClass counts events by class (straw_burning, open_burning, ...).
	ByClass map[string]int `json:"by_class"`
	// Tasks dispatched; by finding of their (latest) report; confirmed
	// straw burning: closed with the finding straw_burning.
	Tasks          int            `json:"tasks"`
	ByFinding      map[string]int `json:"by_finding"`
	ConfirmedStraw int            `json:"confirmed_straw_burning"`
	FalseAlarms    int            `json:"false_alarms"`
	// Unverified: tasks not reported yet.
	Unverified int `json:"unverified"`
	// Response times in minutes (nil when no task got there).
	AckMedianMin    *float64 `json:"ack_median_min"`
	AckP90Min       *float64 `json:"ack_p90_min"`
	ReportMedianMin *float64 `json:"report_median_min"`
	ReportP90Min    *float64 `json:"report_p90_min"`
	// Overdue: tasks acknowledged or reported late, or still open past
	// a deadline (as of the period's end or now, whichever is earlier) or
	// escalated; OverdueShare of Tasks.
	Overdue      int     `json:"overdue"`
	OverdueShare float64 `json:"overdue_share"`
	// CroplandHa is the cropland of the area (0 without a cropland layer);
	// StrawPer1000Ha the straw-burning events per 1000 ha of it.
	CroplandHa     float64  `json:"cropland_ha,omitempty"`
	StrawPer1000Ha *float64 `json:"straw_per_1000ha,omitempty"`
}

// Stats answers a StatsQuery: one row per area and the total, for the
// period and for the same period a year before.
//
// The figures are the city's: cross-border events (outside every county,
// in the area margin) are left out of the areas and the total and counted
// apart in CrossBorder (for users who see the whole city; 0 for a region
// or a scoped user). Overdue counts an open task late when a deadline
// passed before the period's end or now, whichever is earlier, or when it
// was escalated: a closed period's figures do not move with the clock.
type Stats struct {
	Query       StatsQuery   `json:"query"`
	Areas       []*AreaStats `json:"areas"`
	Total       *AreaStats   `json:"total" ts:"AreaStats"` // always set (ts: the web app's type)
	CrossBorder int          `json:"cross_border"`
	YearAgo     *Stats       `json:"year_ago,omitempty"`
	Computed    time.Time    `json:"computed"`
	// NoData: no satellite detection at all is stored for the period
	// (city-wide, any status): its zeros mean no data was loaded, not no
	// fires, and a change against it is no change (去年无数据).
	NoData bool `json:"no_data,omitempty"`
}

// FigureNames are the Chinese names of the figures of AreaStats (by JSON
// field), the same words on the audit page, in the exports and in the
// monthly report. Hotspots are the detections of the counted events:
// low-confidence detections belong to no event, so the hotspot export of
// a period holds more rows; hence not plainly 卫星火点.
var FigureNames = map[string]string{
	"hotspots":                "火情所含火点",
	"events":                  "火情",
	"straw_burning":           "疑似秸秆焚烧",
	"tasks":                   "任务",
	"confirmed_straw_burning": "核实秸秆焚烧",
	"false_alarms":            "误报",
	"unverified":              "未核实任务",
	"overdue":                 "超时任务",
	"overdue_share":           "超时率",
	"cropland_ha":             "耕地",
	"straw_per_1000ha":        "每千公顷耕地疑似秸秆焚烧",
}

// StatsService computes statistics from the store.
type StatsService interface {
	Stats(ctx context.Context, q StatsQuery) (*Stats, error)
	// Series answers the audit charts for the events a StatsQuery counts
	// (By is not used).
	Series(ctx context.Context, q StatsQuery) (*StatsSeries, error)
}

// StatsSeries is a period's figures over time, for the audit page's
// charts and the monthly report: the events first seen on each day by
// class, the tasks' response minutes and the confirmed straw burning.
type StatsSeries struct {
	// Days has every Beijing day of the period, in order.
	Days []DayClasses `json:"days"`
	// AckMinutes and ReportMinutes are the minutes from dispatch to
	// acknowledgement and to report of the tasks that got there.
	AckMinutes    []float64 `json:"ack_minutes"`
	ReportMinutes []float64 `json:"response_minutes"`
	// Confirmed are the events whose task was closed with the finding
	// straw burning, oldest first.
	Confirmed []ConfirmedFire `json:"confirmed"`
}

// DayClasses counts the events first seen on one Beijing day by class.
type DayClasses struct {
	Day     string         `json:"day"` // 2023-10-01
	ByClass map[string]int `json:"by_class"`
}

// ConfirmedFire is a confirmed straw burning: where and when it burnt,
// and what the supervisor found.
type ConfirmedFire struct {
	ID           int64     `json:"id"`
	TaskID       int64     `json:"task_id"`
	Lon          float64   `json:"lon"`
	Lat          float64   `json:"lat"`
	FirstSeen    time.Time `json:"first_seen"`
	ClosedAt     time.Time `json:"closed_at,omitzero"`
	CountyID     string    `json:"county_id,omitempty"`
	CountyName   string    `json:"county_name,omitempty"`
	TownshipID   string    `json:"township_id,omitempty"`
	TownshipName string    `json:"township_name,omitempty"`
	GridID       string    `json:"grid_id,omitempty"`
	GridName     string    `json:"grid_name,omitempty"`
	Finding      string    `json:"finding"`
	Notes        string    `json:"notes,omitempty"`
}

// KeyPeriod is a time of special patrols (spring ploughing, autumn
// harvest), as month-day ranges.
type KeyPeriod struct {
	Name  string `json:"name" toml:"name"`
	Start string `json:"start" toml:"start"` // MM-DD
	End   string `json:"end" toml:"end"`
}

// DefaultKeyPeriods: spring 1 Mar - 31 May, autumn 15 Sep - 30 Nov.
var DefaultKeyPeriods = []KeyPeriod{{Name: "春季（春耕）", Start: "03-01", End: "05-31"}, {Name: "秋季（秋收）", Start: "09-15", End: "11-30"}}

// SetRates derives the overdue share and the straw-burning events per
// 1000 ha of cropland from the counts.
func (a *AreaStats) SetRates() {
	a.OverdueShare = 0
	if a.Tasks > 0 {
		a.OverdueShare = float64(a.Overdue) / float64(a.Tasks)
	}
	a.StrawPer1000Ha = nil
	if a.CroplandHa > 0 {
		v := float64(a.ByClass[ClassStrawBurning]) / a.CroplandHa * 1000
		a.StrawPer1000Ha = &v
	}
}

// SumAreas adds up the counts of areas, with the rates derived from the
// sums (response times are not summed: they need the tasks' minutes).
func SumAreas(areas []*AreaStats) *AreaStats {
	t := &AreaStats{ByClass: map[string]int{}, ByFinding: map[string]int{}}
	for _, a := range areas {
		t.Hotspots += a.Hotspots
		t.Events += a.Events
		t.Tasks += a.Tasks
		t.ConfirmedStraw += a.ConfirmedStraw
		t.FalseAlarms += a.FalseAlarms
		t.Unverified += a.Unverified
		t.Overdue += a.Overdue
		t.CroplandHa += a.CroplandHa
		for k, v := range a.ByClass {
			t.ByClass[k] += v
		}
		for k, v := range a.ByFinding {
			t.ByFinding[k] += v
		}
	}
	t.SetRates()
	return t
}

// Quantile is the q-quantile of sorted values by nearest rank (the value
// at rank ceil(q·n)); sorted must not be empty.
func Quantile(sorted []float64, q float64) float64 {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// YearBefore is the same calendar time a year earlier, in t's location;
// 29 February goes to 28 February (time.AddDate would give 1 March, and a
// year-ago day of 29 February 2024 would be 1 March 2023).
func YearBefore(t time.Time) time.Time {
	y, m, d := t.Date()
	hh, mm, ss := t.Clock()
	r := time.Date(y-1, m, d, hh, mm, ss, t.Nanosecond(), t.Location())
	if r.Month() != m {
		r = time.Date(y-1, m+1, 0, hh, mm, ss, t.Nanosecond(), t.Location())
	}
	return r
}
