package report_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/report"
)

// warningFixture is an orange warning for two counties, lifted, with
// three listed sites (示例 names): one checked with every measure in
// place, one with a measure not in place, one not checked.
func warningFixture() *skygrid.WarningFigures {
	yes, no := true, false
	start := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC) // 08:00 Beijing
	id1, id2, id3 := int64(11), int64(12), int64(13)
	stop := skygrid.Measure{Code: skygrid.MeasureStopEarthworks, Text: "停止土石方作业"}
	cover := skygrid.Measure{Code: skygrid.MeasureCoverStockpile, Text: "物料堆场覆盖"}
	limit := skygrid.Measure{Code: skygrid.MeasureLimitOutput, Text: "限产30%", Percent: 30}
	return &skygrid.WarningFigures{
		Warning: &skygrid.Warning{ID: 3, Level: skygrid.WarningOrange, CountyIDs: []string{"140215", "140213"},
			CountyNames: []string{"云州区", "平城区"}, Start: start, ExpectedEnd: start.Add(72 * time.Hour),
			LiftedAt: start.Add(80 * time.Hour), State: skygrid.WarningLifted, Reason: "示例：静稳天气", PublicAdvice: "减少户外活动"},
		Counties: []*skygrid.WarningCountyFigures{
			{CountyID: "140215", CountyName: "云州区", Listed: 2, Tasks: 2, Checked: 1, Closed: 1, Overdue: 1, Measures: 2, MeasuresInPlace: 2, Exceedances: 3, Fires: 1},
			{CountyID: "140213", CountyName: "平城区", Listed: 1, Tasks: 1, Checked: 1, Measures: 1, MeasuresInPlace: 0, Exceedances: 0, Fires: 2},
		},
		Total:     skygrid.WarningCountyFigures{Listed: 3, Tasks: 3, Checked: 2, Closed: 1, Overdue: 1, Measures: 3, MeasuresInPlace: 2, Exceedances: 3, Fires: 3},
		Generated: start.Add(81 * time.Hour),
		Sites: []*skygrid.WarningSiteFigures{
			{SiteID: &id1, Name: "示例工地甲", CountyName: "云州区", TaskID: 1, TaskState: skygrid.TaskClosed, Exceedances: 3,
				Checklist: []skygrid.ChecklistItem{{Measure: stop, InPlace: &yes}, {Measure: cover, InPlace: &yes}}},
			{SiteID: &id2, Name: "示例工地乙", CountyName: "云州区", TaskID: 2, TaskState: skygrid.TaskDispatched,
				Checklist: []skygrid.ChecklistItem{{Measure: stop}}},
			{SiteID: &id3, Name: "示例企业丙", CountyName: "平城区", TaskID: 3, TaskState: skygrid.TaskReported,
				Checklist: []skygrid.ChecklistItem{{Measure: limit, InPlace: &no}}},
		},
		Extensions: []skygrid.WarningExtension{{At: start.Add(70 * time.Hour), From: start.Add(48 * time.Hour), To: start.Add(72 * time.Hour)}},
	}
}

func renderWarning(t *testing.T, f *skygrid.WarningFigures) string {
	t.Helper()
	var buf bytes.Buffer
	if err := report.RenderWarning(&buf, &report.WarningReport{Figures: f}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// The page says the warning (level, area, times, the extension), the
// counties' figures with their shares and the total, and lists the sites
// not checked or with a measure not in place, and none other.
func TestRenderWarning(t *testing.T) {
	html := renderWarning(t, warningFixture())
	for _, want := range []string{
		"<title>大同市重污染天气橙色预警总结报告</title>", "--level: #ff7e00",
		">橙色预警 · 云州区、平城区</p>",
		"<tr><th>开始时间</th><td>2026-12-05 08:00</td></tr>",
		"<tr><th>预计结束</th><td>2026-12-08 08:00</td></tr>",
		"<tr><th>解除时间</th><td>2026-12-08 16:00</td></tr>",
		"2026-12-08 06:00 延长：预计结束由 2026-12-07 08:00 改为 2026-12-08 08:00",
		`<td class="center">云州区</td><td class="num">2</td><td class="num">2</td><td class="num">1</td><td class="num">50%</td><td class="num">1</td><td class="num">1</td><td class="num">2</td><td class="num">2</td><td class="num">100%</td><td class="num">3</td><td class="num">1</td>`,
		`<td class="center">平城区</td><td class="num">1</td><td class="num">1</td><td class="num">1</td><td class="num">100%</td><td class="num">0</td><td class="num">0</td><td class="num">1</td><td class="num">0</td><td class="num">0%</td><td class="num">0</td><td class="num">2</td>`,
		`<tr class="total"><td class="center">合计</td><td class="num">3</td><td class="num">3</td><td class="num">2</td><td class="num">66.7%</td>`,
		"已检查 2 个（66.7%）；检查减排措施 3 项，落实 2 项（66.7%）；扬尘超标 3 次，火情 3 起。",
		`<tr><td>示例工地乙</td><td class="center">云州区</td><td class="center bad">未检查</td><td class="center">待签收</td>`,
		`<tr><td>示例企业丙</td><td class="center">平城区</td><td class="center bad">措施未落实</td><td class="center">待审核</td><td>限产30%</td>`,
		`<tr><td>示例工地甲</td><td class="center">云州区</td><td class="center">已办结</td><td class="num">2/2</td><td class="num">3</td></tr>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	missed := html[strings.Index(html, `id="missed"`):strings.Index(html, `id="sites"`)]
	if strings.Contains(missed, "示例工地甲") {
		t.Errorf("the site checked with every measure in place is listed among the missed:\n%s", missed)
	}
	if strings.Contains(html, "<script") {
		t.Error("the report has a script")
	}
}

// A figure that changes changes the page: each change of the figures is
// seen in the page it renders.
func TestRenderWarningFollowsFigures(t *testing.T) {
	base := renderWarning(t, warningFixture())
	for _, tc := range []struct {
		name   string
		change func(f *skygrid.WarningFigures)
		want   string
	}{
		{"level red", func(f *skygrid.WarningFigures) { f.Warning.Level = skygrid.WarningRed }, "--level: #e0201b"},
		{"whole city", func(f *skygrid.WarningFigures) { f.Warning.CountyIDs, f.Warning.CountyNames = nil, nil }, ">橙色预警 · 全市</p>"},
		{"not lifted", func(f *skygrid.WarningFigures) { f.Warning.LiftedAt = time.Time{} }, "<tr><th>解除时间</th><td>尚未解除</td></tr>"},
		{"another extension", func(f *skygrid.WarningFigures) {
			f.Extensions = append(f.Extensions, skygrid.WarningExtension{At: f.Warning.Start.Add(75 * time.Hour), From: f.Warning.ExpectedEnd, To: f.Warning.ExpectedEnd.Add(6 * time.Hour)})
		}, "2026-12-08 11:00 延长：预计结束由 2026-12-08 08:00 改为 2026-12-08 14:00"},
		{"more checked", func(f *skygrid.WarningFigures) { f.Total.Checked = 3 }, "已检查 3 个（100%）"},
		{"measures in place", func(f *skygrid.WarningFigures) { f.Counties[1].MeasuresInPlace = 1 },
			`<td class="center">平城区</td><td class="num">1</td><td class="num">1</td><td class="num">1</td><td class="num">100%</td><td class="num">0</td><td class="num">0</td><td class="num">1</td><td class="num">1</td><td class="num">100%</td>`},
		{"exceedances", func(f *skygrid.WarningFigures) { f.Total.Exceedances = 7 }, "扬尘超标 7 次"},
		{"fires", func(f *skygrid.WarningFigures) { f.Counties[0].Fires = 5 }, `<td class="num">3</td><td class="num">5</td></tr>`},
		{"site checked", func(f *skygrid.WarningFigures) {
			yes := true
			f.Sites[1].TaskState = skygrid.TaskReported
			f.Sites[1].Checklist[0].InPlace = &yes
		}, `<tr><td>示例工地乙</td><td class="center">云州区</td><td class="center">待审核</td><td class="num">1/1</td>`},
		{"measure unanswered", func(f *skygrid.WarningFigures) { f.Sites[0].Checklist[1].InPlace = nil }, `<td class="center bad">措施未逐项核查</td>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := warningFixture()
			tc.change(f)
			html := renderWarning(t, f)
			if html == base {
				t.Fatal("the page did not change")
			}
			if !strings.Contains(html, tc.want) {
				t.Errorf("the page lacks %q", tc.want)
			}
		})
	}
}

// A province's report of a warning over all of it says 全省, and its title
// names the province.
func TestRenderWarningOfAProvince(t *testing.T) {
	f := warningFixture()
	f.Warning.CountyIDs, f.Warning.CountyNames = nil, nil
	var buf bytes.Buffer
	if err := report.RenderWarning(&buf, &report.WarningReport{Figures: f, Area: "山西省"}); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{">橙色预警 · 全省</p>", "山西省重污染天气"} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(html, "全市") || strings.Contains(html, "大同") {
		t.Error("a province's report names the city")
	}
}

// Without a warning there is no report to make.
func TestRenderWarningNeedsFigures(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    *report.WarningReport
	}{
		{"nil", nil},
		{"no figures", &report.WarningReport{}},
		{"no warning", &report.WarningReport{Figures: &skygrid.WarningFigures{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := report.RenderWarning(&bytes.Buffer{}, tc.r); err == nil {
				t.Error("rendered a report without a warning")
			}
		})
	}
}

// TestReportTitlesNameTheArea: a province's deployment titles its
// monthly and warning reports with its own area, not 大同市.
func TestReportTitlesNameTheArea(t *testing.T) {
	var buf bytes.Buffer
	if err := report.RenderWarning(&buf, &report.WarningReport{Figures: warningFixture(), Area: "山西省"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "<title>山西省重污染天气橙色预警总结报告</title>") || strings.Contains(buf.String(), "大同市重污染") {
		t.Errorf("the warning report of 山西省 is titled %q", between(buf.String(), "<title>", "</title>"))
	}
	m := monthlyFixture()
	m.Area = "山西省"
	buf.Reset()
	if err := report.RenderMonthly(&buf, m); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "山西省秸秆焚烧卫星监测月报 2023年10月") || strings.Contains(buf.String(), "大同市秸秆") {
		t.Errorf("the monthly report of 山西省 is titled %q", between(buf.String(), "<title>", "</title>"))
	}
}

// between is the text of s between a and b ("" when absent).
func between(s, a, b string) string {
	_, rest, _ := strings.Cut(s, a)
	in, _, _ := strings.Cut(rest, b)
	return in
}
