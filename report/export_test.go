package report_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/detect"
	"skygrid/report"

	"github.com/paulmach/orb"
	"github.com/xuri/excelize/v2"
)

const bom = "\xef\xbb\xbf"

var counties = []struct{ id, name string }{{"140221", "阳高县"}, {"140225", "浑源县"}, {"140226", "左云县"}}

var supervisors = []string{"王建国", "李秀英", "张伟", "刘芳"}

// notes are what supervisors typed: commas, quotes, a line break, and one
// that a spreadsheet would take for a formula.
var notes = []string{
	"现场有焚烧痕迹，已扑灭",
	`村民称"烧荒"，已批评教育`,
	"玉米秸秆堆，面积约200平方米\n已责令清理",
	"=HYPERLINK(\"http://example.com\",\"点击\")",
	"",
}

// fixtureEvents are 20 events in three counties; event 3 is industrial
// heat without a task, the others have tasks in every state.
func fixtureEvents() []*skygrid.Event {
	base := time.Date(2023, 10, 15, 5, 7, 0, 0, time.UTC) // 13:07 in Beijing
	taskStates := []string{skygrid.TaskDispatched, skygrid.TaskAcknowledged, skygrid.TaskReported, skygrid.TaskClosed}
	var events []*skygrid.Event
	for i := range 20 {
		c := counties[i%3]
		first := base.Add(time.Duration(i) * 97 * time.Minute)
		e := &skygrid.Event{
			ID:           int64(1001 + i),
			Class:        []string{skygrid.ClassStrawBurning, skygrid.ClassOpenBurning, skygrid.ClassLooseCoal, skygrid.ClassConstruction, skygrid.ClassStockpile}[i%5],
			State:        skygrid.EventOpen,
			FirstSeen:    first,
			LastSeen:     first.Add(time.Duration(i%4) * 45 * time.Minute),
			Point:        orb.Point{113.21457 + float64(i)*0.01234, 39.80731 + float64(i)*0.00731},
			HotspotCount: 1 + i%4,
			MaxFRP:       3.25 + float64(i)*1.5,
			CountyID:     c.id,
			TownshipID:   c.id + "101",
			GridID:       fmt.Sprintf("%s-%03d-%03d", c.id, i, i+3),
			CountyName:   c.name,
			TownshipName: c.name[:len(c.name)-len("县")] + "镇",
			GridName:     fmt.Sprintf("第%d网格", i+1),
		}
		if i == 3 {
			e.Class = skygrid.ClassIndustrialHeat
			e.GridID, e.GridName = "", ""
			events = append(events, e)
			continue
		}
		t := &skygrid.Task{ID: int64(500 + i), EventID: e.ID, GridID: e.GridID, SupervisorName: supervisors[i%4], State: taskStates[i%4]}
		if t.State == skygrid.TaskReported || t.State == skygrid.TaskClosed {
			t.Finding = skygrid.Findings[i%len(skygrid.Findings)]
			t.Notes = notes[i%len(notes)]
			t.ReportedAt = first.Add(2*time.Hour + 11*time.Minute)
		}
		e.Task = t
		if t.State == skygrid.TaskClosed {
			e.State = skygrid.EventClosed
		}
		events = append(events, e)
	}
	return events
}

func ptr(v float64) *float64 { return &v }

// fixtureStats are three counties, their total and the year before.
func fixtureStats() *skygrid.Stats {
	c := func(straw, open, coal, constr, stock, ind int) map[string]int {
		return map[string]int{skygrid.ClassStrawBurning: straw, skygrid.ClassOpenBurning: open, skygrid.ClassLooseCoal: coal,
			skygrid.ClassConstruction: constr, skygrid.ClassStockpile: stock, skygrid.ClassIndustrialHeat: ind}
	}
	f := func(straw, open, ind, falseAlarm, notFound int) map[string]int {
		return map[string]int{skygrid.FindingStrawBurning: straw, skygrid.FindingOpenBurning: open, skygrid.FindingIndustrialHeat: ind,
			skygrid.FindingFalseAlarm: falseAlarm, skygrid.FindingNotFound: notFound}
	}
	return &skygrid.Stats{
		Query: skygrid.StatsQuery{Since: time.Date(2023, 9, 30, 16, 0, 0, 0, time.UTC), Until: time.Date(2023, 10, 31, 16, 0, 0, 0, time.UTC), By: skygrid.ByCounty},
		Areas: []*skygrid.AreaStats{
			{RegionID: "140221", RegionName: "阳高县", Hotspots: 40, Events: 12, ByClass: c(6, 3, 0, 1, 0, 2), Tasks: 10, ByFinding: f(4, 2, 0, 1, 1),
				ConfirmedStraw: 3, FalseAlarms: 1, Unverified: 2, AckMedianMin: ptr(25.5), AckP90Min: ptr(80), ReportMedianMin: ptr(140), ReportP90Min: ptr(300),
				Overdue: 2, OverdueShare: 0.2, CroplandHa: 52000.5, StrawPer1000Ha: ptr(6 / 52000.5 * 1000)},
			{RegionID: "140225", RegionName: "浑源县", Hotspots: 65, Events: 20, ByClass: c(11, 4, 2, 0, 1, 2), Tasks: 18, ByFinding: f(8, 3, 1, 2, 2),
				ConfirmedStraw: 7, FalseAlarms: 2, Unverified: 2, AckMedianMin: ptr(18), AckP90Min: ptr(60), ReportMedianMin: ptr(120), ReportP90Min: ptr(260),
				Overdue: 3, OverdueShare: 3.0 / 18, CroplandHa: 81000, StrawPer1000Ha: ptr(11.0 / 81000 * 1000)},
			{RegionID: "140226", RegionName: "左云县", Hotspots: 9, Events: 3, ByClass: c(1, 0, 0, 1, 0, 1), Tasks: 2, ByFinding: f(0, 0, 0, 0, 1),
				Unverified: 1, AckMedianMin: ptr(45), AckP90Min: ptr(45), Overdue: 1, OverdueShare: 0.5},
		},
		Total: &skygrid.AreaStats{RegionName: "合计", Hotspots: 114, Events: 35, ByClass: c(18, 7, 2, 2, 1, 5), Tasks: 30, ByFinding: f(12, 5, 1, 3, 4),
			ConfirmedStraw: 10, FalseAlarms: 3, Unverified: 5, AckMedianMin: ptr(22), AckP90Min: ptr(75), ReportMedianMin: ptr(130), ReportP90Min: ptr(290),
			Overdue: 6, OverdueShare: 0.2, CroplandHa: 133000.5, StrawPer1000Ha: ptr(18 / 133000.5 * 1000)},
		YearAgo: &skygrid.Stats{
			Areas: []*skygrid.AreaStats{
				{RegionID: "140221", RegionName: "阳高县", Hotspots: 50, Events: 15, ByClass: c(9, 2, 0, 2, 0, 2), Tasks: 13, ConfirmedStraw: 5},
				{RegionID: "140225", RegionName: "浑源县", Hotspots: 60, Events: 20, ByClass: c(12, 3, 2, 0, 1, 2), Tasks: 18, ConfirmedStraw: 9},
				{RegionID: "140226", RegionName: "左云县", Hotspots: 4, Events: 2, ByClass: c(1, 0, 0, 0, 0, 1), Tasks: 1},
			},
			Total: &skygrid.AreaStats{RegionName: "合计", Hotspots: 114, Events: 37, ByClass: c(22, 5, 2, 2, 1, 5), Tasks: 32, ConfirmedStraw: 14},
		},
		Computed: time.Date(2023, 11, 1, 1, 0, 0, 0, time.UTC),
	}
}

// fixtureHotspots cover the three VIIRS satellites, l/n/h, day and night,
// an acquisition a few minutes after midnight UTC and one that is already
// the next day in Beijing.
func fixtureHotspots() []*skygrid.Hotspot {
	sats := []string{"N20", "N21", "SNPP"}
	times := []time.Time{
		time.Date(2023, 10, 15, 0, 7, 0, 0, time.UTC),
		time.Date(2023, 10, 15, 5, 18, 0, 0, time.UTC),
		time.Date(2023, 10, 15, 17, 42, 0, 0, time.UTC), // 16 Oct 01:42 in Beijing
		time.Date(2023, 10, 16, 18, 0, 0, 0, time.UTC),
	}
	var hs []*skygrid.Hotspot
	for i := range 12 {
		hs = append(hs, &skygrid.Hotspot{
			ID: int64(70001 + i), Source: skygrid.SourceVIIRS, Satellite: sats[i%3], AcqTime: times[i%4],
			Point:      orb.Point{113.123456 + float64(i)*0.031, 39.987654 + float64(i)*0.017},
			Brightness: 331.55 + float64(i), BrightT31: 289.07 + float64(i)/10, Scan: 0.39 + float64(i%3)/100, Track: 0.36,
			FRP: 2.81 * float64(i+1), Confidence: []string{"l", "n", "h"}[i%3], DayNight: []string{"D", "N"}[i/6],
			Version: "2.0NRT", Type: -1, Status: skygrid.StatusFire, EventID: int64(1001 + i/2),
		})
	}
	return hs
}

var eventHeader = []string{"编号", "类别", "首次发现", "最后发现", "经度", "纬度", "火点数", "最大FRP", "区县", "乡镇", "网格", "网格员", "任务状态", "核查结果", "核查说明", "上报时间", "区县名称", "乡镇名称", "网格名称"}

// readCSV checks the BOM and reads the records.
func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte(bom)) {
		t.Fatalf("no UTF-8 BOM: starts with % x", b[:min(len(b), 8)])
	}
	recs, err := csv.NewReader(bytes.NewReader(b[len(bom):])).ReadAll()
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	return recs
}

func beijing(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04")
}

// wantEventRecord is the CSV record of an event, built independently of
// the package.
func wantEventRecord(e *skygrid.Event) []string {
	rec := []string{strconv.FormatInt(e.ID, 10), skygrid.ClassNames[e.Class], beijing(e.FirstSeen), beijing(e.LastSeen),
		strconv.FormatFloat(e.Point.Lon(), 'f', -1, 64), strconv.FormatFloat(e.Point.Lat(), 'f', -1, 64),
		strconv.Itoa(e.HotspotCount), strconv.FormatFloat(e.MaxFRP, 'f', -1, 64), e.CountyID, e.TownshipID, e.GridID,
		"", "未派发", "", "", "", e.CountyName, e.TownshipName, e.GridName}
	if t := e.Task; t != nil {
		rec[11], rec[12], rec[13], rec[14], rec[15] = t.SupervisorName, skygrid.TaskStateNames[t.State], skygrid.FindingNames[t.Finding], t.Notes, beijing(t.ReportedAt)
		if strings.HasPrefix(t.Notes, "=") {
			rec[14] = "'" + t.Notes
		}
	}
	return rec
}

func TestExportEventsCSV(t *testing.T) {
	events := fixtureEvents()
	var buf bytes.Buffer
	if err := report.WriteEventsCSV(&buf, events); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, buf.Bytes())
	if len(recs) != len(events)+1 {
		t.Fatalf("%d records, want header + %d events", len(recs), len(events))
	}
	if !slices.Equal(recs[0], eventHeader) {
		t.Fatalf("header %q, want %q", recs[0], eventHeader)
	}
	for i, e := range events {
		want, got := wantEventRecord(e), recs[i+1]
		for j := range want {
			if j == 4 || j == 5 { // coordinates: to 5 decimals
				v, err := strconv.ParseFloat(got[j], 64)
				w, _ := strconv.ParseFloat(want[j], 64)
				if err != nil || math.Abs(v-w) > 0.5e-5 {
					t.Errorf("event %d %s = %q, want %s to 5 decimals", e.ID, eventHeader[j], got[j], want[j])
				}
				continue
			}
			if got[j] != want[j] {
				t.Errorf("event %d %s = %q, want %q", e.ID, eventHeader[j], got[j], want[j])
			}
		}
	}
	// Spot checks with literal values.
	if got := recs[1][2]; got != "2023-10-15 13:07" {
		t.Errorf("first seen of the first event = %q, want Beijing time 2023-10-15 13:07", got)
	}
	if got := recs[4]; got[1] != "工业热源" || got[11] != "" || got[12] != "未派发" || got[13] != "" {
		t.Errorf("event without a task: %q", got)
	}
	if !bytes.Contains(buf.Bytes(), []byte("疑似秸秆焚烧")) || !bytes.Contains(buf.Bytes(), []byte("玉米秸秆堆，面积约200平方米\n已责令清理")) {
		t.Error("Chinese text not written as UTF-8")
	}
}

func TestExportStatsCSV(t *testing.T) {
	s := fixtureStats()
	var buf bytes.Buffer
	if err := report.WriteStatsCSV(&buf, s); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, buf.Bytes())
	if len(recs) != 1+len(s.Areas)+1 {
		t.Fatalf("%d records, want header, %d areas and 合计", len(recs), len(s.Areas))
	}
	col := columnIndex(t, recs[0], "区域名称", "火情", "疑似秸秆焚烧", "核查-误报", "超时率(%)", "去年同期火情", "火情增减", "火情同比(%)", "签收用时中位数(分钟)")
	for i, a := range s.Areas {
		r := recs[i+1]
		if r[col["区域名称"]] != a.RegionName || r[col["火情"]] != strconv.Itoa(a.Events) ||
			r[col["疑似秸秆焚烧"]] != strconv.Itoa(a.ByClass[skygrid.ClassStrawBurning]) ||
			r[col["核查-误报"]] != strconv.Itoa(a.ByFinding[skygrid.FindingFalseAlarm]) {
			t.Errorf("row %d = %q, want the figures of %s", i+1, r, a.RegionName)
		}
		ago := s.YearAgo.Areas[i]
		if r[col["去年同期火情"]] != strconv.Itoa(ago.Events) || r[col["火情增减"]] != strconv.Itoa(a.Events-ago.Events) {
			t.Errorf("%s year ago: %q", a.RegionName, r)
		}
	}
	yg := recs[1]
	if yg[col["火情同比(%)"]] != "-20" || yg[col["超时率(%)"]] != "20" || yg[col["签收用时中位数(分钟)"]] != "25.5" {
		t.Errorf("阳高县: change %q, overdue share %q, ack median %q; want -20, 20, 25.5",
			yg[col["火情同比(%)"]], yg[col["超时率(%)"]], yg[col["签收用时中位数(分钟)"]])
	}
	if tot := recs[len(recs)-1]; tot[col["区域名称"]] != "合计" || tot[col["火情"]] != "35" || tot[col["去年同期火情"]] != "37" || tot[col["火情增减"]] != "-2" {
		t.Errorf("totals row %q", tot)
	}

	// Without the year before: no year-ago columns.
	s.YearAgo = nil
	buf.Reset()
	if err := report.WriteStatsCSV(&buf, s); err != nil {
		t.Fatal(err)
	}
	if recs := readCSV(t, buf.Bytes()); slices.ContainsFunc(recs[0], func(h string) bool { return strings.Contains(h, "去年") }) {
		t.Errorf("year-ago columns without YearAgo: %q", recs[0])
	}

	// An area with events a year ago and none now still gets its row,
	// so that the rows add up to the totals.
	s = fixtureStats()
	s.YearAgo.Areas = append(s.YearAgo.Areas, &skygrid.AreaStats{RegionID: "140222", RegionName: "天镇县", Events: 4, Hotspots: 6})
	buf.Reset()
	if err := report.WriteStatsCSV(&buf, s); err != nil {
		t.Fatal(err)
	}
	recs = readCSV(t, buf.Bytes())
	if len(recs) != 6 || recs[4][col["区域名称"]] != "天镇县" || recs[4][col["火情"]] != "0" || recs[4][col["去年同期火情"]] != "4" {
		t.Errorf("year-ago-only area: %q", recs)
	}
}

func columnIndex(t *testing.T, header []string, names ...string) map[string]int {
	t.Helper()
	m := map[string]int{}
	for _, n := range names {
		i := slices.Index(header, n)
		if i < 0 {
			t.Fatalf("no column %q in %q", n, header)
		}
		m[n] = i
	}
	return m
}

func TestExportHotspotsFIRMSCSV(t *testing.T) {
	hs := fixtureHotspots()
	var buf bytes.Buffer
	if err := report.WriteHotspotsFIRMSCSV(&buf, hs); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if bytes.HasPrefix(b, []byte(bom)) {
		t.Error("the FIRMS CSV has a BOM")
	}
	head, _, _ := bytes.Cut(b, []byte("\n"))
	if want := "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,confidence,version,bright_ti5,frp,daynight"; string(head) != want {
		t.Errorf("header %q, want %q", head, want)
	}
	if !bytes.Contains(b, []byte(",2023-10-15,0007,N20,l,2.0NRT,")) || !bytes.Contains(b, []byte(",2023-10-15,1742,N,h,")) {
		t.Errorf("acq_date/acq_time/satellite not in the FIRMS spelling:\n%s", b)
	}

	r, err := detect.Open(bytes.NewReader(b), "export_viirs.csv")
	if err != nil {
		t.Fatalf("detect.Open: %v", err)
	}
	if r.Format() != detect.FormatFIRMSVIIRS {
		t.Errorf("format %s, want %s", r.Format(), detect.FormatFIRMSVIIRS)
	}
	var got []*skygrid.Hotspot
	for {
		h, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("read back: %v", err)
		}
		got = append(got, h)
	}
	if len(got) != len(hs) {
		t.Fatalf("read back %d hotspots, want %d", len(got), len(hs))
	}
	for i, w := range hs {
		g := got[i]
		if skygrid.E5(g.Point.Lat()) != skygrid.E5(w.Point.Lat()) || skygrid.E5(g.Point.Lon()) != skygrid.E5(w.Point.Lon()) {
			t.Errorf("hotspot %d at %v, want %v to 5 decimals", i, g.Point, w.Point)
		}
		if !g.AcqTime.Equal(w.AcqTime) {
			t.Errorf("hotspot %d at %s, want %s", i, g.AcqTime, w.AcqTime)
		}
		if g.Source != skygrid.SourceVIIRS || g.Satellite != w.Satellite || g.Confidence != w.Confidence ||
			g.DayNight != w.DayNight || g.Version != w.Version {
			t.Errorf("hotspot %d: %s %s conf %q %s %s, want %s %s %q %s %s", i, g.Source, g.Satellite, g.Confidence, g.DayNight, g.Version,
				skygrid.SourceVIIRS, w.Satellite, w.Confidence, w.DayNight, w.Version)
		}
		if g.Brightness != w.Brightness || g.BrightT31 != w.BrightT31 || g.Scan != w.Scan || g.Track != w.Track || g.FRP != w.FRP {
			t.Errorf("hotspot %d: bright %v/%v scan %v track %v frp %v, want %v/%v %v %v %v", i,
				g.Brightness, g.BrightT31, g.Scan, g.Track, g.FRP, w.Brightness, w.BrightT31, w.Scan, w.Track, w.FRP)
		}
	}
}

// skipSum are the columns of the statistics that are not sums over the
// areas (medians, quantiles, shares, rates, changes in per cent).
var skipSum = []string{"中位数", "P90", "率", "每千公顷", "同比"}

func TestExportXLSX(t *testing.T) {
	s, events := fixtureStats(), fixtureEvents()
	var buf bytes.Buffer
	if err := report.WriteXLSX(&buf, s, events); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("open the workbook: %v", err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); !slices.Contains(sheets, "统计汇总") || !slices.Contains(sheets, "事件明细") {
		t.Fatalf("sheets %q, want 统计汇总 and 事件明细", sheets)
	}
	for _, sheet := range []string{"统计汇总", "事件明细"} {
		t.Run(sheet+" header", func(t *testing.T) { checkSheetHeader(t, f, sheet) })
	}
	t.Run("summary adds up", func(t *testing.T) { checkSummarySums(t, f, s) })
	t.Run("detail", func(t *testing.T) { checkDetail(t, f, events) })
}

// checkSheetHeader: the header row frozen and bold, column B readable.
func checkSheetHeader(t *testing.T, f *excelize.File, sheet string) {
	p, err := f.GetPanes(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Freeze || p.YSplit != 1 || p.XSplit != 0 {
		t.Errorf("%s panes %+v, want the header row frozen", sheet, p)
	}
	id, err := f.GetCellStyle(sheet, "B1")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := f.GetStyle(id); err != nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("%s header not bold (style %d: %v)", sheet, id, err)
	}
	if w, err := f.GetColWidth(sheet, "B"); err != nil || w < 8 || w > 50 {
		t.Errorf("%s column B width %v (%v)", sheet, w, err)
	}
}

// checkSummarySums: header, one row per area, 合计; every column that is
// a count adds up.
func checkSummarySums(t *testing.T, f *excelize.File, s *skygrid.Stats) {
	rows, err := f.GetRows("统计汇总", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 1+len(s.Areas)+1 {
		t.Fatalf("summary has %d rows", len(rows))
	}
	header := rows[0]
	nameCol := slices.Index(header, "区域名称")
	totalRow := 1 + len(s.Areas)
	cell := func(r, c int) string {
		if c < len(rows[r]) {
			return rows[r][c]
		}
		return ""
	}
	for i, a := range s.Areas {
		if cell(i+1, nameCol) != a.RegionName {
			t.Errorf("summary row %d is %q, want %s", i+2, cell(i+1, nameCol), a.RegionName)
		}
	}
	if cell(totalRow, nameCol) != "合计" {
		t.Fatalf("row %d is %q, want 合计", totalRow+1, cell(totalRow, nameCol))
	}
	summed := 0
	for c, h := range header {
		if c <= nameCol || slices.ContainsFunc(skipSum, func(s string) bool { return strings.Contains(h, s) }) {
			continue
		}
		total, err := strconv.ParseFloat(cell(totalRow, c), 64)
		if err != nil {
			t.Errorf("合计 %s = %q: not a number", h, cell(totalRow, c))
			continue
		}
		sum := 0.0
		for r := 1; r < totalRow; r++ {
			if v := cell(r, c); v != "" {
				x, err := strconv.ParseFloat(v, 64)
				if err != nil {
					t.Errorf("%s %s = %q: not a number", cell(r, nameCol), h, v)
				}
				sum += x
			}
		}
		if math.Abs(sum-total) > 1e-6 {
			t.Errorf("合计 %s = %v, the areas add up to %v", h, total, sum)
		}
		summed++
	}
	if summed < 20 {
		t.Errorf("only %d columns summed: %q", summed, header)
	}
}

// checkDetail: one row per event, the CSV's headers, Beijing times.
func checkDetail(t *testing.T, f *excelize.File, events []*skygrid.Event) {
	rows, err := f.GetRows("事件明细")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(events)+1 {
		t.Fatalf("detail has %d rows, want header + %d events", len(rows), len(events))
	}
	if !slices.Equal(rows[0], eventHeader) {
		t.Errorf("detail header %q, want %q", rows[0], eventHeader)
	}
	for i, e := range events {
		r := rows[i+1]
		if r[0] != strconv.FormatInt(e.ID, 10) || r[1] != skygrid.ClassNames[e.Class] || r[2] != beijing(e.FirstSeen) {
			t.Errorf("detail row %d = %q, want event %d %s %s", i+2, r, e.ID, skygrid.ClassNames[e.Class], beijing(e.FirstSeen))
		}
		if e.Task != nil && e.Task.Notes != "" && r[14] != e.Task.Notes {
			t.Errorf("event %d notes %q, want %q", e.ID, r[14], e.Task.Notes)
		}
	}
}

var featureCount = regexp.MustCompile(`Feature Count: (\d+)`)

// ogrCount opens a file with GDAL's ogrinfo and adds up its layers'
// feature counts.
func ogrCount(t *testing.T, path string) int {
	t.Helper()
	bin, err := exec.LookPath("ogrinfo")
	if err != nil {
		t.Fatalf("ogrinfo (GDAL) is needed to check GeoJSON and KML output and is not installed: apt-get install gdal-bin (%v)", err)
	}
	out, err := exec.Command(bin, "-ro", "-al", "-so", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo %s: %v\n%s", filepath.Base(path), err, out)
	}
	ms := featureCount.FindAllSubmatch(out, -1)
	if len(ms) == 0 {
		t.Fatalf("ogrinfo %s: no Feature Count in\n%s", filepath.Base(path), out)
	}
	n := 0
	for _, m := range ms {
		v, _ := strconv.Atoi(string(m[1]))
		n += v
	}
	return n
}

func TestExportGeoJSONKML(t *testing.T) {
	events, hs := fixtureEvents(), fixtureHotspots()
	dir := t.TempDir()
	for _, c := range []struct {
		file  string
		write func(w io.Writer) error
		want  int
		has   []string
	}{
		{"events.geojson", func(w io.Writer) error { return report.WriteEventsGeoJSON(w, events) }, len(events),
			[]string{`"type":"FeatureCollection"`, `"class_name":"疑似秸秆焚烧"`, `"first_seen":"2023-10-15T13:07:00+08:00"`, `"supervisor":"王建国"`, `"county_name":"阳高县"`}},
		{"events.kml", func(w io.Writer) error { return report.WriteEventsKML(w, events) }, len(events),
			[]string{"<Document>", "<name>事件 1001 疑似秸秆焚烧</name>", `<Data name="finding_name">`, "<Point>"}},
		{"hotspots.geojson", func(w io.Writer) error { return report.WriteHotspotsGeoJSON(w, hs) }, len(hs),
			[]string{`"satellite":"N20"`, `"acq_time":"2023-10-15T08:07:00+08:00"`}},
		{"hotspots.kml", func(w io.Writer) error { return report.WriteHotspotsKML(w, hs) }, len(hs),
			[]string{"<name>火点 70001 N20</name>", "<when>2023-10-15T08:07:00+08:00</when>"}},
	} {
		t.Run(c.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := c.write(&buf); err != nil {
				t.Fatal(err)
			}
			for _, s := range c.has {
				if !bytes.Contains(buf.Bytes(), []byte(s)) {
					t.Errorf("no %s in\n%.2000s", s, buf.Bytes())
				}
			}
			path := filepath.Join(dir, c.file)
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			if n := ogrCount(t, path); n != c.want {
				t.Errorf("ogrinfo counts %d features, want %d", n, c.want)
			}
		})
	}
}
