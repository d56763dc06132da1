package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/demo"
)

// checkDemoMonitors checks, on a running demo, what the demo fleet adds:
// a monitor (示例) for each construction site with 30 days of history, the
// fleet's packets arriving over HJ 212 after the backfill, the demo
// cameras' snapshots probed (the silent monitor's camera down), and the
// demo's HLS stream.
func checkDemoMonitors(t *testing.T, client *http.Client, url string) {
	t.Helper()
	var ms []skygrid.MonitorItem
	deadline := time.Now().Add(90 * time.Second)
	for {
		ms = sessionJSON[struct {
			Items []skygrid.MonitorItem `json:"items"`
		}](t, client, url+"/api/monitors").Items
		if fresh, probed := demoFleetSeen(ms); fresh && probed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no packet of the demo fleet after the backfill, or no snapshot probed, in 90 s: %+v", ms)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(ms) != 30 {
		t.Errorf("%d demo monitors, want one per construction site (30)", len(ms))
	}
	for _, m := range ms {
		if !m.Demo || !strings.Contains(m.Name, "示例") || m.SiteName == "" || m.SnapshotURL == "" {
			t.Errorf("monitor %s: demo %v, name %q, site %q, snapshot %q: want a 示例 monitor on its site with a snapshot URL",
				m.MN, m.Demo, m.Name, m.SiteName, m.SnapshotURL)
		}
		if m.MN == "DEMOC06" && (m.VideoError == "" || m.VideoSeenAt != nil) {
			t.Errorf("DEMOC06 (silent, camera down): seen %v, error %q", m.VideoSeenAt, m.VideoError)
		}
	}
	from := demo.Start.Add(-30 * 24 * time.Hour).UTC().Format(time.RFC3339)
	series := sessionJSON[struct {
		Points []skygrid.SeriesPoint `json:"points"`
	}](t, client, fmt.Sprintf("%s/api/monitors/%d/readings?res=hour&from=%s&to=%s", url, ms[0].ID, from, demo.Start.UTC().Format(time.RFC3339)))
	if len(series.Points) < 29*24 {
		t.Errorf("%s: %d hours of history, want 30 days", ms[0].MN, len(series.Points))
	}
	for _, tc := range []struct{ path, ctype string }{
		{"/demo/snapshots/DEMOC02", "image/jpeg"},
		{"/demo/hls/site/index.m3u8", "application/vnd.apple.mpegurl"},
		{"/demo/hls/site/seg0.ts", "video/mp2t"},
	} {
		resp, err := http.Get(url + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tc.ctype {
			t.Errorf("GET %s: %d %s, want 200 %s", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), tc.ctype)
		}
	}
}

// demoFleetSeen: a monitor has a reading after the demo's start (sent by
// the fleet, not backfilled), and a snapshot was probed and seen.
func demoFleetSeen(ms []skygrid.MonitorItem) (fresh, probed bool) {
	for _, m := range ms {
		fresh = fresh || !m.LastAt.Before(demo.Start.Truncate(time.Minute))
		probed = probed || m.VideoSeenAt != nil
	}
	return fresh, probed
}

// sessionJSON decodes a GET with the client's session.
func sessionJSON[T any](t *testing.T, client *http.Client, url string) T {
	t.Helper()
	var v T
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return v
}
