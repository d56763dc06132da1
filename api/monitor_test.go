package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/dispatch"
	"skygrid/dustrule"
	"skygrid/geo"
)

// addMonitors puts a monitor on the site in grid A and one on the site in
// grid B (invented, 示例).
func (w *world) addMonitors(t *testing.T) []int64 {
	t.Helper()
	ctx := context.Background()
	var ms []skygrid.MonitorImport
	for i, g := range []string{w.gridA, w.gridB} {
		r, err := w.db.FindRegionByID(ctx, g)
		if err != nil {
			t.Fatal(err)
		}
		c := geo.Centroid(r.Geometry)
		ms = append(ms, skygrid.MonitorImport{Monitor: skygrid.Monitor{MN: fmt.Sprintf("MN%d", i), Password: "123456",
			Name: fmt.Sprintf("监测仪%d（示例）", i), Kind: skygrid.MonitorDust, Lon: c[0], Lat: c[1]}, Where: fmt.Sprint("item ", i)})
	}
	if _, err := w.db.ImportMonitors(ctx, ms); err != nil {
		t.Fatal(err)
	}
	return []int64{ms[0].ID, ms[1].ID}
}

func TestMonitorsAPI(t *testing.T) {
	w := newWorld(t)
	ids := w.addMonitors(t)
	at := w.clock.Add(-30 * time.Minute).UTC()
	body := fmt.Sprintf(`[{"mn":"MN0","at":%q,"values":{"a34002":0.12,"pm25":50},"flags":{"a34002":"N"}},
		{"mn":"MN0","at":%q,"values":{"a34002":0.12}},
		{"mn":"NOPE","at":%q,"values":{"pm10":1}}]`, at.Format(time.RFC3339), at.Format(time.RFC3339), at.Format(time.RFC3339))
	var res skygrid.ReadingsResult
	if st := w.do(t, "admin", "POST", "/api/readings", json.RawMessage(body), &res); st != 200 || res.Stored != 1 || res.Duplicates != 1 ||
		len(res.Refused) != 1 || *res.Refused[0].Index != 2 || res.Refused[0].Field != "mn" {
		t.Fatalf("POST /api/readings: %d %+v", st, res)
	}
	csvBody := "mn,time,pm10\nMN1," + at.Format(time.RFC3339) + ",300\n"
	if st, _, msg := w.post(t, "admin", "/api/readings", "text/csv", strings.NewReader(csvBody)); st != 200 {
		t.Fatalf("POST /api/readings CSV: %d %s", st, msg)
	}
	if st, _, msg := w.post(t, "admin", "/api/readings", "text/csv", strings.NewReader("mn,when\n")); st != 400 || !strings.Contains(msg, "line 1: column when") {
		t.Fatalf("POST /api/readings bad CSV: %d %s", st, msg)
	}
	for _, tc := range []struct {
		name, user, method, url string
		want                    int
	}{
		{"official may not post readings", "officialA", "POST", "/api/readings", 403},
		{"auditor may not read rejects", "auditor", "GET", "/api/admin/packet-rejects", 403},
		{"admin reads rejects", "admin", "GET", "/api/admin/packet-rejects", 200},
		{"other county's monitor", "officialA", "GET", fmt.Sprintf("/api/monitors/%d", ids[1]), 403},
		{"own county's monitor", "officialA", "GET", fmt.Sprintf("/api/monitors/%d", ids[0]), 200},
		{"unknown monitor", "admin", "GET", "/api/monitors/999", 404},
		{"3 days of minutes", "admin", "GET", fmt.Sprintf("/api/monitors/%d/readings?res=minute&from=2023-10-28T00:00:00Z&to=2023-10-31T00:00:00Z", ids[0]), 400},
		{"bad res", "admin", "GET", fmt.Sprintf("/api/monitors/%d/readings?res=day", ids[0]), 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.method == "POST" {
				if st, _, _ := w.post(t, tc.user, tc.url, "application/json", strings.NewReader("[]")); st != tc.want {
					t.Fatalf("%d, want %d", st, tc.want)
				}
				return
			}
			if st := w.do(t, tc.user, tc.method, tc.url, nil, nil); st != tc.want {
				t.Fatalf("%d, want %d", st, tc.want)
			}
		})
	}
	var list struct {
		Items []skygrid.MonitorItem `json:"items"`
		Total int                   `json:"total"`
	}
	if st := w.do(t, "admin", "GET", "/api/monitors", nil, &list); st != 200 || list.Total != 2 || list.Items[1].PM10 == nil || *list.Items[1].PM10 != 300 ||
		list.Items[0].Level != 2 || list.Items[0].Colour != "#ffff00" || list.Items[1].Level != 4 || list.Items[1].Colour != "#ff0000" {
		t.Fatalf("admin's monitors: %d %+v", st, list)
	}
	if st := w.do(t, "officialA", "GET", "/api/monitors", nil, &list); st != 200 || list.Total != 1 || list.Items[0].MN != "MN0" ||
		list.Items[0].PM10 == nil || *list.Items[0].PM10 != 120 {
		t.Fatalf("official A's monitors: %d %+v", st, list)
	}
	var series struct {
		Points []skygrid.SeriesPoint `json:"points"`
	}
	if st := w.do(t, "admin", "GET", fmt.Sprintf("/api/monitors/%d/readings?res=minute", ids[0]), nil, &series); st != 200 ||
		len(series.Points) != 1 || series.Points[0].Values["pm10"] != 120 || series.Points[0].Values["pm25"] != 50 {
		t.Fatalf("minute series: %d %+v", st, series)
	}
}

// POST /api/readings goes through the reading sink of the services (the
// dust checker in serve): readings exceeding a rule open a dust task at
// the monitor's grid, once however often they are posted.
func TestPostedReadingsOpenDustTask(t *testing.T) {
	w := newWorld(t)
	w.addMonitors(t)
	p, err := dispatch.New(w.db, dispatch.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	cfg := dustrule.DefaultConfig()
	cfg.Active = []string{"shanghai_15min"} // a 15-minute TSP mean over 2 mg/m³ more than once a day
	c := dispatch.NewDustChecker(w.db, p, cfg, 50)
	c.Now = w.db.Now
	w.readings = c
	w.serve(t)
	var b strings.Builder
	b.WriteString("mn,time,tsp\n")
	start := w.clock.Truncate(time.Hour).Add(-time.Hour) // two whole 15-minute windows and the next minute
	for i := 0; i < 31; i++ {
		fmt.Fprintf(&b, "MN0,%s,3000\n", start.Add(time.Duration(i)*time.Minute).UTC().Format(time.RFC3339))
	}
	for round := 0; round < 2; round++ {
		if st, _, msg := w.post(t, "admin", "/api/readings", "text/csv", strings.NewReader(b.String())); st != 200 {
			t.Fatalf("POST /api/readings: %d %s", st, msg)
		}
		class := skygrid.ClassDustExceedance
		tasks, _, err := w.db.FindTasks(context.Background(), skygrid.TaskFilter{Class: &class})
		if err != nil || len(tasks) != 1 || tasks[0].GridID != w.gridA {
			t.Fatalf("round %d: dust tasks %+v %v, want one in grid %s", round, tasks, err, w.gridA)
		}
	}
}
