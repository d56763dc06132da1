package report_test

import (
	"bytes"
	"fmt"
	"testing"

	"skygrid"
	"skygrid/report"
)

// checkLabels fails for labels that overlap one another or leave their
// chart (cut off when printed); it returns how many labels it read.
func checkLabels(t *testing.T, page string) int {
	t.Helper()
	problems, n, err := report.LabelProblems(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	return n
}

// No two labels of a chart overlap, and none is cut off, whatever the
// data: long county names, a median and P90 side by side at the right
// edge, many classes in the legend, long response times.
func TestMonthlyChartLabelsDoNotOverlap(t *testing.T) {
	long := []string{"内蒙古自治区乌兰察布市察哈尔右翼前旗", "平城区", "云冈区（示例：一个很长很长的区县名称）", "阳高县"}
	tests := []struct {
		name   string
		change func(m *report.Monthly)
	}{
		{"October 2023 fixture", func(m *report.Monthly) {}},
		{"long county names", func(m *report.Monthly) {
			var areas []*skygrid.AreaStats
			for i, n := range long {
				areas = append(areas, &skygrid.AreaStats{RegionID: fmt.Sprint(140200 + i), RegionName: n, Events: 10 * i,
					ByClass: map[string]int{skygrid.ClassStrawBurning: 100 * (i + 1)}, Unverified: i, CroplandHa: 1234.5})
			}
			m.Stats.Areas = areas
			m.Ranking = report.Ranking(m.Stats)
		}},
		{"median and P90 together at the right edge", func(m *report.Monthly) {
			m.ResponseMinutes = []float64{5, 118, 119, 119, 119, 119, 119, 120, 120, 120}
		}},
		{"median and P90 equal", func(m *report.Monthly) { m.ResponseMinutes = []float64{42} }},
		{"median and P90 at the left edge", func(m *report.Monthly) {
			m.ResponseMinutes = []float64{1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3000}
		}},
		{"long response times", func(m *report.Monthly) {
			for i := range 200 {
				m.ResponseMinutes = append(m.ResponseMinutes, float64(i*i%9973))
			}
		}},
		{"every class every day", func(m *report.Monthly) {
			for i := range m.Daily {
				for _, c := range skygrid.Classes {
					m.Daily[i].ByClass[c] = 100 + i
				}
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := monthlyFixture()
			tc.change(m)
			var buf bytes.Buffer
			if err := report.RenderMonthly(&buf, m); err != nil {
				t.Fatal(err)
			}
			if n := checkLabels(t, buf.String()); n < 20 {
				t.Errorf("only %d labels read", n)
			}
		})
	}
}
