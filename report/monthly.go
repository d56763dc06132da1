package report

import (
	"bytes"
	"cmp"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"skygrid"
)

// Monthly is the monthly straw-burning report of the agriculture bureau.
type Monthly struct {
	// Title defaults to "大同市秸秆焚烧卫星监测月报 2023年10月" (Area's
	// report; a report of one county: "浑源县秸秆焚烧卫星监测月报 2023年10月").
	Title string
	// Area is the area the deployment serves ("" skygrid.DefaultAreaName).
	Area string
	// Month is any time in the month reported (read in Beijing time).
	Month time.Time
	// Stats are the month's figures by county, with YearAgo.
	Stats   *skygrid.Stats
	Ranking []Rank
	// Cities is the cities' ranking of a province's report (nil: fewer
	// than two cities, a city's report).
	Cities []Rank
	// Daily has one entry per day of the month.
	Daily []DayCount
	// ResponseMinutes are the report times of the tasks (dispatch to
	// report), for the distribution.
	ResponseMinutes []float64
	// Confirmed are the confirmed straw burning events.
	Confirmed []skygrid.ConfirmedFire
	Generated time.Time
	// Demo marks a report made from demo data.
	Demo bool
	// Dust are the month's dust figures (nil: no dust section).
	Dust *skygrid.DustStats
	// Public is the copy the public page serves (GET /public/reports/:month):
	// the confirmed fires without grid, exact position or the supervisor's
	// notes, and no list of the sites with the most alarms (alarms are not
	// confirmed violations).
	Public bool
	// Air is the month's county air-quality ranking (HJ 663-2013; nil: no
	// section), set by the caller from skygrid.AirRankingService.
	Air []*skygrid.CountyAir
}

// DayCount is the events first seen on one day, by class.
type DayCount struct {
	Day     time.Time
	ByClass map[string]int
}

//go:embed templates/monthly.html
var monthlyHTML string

var monthlyTmpl = template.Must(template.New("monthly.html").Funcs(template.FuncMap{"inc": func(i int) int { return i + 1 }}).Parse(monthlyHTML))

// RenderMonthly writes the report as one self-contained HTML page (inline
// CSS and SVG charts, no scripts) made for printing on A4.
func RenderMonthly(w io.Writer, m *Monthly) error {
	if m == nil {
		return errors.New("report: no monthly report to render")
	}
	if m.Stats == nil || m.Stats.Total == nil {
		return errors.New("report: the monthly report needs stats with a total")
	}
	v := monthlyViewOf(m)
	var buf bytes.Buffer
	if err := monthlyTmpl.Execute(&buf, v); err != nil {
		return fmt.Errorf("report: monthly: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

type monthlyView struct {
	Title, Period, Generated, YearAgoLabel string
	Demo                                   bool
	Summary                                []monthlySummaryRow
	// Single: the report holds one county (an official's): its figures,
	// not a ranking of one. County is its name.
	Single bool
	County string
	// Level names the areas ranked: 区县, or 乡镇 or 网格 when the store
	// gave the figures by a finer level (a township official's).
	Level   string
	Ranking []monthlyRankRow
	Cities  []monthlyRankRow
	Charts  []monthlyChart
	// YearAgoNoData: no detection is stored for the year before.
	YearAgoNoData bool
	Confirmed     []monthlyConfirmedRow
	// Dust is the dust section (nil: none).
	Dust *monthlyDust
	// Public: the public copy (Monthly.Public).
	Public bool
	// Air is the air-quality ranking beside the straw-burning one (nil:
	// none).
	Air *monthlyAir
}

// monthlyChart is a figure of the report: its caption and its SVG (or a
// sentence when there is nothing to draw).
type monthlyChart struct {
	Caption string
	SVG     template.HTML
}

type monthlySummaryRow struct{ Label, Value, YearAgo, Change string }

type monthlyRankRow struct {
	Rank                                           int
	Name, Score, Straw, Cropland, Confirmed, False string
	Unverified, Overdue                            string
}

type monthlyConfirmedRow struct{ Time, County, Grid, Place, Finding, Notes string }

func monthlyViewOf(m *Monthly) *monthlyView {
	month := m.Month.In(skygrid.Beijing)
	v := &monthlyView{Title: m.Title, Demo: m.Demo, Public: m.Public}
	if v.Title == "" {
		v.Title = skygrid.MonthlyReportTitle(m.Area, month)
	}
	since, until := m.Stats.Query.Since, m.Stats.Query.Until
	if since.IsZero() || !until.After(since) {
		since = time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, skygrid.Beijing)
		until = since.AddDate(0, 1, 0)
	}
	v.Period = since.In(skygrid.Beijing).Format("2006年1月2日") + " 至 " + until.Add(-time.Nanosecond).In(skygrid.Beijing).Format("2006年1月2日")
	ago := month.AddDate(0, 0, 1-month.Day()).AddDate(-1, 0, 0)
	v.YearAgoLabel = fmt.Sprintf("%d年%d月", ago.Year(), ago.Month())
	v.YearAgoNoData = m.Stats.YearAgo != nil && m.Stats.YearAgo.NoData
	gen := m.Generated
	if gen.IsZero() {
		gen = m.Stats.Computed
	}
	if !gen.IsZero() {
		v.Generated = gen.In(skygrid.Beijing).Format("2006-01-02 15:04") + "（北京时间）"
	}

	v.Summary = monthlySummary(m.Stats)
	v.Level = monthlyLevel(m.Stats.Query.By)
	v.Single = len(m.Ranking) == 1
	for _, r := range m.Ranking {
		v.County = r.RegionName
		v.Ranking = append(v.Ranking, monthlyRankRowOf(r))
	}
	if v.Single && m.Title == "" {
		v.Title = fmt.Sprintf("%s秸秆焚烧卫星监测月报 %d年%d月", v.County, month.Year(), month.Month())
	}

	for _, r := range m.Cities {
		v.Cities = append(v.Cities, monthlyRankRowOf(r))
	}
	v.Charts = append(v.Charts, monthlyChart{"逐日" + skygrid.FigureNames["events"] + "（按类别）", monthlyDailySVG(m.Daily)})
	if len(m.Cities) > 0 {
		v.Charts = append(v.Charts, monthlyChart{"地市排名（得分）", monthlyRankSVG(m.Cities, "地市")})
	}
	if !v.Single {
		v.Charts = append(v.Charts, monthlyRankChart(m.Ranking, v.Level))
	}
	v.Charts = append(v.Charts, monthlyChart{fmt.Sprintf("上报用时分布（共 %d 件）", len(m.ResponseMinutes)), monthlyHistSVG(m.ResponseMinutes)})
	v.Confirmed = monthlyConfirmed(m)
	v.Dust = monthlyDustOf(m.Dust)
	if v.Dust != nil && m.Public {
		v.Dust.TopSites = nil
	}
	v.Air = monthlyAirOf(m.Air)
	return v
}

func monthlyRankRowOf(r Rank) monthlyRankRow {
	a := r.Stats
	if a == nil {
		a = &skygrid.AreaStats{}
	}
	row := monthlyRankRow{
		Rank: r.Rank, Name: r.RegionName,
		Straw:      fmt.Sprint(a.ByClass[skygrid.ClassStrawBurning]),
		Cropland:   "—",
		Confirmed:  fmt.Sprint(a.ConfirmedStraw),
		False:      fmt.Sprint(a.FalseAlarms),
		Unverified: fmt.Sprint(a.Unverified),
		Overdue:    pctText(a.OverdueShare),
		Score:      monthlyScoreText(r),
	}
	if a.CroplandHa > 0 {
		row.Cropland = fmt.Sprintf("%.0f", a.CroplandHa)
	}
	return row
}

func monthlyConfirmed(m *Monthly) []monthlyConfirmedRow {
	names := map[string]string{}
	for _, a := range m.Stats.Areas {
		if a != nil {
			names[a.RegionID] = a.RegionName
		}
	}
	evs := slices.Clone(m.Confirmed)
	slices.SortStableFunc(evs, func(a, b skygrid.ConfirmedFire) int { return a.FirstSeen.Compare(b.FirstSeen) })
	var out []monthlyConfirmedRow
	for _, e := range evs {
		row := monthlyConfirmedRow{
			Time:    e.FirstSeen.In(skygrid.Beijing).Format("01-02 15:04"),
			County:  cmp.Or(e.CountyName, names[e.CountyID], e.CountyID),
			Grid:    cmp.Or(e.GridName, e.GridID, "未落入网格"),
			Place:   fmt.Sprintf("%.5f, %.5f", e.Lon, e.Lat),
			Finding: cmp.Or(skygrid.FindingNames[e.Finding], e.Finding),
			Notes:   e.Notes,
		}
		if e.GridName != "" && e.GridID != "" && e.GridName != e.GridID {
			row.Grid = e.GridName + "（" + e.GridID + "）"
		}
		out = append(out, row)
	}
	return out
}

func monthlyScoreText(r Rank) string {
	if r.PerHa() {
		return fmt.Sprintf("%.2f 起/千公顷", r.Score)
	}
	return trimDotZero(fmt.Sprintf("%.1f", r.Score)) + " 起"
}

// monthlySummary is the month's figures with the year-ago values and the
// change: with no data stored for the year before, no change is given
// (去年无数据); a count up from 0 gets no percentage.
func monthlySummary(s *skygrid.Stats) []monthlySummaryRow {
	cur := s.Total
	var ago *skygrid.AreaStats
	if s.YearAgo != nil && !s.YearAgo.NoData {
		ago = s.YearAgo.Total
	}
	none, noChange := "—", "—"
	if s.YearAgo != nil && s.YearAgo.NoData {
		none, noChange = "无数据", "去年无数据"
	}
	count := func(key string, f func(a *skygrid.AreaStats) int) monthlySummaryRow {
		r := monthlySummaryRow{Label: skygrid.FigureNames[key], Value: fmt.Sprint(f(cur)), YearAgo: none, Change: noChange}
		if ago != nil {
			n, o := f(cur), f(ago)
			r.YearAgo = fmt.Sprint(o)
			r.Change = monthlySigned(float64(n-o), "")
			if o > 0 && n != o {
				r.Change += "（" + monthlySigned(float64(n-o)/float64(o)*100, "%") + "）"
			} else if o == 0 && n > 0 {
				r.Change = fmt.Sprintf("去年同期为 0，今年 %d", n)
			}
		}
		return r
	}
	minutes := func(label string, f func(a *skygrid.AreaStats) *float64) monthlySummaryRow {
		r := monthlySummaryRow{Label: label, Value: "—", YearAgo: none, Change: noChange}
		n := f(cur)
		if n != nil {
			r.Value = fmt.Sprintf("%.0f 分钟", *n)
		}
		if ago != nil {
			r.YearAgo, r.Change = "—", "—"
			if o := f(ago); o != nil {
				r.YearAgo = fmt.Sprintf("%.0f 分钟", *o)
				if n != nil {
					r.Change = monthlySigned(math.Round(*n)-math.Round(*o), " 分钟")
				}
			}
		}
		return r
	}
	rows := []monthlySummaryRow{
		count("events", func(a *skygrid.AreaStats) int { return a.Events }),
		count("hotspots", func(a *skygrid.AreaStats) int { return a.Hotspots }),
		count("straw_burning", func(a *skygrid.AreaStats) int { return a.ByClass[skygrid.ClassStrawBurning] }),
		count("tasks", func(a *skygrid.AreaStats) int { return a.Tasks }),
		count("confirmed_straw_burning", func(a *skygrid.AreaStats) int { return a.ConfirmedStraw }),
		count("false_alarms", func(a *skygrid.AreaStats) int { return a.FalseAlarms }),
		count("unverified", func(a *skygrid.AreaStats) int { return a.Unverified }),
		minutes("上报用时中位数", func(a *skygrid.AreaStats) *float64 { return a.ReportMedianMin }),
		minutes("上报用时 P90", func(a *skygrid.AreaStats) *float64 { return a.ReportP90Min }),
	}
	rows[2].Label = "其中" + rows[2].Label
	od := monthlySummaryRow{Label: skygrid.FigureNames["overdue_share"], Value: pctText(cur.OverdueShare), YearAgo: none, Change: noChange}
	if ago != nil {
		od.YearAgo = pctText(ago.OverdueShare)
		od.Change = monthlySigned((cur.OverdueShare-ago.OverdueShare)*100, " 个百分点")
	}
	rows = append(rows, od)
	// Fires just outside the city (the area margin): joint control, not
	// the city's figures.
	if s.CrossBorder > 0 || (s.YearAgo != nil && s.YearAgo.CrossBorder > 0) {
		cb := monthlySummaryRow{Label: "市外跨界火情（联防联控，不计入以上各项）", Value: fmt.Sprint(s.CrossBorder), YearAgo: none, Change: noChange}
		if s.YearAgo != nil && !s.YearAgo.NoData {
			cb.YearAgo = fmt.Sprint(s.YearAgo.CrossBorder)
			cb.Change = monthlySigned(float64(s.CrossBorder-s.YearAgo.CrossBorder), "")
		}
		rows = append(rows, cb)
	}
	return rows
}

// monthlySigned formats a change with its sign and one decimal at most.
func monthlySigned(x float64, unit string) string {
	s := trimDotZero(fmt.Sprintf("%+.1f", x))
	if s == "+0" || s == "-0" {
		s = "0"
	}
	return s + unit
}

// Charts: inline SVG, sized in user units and scaled to the page width.

// monthlyClassColors are the colors of the classes in the charts, in the
// order they are stacked (straw burning at the bottom).
var monthlyClassColors = []struct{ class, color string }{
	{skygrid.ClassStrawBurning, "#e8590c"},
	{skygrid.ClassOpenBurning, "#fab005"},
	{skygrid.ClassLooseCoal, "#495057"},
	{skygrid.ClassConstruction, "#1c7ed6"},
	{skygrid.ClassStockpile, "#7048e8"},
	{skygrid.ClassIndustrialHeat, "#adb5bd"},
}

var monthlyExtraColors = []string{"#2f9e44", "#c2255c", "#0c8599", "#5f3dc4"}

// monthlyNiceStep is a step of 1, 2 or 5 times a power of ten that cuts
// max into at most n steps.
func monthlyNiceStep(max float64, n int) float64 {
	if max <= 0 || n < 1 {
		return 1
	}
	raw := max / float64(n)
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

func monthlyEsc(s string) string { return template.HTMLEscapeString(s) }

// monthlyTextWidth guesses the width of a label: CJK characters are about
// one em, others half.
func monthlyTextWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		if utf8.RuneLen(r) >= 3 {
			w += size
		} else {
			w += size * 0.6
		}
	}
	return w
}

// monthlyFit shortens a label with "…" to fit maxW.
func monthlyFit(s string, size, maxW float64) string {
	if monthlyTextWidth(s, size) <= maxW {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 && monthlyTextWidth(string(rs)+"…", size) > maxW {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

func monthlyNum(x float64) string { return trimDotZero(fmt.Sprintf("%.1f", x)) }

// monthlyDailySVG draws the events of each day stacked by class, with a
// legend.
func monthlyDailySVG(days []DayCount) template.HTML {
	if len(days) == 0 {
		return `<p class="empty">本月无逐日数据。</p>`
	}
	// Classes present, in the stacking order, then unknown ones by name.
	present := map[string]bool{}
	maxTotal := 0
	for _, d := range days {
		t := 0
		for c, n := range d.ByClass {
			if n > 0 {
				present[c] = true
				t += n
			}
		}
		maxTotal = max(maxTotal, t)
	}
	type cls struct{ class, color, name string }
	var classes []cls
	for _, c := range monthlyClassColors {
		if present[c.class] {
			classes = append(classes, cls{c.class, c.color, skygrid.ClassNames[c.class]})
			delete(present, c.class)
		}
	}
	var extra []string
	for c := range present {
		extra = append(extra, c)
	}
	slices.Sort(extra)
	for i, c := range extra {
		name := skygrid.ClassNames[c]
		if name == "" {
			name = c
		}
		classes = append(classes, cls{c, monthlyExtraColors[i%len(monthlyExtraColors)], name})
	}

	const W, H, left, right, top, plotH = 720.0, 300.0, 44.0, 12.0, 14.0, 210.0
	plotW := W - left - right
	slot := plotW / float64(len(days))
	barW := slot * 0.72

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" width="100%%" role="img" aria-label="逐日火点事件数（按类别堆叠）" xmlns="http://www.w3.org/2000/svg">`, W, H)
	y := monthlyYAxis(&b, float64(maxTotal), 0, left, W-right, top, plotH)
	for i, d := range days {
		x := left + float64(i)*slot + (slot-barW)/2
		acc := 0.0
		for _, c := range classes {
			n := d.ByClass[c.class]
			if n <= 0 {
				continue
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s %d 起</title></rect>`,
				x, y(acc+float64(n)), barW, y(acc)-y(acc+float64(n)), c.color, d.Day.In(skygrid.Beijing).Format("1月2日"), monthlyEsc(c.name), n)
			acc += float64(n)
		}
		day := d.Day.In(skygrid.Beijing).Day()
		if len(days) <= 16 || day == 1 || day%5 == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="middle" fill="#495057">%d</text>`, x+barW/2, top+plotH+15, day)
		}
	}
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#495057" stroke-width="1"/>`, left, y(0), W-right, y(0))
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="end" fill="#495057">日</text>`, W-right, top+plotH+30)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" fill="#495057">起</text>`, 4.0, top+4)
	// Legend, wrapped to the width.
	lx, ly := left, top+plotH+48
	for _, c := range classes {
		w := 14 + 6 + monthlyTextWidth(c.name, 12) + 18
		if lx+w > W-right && lx > left {
			lx, ly = left, ly+20
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="14" height="12" fill="%s"/>`, lx, ly-10, c.color)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="12" fill="#212529">%s</text>`, lx+20, ly, monthlyEsc(c.name))
		lx += w
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// monthlyChartBars is the most bars a ranking chart draws: a province's
// 120 counties made a strip too narrow to read on its page.
const monthlyChartBars = 30

// monthlyRankChart is the ranking chart of the areas (level: 区县, 乡镇):
// the first monthlyChartBars of them, the caption saying so.
func monthlyRankChart(ranks []Rank, level string) monthlyChart {
	if len(ranks) <= monthlyChartBars {
		return monthlyChart{level + "排名（得分）", monthlyRankSVG(ranks, level)}
	}
	return monthlyChart{fmt.Sprintf("%s排名（得分，前%d名，共%d个%s）", level, monthlyChartBars, len(ranks), level), monthlyRankSVG(ranks[:monthlyChartBars], level)}
}

// monthlyLevel names the areas of a grouping (skygrid.ByCounty...): 区县
// when it is none of the finer ones.
func monthlyLevel(by string) string {
	if by == skygrid.ByTownship || by == skygrid.ByGrid {
		return skygrid.LevelNames[by]
	}
	return skygrid.LevelNames[skygrid.LevelCounty]
}

// monthlyRankSVG draws the ranking of what (区县, 地市) as horizontal
// bars, worst on top.
func monthlyRankSVG(ranks []Rank, what string) template.HTML {
	if len(ranks) == 0 {
		return template.HTML(`<p class="empty">本月无` + what + `排名数据。</p>`)
	}
	nameW := 0.0
	for _, r := range ranks {
		nameW = max(nameW, monthlyTextWidth(r.RegionName, 12))
	}
	const W, rowH, top = 720.0, 26.0, 8.0
	left := math.Min(nameW+40, 220)
	valueW := 120.0
	plotW := W - left - valueW
	H := top + rowH*float64(len(ranks)) + 8
	// The bars show the score; when every score is 0 (no suspected straw
	// burning) the ranking falls to its tie-break, the unverified tasks,
	// and the bars show those, as the audit page's chart does.
	maxScore, maxUnverified := 0.0, 0.0
	for _, r := range ranks {
		maxScore = math.Max(maxScore, r.Score)
		if r.Stats != nil {
			maxUnverified = math.Max(maxUnverified, float64(r.Stats.Unverified))
		}
	}
	byUnverified := maxScore == 0 && maxUnverified > 0
	var b strings.Builder
	if byUnverified {
		b.WriteString(`<p class="note">本月各` + what + `疑似秸秆焚烧均为 0 起，排名按未核实任务数，图中为未核实任务数（件）。</p>`)
	}
	fmt.Fprintf(&b, `<svg class="chart" data-kind="rank" viewBox="0 0 %.0f %.0f" width="100%%" role="img" aria-label="%s排名" xmlns="http://www.w3.org/2000/svg">`, W, H, what)
	for i, r := range ranks {
		yy := top + float64(i)*rowH
		w, label, color := 0.0, monthlyScoreText(r), "#e8590c"
		switch {
		case byUnverified:
			n := 0
			if r.Stats != nil {
				n = r.Stats.Unverified
			}
			w, label, color = float64(n)/maxUnverified*plotW, fmt.Sprintf("未核实任务 %d 件", n), "#7048e8"
		case maxScore > 0:
			w = r.Score / maxScore * plotW
		}
		if !byUnverified && !r.PerHa() {
			color = "#f08c00"
		}
		prefix := fmt.Sprintf("%d. ", r.Rank)
		name := monthlyFit(r.RegionName, 12, left-8-monthlyTextWidth(prefix, 12))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="12" text-anchor="end" fill="#212529">%s%s</text>`, left-8, yy+rowH/2+4, prefix, monthlyEsc(name))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, left, yy+4, math.Max(w, 1), rowH-8, color)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" fill="#495057">%s</text>`, left+math.Max(w, 1)+6, yy+rowH/2+4, monthlyEsc(label))
	}
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#495057" stroke-width="1"/>`, left, top, left, H-8)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// monthlyHistSVG draws the distribution of the response times with the
// median and the 90th percentile marked.
// monthlyYAxis draws a bar chart's horizontal grid lines, labelled, from
// x0 to x1 for bars up to max (steps of at least minStep), and returns the
// y of a value.
func monthlyYAxis(b *strings.Builder, max, minStep, x0, x1, top, plotH float64) func(float64) float64 {
	step := math.Max(monthlyNiceStep(max, 5), minStep)
	yMax := math.Max(step, math.Ceil(max/step)*step)
	y := func(v float64) float64 { return top + plotH - v/yMax*plotH }
	for v := 0.0; v <= yMax+step/2; v += step {
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#dee2e6" stroke-width="0.8"/>`, x0, y(v), x1, y(v))
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="end" fill="#495057">%s</text>`, x0-5, y(v)+4, monthlyNum(v))
	}
	return y
}

func monthlyHistSVG(minutes []float64) template.HTML {
	var vals []float64
	for _, m := range minutes {
		if !math.IsNaN(m) && !math.IsInf(m, 0) {
			vals = append(vals, math.Max(m, 0))
		}
	}
	if len(vals) == 0 {
		return `<p class="empty">本月无上报记录。</p>`
	}
	slices.Sort(vals)
	hi := vals[len(vals)-1]
	width := monthlyNiceStep(hi, 12)
	if width < 1 {
		width = 1
	}
	nb := int(math.Floor(hi/width)) + 1
	bins := make([]int, nb)
	for _, v := range vals {
		bins[min(int(v/width), nb-1)]++
	}
	maxBin := slices.Max(bins)

	const W, H, left, right, top, plotH = 720.0, 280.0, 44.0, 16.0, 40.0, 190.0
	plotW := W - left - right
	xMax := float64(nb) * width
	x := func(v float64) float64 { return left + v/xMax*plotW }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" width="100%%" role="img" aria-label="上报用时分布" xmlns="http://www.w3.org/2000/svg">`, W, H)
	y := monthlyYAxis(&b, float64(maxBin), 1, left, W-right, top, plotH)
	for i, n := range bins {
		if n == 0 {
			continue
		}
		x0, x1 := x(float64(i)*width), x(float64(i+1)*width)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#1c7ed6" stroke="#fff" stroke-width="1"><title>%s–%s 分钟：%d 件</title></rect>`,
			x0, y(float64(n)), x1-x0, y(0)-y(float64(n)), monthlyNum(float64(i)*width), monthlyNum(float64(i+1)*width), n)
	}
	labelEvery := int(math.Ceil(float64(nb) / 12))
	for i := 0; i <= nb; i += labelEvery {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="middle" fill="#495057">%s</text>`, x(float64(i)*width), top+plotH+15, monthlyNum(float64(i)*width))
	}
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#495057" stroke-width="1"/>`, left, y(0), W-right, y(0))
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="end" fill="#495057">上报用时（分钟）</text>`, W-right, top+plotH+32)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" fill="#495057">件</text>`, 4.0, top+4)
	med, p90 := skygrid.Quantile(vals, 0.5), skygrid.Quantile(vals, 0.9)
	monthlyMarkers(&b, x, y(0), top, left, W-right, []monthlyMarker{{med, "中位数"}, {p90, "P90"}})
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// monthlyMarker is a value marked on a histogram with a dashed line.
type monthlyMarker struct {
	v     float64
	label string
}

// monthlyMarkers draws the markers' lines and labels above the plot: the
// first label left of its line, the others right of theirs, each turned
// round where it would leave the plot, and moved a line up where it would
// cover one already placed.
func monthlyMarkers(b *strings.Builder, x func(float64) float64, y0, top, x0, x1 float64, ms []monthlyMarker) {
	type box struct{ a, b, y float64 }
	var placed []box
	for i, m := range ms {
		xm := x(m.v)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#c92a2a" stroke-width="1.5" stroke-dasharray="5 3"/>`, xm, top-4, xm, y0)
		text := fmt.Sprintf("%s %.0f 分钟", m.label, m.v)
		w := monthlyTextWidth(text, 11)
		left := i == 0
		if left && xm-4-w < x0 {
			left = false
		} else if !left && xm+4+w > x1 {
			left = true
		}
		a := xm + 4
		if left {
			a = xm - 4 - w
		}
		ly := top - 12
		for moved := true; moved; {
			moved = false
			for _, p := range placed {
				if p.y == ly && a < p.b+6 && p.a < a+w+6 {
					ly, moved = ly-14, true
				}
			}
		}
		placed = append(placed, box{a, a + w, ly})
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="11" fill="#c92a2a">%s</text>`, a, ly, text)
	}
}
