package intake_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"skygrid"
	"skygrid/detect"
	"skygrid/dispatch"
	"skygrid/dispatch/dispatchtest"
	"skygrid/firms"
	"skygrid/firms/firmstest"
	"skygrid/geo"
	"skygrid/intake"
	"skygrid/store"

	"github.com/paulmach/orb"
)

const testKey = "f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6" // a made-up MAP_KEY

type feedWorld struct {
	db   *store.DB
	p    *dispatch.Pipeline
	srv  *firmstest.Server
	feed *intake.Feed
	// client is the feed's FIRMS client
	client *firms.Client
	logs   *firmstest.Logs
	area   orb.Bound
	ix     *geo.Index
}

// newFeedWorld: the Datong counties in a real SQLite file, the FIRMS
// stand-in serving the real October 2023 files, and a feed pulling
// VIIRS_NOAA20_NRT with the client's waits made instant.
func newFeedWorld(t *testing.T) *feedWorld {
	t.Helper()
	db := dispatchtest.OpenDB(t, dispatchtest.Fixed)
	regions := dispatchtest.ImportDatong(t, db, false)
	p := dispatchtest.NewPipeline(t, db, dispatchtest.Fixed)
	srv := firmstest.New(t)
	srv.Update(func(s *firmstest.Server) {
		s.Key = testKey
		s.Today = time.Date(2023, 10, 24, 0, 0, 0, 0, time.UTC)
	})
	logs := &firmstest.Logs{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clock := time.Date(2023, 10, 24, 6, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	client := &firms.Client{BaseURL: srv.URL(), MapKey: testKey, Logger: logger, HTTP: &http.Client{Timeout: 30 * time.Second},
		Sleep: func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			clock = clock.Add(d)
			mu.Unlock()
			return ctx.Err()
		},
		Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }}
	w := &feedWorld{db: db, p: p, srv: srv, logs: logs, ix: geo.NewIndex(), client: client,
		feed: &intake.Feed{Pipeline: p, Client: client, Status: db, Sources: []string{"VIIRS_NOAA20_NRT"}, Logger: logger}}
	for _, r := range regions {
		w.ix.Add(r.ID, r.Geometry)
	}
	w.area = geo.GrowBound(w.ix.Bound(), p.Config.AreaMarginMetres)
	return w
}

// inArea counts, independently of the pipeline, the distinct detections
// of an answer that lie in the regions or within the margin.
func (w *feedWorld) inArea(t *testing.T, days int, date time.Time) int {
	t.Helper()
	body, err := firmstest.Answer("VIIRS_NOAA20_NRT", w.area.Min[0], w.area.Min[1], w.area.Max[0], w.area.Max[1], days, date)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := detect.Open(bytes.NewReader(body), "answer")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[skygrid.Key]bool{}
	for {
		h, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if w.ix.Covers(h.Point, w.p.Config.AreaMarginMetres) {
			seen[h.Key()] = true
		}
	}
	return len(seen)
}

func (w *feedWorld) hotspots(t *testing.T) int {
	t.Helper()
	_, n, err := w.db.FindHotspots(context.Background(), skygrid.HotspotFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (w *feedWorld) pull(t *testing.T, days int, date time.Time) intake.FeedResult {
	t.Helper()
	rs := w.feed.PullOnce(context.Background(), days, date)
	if len(rs) != 1 {
		t.Fatalf("%d results", len(rs))
	}
	return rs[0]
}

func TestFeedPullsStoreExactlyTheDetections(t *testing.T) {
	w := newFeedWorld(t)
	d24 := time.Date(2023, 10, 24, 0, 0, 0, 0, time.UTC)
	r := w.pull(t, 2, d24)
	want := w.inArea(t, 2, d24)
	if r.Err != nil || r.Batch.New != want || w.hotspots(t) != want || want == 0 {
		t.Fatalf("pull: err %v, %+v; store %d, want %d", r.Err, r.Batch, w.hotspots(t), want)
	}
	if st := r.Status; st.LastSuccess.IsZero() || st.AddedLast != want || st.RowsLast != r.Batch.Rows || st.NewestDetection.Format("2006-01-02") != "2023-10-24" || st.Failing {
		t.Errorf("status %+v", st)
	}
	if r.Batch.Origin != "feed" || r.Batch.LatencyMS == nil || *r.Batch.LatencyMS < 0 {
		t.Errorf("batch origin %q latency %v", r.Batch.Origin, r.Batch.LatencyMS)
	}
	// Two overlapping pulls ten minutes apart (day range 2): nothing twice.
	again := w.pull(t, 2, d24)
	if again.Err != nil || again.Batch.New != 0 || again.Batch.Duplicates != r.Batch.New || w.hotspots(t) != want {
		t.Errorf("the same pull again: %+v, store %d", again.Batch, w.hotspots(t))
	}
	d25 := d24.AddDate(0, 0, 1)
	next := w.pull(t, 2, d25)
	union := w.inArea(t, 3, d25) // 23, 24 and 25 October
	if next.Err != nil || w.hotspots(t) != union {
		t.Errorf("the next day's overlapping pull: %v; store %d, want %d (each detection once)", next.Err, w.hotspots(t), union)
	}
}

// Failures: retried where FIRMS may recover, refused where not; the
// store keeps exactly what it should; the status says what happened; the
// MAP_KEY is in no log line and no error.
func TestFeedFailuresAndTheKey(t *testing.T) {
	w := newFeedWorld(t)
	d24 := time.Date(2023, 10, 24, 0, 0, 0, 0, time.UTC)
	want := w.inArea(t, 1, d24)

	// 429, 500 and a body cut mid-line: retried, then the whole answer.
	w.srv.Script(firmstest.Failure{Kind: firmstest.Status429}, firmstest.Failure{Kind: firmstest.Status500},
		firmstest.Failure{Kind: firmstest.CutMidLine})
	r := w.pull(t, 1, d24)
	if r.Err != nil || r.Batch.New != want || w.hotspots(t) != want {
		t.Fatalf("after 429, 500 and a cut body: %v %+v (store %d, want %d)", r.Err, r.Batch, w.hotspots(t), want)
	}
	// The invalid-key text answer: an error, not empty data; nothing stored.
	w.srv.Update(func(s *firmstest.Server) { s.Key = "another-key-entirely" })
	r = w.pull(t, 2, d24.AddDate(0, 0, 1))
	if r.Err == nil || !strings.Contains(r.Err.Error(), "Invalid MAP_KEY") || r.Status.LastError == "" || r.Status.Errors != 1 || w.hotspots(t) != want {
		t.Errorf("invalid key: %v; status %+v; store %d", r.Err, r.Status, w.hotspots(t))
	}
	w.srv.Update(func(s *firmstest.Server) { s.Key = testKey })
	// The transaction limit answered as text: an error after the retries.
	w.srv.Script(firmstest.Failure{Kind: firmstest.TextLimit}, firmstest.Failure{Kind: firmstest.TextLimit},
		firmstest.Failure{Kind: firmstest.TextLimit}, firmstest.Failure{Kind: firmstest.TextLimit}, firmstest.Failure{Kind: firmstest.TextLimit})
	r = w.pull(t, 2, d24.AddDate(0, 0, 1))
	if r.Err == nil || w.hotspots(t) != want {
		t.Errorf("limit: %v, store %d", r.Err, w.hotspots(t))
	}
	// Slow answers past the timeout, every attempt: a timeout error. (The
	// client waits 30 s for the other answers, which a busy machine can
	// hold back past 400 ms; the stand-in stops when the client gives up.)
	slow := firmstest.Failure{Kind: firmstest.Slow, Delay: time.Minute}
	w.srv.Script(slow, slow, slow, slow, slow)
	w.client.HTTP.Timeout = 400 * time.Millisecond
	r = w.pull(t, 2, d24.AddDate(0, 0, 1))
	w.client.HTTP.Timeout = 30 * time.Second
	if r.Err == nil || w.hotspots(t) != want {
		t.Errorf("slow: %v, store %d", r.Err, w.hotspots(t))
	}
	feeds, _ := w.db.FindFeeds(context.Background())
	if len(feeds) != 1 || feeds[0].Errors != 3 || feeds[0].Pulls != 4 || feeds[0].AddedTotal != want || feeds[0].LastError == "" {
		t.Errorf("feed status %+v", feeds[0])
	}
	// The key: nowhere.
	texts := []string{w.logs.String(), feeds[0].LastError}
	audit, _ := w.db.FindAudit(context.Background(), "", "", 0)
	for _, a := range audit {
		texts = append(texts, a.Before, a.After)
	}
	for _, text := range texts {
		for i := 0; i+8 <= len(testKey); i++ {
			if strings.Contains(text, testKey[i:i+8]) {
				t.Errorf("8 characters of the MAP_KEY show: %.300s", text)
				break
			}
		}
	}
	if !strings.Contains(w.logs.String(), "feed pull failed") {
		t.Error("the failures were not logged")
	}
}

// A feed with no success for an hour fails, and the admins' channel is
// told once.
func TestFailingFeedTellsTheAdminsOnce(t *testing.T) {
	w := newFeedWorld(t)
	ctx := context.Background()
	if err := w.db.AddChannel(ctx, &skygrid.Channel{RegionID: "140225", Kind: skygrid.ChannelWebhook, URL: "http://127.0.0.1:9/hook", Audience: "admins"}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2023, 10, 24, 6, 0, 0, 0, time.UTC)
	fail := errors.New("FIRMS VIIRS_NOAA20_NRT: HTTP 500")
	for i, at := range []time.Time{t0, t0.Add(30 * time.Minute), t0.Add(61 * time.Minute), t0.Add(71 * time.Minute)} {
		st, err := w.db.RecordPull(ctx, "VIIRS_NOAA20_NRT", at, 0, 0, time.Time{}, fail)
		if err != nil {
			t.Fatal(err)
		}
		if st.Failing != (i >= 2) {
			t.Errorf("pull %d at %s: failing %v", i, at, st.Failing)
		}
	}
	msgs, _ := w.db.FindOutbox(ctx, 100)
	n := 0
	for _, m := range msgs {
		if m.Event == skygrid.NotifyFeedFailing {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d feed.failing messages, want 1", n)
	}
	// A success ends it; failing again later tells them again.
	w.db.RecordPull(ctx, "VIIRS_NOAA20_NRT", t0.Add(80*time.Minute), 10, 2, t0, nil)
	st, _ := w.db.RecordPull(ctx, "VIIRS_NOAA20_NRT", t0.Add(150*time.Minute), 0, 0, time.Time{}, fail)
	if !st.Failing {
		t.Errorf("70 min after the last success: %+v", st)
	}
	msgs, _ = w.db.FindOutbox(ctx, 100)
	n = 0
	for _, m := range msgs {
		if m.Event == skygrid.NotifyFeedFailing {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d feed.failing messages after a second outage, want 2", n)
	}
}

// When no pull ends (stuck, or none running), the minute check tells the
// admins all the same, once.
func TestCheckFeedsTellsWithoutAPull(t *testing.T) {
	w := newFeedWorld(t)
	ctx := context.Background()
	if err := w.db.AddChannel(ctx, &skygrid.Channel{RegionID: "140225", Kind: skygrid.ChannelWebhook, URL: "http://127.0.0.1:9/hook", Audience: "admins"}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2023, 10, 24, 6, 0, 0, 0, time.UTC)
	w.db.RecordPull(ctx, "VIIRS_SNPP_NRT", t0, 5, 5, t0, nil)
	for _, tc := range []struct {
		at   time.Time
		want int
	}{{t0.Add(30 * time.Minute), 0}, {t0.Add(61 * time.Minute), 1}, {t0.Add(90 * time.Minute), 0}} {
		if n, err := w.db.CheckFeeds(ctx, tc.at); err != nil || n != tc.want {
			t.Errorf("check at %s: %d told (%v), want %d", tc.at, n, err, tc.want)
		}
	}
	msgs, _ := w.db.FindOutbox(ctx, 100)
	if len(msgs) != 1 || msgs[0].Event != skygrid.NotifyFeedFailing {
		t.Errorf("outbox %v", msgs)
	}
}
