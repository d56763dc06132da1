package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"skygrid"
	"skygrid/api"
)

// syncBuffer is a log destination the server's goroutines write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is what was written so far.
func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// lines are the JSON log lines written so far.
func (s *syncBuffer) lines(t *testing.T) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(s.b.Bytes()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

// openServer serves svc on 127.0.0.1 (a real listener), logging JSON to
// the buffer returned.
func openServer(t *testing.T, svc api.Services) (*api.Server, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	srv := api.NewServer(svc, slog.New(slog.NewJSONHandler(logs, nil)))
	if err := srv.Open("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, logs
}

// GET /healthz checks the store: 200 and store "ok" while it answers, 503
// with the reason once it is closed; a server without a store check
// answers as before.
func TestHealthzChecksTheStore(t *testing.T) {
	open, closed := datongDB(t), datongDB(t)
	closed.Close()
	for _, tt := range []struct {
		name   string
		store  api.StoreHealth
		status int
		want   api.Health
		reason string
	}{
		{"open store", open, 200, api.Health{Status: "ok", Store: "ok"}, ""},
		{"closed store", closed, 503, api.Health{Status: "unavailable", Store: "failing"}, "the store check failed"},
		{"no store check", nil, 200, api.Health{Status: "ok"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, logs := openServer(t, api.Services{Store: tt.store})
			resp, err := http.Get(srv.URL() + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var h api.Health
			if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
				t.Fatal(err)
			}
			reason := h.Reason
			h.Reason = ""
			if resp.StatusCode != tt.status || h != tt.want || !strings.Contains(reason, tt.reason) || (tt.reason == "") != (reason == "") {
				t.Errorf("%d %+v reason %q; want %d %+v reason with %q", resp.StatusCode, h, reason, tt.status, tt.want, tt.reason)
			}
			if tt.status == 503 {
				// The caller is not logged in: the answer names the log
				// line, which alone holds the error (a file, a host).
				id := resp.Header.Get("X-Request-Id")
				if !strings.Contains(reason, "request id "+id) || strings.Contains(reason, "database is closed") {
					t.Errorf("reason %q: want the request id %s and not the error", reason, id)
				}
				lines := logs.lines(t)
				if len(lines) != 1 || lines[0]["request_id"] != id || !strings.Contains(fmt.Sprint(lines[0]["err"]), "database is closed") {
					t.Errorf("log %v, answer's id %q", lines, id)
				}
			}
		})
	}
}

// Every request has an id in X-Request-Id (a sane incoming one kept, else
// a new one), and the error handler's line of an internal error carries
// the same id as request_id.
func TestRequestIDInAnswerAndErrorLog(t *testing.T) {
	db := datongDB(t)
	token := newToken(t, db, "rid-admin", skygrid.RoleAdmin)
	srv, logs := openServer(t, api.Services{Users: db, Regions: db, Store: db})
	db.Close() // every store read now fails: an internal error, logged
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for _, tt := range []struct {
		name     string
		incoming string
		keep     bool
	}{
		{"none", "", false},
		{"a proxy's", "req-7f3a.b2:9_Z", true},
		{"a forged log line", "abc\" level=INFO msg=forged", false},
		{"too long", strings.Repeat("a", 65), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(logs.lines(t))
			rq, _ := http.NewRequestWithContext(context.Background(), "GET", srv.URL()+"/api/me", nil)
			rq.Header.Set("Authorization", "Bearer "+token)
			if tt.incoming != "" {
				rq.Header.Set("X-Request-Id", tt.incoming)
			}
			resp, err := http.DefaultClient.Do(rq)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			id := resp.Header.Get("X-Request-Id")
			if resp.StatusCode != 500 {
				t.Fatalf("status %d, want 500 from the closed store", resp.StatusCode)
			}
			if tt.keep && id != tt.incoming || !tt.keep && !hex32.MatchString(id) {
				t.Errorf("X-Request-Id %q (sent %q)", id, tt.incoming)
			}
			lines := logs.lines(t)[before:]
			if len(lines) != 1 || lines[0]["msg"] != "internal error" || lines[0]["request_id"] != id {
				t.Errorf("log lines %v; want the internal error with request_id %q", lines, id)
			}
		})
	}
}

// A request refused before any handler (no such route: 401 without a
// session) has an id too.
func TestRequestIDOnRefused(t *testing.T) {
	srv, _ := openServer(t, api.Services{})
	resp, err := http.Get(srv.URL() + "/nothing-here")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || len(resp.Header.Get("X-Request-Id")) != 32 {
		t.Errorf("%d X-Request-Id %q", resp.StatusCode, resp.Header.Get("X-Request-Id"))
	}
}

// With AccessLog, a line per request once answered, errors included,
// carrying the answer's status and X-Request-Id.
func TestAccessLog(t *testing.T) {
	srv, logs := openServer(t, api.Services{AccessLog: true, Store: datongDB(t)})
	for _, tt := range []struct {
		name, path string
		status     float64
	}{
		{"health", "/healthz", 200},
		{"refused", "/api/me", 401},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(logs.lines(t))
			resp, err := http.Get(srv.URL() + tt.path + "?q=private")
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			lines := logs.lines(t)[before:]
			if len(lines) != 1 {
				t.Fatalf("log lines %v; want one", lines)
			}
			l := lines[0]
			if l["msg"] != "http" || l["method"] != "GET" || l["path"] != tt.path || l["status"] != tt.status ||
				l["request_id"] != resp.Header.Get("X-Request-Id") || l["ip"] != "127.0.0.1" {
				t.Errorf("access log %v; want GET %s %v with request_id %q", l, tt.path, tt.status, resp.Header.Get("X-Request-Id"))
			}
		})
	}
}
