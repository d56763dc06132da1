package report

import (
	"fmt"
	"io"
	"slices"

	"skygrid"

	"github.com/xuri/excelize/v2"
)

// Sheets of the dust figures in the workbook.
const (
	SheetDust         = "扬尘统计"
	SheetDustSites    = "扬尘报警站点"
	SheetDustMonitors = "扬尘设备数据获取率"
)

func dfig(key string) string { return skygrid.DustFigureNames[key] }

// dustCols are the columns of the dust figures by area (level: 区县, or
// 乡镇 or 网格 for an area finer than a county, DustStats.By).
func dustCols(level string) []column {
	return append([]column{{key: "county_id", head: level + "代码", kind: kText}, {key: "county", head: level, kind: kText}}, dustFigureCols...)
}

// dustFigureCols are the dust figures' columns after the area's.
var dustFigureCols = []column{
	{key: "monitors", head: dfig("monitors"), kind: kInt},
	{key: "alarms", head: dfig("alarms"), kind: kInt},
	{key: "exceedance_hours", head: dfig("exceedance_hours"), kind: kInt},
	{key: "exceedance_site_hours", head: dfig("exceedance_site_hours"), kind: kInt},
	{key: "exceedance_days", head: dfig("exceedance_days"), kind: kInt},
	{key: "valid_minutes", head: dfig("valid_minutes"), kind: kInt},
	{key: "expected_minutes", head: dfig("expected_minutes"), kind: kInt},
	{key: "capture_rate", head: dfig("capture_rate") + "(%)", kind: kShare},
	{key: "offline_now", head: dfig("offline_now"), kind: kInt},
	{key: "offline_hours", head: dfig("offline_hours"), kind: kInt},
}

func dustRow(a *skygrid.DustArea) row {
	return row{a.RegionID, a.RegionName, a.Monitors, a.Alarms, a.ExceedanceHours, a.SiteHours, a.ExceedanceDays,
		a.ValidMinutes, a.ExpectedMinutes, a.CaptureRate, a.OfflineNow, a.OfflineHours}
}

// dustRows are the counties and the total (合计).
func dustRows(d *skygrid.DustStats) []row {
	var rows []row
	for _, a := range d.Counties {
		rows = append(rows, dustRow(a))
	}
	if d.Total != nil {
		rows = append(rows, dustRow(d.Total))
	}
	return rows
}

var dustSiteCols = []column{
	{key: "site_id", head: "台账对象编号", kind: kInt},
	{key: "name", head: "工地/设备", kind: kText},
	{key: "county", head: "区县", kind: kText},
	{key: "alarms", head: dfig("alarms"), kind: kInt},
	{key: "exceedance_hours", head: dfig("exceedance_hours"), kind: kInt},
	{key: "exceedance_days", head: dfig("exceedance_days"), kind: kInt},
}

func dustSiteRows(sites []*skygrid.DustSite) []row {
	var rows []row
	for _, s := range sites {
		rows = append(rows, row{int(s.SiteID), s.Name, s.CountyName, s.Alarms, s.ExceedanceHours, s.ExceedanceDays})
	}
	return rows
}

var dustMonitorCols = []column{
	{key: "mn", head: "设备号（MN）", kind: kText},
	{key: "name", head: "设备", kind: kText},
	{key: "county", head: "区县", kind: kText},
	{key: "valid_minutes", head: dfig("valid_minutes"), kind: kInt},
	{key: "expected_minutes", head: dfig("expected_minutes"), kind: kInt},
	{key: "capture_rate", head: dfig("capture_rate") + "(%)", kind: kShare},
	{key: "offline_hours", head: dfig("offline_hours"), kind: kInt},
	{key: "last_reading", head: "最近数据时间", kind: kTime},
	{key: "offline_now", head: dfig("offline_now"), kind: kText},
}

func dustMonitorRows(ms []*skygrid.MonitorCapture) []row {
	var rows []row
	for _, m := range ms {
		off := "否"
		if m.OfflineNow {
			off = "是"
		}
		rows = append(rows, row{m.MN, m.Name, m.CountyName, m.ValidMinutes, m.ExpectedMinutes, m.CaptureRate, m.OfflineHours, m.LastReading, off})
	}
	return rows
}

// WriteDustCSV writes the dust figures, one row per county and the
// totals (合计); Chinese headers, UTF-8 with a BOM.
func WriteDustCSV(w io.Writer, d *skygrid.DustStats) error {
	if d == nil {
		return fmt.Errorf("report: no dust statistics")
	}
	return writeCSV(w, true, dustCols(monthlyLevel(d.By)), dustRows(d))
}

// dustNote says the period and how the figures are counted, above the
// dust sheet.
func dustNote(d *skygrid.DustStats) string {
	loc := skygrid.Beijing
	return fmt.Sprintf("统计时段：%s 至 %s（北京时间）；超标小时：至少一个扬尘超标报警时段始于该小时；超标天：按北京时间自然日；"+
		"数据获取率：有效（标记 N）分钟数 / 自登记或时段开始起应有分钟数",
		d.Since.In(loc).Format(TimeLayout), d.Until.In(loc).Format(TimeLayout))
}

// writeDustSheets adds the dust sheets to a workbook (none when d is nil).
func writeDustSheets(f *excelize.File, st *styles, d *skygrid.DustStats) error {
	if d == nil {
		return nil
	}
	for _, sh := range []struct {
		name     string
		cols     []column
		rows     []row
		boldLast bool
		note     string
	}{
		{SheetDust, dustCols(monthlyLevel(d.By)), dustRows(d), true, dustNote(d)},
		{SheetDustSites, dustSiteCols, dustSiteRows(d.Sites), false, ""},
		{SheetDustMonitors, dustMonitorCols, dustMonitorRows(d.Monitors), false, ""},
	} {
		if _, err := f.NewSheet(sh.name); err != nil {
			return err
		}
		if err := writeSheet(f, st, sh.name, sh.cols, sh.rows, sh.boldLast, sh.note); err != nil {
			return err
		}
	}
	return nil
}

// monthlyDust is the monthly report's dust section.
type monthlyDust struct {
	Summary string
	// Level names Counties' areas: 区县, or 乡镇 (DustStats.By).
	Level    string
	Counties []monthlyDustRow
	TopSites []*skygrid.DustSite
}

type monthlyDustRow struct {
	Name                                      string
	Monitors, Alarms, Hours, Days, OfflineNow int
	OfflineHours                              int
	Capture                                   string
}

func monthlyDustOf(d *skygrid.DustStats) *monthlyDust {
	if d == nil {
		return nil
	}
	if d.Total == nil {
		d.Total = &skygrid.DustArea{RegionName: "合计"}
	}
	t := d.Tasks
	if t == nil {
		t = &skygrid.DustTasks{}
	}
	// A city without dust monitors, alarms or tasks has no dust section
	// (the fire report keeps its two pages).
	if d.Total.Monitors == 0 && d.Total.Alarms == 0 && t.Total == 0 {
		return nil
	}
	v := &monthlyDust{TopSites: d.TopSites, Level: monthlyLevel(d.By)}
	for _, a := range append(slices.Clone(d.Counties), d.Total) {
		if a == nil {
			continue
		}
		v.Counties = append(v.Counties, monthlyDustRow{Name: a.RegionName, Monitors: a.Monitors, Alarms: a.Alarms,
			Hours: a.ExceedanceHours, Days: a.ExceedanceDays, OfflineNow: a.OfflineNow, OfflineHours: a.OfflineHours,
			Capture: percent(a.CaptureRate)})
	}
	if len(d.Counties) == 0 {
		v.Counties = nil
	}
	v.Summary = fmt.Sprintf("本月扬尘报警 %d 次，超标 %d 小时、%d 天；扬尘任务 %d 件，按时响应率 %s。",
		d.Total.Alarms, d.Total.ExceedanceHours, d.Total.ExceedanceDays, t.Total, percent(t.OnTimeRate))
	return v
}

// percent is a rate as a percentage with one decimal, "—" when nil.
func percent(r *float64) string {
	if r == nil {
		return "—"
	}
	return trimDotZero(fmt.Sprintf("%.1f", *r*100)) + "%"
}
