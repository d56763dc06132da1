package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"skygrid"
	"skygrid/data"
	"skygrid/internal/storetest"
	"skygrid/store"

	"github.com/xuri/excelize/v2"
)

// testMain returns a Main writing to buffers, with SKYGRID_* unset.
func testMain() (*Main, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, Now: time.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Offline: true}
	return m, &out, &errb
}

// The end-to-end test: the real program's Main runs the demo on port 0,
// and the API shows the October events.
func TestDemoServesOctoberEvents(t *testing.T) {
	m, out, _ := testMain()
	ready := make(chan string, 1)
	m.Ready = func(url string) { ready <- url }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, []string{"demo", "--addr", "127.0.0.1:0"}) }()
	var url string
	select {
	case url = <-ready:
	case err := <-done:
		t.Fatalf("demo ended: %v\n%s", err, out)
	case <-time.After(60 * time.Second):
		t.Fatal("demo did not start")
	}
	// Log in as the demo auditor (city-wide) with a cookie session.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	login, err := client.Post(url+"/api/login", "application/json", strings.NewReader(`{"name":"nongye","password":"`+DemoPassword+`"}`))
	if err != nil || login.StatusCode != 200 {
		t.Fatalf("demo login: %v %v", err, login)
	}
	login.Body.Close()
	resp, err := client.Get(url + "/api/events?since=2023-10-01&until=2023-11-01&limit=2000")
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Total    int `json:"total"`
		Features []struct {
			Props struct {
				FirstSeen time.Time `json:"first_seen"`
				Class     string    `json:"class"`
				Task      *struct {
					SupervisorName string `json:"supervisor_name"`
				} `json:"task"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if body.Total < 100 || len(body.Features) != body.Total {
		t.Fatalf("%d events (%d features)", body.Total, len(body.Features))
	}
	withTask := 0
	for _, f := range body.Features {
		if f.Props.FirstSeen.Year() != 2023 || f.Props.FirstSeen.Month() != 10 {
			t.Errorf("event first seen %s", f.Props.FirstSeen)
		}
		if f.Props.Task != nil && strings.HasPrefix(f.Props.Task.SupervisorName, "示例网格员") {
			withTask++
		}
	}
	if withTask == 0 {
		t.Error("no event has a task for a demo supervisor")
	}
	checkDemoMonitors(t, client, url)
	checkDemoEmergencyList(t, client, url)
	// The ready line says what to open and whom to log in as.
	if !regexp.MustCompile(`(?m)^skygrid listening on (http://127\.0\.0\.1:\d+): open http://127\.0\.0\.1:\d+ in a browser and log in as ` +
		`wangge \(grid supervisor of 浑源县 下韩村乡 9行7列\), hunyuan \(official of 浑源县\), nongye \(auditor\) or admin \(administrator\), password skygrid-demo$`).MatchString(out.String()) {
		t.Errorf("the ready line does not say what to open and whom to log in as:\n%s", out)
	}
	for _, want := range []string{"10 counties", "generated 3 km cells", "30 NASA FIRMS NOAA-20 VIIRS files", "skygrid listening on http://127.0.0.1:",
		"emergency list (示例, invented for the demo): 102 rows, 96 matched to the demo sites, 6 unmatched; no warning issued",
		`users (demo, password "skygrid-demo"): admin (管理员), nongye (审核（农业/生态部门）), hunyuan (区县/乡镇干部 140225), wangge (网格员 140225-`,
		"and 浑源县 下韩村乡's official: xiahancun (区县/乡镇干部 140225206)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// checkDemoEmergencyList: the demo's invented emergency list is there for
// the warnings page (every demo site matched, the two invented plants
// not), and no warning is issued.
func checkDemoEmergencyList(t *testing.T, client *http.Client, url string) {
	t.Helper()
	var list struct {
		Entries []struct {
			Name      string `json:"name"`
			Unmatched bool   `json:"unmatched"`
		} `json:"entries"`
		Unmatched int `json:"unmatched"`
	}
	var ws struct {
		Warnings []any `json:"warnings"`
	}
	for _, q := range []struct {
		path string
		v    any
	}{{"/api/emergency-list", &list}, {"/api/warnings", &ws}} {
		resp, err := client.Get(url + q.path)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v", q.path, err, resp)
		}
		err = json.NewDecoder(resp.Body).Decode(q.v)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(list.Entries) != 102 || list.Unmatched != 6 || len(ws.Warnings) != 0 {
		t.Errorf("demo emergency list: %d rows, %d unmatched; %d warnings", len(list.Entries), list.Unmatched, len(ws.Warnings))
	}
	for _, e := range list.Entries {
		if !strings.HasPrefix(e.Name, "示例") || e.Unmatched != strings.Contains(e.Name, "未入台账") {
			t.Errorf("demo list row %+v", e)
		}
	}
}

// writeEmbedded copies embedded files to dir and returns their paths.
func writeEmbedded(t *testing.T, dir string, names ...string) []string {
	t.Helper()
	out, err := embeddedFiles(dir, names...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// embeddedFiles writes the embedded data files named into dir and
// returns their paths.
func embeddedFiles(dir string, names ...string) ([]string, error) {
	var out []string
	for _, name := range names {
		b, err := fs.ReadFile(data.FS, name)
		if err != nil {
			return nil, err
		}
		p := filepath.Join(dir, path.Base(name))
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func run(t *testing.T, db string, args ...string) (string, error) {
	t.Helper()
	m, out, errb := testMain()
	err := m.Run(context.Background(), append(args, "--db", db))
	return out.String() + errb.String(), err
}

func TestCLIWorkflow(t *testing.T) {
	dir := t.TempDir()
	db := storetest.DSN(t, "cli.db")
	files := writeEmbedded(t, dir, data.Districts, data.PowerPlantsWRI)
	firmsDir := filepath.Join(dir, "firms")
	os.Mkdir(firmsDir, 0o755)
	names, _ := fs.Glob(data.FS, data.FIRMSOctober+"/*.csv")
	writeEmbedded(t, firmsDir, names...)

	out, err := run(t, db, "import", "regions", files[0], "--level", "county", "--crs", "cgcs2000")
	if err != nil || !strings.Contains(out, "imported 10 county regions") {
		t.Fatalf("%v\n%s", err, out)
	}
	out, err = run(t, db, "grid", "generate", "--cell", "3km")
	if err != nil || !strings.Contains(out, "grid cells of 3km in 10 counties") {
		t.Fatalf("%v\n%s", err, out)
	}
	sup := filepath.Join(dir, "sup.csv")
	os.WriteFile(sup, []byte("grid_id,name,phone\n140225-006-009,测试网格员,100-0000-0001\n"), 0o644)
	if out, err = run(t, db, "import", "supervisors", sup); err != nil || !strings.Contains(out, "assigned 1 supervisors") {
		t.Fatalf("%v\n%s", err, out)
	}
	if out, err = run(t, db, "import", "heat-sources", files[1]); err != nil || !strings.Contains(out, "170 heat sources") {
		t.Fatalf("%v\n%s", err, out)
	}
	// October back-filled on 1 November, with max_age at 30 days so
	// that its fires are dispatched (at the default 24 h they would be
	// history: no task).
	out, err = runAt(t, time.Date(2023, 11, 1, 4, 0, 0, 0, time.UTC), db, "ingest", firmsDir, "--set", "dispatch.max_age=720h")
	if err != nil || !strings.Contains(out, "2023-10-24.csv (firms-viirs, batch") || !strings.Contains(out, "total: 30 files (0 refused), 4943 rows, 870 new, 724 duplicates, 0 rejected, 3349 outside") {
		t.Fatalf("%v\n%s", err, out)
	}
	// Again: nothing new.
	if out, err = run(t, db, "ingest", firmsDir); err != nil || !strings.Contains(out, "0 new, 1594 duplicates") {
		t.Fatalf("%v\n%s", err, out)
	}
	out, err = run(t, db, "events", "--county", "140225", "--format", "json")
	var ev struct {
		Events []struct {
			CountyID string `json:"county_id"`
		} `json:"events"`
		Total int `json:"total"`
	}
	if err != nil || json.Unmarshal([]byte(out), &ev) != nil || ev.Total == 0 || ev.Events[0].CountyID != "140225" {
		t.Fatalf("events json: %v\n%.300s", err, out)
	}
	out, err = run(t, db, "tasks", "--grid", "140225-006-009", "--format", "csv")
	if err != nil || !strings.HasPrefix(out, "id,event,class,类别,county,grid,supervisor,state") || !strings.Contains(out, "测试网格员") {
		t.Fatalf("%v\n%s", err, out)
	}
	if out, err = run(t, db, "events", "--class", "straw", "--format", "table"); err == nil || !strings.Contains(err.Error(), "unknown class") {
		t.Errorf("bad class accepted: %v %s", err, out)
	}
	reportFormats(t, db, dir)
}

// reportFormats runs skygrid report in each of its formats on October
// 2023 (users' scripts call it; the README lists these five).
func reportFormats(t *testing.T, db, dir string) {
	t.Helper()
	want := map[string]*regexp.Regexp{
		"table":   regexp.MustCompile(`(?s)^2023年10月 .*140225 浑源县 +367 +179 .*合计 +751 +396 `),
		"ranking": regexp.MustCompile(`(?m)^1 +浑源县 .*未核实任务 179 件.*\n2 +阳高县 `),
		"csv":     regexp.MustCompile("(?s)^\ufeff区域编码,区域名称,火情所含火点,火情,.*\n140225,浑源县,367,179,"),
	}
	for f, re := range want {
		if out, err := run(t, db, "report", "--period", "2023-10", "--format", f); err != nil || !re.MatchString(out) {
			t.Errorf("report --format %s: %v\n%s", f, err, out)
		}
	}
	xlsx, html := filepath.Join(dir, "2023-10.xlsx"), filepath.Join(dir, "2023-10.html")
	for _, file := range []string{xlsx, html} {
		f := strings.TrimPrefix(filepath.Ext(file), ".")
		if out, err := run(t, db, "report", "--period", "2023-10", "--format", f, "--out", file); err != nil || !strings.HasPrefix(out, file+": 2023年10月 (") {
			t.Errorf("report --format %s --out: %v\n%s", f, err, out)
		}
	}
	book, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	if sheets := book.GetSheetList(); len(sheets) < 2 || sheets[0] != "统计汇总" || sheets[1] != "事件明细" {
		t.Errorf("the workbook's sheets: %q", sheets)
	}
	if page, err := os.ReadFile(html); err != nil || !bytes.Contains(page, []byte("<html")) || !bytes.Contains(page, []byte("浑源县")) {
		t.Errorf("the monthly report: %v\n%.300s", err, page)
	}
	for f, refusal := range map[string]string{"xlsx": "--format xlsx needs --out FILE.xlsx", "pdf": `--format "pdf": want table, csv, xlsx, ranking or html`} {
		if out, err := run(t, db, "report", "--period", "2023-10", "--format", f); err == nil || !strings.Contains(err.Error(), refusal) {
			t.Errorf("report --format %s (no --out): %v %s", f, err, out)
		}
	}
}

func TestImportRefusesBadGeometryAndKeepsWhatIsStored(t *testing.T) {
	dir := t.TempDir()
	db := storetest.DSN(t, "bad.db")
	files := writeEmbedded(t, dir, data.Districts)
	if _, err := run(t, db, "import", "regions", files[0], "--level", "county"); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.geojson")
	os.WriteFile(bad, []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"g1","parent_id":"140225"},"geometry":{"type":"Polygon","coordinates":[[[113.7,39.7],[113.71,39.7],[113.71,39.71],[113.7,39.7]]]}},
{"type":"Feature","properties":{"id":"g2","parent_id":"140225"},"geometry":{"type":"Polygon","coordinates":[[[113.7,39.7],[113.71,39.7],[113.71,39.71],[113.7,39.71]]]}},
{"type":"Feature","properties":{"id":"g3","parent_id":"140225"},"geometry":{"type":"Polygon","coordinates":[[[313.7,39.7],[113.71,39.7],[113.71,39.71],[313.7,39.7]]]}}]}`), 0o644)
	_, err := run(t, db, "import", "regions", bad, "--level", "grid")
	if err == nil || !strings.Contains(errorText(err), "feature 1: outer ring is not closed") || !strings.Contains(errorText(err), "feature 2: outer ring, point 0: coordinates out of range") ||
		!strings.Contains(errorText(err), "nothing stored") {
		t.Fatalf("got %v", err)
	}
	// The counties are still there and no grid of the bad file is.
	out, err := run(t, db, "grid", "generate", "--cell", "50km")
	if err != nil || !strings.Contains(out, "in 10 counties") {
		t.Errorf("the counties were lost: %v %s", err, out)
	}
	if out, err := run(t, db, "tasks", "--grid", "g1"); err != nil || !strings.Contains(out, "0 of 0 tasks") {
		t.Errorf("%v %s", err, out)
	}
}

// --db defaults to skygrid.db in the working directory, or $SKYGRID_DB.
func TestDatabaseLocation(t *testing.T) {
	dir := t.TempDir()
	files := writeEmbedded(t, dir, data.Districts)
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	m, _, _ := testMain()
	if err := m.Run(context.Background(), []string{"import", "regions", files[0], "--level", "county"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "skygrid.db")); err != nil {
		t.Errorf("no skygrid.db in the working directory: %v", err)
	}
	env := storetest.DSN(t, "from-env.db")
	m, _, _ = testMain()
	m.Getenv = func(k string) string {
		if k == "SKYGRID_DB" {
			return env
		}
		return ""
	}
	if err := m.Run(context.Background(), []string{"import", "regions", files[0], "--level", "county"}); err != nil {
		t.Fatal(err)
	}
	// The counties are in $SKYGRID_DB's database (a file or PostgreSQL).
	if out, err := run(t, env, "grid", "generate", "--cell", "50km"); err != nil || !strings.Contains(out, "in 10 counties") {
		t.Errorf("SKYGRID_DB not used: %v %s", err, out)
	}
}

func TestImportSites(t *testing.T) {
	dir := t.TempDir()
	db := storetest.DSN(t, "sites.db")
	csvFile := filepath.Join(dir, "工地.csv")
	// An invented registry in a county's own column names: area column
	// for point sites, video as 是/否, the id under 项目编号 (mapped).
	os.WriteFile(csvFile, []byte("项目编号,名称,占地面积,是否视频,平台,经度,纬度\n"+
		"X1,测试工地甲,12000,否,,113.30,40.08\n"+
		"X2,测试工地乙,3000,否,,113.31,40.08\n"+
		"X3,测试工地丙,8000,是,DT-1,113.32,40.08\n"), 0o644)
	out, err := run(t, db, "import", "sites", csvFile, "--kind", "construction", "--id-prop", "项目编号",
		"--prop", "video=是否视频", "--prop", "platform_id=平台")
	if err != nil || !strings.Contains(out, "imported 3 construction sites (3 new), 1 breaking a rule") ||
		!strings.Contains(out, "X1 测试工地甲 12000 m² 违规: 5,000 m² 以上工地未安装视频监控") {
		t.Fatalf("%v\n%s", err, out)
	}
	// A bad file is refused whole with line and field; what is stored stays.
	os.WriteFile(csvFile, []byte("项目编号,名称,占地面积,是否视频,经度,纬度\nX1,甲,12000,也许,113.30,40.08\n"), 0o644)
	_, err = run(t, db, "import", "sites", csvFile, "--kind", "construction", "--id-prop", "项目编号", "--prop", "video=是否视频")
	if err == nil || !strings.Contains(errorText(err), "工地.csv: line 2: field 是否视频: \"也许\": want yes or no") {
		t.Fatalf("got %v", err)
	}
	if _, err = run(t, db, "import", "sites", csvFile, "--kind", "dump"); err == nil || !strings.Contains(errorText(err), `unknown kind "dump"`) {
		t.Errorf("bad kind: %v", err)
	}
	if _, err = run(t, db, "import", "sites", csvFile, "--kind", "construction", "--prop", "colour=x"); err == nil || !strings.Contains(errorText(err), "--prop colour: unknown attribute") {
		t.Errorf("bad --prop: %v", err)
	}
	d := store.NewDB(db)
	if err := d.Open(); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	yes := true
	ss, n, err := d.FindSites(context.Background(), skygrid.SiteFilter{Violation: &yes})
	if err != nil || n != 1 || ss[0].ExternalID != "X1" || ss[0].Attrs["video"] != "no" {
		t.Errorf("violating sites after the refused import: %d %v", n, err)
	}
}

// skygrid serve's HTTP flags reach the server: --secure-cookies marks the
// session cookie Secure, --public-url starts TileJSON's tile URLs (a
// forged Host header is not echoed), every answer has the security
// headers, and the [server] keys set the per-address limits.
func TestServeHTTPFlags(t *testing.T) {
	dir := t.TempDir()
	db := storetest.DSN(t, "s.db")
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("admin password\n"), 0o600)
	if out, err := run(t, db, "user", "add", "--name", "root", "--role", "admin", "--password-file", pw); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	url, _, stop := startMain(t, time.Now(), "serve", "--db", db, "--data", dataDir(t, db), "--secure-cookies", "--public-url", "https://skygrid.example.gov.cn",
		"--set", "server.login_burst=1", "--set", "server.login_rate=0.01")
	defer stop()
	login := func() *http.Response {
		resp, err := http.Post(url+"/api/login", "application/json", strings.NewReader(`{"name":"root","password":"admin password"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := login()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Set-Cookie"), "; Secure") {
		t.Errorf("login: %d, Set-Cookie %q; want a Secure cookie", resp.StatusCode, resp.Header.Get("Set-Cookie"))
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("login answer without the security headers: %v", resp.Header)
	}
	if resp := login(); resp.StatusCode != 429 {
		t.Errorf("a second login with server.login_burst=1: %d, want 429", resp.StatusCode)
	}
	token := strings.TrimSpace(must(run(t, db, "token", "create", "--user", "root", "--name", "t")))
	rq, _ := http.NewRequest("GET", url+"/tiles/hotspots.json", nil)
	rq.Host = "evil.example"
	rq.Header.Set("Authorization", "Bearer "+token)
	tj, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(tj.Body)
	tj.Body.Close()
	if !strings.Contains(string(b), `"https://skygrid.example.gov.cn/tiles/hotspots/{z}/{x}/{y}.png"`) || strings.Contains(string(b), "evil") {
		t.Errorf("TileJSON: %s", b)
	}
}

func must(s string, err error) string {
	if err != nil {
		panic(err)
	}
	return s
}

// dataDirs are the --data folders of the tests' PostgreSQL databases.
var dataDirs sync.Map

// dataDir is the --data the tests give serve for db: DB.data beside a
// SQLite file (serve's default), a temp folder for a PostgreSQL database
// (whose default, NAME.data in the working directory, would land in the
// source tree).
func dataDir(tb testing.TB, db string) string {
	if !store.IsPostgres(db) {
		return db + ".data"
	}
	d, _ := dataDirs.LoadOrStore(db, tb.TempDir())
	return d.(string)
}
