package skygrid

import (
	"context"
	"strings"
	"time"
)

// Heavy-pollution warning levels (重污染天气预警), mildest first. Blue is
// used where the city's plan has it.
const (
	WarningBlue   = "blue"   // 蓝色预警
	WarningYellow = "yellow" // 黄色预警
	WarningOrange = "orange" // 橙色预警
	WarningRed    = "red"    // 红色预警
)

// WarningLevels lists the levels, mildest first.
var WarningLevels = []string{WarningBlue, WarningYellow, WarningOrange, WarningRed}

// WarningLevelNames are the Chinese names shown to users.
var WarningLevelNames = map[string]string{
	WarningBlue: "蓝色预警", WarningYellow: "黄色预警", WarningOrange: "橙色预警", WarningRed: "红色预警",
}

// Warning states: issued (before its start), active, lifted. A warning
// whose expected end has passed without a lift stays active until lifted:
// only an official act ends it.
const (
	WarningIssued = "issued"
	WarningActive = "active"
	WarningLifted = "lifted"
)

// ClassEmergencyInspection is the event class of a warning's inspection
// of a listed site (应急减排检查): one event and task per listed site of
// the warning's area, with the measures of the level as a checklist.
const ClassEmergencyInspection = "emergency_inspection"

// Warning is one heavy-pollution warning: issued for the city (no
// CountyIDs) or some counties, from Start to ExpectedEnd (extended by
// moving ExpectedEnd), lifted at LiftedAt. Times are UTC.
type Warning struct {
	ID    int64  `json:"id"`
	Level string `json:"level"`
	// CountyIDs is the area: empty for the whole city.
	CountyIDs   []string `json:"county_ids"`
	CountyNames []string `json:"county_names,omitempty"`
	// AreaNames is the area in names where a province's warning holds all
	// of a city's counties: the city's name in their place (nil when it
	// holds none whole; the store fills it).
	AreaNames   []string  `json:"area_names,omitempty"`
	Start       time.Time `json:"start"`
	ExpectedEnd time.Time `json:"expected_end"`
	LiftedAt    time.Time `json:"lifted_at,omitzero"`
	State       string    `json:"state"`
	// Reason is why it was issued (the forecast); PublicAdvice the
	// measures for the public shown on the public page (健康防护提示).
	Reason       string    `json:"reason,omitempty"`
	PublicAdvice string    `json:"public_advice,omitempty"`
	IssuedBy     int64     `json:"issued_by,omitempty"`
	LiftedBy     int64     `json:"lifted_by,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	// Tasks is how many inspection tasks the warning opened.
	Tasks int `json:"tasks"`
	// InArea says, in GET /api/warnings, whether the warning holds the
	// user's area (a county's official reads the figures of those only).
	InArea bool `json:"in_area,omitempty"`
}

// AreaText is the warning's area in words: its counties' names, a whole
// city's by the city's (AreaNames; their ids for a warning read without
// names), or whole (WholeOf: 全市, 全省)
// for a warning over all of the area.
func (w *Warning) AreaText(whole string) string {
	switch {
	case len(w.Names()) > 0:
		return strings.Join(w.Names(), "、")
	case len(w.CountyIDs) > 0:
		return strings.Join(w.CountyIDs, "、")
	}
	return whole
}

// Names are the names of the warning's area: AreaNames (a whole city of
// a province's by its name) when the store gave them, else CountyNames.
func (w *Warning) Names() []string {
	if len(w.AreaNames) > 0 {
		return w.AreaNames
	}
	return w.CountyNames
}

// Covers reports whether the warning's area holds the county.
func (w *Warning) Covers(countyID string) bool {
	if len(w.CountyIDs) == 0 {
		return true
	}
	for _, c := range w.CountyIDs {
		if c == countyID {
			return true
		}
	}
	return false
}

// InForce reports whether the warning is in force at t: started, not
// lifted.
func (w *Warning) InForce(t time.Time) bool {
	return !t.Before(w.Start) && (w.LiftedAt.IsZero() || t.Before(w.LiftedAt))
}

// Emergency measures (应急减排措施) of the emergency list, as the bureaus
// write them. A row may also carry a measure of its own words.
const (
	MeasureStopEarthworks = "stop_earthworks" // 停止土石方作业
	MeasureStopDemolition = "stop_demolition" // 停止拆除作业
	MeasureCoverStockpile = "cover_stockpile" // 物料堆场覆盖
	MeasureSprinkle       = "sprinkle"        // 增加洒水降尘频次
	MeasureStopTransport  = "stop_transport"  // 停止渣土运输
	MeasureLimitOutput    = "limit_output"    // 限产 N%（Percent）
	MeasureStopProduction = "stop_production" // 停产
)

// MeasureNames are the Chinese names shown to users.
var MeasureNames = map[string]string{
	MeasureStopEarthworks: "停止土石方作业", MeasureStopDemolition: "停止拆除作业",
	MeasureCoverStockpile: "物料堆场覆盖", MeasureSprinkle: "增加洒水降尘频次",
	MeasureStopTransport: "停止渣土运输", MeasureLimitOutput: "限产", MeasureStopProduction: "停产",
}

// Measure is one measure of a listed site at one level: a known Code
// (Measure*) or "" with Text in the list's own words; Percent for
// limit_output (限产 30%).
type Measure struct {
	Code    string `json:"code,omitempty"`
	Text    string `json:"text"`
	Percent int    `json:"percent,omitempty"`
}

// EmergencyEntry is one row of the emergency list (应急减排清单): a site
// or enterprise, one level, its measures and contact. SiteID is the
// registry's site it was matched to (by external id, else by name), nil
// when unmatched: unmatched rows are kept and reported, never dropped.
type EmergencyEntry struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	ExternalID string    `json:"external_id,omitempty"`
	SiteID     *int64    `json:"site_id,omitempty"`
	CountyID   string    `json:"county_id,omitempty"`
	Level      string    `json:"level"`
	Measures   []Measure `json:"measures"`
	Contact    string    `json:"contact,omitempty"`
	Phone      string    `json:"phone,omitempty"`
	// Source is "file:line" of the row it came from.
	Source    string    `json:"source"`
	UpdatedAt time.Time `json:"updated_at"`
}

// EmergencyImport is what importing a list did.
type EmergencyImport struct {
	Rows      int               `json:"rows"`
	Matched   int               `json:"matched"`
	Unmatched []*EmergencyEntry `json:"unmatched"`
}

// ChecklistItem is one measure of an emergency inspection as the
// supervisor found it on site: in place or not, a note, and the photos of
// the report that show it (their indexes in the report's upload order; the
// store keeps their SHA-256).
type ChecklistItem struct {
	Measure     Measure  `json:"measure"`
	InPlace     *bool    `json:"in_place"`
	Note        string   `json:"note,omitempty"`
	PhotoIndex  []int    `json:"photo_index,omitempty"`
	PhotoSHA256 []string `json:"photo_sha256,omitempty"`
}

// WarningFilter selects warnings. Zero fields do not filter.
type WarningFilter struct {
	ID *int64
	// InForceAt keeps warnings in force at the time.
	InForceAt *time.Time
	// LiftedSince keeps warnings not lifted, or lifted after the time.
	LiftedSince *time.Time
	State       *string
	Limit       int
}

// WarningFigures are the figures of a lifted (or running) warning's
// report, by county of its area (and the whole in Total): every figure is
// counted over [Start, LiftedAt or now).
type WarningFigures struct {
	Warning   *Warning                `json:"warning"`
	Counties  []*WarningCountyFigures `json:"counties"`
	Total     WarningCountyFigures    `json:"total"`
	Generated time.Time               `json:"generated"`
	Sites     []*WarningSiteFigures   `json:"sites"`
	// Extensions are the warning's extensions, oldest first (the store
	// reads them from the audit lines of warning.extend).
	Extensions []WarningExtension `json:"extensions,omitempty"`
}

// WarningExtension is one extension of a warning: when, by whom, and the
// expected end it moved from and to (UTC).
type WarningExtension struct {
	At   time.Time `json:"at"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	By   int64     `json:"by,omitempty"`
}

// WarningCountyFigures are one county's figures during a warning.
type WarningCountyFigures struct {
	CountyID   string `json:"county_id"`
	CountyName string `json:"county_name"`
	// Listed sites of the area, inspection tasks opened, reported (sites
	// checked) and closed.
	Listed  int `json:"listed"`
	Tasks   int `json:"tasks"`
	Checked int `json:"checked"`
	Closed  int `json:"closed"`
	Overdue int `json:"overdue"`
	// Measures checked, and found in place.
	Measures        int `json:"measures"`
	MeasuresInPlace int `json:"measures_in_place"`
	// Dust exceedances (dust_alarms of class dust_exceedance) and fire
	// events first seen during the warning.
	Exceedances int `json:"exceedances"`
	Fires       int `json:"fires"`
}

// WarningSiteFigures is one listed site's inspection during a warning.
type WarningSiteFigures struct {
	SiteID      *int64          `json:"site_id,omitempty"`
	Name        string          `json:"name"`
	CountyName  string          `json:"county_name"`
	TaskID      int64           `json:"task_id,omitempty"`
	TaskState   string          `json:"task_state,omitempty"`
	Checklist   []ChecklistItem `json:"checklist,omitempty"`
	Exceedances int             `json:"exceedances"`
}

// WarningService runs heavy-pollution warnings: every change in one
// transaction with its audit line and its notifications (every channel
// of the area, personal channels included).
type WarningService interface {
	// ImportEmergencyList replaces the emergency list with the entries
	// (one transaction; an entry's site matched by external id, else by
	// name, within the county when it names one).
	ImportEmergencyList(ctx context.Context, entries []*EmergencyEntry, by int64) (*EmergencyImport, error)
	FindEmergencyList(ctx context.Context) ([]*EmergencyEntry, error)
	// IssueWarning stores a new warning; when it is in force at now, its
	// inspection tasks are opened in the same transaction (StartWarnings
	// opens those of a warning issued for later).
	IssueWarning(ctx context.Context, w *Warning, by int64, now time.Time) (*Warning, error)
	ExtendWarning(ctx context.Context, id int64, end time.Time, by int64, now time.Time) (*Warning, error)
	LiftWarning(ctx context.Context, id int64, by int64, now time.Time) (*Warning, error)
	// StartWarnings opens the inspection tasks of warnings whose start
	// has come (the schedule calls it): returns how many tasks.
	StartWarnings(ctx context.Context, now time.Time) (int, error)
	FindWarnings(ctx context.Context, f WarningFilter) ([]*Warning, error)
	// WarningFigures are the figures of the warning's report.
	WarningFigures(ctx context.Context, id int64, now time.Time) (*WarningFigures, error)
}

// PublicWarning is what the public page shows of a warning in force:
// level, area by county names (empty: the whole city), times and the
// advice for the public. Nothing else: no reason text, no names.
type PublicWarning struct {
	Level        string    `json:"level"`
	LevelName    string    `json:"level_name"`
	Counties     []string  `json:"counties"`
	Start        time.Time `json:"start"`
	ExpectedEnd  time.Time `json:"expected_end"`
	PublicAdvice string    `json:"public_advice"`
	// LiftedAt is set on a warning lifted (the public list's lifted ones).
	LiftedAt *time.Time `json:"lifted_at,omitempty"`
}

// PublicWarningOf is the public view of a warning.
func PublicWarningOf(w *Warning) PublicWarning {
	return PublicWarning{Level: w.Level, LevelName: WarningLevelNames[w.Level], Counties: append([]string{}, w.Names()...),
		Start: w.Start, ExpectedEnd: w.ExpectedEnd, PublicAdvice: w.PublicAdvice}
}
