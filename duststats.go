package skygrid

import (
	"context"
	"time"
)

// DustQuery selects the dust figures of a period [Since, Until) in a
// region ("" the city; a county or township id keeps it and what is
// below) and a user's scope.
type DustQuery struct {
	Since, Until time.Time
	Region       string
	Scope        *Scope
	// SilentAfter: a monitor with no reading for this long is offline
	// now (0: 30 minutes, the [dust] default).
	SilentAfter time.Duration
}

// DustArea are the dust figures of one county (or the total).
//
// An exceedance hour is a clock hour in which at least one alarm window
// of class dust_exceedance starts (dust_alarms.window_start); an
// exceedance day is a Beijing day holding one. ExceedanceHours of an area
// counts the hours in which any of its sites exceeded; SiteHours adds
// its sites' hours (two sites exceeding in one hour: 1 and 2).
//
// The capture rate is valid minutes over expected minutes of the area's
// dust monitors. A valid minute is a particulate value (PM10, PM2.5 or
// TSP; realtime or minute data) flagged N: for whole hours the largest
// count of valid values of one factor and kind, at most 60
// (readings_hourly); for the partial hours at either end, the minutes
// with such a reading. Expected minutes are the clock minutes from the
// later of the period's start and the monitor's registration
// (monitors.created_at) to the earlier of the period's end and now, the
// minute that span ends in counted too: the rate is never over 1.
type DustArea struct {
	RegionID        string   `json:"region_id"`
	RegionName      string   `json:"region_name"`
	Alarms          int      `json:"alarms"`
	ExceedanceHours int      `json:"exceedance_hours"`
	SiteHours       int      `json:"exceedance_site_hours"`
	ExceedanceDays  int      `json:"exceedance_days"`
	Monitors        int      `json:"monitors"`
	ValidMinutes    int64    `json:"valid_minutes"`
	ExpectedMinutes int64    `json:"expected_minutes"`
	CaptureRate     *float64 `json:"capture_rate"`
	// OfflineNow: monitors silent now; OfflineHours: expected hours
	// (as for the capture rate, whole clock hours) without any reading.
	OfflineNow   int `json:"offline_now"`
	OfflineHours int `json:"offline_hours"`
}

// DustSite are the alarm figures of one site (or of a monitor on no
// site: SiteID 0 and the monitor's name).
type DustSite struct {
	SiteID          int64  `json:"site_id"`
	Name            string `json:"name"`
	CountyID        string `json:"county_id"`
	CountyName      string `json:"county_name"`
	Alarms          int    `json:"alarms"`
	ExceedanceHours int    `json:"exceedance_hours"`
	ExceedanceDays  int    `json:"exceedance_days"`
}

// MonitorCapture is one dust monitor's data capture in the period.
type MonitorCapture struct {
	MonitorID       int64     `json:"monitor_id"`
	MN              string    `json:"mn"`
	Name            string    `json:"name"`
	SiteID          int64     `json:"site_id,omitempty"`
	CountyID        string    `json:"county_id"`
	CountyName      string    `json:"county_name"`
	ValidMinutes    int64     `json:"valid_minutes"`
	ExpectedMinutes int64     `json:"expected_minutes"`
	CaptureRate     *float64  `json:"capture_rate"`
	OfflineHours    int       `json:"offline_hours"`
	LastReading     time.Time `json:"last_reading,omitzero"`
	OfflineNow      bool      `json:"offline_now"`
}

// DustTasks are the dust tasks of events first seen in the period: by
// state, by finding (reported and closed tasks), and the on-time
// response: a task responded on time when reported by its report
// deadline; OnTimeRate is OnTime over the tasks reported or past their
// deadline (as of the period's end or now, whichever is earlier).
type DustTasks struct {
	Total      int            `json:"total"`
	ByState    map[string]int `json:"by_state"`
	ByFinding  map[string]int `json:"by_finding"`
	Due        int            `json:"due"`
	OnTime     int            `json:"on_time"`
	OnTimeRate *float64       `json:"on_time_rate"`
}

// DustStats answers a DustQuery.
type DustStats struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	// Counties are the figures by county, or by township (grid) when the
	// region asked for or the user's area is a township (grid): By says
	// which (ByCounty, ByTownship, ByGrid), as figures are grouped.
	Counties []*DustArea `json:"counties"`
	By       string      `json:"by"`
	Total    *DustArea   `json:"total" ts:"DustArea"`
	// Sites: every site (or monitor on no site) with an alarm, most
	// alarms first; TopSites the first ten.
	Sites    []*DustSite       `json:"sites"`
	TopSites []*DustSite       `json:"top_sites"`
	Monitors []*MonitorCapture `json:"monitors"`
	Tasks    *DustTasks        `json:"tasks"`
	Computed time.Time         `json:"computed"`
}

// DustFigureNames are the Chinese names of the dust figures (by JSON
// field), on the audit page, in the exports and in the monthly report.
var DustFigureNames = map[string]string{
	"alarms":                "报警次数",
	"exceedance_hours":      "超标小时数",
	"exceedance_site_hours": "超标站点小时数",
	"exceedance_days":       "超标天数",
	"monitors":              "监测设备",
	"valid_minutes":         "有效分钟数",
	"expected_minutes":      "应有分钟数",
	"capture_rate":          "数据获取率",
	"offline_now":           "当前离线",
	"offline_hours":         "离线小时数",
	"on_time_rate":          "按时响应率",
}

// DustStatsService computes the dust figures.
type DustStatsService interface {
	DustStats(ctx context.Context, q DustQuery) (*DustStats, error)
}

// Rate is n over d, nil when d is 0.
func Rate(n, d int64) *float64 {
	if d == 0 {
		return nil
	}
	r := float64(n) / float64(d)
	return &r
}
