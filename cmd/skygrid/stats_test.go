package main

import (
	"bytes"
	"context"
	"database/sql"
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
// independent count written here (not the store's code path): the events
// and tasks read plainly from the tables (no SQL but SELECT of columns,
// the same on both stores) and counted in Go. The demo's invented history
// has worked the tasks, so findings, closures and response times are not
// all zero. Cross-border fires (outside the city) are counted apart from
// the city's figures.
func TestOctoberStatsMatchAnIndependentQuery(t *testing.T) {
	dsn, st := demoOctoberStats(t)
	raw, _ := rawSQL(t, dsn)
	q := readOctober(t, raw)
	want := q.events()
	q.tasks(want)
	q.ackMedians(want)
	if len(st.Areas) != len(want) || len(want) < 8 {
		t.Fatalf("%d areas, the query has %d", len(st.Areas), len(want))
	}
	sumEvents, checked := compareCounties(t, st, want)
	if st.Total.Events != sumEvents || st.YearAgo == nil || st.YearAgo.Total.Events != 0 {
		t.Errorf("total %d events (areas %d); a year ago %+v", st.Total.Events, sumEvents, st.YearAgo)
	}
	if outside := q.crossBorder(); st.CrossBorder != outside || outside == 0 {
		t.Errorf("%d cross-border events counted apart, the query has %d", st.CrossBorder, outside)
	}
	if st.Total.ConfirmedStraw == 0 || st.Total.ByFinding[skygrid.FindingFalseAlarm] == 0 || st.Total.AckMedianMin == nil {
		t.Errorf("the demo's history worked no task: %+v", st.Total)
	}
	t.Logf("October 2023: %d events, %d tasks in %d counties; confirmed straw %d", st.Total.Events, checked, len(st.Areas), st.Total.ConfirmedStraw)
}

// October 2023 in Beijing time.
var octoberSince, octoberUntil = time.Date(2023, 9, 30, 16, 0, 0, 0, time.UTC), time.Date(2023, 10, 31, 16, 0, 0, 0, time.UTC)

// demoOctoberStats builds the demo season in a fresh database and returns its DSN
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

// rawEvent and rawTask are rows of events and tasks as stored.
type rawEvent struct {
	id, hotspots, crossBorder int64
	county, class, firstSeen  string
}

type rawTask struct {
	eventID                                      int64
	state, finding, acked, dispatched, createdAt string
}

// octoberQuery holds October's events (by first_seen, in Beijing time)
// and their tasks, read plainly.
type octoberQuery struct {
	evs map[int64]rawEvent
	tks []rawTask
}

// readOctober reads every event and task (SELECT of columns, no
// function but COALESCE: the same on both stores) and keeps October's.
func readOctober(t *testing.T, raw *sql.DB) octoberQuery {
	t.Helper()
	q := octoberQuery{evs: map[int64]rawEvent{}}
	rows, err := raw.Query(`SELECT id, hotspot_count, cross_border, COALESCE(county_id, ''), class, first_seen FROM events`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var e rawEvent
		if err := rows.Scan(&e.id, &e.hotspots, &e.crossBorder, &e.county, &e.class, &e.firstSeen); err != nil {
			t.Fatal(err)
		}
		if at, err := time.Parse(time.RFC3339, e.firstSeen); err != nil {
			t.Fatalf("event %d first seen %q: %v", e.id, e.firstSeen, err)
		} else if !at.Before(octoberSince) && at.Before(octoberUntil) {
			q.evs[e.id] = e
		}
	}
	rows.Close()
	if rows, err = raw.Query(`SELECT event_id, state, finding, acknowledged_at, dispatched_at, created_at FROM tasks`); err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k rawTask
		if err := rows.Scan(&k.eventID, &k.state, &k.finding, &k.acked, &k.dispatched, &k.createdAt); err != nil {
			t.Fatal(err)
		}
		if _, ok := q.evs[k.eventID]; ok {
			q.tks = append(q.tks, k)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return q
}

// events counts the city's events by county ("" for none).
func (q octoberQuery) events() map[string]*countyFig {
	want := map[string]*countyFig{}
	for _, e := range q.evs {
		if e.crossBorder != 0 {
			continue
		}
		f := want[e.county]
		if f == nil {
			f = &countyFig{}
			want[e.county] = f
		}
		f.events++
		f.hotspots += int(e.hotspots)
		if e.class == skygrid.ClassStrawBurning {
			f.straw++
		}
	}
	return want
}

// crossBorder counts the events outside the city.
func (q octoberQuery) crossBorder() int {
	n := 0
	for _, e := range q.evs {
		if e.crossBorder != 0 {
			n++
		}
	}
	return n
}

// tasks counts the tasks of the city's events by their event's county.
func (q octoberQuery) tasks(want map[string]*countyFig) {
	for _, k := range q.tks {
		e := q.evs[k.eventID]
		if e.crossBorder != 0 {
			continue
		}
		f := want[e.county]
		f.tasks++
		if k.state == "closed" && k.finding == "straw_burning" {
			f.confirmed++
		}
		if k.finding == "false_alarm" {
			f.falseAlarms++
		}
		if k.state == "dispatched" || k.state == "acknowledged" {
			f.unverified++
		}
	}
}

// ackMedians are each county's median minutes from dispatch (or
// creation) to acknowledgement: the lower middle of the sorted minutes.
func (q octoberQuery) ackMedians(want map[string]*countyFig) {
	mins := map[string][]float64{}
	for _, k := range q.tks {
		e := q.evs[k.eventID]
		if e.crossBorder != 0 || k.acked == "" {
			continue
		}
		from := k.createdAt
		if k.dispatched != "" {
			from = k.dispatched
		}
		ack, _ := time.Parse(time.RFC3339, k.acked)
		start, _ := time.Parse(time.RFC3339, from)
		mins[e.county] = append(mins[e.county], ack.Sub(start).Minutes())
	}
	for c, f := range want {
		ms := mins[c]
		slices.Sort(ms)
		f.ackMedian = -1
		if len(ms) > 0 {
			f.ackMedian = ms[int(math.Ceil(0.5*float64(len(ms))))-1]
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
