package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"skygrid"
)

type eventList struct {
	Total    int `json:"total"`
	Features []struct {
		Props map[string]any `json:"properties"`
	} `json:"features"`
}

// GET /api/events?crossborder=true lists the fires outside the city, for
// admins and auditors, each saying where it burns; crossborder=false and
// history= keep the others; officials and supervisors get 403 for the
// cross-border list and never see such fires. GET /api/me tells the
// server's clock.
func TestCrossBorderAndHistoryFilters(t *testing.T) {
	w := newWorld(t)
	var all, outside, city, hist eventList
	for _, q := range []struct {
		url  string
		into *eventList
	}{{"/api/events?limit=5000", &all}, {"/api/events?crossborder=true&limit=5000", &outside},
		{"/api/events?crossborder=false&limit=5000", &city}, {"/api/events?history=true&limit=5000", &hist}} {
		if st := w.do(t, "auditor", "GET", q.url, nil, q.into); st != 200 {
			t.Fatalf("auditor %s: %d", q.url, st)
		}
	}
	// The world's files are ingested whole, each when it came: detections
	// of an earlier pass in a later file (the source has no 21 October)
	// came more than max_age late and are history.
	if outside.Total == 0 || outside.Total+city.Total != all.Total || hist.Total == 0 || hist.Total == all.Total {
		t.Fatalf("%d events: %d cross-border, %d in the city, %d history", all.Total, outside.Total, city.Total, hist.Total)
	}
	for _, f := range hist.Features {
		if f.Props["history"] != true || f.Props["task"] != nil {
			t.Errorf("a history event: %v", f.Props)
			break
		}
	}
	for _, f := range outside.Features {
		note, _ := f.Props["border_note"].(string)
		if f.Props["cross_border"] != true || f.Props["task"] != nil || f.Props["county_id"] != "" ||
			f.Props["near_county_name"] == "" || len(note) < len("市外") {
			t.Errorf("a cross-border event: %v", f.Props)
			break
		}
	}
	for _, f := range city.Features {
		if f.Props["cross_border"] != false || f.Props["border_note"] != nil {
			t.Errorf("a city event: %v", f.Props)
			break
		}
	}
	for _, u := range []string{"officialA", "supervisorA"} {
		if st := w.do(t, u, "GET", "/api/events?crossborder=true", nil, nil); st != 403 {
			t.Errorf("%s lists the cross-border fires: %d", u, st)
		}
		var mine eventList
		if st := w.do(t, u, "GET", "/api/events?limit=5000", nil, &mine); st != 200 {
			t.Fatalf("%s: %d", u, st)
		}
		for _, f := range mine.Features {
			if f.Props["cross_border"] == true {
				t.Errorf("%s sees a cross-border fire: %v", u, f.Props)
				break
			}
		}
	}
	if st := w.do(t, "auditor", "GET", "/api/events?crossborder=maybe", nil, nil); st != 400 {
		t.Errorf("crossborder=maybe: %d", st)
	}
	var me struct {
		Now time.Time `json:"now"`
	}
	if st := w.do(t, "supervisorA", "GET", "/api/me", nil, &me); st != 200 || !me.Now.Equal(*w.clock) {
		t.Errorf("/api/me: %d, now %s, the server's clock %s", st, me.Now, *w.clock)
	}
}

// TestMeSaysTheLatestDetection: GET /api/me and the log-in's answer give
// the latest detection at or before the server's clock, which the web
// app opens its map and statistics on (a city's own season, not the
// demo's October 2023); none before the first detection.
func TestMeSaysTheLatestDetection(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	latest := func(before time.Time) time.Time {
		t.Helper()
		until := before.Add(time.Minute)
		hs, _, err := w.db.FindHotspotPage(ctx, skygrid.HotspotFilter{Until: &until, Limit: 1})
		if err != nil || len(hs) != 1 {
			t.Fatalf("the newest detection before %s: %v %v", before, hs, err)
		}
		return hs[0].AcqTime
	}
	var me struct {
		Now    time.Time  `json:"now"`
		Latest *time.Time `json:"latest_detection"`
	}
	for _, at := range []time.Time{*w.clock, time.Date(2023, 10, 15, 4, 0, 0, 0, time.UTC)} {
		*w.clock = at
		want := latest(at)
		me.Latest = nil
		if st := w.do(t, "supervisorA", "GET", "/api/me", nil, &me); st != 200 || me.Latest == nil || !me.Latest.Equal(want) {
			t.Errorf("/api/me at %s: %d, latest_detection %v, want %s", at, st, me.Latest, want)
		}
		if want.After(at) {
			t.Errorf("the newest detection %s is after %s", want, at)
		}
	}
	me.Latest = nil
	resp, err := http.Post(w.srv.URL+"/api/login", "application/json", strings.NewReader(`{"name":"officialA","password":"`+testPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := json.Unmarshal(b, &me); resp.StatusCode != 200 || err != nil || me.Latest == nil || !me.Latest.Equal(latest(*w.clock)) {
		t.Errorf("the log-in's answer: %d %v, latest_detection %v", resp.StatusCode, err, me.Latest)
	}
	*w.clock = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	_, raw := w.get(t, "supervisorA", "/api/me")
	if strings.Contains(string(raw), "latest_detection") {
		t.Errorf("/api/me before any detection: %s, want no latest_detection", raw)
	}
}

// TestMeSaysTheArea: GET /api/me gives the box of the user's area, which
// the map opens on: a supervisor's grid, an official's county, and for
// a city-wide auditor the counties' (all of Datong's ten), not the
// neighbours'.
func TestMeSaysTheArea(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	boxOf := func(id string) []float64 {
		r, err := w.db.FindRegionByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return []float64{r.Bound.Min[0], r.Bound.Min[1], r.Bound.Max[0], r.Bound.Max[1]}
	}
	var city []float64
	for _, id := range []string{"140213", "140214", "140215", "140221", "140222", "140223", "140224", "140225", "140226", "140212"} {
		b := boxOf(id)
		if city == nil {
			city = b
		}
		city = []float64{min(city[0], b[0]), min(city[1], b[1]), max(city[2], b[2]), max(city[3], b[3])}
	}
	for _, c := range []struct {
		user string
		want []float64
	}{{"supervisorA", boxOf(w.gridA)}, {"officialA", boxOf(w.countyA)}, {"auditor", city}} {
		var me struct {
			Area []float64 `json:"area"`
		}
		if st := w.do(t, c.user, "GET", "/api/me", nil, &me); st != 200 || !slices.Equal(me.Area, c.want) {
			t.Errorf("%s: /api/me %d, area %v, want %v", c.user, st, me.Area, c.want)
		}
	}
}

// TestStatsAnswerCompressed: the figures' JSON goes gzip-compressed to a
// client that takes it (a province's is over a megabyte), the same JSON
// once read; the XLSX export is sent as it is.
func TestStatsAnswerCompressed(t *testing.T) {
	w := newWorld(t)
	checkCompressed(t, w, "/api/stats?period=2023-10")
	if x, _ := getZipped(t, w, "/api/stats?period=2023-10&format=xlsx", true); x.StatusCode != 200 || x.Header.Get("Content-Encoding") != "" {
		t.Errorf("the XLSX export: %d, Content-Encoding %q; want it as it is", x.StatusCode, x.Header.Get("Content-Encoding"))
	}
}

// TestListsAnswerCompressed: the lists' JSON goes gzip-compressed too (a
// province's county outlines are 4.7 MB), the same JSON once read.
func TestListsAnswerCompressed(t *testing.T) {
	w := newWorld(t)
	for _, path := range []string{"/api/regions?level=county&geometry=true", "/api/regions/140225", "/api/events?limit=500",
		"/api/hotspots?limit=500", "/api/tasks?limit=200", "/api/sites?limit=200"} {
		checkCompressed(t, w, path)
	}
}

// getZipped GETs path as the auditor, asking for gzip or not; the body as sent.
func getZipped(t *testing.T, w *world, path string, gzip bool) (*http.Response, []byte) {
	t.Helper()
	rq, _ := http.NewRequest("GET", w.srv.URL+path, nil)
	rq.Header.Set("Authorization", "Bearer "+w.tokens["auditor"])
	if gzip {
		rq.Header.Set("Accept-Encoding", "gzip")
	}
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// checkCompressed: path's answer comes gzip-compressed when asked for,
// smaller, and the same JSON once read.
func checkCompressed(t *testing.T, w *world, path string) {
	t.Helper()
	plain, want := getZipped(t, w, path, false)
	zipped, body := getZipped(t, w, path, true)
	if plain.StatusCode != 200 || zipped.StatusCode != 200 || zipped.Header.Get("Content-Encoding") != "gzip" || len(body) >= len(want) {
		t.Errorf("%s: %d and %d, Content-Encoding %q, %d bytes against %d", path, plain.StatusCode, zipped.StatusCode,
			zipped.Header.Get("Content-Encoding"), len(body), len(want))
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(zr)
	if !bytes.Equal(got, want) {
		t.Errorf("%s: the compressed answer reads %d bytes, not the %d of the plain one", path, len(got), len(want))
	}
}
