package api_test

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/airindex"
	"skygrid/api"
	"skygrid/orbit"
)

// publicWorld is the auth tests' world (October 2023 ingested, grids with
// supervisors, users of each role) with what the public must never see:
// a supervisor with a real-looking name and mobile number, a confirmed
// straw burning whose notes name them, a confirmed dust violation (the
// one site the public may see), a dust task closed as a false alarm and a
// site whose task is still open; October 2023's report published.
func publicWorld(t *testing.T) (*world, *httptest.Server, *api.Server, string) {
	t.Helper()
	w := newWorld(t)
	ctx := context.Background()
	if err := w.db.ImportSupervisors(ctx, []*skygrid.Supervisor{{GridID: w.gridA, Name: "张三丰（示例）", Phone: "13912345678"}}); err != nil {
		t.Fatal(err)
	}
	closer := &skygrid.User{Name: "李四海（示例）", Role: skygrid.RoleAdmin, Phone: "13800001111"}
	if err := w.db.CreateUser(ctx, closer, "$2a$04$notarealhashnotarealhashnotarealhashnotarealhashnota"); err != nil {
		t.Fatal(err)
	}
	// Site 0 (grid A) confirmed: work stopped; site 1 (grid B) a false alarm.
	publicWork(t, w, publicDustTask(t, w, 0, w.gridA), closer, skygrid.FindingStopWork, "已停工，联系人 张三丰（示例） 13912345678")
	publicWork(t, w, publicDustTask(t, w, 1, w.gridB), closer, skygrid.FindingFalseAlarm, "误报")
	fires, _, err := w.db.FindTasks(ctx, skygrid.TaskFilter{GridID: &w.gridB, Classes: skygrid.PublicFireClasses(), States: []string{skygrid.TaskDispatched}, Limit: 1})
	if err != nil || len(fires) < 1 {
		t.Fatalf("a task of grid B: %v %d", err, len(fires))
	}
	publicWork(t, w, fires[0].ID, closer, skygrid.FindingStrawBurning, "张三丰（示例） 13912345678 到场，已扑灭")
	site, err := w.db.FindSiteByID(ctx, w.sites[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.PublishReport(ctx, time.Date(2023, 10, 1, 0, 0, 0, 0, skygrid.Beijing), true, closer.ID, *w.clock); err != nil {
		t.Fatal(err)
	}
	publicWarningAndReport(t, w, closer)
	s := api.NewServer(api.Services{Hotspots: w.db, Events: w.db, Regions: w.db, Tasks: w.db, Sites: w.db, Users: w.db, Audit: w.db,
		Stats: w.db, Now: w.db.Now, Public: w.db, Warnings: w.db, PublicReports: w.db, Passes: &orbit.Service{Store: w.db},
		AirRanking: &airindex.Ranking{Source: w.db, NearestKm: 30, Now: w.db.Now}}, nil)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return w, srv, s, site.Name
}

// publicWarningAndReport issues an orange warning for county A whose
// reason names the supervisor (the public sees only level, area, times and
// advice), and files a report from the public with a phone and a note
// naming them, accepted to grid A's supervisor: its receipt is the
// no-leak test's :receipt.
func publicWarningAndReport(t *testing.T, w *world, by *skygrid.User) {
	t.Helper()
	ctx := context.Background()
	now := *w.clock
	// The emergency list names an enterprise not in the registry and whom
	// to call there: its inspection task carries both, the public neither.
	ms, _ := skygrid.ParseMeasures("停产")
	if _, err := w.db.ImportEmergencyList(ctx, []*skygrid.EmergencyEntry{{Name: "示例铸造厂（未入库）", CountyID: w.countyA,
		Level: skygrid.WarningOrange, Measures: ms, Contact: "王五岳（示例）", Phone: "13612345678", Source: "list.csv:2"}}, by.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.IssueWarning(ctx, &skygrid.Warning{Level: skygrid.WarningOrange, CountyIDs: []string{w.countyA},
		Start: now.Add(-time.Hour), ExpectedEnd: now.Add(48 * time.Hour), Reason: "张三丰（示例） 13912345678 报告",
		PublicAdvice: "减少户外活动"}, by.ID, now); err != nil {
		t.Fatal(err)
	}
	grids, _, err := w.db.FindRegions(ctx, skygrid.RegionFilter{IDs: []string{w.gridA}, WithGeometry: true})
	if err != nil || len(grids) != 1 {
		t.Fatalf("grid A: %v", err)
	}
	at := grids[0].Geometry.Bound().Center()
	r, err := w.db.FilePublicReport(ctx, &skygrid.PublicReport{Kind: skygrid.ReportStraw, Point: at, Note: "张三丰（示例）家旁边",
		Phone: "13712345678", Address: "192.0.2.7", GridID: w.gridA, CountyID: w.countyA, AssignedBy: "contains"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.AcceptPublicReport(ctx, r.ID, by, "属实", now); err != nil {
		t.Fatal(err)
	}
	publicParams[":receipt"] = []string{r.Receipt}
}

// publicDustTask records a dust exceedance at the world's site i (in
// grid), as the dust checker does, and returns its task.
func publicDustTask(t *testing.T, w *world, i int, grid string) int64 {
	t.Helper()
	ctx := context.Background()
	site, err := w.db.FindSiteByID(ctx, w.sites[i])
	if err != nil {
		t.Fatal(err)
	}
	pt := site.Geometry.Bound().Center()
	m := []skygrid.MonitorImport{{Monitor: skygrid.Monitor{MN: fmt.Sprint("PUBMN", i), Password: "123456", Name: "示例监测仪",
		Kind: skygrid.MonitorDust, Lon: pt[0], Lat: pt[1], SiteID: &site.ID}, Where: "item 0"}}
	if _, err := w.db.ImportMonitors(ctx, m); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2023, 10, 20, 2, 0, 0, 0, time.UTC)
	rec, err := w.db.RecordDustAlarms(ctx, []skygrid.DustAlarm{{MonitorID: m[0].ID, SiteID: &site.ID, Rule: "datong_default",
		Class: skygrid.ClassDustExceedance, Start: start, End: start.Add(time.Hour), Value: 190, Limit: 80, Detail: "示例",
		Point: pt, GridID: grid, CountyID: grid[:6], AssignedBy: "contains", AckDue: start.Add(2 * time.Hour), ReportDue: start.Add(3 * time.Hour)}})
	if err != nil || len(rec.TaskIDs) != 1 {
		t.Fatalf("dust alarm at %s: %+v %v", site.Name, rec, err)
	}
	return rec.TaskIDs[0]
}

// publicWork acknowledges, reports (finding, notes) and closes a task as u.
func publicWork(t *testing.T, w *world, id int64, u *skygrid.User, finding, notes string) {
	t.Helper()
	ctx := context.Background()
	photo := &skygrid.Photo{SHA256: fmt.Sprintf("%064x", id), Mime: "image/jpeg", Size: 1, Width: 1, Height: 1}
	for _, step := range []struct {
		action string
		change skygrid.TaskChange
		photos []*skygrid.Photo
	}{
		{skygrid.ActionAcknowledge, skygrid.TaskChange{}, nil},
		{skygrid.ActionReport, skygrid.TaskChange{Finding: finding, Notes: notes}, []*skygrid.Photo{photo}},
		{skygrid.ActionClose, skygrid.TaskChange{Notes: "核实无误：" + notes}, nil},
	} {
		if _, err := w.db.UpdateTask(ctx, id, 0, step.action, u, step.change, step.photos); err != nil {
			t.Fatalf("task %d %s: %v", id, step.action, err)
		}
	}
}

// publicParams are the values the no-leak test puts in a route's
// parameters; a route with a parameter not listed fails the test (add it).
var publicParams = map[string][]string{":month": {"2023-10", "2023-09"}}

// Every GET route under /public, found on the router (a route added later
// is covered without editing this test), answers without a session and
// shows no supervisor's or user's name, no mobile number, no exact fire
// position and no site that is not a confirmed violation.
func TestPublicRoutesLeakNothing(t *testing.T) {
	w, srv, s, confirmed := publicWorld(t)
	secrets := publicSecrets(t, w, confirmed)
	var seen []string
	bodies := map[string]string{}
	for _, r := range s.RouteList() {
		if r.Method != http.MethodGet || !strings.HasPrefix(r.Path, "/public") {
			continue
		}
		for _, u := range publicURLs(t, r.Path) {
			seen = append(seen, u)
			resp, err := http.Get(srv.URL + u) // no cookie, no token
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
				t.Errorf("GET %s needs a session: %d", u, resp.StatusCode)
			}
			bodies[u] = string(b)
			t.Run(u, func(t *testing.T) { secrets.check(t, string(b)) })
		}
	}
	// The test saw what it should (not a vacuous pass).
	for u, want := range map[string]string{"/public/api/fires?days=30": `"fires":[{`, "/public/api/violations?days=366": confirmed,
		"/public/api/reports": `"2023-10"`, "/public/reports/2023-10": "核实秸秆焚烧清单", "/public/api/counties": "浑源县",
		"/public/api/warning": `"level":"orange"`, "/public/api/passes": `"passes":[{`, "/public/api/ranking": `"counties":[{`,
		"/public/api/reports/" + publicParams[":receipt"][0]: `"state":"accepted"`} {
		if !strings.Contains(bodies[u], want) {
			t.Errorf("GET %s lacks %q: %.300s", u, want, bodies[u])
		}
	}
	if !strings.Contains(bodies["/public/reports/2023-09"], "not public") {
		t.Errorf("an unpublished month's report: %.200s", bodies["/public/reports/2023-09"])
	}
	t.Logf("checked %d URLs: %s", len(seen), strings.Join(seen, " "))
}

// publicURLs are the URLs the test calls for a route: each parameter
// takes each of its values; the API routes also with their longest window.
func publicURLs(t *testing.T, route string) []string {
	urls := []string{route}
	for _, part := range strings.Split(route, "/") {
		if !strings.HasPrefix(part, ":") && part != "*" {
			continue
		}
		vals, ok := publicParams[part]
		if !ok {
			t.Errorf("route %s: no test value for %s: add it to publicParams", route, part)
			return nil
		}
		var next []string
		for _, u := range urls {
			for _, v := range vals {
				next = append(next, strings.Replace(u, part, v, 1))
			}
		}
		urls = next
	}
	if route == "/public/api/fires" {
		urls = append(urls, route+"?days=30")
	}
	if route == "/public/api/violations" {
		urls = append(urls, route+"?days=366")
	}
	return urls
}

// publicLeaks is what no public body may hold.
type publicLeaks struct {
	names []string // supervisors', users', unconfirmed sites'
	// points are the hotspots' and events' positions.
	points [][2]float64
}

var (
	mobileRE = regexp.MustCompile(`(^|\D)1[3-9]\d{9}(\D|$)`)
	numberRE = regexp.MustCompile(`-?\d+\.\d+`)
)

func publicSecrets(t *testing.T, w *world, confirmed string) *publicLeaks {
	t.Helper()
	ctx := context.Background()
	l := &publicLeaks{}
	level := skygrid.LevelGrid
	grids, _, err := w.db.FindRegions(ctx, skygrid.RegionFilter{Level: &level})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range grids {
		if g.Supervisor != nil {
			l.names = append(l.names, g.Supervisor.Name)
		}
	}
	users, err := w.db.FindUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		l.names = append(l.names, u.Name)
	}
	// The emergency list's names and contacts, which the inspection tasks
	// carry (the check is not vacuous: one task has them).
	list, err := w.db.FindEmergencyList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		l.names = append(l.names, e.Name, e.Contact)
	}
	class := skygrid.ClassEmergencyInspection
	if ts, _, err := w.db.FindTasks(ctx, skygrid.TaskFilter{Class: &class}); err != nil || len(ts) == 0 || ts[0].ListedPhone != "13612345678" {
		t.Fatalf("the warning's inspection task with the listed contact: %v %v", ts, err)
	}
	sites, _, err := w.db.FindSites(ctx, skygrid.SiteFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sites {
		if s.Name != confirmed {
			l.names = append(l.names, s.Name)
		}
	}
	hs, _, err := w.db.FindHotspots(ctx, skygrid.HotspotFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		l.points = append(l.points, [2]float64{h.Point[0], h.Point[1]})
	}
	evs, _, err := w.db.FindEvents(ctx, skygrid.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		l.points = append(l.points, [2]float64{e.Point[0], e.Point[1]})
	}
	if len(l.points) < 100 || len(l.names) < 100 {
		t.Fatalf("too little to check: %d points, %d names", len(l.points), len(l.names))
	}
	return l
}

// check fails on a name, a mobile number, or a coordinate finer than the
// public cells (more than two decimals) within its precision of a fire's
// (a lon and a lat next to each other, or one alone with four decimals).
func (l *publicLeaks) check(t *testing.T, body string) {
	for _, n := range l.names {
		if strings.Contains(body, n) {
			t.Errorf("shows the name %q", n)
		}
	}
	if m := mobileRE.FindString(body); m != "" {
		t.Errorf("shows a mobile number %q", m)
	}
	nums := numberRE.FindAllString(body, -1)
	for i, s := range nums {
		d := len(s) - strings.IndexByte(s, '.') - 1
		if d <= 2 {
			continue
		}
		v, _ := strconv.ParseFloat(s, 64)
		tol := math.Pow10(-d)
		for _, p := range l.points {
			alone := d >= 4 && (math.Abs(v-p[0]) < tol || math.Abs(v-p[1]) < tol)
			pair := i+1 < len(nums) && math.Abs(v-p[0]) < tol && publicNear(nums[i+1], p[1])
			if alone || pair {
				t.Errorf("shows a fire's position: %s (fire at %.5f, %.5f)", s, p[0], p[1])
				return
			}
		}
	}
}

func publicNear(s string, v float64) bool {
	f, err := strconv.ParseFloat(s, 64)
	d := len(s) - strings.IndexByte(s, '.') - 1
	return err == nil && d > 2 && math.Abs(f-v) < math.Pow10(-d)
}

// Admins and auditors mark a month public and take it off; officials and
// supervisors may not; a bad month names the field; each change is one
// audit line with the user's name.
func TestPublishReportAPI(t *testing.T) {
	w, srv, _, _ := publicWorld(t)
	w.srv = srv // the world's users, on the server with the public service
	for _, tt := range []struct {
		name, user string
		body       api.PublishRequest
		want       int
	}{
		{"an official may not", "officialA", api.PublishRequest{Month: "2023-09", Public: true}, http.StatusForbidden},
		{"a supervisor may not", "supervisorA", api.PublishRequest{Month: "2023-09", Public: true}, http.StatusForbidden},
		{"no session", "", api.PublishRequest{Month: "2023-09", Public: true}, http.StatusUnauthorized},
		{"a bad month", "admin", api.PublishRequest{Month: "2023-9x", Public: true}, http.StatusBadRequest},
		{"an auditor publishes", "auditor", api.PublishRequest{Month: "2023-09", Public: true}, http.StatusOK},
		{"again: a conflict", "admin", api.PublishRequest{Month: "2023-09", Public: true}, http.StatusConflict},
		{"an admin takes it off", "admin", api.PublishRequest{Month: "2023-10", Public: false}, http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var e errorBody
			if got := w.do(t, tt.user, "POST", "/api/reports/monthly/publish", tt.body, &e); got != tt.want {
				t.Errorf("status %d, want %d (%s)", got, tt.want, e.Error.Message)
			}
			if tt.name == "a bad month" && !strings.Contains(e.Error.Message, "month") {
				t.Errorf("the error does not name the field: %q", e.Error.Message)
			}
		})
	}
	var list struct{ Reports []skygrid.PublishedReport }
	w.do(t, "", "GET", "/public/api/reports", nil, &list)
	if len(list.Reports) != 1 || list.Reports[0].Month != "2023-09" {
		t.Errorf("published: %+v, want 2023-09 only", list.Reports)
	}
	if code := w.do(t, "", "GET", "/public/reports/2023-10", nil, nil); code != http.StatusNotFound {
		t.Errorf("the report taken off answers %d, want 404", code)
	}
	audit, err := w.db.FindAuditLog(context.Background(), skygrid.AuditFilter{Entity: "report"})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, a := range audit {
		lines = append(lines, a.Actor+" "+a.Action+" "+a.EntityID)
	}
	want := "admin report.unpublish 2023-10,auditor report.publish 2023-09,cli report.publish 2023-10"
	if strings.Join(lines, ",") != want {
		t.Errorf("audit lines %q, want %q", strings.Join(lines, ","), want)
	}
}

// The public data routes are compressed for a client that takes gzip
// (phones on slow networks), and still read as JSON.
func TestPublicAnswersCompressed(t *testing.T) {
	_, srv, _, _ := publicWorld(t)
	for _, u := range []string{"/public/api/fires?days=30", "/public/api/counties", "/public/reports/2023-10"} {
		t.Run(u, func(t *testing.T) {
			rq, _ := http.NewRequest("GET", srv.URL+u, nil)
			rq.Header.Set("Accept-Encoding", "gzip")
			resp, err := http.DefaultTransport.RoundTrip(rq)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
				t.Errorf("status %d, encoding %q: want 200 gzip", resp.StatusCode, resp.Header.Get("Content-Encoding"))
			}
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(zr)
			if err != nil || len(b) < 1024 {
				t.Errorf("%d bytes after gunzip: %v", len(b), err)
			}
		})
	}
}
