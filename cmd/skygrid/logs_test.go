package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"skygrid/internal/storetest"
	"strings"
	"testing"
	"time"
)

// skygrid serve --log-format json --access-log: the log lines are JSON
// objects, a request's line carries the X-Request-Id it was sent, and
// /healthz checks the served store.
func TestServeJSONAccessLog(t *testing.T) {
	db := storetest.DSN(t, "logs.db")
	m, _, _ := testMain()
	stderr := &syncBuffer{} // personal_test.go
	m.Stderr = stderr
	ready := make(chan string, 1)
	m.Ready = func(url string) { ready <- url }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- m.Run(ctx, []string{"serve", "--db", db, "--data", dataDir(t, db), "--addr", "127.0.0.1:0", "--log-format", "json", "--access-log"})
	}()
	var url string
	select {
	case url = <-ready:
	case err := <-done:
		t.Fatalf("serve ended: %v\n%s", err, stderr)
	case <-time.After(2 * time.Minute):
		t.Fatal("serve did not start")
	}
	rq, _ := http.NewRequest("GET", url+"/healthz", nil)
	rq.Header.Set("X-Request-Id", "lb-check-42")
	resp, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"status":"ok","store":"ok"}` || resp.Header.Get("X-Request-Id") != "lb-check-42" {
		t.Errorf("healthz: %d %s X-Request-Id %q", resp.StatusCode, body, resp.Header.Get("X-Request-Id"))
	}
	var access map[string]any
	sc := bufio.NewScanner(strings.NewReader(stderr.String()))
	for sc.Scan() {
		var l map[string]any
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("not a JSON line: %q", sc.Text())
		}
		if l["msg"] == "http" {
			access = l
		}
	}
	if access == nil || access["request_id"] != "lb-check-42" || access["path"] != "/healthz" || access["status"] != float64(200) {
		t.Errorf("access line %v in\n%s", access, stderr)
	}
}

// A log format other than text or json is refused by name.
func TestServeLogFormatRefused(t *testing.T) {
	m, _, _ := testMain()
	err := m.Run(context.Background(), []string{"serve", "--db", storetest.DSN(t, "x.db"), "--addr", "127.0.0.1:0", "--log-format", "xml"})
	if err == nil || !strings.Contains(err.Error(), `--log-format "xml": want text or json`) {
		t.Errorf("err %v", err)
	}
}
