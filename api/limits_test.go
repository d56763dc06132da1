package api_test

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"skygrid"
	"skygrid/api"
	"skygrid/dispatch"
	"skygrid/registry"
	"skygrid/store"
	"skygrid/tiles"
)

// testLimits are short enough for a test to see them at work.
func testLimits() api.Limits {
	return api.Limits{HeaderTimeout: 2 * time.Second, BodyTimeout: time.Second, WriteTimeout: 5 * time.Second,
		UploadBodyTimeout: 20 * time.Second, UploadWriteTimeout: 20 * time.Second, DownloadWriteTimeout: 20 * time.Second,
		IdleTimeout: 5 * time.Second}
}

// lightServer is a real server on 127.0.0.1 over a store holding the
// Datong counties (no fires), with an admin and an official of 浑源县.
type lightServer struct {
	srv    *api.Server
	db     *store.DB
	tokens map[string]string
}

func newLightServer(t *testing.T, svc api.Services) *lightServer {
	t.Helper()
	db := datongDB(t)
	ts, err := tiles.NewServer(db, tiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc.Hotspots, svc.Events, svc.Regions, svc.Tasks, svc.Ingest, svc.Sites, svc.Layers = db, db, db, db, db, db, db
	svc.Users, svc.Audit, svc.Outbox, svc.Photos, svc.Stats, svc.Feeds, svc.Tiles = db, db, db, db, db, db, ts
	svc.Air = db
	svc.Imports = registry.Importer{Pipeline: mustPipeline(t, db)}
	ls := &lightServer{srv: api.NewServer(svc, slog.New(slog.NewTextHandler(io.Discard, nil))), db: db, tokens: map[string]string{}}
	ls.tokens["admin"] = newToken(t, db, "admin", skygrid.RoleAdmin)
	ls.tokens["official"] = newToken(t, db, "official", skygrid.RoleOfficial, "140225")
	if err := ls.srv.Open("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ls.srv.Close() })
	return ls
}

func mustPipeline(t *testing.T, db *store.DB) *dispatch.Pipeline {
	p, err := dispatch.New(db, dispatch.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// slowRequest sends a request's head at once, then its body a byte every
// gap (and the rest at once after slowFor), and returns the status line
// of the answer and when it came.
func slowRequest(t *testing.T, addr, head string, body []byte, gap, slowFor time.Duration) (string, time.Duration) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	if _, err := io.WriteString(c, head+fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body))); err != nil {
		t.Fatal(err)
	}
	go func() {
		for i := 0; i < len(body); i++ {
			if time.Since(start) > slowFor {
				c.Write(body[i:])
				return
			}
			if _, err := c.Write(body[i : i+1]); err != nil {
				return // cut by the server
			}
			time.Sleep(gap)
		}
	}()
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("no answer after %s: %v", time.Since(start).Round(time.Millisecond), err)
	}
	return strings.TrimSpace(line), time.Since(start)
}

// A body sent a byte every 200 ms is cut after the short body timeout
// (1 s here, 30 s by default) on an ordinary route, with 408; an upload
// route takes the same trickle for longer (its own timeout) and reads it
// to the end.
func TestSlowBodyIsCut(t *testing.T) {
	ls := newLightServer(t, api.Services{Limits: testLimits()})
	addr := ls.srv.Addr()
	t.Run("login", func(t *testing.T) {
		body := []byte(`{"name":"admin","password":"` + strings.Repeat("x", 200) + `"}`)
		status, took := slowRequest(t, addr, "POST /api/login HTTP/1.1\r\nHost: skygrid\r\nContent-Type: application/json\r\n", body, 200*time.Millisecond, time.Hour)
		// At most 20 s (a busy machine), where the whole body takes 46.
		if !strings.Contains(status, " 408 ") || took > 20*time.Second {
			t.Errorf("a slow login body: %q after %s, want 408 after about 1 s", status, took.Round(time.Millisecond))
		}
	})
	t.Run("bulk close", func(t *testing.T) {
		body := []byte(`{"tasks":[{"id":1,"version":1}],"notes":"` + strings.Repeat("慢", 100) + `"}`)
		status, took := slowRequest(t, addr, "POST /api/tasks/close HTTP/1.1\r\nHost: skygrid\r\nContent-Type: application/json\r\nAuthorization: Bearer "+ls.tokens["admin"]+"\r\n",
			body, 200*time.Millisecond, time.Hour)
		if !strings.Contains(status, " 408 ") || took > 20*time.Second { // the whole body: 70 s
			t.Errorf("a slow bulk close: %q after %s, want 408 after about 1 s", status, took.Round(time.Millisecond))
		}
	})
	t.Run("import (an upload)", func(t *testing.T) {
		const boundary = "b0undary"
		body := []byte("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"counties.geojson\"\r\n\r\n" +
			`{"type":"FeatureCollection","features":[` + strings.Repeat(" ", 100) + `]}` + "\r\n--" + boundary + "--\r\n")
		status, took := slowRequest(t, addr, "POST /api/imports/regions HTTP/1.1\r\nHost: skygrid\r\nContent-Type: multipart/form-data; boundary="+boundary+
			"\r\nAuthorization: Bearer "+ls.tokens["admin"]+"\r\n", body, 200*time.Millisecond, 2500*time.Millisecond)
		if strings.Contains(status, " 408 ") || took < 2500*time.Millisecond {
			t.Errorf("a slow upload: %q after %s, want it read to the end (2.5 s) and answered", status, took.Round(time.Millisecond))
		}
	})
}

// Thousands of connections held by one client do not stop /healthz. The
// server runs in a process of its own with 256 open files (the attack
// ran a server with 20,000 out of them); 400 connections each send a
// request's head and hold its body. With a cap of 50 (and 4 reserved),
// /healthz answers at once and other routes on a reserved connection 503;
// without a cap (SKYGRID_TEST_CAP=0, as before) the server runs out of
// files and /healthz waits in the kernel's queue.
func TestHealthzAnswersAtTheConnectionCap(t *testing.T) {
	capConns := "50"
	if v := os.Getenv("SKYGRID_TEST_CAP"); v != "" {
		capConns = v
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCappedServerProcess$")
	cmd.Env = append(os.Environ(), "SKYGRID_CAPPED_SERVER="+capConns)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("the server process: %v", err)
	}
	url := strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
	addr := strings.TrimPrefix(url, "http://")
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for i := range 400 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		held = append(held, c)
		if i%2 == 0 { // half idle, half a request whose body never comes
			io.WriteString(c, "POST /api/login HTTP/1.1\r\nHost: skygrid\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
		}
	}
	time.Sleep(500 * time.Millisecond) // the server takes them in
	// 10 s: without the cap /healthz never answers while the connections
	// are held; with it, a busy machine may still take a few seconds.
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for i := range 3 {
		start := time.Now()
		resp, err := client.Get(url + "/healthz")
		if err != nil {
			t.Fatalf("/healthz %d with 400 connections held: %v after %s", i, err, time.Since(start).Round(time.Millisecond))
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), "ok") {
			t.Errorf("/healthz: %d %s", resp.StatusCode, b)
		}
	}
	resp, err := client.Get(url + "/")
	if err != nil {
		t.Fatalf("/ at the cap: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("/ at the cap: %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Refused before echo, the answer still has an id to quote to an admin.
	if len(resp.Header.Get("X-Request-Id")) != 32 {
		t.Errorf("/ at the cap: X-Request-Id %q; want a new id", resp.Header.Get("X-Request-Id"))
	}
}

// TestCappedServerProcess is the server of the test above, in its own
// process (run by it, skipped otherwise): 256 open files, a cap of
// $SKYGRID_CAPPED_SERVER connections (0: none), 4 reserved.
func TestCappedServerProcess(t *testing.T) {
	v := os.Getenv("SKYGRID_CAPPED_SERVER")
	if v == "" {
		t.Skip("the server process of TestHealthzAnswersAtTheConnectionCap")
	}
	capConns, _ := strconv.Atoi(v)
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	lim.Cur = 256
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	l := testLimits()
	l.BodyTimeout, l.HeaderTimeout, l.MaxConns, l.ReserveConns = time.Minute, time.Minute, capConns, 4
	srv := api.NewServer(api.Services{Limits: l}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := srv.Open("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	fmt.Println("listening on", srv.URL())
	io.Copy(io.Discard, os.Stdin) // until the test is done
}

// retryAfter reports whether resp's Retry-After is the whole seconds
// until a bucket emptied at start holds a token again, one every
// refill: refill less the time since, rounded up (the limiter runs on
// the wall clock, and a busy machine can take a second over a burst).
func retryAfter(resp *http.Response, refill int, start time.Time) bool {
	n, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	lo := int(math.Ceil(float64(refill) - time.Since(start).Seconds()))
	return err == nil && n <= refill && n >= max(lo, 1)
}

// The routes that need no session are limited per client address: past
// the burst, 429 with Retry-After; /healthz and authenticated routes are
// not. Behind a trusted proxy the client is the one it forwards; from
// anyone else, X-Forwarded-For is not believed.
func TestPerAddressLimits(t *testing.T) {
	l := testLimits()
	// A token every 20 s: a test starved beside the browser suite for
	// seconds still finds the bucket empty (at 0.5/s it found one back).
	l.PublicRate, l.PublicBurst, l.LoginRate, l.LoginBurst = 0.05, 3, 0.1, 2
	web := fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>skygrid</title>")}}
	for _, proxied := range []bool{false, true} {
		t.Run(map[bool]string{false: "direct", true: "behind a proxy"}[proxied], func(t *testing.T) {
			l := l
			if proxied {
				l.TrustedProxies = []string{"127.0.0.1"}
			}
			ls := newLightServer(t, api.Services{Limits: l, Web: web})
			url := ls.srv.URL()
			do := func(method, path, token, xff string) *http.Response {
				t.Helper()
				rq, _ := http.NewRequest(method, url+path, strings.NewReader(`{"name":"admin","password":"not the password"}`))
				rq.Header.Set("Content-Type", "application/json")
				if token != "" {
					rq.Header.Set("Authorization", "Bearer "+token)
				}
				if xff != "" {
					rq.Header.Set("X-Forwarded-For", xff)
				}
				resp, err := http.DefaultClient.Do(rq)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				return resp
			}
			start := time.Now()
			for i := range 3 {
				if resp := do("GET", "/", "", ""); resp.StatusCode != 200 {
					t.Fatalf("GET / %d within the burst: %d", i+1, resp.StatusCode)
				}
			}
			resp := do("GET", "/", "", "")
			if resp.StatusCode != 429 || !retryAfter(resp, 20, start) {
				t.Errorf("GET / past the burst: %d, Retry-After %q; want 429, 20 s less the time since the burst began", resp.StatusCode, resp.Header.Get("Retry-After"))
			}
			if resp := do("GET", "/healthz", "", ""); resp.StatusCode != 200 {
				t.Errorf("/healthz limited: %d", resp.StatusCode)
			}
			if resp := do("GET", "/api/me", ls.tokens["admin"], ""); resp.StatusCode != 200 {
				t.Errorf("an authenticated route limited: %d", resp.StatusCode)
			}
			other := do("GET", "/", "", "203.0.113.9").StatusCode
			if want := map[bool]int{false: 429, true: 200}[proxied]; other != want {
				t.Errorf("GET / forwarded for another client: %d, want %d", other, want)
			}
			start = time.Now()
			for i := range 2 {
				if resp := do("POST", "/api/login", "", ""); resp.StatusCode != 401 {
					t.Fatalf("login %d: %d, want 401", i+1, resp.StatusCode)
				}
			}
			resp = do("POST", "/api/login", "", "")
			if resp.StatusCode != 429 || !retryAfter(resp, 10, start) {
				t.Errorf("a third login: %d, Retry-After %q; want 429, 10 s less the time since the first", resp.StatusCode, resp.Header.Get("Retry-After"))
			}
		})
	}
}
