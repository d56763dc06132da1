package report_test

import (
	"bytes"
	"strings"
	"testing"

	"skygrid"
	"skygrid/report"
)

// The monthly report has the air-quality ranking beside the straw-burning
// one: by rank, index, PM2.5, PM10, good-day share and the changes, the
// estimated county marked with its stations; without a ranking, none.
func TestMonthlyAirSection(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	m := monthlyFixture()
	m.Air = []*skygrid.CountyAir{
		{CountyID: "140213", CountyName: "平城区", Rank: 1, Index: f(4.87), PM25: f(44), PM10: f(80), GoodShare: f(0.9),
			PrevIndex: f(5.1), ChangePrev: f(-0.0451), YearAgoIndex: f(4.5), ChangeYearAgo: f(0.0822), Stations: []string{"示例站1", "示例站2"}},
		{CountyID: "140214", CountyName: "云冈区", Rank: 1, Index: f(4.87), PM25: f(44), PM10: f(80), GoodShare: f(0.9),
			Estimated: true, Stations: []string{"示例站1", "示例站2"}, Note: "本区县无空气质量站点，按30公里内的站点（示例站1、示例站2）估算"},
		{CountyID: "140225", CountyName: "浑源县", Note: "PM2.5有效日数20天，少于27天，不评价"},
	}
	var buf bytes.Buffer
	if err := report.RenderMonthly(&buf, m); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{
		"环境空气质量排名", "HJ 663-2013",
		`<td class="center">1</td><td class="center">平城区</td><td class="num">4.87</td><td class="num">44</td><td class="num">80</td><td class="num">90%</td><td class="num">-4.5%</td><td class="num">&#43;8.2%</td>`, // html/template writes + as &#43;
		`<td class="center">1</td><td class="center">云冈区*</td><td class="num">4.87</td>`,
		`<td class="center">—</td><td class="center">浑源县</td><td class="num">—</td>`,
		"云冈区：本区县无空气质量站点，按30公里内的站点（示例站1、示例站2）估算。",
		"浑源县：PM2.5有效日数20天，少于27天，不评价。",
		"环境空气质量监测站点",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// Beside the straw-burning ranking: after it, before the charts.
	if r, a, c := strings.Index(html, "二、区县排名"), strings.Index(html, "环境空气质量排名"), strings.Index(html, "三、统计图"); !(r < a && a < c) {
		t.Errorf("the air ranking at %d, not between the ranking (%d) and the charts (%d)", a, r, c)
	}
	// No ranking, or no county with a station to draw on: no section.
	for _, air := range [][]*skygrid.CountyAir{nil, {{CountyID: "140225", CountyName: "浑源县", Note: "无可用的空气质量站点"}}} {
		m.Air = air
		buf.Reset()
		if err := report.RenderMonthly(&buf, m); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), "环境空气质量排名") {
			t.Errorf("an air section from %d counties without stations", len(air))
		}
	}
}
