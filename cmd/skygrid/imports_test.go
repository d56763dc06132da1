package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"skygrid"
	"skygrid/data"
	"skygrid/internal/storetest"
)

// upload posts a file to /api/imports/KIND with form fields, as a user's
// token, and returns the status and the decoded answer.
func upload(t *testing.T, base, tok, kind, file string, fields ...string) (int, map[string]any) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	if file != "" {
		w, _ := mw.CreateFormFile("file", filepath.Base(file))
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	mw.Close()
	rq, _ := http.NewRequest("POST", base+"/api/imports/"+kind, &body)
	rq.Header.Set("Content-Type", mw.FormDataContentType())
	rq.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("POST %s: %v: %.300s", kind, err, b)
	}
	return resp.StatusCode, v
}

// The admin page's uploads run the CLI's imports: the same file gives the
// same summary, or the same refusal naming file, line and field, and a
// refused file stores nothing. Two databases start alike: the CLI writes
// one, the web the other.
func TestUploadsMatchTheCLI(t *testing.T) {
	u := newUploads(t)
	// In order: each step's file may need what the ones before stored.
	for _, s := range u.steps(t) {
		t.Run(s.what, func(t *testing.T) { u.compare(t, s) })
	}
	// What the refused files would have stored is not there; what was
	// stored before them is.
	t.Run("refused files stored nothing", func(t *testing.T) {
		var sites struct{ Total int }
		getJSON(t, u.url+"/api/sites?kind=construction", &sites)
		if sites.Total != 3 {
			t.Errorf("construction sites after the refused file: %d, want 3", sites.Total)
		}
		for id, want := range map[string]int{"g1": 404, "140225-T1": 200} {
			resp, err := authGet(u.url + "/api/regions/" + id)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("region %s: %d, want %d", id, resp.StatusCode, want)
			}
		}
	})
	// The audit log names the admin who uploaded.
	t.Run("audit names the admin", func(t *testing.T) {
		var audit struct{ Entries []skygrid.AuditEntry }
		getJSON(t, u.url+"/api/audit?actor=root", &audit)
		actions := map[string]bool{}
		for _, e := range audit.Entries {
			actions[e.Action] = true
		}
		for _, a := range []string{"regions.import", "supervisors.import", "sites.import", "ingest", "emergency_list.import"} {
			if !actions[a] {
				t.Errorf("no %s by root in the audit log: %v", a, actions)
			}
		}
	})
	t.Run("only admins, a file, known kinds", u.refusedUploads)
}

// uploads is the two databases, the CLI's and the web's, the files the
// test writes and the web server over the web's database.
type uploads struct {
	in, cliDB, url string
	official       string // an official's token
	files          []string
}

func newUploads(t *testing.T) *uploads {
	t.Helper()
	dir := t.TempDir()
	u := &uploads{in: filepath.Join(dir, "in"), cliDB: storetest.DSN(t, "cli.db")}
	os.Mkdir(u.in, 0o755)
	u.files = writeEmbedded(t, u.in, data.Districts, data.PowerPlantsWRI, data.FIRMSOctober+"/2023-10-24.csv")
	webDB := storetest.DSN(t, "web.db")
	for _, db := range []string{u.cliDB, webDB} {
		if out, err := run(t, db, "import", "regions", u.files[0], "--level", "county", "--crs", "cgcs2000"); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	}
	token = addAdmin(t, webDB)
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("official password\n"), 0o600)
	if out, err := run(t, webDB, "user", "add", "--name", "hunyuan", "--role", "official", "--region", "140225", "--password-file", pw); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	official, err := run(t, webDB, "token", "create", "--user", "hunyuan", "--name", "test")
	if err != nil {
		t.Fatal(err)
	}
	u.official = strings.TrimSpace(official)
	u.url = startServe(t, webDB)
	return u
}

// write writes a file for the test in the input folder.
func (u *uploads) write(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(u.in, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// same drops the input folder: the CLI names files by the path given;
// the web by the upload's name.
func (u *uploads) same(s string) string {
	return strings.ReplaceAll(s, u.in+string(os.PathSeparator), "")
}

// uploadStep is one file imported by the CLI and uploaded.
type uploadStep struct {
	what    string
	kind    string
	file    string
	cli     []string
	fields  []string
	refused string // a part of the refusal; "" when it is stored
	stored  string // a part of the summary
}

func (u *uploads) steps(t *testing.T) []uploadStep {
	write := func(name, text string) string { return u.write(t, name, text) }
	files := u.files
	return []uploadStep{
		{what: "grids with two bad features", kind: "regions",
			file: write("bad-grids.geojson", `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"g1","parent_id":"140225"},"geometry":{"type":"Polygon","coordinates":[[[113.7,39.7],[113.71,39.7],[113.71,39.71],[113.7,39.7]]]}},
{"type":"Feature","properties":{"id":"g2","parent_id":"140225"},"geometry":{"type":"Polygon","coordinates":[[[113.7,39.7],[113.71,39.7],[113.71,39.71],[113.7,39.71]]]}},
{"type":"Feature","properties":{"id":"g3","parent_id":"140225"},"geometry":{"type":"Polygon","coordinates":[[[313.7,39.7],[113.71,39.7],[113.71,39.71],[313.7,39.7]]]}}]}`),
			cli: []string{"--level", "grid"}, fields: []string{"level", "grid"}, refused: "feature 2: outer ring, point 0: coordinates out of range"},
		{what: "a grid", kind: "regions",
			file: write("grid.geojson", `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"140225-T1","name":"测试网格","parent_id":"140225"},"geometry":{"type":"Polygon","coordinates":[[[113.7,39.7],[113.71,39.7],[113.71,39.71],[113.7,39.71],[113.7,39.7]]]}}]}`),
			cli: []string{"--level", "grid"}, fields: []string{"level", "grid"}, stored: "imported 1 grid regions"},
		{what: "a supervisor of an unknown grid", kind: "supervisors", file: write("sup-bad.csv", "grid_id,name,phone\n140225-T1,张三,1\nnope,李四,2\n"),
			refused: "nope"},
		{what: "a supervisor", kind: "supervisors", file: write("sup.csv", "grid_id,name,phone\n140225-T1,张三,100\n"), stored: "assigned 1 supervisors"},
		{what: "construction sites in a county's own columns", kind: "sites",
			file:   write("工地.csv", "项目编号,名称,占地面积,是否视频,平台,经度,纬度\nX1,测试工地甲,12000,否,,113.30,40.08\nX2,测试工地乙,3000,否,,113.31,40.08\nX3,测试工地丙,8000,是,DT-1,113.32,40.08\n"),
			cli:    []string{"--kind", "construction", "--id-prop", "项目编号", "--prop", "video=是否视频", "--prop", "platform_id=平台"},
			fields: []string{"site_kind", "construction", "id_prop", "项目编号", "prop", "video=是否视频", "prop", "platform_id=平台"},
			stored: "X1 测试工地甲 12000 m² 违规: 5,000 m² 以上工地未安装视频监控"},
		{what: "construction sites with two bad rows", kind: "sites",
			file:    write("工地2.csv", "项目编号,名称,占地面积,是否视频,经度,纬度\nX1,甲,12000,也许,113.30,40.08\nX2,乙,12000,否,东经113,40.08\nX4,丁,12000,否,113.3,40.1\n"),
			cli:     []string{"--kind", "construction", "--id-prop", "项目编号", "--prop", "video=是否视频"},
			fields:  []string{"site_kind", "construction", "id_prop", "项目编号", "prop", "video=是否视频"},
			refused: "工地2.csv: line 2: field 是否视频: \"也许\": want yes or no"},
		{what: "an emergency list", kind: "emergency", file: write("清单.csv", "名称,编号,区县,预警级别,减排措施\n测试工地甲,X1,,橙色,停止土石方作业；物料堆场覆盖\n测试搅拌站,,浑源县,橙色,限产30%\n"),
			stored: "emergency list of 2 rows, 1 matched to registry sites, 1 unmatched"},
		{what: "an emergency list with a bad row", kind: "emergency", file: write("清单2.csv", "名称,区县,预警级别,减排措施\n测试工地甲,浑源县,紫色,停产\n"),
			refused: "清单2.csv: line 2: field 预警级别 (level)"},
		{what: "the power plant database", kind: "heat-sources", file: files[1], stored: "170 heat sources"},
		{what: "a heat source file without a header", kind: "heat-sources", file: write("empty.csv", ""), refused: "empty.csv"},
		{what: "a FIRMS file", kind: "fires", file: files[2], stored: "2023-10-24.csv (firms-viirs, batch"},
		{what: "a FIRMS file with bad rows", kind: "fires", file: write("bad-firms.csv",
			"latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight\n"+
				"39.7,113.70,330.1,0.4,0.4,2023-10-25,0512,N20,VIIRS,n,2.0NRT,290.1,3.2,D\n"+
				"北纬,113.70,330.1,0.4,0.4,2023-10-25,0512,N20,VIIRS,n,2.0NRT,290.1,3.2,D\n"+
				"39.7,113.70,330.1,0.4,0.4,2023-13-25,0512,N20,VIIRS,n,2.0NRT,290.1,3.2,D\n"),
			stored: "rejected: bad-firms.csv:3: field latitude"},
		{what: "a text file as fires", kind: "fires", file: write("notes.txt", "hello\n"), refused: "notes.txt"},
	}
}

// compare imports one step's file by the CLI and by upload, and compares
// the refusals or the summaries.
func (u *uploads) compare(t *testing.T, s uploadStep) {
	args := []string{"import", s.kind, s.file}
	if s.kind == "fires" {
		args = []string{"ingest", s.file}
	}
	cliOut, cliErr := run(t, u.cliDB, append(args, s.cli...)...)
	status, ans := upload(t, u.url, token, s.kind, s.file, s.fields...)
	if s.refused != "" {
		msg, _ := ans["error"].(map[string]any)["message"].(string)
		if cliErr == nil || status != http.StatusBadRequest {
			t.Fatalf("%s: CLI %v, web %d; want both refused", s.what, cliErr, status)
		}
		want := u.same(errorText(cliErr))
		if s.kind == "fires" {
			// ingest goes on with the next file and says why it refused one.
			_, want, _ = strings.Cut(strings.TrimSpace(u.same(cliOut)), ": REFUSED: ")
		}
		if msg != want || !strings.Contains(msg, s.refused) {
			t.Errorf("%s: the web's refusal differs from the CLI's or lacks %q:\nweb: %s\ncli: %s", s.what, s.refused, msg, want)
		}
		return
	}
	text, _ := ans["text"].(string)
	if cliErr != nil || status != http.StatusOK {
		t.Fatalf("%s: CLI %v, web %d %v; want both stored", s.what, cliErr, status, ans)
	}
	// The CLI may add notes on stderr; the summary is what both print.
	if want := u.same(cliOut); !strings.HasPrefix(want, text) && text != want || !strings.Contains(text, s.stored) {
		t.Errorf("%s: the web's summary differs from the CLI's or lacks %q:\nweb: %s\ncli: %s", s.what, s.stored, text, want)
	}
}

// refusedUploads: only admins; a file is needed; the kinds are known.
func (u *uploads) refusedUploads(t *testing.T) {
	url, files := u.url, u.files
	if st, _ := upload(t, url, u.official, "sites", files[1], "site_kind", "industrial"); st != http.StatusForbidden {
		t.Errorf("an official's upload: %d, want 403", st)
	}
	if st, ans := upload(t, url, token, "sites", "", "site_kind", "construction"); st != http.StatusBadRequest || !strings.Contains(fmt.Sprint(ans), "no file") {
		t.Errorf("no file: %d %v", st, ans)
	}
	if st, _ := upload(t, url, token, "dumps", files[1]); st != http.StatusNotFound {
		t.Errorf("unknown kind: %d, want 404", st)
	}
	if st, ans := upload(t, url, token, "sites", files[1], "site_kind", "industrial", "prop", "nonsense"); st != http.StatusBadRequest || !strings.Contains(fmt.Sprint(ans), "want attribute=property") {
		t.Errorf("bad prop: %d %v", st, ans)
	}
}

// getJSON decodes a GET with the test's token.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := authGet(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// import regions --neighbour keeps a neighbouring city's counties apart:
// they name where cross-border fires burn and are not the city's.
func TestImportNeighbours(t *testing.T) {
	dir := t.TempDir()
	db := storetest.DSN(t, "n.db")
	files := writeEmbedded(t, dir, data.Districts)
	if _, err := run(t, db, "import", "regions", files[0], "--level", "county", "--crs", "cgcs2000"); err != nil {
		t.Fatal(err)
	}
	nb := filepath.Join(dir, "nb.geojson")
	os.WriteFile(nb, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"adcode":"140924","name":"繁峙县"},
"geometry":{"type":"Polygon","coordinates":[[[113.2,39.1],[113.6,39.1],[113.6,39.3],[113.2,39.3],[113.2,39.1]]]}}]}`), 0o644)
	out, err := run(t, db, "import", "regions", nb, "--level", "county", "--neighbour")
	if err != nil || !strings.Contains(out, "imported 1 neighbouring counties") || !strings.Contains(out, "140924 繁峙县 (neighbour)") {
		t.Fatalf("%v\n%s", err, out)
	}
	if out, err := run(t, db, "import", "regions", nb, "--level", "grid", "--neighbour"); err == nil {
		t.Errorf("neighbouring grids accepted:\n%s", out)
	}
	// Grids are generated for the city's ten counties only.
	if out, err := run(t, db, "grid", "generate", "--cell", "10km"); err != nil || !strings.Contains(out, "in 10 counties") {
		t.Errorf("%v\n%s", err, out)
	}
}
