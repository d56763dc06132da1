package report

import (
	"bytes"
	"cmp"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"skygrid"
)

// WarningReport is the report of a heavy-pollution warning (重污染天气预警
// 总结报告), made when it is lifted (or while it runs): the warning, and
// by county of its area the sites listed, checked, the measures found in
// place, the exceedances and fires during it, and the sites not checked or
// with measures not in place.
type WarningReport struct {
	Figures *skygrid.WarningFigures
	// Demo marks a report made from demo data.
	Demo bool
	// Area is the area the deployment serves ("" skygrid.DefaultAreaName).
	Area string
}

// WarningLevelColors are the level colours of the warning band (the
// national colours of the four levels), shared by the report and the
// web app (frontend/src/warnwords.ts keeps the same four).
var WarningLevelColors = map[string]string{
	skygrid.WarningBlue: "#1e6fd9", skygrid.WarningYellow: "#f5c400",
	skygrid.WarningOrange: "#ff7e00", skygrid.WarningRed: "#e0201b",
}

//go:embed templates/warning.html
var warningHTML string

var warningTmpl = template.Must(template.New("warning.html").Parse(warningHTML))

// RenderWarning writes the warning report as one self-contained HTML page
// (inline CSS, no scripts) made for printing on A4, as RenderMonthly does.
func RenderWarning(w io.Writer, r *WarningReport) error {
	if r == nil || r.Figures == nil || r.Figures.Warning == nil {
		return fmt.Errorf("report: the warning report needs the warning's figures")
	}
	var buf bytes.Buffer
	if err := warningTmpl.Execute(&buf, warningViewOf(r)); err != nil {
		return fmt.Errorf("report: warning: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

type warningView struct {
	Title, Level, Color, Ink, Area, Start, ExpectedEnd, Lifted, State, Generated string
	Reason, Advice                                                               string
	Extensions                                                                   []string
	Demo                                                                         bool
	Counties                                                                     []warningCountyRow
	Total                                                                        warningCountyRow
	Summary                                                                      string
	// Missed are the sites not checked or with measures not in place;
	// Sites every listed site.
	Missed, Sites []warningSiteRow
}

type warningCountyRow struct {
	Name                                          string
	Listed, Tasks, Checked, Closed, Overdue       int
	CheckedShare, Measures, InPlace, InPlaceShare string
	Exceedances, Fires                            int
	MeasuresN, InPlaceN                           int
}

type warningSiteRow struct {
	Name, County, State, Measures, NotInPlace, Why string
	Exceedances                                    int
}

// warningTime is a time in Beijing time for the report, "—" when zero.
func warningTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(skygrid.Beijing).Format("2006-01-02 15:04")
}

func warningViewOf(r *WarningReport) *warningView {
	f := r.Figures
	w := f.Warning
	level := cmp.Or(skygrid.WarningLevelNames[w.Level], w.Level)
	area := w.AreaText(skygrid.WholeOf(r.Area))
	v := &warningView{
		Title: fmt.Sprintf("%s重污染天气%s总结报告", skygrid.AreaOr(r.Area), level), Level: level, Area: area,
		Color: cmp.Or(WarningLevelColors[w.Level], "#868e96"), Ink: "#fff",
		Start: warningTime(w.Start), ExpectedEnd: warningTime(w.ExpectedEnd), Lifted: warningTime(w.LiftedAt),
		State: warningStateNames[w.State], Reason: w.Reason, Advice: w.PublicAdvice, Demo: r.Demo,
	}
	if w.Level == skygrid.WarningYellow {
		v.Ink = "#212529" // black on yellow reads; white does not
	}
	if w.LiftedAt.IsZero() {
		v.Lifted = "尚未解除"
	}
	for _, e := range f.Extensions {
		v.Extensions = append(v.Extensions, fmt.Sprintf("%s 延长：预计结束由 %s 改为 %s", warningTime(e.At), warningTime(e.From), warningTime(e.To)))
	}
	if !f.Generated.IsZero() {
		v.Generated = warningTime(f.Generated) + "（北京时间）"
	}
	for _, c := range f.Counties {
		if c != nil {
			v.Counties = append(v.Counties, warningCountyRowOf(c, c.CountyName))
		}
	}
	v.Total = warningCountyRowOf(&f.Total, "合计")
	t := v.Total
	v.Summary = fmt.Sprintf("预警期间列入应急减排清单的工地（企业）%d 个，已检查 %d 个（%s）；检查减排措施 %d 项，落实 %d 项（%s）；扬尘超标 %d 次，火情 %d 起。",
		t.Listed, t.Checked, t.CheckedShare, t.MeasuresN, t.InPlaceN, t.InPlaceShare, t.Exceedances, t.Fires)
	for _, s := range f.Sites {
		if s == nil {
			continue
		}
		row := warningSiteRowOf(s)
		v.Sites = append(v.Sites, row)
		if row.Why != "" {
			v.Missed = append(v.Missed, row)
		}
	}
	return v
}

var warningStateNames = map[string]string{skygrid.WarningIssued: "已发布（未开始）", skygrid.WarningActive: "生效中", skygrid.WarningLifted: "已解除"}

func warningCountyRowOf(c *skygrid.WarningCountyFigures, name string) warningCountyRow {
	return warningCountyRow{
		Name: cmp.Or(name, c.CountyID), Listed: c.Listed, Tasks: c.Tasks, Checked: c.Checked, Closed: c.Closed, Overdue: c.Overdue,
		CheckedShare: percent(skygrid.Rate(int64(c.Checked), int64(c.Listed))),
		Measures:     fmt.Sprint(c.Measures), InPlace: fmt.Sprint(c.MeasuresInPlace),
		InPlaceShare: percent(skygrid.Rate(int64(c.MeasuresInPlace), int64(c.Measures))),
		Exceedances:  c.Exceedances, Fires: c.Fires, MeasuresN: c.Measures, InPlaceN: c.MeasuresInPlace,
	}
}

// warningSiteRowOf says how a listed site's inspection went; Why is set
// when it was not checked or a measure was not in place (or not answered).
func warningSiteRowOf(s *skygrid.WarningSiteFigures) warningSiteRow {
	row := warningSiteRow{Name: s.Name, County: s.CountyName, Exceedances: s.Exceedances,
		State: cmp.Or(skygrid.TaskStateNames[s.TaskState], s.TaskState, "未派发检查任务")}
	checked := s.TaskState == skygrid.TaskReported || s.TaskState == skygrid.TaskClosed
	in, answered := 0, 0
	var not []string
	for _, c := range s.Checklist {
		if c.InPlace == nil {
			continue
		}
		answered++
		if *c.InPlace {
			in++
		} else {
			not = append(not, measureText(c.Measure))
		}
	}
	row.Measures = fmt.Sprintf("%d/%d", in, len(s.Checklist))
	row.NotInPlace = strings.Join(not, "、")
	switch {
	case !checked:
		row.Why = "未检查"
		row.Measures = "—"
	case len(not) > 0:
		row.Why = "措施未落实"
	case answered < len(s.Checklist):
		row.Why = "措施未逐项核查"
	}
	return row
}

// measureText is a measure in the list's words: its Chinese name (限产
// 30%), else its own text.
func measureText(m skygrid.Measure) string {
	name := skygrid.MeasureNames[m.Code]
	if name == "" {
		return m.Text
	}
	if m.Code == skygrid.MeasureLimitOutput && m.Percent > 0 {
		return fmt.Sprintf("%s%d%%", name, m.Percent)
	}
	return name
}
