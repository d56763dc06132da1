package dispatch_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/dispatch"
	"skygrid/dispatch/dispatchtest"
	"skygrid/dustrule"
	"skygrid/registry"
	"skygrid/store"

	_ "github.com/mattn/go-sqlite3"
	"github.com/paulmach/orb"
)

// warnWorld is three counties (示例甲县, 乙县, 丙县), each with a township,
// a grid and its supervisor; an air station in 甲县 whose hourly PM10 is
// 100 (so datong_default's limit is 180 there); construction sites A1,
// A2, A3 in 甲县, B1 in 乙县, C1 in 丙县, and a dust monitor on A1. The
// pipeline, the dust checker and the store share the warnings' cache
// and the test's clock.
type warnWorld struct {
	db      *store.DB
	clock   *simClock
	p       *dispatch.Pipeline
	checker *dispatch.DustChecker
	monitor int64
	admin   *skygrid.User
	raw     *sql.DB
}

var warnCounties = []struct{ id, name string }{{"149901", "示例甲县"}, {"149902", "示例乙县"}, {"149903", "示例丙县"}}

func newWarnWorld(t *testing.T) *warnWorld {
	t.Helper()
	ctx := context.Background()
	clock := &simClock{t: day9}
	db := dispatchtest.OpenDB(t, clock.Now)
	db.PersonalKinds = []string{skygrid.ChannelAliyunSMS}
	sq := func(lon, lat, half float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{lon - half, lat - half}, {lon + half, lat - half}, {lon + half, lat + half}, {lon - half, lat + half}, {lon - half, lat - half}}}}
	}
	var regions []*skygrid.Region
	var sups []*skygrid.Supervisor
	for i, c := range warnCounties {
		g := sq(113.3+0.3*float64(i), 40.1, 0.1)
		regions = append(regions, &skygrid.Region{ID: c.id, Name: c.name, Level: skygrid.LevelCounty, Geometry: g, AreaKm2: 1},
			&skygrid.Region{ID: c.id + "001", Name: c.name + "镇", Level: skygrid.LevelTownship, ParentID: c.id, Geometry: g, AreaKm2: 1},
			&skygrid.Region{ID: c.id + "001001", Name: c.name + "网格", Level: skygrid.LevelGrid, ParentID: c.id + "001", Geometry: g, AreaKm2: 1})
		sups = append(sups, &skygrid.Supervisor{GridID: c.id + "001001", Name: "网格员" + c.name, Phone: fmt.Sprintf("1390000000%d", i)})
	}
	must(t, db.ImportRegions(ctx, regions))
	must(t, db.ImportSupervisors(ctx, sups))
	must(t, db.AddChannel(ctx, &skygrid.Channel{RegionID: "149901", Kind: skygrid.ChannelWebhook, URL: "http://127.0.0.1:1/hook", Audience: "all"}))
	_, err := db.ImportAirStations(ctx, []*skygrid.AirStation{{Code: "9999A", Name: "示例站", Lon: 113.31, Lat: 40.11, Network: "national"}})
	must(t, err)
	var hours []*skygrid.AirHour
	for h := -12; h < 36; h++ {
		hours = append(hours, &skygrid.AirHour{Station: "9999A", Hour: day9.Add(time.Duration(h) * time.Hour), Values: map[string]float64{"pm10": 100}})
	}
	_, _, err = db.IngestAirHours(ctx, hours)
	must(t, err)
	var sites []*skygrid.Site
	for _, s := range []struct {
		id  string
		lon float64
	}{{"A1", 113.25}, {"A2", 113.28}, {"A3", 113.31}, {"B1", 113.55}, {"C1", 113.85}} {
		sites = append(sites, &skygrid.Site{Kind: skygrid.SiteConstruction, ExternalID: s.id, Name: "示例工地" + s.id,
			Geometry: sq(s.lon, 40.1, 0.001), AreaM2: 1000, Attrs: map[string]string{skygrid.AttrVideo: "no"}})
	}
	_, err = db.ImportSites(ctx, sites, nil)
	must(t, err)
	ms := []skygrid.MonitorImport{{Monitor: skygrid.Monitor{MN: "DEMOA1", Password: "123456", Name: "监测仪A1（示例）",
		Kind: skygrid.MonitorDust, Lon: 113.25, Lat: 40.1}, SiteRef: "A1"}}
	_, err = db.ImportMonitors(ctx, ms)
	must(t, err)
	w := &warnWorld{db: db, clock: clock, monitor: ms[0].ID, admin: &skygrid.User{Name: "admin", Role: skygrid.RoleAdmin}}
	must(t, db.CreateUser(ctx, w.admin, "x"))
	w.wire(t)
	return w
}

// wire sets up the pipeline and the checker as serve does (open.go,
// sink.go): the warnings' cache, the [warning] defaults, the store's
// placement of listed sites.
func (w *warnWorld) wire(t *testing.T) {
	wc := dispatch.DefaultWarningConfig()
	w.p = dispatchtest.NewPipeline(t, w.db, w.clock.Now)
	w.p.Warnings = &dispatch.WarningCache{Store: w.db, Changed: w.db.WarningsChanged, Now: w.clock.Now}
	w.p.WarningConfig = wc
	w.db.Place, w.db.InspectHours = w.p.Place, wc.InspectHours
	cfg := dustrule.DefaultConfig()
	cfg.Active = []string{"datong_default"}
	pr := cfg.Presets["datong_default"]
	pr.AllowedPerDay = 0
	cfg.Presets["datong_default"] = pr
	must(t, wc.Validate(cfg))
	rule, _ := wc.Rule(cfg)
	w.checker = dispatch.NewDustChecker(w.db, w.p, cfg, 50)
	w.checker.Now, w.checker.Logger = w.clock.Now, slog.New(slog.NewTextHandler(io.Discard, nil))
	w.checker.Warnings, w.checker.WarningRule = w.p.Warnings, &rule
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// bj is a time of the test's day in Beijing time ("10:00").
func bj(hhmm string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", "2026-11-05 "+hhmm, skygrid.Beijing)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// tasksBy are the tasks of a class by their event's listed name (or
// county for a fire), each once.
func (w *warnWorld) tasksOf(t *testing.T, class string) []*skygrid.Task {
	t.Helper()
	ts, _, err := w.db.FindTasks(context.Background(), skygrid.TaskFilter{Class: &class})
	must(t, err)
	sort.Slice(ts, func(i, j int) bool { return ts[i].ID < ts[j].ID })
	return ts
}

// hourOf160 stores 61 minute readings of PM10 160 from start (the last
// closes the hour): over warning_any_hour's 150, under datong_default's
// 180 (100 ambient + 80).
func (w *warnWorld) hourOf160(t *testing.T, start time.Time) {
	t.Helper()
	w.clock.Set(start.Add(time.Hour + time.Minute))
	_, err := w.checker.StoreReadings(context.Background(), minutes(w.monitor, start, 61, func(int) float64 { return 160 }))
	must(t, err)
}

// fire ingests one detection at lon in the test's day at hhmm UTC.
func (w *warnWorld) fire(t *testing.T, lon float64, hhmm string) *skygrid.Task {
	t.Helper()
	before := w.tasksOf(t, skygrid.ClassOpenBurning)
	file := dispatchtest.VIIRSHeader + dispatchtest.Row(40.15, lon, "2026-11-05", hhmm)
	_, err := w.p.Ingest(context.Background(), strings.NewReader(file), "fire_"+hhmm+".csv", dispatch.IngestOptions{})
	must(t, err)
	after := w.tasksOf(t, skygrid.ClassOpenBurning)
	if len(after) != len(before)+1 {
		t.Fatalf("fire at %v %s: %d fire tasks, want %d", lon, hhmm, len(after), len(before)+1)
	}
	return after[len(after)-1]
}

// checkDue checks a task's deadlines from its creation.
func checkDue(t *testing.T, tk *skygrid.Task, ack, report time.Duration) {
	t.Helper()
	if got, got2 := tk.AckDue.Sub(tk.CreatedAt), tk.ReportDue.Sub(tk.CreatedAt); got != ack || got2 != report {
		t.Errorf("task %d (county %s): due in %s and %s, want %s and %s", tk.ID, tk.CountyID, got, got2, ack, report)
	}
}

// Must show (issue 16): a warning run end to end with an injected clock.
// The invented list is imported; 橙色 is issued at 09:00 for 甲县 and 乙县
// from 10:00. Before it starts, no inspection, and an hour of PM10 160
// at A1 raises nothing (datong_default's limit there is 180). From 10:00
// the listed sites of the two counties get one inspection task each (A1
// its orange row; A2, listed only for yellow, its yellow row; the
// unmatched mixing plant of 乙县 in its county's queue; not A3, listed for
// red only, nor C1 in 丙县), not again when started again; an hour of 160
// at A1 is an alarm; a fire in 甲县 is due in 15 and 30 minutes, one in
// 丙县 in 30 and 60. A1's report must answer each measure. Lifted at
// 15:00, the open tasks stay open; an hour of 160 raises nothing again
// and a fire in 甲县 has the usual deadlines. WarningFigures equal the
// test's own SQL.
func TestWarningEndToEnd(t *testing.T) {
	w := newWarnWorld(t)
	ctx := context.Background()
	w.importList(t)
	w.clock.Set(bj("09:00"))
	issued, err := w.db.IssueWarning(ctx, &skygrid.Warning{Level: skygrid.WarningOrange, CountyIDs: []string{"149901", "149902"},
		Start: bj("10:00"), ExpectedEnd: bj("10:00").Add(24 * time.Hour), Reason: "示例", PublicAdvice: "减少户外活动（示例）"}, w.admin.ID, bj("09:00"))
	must(t, err)
	if issued.State != skygrid.WarningIssued || issued.Tasks != 0 || !reflect.DeepEqual(issued.CountyNames, []string{"示例乙县", "示例甲县"}) &&
		!reflect.DeepEqual(issued.CountyNames, []string{"示例甲县", "示例乙县"}) {
		t.Fatalf("issued %+v", issued)
	}
	w.checkIssuedNotices(t)
	w.hourOf160(t, bj("08:00"))
	if n, err := w.db.StartWarnings(ctx, bj("09:59")); err != nil || n != 0 {
		t.Fatalf("started before its start: %d, %v", n, err)
	}
	if got := len(w.tasksOf(t, skygrid.ClassDustExceedance)); got != 0 {
		t.Fatalf("an hour of 160 before the warning: %d dust tasks, want 0", got)
	}
	w.checkStart(t)
	w.hourOf160(t, bj("10:00"))
	if got := w.tasksOf(t, skygrid.ClassDustExceedance); len(got) != 1 {
		t.Fatalf("an hour of 160 during the warning: %d dust tasks, want 1", len(got))
	}
	w.clock.Set(bj("11:30"))
	checkDue(t, w.fire(t, 113.35, "0325"), 15*time.Minute, 30*time.Minute)
	checkDue(t, w.fire(t, 113.95, "0326"), 30*time.Minute, 60*time.Minute)
	w.checkReport(t)
	w.clock.Set(bj("15:00"))
	lifted, err := w.db.LiftWarning(ctx, issued.ID, w.admin.ID, bj("15:00"))
	must(t, err)
	if lifted.State != skygrid.WarningLifted || !lifted.LiftedAt.Equal(bj("15:00")) {
		t.Fatalf("lifted %+v", lifted)
	}
	open := 0
	for _, tk := range w.tasksOf(t, skygrid.ClassEmergencyInspection) {
		if tk.State != skygrid.TaskClosed {
			open++
		}
	}
	if open != 3 {
		t.Errorf("after the lift %d inspection tasks open, want 3 (they stay open)", open)
	}
	w.hourOf160(t, bj("16:00"))
	if got := w.tasksOf(t, skygrid.ClassDustExceedance); len(got) != 1 || got[0].Reports != 0 {
		t.Errorf("an hour of 160 after the lift: %d dust tasks, want still 1", len(got))
	}
	w.clock.Set(bj("17:30"))
	checkDue(t, w.fire(t, 113.22, "0925"), 30*time.Minute, 60*time.Minute)
	w.checkFigures(t, issued.ID, bj("18:00"))
}

// importList imports the invented list: 8 rows, the mixing plant
// unmatched.
func (w *warnWorld) importList(t *testing.T) {
	t.Helper()
	f, err := os.Open("testdata/warning_list.csv")
	must(t, err)
	defer f.Close()
	entries, err := registry.ReadEmergencyList(f, "warning_list.csv")
	must(t, err)
	res, err := w.db.ImportEmergencyList(context.Background(), entries, w.admin.ID)
	must(t, err)
	if res.Rows != 8 || res.Matched != 7 || len(res.Unmatched) != 1 || res.Unmatched[0].Name != "示例搅拌站（未入库）" ||
		res.Unmatched[0].CountyID != "149902" {
		t.Fatalf("import %+v", res)
	}
}

// checkIssuedNotices: the issue is told to 甲县's channel and, by SMS, to
// the supervisors of 甲县 and 乙县, not of 丙县.
func (w *warnWorld) checkIssuedNotices(t *testing.T) {
	t.Helper()
	ms, err := w.db.FindOutbox(context.Background(), 100)
	must(t, err)
	got := map[string]bool{}
	for _, m := range ms {
		if m.Event == skygrid.NotifyWarningIssued {
			got[m.RecipientName+"|"+fmt.Sprint(m.ChannelID != 0)] = true
			if !strings.Contains(m.Title, "橙色预警") {
				t.Errorf("title %q", m.Title)
			}
		}
	}
	want := map[string]bool{"|true": true, "网格员示例甲县|false": true, "网格员示例乙县|false": true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("warning.issued told %v, want %v", got, want)
	}
}

// checkStart: at 10:00 the listed sites of the area get their tasks with
// the measures of their level, due 14:00; not again.
func (w *warnWorld) checkStart(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	w.clock.Set(bj("10:00"))
	n, err := w.db.StartWarnings(ctx, bj("10:00"))
	if err != nil || n != 4 {
		t.Fatalf("started %d tasks, %v; want 4", n, err)
	}
	if n, err := w.db.StartWarnings(ctx, bj("10:01")); err != nil || n != 0 {
		t.Fatalf("started again: %d tasks, %v; want 0", n, err)
	}
	want := map[string]string{
		"示例工地A1":     "149901001001 停止土石方作业；物料堆场覆盖",
		"示例工地A2":     "149901001001 物料堆场覆盖；增加洒水降尘频次",
		"示例工地B1":     "149902001001 停止拆除作业；限产30%；夜间禁止施工",
		"示例搅拌站（未入库）": " 停产",
	}
	got := map[string]string{}
	for _, tk := range w.tasksOf(t, skygrid.ClassEmergencyInspection) {
		full, err := w.db.FindTaskByID(ctx, tk.ID)
		must(t, err)
		e, err := w.db.FindEventByID(ctx, tk.EventID)
		must(t, err)
		var ms []string
		for _, it := range full.Checklist {
			ms = append(ms, skygrid.MeasureText(it.Measure))
		}
		name := w.listedName(t, e.ID)
		got[name] = tk.GridID + " " + strings.Join(ms, "；")
		if !tk.ReportDue.Equal(bj("14:00")) || (name == "示例搅拌站（未入库）" && tk.CountyID != "149902") {
			t.Errorf("%s: task %+v", name, tk)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("inspection tasks %v, want %v", got, want)
	}
}

func (w *warnWorld) listedName(t *testing.T, eventID int64) string {
	t.Helper()
	var name string
	must(t, w.sql(t).QueryRow(w.bind(`SELECT listed_name FROM events WHERE id = ?`), eventID).Scan(&name))
	return name
}

// sql opens the store's database with database/sql: the test's own
// queries, independent of the store's (the SQLite file read-only, or the
// PostgreSQL database through pgx's adapter, which the store registers;
// bind the queries' ? placeholders).
func (w *warnWorld) sql(t *testing.T) *sql.DB {
	t.Helper()
	if w.raw == nil {
		driver, dsn := "sqlite3", "file:"+w.db.DSN+"?mode=ro"
		if w.db.Postgres() {
			driver, dsn = "pgx", w.db.DSN
		}
		db, err := sql.Open(driver, dsn)
		must(t, err)
		t.Cleanup(func() { db.Close() })
		w.raw = db
	}
	return w.raw
}

// checkReport: A1's report must answer each measure, in Chinese when it
// does not (nothing stored); answered, the checklist is stored with the
// photos' hashes and the task closed.
func (w *warnWorld) checkReport(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	var a1 *skygrid.Task
	for _, tk := range w.tasksOf(t, skygrid.ClassEmergencyInspection) {
		if tk.GridID == "149901001001" && w.listedName(t, tk.EventID) == "示例工地A1" {
			a1 = tk
		}
	}
	w.clock.Set(bj("12:00"))
	a1, err := w.db.UpdateTask(ctx, a1.ID, 0, skygrid.ActionAcknowledge, w.admin, skygrid.TaskChange{}, nil)
	must(t, err)
	yes, no := true, false
	earth := skygrid.Measure{Code: skygrid.MeasureStopEarthworks, Text: "停止土石方作业"}
	cover := skygrid.Measure{Code: skygrid.MeasureCoverStockpile, Text: "物料堆场覆盖"}
	photo := func() []*skygrid.Photo {
		return []*skygrid.Photo{{SHA256: strings.Repeat("ab", 32), Mime: "image/jpeg", Size: 100, Width: 10, Height: 10}}
	}
	for _, tt := range []struct {
		name, want string
		items      []skygrid.ChecklistItem
	}{
		{"none", "逐项填写", nil},
		{"a measure missing", "「物料堆场覆盖」未填写", []skygrid.ChecklistItem{{Measure: earth, InPlace: &yes}}},
		{"not said whether in place", "是否落实", []skygrid.ChecklistItem{{Measure: earth, InPlace: &yes}, {Measure: cover}}},
		{"a photo not sent", "照片序号 1", []skygrid.ChecklistItem{{Measure: earth, InPlace: &yes, PhotoIndex: []int{1}}, {Measure: cover, InPlace: &no}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.db.UpdateTask(ctx, a1.ID, a1.Version, skygrid.ActionReport, w.admin, skygrid.TaskChange{Finding: skygrid.FindingRectified,
				Notes: "示例", Photos: 1, Checklist: tt.items}, photo())
			if skygrid.ErrorCode(err) != skygrid.EINVALID || !strings.Contains(skygrid.ErrorMessage(err), tt.want) {
				t.Errorf("report: %v, want invalid saying %q", err, tt.want)
			}
		})
	}
	items := []skygrid.ChecklistItem{{Measure: cover, InPlace: &no, Note: "未覆盖（示例）"}, {Measure: earth, InPlace: &yes, PhotoIndex: []int{0}}}
	_, err = w.db.UpdateTask(ctx, a1.ID, a1.Version, skygrid.ActionReport, w.admin, skygrid.TaskChange{Finding: skygrid.FindingRectified,
		Notes: "示例", Checklist: items}, photo())
	must(t, err)
	got, err := w.db.FindTaskByID(ctx, a1.ID)
	must(t, err)
	if len(got.Checklist) != 2 || *got.Checklist[0].InPlace || !*got.Checklist[1].InPlace ||
		!reflect.DeepEqual(got.Checklist[1].PhotoSHA256, []string{strings.Repeat("ab", 32)}) || got.Checklist[0].Note != "未覆盖（示例）" {
		t.Errorf("checklist %+v", got.Checklist)
	}
	_, err = w.db.UpdateTask(ctx, a1.ID, got.Version, skygrid.ActionClose, w.admin, skygrid.TaskChange{Notes: "示例"}, nil)
	must(t, err)
}

// checkFigures: WarningFigures equal the test's own SQL over the store's
// tables, by county, and are what the run made.
func (w *warnWorld) checkFigures(t *testing.T, id int64, now time.Time) {
	t.Helper()
	f, err := w.db.WarningFigures(context.Background(), id, now)
	must(t, err)
	for _, c := range f.Counties {
		want := w.figuresSQL(t, id, c.CountyID)
		want.CountyID, want.CountyName = c.CountyID, c.CountyName
		if *c != want {
			t.Errorf("%s: figures %+v, the test's SQL %+v", c.CountyName, *c, want)
		}
	}
	a := skygrid.WarningCountyFigures{CountyID: "149901", CountyName: "示例甲县", Listed: 2, Tasks: 2, Checked: 1, Closed: 1, Overdue: 1,
		Measures: 2, MeasuresInPlace: 1, Exceedances: 1, Fires: 1}
	if len(f.Counties) != 2 || *f.Counties[0] != a && *f.Counties[1] != a || f.Total.Tasks != 4 || f.Total.Overdue != 3 || len(f.Sites) != 4 {
		t.Errorf("figures %+v %+v, total %+v, %d sites", f.Counties[0], f.Counties[1], f.Total, len(f.Sites))
	}
}

// figuresSQL is the figures of one county of the warning by the test's
// own queries: the level rule written out (a site's rows of orange or
// below count once), the tasks of the warning's events, the checklists
// of their latest reports, the exceedances and fires in [start, lifted).
func (w *warnWorld) figuresSQL(t *testing.T, id int64, county string) skygrid.WarningCountyFigures {
	t.Helper()
	var f skygrid.WarningCountyFigures
	db := w.sql(t)
	q := func(query string, dest ...any) {
		t.Helper()
		must(t, db.QueryRow(w.bind(query), append([]any{id, county}, id, county)[:strings.Count(query, "?")]...).Scan(dest...))
	}
	q(`SELECT COUNT(DISTINCT COALESCE('s' || site_id, name)) FROM emergency_list l JOIN warnings w ON w.id = ?
		WHERE l.county_id = ? AND l.level IN ('blue', 'yellow', 'orange')`, &f.Listed)
	q(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN t.reports > 0 THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN t.state = 'closed' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN (t.reported_at = '' AND t.report_due < w.lifted_at) OR (t.reported_at <> '' AND t.reported_at > t.report_due) THEN 1 ELSE 0 END), 0)
		FROM tasks t JOIN events e ON e.id = t.event_id JOIN warnings w ON w.id = e.warning_id WHERE w.id = ? AND e.county_id = ?`,
		&f.Tasks, &f.Checked, &f.Closed, &f.Overdue)
	q(`SELECT COUNT(*), COALESCE(SUM(c.in_place), 0) FROM task_checklist c JOIN tasks t ON t.id = c.task_id JOIN events e ON e.id = t.event_id
		WHERE e.warning_id = ? AND e.county_id = ? AND c.report > 0 AND c.report = (SELECT MAX(report) FROM task_checklist x WHERE x.task_id = c.task_id)`,
		&f.Measures, &f.MeasuresInPlace)
	q(`SELECT COUNT(*) FROM dust_alarms a JOIN warnings w ON w.id = ? WHERE a.county_id = ? AND a.class = 'dust_exceedance'
		AND a.window_start >= w.start AND a.window_start < w.lifted_at`, &f.Exceedances)
	q(`SELECT COUNT(*) FROM events e JOIN warnings w ON w.id = ? WHERE e.county_id = ?
		AND e.class IN ('straw_burning', 'open_burning', 'loose_coal_burning', 'construction_site', 'stockpile')
		AND e.first_seen >= w.start AND e.first_seen < w.lifted_at`, &f.Fires)
	return f
}

// bind turns a query's ? placeholders into PostgreSQL's $n on that store.
func (w *warnWorld) bind(q string) string {
	if !w.db.Postgres() {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r != '?' {
			b.WriteRune(r)
			continue
		}
		n++
		fmt.Fprintf(&b, "$%d", n)
	}
	return b.String()
}
