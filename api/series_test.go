package api_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"skygrid"
	"skygrid/api"
)

// The audit page's series (daily counts by class, response times, the
// confirmed straw burning) over the October 2023 season match independent
// SQL written here, city-wide, for one county, and in an official's scope.
func TestStatsSeriesMatchesAnIndependentQuery(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	admin := &skygrid.User{ID: 1, Name: "admin", Role: skygrid.RoleAdmin}
	tasks, _, err := w.db.FindTasks(ctx, skygrid.TaskFilter{})
	if err != nil || len(tasks) < 50 {
		t.Fatalf("%d tasks: %v", len(tasks), err)
	}
	photo := []*skygrid.Photo{{SHA256: "0000000000000000000000000000000000000000000000000000000000000000", Mime: "image/jpeg", Size: 1, Width: 1, Height: 1}}
	// Work some tasks through the lifecycle, in county A and elsewhere:
	// acknowledged, reported straw burning or false alarm, some closed.
	worked := 0
	for i, tk := range tasks {
		if i%4 != 0 && tk.CountyID != w.countyA {
			continue
		}
		*w.clock = tk.CreatedAt.Add(time.Duration(5+i%50) * time.Minute)
		if _, err := w.db.UpdateTask(ctx, tk.ID, 0, skygrid.ActionAcknowledge, admin, skygrid.TaskChange{}, nil); err != nil {
			t.Fatal(err)
		}
		if i%3 == 2 {
			continue
		}
		*w.clock = w.clock.Add(time.Duration(15+i%130) * time.Minute)
		finding := []string{skygrid.FindingStrawBurning, skygrid.FindingFalseAlarm}[i%2]
		if _, err := w.db.UpdateTask(ctx, tk.ID, 0, skygrid.ActionReport, admin, skygrid.TaskChange{Finding: finding, Notes: fmt.Sprint("核查 ", tk.ID)}, photo); err != nil {
			t.Fatal(err)
		}
		if i%5 != 4 {
			if _, err := w.db.UpdateTask(ctx, tk.ID, 0, skygrid.ActionClose, admin, skygrid.TaskChange{}, nil); err != nil {
				t.Fatal(err)
			}
		}
		worked++
	}
	*w.clock = time.Date(2023, 11, 1, 4, 0, 0, 0, time.UTC)

	raw, err := sql.Open("sqlite3", w.db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	since, until := "2023-09-30T16:00:00Z", "2023-10-31T16:00:00Z" // October in Beijing time
	// want answers the same questions straight from the tables; county
	// "" for the city.
	type want struct {
		days      map[string]map[string]int
		ack, resp []float64
		confirmed []int64
	}
	query := func(county string) want {
		// The city's events: those outside it (cross-border) are counted apart.
		cond := "(? = '' OR e.county_id = ?) AND e.cross_border = 0"
		var wt want
		wt.days = map[string]map[string]int{}
		rows, err := raw.Query(`SELECT date(e.first_seen, '+8 hours'), e.class, COUNT(*) FROM events e
			WHERE e.first_seen >= ? AND e.first_seen < ? AND `+cond+` GROUP BY 1, 2`, since, until, county, county)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var day, class string
			var n int
			rows.Scan(&day, &class, &n)
			if wt.days[day] == nil {
				wt.days[day] = map[string]int{}
			}
			wt.days[day][class] = n
		}
		rows.Close()
		mins := func(col string) []float64 {
			rows, err := raw.Query(`SELECT (julianday(t.`+col+`) - julianday(CASE WHEN t.dispatched_at <> '' THEN t.dispatched_at ELSE t.created_at END)) * 1440
				FROM tasks t JOIN events e ON e.id = t.event_id
				WHERE t.`+col+` <> '' AND e.first_seen >= ? AND e.first_seen < ? AND `+cond, since, until, county, county)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []float64
			for rows.Next() {
				var m float64
				rows.Scan(&m)
				out = append(out, math.Round(m*100)/100)
			}
			slices.Sort(out)
			return out
		}
		wt.ack, wt.resp = mins("acknowledged_at"), mins("reported_at")
		rows, err = raw.Query(`SELECT e.id FROM tasks t JOIN events e ON e.id = t.event_id
			WHERE t.state = 'closed' AND t.finding = 'straw_burning' AND e.first_seen >= ? AND e.first_seen < ? AND `+cond+` ORDER BY e.id`,
			since, until, county, county)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			wt.confirmed = append(wt.confirmed, id)
		}
		rows.Close()
		return wt
	}
	round := func(xs []float64) []float64 {
		out := make([]float64, len(xs))
		for i, x := range xs {
			out[i] = math.Round(x*100) / 100
		}
		slices.Sort(out)
		return out
	}
	compare := func(name string, got api.SeriesView, wt want) {
		t.Helper()
		if len(got.Days) != 31 || got.Days[0].Day != "2023-10-01" || got.Days[30].Day != "2023-10-31" {
			t.Fatalf("%s: %d days from %v", name, len(got.Days), got.Days)
		}
		events := 0
		for _, d := range got.Days {
			for c, n := range d.ByClass {
				events += n
				if wt.days[d.Day][c] != n {
					t.Errorf("%s: %s %s: %d events, the query has %d", name, d.Day, c, n, wt.days[d.Day][c])
				}
			}
			for c, n := range wt.days[d.Day] {
				if d.ByClass[c] != n {
					t.Errorf("%s: %s %s: the query has %d events, the series %d", name, d.Day, c, n, d.ByClass[c])
				}
			}
		}
		if events == 0 {
			t.Errorf("%s: no events", name)
		}
		if !slices.Equal(round(got.AckMinutes), wt.ack) || !slices.Equal(round(got.ReportMinutes), wt.resp) {
			t.Errorf("%s: ack minutes %v, want %v; report minutes %v, want %v", name, round(got.AckMinutes), wt.ack, round(got.ReportMinutes), wt.resp)
		}
		var ids []int64
		for _, c := range got.Confirmed {
			ids = append(ids, c.ID)
			if c.Finding != skygrid.FindingStrawBurning || (c.CountyID != "") != (c.CountyName != "") || c.Notes == "" || c.TaskID == 0 ||
				c.Lon < 112 || c.Lon > 115 || c.Lat < 39 || c.Lat > 41 || c.ClosedAt.IsZero() {
				t.Errorf("%s: confirmed %+v", name, c)
			}
		}
		slices.Sort(ids)
		if !slices.Equal(ids, wt.confirmed) {
			t.Errorf("%s: confirmed %v, want %v", name, ids, wt.confirmed)
		}
	}

	city := query("")
	if len(city.confirmed) < 3 || len(city.resp) < 5 || worked < 10 {
		t.Fatalf("too little worked for the test: %d confirmed, %d reported", len(city.confirmed), len(city.resp))
	}
	var got api.SeriesView
	if st := w.do(t, "auditor", "GET", "/api/stats/series?period=2023-10", nil, &got); st != 200 {
		t.Fatalf("auditor series: %d", st)
	}
	compare("auditor", got, city)

	// An official sees county A only, whatever region is asked for.
	a := query(w.countyA)
	if len(a.confirmed) == 0 || len(a.confirmed) == len(city.confirmed) {
		t.Fatalf("county A: %d of %d confirmed", len(a.confirmed), len(city.confirmed))
	}
	got = api.SeriesView{}
	if st := w.do(t, "officialA", "GET", "/api/stats/series?period=2023-10", nil, &got); st != 200 {
		t.Fatalf("official series: %d", st)
	}
	compare("officialA", got, a)
	for _, c := range got.Confirmed {
		if c.CountyID != w.countyA {
			t.Errorf("official A sees a confirmed fire in %s", c.CountyID)
		}
	}
	got = api.SeriesView{}
	w.do(t, "officialA", "GET", "/api/stats/series?period=2023-10&region="+w.countyB, nil, &got)
	for _, d := range got.Days {
		if len(d.ByClass) > 0 {
			t.Errorf("official A sees county B's events on %s: %v", d.Day, d.ByClass)
		}
	}

	// The auditor narrows to county B.
	got = api.SeriesView{}
	w.do(t, "auditor", "GET", "/api/stats/series?period=2023-10&region="+w.countyB, nil, &got)
	compare("auditor in county B", got, query(w.countyB))

	// A week has 7 days; a supervisor may not ask; a bad period is 400.
	got = api.SeriesView{}
	if st := w.do(t, "auditor", "GET", "/api/stats/series?period=2023-W43", nil, &got); st != 200 || len(got.Days) != 7 || got.Days[0].Day != "2023-10-23" {
		t.Errorf("week: %d, %d days", st, len(got.Days))
	}
	if st := w.do(t, "supervisorA", "GET", "/api/stats/series?period=2023-10", nil, nil); st != 403 {
		t.Errorf("supervisor: %d", st)
	}
	if st := w.do(t, "auditor", "GET", "/api/stats/series?period=October", nil, nil); st != 400 {
		t.Errorf("bad period: %d", st)
	}
}
