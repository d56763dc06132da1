package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/api"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// embeddedEpoch is the newest epoch of orbit/tle/fallback.txt
// (26277.61259523: 14:42:08.228 UTC; NOAA 20's 26277.53648533, 12:52, is
// not the newest, and a test that took it failed every day between 12:52
// and 14:42 UTC).
var embeddedEpoch = time.Date(2026, 10, 4, 14, 42, 8, 228000000, time.UTC)

func TestPassesAPI(t *testing.T) {
	ts := newTestServer(t)
	t.Run("default place and age", func(t *testing.T) {
		var l skygrid.PassList
		get(t, ts.URL+"/api/passes", 200, &l)
		age := int(time.Since(embeddedEpoch).Hours() / 24)
		if d := l.TLEEpoch.Sub(embeddedEpoch); d < -time.Second || d > time.Second {
			t.Errorf("TLE epoch %s, want the embedded set's newest %s", l.TLEEpoch, embeddedEpoch)
		}
		// no city region imported (counties only): the Datong centre
		if l.TLESource != skygrid.TLEEmbedded || l.TLEAgeDays != age || l.Lon != skygrid.PassCity[0] || l.Lat != skygrid.PassCity[1] {
			t.Errorf("source %s, age %d at %v,%v; want embedded, %d at %v", l.TLESource, l.TLEAgeDays, l.Lon, l.Lat, age, skygrid.PassCity)
		}
		// five satellites, each about twice a day over 48 hours
		if len(l.Passes) < 15 || len(l.Passes) > 40 {
			t.Fatalf("%d passes in 48 h", len(l.Passes))
		}
		for i, p := range l.Passes {
			if p.Peak.Before(time.Now().Add(-time.Minute)) || (i > 0 && p.Peak.Before(l.Passes[i-1].Peak)) || !p.Start.Before(p.End) {
				t.Errorf("pass %d: %+v", i, p)
			}
		}
	})
	t.Run("hours", func(t *testing.T) {
		var l skygrid.PassList
		get(t, ts.URL+"/api/passes?hours=6&lon=113.5&lat=39.5", 200, &l)
		for _, p := range l.Passes {
			if p.Peak.After(time.Now().Add(6*time.Hour + time.Minute)) {
				t.Errorf("pass at %s beyond 6 hours", p.Peak)
			}
		}
		if l.Lon != 113.5 || l.Lat != 39.5 {
			t.Errorf("place %v,%v", l.Lon, l.Lat)
		}
	})
	for _, tc := range []struct{ name, query, field string }{
		{"lat out of range", "lon=113&lat=91", "lat"},
		{"lon without lat", "lon=113", "lat"},
		{"not a number", "lon=east&lat=40", "lon"},
		{"hours beyond a week", "hours=200", "hours"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e api.ErrorResponse
			get(t, ts.URL+"/api/passes?"+tc.query, 400, &e)
			if !strings.Contains(e.Error.Message, tc.field) {
				t.Errorf("message %q does not name %s", e.Error.Message, tc.field)
			}
		})
	}
	t.Run("public: no session, the place rounded to 0.1°", func(t *testing.T) {
		resp, err := http.Get(ts.URL + "/public/api/passes?lon=113.3449&lat=40.0751")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var l skygrid.PassList
		if err := json.NewDecoder(resp.Body).Decode(&l); err != nil || resp.StatusCode != 200 {
			t.Fatalf("status %d, %v", resp.StatusCode, err)
		}
		if fmt.Sprintf("%.4f,%.4f", l.Lon, l.Lat) != "113.3000,40.1000" || len(l.Passes) < 15 {
			t.Errorf("place %v,%v, %d passes", l.Lon, l.Lat, len(l.Passes))
		}
	})
	t.Run("the logged-in route needs a session", func(t *testing.T) {
		resp, err := http.Get(ts.URL + "/api/passes")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("status %d, want 401", resp.StatusCode)
		}
	})
}

// The coverage map: each satellite's last pass within a day, its swath
// covering the place it passed over, its peak in the past.
func TestPassCoverage(t *testing.T) {
	ts := newTestServer(t)
	var cov api.PassCoverage
	get(t, ts.URL+"/api/passes/coverage", 200, &cov)
	var raw fc
	get(t, ts.URL+"/api/passes/coverage", 200, &raw)
	if len(raw.Features) != len(skygrid.FireSatellites) {
		t.Fatalf("%d swaths, want one per fire satellite", len(raw.Features))
	}
	centre := orb.Point{cov.Lon, cov.Lat}
	seen := map[string]bool{}
	for _, f := range raw.Features {
		ring := f.Geometry["coordinates"].([]any)[0].([]any)
		var poly orb.Ring
		for _, c := range ring {
			xy := c.([]any)
			poly = append(poly, orb.Point{xy[0].(float64), xy[1].(float64)})
		}
		peak, _ := time.Parse(time.RFC3339, f.Props["peak"].(string))
		sat := f.Props["satellite"].(string)
		seen[sat] = true
		if !planar.RingContains(poly, centre) || peak.After(time.Now()) || time.Since(peak) > 24*time.Hour {
			t.Errorf("%s: swath holds %v: %v, peak %s", sat, centre, planar.RingContains(poly, centre), peak)
		}
	}
	if len(seen) != len(skygrid.FireSatellites) || cov.TLESource != skygrid.TLEEmbedded {
		t.Errorf("satellites %v, source %s", seen, cov.TLESource)
	}
}

// A fire task and its event say which pass saw the first detection: the
// test data's detections are NOAA-20's of October 2023, whose pass comes
// from the embedded 2023 elements, within ten minutes of the detection.
func TestTaskSaysWhichPass(t *testing.T) {
	ts := newTestServer(t)
	var tasks api.TaskList
	get(t, ts.URL+"/api/tasks?limit=20", 200, &tasks)
	if len(tasks.Tasks) < 5 {
		t.Fatalf("%d tasks", len(tasks.Tasks))
	}
	worst := time.Duration(0)
	for _, it := range tasks.Tasks {
		var v api.TaskView
		get(t, fmt.Sprintf("%s/api/tasks/%d", ts.URL, it.ID), 200, &v)
		if v.Pass == nil {
			t.Errorf("task %d: no pass", it.ID)
			continue
		}
		d := v.Pass.Peak.Sub(v.Event.FirstSeen).Abs()
		worst = max(worst, d)
		if v.Pass.Satellite != "NOAA-20" || d > skygrid.PassWindow {
			t.Errorf("task %d first seen %s: pass %+v", it.ID, v.Event.FirstSeen, v.Pass)
		}
		var one struct {
			Props struct {
				Pass *skygrid.Pass `json:"pass"`
			} `json:"properties"`
		}
		get(t, fmt.Sprintf("%s/api/events/%d", ts.URL, v.EventID), 200, &one)
		if one.Props.Pass == nil || !one.Props.Pass.Peak.Equal(v.Pass.Peak) {
			t.Errorf("event %d: pass %+v, the task's %+v", v.EventID, one.Props.Pass, v.Pass)
		}
	}
	t.Logf("largest peak-to-detection difference %s", worst)
}
