package intake_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/dispatch/dispatchtest"
	"skygrid/intake"
	"skygrid/orbit"
	"skygrid/orbit/orbittest"
)

// TestTLEFeed: the feed fetches from a server on 127.0.0.1, keeps a good
// set in the store and records every outcome in the feeds' health; a
// failed fetch (a closed port, an error status, a text without the fire
// satellites) stores nothing and the passes go on from the embedded set.
func TestTLEFeed(t *testing.T) {
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedURL := "http://" + closed.Addr().String() + "/gp.php"
	closed.Close()
	tests := []struct {
		name    string
		status  int
		body    string
		url     string // "" the test server
		err     string
		fetched bool
	}{
		{name: "newer set", status: 200, body: orbittest.NewerNOAA20, fetched: true},
		{name: "offline", url: closedURL, err: "connect"},
		{name: "error status", status: 503, body: "busy", err: "HTTP 503"},
		{name: "no fire satellites", status: 200, body: "ISS (ZARYA)\n1 25544U 98067A   26150.51748226  .00011870  00000+0  21933-3 0  9996\n2 25544  51.6337  27.5746 0007247 114.7056 245.4688 15.49496692569015\n", err: "none of the fire satellites"},
		{name: "not a TLE text", status: 200, body: "1 43013U broken\n", err: "none of the fire satellites"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			db := dispatchtest.OpenDB(t, dispatchtest.Fixed)
			url := tt.url
			if url == "" {
				url = srv.URL + "/NORAD/elements/gp.php"
			}
			now := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
			feed := &intake.TLEFeed{URL: url, Store: db, Status: db, Now: func() time.Time { return now }, Client: &http.Client{Timeout: 2 * time.Second}}
			err := feed.PullOnce(context.Background())
			if (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("error %v, want %q", err, tt.err)
			}
			feeds, ferr := db.FindFeeds(context.Background())
			if ferr != nil || len(feeds) != 1 || feeds[0].Source != intake.TLESource || feeds[0].Pulls != 1 {
				t.Fatalf("feeds %+v, %v", feeds, ferr)
			}
			if st := feeds[0]; (st.LastError != "") == tt.fetched || st.LastSuccess.IsZero() == tt.fetched {
				t.Errorf("feed status %+v", st)
			}
			set, _ := db.LatestTLESet(context.Background())
			if (set != nil) != tt.fetched {
				t.Fatalf("stored set %v, want one: %v", set, tt.fetched)
			}
			svc := &orbit.Service{Store: db}
			list, err := svc.Passes(context.Background(), skygrid.PassCity, now, now.Add(48*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			want, age := skygrid.TLEEmbedded, 61
			if tt.fetched {
				want, age = skygrid.TLEFetched, 0
			}
			if list.TLESource != want || list.TLEAgeDays != age || len(list.Passes) < 20 {
				t.Errorf("passes from %s, %d days old (%d passes); want %s, %d days", list.TLESource, list.TLEAgeDays, len(list.Passes), want, age)
			}
		})
	}
}
