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
	"skygrid/store"
)

// The audit page's series (daily counts by class, response times, the
// confirmed straw burning) over the October 2023 season match an
// independent count written here (the events and tasks read plainly from
// the tables, the same SQL on both stores, and counted in Go), city-wide,
// for one county, and in an official's scope.
func TestStatsSeriesMatchesAnIndependentQuery(t *testing.T) {
	w := newWorld(t)
	worked := workTheSeason(t, w)
	// October in Beijing time.
	q := readSeries(t, w.db.DSN, time.Date(2023, 9, 30, 16, 0, 0, 0, time.UTC), time.Date(2023, 10, 31, 16, 0, 0, 0, time.UTC))
	city := q.want("")
	if len(city.confirmed) < 3 || len(city.resp) < 5 || worked < 10 {
		t.Fatalf("too little worked for the test: %d confirmed, %d reported", len(city.confirmed), len(city.resp))
	}
	t.Run("auditor city-wide", func(t *testing.T) {
		var got api.SeriesView
		if st := w.do(t, "auditor", "GET", "/api/stats/series?period=2023-10", nil, &got); st != 200 {
			t.Fatalf("auditor series: %d", st)
		}
		compareSeries(t, "auditor", got, city)
	})
	// An official sees county A only, whatever region is asked for.
	t.Run("official in county A", func(t *testing.T) {
		seriesOfOfficialA(t, w, q.want(w.countyA), city)
	})
	// The auditor narrows to county B.
	t.Run("auditor in county B", func(t *testing.T) {
		var got api.SeriesView
		w.do(t, "auditor", "GET", "/api/stats/series?period=2023-10&region="+w.countyB, nil, &got)
		compareSeries(t, "auditor in county B", got, q.want(w.countyB))
	})
	// A week has 7 days; a supervisor may not ask; a bad period is 400.
	t.Run("week", func(t *testing.T) {
		var got api.SeriesView
		if st := w.do(t, "auditor", "GET", "/api/stats/series?period=2023-W43", nil, &got); st != 200 || len(got.Days) != 7 || got.Days[0].Day != "2023-10-23" {
			t.Errorf("week: %d, %d days", st, len(got.Days))
		}
	})
	for _, c := range []struct {
		name, user, period string
		want               int
	}{
		{"supervisor", "supervisorA", "2023-10", 403},
		{"bad period", "auditor", "October", 400},
	} {
		t.Run(c.name, func(t *testing.T) {
			if st := w.do(t, c.user, "GET", "/api/stats/series?period="+c.period, nil, nil); st != c.want {
				t.Errorf("%s: %d", c.name, st)
			}
		})
	}
}

// workTheSeason works some tasks through the lifecycle, in county A and
// elsewhere: acknowledged, reported straw burning or false alarm, some
// closed; it returns how many were reported.
func workTheSeason(t *testing.T, w *world) int {
	t.Helper()
	ctx := context.Background()
	admin := &skygrid.User{ID: 1, Name: "admin", Role: skygrid.RoleAdmin}
	tasks, _, err := w.db.FindTasks(ctx, skygrid.TaskFilter{})
	if err != nil || len(tasks) < 50 {
		t.Fatalf("%d tasks: %v", len(tasks), err)
	}
	photo := []*skygrid.Photo{{SHA256: "0000000000000000000000000000000000000000000000000000000000000000", Mime: "image/jpeg", Size: 1, Width: 1, Height: 1}}
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
	return worked
}

// seriesOfOfficialA checks official A's series against county A's query,
// and that asking for county B shows nothing.
func seriesOfOfficialA(t *testing.T, w *world, a, city seriesWant) {
	t.Helper()
	if len(a.confirmed) == 0 || len(a.confirmed) == len(city.confirmed) {
		t.Fatalf("county A: %d of %d confirmed", len(a.confirmed), len(city.confirmed))
	}
	var got api.SeriesView
	if st := w.do(t, "officialA", "GET", "/api/stats/series?period=2023-10", nil, &got); st != 200 {
		t.Fatalf("official series: %d", st)
	}
	compareSeries(t, "officialA", got, a)
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
}

// seriesWant answers the series' questions straight from the tables.
type seriesWant struct {
	days      map[string]map[string]int
	ack, resp []float64
	confirmed []int64
}

// seriesEvent and seriesTask are rows of events and tasks as stored.
type seriesEvent struct {
	id, crossBorder          int64
	county, class, firstSeen string
}

type seriesTask struct {
	eventID                                                int64
	state, finding, acked, reported, dispatched, createdAt string
}

// seriesQuery holds one period's events (by first_seen) and their
// tasks, read plainly.
type seriesQuery struct {
	events map[int64]seriesEvent
	tasks  []seriesTask
}

// readSeries reads every event and task of the database (SELECT of
// columns, no function but COALESCE: the same on both stores, with the
// driver alone) and keeps those of events first seen in [since, until).
func readSeries(t *testing.T, dsn string, since, until time.Time) seriesQuery {
	t.Helper()
	driver := "sqlite3"
	if store.IsPostgres(dsn) {
		driver = "pgx" // registered by the store
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	q := seriesQuery{events: map[int64]seriesEvent{}}
	rows, err := raw.Query(`SELECT id, cross_border, COALESCE(county_id, ''), class, first_seen FROM events`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var e seriesEvent
		if err := rows.Scan(&e.id, &e.crossBorder, &e.county, &e.class, &e.firstSeen); err != nil {
			t.Fatal(err)
		}
		if at := parseStored(t, e.firstSeen); !at.Before(since) && at.Before(until) {
			q.events[e.id] = e
		}
	}
	rows.Close()
	if rows, err = raw.Query(`SELECT event_id, state, finding, acknowledged_at, reported_at, dispatched_at, created_at FROM tasks`); err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k seriesTask
		if err := rows.Scan(&k.eventID, &k.state, &k.finding, &k.acked, &k.reported, &k.dispatched, &k.createdAt); err != nil {
			t.Fatal(err)
		}
		for _, at := range []string{k.acked, k.reported, k.dispatched, k.createdAt} {
			if at != "" {
				parseStored(t, at)
			}
		}
		if _, ok := q.events[k.eventID]; ok {
			q.tasks = append(q.tasks, k)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return q
}

func parseStored(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("a stored time %q: %v", s, err)
	}
	return at
}

// in keeps to the city's events (those outside it, cross-border, are
// counted apart), or to one county when the county is not "".
func (q seriesQuery) in(e seriesEvent, county string) bool {
	return e.crossBorder == 0 && (county == "" || e.county == county)
}

// want answers for county "" (the city) or one county: the events by
// Beijing day and class, the minutes from dispatch (or creation) to
// acknowledgement and to report, and the events of closed tasks that
// found straw burning.
func (q seriesQuery) want(county string) seriesWant {
	wt := seriesWant{days: map[string]map[string]int{}}
	for _, e := range q.events {
		if !q.in(e, county) {
			continue
		}
		day := parseTime(e.firstSeen).Add(8 * time.Hour).Format("2006-01-02")
		if wt.days[day] == nil {
			wt.days[day] = map[string]int{}
		}
		wt.days[day][e.class]++
	}
	for _, k := range q.tasks {
		if !q.in(q.events[k.eventID], county) {
			continue
		}
		from := parseTime(k.createdAt)
		if k.dispatched != "" {
			from = parseTime(k.dispatched)
		}
		if k.acked != "" {
			wt.ack = append(wt.ack, math.Round(parseTime(k.acked).Sub(from).Minutes()*100)/100)
		}
		if k.reported != "" {
			wt.resp = append(wt.resp, math.Round(parseTime(k.reported).Sub(from).Minutes()*100)/100)
		}
		if k.state == "closed" && k.finding == "straw_burning" {
			wt.confirmed = append(wt.confirmed, k.eventID)
		}
	}
	slices.Sort(wt.ack)
	slices.Sort(wt.resp)
	slices.Sort(wt.confirmed)
	return wt
}

// parseTime parses a stored time already checked by readSeries.
func parseTime(s string) time.Time {
	at, _ := time.Parse(time.RFC3339, s)
	return at
}

func roundMinutes(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = math.Round(x*100) / 100
	}
	slices.Sort(out)
	return out
}

// compareSeries checks one answer of the API against the query's.
func compareSeries(t *testing.T, name string, got api.SeriesView, wt seriesWant) {
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
	if !slices.Equal(roundMinutes(got.AckMinutes), wt.ack) || !slices.Equal(roundMinutes(got.ReportMinutes), wt.resp) {
		t.Errorf("%s: ack minutes %v, want %v; report minutes %v, want %v", name, roundMinutes(got.AckMinutes), wt.ack, roundMinutes(got.ReportMinutes), wt.resp)
	}
	compareConfirmed(t, name, got.Confirmed, wt.confirmed)
}

func compareConfirmed(t *testing.T, name string, confirmed []skygrid.ConfirmedFire, want []int64) {
	t.Helper()
	var ids []int64
	for _, c := range confirmed {
		ids = append(ids, c.ID)
		if c.Finding != skygrid.FindingStrawBurning || (c.CountyID != "") != (c.CountyName != "") || c.Notes == "" || c.TaskID == 0 ||
			c.Lon < 112 || c.Lon > 115 || c.Lat < 39 || c.Lat > 41 || c.ClosedAt.IsZero() {
			t.Errorf("%s: confirmed %+v", name, c)
		}
	}
	slices.Sort(ids)
	if !slices.Equal(ids, want) {
		t.Errorf("%s: confirmed %v, want %v", name, ids, want)
	}
}
