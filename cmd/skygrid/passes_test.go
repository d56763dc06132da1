package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/internal/storetest"
	"skygrid/orbit/orbittest"
	"skygrid/store"
)

// serve fetches the orbital elements from [passes] tle_url (here a server
// on 127.0.0.1) at start, records the fetch in the feeds' health, and the
// public passes then come from the fetched set.
func TestServeFetchesOrbitalElements(t *testing.T) {
	var asked string
	tle := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = r.URL.RawQuery
		w.Write([]byte(orbittest.NewerNOAA20))
	}))
	defer tle.Close()
	m, out, _ := testMain()
	m.Offline = false // this test's URL is on 127.0.0.1
	now := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
	m.Now = func() time.Time { return now }
	ready := make(chan string, 1)
	m.Ready = func(url string) { ready <- url }
	db := storetest.DSN(t, "passes.db")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- m.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--data", dataDir(t, db), "--set", "passes.tle_url=" + tle.URL + "/gp.php?CATNR=43013"})
	}()
	url := <-ready
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	var list skygrid.PassList
	deadline := time.Now().Add(20 * time.Second)
	for list.TLESource != skygrid.TLEFetched && time.Now().Before(deadline) {
		resp, err := http.Get(url + "/public/api/passes")
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(resp.Body).Decode(&list)
		resp.Body.Close()
	}
	if list.TLESource != skygrid.TLEFetched || list.TLEAgeDays != 0 || len(list.Passes) < 15 || asked != "CATNR=43013" {
		t.Fatalf("passes from %s (%d days, %d passes); the server was asked %q", list.TLESource, list.TLEAgeDays, len(list.Passes), asked)
	}
	s := store.NewDB(db)
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	feeds, err := s.FindFeeds(context.Background())
	if err != nil || len(feeds) != 1 || feeds[0].Source != "tle" || feeds[0].LastSuccess.IsZero() || feeds[0].RowsLast != 1 {
		t.Errorf("feeds %+v, %v", feeds, err)
	}
	if !strings.Contains(out.String(), "fetching orbital elements every 24h0m0s: "+tle.URL) {
		t.Errorf("output %q does not say it fetches", out)
	}
}
