package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"skygrid"
	"skygrid/dispatch"
	"skygrid/internal/storetest"
	"skygrid/store"
)

// The October 2023 demo season's statistics match, for every county, an
// independent SQL query written here (not the store's code path). The
// demo's invented history has worked the tasks, so findings, closures and
// response times are not all zero. Cross-border fires (outside the city)
// are counted apart from the city's figures.
func TestOctoberStatsMatchAnIndependentQuery(t *testing.T) {
	storetest.SkipPostgres(t, "the independent query is SQLite SQL (julianday, TOTAL, IFNULL) read on the file")
	path, st := demoOctoberStats(t)
	// The independent query, straight on the file.
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	q := octoberQuery{raw: raw, since: octoberSince.Format(time.RFC3339), until: octoberUntil.Format(time.RFC3339)}
	want := q.events(t)
	q.tasks(t, want)
	q.ackMedians(want)
	if len(st.Areas) != len(want) || len(want) < 8 {
		t.Fatalf("%d areas, the query has %d", len(st.Areas), len(want))
	}
	sumEvents, checked := compareCounties(t, st, want)
	if st.Total.Events != sumEvents || st.YearAgo == nil || st.YearAgo.Total.Events != 0 {
		t.Errorf("total %d events (areas %d); a year ago %+v", st.Total.Events, sumEvents, st.YearAgo)
	}
	var outside int
	raw.QueryRow(`SELECT COUNT(*) FROM events WHERE first_seen >= ? AND first_seen < ? AND cross_border = 1`, q.since, q.until).Scan(&outside)
	if st.CrossBorder != outside || outside == 0 {
		t.Errorf("%d cross-border events counted apart, the query has %d", st.CrossBorder, outside)
	}
	if st.Total.ConfirmedStraw == 0 || st.Total.ByFinding[skygrid.FindingFalseAlarm] == 0 || st.Total.AckMedianMin == nil {
		t.Errorf("the demo's history worked no task: %+v", st.Total)
	}
	t.Logf("October 2023: %d events, %d tasks in %d counties; confirmed straw %d", st.Total.Events, checked, len(st.Areas), st.Total.ConfirmedStraw)
	_ = fmt.Sprint
}

// October 2023 in Beijing time.
var octoberSince, octoberUntil = time.Date(2023, 9, 30, 16, 0, 0, 0, time.UTC), time.Date(2023, 10, 31, 16, 0, 0, 0, time.UTC)

// demoOctoberStats builds the demo season in a file and returns its path
// and October's statistics.
func demoOctoberStats(t *testing.T) (string, *skygrid.Stats) {
	t.Helper()
	dir := t.TempDir()
	path := storetest.DSN(t, "stats.db")
	db := store.NewDB(path)
	clock := time.Date(2023, 11, 1, 4, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return clock }
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p, err := dispatch.New(db, dispatch.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	p.Now = db.Now
	if err := BuildDemo(context.Background(), db, p, &bytes.Buffer{}, filepath.Join(dir, "photos")); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// The demo's own invented history worked the tasks (findings,
	// closures, response times); the figures are asked a day later.
	db.Now = func() time.Time { return clock }
	clock = time.Date(2023, 11, 1, 4, 0, 0, 0, time.UTC)
	st, err := db.Stats(ctx, skygrid.StatsQuery{Since: octoberSince, Until: octoberUntil})
	if err != nil {
		t.Fatal(err)
	}
	return path, st
}

// countyFig is one county's figures.
type countyFig struct {
	events, hotspots, straw, tasks, confirmed, falseAlarms, unverified int
	ackMedian                                                          float64
}

// octoberQuery asks the tables directly, by county.
type octoberQuery struct {
	raw          *sql.DB
	since, until string
}

func (q octoberQuery) events(t *testing.T) map[string]*countyFig {
	t.Helper()
	want := map[string]*countyFig{}
	rows, err := q.raw.Query(`SELECT IFNULL(county_id, ''), COUNT(*), TOTAL(hotspot_count), TOTAL(class = 'straw_burning') FROM events
		WHERE first_seen >= ? AND first_seen < ? AND cross_border = 0 GROUP BY IFNULL(county_id, '')`, q.since, q.until)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		var n int
		var hs, straw float64
		rows.Scan(&c, &n, &hs, &straw)
		want[c] = &countyFig{events: n, hotspots: int(hs), straw: int(straw)}
	}
	return want
}

func (q octoberQuery) tasks(t *testing.T, want map[string]*countyFig) {
	t.Helper()
	rows, err := q.raw.Query(`SELECT IFNULL(e.county_id, ''), COUNT(*), TOTAL(t.state = 'closed' AND t.finding = 'straw_burning'),
		TOTAL(t.finding = 'false_alarm'), TOTAL(t.state IN ('dispatched', 'acknowledged'))
		FROM tasks t, events e WHERE e.id = t.event_id AND e.first_seen >= ? AND e.first_seen < ? AND e.cross_border = 0 GROUP BY IFNULL(e.county_id, '')`,
		q.since, q.until)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		var n int
		var conf, fa, unv float64
		rows.Scan(&c, &n, &conf, &fa, &unv)
		f := want[c]
		f.tasks, f.confirmed, f.falseAlarms, f.unverified = n, int(conf), int(fa), int(unv)
	}
}

func (q octoberQuery) ackMedians(want map[string]*countyFig) {
	for c, f := range want {
		var mins []float64
		r, _ := q.raw.Query(`SELECT (julianday(t.acknowledged_at) - julianday(CASE WHEN t.dispatched_at <> '' THEN t.dispatched_at ELSE t.created_at END)) * 1440
			FROM tasks t, events e WHERE e.id = t.event_id AND t.acknowledged_at <> '' AND IFNULL(e.county_id, '') = ? AND e.first_seen >= ? AND e.first_seen < ?
			AND e.cross_border = 0`,
			c, q.since, q.until)
		for r.Next() {
			var m float64
			r.Scan(&m)
			mins = append(mins, m)
		}
		r.Close()
		slices.Sort(mins)
		f.ackMedian = -1
		if len(mins) > 0 {
			f.ackMedian = mins[int(math.Ceil(0.5*float64(len(mins))))-1]
		}
	}
}

// compareCounties compares each county's statistics with the query's and
// returns the events and tasks the counties add up to.
func compareCounties(t *testing.T, st *skygrid.Stats, want map[string]*countyFig) (sumEvents, checked int) {
	t.Helper()
	for _, a := range st.Areas {
		f := want[a.RegionID]
		if f == nil {
			t.Errorf("county %s not in the query", a.RegionID)
			continue
		}
		got := countyFig{a.Events, a.Hotspots, a.ByClass[skygrid.ClassStrawBurning], a.Tasks, a.ConfirmedStraw, a.FalseAlarms, a.Unverified, -1}
		if a.AckMedianMin != nil {
			got.ackMedian = *a.AckMedianMin
		}
		if math.Abs(got.ackMedian-f.ackMedian) > 0.1 {
			t.Errorf("%s %s: ack median %.1f, the query %.1f", a.RegionID, a.RegionName, got.ackMedian, f.ackMedian)
		}
		got.ackMedian = f.ackMedian
		if got != *f {
			t.Errorf("%s %s: %+v, the query %+v", a.RegionID, a.RegionName, got, *f)
		}
		sumEvents += a.Events
		checked += a.Tasks
	}
	return sumEvents, checked
}
