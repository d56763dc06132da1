package loadgen

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

func TestRunCounts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		if strings.HasSuffix(r.URL.Path, "/missing") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("X-Tile-Cache", "hit")
		w.Write([]byte("0123456789"))
	}))
	defer srv.Close()
	reqs := []Request{
		{Kind: "tiles", URL: srv.URL + "/a", Token: "tok"},
		{Kind: "lists", URL: srv.URL + "/missing", Token: "tok"},
		{Kind: "lists", URL: srv.URL + "/b"},
	}
	kinds := Run(Client(2, time.Second), reqs, 2, time.Now().Add(200*time.Millisecond))
	tiles, lists := kinds["tiles"], kinds["lists"]
	if tiles == nil || lists == nil {
		t.Fatalf("kinds: %v", kinds)
	}
	if tiles.Errs != 0 || tiles.Status[200] != len(tiles.Lat) || tiles.Hits != len(tiles.Lat) || tiles.Bytes != int64(10*len(tiles.Lat)) {
		t.Errorf("tiles: %d requests, %d errors, statuses %v, %d hits, %d bytes", len(tiles.Lat), tiles.Errs, tiles.Status, tiles.Hits, tiles.Bytes)
	}
	if lists.Errs != len(lists.Lat) || lists.Status[404]+lists.Status[401] != len(lists.Lat) || !strings.Contains(lists.FirstErr, srv.URL) {
		t.Errorf("lists: %d requests, %d errors, statuses %v, first %q", len(lists.Lat), lists.Errs, lists.Status, lists.FirstErr)
	}
}

func TestPct(t *testing.T) {
	s := &Stats{}
	if got := s.Pct(0.5); got != "-" {
		t.Errorf("no requests: %q", got)
	}
	for i := 1; i <= 100; i++ {
		s.Lat = append(s.Lat, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want string
	}{{0.5, "50.00 ms"}, {0.99, "99.00 ms"}, {1, "100.00 ms"}} {
		if got := s.Pct(c.p); got != c.want {
			t.Errorf("p%.0f: %q, want %q", c.p*100, got, c.want)
		}
	}
	s.Lat = []time.Duration{1500 * time.Millisecond}
	if got := s.Pct(1); got != "1.50 s" {
		t.Errorf("seconds: %q", got)
	}
}

func TestTilesOver(t *testing.T) {
	sq := orb.MultiPolygon{{{{113, 40}, {113.5, 40}, {113.5, 40.5}, {113, 40.5}, {113, 40}}}}
	all := TilesOver([]orb.MultiPolygon{sq}, 10, 1000)
	few := TilesOver([]orb.MultiPolygon{sq}, 10, 3)
	if len(all) < 4 || len(few) != 3 {
		t.Fatalf("%d tiles, %d sampled", len(all), len(few))
	}
	for _, tl := range all {
		c := tl.Center()
		if c[0] < 112.9 || c[0] > 113.6 || c[1] < 39.9 || c[1] > 40.6 {
			t.Errorf("tile %v centred at %v, far from the area", tl, c)
		}
	}
}
