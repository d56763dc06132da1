package report_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/report"

	"github.com/xuri/excelize/v2"
)

// dustFixture is a month's dust figures in two counties (示例 names).
func dustFixture() *skygrid.DustStats {
	rate := func(n, d int64) *float64 { return skygrid.Rate(n, d) }
	since := time.Date(2023, 9, 30, 16, 0, 0, 0, time.UTC)
	yz := &skygrid.DustArea{RegionID: "140215", RegionName: "云州区", Monitors: 3, Alarms: 14, ExceedanceHours: 9, SiteHours: 11,
		ExceedanceDays: 4, ValidMinutes: 120000, ExpectedMinutes: 133920, CaptureRate: rate(120000, 133920), OfflineNow: 1, OfflineHours: 20}
	pc := &skygrid.DustArea{RegionID: "140213", RegionName: "平城区", Monitors: 2, Alarms: 2, ExceedanceHours: 1, SiteHours: 1,
		ExceedanceDays: 1, ValidMinutes: 89000, ExpectedMinutes: 89280, CaptureRate: rate(89000, 89280)}
	sites := []*skygrid.DustSite{
		{SiteID: 7, Name: "示例工地甲", CountyID: "140215", CountyName: "云州区", Alarms: 12, ExceedanceHours: 8, ExceedanceDays: 4},
		{SiteID: 9, Name: "示例工地乙", CountyID: "140213", CountyName: "平城区", Alarms: 2, ExceedanceHours: 1, ExceedanceDays: 1},
	}
	return &skygrid.DustStats{Since: since, Until: since.AddDate(0, 1, 0), Counties: []*skygrid.DustArea{pc, yz},
		Total: &skygrid.DustArea{RegionName: "合计", Monitors: 5, Alarms: 16, ExceedanceHours: 10, SiteHours: 12, ExceedanceDays: 5,
			ValidMinutes: 209000, ExpectedMinutes: 223200, CaptureRate: rate(209000, 223200), OfflineNow: 1, OfflineHours: 20},
		Sites: sites, TopSites: sites,
		Monitors: []*skygrid.MonitorCapture{{MonitorID: 1, MN: "DEMOC01", Name: "示例监测仪", CountyName: "云州区", ValidMinutes: 40000,
			ExpectedMinutes: 44640, CaptureRate: rate(40000, 44640), OfflineNow: true}},
		Tasks: &skygrid.DustTasks{Total: 6, ByState: map[string]int{skygrid.TaskClosed: 6}, Due: 6, OnTime: 5, OnTimeRate: rate(5, 6)}}
}

// The monthly report has a dust section: the counties and their total,
// the top sites, the alarm and task summary; without dust figures, none.
func TestMonthlyDustSection(t *testing.T) {
	m := monthlyFixture()
	m.Dust = dustFixture()
	var buf bytes.Buffer
	if err := report.RenderMonthly(&buf, m); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{
		"五、扬尘监测", "报警最多的工地", "<td>示例工地甲</td>", "本月扬尘报警 16 次，超标 10 小时、5 天；扬尘任务 6 件，按时响应率 83.3%。",
		`<td class="center">云州区</td><td class="num">3</td><td class="num">14</td><td class="num">9</td><td class="num">4</td><td class="num">89.6%</td>`,
		`<td class="center">合计</td><td class="num">5</td><td class="num">16</td><td class="num">10</td><td class="num">5</td><td class="num">93.6%</td>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, d := range []*skygrid.DustStats{nil, {Total: &skygrid.DustArea{}, Tasks: &skygrid.DustTasks{}}} {
		m.Dust = d
		buf.Reset()
		if err := report.RenderMonthly(&buf, m); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), "扬尘监测") {
			t.Errorf("a report without dust figures (%+v) has a dust section", d)
		}
	}
}

// The dust CSV has a row per county and the total; the workbook has the
// dust sheets with the same figures.
func TestExportDust(t *testing.T) {
	d := dustFixture()
	var buf bytes.Buffer
	if err := report.WriteDustCSV(&buf, d); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, buf.Bytes())
	if len(recs) != 1+len(d.Counties)+1 {
		t.Fatalf("%d records, want header, %d counties and 合计", len(recs), len(d.Counties))
	}
	col := columnIndex(t, recs[0], "区县", "超标小时数", "超标天数", "数据获取率(%)", "当前离线")
	for i, a := range append(d.Counties, d.Total) {
		r := recs[i+1]
		if r[col["区县"]] != a.RegionName || r[col["超标小时数"]] != strconv.Itoa(a.ExceedanceHours) || r[col["超标天数"]] != strconv.Itoa(a.ExceedanceDays) ||
			r[col["数据获取率(%)"]] != strconv.FormatFloat(float64(int(*a.CaptureRate*1000+0.5))/10, 'f', -1, 64) {
			t.Errorf("row %d = %q, want the figures of %s", i+1, r, a.RegionName)
		}
	}
	buf.Reset()
	if err := report.WriteXLSXWithDust(&buf, fixtureStats(), fixtureEvents(), d); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, sheet := range []string{report.SheetDust, report.SheetDustSites, report.SheetDustMonitors} {
		t.Run(sheet+" header", func(t *testing.T) { checkSheetHeader(t, f, sheet) })
	}
	rows, err := f.GetRows(report.SheetDust)
	if err != nil || len(rows) < 4 || rows[3][1] != "合计" || rows[3][4] != strconv.Itoa(d.Total.ExceedanceHours) {
		t.Errorf("dust sheet rows %q (%v), want the counties then 合计 with %d hours", rows, err, d.Total.ExceedanceHours)
	}
	sites, err := f.GetRows(report.SheetDustSites)
	if err != nil || len(sites) != 3 || sites[1][1] != "示例工地甲" {
		t.Errorf("sites sheet rows %q (%v)", sites, err)
	}
}

// Dust figures by township (a township official's, DustStats.By) are
// worded so in the report and the CSV: the table's and the export's
// first columns said 区县 over townships.
func TestDustByTownshipWords(t *testing.T) {
	d := dustFixture()
	d.By = skygrid.ByTownship
	d.Counties[0].RegionID, d.Counties[0].RegionName = "140213001", "示例镇"
	m := monthlyFixture()
	m.Dust = d
	var buf bytes.Buffer
	if err := report.RenderMonthly(&buf, m); err != nil {
		t.Fatal(err)
	}
	_, dust, _ := strings.Cut(buf.String(), `<section id="dust">`)
	for _, want := range []string{"<thead><tr><th>乡镇</th><th>监测设备</th>", "同一乡镇内多个工地", `<td class="center">示例镇</td>`} {
		if !strings.Contains(dust, want) {
			t.Errorf("the dust section lacks %q", want)
		}
	}
	buf.Reset()
	if err := report.WriteDustCSV(&buf, d); err != nil {
		t.Fatal(err)
	}
	if recs := readCSV(t, buf.Bytes()); len(recs) < 2 || strings.Join(recs[0][:2], ",") != "乡镇代码,乡镇" || recs[1][1] != "示例镇" {
		t.Errorf("the CSV's first columns %q, first row %q; want 乡镇代码, 乡镇 and 示例镇", recs[0][:2], recs[1])
	}
}
