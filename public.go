package skygrid

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// What the public page (/public, no login) shows. Every type here is safe
// to publish: no person's name or phone, no supervisor, no task, no exact
// fire position, nothing not confirmed.

// PublicRoundDegrees is the grid fires are rounded to on the public page
// (0.01° is about 1.1 km north-south and 0.85 km east-west at Datong).
const PublicRoundDegrees = 0.01

// PublicFire is the fire detections of one rounded cell: its centre and
// how many, for the public map.
type PublicFire struct {
	Lon    float64   `json:"lon"`
	Lat    float64   `json:"lat"`
	Count  int       `json:"count"`
	County string    `json:"county,omitempty"`
	Last   time.Time `json:"last"`
}

// PublicFireCount is one county's satellite fire count over the days.
type PublicFireCount struct {
	CountyID string `json:"county_id"`
	County   string `json:"county"`
	Fires    int    `json:"fires"`
}

// PublicViolation is one site confirmed breaking the rules (plan §32): a
// closed dust or inspection task whose on-site finding confirmed it, with
// what was wrong and when it was put right.
type PublicViolation struct {
	Site      string    `json:"site"`
	County    string    `json:"county"`
	What      string    `json:"what"`
	Found     time.Time `json:"found"`
	Rectified time.Time `json:"rectified,omitzero"`
}

// PublishedReport is a monthly report the bureau marked public.
type PublishedReport struct {
	Month       string    `json:"month"` // 2026-11
	Title       string    `json:"title"`
	PublishedAt time.Time `json:"published_at"`
}

// PublicService reads what the public page shows.
type PublicService interface {
	PublicFires(ctx context.Context, since, until time.Time) ([]PublicFire, []PublicFireCount, error)
	PublicViolations(ctx context.Context, since time.Time) ([]PublicViolation, error)
	PublishedReports(ctx context.Context) ([]PublishedReport, error)
	// PublishReport marks (public true) or unmarks a month's report.
	PublishReport(ctx context.Context, month time.Time, public bool, by int64, now time.Time) error
}

// PublicMaxDays is the longest window the public routes answer (days=).
const PublicMaxDays = 30

// PublicViolationMaxDays is the longest window of the violators list.
const PublicViolationMaxDays = 366

// PublicWindow is the last days Beijing days up to now: since is the start
// (00:00 Beijing) of the day days-1 before today, until is now. Days below
// 1 are 1.
func PublicWindow(now time.Time, days int) (since, until time.Time) {
	days = max(days, 1)
	d := now.In(Beijing)
	since = time.Date(d.Year(), d.Month(), d.Day()-(days-1), 0, 0, 0, 0, Beijing)
	return since.UTC(), now.UTC()
}

// PublicFireClasses are the event classes whose detections the public
// fire map and counts show: the fire classes (Classes) but industrial heat,
// a known heat source, not a fire. Only live events count: not history
// (an archive back-filled), not cross-border (outside the city's
// counties, shown to the neighbouring city's public, not ours).
func PublicFireClasses() []string {
	var out []string
	for _, c := range Classes {
		if Dispatched(c) {
			out = append(out, c)
		}
	}
	return out
}

// PublicViolationClasses are the task classes whose confirmed findings
// are published: dust exceedances, registry inspections and a warning's
// emergency inspections.
var PublicViolationClasses = []string{ClassDustExceedance, ClassSiteInspection, ClassEmergencyInspection}

// PublicViolationFindings are the findings that confirm a violation: it was
// put right on the spot, or the work was stopped until it was. Not false
// alarm, not found, device fault.
var PublicViolationFindings = []string{FindingRectified, FindingStopWork}

// PublicViolationWhat says in Chinese what was wrong and what was done:
// the class, the rule broken (a registry violation's name, or the limit a
// dust monitor exceeded, in µg/m³; 0: none known) and the finding.
func PublicViolationWhat(class, rule string, limit float64, finding string) string {
	what := ClassNames[class]
	if what == "" {
		what = "违规"
	}
	switch {
	case ViolationNames[rule] != "":
		what += "：" + ViolationNames[rule]
	case class == ClassDustExceedance && limit > 0:
		what += fmt.Sprintf("：颗粒物浓度超过限值 %g 微克/立方米", limit)
	}
	if f := FindingNames[finding]; f != "" {
		what += "；处置：" + f
	}
	return what
}

// PublicCellE5 rounds a coordinate in 1e-5 degrees (as the store keeps
// it) to the nearest multiple of PublicRoundDegrees, half up, in whole
// numbers (no float error at a cell's edge), and gives it in degrees.
func PublicCellE5(v int64) float64 {
	step := int64(math.Round(PublicRoundDegrees * 1e5))
	n := v + step/2
	q := n / step
	if n%step != 0 && n < 0 {
		q--
	}
	return float64(q*step) / 1e5
}

// DefaultAreaName is the area a deployment serves unless its
// configuration names another ([server] area_name).
const DefaultAreaName = "大同市"

// AreaOr is the area a deployment serves: area, or for "" (none
// configured) DefaultAreaName.
func AreaOr(area string) string {
	if area == "" {
		return DefaultAreaName
	}
	return area
}

// WholeOf names the whole of an area by its kind, as the web app does
// (frontend/src/areaname.ts): 大同市 全市, 山西省 全省; 全域 when the name
// ends in no kind; 全市 for "" (the default area).
func WholeOf(area string) string {
	r := []rune(strings.TrimSpace(AreaOr(area)))
	if len(r) > 0 && strings.ContainsRune("省市区县州盟旗", r[len(r)-1]) {
		return "全" + string(r[len(r)-1])
	}
	return "全域"
}

// DefaultAreaNameEn is DefaultAreaName in the English web app.
const DefaultAreaNameEn = "Datong"

// AreaNameEn is the English web app's name of an area: en when given,
// else Datong for the default area and the area's own name for another.
func AreaNameEn(area, en string) string {
	switch {
	case en != "":
		return en
	case AreaOr(area) == DefaultAreaName:
		return DefaultAreaNameEn
	}
	return area
}

// CheckAreaName refuses an area name that is empty, longer than 20
// characters, or holds markup or control characters (it is written into
// pages and titles).
func CheckAreaName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return fmt.Errorf("the area's name is empty (大同市, 山西省)")
	case utf8.RuneCountInString(name) > 20:
		return fmt.Errorf("the area's name %q is longer than 20 characters", name)
	case strings.ContainsAny(name, "<>&\"'`") || strings.ContainsFunc(name, unicode.IsControl):
		return fmt.Errorf("the area's name %q holds markup or control characters", name)
	}
	return nil
}

// MonthlyReportTitle is the monthly report's title of an area ("": the
// default) for the month (any time in it, read in Beijing time).
func MonthlyReportTitle(area string, month time.Time) string {
	m := month.In(Beijing)
	return fmt.Sprintf("%s秸秆焚烧卫星监测月报 %d年%d月", AreaOr(area), m.Year(), m.Month())
}

// PublishedReportTitle is MonthlyReportTitle of a month "2026-11" (the
// month itself when it does not parse).
func PublishedReportTitle(area, month string) string {
	m, err := time.ParseInLocation("2006-01", month, Beijing)
	if err != nil {
		return month
	}
	return MonthlyReportTitle(area, m)
}
