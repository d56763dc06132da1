package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/store"
)

// warningDB is a store with two counties (示例), a grid in the first with
// its supervisor, a construction site in each, and a city-level channel.
func warningDB(t *testing.T) *store.DB {
	t.Helper()
	db := MustOpenDB(t)
	ctx := context.Background()
	if err := db.ImportRegions(ctx, []*skygrid.Region{
		{ID: "149900", Name: "示例市", Level: skygrid.LevelCity, Geometry: square(113.5, 40, 1), AreaKm2: 1},
		{ID: "149901", Name: "示例甲县", Level: skygrid.LevelCounty, ParentID: "149900", Geometry: square(113.3, 40, 0.1), AreaKm2: 1},
		{ID: "149902", Name: "示例乙县", Level: skygrid.LevelCounty, ParentID: "149900", Geometry: square(113.7, 40, 0.1), AreaKm2: 1},
		{ID: "149901001", Name: "示例网格", Level: skygrid.LevelGrid, ParentID: "149901", Geometry: square(113.3, 40, 0.1), AreaKm2: 1},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportSites(ctx, []*skygrid.Site{
		{Kind: skygrid.SiteConstruction, ExternalID: "A1", Name: "示例工地A1", Geometry: square(113.3, 40, 0.001), AreaM2: 100, Attrs: map[string]string{"video": "no"}},
		{Kind: skygrid.SiteConstruction, ExternalID: "B1", Name: "示例工地B1", Geometry: square(113.7, 40, 0.001), AreaM2: 100, Attrs: map[string]string{"video": "no"}},
	}, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.AddChannel(ctx, &skygrid.Channel{RegionID: "149900", Kind: skygrid.ChannelWebhook, URL: "http://127.0.0.1:1/h", Audience: "all"}); err != nil {
		t.Fatal(err)
	}
	return db
}

func entry(name, ext, county, level, measures string) *skygrid.EmergencyEntry {
	ms, _ := skygrid.ParseMeasures(measures)
	return &skygrid.EmergencyEntry{Name: name, ExternalID: ext, CountyID: county, Level: level, Measures: ms, Source: "list.csv:line " + name}
}

// A list is matched by id, else by name (a county's name resolves to its
// id); a site's county comes from the registry; an unknown county or a
// site listed twice for a level refuses the list and keeps the old one.
func TestImportEmergencyList(t *testing.T) {
	db := warningDB(t)
	ctx := context.Background()
	good := []*skygrid.EmergencyEntry{entry("示例工地A1", "A1", "", "orange", "停产"), entry("示例工地B1", "", "示例乙县", "orange", "停产"),
		entry("示例厂", "", "示例乙", "yellow", "限产30%")}
	res, err := db.ImportEmergencyList(ctx, good, 0)
	if err != nil || res.Matched != 2 || len(res.Unmatched) != 1 || res.Unmatched[0].CountyID != "149902" {
		t.Fatalf("import: %+v %v", res, err)
	}
	if good[0].CountyID != "149901" || good[1].SiteID == nil {
		t.Errorf("matched rows %+v %+v", good[0], good[1])
	}
	for _, tt := range []struct {
		name    string
		entries []*skygrid.EmergencyEntry
		want    string
	}{
		{"unknown county", []*skygrid.EmergencyEntry{entry("示例厂", "", "示例丙县", "orange", "停产")}, `list.csv:line 示例厂: county (区县) "示例丙县": no such county`},
		{"a site twice for a level", []*skygrid.EmergencyEntry{entry("示例工地A1", "A1", "", "orange", "停产"), entry("工地", "A1", "", "orange", "停产")},
			"is listed for 橙色预警 already at list.csv:line 示例工地A1"},
		{"a bad level", []*skygrid.EmergencyEntry{entry("示例厂", "", "", "purple", "停产")}, "level (预警级别)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.ImportEmergencyList(ctx, tt.entries, 0)
			if skygrid.ErrorCode(err) != skygrid.EINVALID || !strings.Contains(skygrid.ErrorMessage(err), tt.want) {
				t.Errorf("err %v, want invalid saying %q", err, tt.want)
			}
			if list, err := db.FindEmergencyList(ctx); err != nil || len(list) != 3 {
				t.Errorf("the stored list: %d rows, %v; want the 3 of before", len(list), err)
			}
		})
	}
}

// Issue, extend and lift refuse what they must; a city-wide warning covers
// every county and is told to the city's channel; every step has its
// audit line.
func TestWarningLifecycle(t *testing.T) {
	db := warningDB(t)
	ctx := context.Background()
	start := now.Add(time.Hour)
	for _, tt := range []struct {
		name string
		w    skygrid.Warning
		want string
	}{
		{"not a county", skygrid.Warning{Level: "orange", CountyIDs: []string{"149901001"}, Start: start, ExpectedEnd: start.Add(time.Hour)}, "is not a county"},
		{"end before start", skygrid.Warning{Level: "orange", Start: start, ExpectedEnd: start}, "expected_end must be after start"},
		{"unknown level", skygrid.Warning{Level: "purple", Start: start, ExpectedEnd: start.Add(time.Hour)}, "level"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := db.IssueWarning(ctx, &tt.w, 0, now); skygrid.ErrorCode(err) != skygrid.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want invalid saying %q", err, tt.want)
			}
		})
	}
	w, err := db.IssueWarning(ctx, &skygrid.Warning{Level: "red", Start: start, ExpectedEnd: start.Add(24 * time.Hour)}, 0, now)
	if err != nil || w.State != skygrid.WarningIssued || !w.Covers("149902") || len(w.CountyIDs) != 0 {
		t.Fatalf("city-wide: %+v %v", w, err)
	}
	at := start.Add(time.Minute)
	if ws, err := db.FindWarnings(ctx, skygrid.WarningFilter{InForceAt: &at}); err != nil || len(ws) != 1 {
		t.Errorf("in force at its start: %d, %v", len(ws), err)
	}
	if _, err := db.ExtendWarning(ctx, w.ID, now.Add(-time.Hour), 0, now); skygrid.ErrorCode(err) != skygrid.EINVALID {
		t.Errorf("extend into the past: %v", err)
	}
	if _, err := db.LiftWarning(ctx, w.ID, 0, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExtendWarning(ctx, w.ID, start.Add(48*time.Hour), 0, now); skygrid.ErrorCode(err) != skygrid.ECONFLICT {
		t.Errorf("extend after the lift: %v, want conflict", err)
	}
	if ws, err := db.FindWarnings(ctx, skygrid.WarningFilter{InForceAt: &at}); err != nil || len(ws) != 0 {
		t.Errorf("lifted before its start, in force at it: %d, %v", len(ws), err)
	}
	ms, err := db.FindOutbox(ctx, 10)
	if err != nil || len(ms) != 2 || ms[0].Event != skygrid.NotifyWarningLifted || ms[1].Event != skygrid.NotifyWarningIssued || !strings.Contains(ms[1].Title, "全市 红色预警") {
		t.Errorf("outbox %v", ms)
	}
	// By the warning's id: PostgreSQL's sequence does not give back the
	// ids of the refused warnings' rolled-back rows, as SQLite does.
	audit, err := db.FindAudit(ctx, "warning", fmt.Sprint(w.ID), 10)
	if err != nil || len(audit) != 2 {
		t.Errorf("audit lines %d, %v; want issue and lift", len(audit), err)
	}
}

// TestWarningToldAsTheProvince: a province's warning over all of it is
// told to the channels as 全省, not 全市.
func TestWarningToldAsTheProvince(t *testing.T) {
	db := warningDB(t)
	db.AreaName = "山西省"
	ctx := context.Background()
	start := now.Add(time.Hour)
	if _, err := db.IssueWarning(ctx, &skygrid.Warning{Level: "orange", Start: start, ExpectedEnd: start.Add(24 * time.Hour)}, 0, now); err != nil {
		t.Fatal(err)
	}
	ms, err := db.FindOutbox(ctx, 10)
	if err != nil || len(ms) == 0 {
		t.Fatalf("outbox %v %v", ms, err)
	}
	for _, m := range ms {
		if !strings.Contains(m.Title, "全省 橙色预警") || !strings.Contains(m.Text, "范围：全省") || strings.Contains(m.Text, "全市") {
			t.Errorf("message %q: %q", m.Title, m.Text)
		}
	}
}

// The figures list the warning's extensions, oldest first, from the audit
// lines of warning.extend read in the same transaction: each with its time
// and the expected end it moved from and to; another warning's extension
// and the issue and lift lines are not among them.
func TestWarningFiguresExtensions(t *testing.T) {
	db := warningDB(t)
	ctx := context.Background()
	start := now.Add(time.Hour)
	end := start.Add(24 * time.Hour)
	w, err := db.IssueWarning(ctx, &skygrid.Warning{Level: "orange", CountyIDs: []string{"149901"}, Start: start, ExpectedEnd: end}, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	other, err := db.IssueWarning(ctx, &skygrid.Warning{Level: "yellow", CountyIDs: []string{"149902"}, Start: start, ExpectedEnd: end}, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct{ at, to time.Time }{{start.Add(20 * time.Hour), end.Add(12 * time.Hour)}, {start.Add(30 * time.Hour), end.Add(36 * time.Hour)}}
	for _, s := range steps {
		if _, err := db.ExtendWarning(ctx, w.ID, s.to, 0, s.at); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExtendWarning(ctx, other.ID, end.Add(time.Hour), 0, start.Add(21*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.LiftWarning(ctx, w.ID, 0, start.Add(40*time.Hour)); err != nil {
		t.Fatal(err)
	}
	f, err := db.WarningFigures(ctx, w.ID, start.Add(50*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []skygrid.WarningExtension{{From: end, To: steps[0].to}, {From: steps[0].to, To: steps[1].to}}
	if len(f.Extensions) != len(want) {
		t.Fatalf("extensions %+v, want %d", f.Extensions, len(want))
	}
	for i, e := range f.Extensions {
		t.Run(fmt.Sprintf("extension %d", i+1), func(t *testing.T) {
			if !e.From.Equal(want[i].From) || !e.To.Equal(want[i].To) || e.At.IsZero() {
				t.Errorf("got %+v, want from %s to %s", e, want[i].From, want[i].To)
			}
			if i > 0 && e.At.Before(f.Extensions[i-1].At) {
				t.Errorf("at %s before the previous %s: want oldest first", e.At, f.Extensions[i-1].At)
			}
		})
	}
}

// An emergency inspection task names the listed site or enterprise and
// whom to call there, in the task list and in the task itself, for a
// registered site and for an enterprise not in the registry alike (its
// place alone says nothing of which enterprise); an import that replaces
// the list later leaves the open tasks' names and contacts as they were.
func TestInspectionTaskNamesListedEntry(t *testing.T) {
	db := warningDB(t)
	ctx := context.Background()
	a1 := entry("示例工地A1", "A1", "", "orange", "停止土石方作业")
	a1.Contact, a1.Phone = "示例联系人甲", "13800000001"
	plant := entry("示例搅拌站（未入库）", "", "示例甲县", "orange", "停产")
	plant.Contact, plant.Phone = "示例联系人乙", "0352-0000002"
	if _, err := db.ImportEmergencyList(ctx, []*skygrid.EmergencyEntry{a1, plant}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.IssueWarning(ctx, &skygrid.Warning{Level: "orange", CountyIDs: []string{"149901"}, Start: now, ExpectedEnd: now.Add(24 * time.Hour)}, 0, now); err != nil {
		t.Fatal(err)
	}
	// The bureau's next list names neither: the open tasks keep theirs.
	if _, err := db.ImportEmergencyList(ctx, []*skygrid.EmergencyEntry{entry("示例工地B1", "B1", "", "orange", "停产")}, 0); err != nil {
		t.Fatal(err)
	}
	class := skygrid.ClassEmergencyInspection
	listed, _, err := db.FindTasks(ctx, skygrid.TaskFilter{Class: &class})
	if err != nil || len(listed) != 2 {
		t.Fatalf("inspection tasks: %d, %v; want 2", len(listed), err)
	}
	byName := map[string]*skygrid.Task{}
	for _, tk := range listed {
		byName[tk.ListedName] = tk
	}
	for _, tt := range []struct {
		name           string
		entry          *skygrid.EmergencyEntry
		contact, phone string
	}{
		{"a registered site", a1, "示例联系人甲", "13800000001"},
		{"an enterprise not in the registry", plant, "示例联系人乙", "0352-0000002"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tk := byName[tt.entry.Name]
			if tk == nil {
				t.Fatalf("no task listed with the name %q: %v", tt.entry.Name, keys(byName))
			}
			if tk.ListedContact != tt.contact || tk.ListedPhone != tt.phone {
				t.Errorf("listed: contact %q phone %q, want %q %q", tk.ListedContact, tk.ListedPhone, tt.contact, tt.phone)
			}
			full, err := db.FindTaskByID(ctx, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			if full.ListedName != tt.entry.Name || full.ListedContact != tt.contact || full.ListedPhone != tt.phone {
				t.Errorf("task %d: name %q contact %q phone %q, want %q %q %q", tk.ID, full.ListedName, full.ListedContact, full.ListedPhone,
					tt.entry.Name, tt.contact, tt.phone)
			}
			// Its event's audit line names the listed entry and its
			// measures, not an alarm's empty rule and a value of 0.
			lines, err := db.FindAudit(ctx, "event", fmt.Sprint(full.EventID), 5)
			if err != nil || len(lines) != 1 || !strings.Contains(lines[0].After, fmt.Sprintf(`listed=%q`, tt.entry.Name+"："+tt.entry.Measures[0].Text)) ||
				strings.Contains(lines[0].After, "value=") {
				t.Errorf("the event's audit: %v %v", auditAfters(lines), err)
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A province's warning over all of a city's counties names the city, not
// its counties one by one (the warning bar on every page, the notices,
// the report); a city's own deployment (one city) keeps its counties.
func TestWarningNamesAWholeCity(t *testing.T) {
	db := warningDB(t)
	ctx := context.Background()
	start := now.Add(time.Hour)
	issue := func(ids ...string) *skygrid.Warning {
		t.Helper()
		start = start.Add(48 * time.Hour) // each its own days: the same county twice at once is refused
		w, err := db.IssueWarning(ctx, &skygrid.Warning{Level: "orange", CountyIDs: ids, Start: start, ExpectedEnd: start.Add(24 * time.Hour)}, 0, now)
		if err != nil {
			t.Fatal(err)
		}
		ws, err := db.FindWarnings(ctx, skygrid.WarningFilter{ID: &w.ID})
		if err != nil || len(ws) != 1 {
			t.Fatalf("warning %d: %v %v", w.ID, ws, err)
		}
		return ws[0]
	}
	if w := issue("149901", "149902"); w.AreaText("全市") != "示例乙县、示例甲县" {
		t.Errorf("one city's deployment, both its counties: %q, want them named", w.AreaText("全市"))
	}
	if err := db.ImportRegions(ctx, []*skygrid.Region{
		{ID: "149800", Name: "示例二市", Level: skygrid.LevelCity, Geometry: square(112.5, 40, 0.4), AreaKm2: 1},
		{ID: "149801", Name: "示例丙县", Level: skygrid.LevelCounty, ParentID: "149800", Geometry: square(112.5, 40, 0.1), AreaKm2: 1},
	}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		ids  []string
		want string
	}{
		{[]string{"149901", "149902"}, "示例市"},
		{[]string{"149901", "149902", "149801"}, "示例二市、示例市"},
		{[]string{"149901", "149801"}, "示例二市、示例甲县"},
		{[]string{"149902"}, "示例乙县"},
	} {
		if w := issue(c.ids...); w.AreaText("全省") != c.want || len(w.CountyIDs) != len(c.ids) {
			t.Errorf("a province's warning over %v: %q (counties %v), want %q", c.ids, w.AreaText("全省"), w.CountyIDs, c.want)
		}
	}
}

// What a hurried official gets wrong is refused in Chinese, naming what to
// give: a warning whose end has passed (it was published as in force and
// sent inspections), one over a county already under a warning for the
// same hours (every site was sent a second task), a lift or extension of
// one already lifted. A warning lifted before its start is lifted at that
// moment, not at its start (it showed 已发布（未开始） with its buttons).
func TestWarningRefusalsAndEarlyLift(t *testing.T) {
	db := warningDB(t)
	ctx := context.Background()
	issue := func(level string, counties []string, from, to time.Duration) (*skygrid.Warning, error) {
		return db.IssueWarning(ctx, &skygrid.Warning{Level: level, CountyIDs: counties, Start: now.Add(from), ExpectedEnd: now.Add(to)}, 0, now)
	}
	refused := func(name string, err error, code, want string) {
		t.Helper()
		if skygrid.ErrorCode(err) != code || !strings.Contains(skygrid.ErrorMessage(err), want) {
			t.Errorf("%s: %v, want %s saying %q", name, err, code, want)
		}
	}
	_, err := issue("orange", []string{"149901"}, -48*time.Hour, -24*time.Hour)
	refused("an end passed", err, skygrid.EINVALID, "已过：请填写晚于当前时间的预计结束时间")
	first, err := issue("yellow", []string{"149901"}, 0, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	_, err = issue("orange", []string{"149902", "149901"}, time.Hour, 30*time.Hour)
	refused("the same county, hours that meet", err, skygrid.ECONFLICT, fmt.Sprintf("示例甲县已在黄色预警中（#%d", first.ID))
	_, err = issue("orange", nil, 23*time.Hour, 30*time.Hour)
	refused("the whole city over it", err, skygrid.ECONFLICT, "示例甲县已在黄色预警中")
	if _, err := issue("orange", []string{"149902"}, time.Hour, 30*time.Hour); err != nil {
		t.Errorf("another county: %v", err)
	}
	if _, err := issue("orange", []string{"149901"}, 24*time.Hour, 30*time.Hour); err != nil {
		t.Errorf("the same county after the first ends: %v", err)
	}
	later, err := issue("red", []string{"149901"}, 48*time.Hour, 72*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	lifted, err := db.LiftWarning(ctx, later.ID, 0, now)
	if err != nil || lifted.State != skygrid.WarningLifted || !lifted.LiftedAt.Equal(now.UTC().Truncate(time.Second)) || lifted.InForce(now.Add(49*time.Hour)) {
		t.Errorf("lifted before its start: %+v %v", lifted, err)
	}
	_, err = db.LiftWarning(ctx, later.ID, 0, now)
	refused("lifted twice", err, skygrid.ECONFLICT, "该预警已于")
	_, err = db.ExtendWarning(ctx, later.ID, now.Add(96*time.Hour), 0, now)
	refused("extended once lifted", err, skygrid.ECONFLICT, "该预警已于")
	_, err = db.ExtendWarning(ctx, first.ID, now.Add(-time.Hour), 0, now)
	refused("extended into the past", err, skygrid.EINVALID, "延长后的预计结束时间须晚于")
	if _, err := issue("red", []string{"149901"}, 48*time.Hour, 72*time.Hour); err != nil {
		t.Errorf("over a lifted warning's hours: %v", err)
	}
}

func auditAfters(es []*skygrid.AuditEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.After)
	}
	return out
}
