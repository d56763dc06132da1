package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"skygrid/internal/pgtest"
	"skygrid/internal/storetest"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// Several servers on one PostgreSQL database (issue 17): the demo's
// SQLite database moved with skygrid migrate sqlite-to-postgres, then
// three skygrid serve processes on it.

// clusterJobs are the scheduled jobs a demo-less serve runs (no FIRMS
// key: no pull).
var clusterJobs = []string{"clock", "notify", "photo-sweep", "prune-readings", "tle-feed", "video-probe"}

// startHTTPServe starts `skygrid serve` with args and waits for its ready
// line; p.addr is its URL.
func startHTTPServe(tb testing.TB, args ...string) *serveProc {
	tb.Helper()
	p := &serveProc{cmd: exec.Command(skygridBinary(tb), append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...), done: make(chan error, 1)}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	p.cmd.Stderr = &lockedWriter{p}
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "skygrid listening on "); ok {
				url, _, _ := strings.Cut(rest, ": open")
				ready <- url
			}
		}
		p.done <- p.cmd.Wait()
	}()
	select {
	case p.addr = <-ready:
	case err := <-p.done:
		tb.Fatalf("skygrid serve ended before listening: %v\n%s", err, p.log())
	case <-time.After(90 * time.Second):
		tb.Fatalf("skygrid serve not listening after 90 s\n%s", p.log())
	}
	return p
}

// holders are, for each job, the servers whose log says they took its
// lock and have not lost it (a killed server is left out by the caller).
func holders(servers []*serveProc) map[string][]int {
	took := regexp.MustCompile(`msg="job lock held[^"]*" job=(\S+)`)
	lost := regexp.MustCompile(`msg="job lock lost" job=(\S+)`)
	out := map[string][]int{}
	for i, s := range servers {
		if s == nil {
			continue
		}
		held := map[string]bool{}
		for _, line := range strings.Split(s.log(), "\n") {
			if m := took.FindStringSubmatch(line); m != nil {
				held[m[1]] = true
			} else if m := lost.FindStringSubmatch(line); m != nil {
				held[m[1]] = false
			}
		}
		for job, h := range held {
			if h {
				out[job] = append(out[job], i)
			}
		}
	}
	return out
}

// waitOneHolderEach waits until every job is held by exactly one of the
// live servers, and returns who holds each.
func waitOneHolderEach(t *testing.T, servers []*serveProc, within time.Duration) map[string]int {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		hs := holders(servers)
		one := map[string]int{}
		for _, job := range clusterJobs {
			if len(hs[job]) == 1 {
				one[job] = hs[job][0]
			}
			if len(hs[job]) > 1 {
				t.Fatalf("job %s held by servers %v at once", job, hs[job])
			}
		}
		if len(one) == len(clusterJobs) {
			return one
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s the jobs are held by %v, want each by one server", within, hs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// clusterClient is an API token's client (a Bearer token works on every
// server: tokens and sessions are in the database).
type clusterClient struct {
	token string
}

func (c clusterClient) do(t *testing.T, method, url, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// clusterDemo builds the demo database and moves it, with its report
// photos into data, to a fresh PostgreSQL database; it returns the DSN,
// the migrate command's output and the demo's photo folder. A first move
// given the wrong photo folder is refused and writes nothing, so the
// second, right one finds the database empty; a third, into the database
// it filled, is refused before it copies a photo.
func clusterDemo(t *testing.T, data string) (dsn, out, photos string) {
	t.Helper()
	dsn = pgtest.DSN(t)
	bin := skygridBinary(t)
	file := filepath.Join(t.TempDir(), "demo.db")
	if b, err := exec.Command(bin, "demo", "--no-serve", "--db", file).CombinedOutput(); err != nil {
		t.Fatalf("skygrid demo: %v\n%s", err, b)
	}
	wrong := t.TempDir()
	b, err := exec.Command(bin, "migrate", "sqlite-to-postgres", "--from", file, "--to", dsn, "--from-data", wrong, "--data", data).CombinedOutput()
	if err == nil || !strings.Contains(string(b), "--from-data "+wrong+": no photo folder") {
		t.Fatalf("migrate given a photo folder that is not there: %v, want it refused naming --from-data:\n%s", err, b)
	}
	moved, err := exec.Command(bin, "migrate", "sqlite-to-postgres", "--from", file, "--to", dsn, "--data", data).CombinedOutput()
	if err != nil {
		t.Fatalf("skygrid migrate sqlite-to-postgres: %v\n%s", err, moved)
	}
	// Again, into the database now full: refused before a photo is copied.
	again := t.TempDir()
	b, err = exec.Command(bin, "migrate", "sqlite-to-postgres", "--from", file, "--to", dsn, "--data", again).CombinedOutput()
	copied, _ := filepath.Glob(filepath.Join(again, "photos", "*", "*"))
	if err == nil || !strings.Contains(string(b), "the target is not empty") || len(copied) > 0 {
		t.Fatalf("migrate into a database that holds data: %v, %d photo files copied, want it refused first:\n%s", err, len(copied), b)
	}
	return dsn, string(moved), filepath.Join(file+".data", "photos")
}

// TestSeveralServersOnePostgres is issue 17's test of several servers:
// three skygrid serve processes on one PostgreSQL database (the demo's,
// moved by skygrid migrate sqlite-to-postgres: every table's count and the
// audit log's checksum equal); each scheduled job runs on one server;
// kill -9 a holder and the others take its jobs over; a tile cached on
// every server is drawn again on all after an ingest elsewhere; a task
// acted on through two servers at once has one winner. It is the same
// test whichever store a pass is on: it runs once, in the PostgreSQL pass.
func TestSeveralServersOnePostgres(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("runs in the PostgreSQL pass (SKYGRID_TEST_STORE=postgres: make test-postgres), the same test whatever the pass")
	}
	data := t.TempDir()
	dsn, out, photos := clusterDemo(t, data)
	checkMigrateOutput(t, out)
	servers := make([]*serveProc, 3)
	for i := range servers {
		servers[i] = startHTTPServe(t, "--db", dsn, "--data", data, "--set", "schedule.job_poll=200ms",
			"--set", "passes.tle_url=http://127.0.0.1:1/tle")
	}
	held := waitOneHolderEach(t, servers, 30*time.Second)
	// Many polls later still one holder each (the others are refused).
	time.Sleep(time.Second)
	held = waitOneHolderEach(t, servers, 0)
	victim := held["clock"]
	servers[victim].kill(t)
	servers[victim] = nil
	start := time.Now()
	after := waitOneHolderEach(t, servers, time.Minute)
	t.Logf("server %d killed; its jobs taken over in %s: %v", victim, time.Since(start).Round(time.Millisecond), after)
	var live []*serveProc
	for _, s := range servers {
		if s != nil {
			live = append(live, s)
		}
	}
	live = append(live, startHTTPServe(t, "--db", dsn, "--data", data, "--set", "schedule.job_poll=200ms",
		"--set", "passes.tle_url=http://127.0.0.1:1/tle"))
	c := clusterClient{token: createToken(t, dsn, "admin")}
	checkPhotosMoved(t, c, photos, live)
	checkTilesRedrawn(t, c, dsn, live)
	checkOneWinner(t, c, live[0].addr, live[1].addr)
}

// checkMigrateOutput: the copy's table says every table's counts equal
// and the audit checksums equal.
func checkMigrateOutput(t *testing.T, out string) {
	t.Helper()
	row := regexp.MustCompile(`(?m)^\s*(\w+)\s+(\d+)\s+(\d+)\s*$`)
	rows := row.FindAllStringSubmatch(out, -1)
	if len(rows) < 20 {
		t.Fatalf("migrate printed %d table rows:\n%s", len(rows), out)
	}
	for _, r := range rows {
		if r[2] != r[3] {
			t.Errorf("table %s: %s rows in SQLite, %s in PostgreSQL", r[1], r[2], r[3])
		}
		if (r[1] == "audit_log" || r[1] == "tasks" || r[1] == "hotspots") && r[2] == "0" {
			t.Errorf("table %s copied empty: the demo has some", r[1])
		}
	}
	if m := regexp.MustCompile(`photos: (\d+) of the (\d+) the database holds copied whole`).FindStringSubmatch(out); m == nil || m[1] != m[2] || m[1] == "0" {
		t.Errorf("migrate's photos line: %v, want every one of the demo's photos copied\n%s", m, out)
	}
	sums := regexp.MustCompile(`audit log sha256: sqlite ([0-9a-f]{64}), postgres ([0-9a-f]{64})`).FindStringSubmatch(out)
	if sums == nil || sums[1] != sums[2] {
		t.Errorf("audit checksums: %v\n%s", sums, out)
	}
}

// checkPhotosMoved: demo photos and their thumbnails are served by the
// servers on PostgreSQL (with the --data migrate copied them into), the
// original byte for byte as the demo stored it beside its SQLite file.
func checkPhotosMoved(t *testing.T, c clusterClient, photos string, servers []*serveProc) {
	t.Helper()
	originals, _ := filepath.Glob(filepath.Join(photos, "*", "*.jpg"))
	shown := 0
	for _, orig := range originals {
		sha, ok := strings.CutSuffix(filepath.Base(orig), ".jpg")
		if !ok || strings.Contains(sha, ".") || shown >= 8 {
			continue
		}
		s := servers[shown%len(servers)]
		resp, body := c.do(t, "GET", s.addr+"/api/photos/"+sha, "")
		want, _ := os.ReadFile(orig)
		if resp.StatusCode != 200 || string(body) != string(want) {
			t.Fatalf("photo %s on %s after the move: %d, %d bytes, want 200 and the demo's %d bytes", sha, s.addr, resp.StatusCode, len(body), len(want))
		}
		if resp, _ := c.do(t, "GET", s.addr+"/api/photos/"+sha+"?thumb=1", ""); resp.StatusCode != 200 {
			t.Fatalf("photo %s's thumbnail after the move: %d", sha, resp.StatusCode)
		}
		shown++
	}
	if shown == 0 {
		t.Fatalf("no demo photo in %s to look for", photos)
	}
}

func createToken(t *testing.T, dsn, user string) string {
	t.Helper()
	b, err := exec.Command(skygridBinary(t), "token", "create", "--user", user, "--name", "cluster-test", "--db", dsn).CombinedOutput()
	if err != nil {
		t.Fatalf("skygrid token create: %v\n%s", err, b)
	}
	tok := regexp.MustCompile(`\b[A-Za-z0-9_-]{32,}\b`).FindString(string(b))
	if tok == "" {
		t.Fatalf("no token in %s", b)
	}
	return tok
}

// checkTilesRedrawn: a hotspot tile fetched twice from every server is
// kept (a hit); an ingest (another process on the same database) adds a
// detection in it; every server loads the new version on the change's
// notification (its preloads counter rises before it is asked again) and
// then draws the new tile (another ETag; stale, the old tile, while the
// load and the drawing last).
func checkTilesRedrawn(t *testing.T, c clusterClient, dsn string, servers []*serveProc) {
	t.Helper()
	pt := orb.Point{113.69, 39.70}
	tl := maptile.At(pt, 12)
	path := fmt.Sprintf("/tiles/hotspots/12/%d/%d.png?since=2023-10-01T00:00:00Z&until=2023-11-01T00:00:00Z", tl.X, tl.Y)
	etags := make([]string, len(servers))
	for i, s := range servers {
		c.do(t, "GET", s.addr+path, "")
		resp, _ := c.do(t, "GET", s.addr+path, "")
		if resp.StatusCode != 200 || resp.Header.Get("X-Tile-Cache") != "hit" {
			t.Fatalf("server %d: the tile again: %d %s, want 200 hit", i, resp.StatusCode, resp.Header.Get("X-Tile-Cache"))
		}
		etags[i] = resp.Header.Get("ETag")
	}
	preloads := make([]float64, len(servers))
	for i, s := range servers {
		preloads[i] = metric(t, c, s.addr, "skygrid_tile_layer_preloads_total")
	}
	csv := filepath.Join(t.TempDir(), "fire.csv")
	row := fmt.Sprintf("%.5f,%.5f,345.6,0.39,0.36,2023-10-30,0512,N20,VIIRS,h,2.0NRT,290.1,42.0,D,0\n", pt[1], pt[0])
	if err := os.WriteFile(csv, []byte("latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight,type\n"+row), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(skygridBinary(t), "ingest", csv, "--db", dsn).CombinedOutput(); err != nil {
		t.Fatalf("skygrid ingest: %v\n%s", err, b)
	}
	for i, s := range servers {
		deadline := time.Now().Add(30 * time.Second)
		for metric(t, c, s.addr, "skygrid_tile_layer_preloads_total") <= preloads[i] {
			if time.Now().After(deadline) {
				t.Fatalf("server %d loaded no new version within 30 s of the ingest", i)
			}
			time.Sleep(50 * time.Millisecond)
		}
		// The load started; until it ends and the tile is drawn again
		// (longer than the server's StaleWait on a busy machine) the
		// tile is served stale, and the tile drawn meanwhile is a hit.
		now := untilFresh(t, fmt.Sprintf("server %d's tile", i), deadline, func() tileResp {
			resp, _ := c.do(t, "GET", s.addr+path, "")
			return tileOf(resp)
		})
		if now.status != 200 || (now.cache != "miss" && now.cache != "hit") || now.etag == etags[i] {
			t.Errorf("server %d after the ingest: %d %s, same ETag %v; want 200 and a new tile (a miss, or a hit once drawn behind a stale answer)", i, now.status,
				now.cache, now.etag == etags[i])
		}
	}
}

// metric reads one unlabelled value of /metrics.
func metric(t *testing.T, c clusterClient, url, name string) float64 {
	t.Helper()
	resp, body := c.do(t, "GET", url+"/metrics", "")
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, body)
	}
	m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("/metrics has no %s", name)
	}
	var v float64
	fmt.Sscan(string(m[1]), &v)
	return v
}

// checkOneWinner: the same close of a reported task (at the version both
// saw) sent to two servers at once: one closes it, the other is told the
// task changed (409), and the audit log has one close. (A review note
// would not do: a note is not a transition and keeps the version.)
func checkOneWinner(t *testing.T, c clusterClient, a, b string) {
	t.Helper()
	_, body := c.do(t, "GET", a+"/api/tasks?state=reported&limit=1", "")
	var list struct {
		Tasks []struct {
			ID      int64 `json:"id"`
			Version int64 `json:"version"`
		} `json:"tasks"`
	}
	if err := json.Unmarshal(body, &list); err != nil || len(list.Tasks) == 0 {
		t.Fatalf("reported tasks: %v %s", err, body)
	}
	task := list.Tasks[0]
	action := fmt.Sprintf(`{"version": %d, "notes": "两台服务器同时结案 (test)"}`, task.Version)
	codes := make([]int, 2)
	var wg sync.WaitGroup
	for i, url := range []string{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := c.do(t, "POST", fmt.Sprintf("%s/api/tasks/%d/close", url, task.ID), action)
			codes[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	if !(codes[0] == 200 && codes[1] == 409 || codes[0] == 409 && codes[1] == 200) {
		t.Errorf("the same close through two servers: %v, want one 200 and one 409", codes)
	}
	_, body = c.do(t, "GET", fmt.Sprintf("%s/api/audit?entity=task&id=%d", b, task.ID), "")
	if n := strings.Count(string(body), `"task.close"`); n != 1 {
		t.Errorf("the task's audit has %d closes, want 1:\n%s", n, body)
	}
}
