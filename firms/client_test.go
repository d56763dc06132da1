package firms_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"sync"
	"testing"
	"time"

	"skygrid"
	"skygrid/data"
	"skygrid/detect"
	"skygrid/firms"
	"skygrid/firms/firmstest"

	"github.com/paulmach/orb"
)

// datongBox is part of the embedded files' box, so that the bbox filter
// leaves rows out.
var datongBox = orb.Bound{Min: orb.Point{112.6, 39.4}, Max: orb.Point{114.4, 40.6}}

var oct22 = time.Date(2023, 10, 22, 0, 0, 0, 0, time.UTC)

// fakeClock is the client's Now and Sleep: a sleep moves the clock.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sleeps = append(f.sleeps, d)
	f.now = f.now.Add(d)
	return nil
}

// Advance moves the clock without a recorded sleep.
func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func (f *fakeClock) Sleeps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

// newFIRMS is a client of srv with a fake clock and a log that is checked
// for the key when the test ends.
func newFIRMS(t *testing.T, srv *firmstest.Server) (*firms.Client, *fakeClock) {
	t.Helper()
	clock := &fakeClock{now: time.Date(2023, 10, 22, 12, 0, 0, 0, time.UTC)}
	logs := &firmstest.Logs{}
	c := &firms.Client{
		BaseURL: srv.URL(),
		MapKey:  firmstest.DefaultKey,
		Sleep:   clock.Sleep,
		Now:     clock.Now,
		Logger:  slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	t.Cleanup(func() {
		if strings.Contains(logs.String(), firmstest.DefaultKey) || (c.MapKey != "" && strings.Contains(logs.String(), c.MapKey)) {
			t.Errorf("the MAP_KEY is in the log:\n%s", logs.String())
		}
	})
	return c, clock
}

type detKey struct {
	lat, lon float64
	at       time.Time
}

// expectedRows reads the embedded R files with detect.Open (not through
// firmstest) and returns the distinct detections of the days [last-days+1,
// last] inside box.
func expectedRows(t *testing.T, box orb.Bound, days int, last time.Time) (map[detKey]bool, int) {
	t.Helper()
	entries, err := fs.ReadDir(data.FS, data.FIRMSOctober)
	if err != nil {
		t.Fatal(err)
	}
	first := last.AddDate(0, 0, -(days - 1))
	want := map[detKey]bool{}
	inDays := map[detKey]bool{}
	for _, e := range entries {
		name := path.Join(data.FIRMSOctober, e.Name())
		b, err := fs.ReadFile(data.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		_, hs, rowErrs, err := readFIRMSBody(t, b, name)
		if err != nil || len(rowErrs) > 0 {
			t.Fatalf("%s: %v %v", name, err, rowErrs)
		}
		for _, h := range hs {
			day := h.AcqTime.Truncate(24 * time.Hour)
			if day.Before(first) || day.After(last) {
				continue
			}
			k := detKey{h.Point.Lat(), h.Point.Lon(), h.AcqTime}
			inDays[k] = true
			if box.Contains(h.Point) {
				want[k] = true
			}
		}
	}
	return want, len(inDays)
}

func readFIRMSBody(t *testing.T, body []byte, name string) (*detect.Reader, []*skygrid.Hotspot, []*skygrid.RowError, error) {
	t.Helper()
	rd, err := detect.Open(bytes.NewReader(body), name)
	if err != nil {
		return nil, nil, nil, err
	}
	var hs []*skygrid.Hotspot
	var rowErrs []*skygrid.RowError
	for {
		h, err := rd.Next()
		if err == io.EOF {
			return rd, hs, rowErrs, nil
		}
		var re *skygrid.RowError
		if errors.As(err, &re) {
			rowErrs = append(rowErrs, re)
			continue
		} else if err != nil {
			return rd, hs, rowErrs, err
		}
		hs = append(hs, h)
	}
}

// checkAnswer parses ans.Body and compares it with the detections of the
// embedded files.
func checkAnswer(t *testing.T, ans *firms.Answer, box orb.Bound, days int, last time.Time) {
	t.Helper()
	want, _ := expectedRows(t, box, days, last)
	rd, hs, rowErrs, err := readFIRMSBody(t, ans.Body, "answer")
	if err != nil || len(rowErrs) > 0 {
		t.Fatalf("the answer does not read: %v %v", err, rowErrs)
	}
	if rd.Format() != detect.FormatFIRMSVIIRS {
		t.Errorf("format %s", rd.Format())
	}
	if ans.Rows != len(want) || len(hs) != len(want) {
		t.Fatalf("Rows %d, %d hotspots read; want %d", ans.Rows, len(hs), len(want))
	}
	got := map[detKey]bool{}
	for _, h := range hs {
		k := detKey{h.Point.Lat(), h.Point.Lon(), h.AcqTime}
		if !want[k] {
			t.Errorf("unexpected detection %+v", k)
		}
		if got[k] {
			t.Errorf("detection %+v twice", k)
		}
		got[k] = true
		if h.Satellite != "N20" || h.Source != skygrid.SourceVIIRS {
			t.Errorf("satellite %s source %s", h.Satellite, h.Source)
		}
	}
}

// checkNoKey fails if err's text, or the URL of a *url.Error in it, holds
// the key.
func checkNoKey(t *testing.T, err error, key, base string) {
	t.Helper()
	for e := error(err); e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), key) {
			t.Errorf("the key is in the error: %v", e)
		}
	}
	if strings.Contains(err.Error(), base+"/api/area/csv/"+key) {
		t.Errorf("the URL with the key is in the error: %v", err)
	}
}

func TestFIRMSFetch(t *testing.T) {
	srv := firmstest.New(t)
	c, clock := newFIRMS(t, srv)
	ans, err := c.Fetch(context.Background(), "VIIRS_NOAA20_NRT", datongBox, 2, oct22)
	if err != nil {
		t.Fatal(err)
	}
	want, inDays := expectedRows(t, datongBox, 2, oct22)
	if len(want) < 20 || len(want) >= inDays {
		t.Fatalf("the test needs a box that keeps some and drops some detections: %d of %d", len(want), inDays)
	}
	checkAnswer(t, ans, datongBox, 2, oct22)
	if ans.Attempts != 1 || ans.Transactions != 2 || ans.Source != "VIIRS_NOAA20_NRT" || !ans.FetchedAt.Equal(clock.Now()) {
		t.Errorf("answer %+v", ans)
	}
	if !bytes.HasPrefix(ans.Body, []byte("latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight\n")) {
		t.Errorf("body starts %q", ans.Body[:100])
	}
	wantPath := "/api/area/csv/" + firmstest.DefaultKey + "/VIIRS_NOAA20_NRT/112.6000,39.4000,114.4000,40.6000/2/2023-10-22"
	if p := srv.RequestPaths(); len(p) != 1 || p[0] != wantPath {
		t.Errorf("paths %q, want %q", p, wantPath)
	}
	if len(clock.Sleeps()) != 0 {
		t.Errorf("slept %v", clock.Sleeps())
	}

	t.Run("without a date: FIRMS's latest days", func(t *testing.T) {
		srv.Update(func(s *firmstest.Server) { s.Today = time.Date(2023, 10, 5, 0, 0, 0, 0, time.UTC) })
		ans, err := c.Fetch(context.Background(), "VIIRS_NOAA20_NRT", datongBox, 1, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		checkAnswer(t, ans, datongBox, 1, time.Date(2023, 10, 5, 0, 0, 0, 0, time.UTC))
		if p := srv.RequestPaths(); !strings.HasSuffix(p[len(p)-1], ",40.6000/1") {
			t.Errorf("path %q", p[len(p)-1])
		}
	})

	t.Run("the area is rounded outwards", func(t *testing.T) {
		box := orb.Bound{Min: orb.Point{112.33333, 39.3}, Max: orb.Point{114.11111, 40.7}}
		if _, err := c.Fetch(context.Background(), "VIIRS_NOAA20_NRT", box, 1, oct22); err != nil {
			t.Fatal(err)
		}
		if p := srv.RequestPaths(); !strings.Contains(p[len(p)-1], "/112.3333,39.3000,114.1112,40.7000/1/") {
			t.Errorf("path %q", p[len(p)-1])
		}
	})
}

func TestFIRMSHeaderOnly(t *testing.T) {
	srv := firmstest.New(t)
	c, _ := newFIRMS(t, srv)
	for _, tt := range []struct {
		source string
		box    orb.Bound
	}{
		{"VIIRS_SNPP_NRT", datongBox},
		{"MODIS_NRT", datongBox},
		{"VIIRS_NOAA20_NRT", orb.Bound{Min: orb.Point{-10, -10}, Max: orb.Point{-9, -9}}},
	} {
		ans, err := c.Fetch(context.Background(), tt.source, tt.box, 3, oct22)
		if err != nil {
			t.Fatalf("%s: %v", tt.source, err)
		}
		if ans.Rows != 0 || ans.Attempts != 1 || bytes.Count(ans.Body, []byte("\n")) != 1 {
			t.Errorf("%s: %d rows, %d attempts, body %q", tt.source, ans.Rows, ans.Attempts, ans.Body)
		}
		_, hs, rowErrs, err := readFIRMSBody(t, ans.Body, tt.source)
		if err != nil || len(hs) != 0 || len(rowErrs) != 0 {
			t.Errorf("%s: %v, %d hotspots, %v", tt.source, err, len(hs), rowErrs)
		}
	}
}

func TestFIRMSRetry(t *testing.T) {
	srv := firmstest.New(t)
	c, clock := newFIRMS(t, srv)
	srv.Script(firmstest.Failure{Kind: firmstest.Status429}, firmstest.Failure{Kind: firmstest.Status500})
	ans, err := c.Fetch(context.Background(), "VIIRS_NOAA20_NRT", datongBox, 2, oct22)
	if err != nil {
		t.Fatal(err)
	}
	checkAnswer(t, ans, datongBox, 2, oct22)
	if ans.Attempts != 3 || ans.Transactions != 6 || srv.RequestCount() != 3 {
		t.Errorf("%d attempts, %d transactions, %d requests; want 3, 6, 3", ans.Attempts, ans.Transactions, srv.RequestCount())
	}
	s := clock.Sleeps()
	if len(s) != 2 || s[1] <= s[0] {
		t.Fatalf("sleeps %v, want 2 growing", s)
	}
	// 2s and 4s, ±25%.
	if s[0] < 1500*time.Millisecond || s[0] > 2500*time.Millisecond || s[1] < 3*time.Second || s[1] > 5*time.Second {
		t.Errorf("sleeps %v, want about 2s then 4s", s)
	}

	t.Run("Retry-After", func(t *testing.T) {
		srv.Script(firmstest.Failure{Kind: firmstest.Status429, RetryAfter: "30"})
		before := len(clock.Sleeps())
		ans, err := c.Fetch(context.Background(), "VIIRS_NOAA20_NRT", datongBox, 1, oct22)
		if err != nil {
			t.Fatal(err)
		}
		if s := clock.Sleeps()[before:]; ans.Attempts != 2 || len(s) != 1 || s[0] != 30*time.Second {
			t.Errorf("%d attempts, sleeps %v; want 2 and 30s", ans.Attempts, s)
		}
	})

	t.Run("backoff is capped", func(t *testing.T) {
		c, clock := newFIRMS(t, srv)
		c.Retries = 9
		for range 9 {
			srv.Script(firmstest.Failure{Kind: firmstest.Status500})
		}
		if _, err := c.Fetch(context.Background(), "VIIRS_NOAA20_NRT", datongBox, 1, oct22); err != nil {
			t.Fatal(err)
		}
		s := clock.Sleeps()
		if len(s) != 9 {
			t.Fatalf("sleeps %v", s)
		}
		for _, d := range s {
			if d > 2*time.Minute {
				t.Errorf("slept %s, more than 2 minutes", d)
			}
		}
		if s[8] < 90*time.Second {
			t.Errorf("the last wait is %s, want near the 2 minute cap", s[8])
		}
	})

	t.Run("other 4xx are not retried", func(t *testing.T) {
		// An unknown path: the fake answers 404.
		n := srv.RequestCount()
		c2, _ := newFIRMS(t, srv)
		c2.BaseURL = srv.URL() + "/nowhere"
		_, err := c2.Fetch(context.Background(), "VIIRS_NOAA20_NRT", datongBox, 1, oct22)
		if err == nil || srv.RequestCount() != n+1 || !strings.Contains(err.Error(), "404") {
			t.Errorf("err %v after %d requests", err, srv.RequestCount()-n)
		}
		checkNoKey(t, err, firmstest.DefaultKey, srv.URL())
	})
}

func TestFIRMSInvalidKey(t *testing.T) {
	srv := firmstest.New(t)
	c, clock := newFIRMS(t, srv)
	key := "badbadbad0123456789abcdef0123456"
	c.MapKey = key
	ans, err := c.Fetch(context.Background(), "VIIRS_NOAA20_NRT", datongBox, 1, oct22)
	if err == nil || ans != nil {
		t.Fatalf("answer %v, err %v", ans, err)
	}
	if skygrid.ErrorCode(err) != skygrid.EINVALID {
		t.Errorf("code %s: %v", skygrid.ErrorCode(err), err)
	}
	if srv.RequestCount() != 1 || len(clock.Sleeps()) != 0 {
		t.Errorf("%d requests, sleeps %v; want 1 and none", srv.RequestCount(), clock.Sleeps())
	}
	checkNoKey(t, err, key, srv.URL())
	t.Log(err)
	if !strings.Contains(err.Error(), "badb****") || !strings.Contains(err.Error(), "Invalid MAP_KEY") {
		t.Errorf("err %v, want the masked key and FIRMS's text", err)
	}
	if got := c.Mask("x/" + key + "/y"); got != "x/badb****/y" {
		t.Errorf("Mask: %q", got)
	}
}

func TestFIRMSTextLimit(t *testing.T) {
	srv := firmstest.New(t)

	t.Run("given up", func(t *testing.T) {
		c, clock := newFIRMS(t, srv)
		c.Retries = 2
		for range 3 {
			srv.Script(firmstest.Failure{Kind: firmstest.TextLimit})
		}
		ans, err := c.Fetch(context.Background(), "VIIRS_NOAA20_NRT", datongBox, 1, oct22)
		if err == nil || ans != nil {
			t.Fatalf("answer %+v, err %v; want an error, not empty data", ans, err)
		}
		if !errors.Is(err, firms.ErrLimit) || srv.RequestCount() != 3 {
			t.Errorf("err %v after %d requests", err, srv.RequestCount())
		}
		s := clock.Sleeps()
		if len(s) != 2 || s[0] < 45*time.Second || s[1] <= s[0] {
			t.Errorf("sleeps %v, want 2 growing waits of a minute or more", s)
		}
		checkNoKey(t, err, firmstest.DefaultKey, srv.URL())
	})

	t.Run("then an answer", func(t *testing.T) {
		c, _ := newFIRMS(t, srv)
		srv.Script(firmstest.Failure{Kind: firmstest.TextLimit}, firmstest.Failure{Kind: firmstest.HTMLPage})
		ans, err := c.Fetch(context.Background(), "VIIRS_NOAA20_NRT", datongBox, 2, oct22)
		if err != nil {
			t.Fatal(err)
		}
		if ans.Attempts != 3 {
			t.Errorf("%d attempts", ans.Attempts)
		}
		checkAnswer(t, ans, datongBox, 2, oct22)
	})

	t.Run("past the deadline", func(t *testing.T) {
		c, clock := newFIRMS(t, srv)
		srv.Script(firmstest.Failure{Kind: firmstest.TextLimit})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		n := srv.RequestCount()
		_, err := c.Fetch(ctx, "VIIRS_NOAA20_NRT", datongBox, 1, oct22)
		if !errors.Is(err, firms.ErrLimit) || srv.RequestCount() != n+1 || len(clock.Sleeps()) != 0 {
			t.Errorf("err %v, %d requests, sleeps %v", err, srv.RequestCount()-n, clock.Sleeps())
		}
	})
}

func TestFIRMSCutOff(t *testing.T) {
	srv := firmstest.New(t)
	full, err := firmstest.Answer("VIIRS_NOAA20_NRT", 112.6, 39.4, 114.4, 40.6, 2, oct22)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("retried", func(t *testing.T) {
		c, clock := newFIRMS(t, srv)
		srv.Script(firmstest.Failure{Kind: firmstest.CutMidLine}, firmstest.Failure{Kind: firmstest.ShortBody})
		ans, err := c.Fetch(context.Background(), "VIIRS_NOAA20_NRT", datongBox, 2, oct22)
		if err != nil {
			t.Fatal(err)
		}
		if ans.Attempts != 3 || len(clock.Sleeps()) != 2 || !bytes.Equal(ans.Body, full) {
			t.Errorf("%d attempts, sleeps %v, body of %d bytes (want %d)", ans.Attempts, clock.Sleeps(), len(ans.Body), len(full))
		}
		checkAnswer(t, ans, datongBox, 2, oct22)
	})

	for _, kind := range []firmstest.Kind{firmstest.CutMidLine, firmstest.ShortBody} {
		t.Run(fmt.Sprintf("never returned partially (kind %d)", kind), func(t *testing.T) {
			c, _ := newFIRMS(t, srv)
			c.Retries = 2
			for range 3 {
				srv.Script(firmstest.Failure{Kind: kind})
			}
			n := srv.RequestCount()
			ans, err := c.Fetch(context.Background(), "VIIRS_NOAA20_NRT", datongBox, 2, oct22)
			if err == nil || ans != nil {
				t.Fatalf("answer %+v, err %v", ans, err)
			}
			t.Log(err)
			if !errors.Is(err, firms.ErrTruncated) || srv.RequestCount()-n != 3 {
				t.Errorf("err %v after %d requests", err, srv.RequestCount()-n)
			}
			checkNoKey(t, err, firmstest.DefaultKey, srv.URL())
		})
	}
}

func TestFIRMSTimeout(t *testing.T) {
	srv := firmstest.New(t)
	c, clock := newFIRMS(t, srv)
	c.HTTP = &http.Client{Timeout: 150 * time.Millisecond}
	c.Retries = 2

	t.Run("slow once", func(t *testing.T) {
		srv.Script(firmstest.Failure{Kind: firmstest.Slow, Delay: 2 * time.Second})
		ans, err := c.Fetch(context.Background(), "VIIRS_NOAA20_NRT", datongBox, 1, oct22)
		if err != nil {
			t.Fatal(err)
		}
		if ans.Attempts != 2 {
			t.Errorf("%d attempts", ans.Attempts)
		}
		checkAnswer(t, ans, datongBox, 1, oct22)
	})

	t.Run("always slow", func(t *testing.T) {
		for range 3 {
			srv.Script(firmstest.Failure{Kind: firmstest.Slow, Delay: 2 * time.Second})
		}
		n, slept := srv.RequestCount(), len(clock.Sleeps())
		ans, err := c.Fetch(context.Background(), "VIIRS_NOAA20_NRT", datongBox, 1, oct22)
		if err == nil || ans != nil {
			t.Fatalf("answer %+v, err %v", ans, err)
		}
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("not a timeout: %v", err)
		}
		if srv.RequestCount()-n != 3 || len(clock.Sleeps())-slept != 2 {
			t.Errorf("%d requests, %d sleeps; want 3 and 2", srv.RequestCount()-n, len(clock.Sleeps())-slept)
		}
		checkNoKey(t, err, firmstest.DefaultKey, srv.URL())
		t.Log(err)
		if !strings.Contains(err.Error(), "0f1e****") {
			t.Errorf("err %v, want the masked URL", err)
		}
	})
}

func TestFIRMSBudget(t *testing.T) {
	srv := firmstest.New(t)
	c, clock := newFIRMS(t, srv)
	c.Limit = 3
	start := clock.Now()
	for range 3 {
		if _, err := c.Fetch(context.Background(), "VIIRS_NOAA20_NRT", datongBox, 1, oct22); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
	}
	if s := clock.Sleeps(); len(s) != 0 {
		t.Fatalf("slept %v within the budget", s)
	}
	// 3 minutes in: the 4th request waits until the first leaves the window.
	ans, err := c.Fetch(context.Background(), "VIIRS_NOAA20_NRT", datongBox, 1, oct22)
	if err != nil {
		t.Fatal(err)
	}
	if s := clock.Sleeps(); len(s) != 1 || s[0] != 7*time.Minute {
		t.Errorf("sleeps %v, want one of 7m", s)
	}
	if ans.Attempts != 1 || srv.RequestCount() != 4 || !clock.Now().Equal(start.Add(10*time.Minute)) {
		t.Errorf("%d attempts, %d requests, now %s", ans.Attempts, srv.RequestCount(), clock.Now().Sub(start))
	}

	t.Run("more days than the limit", func(t *testing.T) {
		_, err := c.Fetch(context.Background(), "VIIRS_NOAA20_NRT", datongBox, 4, oct22)
		if skygrid.ErrorCode(err) != skygrid.EINVALID || srv.RequestCount() != 4 {
			t.Errorf("err %v, %d requests", err, srv.RequestCount())
		}
	})

	t.Run("the context ends while waiting", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		c.Sleep = func(ctx context.Context, d time.Duration) error {
			cancel()
			return ctx.Err()
		}
		_, err := c.Fetch(ctx, "VIIRS_NOAA20_NRT", datongBox, 3, oct22)
		if !errors.Is(err, context.Canceled) || srv.RequestCount() != 4 {
			t.Errorf("err %v, %d requests", err, srv.RequestCount())
		}
	})
}

func TestFIRMSValidate(t *testing.T) {
	srv := firmstest.New(t)
	for _, tt := range []struct {
		name   string
		key    string
		source string
		box    orb.Bound
		days   int
	}{
		{"no key", "", "VIIRS_NOAA20_NRT", datongBox, 1},
		{"unknown source", firmstest.DefaultKey, "VIIRS_NOAA19_NRT", datongBox, 1},
		{"0 days", firmstest.DefaultKey, "VIIRS_NOAA20_NRT", datongBox, 0},
		{"11 days", firmstest.DefaultKey, "VIIRS_NOAA20_NRT", datongBox, 11},
		{"empty area", firmstest.DefaultKey, "VIIRS_NOAA20_NRT", orb.Bound{}, 1},
		{"a point", firmstest.DefaultKey, "VIIRS_NOAA20_NRT", orb.Bound{Min: orb.Point{113, 40}, Max: orb.Point{113, 40}}, 1},
		{"inverted", firmstest.DefaultKey, "VIIRS_NOAA20_NRT", orb.Bound{Min: datongBox.Max, Max: datongBox.Min}, 1},
	} {
		c, _ := newFIRMS(t, srv)
		c.MapKey = tt.key
		_, err := c.Fetch(context.Background(), tt.source, tt.box, tt.days, oct22)
		if skygrid.ErrorCode(err) != skygrid.EINVALID {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	if srv.RequestCount() != 0 {
		t.Errorf("%d requests", srv.RequestCount())
	}
	for _, s := range append(firms.DefaultSources, "VIIRS_NOAA20_SP", "VIIRS_SNPP_SP", "MODIS_SP", "LANDSAT_NRT") {
		c, _ := newFIRMS(t, srv)
		if _, err := c.Fetch(context.Background(), s, datongBox, 1, oct22); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
}

// An error page that echoes the request path (with the key) near the cut
// of the error snippet: no 8 characters of the key survive.
func TestErrorPageEchoingTheKeyIsMasked(t *testing.T) {
	const key = "0123456789abcdef0123456789abcdef"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "<html><body>Not Found: the page %s does not exist on this server</body></html>", r.URL.Path)
	}))
	defer srv.Close()
	logs := &firmstest.Logs{}
	c := &firms.Client{BaseURL: srv.URL, MapKey: key, Logger: slog.New(slog.NewTextHandler(logs, nil))}
	_, err := c.Fetch(context.Background(), "VIIRS_NOAA20_NRT", orb.Bound{Min: orb.Point{113, 39}, Max: orb.Point{114, 40}}, 1, time.Time{})
	if err == nil {
		t.Fatal("a 404 page accepted")
	}
	for i := 0; i+8 <= len(key); i++ {
		if w := key[i : i+8]; strings.Contains(err.Error(), w) || strings.Contains(logs.String(), w) {
			t.Fatalf("key piece %q in %q", w, err)
		}
	}
}
