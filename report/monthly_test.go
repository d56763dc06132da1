package report_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/report"
)

var monthlyBeijing = time.FixedZone("CST", 8*3600)

func monthlyFloat(f float64) *float64 { return &f }

// monthlyFixture is October 2023 in three counties of Datong.
func monthlyFixture() *report.Monthly {
	area := func(id, name string, straw, other int, crop float64, confirmed, falseAlarms, unverified, tasks, overdue int) *skygrid.AreaStats {
		a := &skygrid.AreaStats{
			RegionID: id, RegionName: name, Hotspots: (straw + other) * 3, Events: straw + other,
			ByClass:        map[string]int{skygrid.ClassStrawBurning: straw, skygrid.ClassOpenBurning: other},
			Tasks:          tasks,
			ByFinding:      map[string]int{skygrid.FindingStrawBurning: confirmed, skygrid.FindingFalseAlarm: falseAlarms},
			ConfirmedStraw: confirmed, FalseAlarms: falseAlarms, Unverified: unverified,
			ReportMedianMin: monthlyFloat(45), ReportP90Min: monthlyFloat(110), Overdue: overdue, CroplandHa: crop,
		}
		if tasks > 0 {
			a.OverdueShare = float64(overdue) / float64(tasks)
		}
		if crop > 0 {
			a.StrawPer1000Ha = monthlyFloat(float64(straw) / crop * 1000)
		}
		return a
	}
	total := func(areas ...*skygrid.AreaStats) *skygrid.AreaStats {
		t := skygrid.SumAreas(areas)
		t.RegionName, t.ReportMedianMin, t.ReportP90Min = "合计", monthlyFloat(48), monthlyFloat(120)
		return t
	}
	since := time.Date(2023, 10, 1, 0, 0, 0, 0, monthlyBeijing)
	until := since.AddDate(0, 1, 0)
	// 阳高县 0.40 per 1000 ha, 云州区 0.30, 平城区 (no cropland) 0 events.
	yg := area("140221", "阳高县", 20, 4, 50000, 6, 2, 3, 24, 5)
	yz := area("140215", "云州区", 12, 3, 40000, 5, 1, 1, 15, 3)
	pc := area("140213", "平城区", 0, 2, 0, 0, 1, 0, 2, 0)
	agoAreas := []*skygrid.AreaStats{
		area("140221", "阳高县", 30, 5, 50000, 10, 3, 2, 35, 9),
		area("140215", "云州区", 9, 2, 40000, 4, 1, 0, 11, 2),
	}
	st := &skygrid.Stats{
		Query:    skygrid.StatsQuery{Since: since, Until: until, By: skygrid.ByCounty},
		Areas:    []*skygrid.AreaStats{pc, yz, yg},
		Total:    total(pc, yz, yg),
		Computed: until.Add(2 * time.Hour),
		YearAgo: &skygrid.Stats{
			Query: skygrid.StatsQuery{Since: since.AddDate(-1, 0, 0), Until: until.AddDate(-1, 0, 0), By: skygrid.ByCounty},
			Areas: agoAreas, Total: total(agoAreas...),
		},
	}
	m := &report.Monthly{Month: since, Stats: st, Ranking: report.Ranking(st), Generated: until.Add(3 * time.Hour), Demo: true}
	for d := range 31 {
		dc := report.DayCount{Day: since.AddDate(0, 0, d), ByClass: map[string]int{}}
		dc.ByClass[skygrid.ClassStrawBurning] = (d * 7 % 5) / 2
		dc.ByClass[skygrid.ClassOpenBurning] = d % 4 / 3
		if d%6 == 0 {
			dc.ByClass[skygrid.ClassIndustrialHeat] = 1
		}
		if d%9 == 0 {
			dc.ByClass[skygrid.ClassConstruction] = 1
		}
		m.Daily = append(m.Daily, dc)
	}
	for i := range 40 {
		m.ResponseMinutes = append(m.ResponseMinutes, math.Round(10+12*math.Exp(float64(i*17%40)/14)))
	}
	// The month's response times as the store summarizes them (nearest rank).
	sorted := slices.Sorted(slices.Values(m.ResponseMinutes))
	st.Total.ReportMedianMin, st.Total.ReportP90Min = monthlyFloat(sorted[len(sorted)/2-1]), monthlyFloat(sorted[len(sorted)*9/10-1])
	notes := []string{"玉米秸秆堆焚烧，已扑灭，对农户进行了批评教育", "田间地头焚烧，面积约 2 亩", "已扑灭，拍照留存，上报乡镇", "夜间焚烧，现场有余烬"}
	places := [][2]float64{{113.86123, 40.36512}, {113.52011, 40.05233}, {113.71234, 40.29876}, {113.60544, 39.98765}}
	counties := []string{"140221", "140215", "140221", "140215"}
	for i := range 4 {
		seen := since.AddDate(0, 0, 3+i*6).Add(time.Duration(10+i) * time.Hour)
		m.Confirmed = append(m.Confirmed, skygrid.ConfirmedFire{
			ID: int64(100 + i), TaskID: int64(200 + i), FirstSeen: seen, ClosedAt: seen.Add(5 * time.Hour), Lon: places[i][0], Lat: places[i][1],
			CountyID: counties[i], GridID: fmt.Sprintf("G%02d", i+1), GridName: fmt.Sprintf("第%d网格", i+1),
			Finding: skygrid.FindingStrawBurning, Notes: notes[i],
		})
	}
	return m
}

func TestMonthlyHTML(t *testing.T) {
	m := monthlyFixture()
	var buf bytes.Buffer
	if err := report.RenderMonthly(&buf, m); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{
		`<html lang="zh-CN">`, `<meta charset="utf-8">`, "大同市秸秆焚烧卫星监测月报 2023年10月",
		`"Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif`, "@page", "A4 portrait",
		"示例数据", "<svg", "疑似秸秆焚烧", "2022年10月", "玉米秸秆堆焚烧", "113.86123, 40.36512", "第1网格",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(strings.ToLower(html), "<script") {
		t.Error("the page has a script")
	}
	// Three charts, the daily one with a legend of the classes present.
	if n := strings.Count(html, `<svg class="chart"`); n != 3 {
		t.Errorf("%d charts, want 3", n)
	}
	for _, c := range []string{skygrid.ClassStrawBurning, skygrid.ClassOpenBurning, skygrid.ClassIndustrialHeat, skygrid.ClassConstruction} {
		if !strings.Contains(html, ">"+skygrid.ClassNames[c]+"</text>") {
			t.Errorf("the legend lacks %s", skygrid.ClassNames[c])
		}
	}
	m.Demo = false
	buf.Reset()
	if err := report.RenderMonthly(&buf, m); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "示例数据") {
		t.Error("a report of real data says it is demo data")
	}
	if err := report.RenderMonthly(&buf, &report.Monthly{}); err == nil {
		t.Error("a report without stats rendered")
	}
}

// waitTool waits for a tool being installed, or fails the test.
func waitTool(t *testing.T, paths ...string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for _, p := range paths {
		for {
			if _, err := os.Stat(p); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s not found: install chromium and poppler-utils (apt-get install chromium poppler-utils)", p)
			}
			time.Sleep(2 * time.Second)
		}
	}
}

func TestMonthlyPDF(t *testing.T) {
	const chromium = "/usr/bin/chromium"
	waitTool(t, chromium, "/usr/bin/pdftoppm", "/usr/bin/pdftotext")
	// Without a Chinese font the page prints as boxes.
	if fonts, err := exec.Command("fc-list", ":lang=zh", "family").Output(); err == nil && strings.TrimSpace(string(fonts)) == "" {
		t.Fatal("no Chinese font: install fonts-noto-cjk or fonts-wqy-microhei")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	htmlPath, pdf := printMonthly(t, ctx, chromium, dir)
	checkMonthlyText(t, ctx, pdf)
	pages := monthlyPages(t, ctx, dir, pdf)
	if dst := os.Getenv("SKYGRID_REPORT_OUT"); dst != "" {
		if err := os.MkdirAll(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		for src, name := range map[string]string{pdf: "monthly.pdf", pages[0]: "monthly-page1.png", htmlPath: "monthly.html"} {
			b, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s", filepath.Join(dst, name))
		}
	}
}

// printMonthly renders the fixture's monthly report to HTML and prints it
// to PDF with Chromium; it returns both files.
func printMonthly(t *testing.T, ctx context.Context, chromium, dir string) (htmlPath, pdf string) {
	t.Helper()
	m := monthlyFixture()
	htmlPath = filepath.Join(dir, "monthly.html")
	f, err := os.Create(htmlPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.RenderMonthly(f, m); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	pdf = filepath.Join(dir, "monthly.pdf")
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--no-pdf-header-footer", "--user-data-dir="+filepath.Join(dir, "profile"), "--print-to-pdf="+pdf, "file://"+htmlPath)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	data, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatalf("no PDF: %v\nchromium said:\n%s", err, out)
	}
	if !bytes.HasPrefix(data, []byte("%PDF")) {
		t.Fatalf("%s is not a PDF: starts with %q", pdf, data[:min(len(data), 16)])
	}
	return htmlPath, pdf
}

// checkMonthlyText: the PDF's text has the title, the headings and the
// counties in rank order.
func checkMonthlyText(t *testing.T, ctx context.Context, pdf string) {
	t.Helper()
	txt, err := exec.CommandContext(ctx, "pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(txt)
	if !strings.Contains(text, "大同市秸秆焚烧卫星监测月报") || !strings.Contains(text, "2023年10月") {
		t.Errorf("the PDF text lacks the title:\n%s", text)
	}
	headings := []string{"一、本月概况", "二、区县排名", "三、统计图", "四、核实秸秆焚烧清单", "示例数据"}
	for _, h := range headings {
		if !strings.Contains(text, h) {
			t.Errorf("the PDF text lacks %q", h)
		}
	}
	// The ranking table: the counties in rank order after its heading.
	rest := text
	if i := strings.Index(text, "二、区县排名"); i >= 0 {
		rest = text[i:]
	}
	for _, name := range []string{"阳高县", "云州区", "平城区"} {
		i := strings.Index(rest, name)
		if i < 0 {
			t.Errorf("the ranking in the PDF lacks %s in its place:\n%s", name, text)
			break
		}
		rest = rest[i+len(name):]
	}

}

// monthlyPages draws the PDF's pages as PNGs and returns their files.
func monthlyPages(t *testing.T, ctx context.Context, dir, pdf string) []string {
	t.Helper()
	prefix := filepath.Join(dir, "page")
	if out, err := exec.CommandContext(ctx, "pdftoppm", "-png", "-r", "60", pdf, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pages, _ := filepath.Glob(prefix + "-*.png")
	if len(pages) == 0 {
		t.Fatal("pdftoppm made no page image")
	}
	t.Logf("%d pages", len(pages))

	return pages
}

// rankArea is a county with straw burning events, cropland, unverified
// tasks and an overdue share.
func rankArea(id string, straw int, crop float64, unverified int, overdue float64) *skygrid.AreaStats {
	return &skygrid.AreaStats{RegionID: id, RegionName: "县" + id, Events: straw + 1,
		ByClass:    map[string]int{skygrid.ClassStrawBurning: straw, skygrid.ClassIndustrialHeat: 1},
		Unverified: unverified, Tasks: 10, OverdueShare: overdue, CroplandHa: crop, ConfirmedStraw: straw / 2}
}

func rankIDs(rs []report.Rank) []string {
	var ids []string
	for i, r := range rs {
		if r.Rank != i+1 {
			panic(fmt.Sprintf("rank %d at %d", r.Rank, i))
		}
		ids = append(ids, r.RegionID)
	}
	return ids
}

func TestRankingPer1000Ha(t *testing.T) {
	st := &skygrid.Stats{Areas: []*skygrid.AreaStats{
		rankArea("a", 10, 50000, 0, 0),  // 0.2 per 1000 ha
		rankArea("b", 3, 0, 0, 0),       // no cropland: 3 events
		rankArea("c", 10, 5000, 0, 0),   // 2 per 1000 ha
		rankArea("d", 40, 100000, 0, 0), // 0.4 per 1000 ha: more events, lower rate
		{RegionID: "", RegionName: "未落入区县", ByClass: map[string]int{skygrid.ClassStrawBurning: 99}},
	}}
	rs := report.Ranking(st)
	if got, want := rankIDs(rs), []string{"b", "c", "d", "a"}; !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v (events outside every county not ranked)", got, want)
	}
	for _, r := range rs {
		want := map[string]float64{"a": 0.2, "b": 3, "c": 2, "d": 0.4}[r.RegionID]
		if math.Abs(r.Score-want) > 1e-9 {
			t.Errorf("%s: score %v, want %v", r.RegionID, r.Score, want)
		}
		if r.Stats != st.Areas[slices.IndexFunc(st.Areas, func(a *skygrid.AreaStats) bool { return a.RegionID == r.RegionID })] {
			t.Errorf("%s: Stats is not the area's", r.RegionID)
		}
		if r.RegionName != "县"+r.RegionID {
			t.Errorf("%s: name %q", r.RegionID, r.RegionName)
		}
	}
	if r := rs[1]; r.Reason != "疑似秸秆焚烧 10 起（每千公顷耕地 2.00 起），核实 5 起，超时率 0%" {
		t.Errorf("reason %q", r.Reason)
	}
	if r := rs[0]; r.Reason != "疑似秸秆焚烧 3 起，核实 1 起，超时率 0%" {
		t.Errorf("reason %q", r.Reason)
	}
	if report.Ranking(nil) != nil {
		t.Error("a ranking of no stats")
	}
}

func TestRankingTies(t *testing.T) {
	st := &skygrid.Stats{Areas: []*skygrid.AreaStats{
		rankArea("z", 4, 0, 1, 0.1),
		rankArea("y", 4, 0, 1, 0.1),  // same as z: by id
		rankArea("x", 4, 0, 1, 0.25), // higher overdue share
		rankArea("w", 4, 0, 3, 0),    // more unverified beats overdue share
		rankArea("v", 4, 1000, 5, 1), // the same score, per 1000 ha, most unverified
		rankArea("u", 5, 0, 0, 0),    // highest score beats everything
	}}
	st.Areas[1].RegionName = ""
	rs := report.Ranking(st)
	if got, want := rankIDs(rs), []string{"u", "v", "w", "x", "y", "z"}; !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	if rs[4].RegionName != "y" {
		t.Errorf("a county without a name shows %q, want its id", rs[4].RegionName)
	}
	if got, want := rs[1].Reason, "疑似秸秆焚烧 4 起（每千公顷耕地 4.00 起），核实 2 起，未核实任务 5 件，超时率 100%"; got != want {
		t.Errorf("reason %q, want %q", got, want)
	}
	if got, want := rs[3].Reason, "疑似秸秆焚烧 4 起，核实 2 起，未核实任务 1 件，超时率 25%"; got != want {
		t.Errorf("reason %q, want %q", got, want)
	}
}

// With no suspected straw burning every score is 0: the ranking chart
// shows what the ranking then goes by, the unverified tasks, and says so.
func TestMonthlyRankChartWithoutStrawBurning(t *testing.T) {
	m := monthlyFixture()
	var buf bytes.Buffer
	if err := report.RenderMonthly(&buf, m); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "排名按未核实任务数") {
		t.Error("a month with straw burning charts the unverified tasks")
	}
	m.Ranking = []report.Rank{
		{Rank: 1, RegionID: "140225", RegionName: "浑源县", Stats: &skygrid.AreaStats{Unverified: 177}},
		{Rank: 2, RegionID: "140221", RegionName: "阳高县", Stats: &skygrid.AreaStats{Unverified: 83}},
	}
	buf.Reset()
	if err := report.RenderMonthly(&buf, m); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{"排名按未核实任务数", "未核实任务 177 件", "未核实任务 83 件"} {
		if !strings.Contains(html, want) {
			t.Errorf("the chart lacks %q", want)
		}
	}
}

// The month's cross-border fires are a line of their own, apart from the
// city's figures; a month without any has no such line.
func TestMonthlyCrossBorder(t *testing.T) {
	m := monthlyFixture()
	var buf bytes.Buffer
	if err := report.RenderMonthly(&buf, m); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "市外跨界火情") {
		t.Error("a cross-border line without cross-border fires")
	}
	m.Stats.CrossBorder = 7
	buf.Reset()
	if err := report.RenderMonthly(&buf, m); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `<td>市外跨界火情（联防联控，不计入以上各项）</td><td class="num">7</td>`) {
		t.Errorf("no cross-border line with 7 fires")
	}
}

// The public copy (Monthly.Public) keeps the figures and the confirmed
// fires' time, county and finding, and drops what names a place or a
// person: the grid, the exact position, the supervisor's notes, and the
// sites with the most (unconfirmed) alarms.
func TestMonthlyPublicCopy(t *testing.T) {
	m := monthlyFixture()
	m.Dust = dustFixture()
	m.Public = true
	var buf bytes.Buffer
	if err := report.RenderMonthly(&buf, m); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{"大同市秸秆焚烧卫星监测月报 2023年10月", "阳高县", "核实秸秆焚烧清单", "秸秆焚烧", "五、扬尘监测", "不含网格"} {
		if !strings.Contains(html, want) {
			t.Errorf("the public copy lacks %q", want)
		}
	}
	for _, c := range m.Confirmed {
		for _, leak := range []string{c.GridName, c.Notes, fmt.Sprintf("%.5f", c.Lon), fmt.Sprintf("%.5f", c.Lat)} {
			if strings.Contains(html, leak) {
				t.Errorf("the public copy shows %q", leak)
			}
		}
	}
	for _, s := range m.Dust.TopSites {
		if strings.Contains(html, s.Name) {
			t.Errorf("the public copy names the alarmed site %q", s.Name)
		}
	}
	if strings.Contains(html, "报警最多的工地") {
		t.Error("the public copy lists the sites with the most alarms")
	}
}

// chartOf is the SVG chart whose aria-label is label ("" when none).
func chartOf(page, label string) string {
	i := strings.Index(page, `aria-label="`+label+`"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(page[i:], "</svg>")
	return page[i : i+j]
}

// A province's monthly report. Its 120 counties' chart drew 120 bars,
// shrunk to an unreadable strip on its page: it draws the first 30 and
// says so, the table keeping all 120. Its cities come first: 地市排名,
// a table and a chart of their own. A city's report (no cities) has
// neither.
func TestMonthlyOfAProvince(t *testing.T) {
	m := monthlyFixture()
	var counties, cities []*skygrid.AreaStats
	for i := range 120 {
		counties = append(counties, &skygrid.AreaStats{RegionID: fmt.Sprintf("SX-%03d", i), RegionName: fmt.Sprintf("示例%d县", i+1),
			Events: i + 1, ByClass: map[string]int{skygrid.ClassStrawBurning: i + 1}})
	}
	for i := range 11 {
		cities = append(cities, &skygrid.AreaStats{RegionID: fmt.Sprintf("SX-%02d", i), RegionName: fmt.Sprintf("示例%d市", i+1),
			Events: 100 + i, ByClass: map[string]int{skygrid.ClassStrawBurning: 100 + i}})
	}
	m.Stats.Areas = counties
	m.Ranking = report.Ranking(m.Stats)
	m.Cities = report.Ranking(&skygrid.Stats{Areas: cities})
	var buf bytes.Buffer
	if err := report.RenderMonthly(&buf, m); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	bars := regexp.MustCompile(`>\d+\. `)
	if c := chartOf(page, "区县排名"); len(bars.FindAllString(c, -1)) != 30 || !strings.Contains(page, "区县排名（得分，前30名，共120个区县）") {
		t.Errorf("the counties' chart: %d bars, want the first 30, captioned 前30名，共120个区县", len(bars.FindAllString(c, -1)))
	}
	if c := chartOf(page, "地市排名"); len(bars.FindAllString(c, -1)) != 11 || !strings.Contains(page, "地市排名（得分）") {
		t.Errorf("the cities' chart: %d bars, want 11", len(bars.FindAllString(c, -1)))
	}
	for _, want := range []string{"二、地市及区县排名", "<h3>地市排名</h3>", "<h3>区县排名</h3>", "<th>地市</th>", ">示例11市<", ">示例120县<"} {
		if !strings.Contains(page, want) {
			t.Errorf("no %s in the province's report", want)
		}
	}
	checkLabels(t, page)

	m.Cities = nil
	buf.Reset()
	if err := report.RenderMonthly(&buf, monthlyFixture()); err != nil {
		t.Fatal(err)
	}
	if page := buf.String(); strings.Contains(page, "地市") || !strings.Contains(page, "二、区县排名") || strings.Contains(page, "前30名") {
		t.Errorf("a city's report names 地市 or 前30名, or lost 二、区县排名")
	}
}
