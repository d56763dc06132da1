package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/api"
)

// GET /api/stats has the dust section of the period in the user's scope,
// the same figures as the store's; the dust export and the monthly report
// have it too.
func TestStatsDustSection(t *testing.T) {
	w := newWorld(t)
	*w.clock = time.Date(2023, 11, 1, 4, 0, 0, 0, time.UTC)
	ids := w.addMonitors(t)
	// The monitors were registered now; three hours later, 45 minutes of
	// readings from the second hour on.
	at := w.clock.Add(time.Hour).UTC().Truncate(time.Hour)
	*w.clock = w.clock.Add(3 * time.Hour)
	var body strings.Builder
	body.WriteString("mn,time,pm10\n")
	for i := range 45 {
		fmt.Fprintf(&body, "MN0,%s,80\n", at.Add(time.Duration(i)*time.Minute).Format(time.RFC3339))
	}
	if st, _, msg := w.post(t, "admin", "/api/readings", "text/csv", strings.NewReader(body.String())); st != 200 {
		t.Fatalf("POST /api/readings: %d %s", st, msg)
	}
	since := time.Date(2023, 10, 31, 16, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		user     string
		scope    *skygrid.Scope
		monitors []int64
	}{
		{"auditor", &skygrid.Scope{All: true}, ids},
		{"officialA", &skygrid.Scope{Regions: []string{w.countyA}}, ids[:1]},
	} {
		t.Run(tc.user, func(t *testing.T) {
			var got api.StatsAnswer
			if st := w.do(t, tc.user, "GET", "/api/stats?period=2023-11", nil, &got); st != 200 || got.Dust == nil {
				t.Fatalf("%d, dust %v", st, got.Dust)
			}
			want, err := w.db.DustStats(context.Background(), skygrid.DustQuery{Since: since, Until: since.AddDate(0, 0, 30), Scope: tc.scope})
			if err != nil {
				t.Fatal(err)
			}
			wantJSON, _ := json.Marshal(want.Counties)
			gotJSON, _ := json.Marshal(got.Dust.Counties)
			if string(gotJSON) != string(wantJSON) || !reflect.DeepEqual(got.Dust.Total, want.Total) {
				t.Errorf("dust counties %s total %+v, the store's %s %+v", gotJSON, got.Dust.Total, wantJSON, want.Total)
			}
			if len(got.Dust.Monitors) != len(tc.monitors) || got.Dust.Monitors[0].MonitorID != ids[0] || got.Dust.Total.ValidMinutes != 45 {
				t.Errorf("monitors %+v, want %v with 45 valid minutes", *got.Dust.Monitors[0], tc.monitors)
			}
		})
	}
	st, csv := w.get(t, "auditor", "/api/exports/dust.csv?period=2023-11")
	if st != 200 || !strings.Contains(string(csv), "数据获取率(%)") || !strings.Contains(string(csv), "合计") {
		t.Errorf("dust.csv: %d %s", st, csv)
	}
	st, page := w.get(t, "auditor", "/api/reports/monthly?month=2023-10")
	if st != 200 || !strings.Contains(string(page), "五、扬尘监测") {
		t.Errorf("monthly: %d, without the dust section", st)
	}
}
