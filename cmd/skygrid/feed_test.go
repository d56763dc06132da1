package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skygrid/data"
	"skygrid/firms/firmstest"
	"skygrid/internal/storetest"
)

const cliKey = "0a1b2c3d4e5f60718293a4b5c6d7e8f9" // a made-up MAP_KEY

// keyMain is a Main whose environment holds the FIRMS key and whose logs
// are kept.
func keyMain(key string) (*Main, *bytes.Buffer, *firmstest.Logs) {
	m, out, _ := testMain()
	m.Getenv = func(k string) string {
		if k == "FIRMS_MAP_KEY" {
			return key
		}
		return ""
	}
	logs := &firmstest.Logs{}
	m.Logger = slog.New(slog.NewTextHandler(logs, nil))
	return m, out, logs
}

func TestFetchFirmsServeFeedsWatchAndMetrics(t *testing.T) {
	srv := firmstest.New(t)
	srv.Update(func(s *firmstest.Server) {
		s.Key = cliKey
		s.Today = time.Date(2023, 10, 24, 0, 0, 0, 0, time.UTC)
	})
	dir := t.TempDir()
	f := &feedRun{srv: srv, dir: dir, db: storetest.DSN(t, "feed.db")}
	files := writeEmbedded(t, dir, data.Districts)
	if out, err := run(t, f.db, "import", "regions", files[0], "--level", "county", "--crs", "cgcs2000"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Run("fetch firms", f.fetchFirms)
	// serve pulls at once (every source), watches a folder, and shows it.
	f.serve(t)
	t.Run("serve pulls every source", f.feedsPulled)
	t.Run("watch a folder", f.watched)
	t.Run("metrics", f.metrics)
}

// feedRun is a FIRMS test server, a database, and serve over both.
type feedRun struct {
	srv       *firmstest.Server
	dir, db   string
	url       string // serve's
	watch     string // the folder serve watches
	serveLogs *firmstest.Logs
}

// fetch runs fetch firms with a key and arguments.
func (f *feedRun) fetch(key string, args ...string) (string, string, error) {
	m, out, logs := keyMain(key)
	err := m.Run(context.Background(), append([]string{"fetch", "firms", "--url", f.srv.URL(), "--db", f.db}, args...))
	return out.String(), logs.String(), err
}

func (f *feedRun) fetchFirms(t *testing.T) {
	out, _, err := f.fetch(cliKey, "--source", "VIIRS_NOAA20_NRT", "--days", "2", "--date", "2023-10-24")
	if err != nil || !strings.Contains(out, "VIIRS_NOAA20_NRT: ") || strings.Contains(out, " 0 new") {
		t.Fatalf("fetch: %v\n%s", err, out)
	}
	out, _, err = f.fetch(cliKey, "--source", "VIIRS_NOAA20_NRT", "--days", "2", "--date", "2023-10-24")
	if err != nil || !strings.Contains(out, " 0 new") {
		t.Fatalf("fetch again: %v\n%s", err, out)
	}
	out, logs, err := f.fetch("wrong-"+cliKey, "--source", "VIIRS_NOAA20_NRT", "--days", "1")
	if err == nil || !strings.Contains(out, "failed") || strings.Contains(out+logs+err.Error(), "wrong-"+cliKey) || strings.Contains(out+logs+err.Error(), cliKey[6:]) {
		t.Fatalf("wrong key: %v\n%s\n%s", err, out, logs)
	}
	if _, _, err := f.fetch("", "--days", "1"); err == nil || !strings.Contains(err.Error(), "no FIRMS MAP_KEY") {
		t.Errorf("no key: %v", err)
	}
}

// serve starts serve with the FIRMS server and a watched folder, until
// the test ends.
func (f *feedRun) serve(t *testing.T) {
	token = addAdmin(t, f.db)
	f.watch = filepath.Join(f.dir, "drop")
	os.Mkdir(f.watch, 0o755)
	m, _, serveLogs := keyMain(cliKey)
	f.serveLogs = serveLogs
	ready := make(chan string, 1)
	m.Ready = func(url string) { ready <- url }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- m.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", f.db, "--data", dataDir(t, f.db), "--firms-url", f.srv.URL(), "--watch", f.watch})
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	f.url = <-ready
}

func (f *feedRun) feedsPulled(t *testing.T) {
	var feeds struct {
		Feeds []struct {
			Source      string `json:"source"`
			LastSuccess string `json:"last_success"`
			Pulls       int    `json:"pulls"`
		} `json:"feeds"`
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		r, err := authGet(f.url + "/api/feeds")
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(r.Body).Decode(&feeds)
		r.Body.Close()
		ok := len(feeds.Feeds) == 4
		for _, f := range feeds.Feeds {
			ok = ok && f.LastSuccess != ""
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("feeds after 20 s: %+v", feeds)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// watchBatch is a batch as /api/batches shows it.
type watchBatch struct {
	Origin    string `json:"origin"`
	LatencyMS *int64 `json:"latency_ms"`
	File      string `json:"file"`
}

func (f *feedRun) watched(t *testing.T) {
	// Written beside and moved in whole (written in place, a busy machine
	// could hold the writing back past serve's 500 ms Settle).
	day := writeEmbedded(t, f.dir, data.FIRMSOctober+"/2023-10-20.csv")[0]
	dropped := time.Now()
	if err := os.Rename(day, filepath.Join(f.watch, "2023-10-20.csv")); err != nil {
		t.Fatal(err)
	}
	var batches []watchBatch
	for deadline := time.Now().Add(20 * time.Second); ; {
		r, _ := authGet(f.url + "/api/batches")
		var body struct {
			Batches []watchBatch `json:"batches"`
		}
		json.NewDecoder(r.Body).Decode(&body)
		r.Body.Close()
		batches = body.Batches
		if len(batches) > 0 && batches[0].Origin == "watch" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no watch batch after 20 s: %+v", batches)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// From the file seen to its batch stored: within the time since it
	// was dropped (not a fixed bound: a busy machine ingests slowly).
	if l := batches[0].LatencyMS; l == nil || *l < 0 || *l > time.Since(dropped).Milliseconds()+1 {
		t.Errorf("watch batch latency %v ms, %s since the file was dropped", batches[0].LatencyMS, time.Since(dropped))
	}
	// The watcher moves the file once its batch is stored: a moment after
	// the batch shows.
	var moved error
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, moved = os.Stat(filepath.Join(f.watch, "done", "2023-10-20.csv")); moved == nil || time.Now().After(deadline) {
			break
		}
	}
	if moved != nil {
		t.Errorf("the dropped file is not in done/: %v", moved)
	}
}

func (f *feedRun) metrics(t *testing.T) {
	r, err := authGet(f.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(r.Body)
	r.Body.Close()
	for _, want := range []string{`skygrid_feed_last_success_timestamp_seconds{source="VIIRS_NOAA20_NRT"}`, `skygrid_feed_failing{source="MODIS_NRT"} 0`,
		`skygrid_ingest_batches_total{origin="feed"}`, `skygrid_ingest_batches_total{origin="watch"} 1`, `skygrid_ingest_latency_seconds{origin="watch"}`,
		`skygrid_http_requests_total{code="200",method="GET",route="/api/feeds"}`, `skygrid_dispatch_events_total`, `skygrid_notify_outbox_pending`} {
		if !bytes.Contains(metrics, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if r2, _ := http.Get(f.url + "/metrics"); r2.StatusCode != 401 {
		t.Errorf("/metrics without a token: %d", r2.StatusCode)
	}
	if strings.Contains(f.serveLogs.String(), cliKey) {
		t.Error("the MAP_KEY is in serve's logs")
	}
}
