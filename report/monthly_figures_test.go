package report_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"skygrid"
	"skygrid/report"
)

// summaryRow is the cells of the summary table's row of a figure.
func summaryRow(t *testing.T, html, label string) []string {
	t.Helper()
	m := regexp.MustCompile(`<tr><td>` + regexp.QuoteMeta(label) + `</td>((?:<td class="num">[^<]*</td>)+)</tr>`).FindStringSubmatch(html)
	if m == nil {
		t.Fatalf("no summary row %q", label)
	}
	var cells []string
	for _, c := range regexp.MustCompile(`<td class="num">([^<]*)</td>`).FindAllStringSubmatch(m[1], -1) {
		cells = append(cells, c[1])
	}
	return cells
}

// The year before: with no data stored for it the report says so instead
// of a change from 0; a count up from 0 is said in words, not as +N.
func TestMonthlyYearAgo(t *testing.T) {
	tests := []struct {
		name   string
		change func(m *report.Monthly)
		label  string
		want   []string // this month, a year ago, change
	}{
		{"both years", func(m *report.Monthly) {}, "火情", []string{"41", "46", "-5（-10.9%）"}},
		{"no data a year ago", func(m *report.Monthly) {
			m.Stats.YearAgo = &skygrid.Stats{NoData: true, Total: skygrid.SumAreas(nil)}
		}, "火情", []string{"41", "无数据", "去年无数据"}},
		{"up from 0", func(m *report.Monthly) {
			m.Stats.YearAgo.Total.ByClass[skygrid.ClassStrawBurning] = 0
		}, "其中疑似秸秆焚烧", []string{"32", "0", "去年同期为 0，今年 32"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := monthlyFixture()
			tc.change(m)
			var buf bytes.Buffer
			if err := report.RenderMonthly(&buf, m); err != nil {
				t.Fatal(err)
			}
			if got := summaryRow(t, buf.String(), tc.label); strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("%s: %v, want %v", tc.label, got, tc.want)
			}
		})
	}
}

// renderLast renders the fixture's report of its last n areas only,
// given by level by (an official's area).
func renderLast(t *testing.T, by string, n int) string {
	t.Helper()
	m := monthlyFixture()
	m.Stats.Query.By = by
	m.Stats.Areas = m.Stats.Areas[len(m.Stats.Areas)-n:]
	m.Stats.Total = skygrid.SumAreas(m.Stats.Areas)
	m.Ranking = report.Ranking(m.Stats)
	var buf bytes.Buffer
	if err := report.RenderMonthly(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// The report of one county (an official's) gives its figures, not a
// ranking of one: no rank, no ranking chart, its name in the title.
func TestMonthlyOneCounty(t *testing.T) {
	html := renderLast(t, skygrid.ByCounty, 1) // 阳高县
	for _, want := range []string{"阳高县秸秆焚烧卫星监测月报 2023年10月", "二、阳高县情况", "不作区县排名"} {
		if !strings.Contains(html, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	for _, not := range []string{"二、区县排名", "区县排名（得分）", "<th>排名</th>", "1. 阳高县", "得分"} {
		if strings.Contains(html, not) {
			t.Errorf("a report of one county shows %q", not)
		}
	}
	if n := strings.Count(html, `<svg class="chart"`); n != 2 {
		t.Errorf("%d charts, want 2 (daily, response times)", n)
	}
	if !strings.Contains(html, "图2　上报用时分布") {
		t.Error("the charts are not numbered in order")
	}
}

// A township official's report names its townships, not counties: the
// store gives their figures by township (Stats.Query.By), and the report
// said 区县 of them (浑源县秸秆焚烧卫星监测月报 over 下韩村乡's fires).
func TestMonthlyTownships(t *testing.T) {
	for _, tc := range []struct {
		name      string
		areas     int
		want, not []string
	}{
		{"one township", 1, []string{"阳高县秸秆焚烧卫星监测月报 2023年10月", "二、阳高县情况", "不作乡镇排名", "<th>乡镇</th>"},
			[]string{"区县排名", "<th>区县</th>"}},
		{"two townships", 2, []string{"二、乡镇排名", "<th>乡镇</th>", "乡镇排名（得分）", "有耕地数据的乡镇"},
			[]string{"区县排名", "<th>区县</th>", "有耕地数据的区县"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			html := renderLast(t, skygrid.ByTownship, tc.areas)
			for _, want := range tc.want {
				if !strings.Contains(html, want) {
					t.Errorf("the report lacks %q", want)
				}
			}
			// The ranking's section and the charts' (the air-quality
			// ranking, the dust figures and the list are by county).
			section := func(id string) string {
				_, s, _ := strings.Cut(html, `<section id="`+id+`">`)
				s, _, _ = strings.Cut(s, "</section>")
				return s
			}
			ranked := section("county") + section("ranking") + section("charts")
			if !strings.Contains(ranked, "阳高县") {
				t.Fatalf("no ranking section: %.300s", ranked)
			}
			for _, not := range tc.not {
				if strings.Contains(ranked, not) {
					t.Errorf("the report of townships says %q", not)
				}
			}
		})
	}
}
