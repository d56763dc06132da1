// Package report writes events, hotspots and statistics for people and
// tools outside skygrid: CSV and XLSX for the agriculture bureau (who audit
// straw burning in Excel), the FIRMS CSV layout for fire tools, GeoJSON
// and KML for GIS and Google Earth. It holds no SQL and no HTTP: it takes
// plain values.
//
// Times are shown in Beijing time (Asia/Shanghai) except in the FIRMS CSV,
// whose acq_date and acq_time are UTC as FIRMS has them.
package report

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"skygrid"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/twpayne/go-geom"
	geomkml "github.com/twpayne/go-geom/encoding/kml"
	"github.com/twpayne/go-kml/v3"
	"github.com/xuri/excelize/v2"
)

// Sheet names of the workbook.
const (
	SheetSummary = "统计汇总"
	SheetEvents  = "事件明细"
)

// TimeLayout is how times are shown in the CSV files (Beijing time).
const TimeLayout = "2006-01-02 15:04"

// bom makes Excel (which otherwise assumes GBK on Chinese Windows) read
// the CSV files as UTF-8.
const bom = "\ufeff"

// NoTask is shown as the task state of an event that has no task
// (industrial heat, or not dispatched yet).
const NoTask = "未派发"

// kind is how a column's values are written.
type kind int

const (
	kText  kind = iota
	kInt        // int
	kFloat      // float64 or *float64 (nil: empty), prec decimals (-1: as needed)
	kShare      // float64 fraction: a percentage with one decimal in CSV, 0.0% in Excel
	kTime       // time.Time (zero: empty), Beijing time
)

// column is one column of a table: its Chinese header, its English key
// (GeoJSON, KML), how it is written and how wide it may get in Excel.
type column struct {
	key  string
	head string
	kind kind
	prec int
}

// A row holds one value per column: string, int, float64, *float64,
// time.Time or nil (empty).
type row []any

// cellString is a value as text, the CSV way.
func cellString(c column, v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return ""
		}
		if c.kind == kShare {
			return strconv.FormatFloat(round(v*100, 1), 'f', -1, 64)
		}
		return formatFloat(v, c.prec)
	case *float64:
		if v == nil {
			return ""
		}
		return cellString(c, *v)
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.In(skygrid.Beijing).Format(TimeLayout)
	}
	return fmt.Sprint(v)
}

func formatFloat(v float64, prec int) string {
	if prec >= 0 {
		v = round(v, prec)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func round(v float64, prec int) float64 {
	p := math.Pow10(prec)
	return math.Round(v*p) / p
}

// csvSafe keeps a spreadsheet from running text as a formula (notes are
// typed by supervisors; the file is opened by auditors in Excel).
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// writeCSV writes a header and rows; text cells are guarded against
// formula injection, numbers are not.
func writeCSV(w io.Writer, withBOM bool, cols []column, rows []row) error {
	bw := bufio.NewWriter(w)
	if withBOM {
		if _, err := bw.WriteString(bom); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(bw)
	rec := make([]string, len(cols))
	for i, c := range cols {
		rec[i] = c.head
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for _, r := range rows {
		for i, c := range cols {
			rec[i] = cellString(c, r[i])
			if c.kind == kText {
				rec[i] = csvSafe(rec[i])
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// name is the Chinese name of a code, or the code itself when it has none.
func name(names map[string]string, code string) string {
	if n, ok := names[code]; ok {
		return n
	}
	return code
}

// Events.

var eventCols = []column{
	{key: "id", head: "编号", kind: kInt},
	{key: "class_name", head: "类别"},
	{key: "first_seen", head: "首次发现", kind: kTime},
	{key: "last_seen", head: "最后发现", kind: kTime},
	{key: "lon", head: "经度", kind: kFloat, prec: 5},
	{key: "lat", head: "纬度", kind: kFloat, prec: 5},
	{key: "hotspot_count", head: "火点数", kind: kInt},
	{key: "max_frp", head: "最大FRP", kind: kFloat, prec: 2},
	{key: "county_id", head: "区县"},
	{key: "township_id", head: "乡镇"},
	{key: "grid_id", head: "网格"},
	{key: "supervisor", head: "网格员"},
	{key: "task_state_name", head: "任务状态"},
	{key: "finding_name", head: "核查结果"},
	{key: "notes", head: "核查说明"},
	{key: "reported_at", head: "上报时间", kind: kTime},
	// The places by name too, after the columns scripts read by position.
	{key: "county_name", head: "区县名称"},
	{key: "township_name", head: "乡镇名称"},
	{key: "grid_name", head: "网格名称"},
}

func eventRow(e *skygrid.Event) row {
	r := row{int(e.ID), name(skygrid.ClassNames, e.Class), e.FirstSeen, e.LastSeen, e.Point.Lon(), e.Point.Lat(),
		e.HotspotCount, e.MaxFRP, e.CountyID, e.TownshipID, e.GridID, nil, NoTask, nil, nil, nil,
		e.CountyName, e.TownshipName, e.GridName}
	if t := e.Task; t != nil {
		r[11], r[12] = t.SupervisorName, name(skygrid.TaskStateNames, t.State)
		if t.Finding != "" {
			r[13] = name(skygrid.FindingNames, t.Finding)
		}
		r[14], r[15] = t.Notes, t.ReportedAt
	}
	return r
}

func eventRows(events []*skygrid.Event) []row {
	rows := make([]row, len(events))
	for i, e := range events {
		rows[i] = eventRow(e)
	}
	return rows
}

// WriteEventsCSV writes one row per event with Chinese headers and names,
// times in Beijing time, as UTF-8 with a BOM for Excel.
func WriteEventsCSV(w io.Writer, events []*skygrid.Event) error {
	return writeCSV(w, true, eventCols, eventRows(events))
}

// Hotspots.

// FIRMSHeader is the FIRMS VIIRS standard layout WriteHotspotsFIRMSCSV writes.
var FIRMSHeader = []string{"latitude", "longitude", "bright_ti4", "scan", "track", "acq_date", "acq_time",
	"satellite", "confidence", "version", "bright_ti5", "frp", "daynight"}

// firmsSatellite is the satellite as FIRMS VIIRS files spell it.
func firmsSatellite(s string) string {
	switch s {
	case "SNPP":
		return "N"
	case "Terra":
		return "T"
	case "Aqua":
		return "A"
	}
	return s
}

// WriteHotspotsFIRMSCSV writes hotspots in the FIRMS VIIRS standard
// layout (no BOM): acq_date and acq_time (HHMM) in UTC, the satellite as
// N, N20 or N21, confidence and version as given.
func WriteHotspotsFIRMSCSV(w io.Writer, hs []*skygrid.Hotspot) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	if err := cw.Write(FIRMSHeader); err != nil {
		return err
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	rec := make([]string, len(FIRMSHeader))
	for _, h := range hs {
		t := h.AcqTime.UTC()
		rec[0] = strconv.FormatFloat(h.Point.Lat(), 'f', 5, 64)
		rec[1] = strconv.FormatFloat(h.Point.Lon(), 'f', 5, 64)
		rec[2], rec[3], rec[4] = f(h.Brightness), f(h.Scan), f(h.Track)
		rec[5], rec[6] = t.Format("2006-01-02"), t.Format("1504")
		rec[7], rec[8], rec[9] = firmsSatellite(h.Satellite), h.Confidence, h.Version
		rec[10], rec[11], rec[12] = f(h.BrightT31), f(h.FRP), h.DayNight
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

var hotspotCols = []column{
	{key: "id", head: "编号", kind: kInt},
	{key: "source", head: "数据源"},
	{key: "satellite", head: "卫星"},
	{key: "acq_time", head: "过境时间", kind: kTime},
	{key: "lon", head: "经度", kind: kFloat, prec: 5},
	{key: "lat", head: "纬度", kind: kFloat, prec: 5},
	{key: "brightness", head: "亮温(K)", kind: kFloat, prec: -1},
	{key: "bright_t31", head: "背景亮温(K)", kind: kFloat, prec: -1},
	{key: "frp", head: "FRP(MW)", kind: kFloat, prec: -1},
	{key: "confidence", head: "置信度"},
	{key: "daynight", head: "昼夜"},
	{key: "status", head: "状态"},
	{key: "status_reason", head: "状态原因"},
	{key: "event_id", head: "事件编号", kind: kInt},
}

func hotspotRow(h *skygrid.Hotspot) row {
	r := row{int(h.ID), h.Source, h.Satellite, h.AcqTime, h.Point.Lon(), h.Point.Lat(), h.Brightness, h.BrightT31,
		h.FRP, h.Confidence, h.DayNight, h.Status, h.StatusReason, nil}
	if h.EventID != 0 {
		r[13] = int(h.EventID)
	}
	return r
}

// Statistics.

// statsCols are the columns of the statistics; the year-ago ones only
// when yearAgo.
func statsCols(yearAgo bool) []column {
	cols := []column{
		{key: "region_id", head: "区域编码"},
		{key: "region_name", head: "区域名称"},
		{key: "hotspots", head: fig("hotspots"), kind: kInt},
		{key: "events", head: fig("events"), kind: kInt},
	}
	for _, c := range skygrid.Classes {
		cols = append(cols, column{key: "class_" + c, head: name(skygrid.ClassNames, c), kind: kInt})
	}
	cols = append(cols, column{key: "tasks", head: fig("tasks"), kind: kInt})
	for _, f := range skygrid.Findings {
		cols = append(cols, column{key: "finding_" + f, head: "核查-" + name(skygrid.FindingNames, f), kind: kInt})
	}
	cols = append(cols,
		column{key: "confirmed_straw_burning", head: fig("confirmed_straw_burning"), kind: kInt},
		column{key: "false_alarms", head: fig("false_alarms"), kind: kInt},
		column{key: "unverified", head: fig("unverified"), kind: kInt},
		column{key: "ack_median_min", head: "签收用时中位数(分钟)", kind: kFloat, prec: 1},
		column{key: "ack_p90_min", head: "签收用时P90(分钟)", kind: kFloat, prec: 1},
		column{key: "report_median_min", head: "上报用时中位数(分钟)", kind: kFloat, prec: 1},
		column{key: "report_p90_min", head: "上报用时P90(分钟)", kind: kFloat, prec: 1},
		column{key: "overdue", head: fig("overdue"), kind: kInt},
		column{key: "overdue_share", head: fig("overdue_share") + "(%)", kind: kShare},
		column{key: "cropland_ha", head: fig("cropland_ha") + "(公顷)", kind: kFloat, prec: 1},
		column{key: "straw_per_1000ha", head: fig("straw_per_1000ha"), kind: kFloat, prec: 3},
	)
	if yearAgo {
		for _, f := range yearAgoFigures {
			cols = append(cols,
				column{key: f.key + "_year_ago", head: "去年同期" + f.head, kind: kInt},
				column{key: f.key + "_change", head: f.head + "增减", kind: kInt},
				column{key: f.key + "_change_pct", head: f.head + "同比(%)", kind: kFloat, prec: 1},
			)
		}
	}
	return cols
}

// yearAgoFigures are the figures compared with the year before.
var yearAgoFigures = []struct {
	key, head string
	get       func(a *skygrid.AreaStats) int
}{
	{"hotspots", fig("hotspots"), func(a *skygrid.AreaStats) int { return a.Hotspots }},
	{"events", fig("events"), func(a *skygrid.AreaStats) int { return a.Events }},
	{"straw_burning", fig("straw_burning"), func(a *skygrid.AreaStats) int { return a.ByClass[skygrid.ClassStrawBurning] }},
	{"confirmed_straw_burning", fig("confirmed_straw_burning"), func(a *skygrid.AreaStats) int { return a.ConfirmedStraw }},
}

// fig is a figure's name (skygrid.FigureNames): the same on the page.
func fig(key string) string { return skygrid.FigureNames[key] }

// statsRow is an area's row; the year-ago cells are empty when the
// year before has no data at all (agoNoData), not zeros and changes.
func statsRow(a, ago *skygrid.AreaStats, yearAgo, agoNoData bool) row {
	r := row{a.RegionID, a.RegionName, a.Hotspots, a.Events}
	for _, c := range skygrid.Classes {
		r = append(r, a.ByClass[c])
	}
	r = append(r, a.Tasks)
	for _, f := range skygrid.Findings {
		r = append(r, a.ByFinding[f])
	}
	var overdueShare any
	if a.Tasks > 0 {
		overdueShare = a.OverdueShare
	}
	var crop any
	if a.CroplandHa > 0 {
		crop = a.CroplandHa
	}
	r = append(r, a.ConfirmedStraw, a.FalseAlarms, a.Unverified,
		a.AckMedianMin, a.AckP90Min, a.ReportMedianMin, a.ReportP90Min,
		a.Overdue, overdueShare, crop, a.StrawPer1000Ha)
	if yearAgo {
		if ago == nil {
			ago = &skygrid.AreaStats{}
		}
		for _, f := range yearAgoFigures {
			if agoNoData {
				r = append(r, nil, nil, nil)
				continue
			}
			now, then := f.get(a), f.get(ago)
			var pct any
			if then > 0 {
				pct = round(float64(now-then)/float64(then)*100, 1)
			}
			r = append(r, then, now-then, pct)
		}
	}
	return r
}

// statsRows are the area rows and the totals row (last). An area that had
// events a year ago and none now gets a row with zeros, so that the area
// rows add up to the totals.
func statsRows(s *skygrid.Stats) ([]column, []row) {
	yearAgo := s.YearAgo != nil
	noData := yearAgo && s.YearAgo.NoData
	cols := statsCols(yearAgo)
	var rows []row
	agoByID := map[string]*skygrid.AreaStats{}
	if yearAgo {
		for _, a := range s.YearAgo.Areas {
			agoByID[a.RegionID] = a
		}
	}
	seen := map[string]bool{}
	for _, a := range s.Areas {
		seen[a.RegionID] = true
		rows = append(rows, statsRow(a, agoByID[a.RegionID], yearAgo, noData))
	}
	if yearAgo {
		for _, ago := range s.YearAgo.Areas {
			if !seen[ago.RegionID] {
				a := &skygrid.AreaStats{RegionID: ago.RegionID, RegionName: ago.RegionName}
				rows = append(rows, statsRow(a, ago, true, noData))
			}
		}
	}
	total := s.Total
	if total == nil {
		total = skygrid.SumAreas(s.Areas)
	}
	total = withName(total)
	var agoTotal *skygrid.AreaStats
	if yearAgo {
		if agoTotal = s.YearAgo.Total; agoTotal == nil {
			agoTotal = skygrid.SumAreas(s.YearAgo.Areas)
		}
	}
	rows = append(rows, statsRow(total, agoTotal, yearAgo, noData))
	return cols, rows
}

// withName names the totals row 合计.
func withName(t *skygrid.AreaStats) *skygrid.AreaStats {
	c := *t
	c.RegionID, c.RegionName = "", "合计"
	return &c
}

// WriteStatsCSV writes one row per area and then the totals (合计), with
// the year-ago figures and their change when s.YearAgo is set; Chinese
// headers, UTF-8 with a BOM.
func WriteStatsCSV(w io.Writer, s *skygrid.Stats) error {
	if s == nil {
		return fmt.Errorf("report: no statistics")
	}
	cols, rows := statsRows(s)
	return writeCSV(w, true, cols, rows)
}

// Excel.

// WriteXLSX writes a workbook with the statistics (sheet 统计汇总, areas
// and the totals row) and the events (sheet 事件明细), each with a bold,
// frozen header row, filters and column widths fitted to the contents.
func WriteXLSX(w io.Writer, s *skygrid.Stats, events []*skygrid.Event) error {
	return WriteXLSXWithDust(w, s, events, nil)
}

// WriteXLSXWithDust is WriteXLSX with the dust figures (when dust is
// set): sheets 扬尘统计 (counties and the total), 扬尘报警站点 and
// 扬尘设备数据获取率.
func WriteXLSXWithDust(w io.Writer, s *skygrid.Stats, events []*skygrid.Event, dust *skygrid.DustStats) error {
	if s == nil {
		return fmt.Errorf("report: no statistics")
	}
	f := excelize.NewFile()
	defer f.Close()
	st := &styles{f: f, ids: map[styleKey]int{}}
	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return err
	}
	if _, err := f.NewSheet(SheetEvents); err != nil {
		return err
	}
	cols, rows := statsRows(s)
	var note string
	if q := s.Query; !q.Since.IsZero() && !q.Until.IsZero() {
		loc := skygrid.Beijing
		note = fmt.Sprintf("统计时段：%s 至 %s（北京时间，首次发现时间）", q.Since.In(loc).Format(TimeLayout), q.Until.In(loc).Format(TimeLayout))
		if !s.Computed.IsZero() {
			note += "；生成于 " + s.Computed.In(loc).Format(TimeLayout)
		}
	}
	if err := writeSheet(f, st, SheetSummary, cols, rows, true, note); err != nil {
		return err
	}
	if err := writeSheet(f, st, SheetEvents, eventCols, eventRows(events), false, ""); err != nil {
		return err
	}
	if err := writeDustSheets(f, st, dust); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

type styleKey struct {
	kind   kind
	prec   int
	header bool
	bold   bool
}

// styles makes each cell style once.
type styles struct {
	f   *excelize.File
	ids map[styleKey]int
}

func (s *styles) id(k styleKey) (int, error) {
	if id, ok := s.ids[k]; ok {
		return id, nil
	}
	st := &excelize.Style{}
	if k.header || k.bold {
		st.Font = &excelize.Font{Bold: true}
	}
	if k.header {
		st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}
		st.Alignment = &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
		st.Border = []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}}
	} else {
		var fmtCode string
		switch k.kind {
		case kTime:
			fmtCode = "yyyy-mm-dd hh:mm"
		case kShare:
			fmtCode = "0.0%"
		case kFloat:
			if k.prec > 0 {
				fmtCode = "0." + strings.Repeat("0", k.prec)
			} else if k.prec == 0 {
				fmtCode = "0"
			}
		case kText:
			st.Alignment = &excelize.Alignment{Vertical: "top", WrapText: false}
		}
		if fmtCode != "" {
			st.CustomNumFmt = &fmtCode
		}
	}
	id, err := s.f.NewStyle(st)
	if err != nil {
		return 0, err
	}
	s.ids[k] = id
	return id, nil
}

// typedValue is a value for a typed format (Excel, GeoJSON): *float64
// unwrapped, floats rounded as in the CSV, empty values (NaN, "", zero
// time) nil, and a time as the format wants it (at).
func typedValue(c column, v any, at func(time.Time) any) any {
	switch v := v.(type) {
	case *float64:
		if v == nil {
			return nil
		}
		return typedValue(c, *v, at)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		if c.kind == kFloat && c.prec >= 0 {
			return round(v, c.prec)
		}
	case time.Time:
		if v.IsZero() {
			return nil
		}
		return at(v)
	case string:
		if v == "" {
			return nil
		}
	}
	return v
}

// xlsxValue is a value as Excel takes it; times as Beijing wall-clock date
// cells (Excel has no time zones).
func xlsxValue(c column, v any) any {
	return typedValue(c, v, func(t time.Time) any {
		b := t.In(skygrid.Beijing)
		return time.Date(b.Year(), b.Month(), b.Day(), b.Hour(), b.Minute(), b.Second(), 0, time.UTC)
	})
}

// writeSheet streams a table into a sheet: header row bold and frozen,
// an auto filter, widths from the contents; boldLast makes the last row
// (the totals) bold; note, if any, goes two rows below the table.
func writeSheet(f *excelize.File, st *styles, sheet string, cols []column, rows []row, boldLast bool, note string) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, c := range cols {
		width := displayWidth(c.head) + 2
		for _, r := range rows {
			width = max(width, displayWidth(cellString(c, r[i]))+2)
		}
		if c.kind == kTime {
			width = max(width, 17)
		}
		if err := sw.SetColWidth(i+1, i+1, float64(min(max(width, 8), 50))); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	headID, err := st.id(styleKey{header: true})
	if err != nil {
		return err
	}
	cells := make([]any, len(cols))
	for i, c := range cols {
		cells[i] = excelize.Cell{StyleID: headID, Value: c.head}
	}
	if err := sw.SetRow("A1", cells, excelize.RowOpts{Height: 30}); err != nil {
		return err
	}
	for n, r := range rows {
		bold := boldLast && n == len(rows)-1
		for i, c := range cols {
			id, err := st.id(styleKey{kind: c.kind, prec: c.prec, bold: bold})
			if err != nil {
				return err
			}
			cells[i] = excelize.Cell{StyleID: id, Value: xlsxValue(c, r[i])}
		}
		if err := sw.SetRow("A"+strconv.Itoa(n+2), cells); err != nil {
			return err
		}
	}
	if note != "" {
		if err := sw.SetRow("A"+strconv.Itoa(len(rows)+3), []any{note}); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	last, err := excelize.CoordinatesToCellName(len(cols), len(rows)+1)
	if err != nil {
		return err
	}
	return f.AutoFilter(sheet, "A1:"+last, nil)
}

// displayWidth approximates a text's width in Excel character units: CJK
// and other wide characters count two.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x1100 && (unicode.Is(unicode.Han, r) || unicode.In(r, unicode.Hangul, unicode.Hiragana, unicode.Katakana) ||
			(r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)) {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// GeoJSON.

// jsonValue is a value for a GeoJSON property; times in RFC 3339 with the
// Beijing offset.
func jsonValue(c column, v any) any {
	return typedValue(c, v, func(t time.Time) any { return t.In(skygrid.Beijing).Format(time.RFC3339) })
}

func properties(cols []column, r row) geojson.Properties {
	p := make(geojson.Properties, len(cols)+6)
	for i, c := range cols {
		p[c.key] = jsonValue(c, r[i])
	}
	return p
}

// geoPoint is p with coordinates to 7 decimals (1 cm).
func geoPoint(p orb.Point) orb.Point { return orb.Point{round(p.Lon(), 7), round(p.Lat(), 7)} }

func writeGeoJSON(w io.Writer, fc *geojson.FeatureCollection) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(fc)
}

// WriteEventsGeoJSON writes a FeatureCollection with one point per event
// and the attributes of the CSV under English keys, plus the codes behind
// the Chinese names (class, task_state, finding) and the event state.
func WriteEventsGeoJSON(w io.Writer, events []*skygrid.Event) error {
	fc := geojson.NewFeatureCollection()
	for _, e := range events {
		f := geojson.NewFeature(geoPoint(e.Point))
		f.ID = e.ID
		f.Properties = properties(eventCols, eventRow(e))
		f.Properties["class"] = e.Class
		f.Properties["state"] = e.State
		f.Properties["task_id"], f.Properties["task_state"], f.Properties["finding"] = nil, nil, nil
		if t := e.Task; t != nil {
			f.Properties["task_id"], f.Properties["task_state"] = t.ID, t.State
			if t.Finding != "" {
				f.Properties["finding"] = t.Finding
			}
		}
		fc.Append(f)
	}
	return writeGeoJSON(w, fc)
}

// WriteHotspotsGeoJSON writes a FeatureCollection with one point per
// hotspot (acq_time in Beijing time with its offset).
func WriteHotspotsGeoJSON(w io.Writer, hs []*skygrid.Hotspot) error {
	fc := geojson.NewFeatureCollection()
	for _, h := range hs {
		f := geojson.NewFeature(geoPoint(h.Point))
		f.ID = h.ID
		f.Properties = properties(hotspotCols, hotspotRow(h))
		f.Properties["scan"], f.Properties["track"] = h.Scan, h.Track
		f.Properties["version"], f.Properties["type"] = h.Version, h.Type
		fc.Append(f)
	}
	return writeGeoJSON(w, fc)
}

// KML.

// placemark is a point with its name, an HTML description of the
// attributes, the attributes as ExtendedData and a time.
func placemark(title string, cols []column, r row, p orb.Point, when kml.Element) (kml.Element, error) {
	var desc strings.Builder
	data := make([]kml.Element, 0, len(cols))
	for i, c := range cols {
		s := cellString(c, r[i])
		data = append(data, kml.Data(c.key, kml.DisplayName(c.head), kml.Value(s)))
		if s == "" {
			continue
		}
		if desc.Len() > 0 {
			desc.WriteString("<br/>")
		}
		desc.WriteString(html.EscapeString(c.head) + "：" + strings.ReplaceAll(html.EscapeString(s), "\n", "<br/>"))
	}
	pt, err := geomkml.Encode(geom.NewPointFlat(geom.XY, []float64{p.Lon(), p.Lat()}))
	if err != nil {
		return nil, err
	}
	children := []kml.Element{kml.Name(title), kml.Description(desc.String())}
	if when != nil {
		children = append(children, when)
	}
	children = append(children, kml.ExtendedData(data...), pt)
	return kml.Placemark(children...), nil
}

func writeKML(w io.Writer, docName string, marks []kml.Element) error {
	bw := bufio.NewWriter(w)
	doc := kml.KML(kml.Document(append([]kml.Element{kml.Name(docName)}, marks...)...))
	if err := doc.WriteIndent(bw, "", " "); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteEventsKML writes a KML Document with one Placemark per event, named
// "事件 ID 类别", with the attributes as description and ExtendedData and
// the time from first to last seen.
func WriteEventsKML(w io.Writer, events []*skygrid.Event) error {
	marks := make([]kml.Element, 0, len(events))
	for _, e := range events {
		var when kml.Element
		if !e.FirstSeen.IsZero() {
			span := []kml.Element{kml.Begin(e.FirstSeen.In(skygrid.Beijing))}
			if !e.LastSeen.IsZero() {
				span = append(span, kml.End(e.LastSeen.In(skygrid.Beijing)))
			}
			when = kml.TimeSpan(span...)
		}
		pm, err := placemark(fmt.Sprintf("事件 %d %s", e.ID, name(skygrid.ClassNames, e.Class)), eventCols, eventRow(e), e.Point, when)
		if err != nil {
			return err
		}
		marks = append(marks, pm)
	}
	return writeKML(w, "天网格火情事件", marks)
}

// WriteHotspotsKML writes a KML Document with one Placemark per hotspot,
// named "火点 ID 卫星", with the attributes and the acquisition time.
func WriteHotspotsKML(w io.Writer, hs []*skygrid.Hotspot) error {
	marks := make([]kml.Element, 0, len(hs))
	for _, h := range hs {
		var when kml.Element
		if !h.AcqTime.IsZero() {
			when = kml.TimeStamp(kml.When(h.AcqTime.In(skygrid.Beijing)))
		}
		pm, err := placemark(fmt.Sprintf("火点 %d %s", h.ID, h.Satellite), hotspotCols, hotspotRow(h), h.Point, when)
		if err != nil {
			return err
		}
		marks = append(marks, pm)
	}
	return writeKML(w, "天网格卫星火点", marks)
}
