package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"skygrid"

	"github.com/paulmach/orb"
)

// listRegions are a city, a county, a township under it, grids under each
// of them and a grid without a parent.
func listRegions() []*skygrid.Region {
	sq := func(x float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x, 40}, {x + 0.01, 40}, {x + 0.01, 40.01}, {x, 40.01}, {x, 40}}}}
	}
	return []*skygrid.Region{
		{ID: "CITY", Name: "示例市", Level: skygrid.LevelCity, Geometry: sq(113)},
		{ID: "C1", Name: "示例县", Level: skygrid.LevelCounty, Geometry: sq(113)},
		{ID: "T1", Name: "示例镇", Level: skygrid.LevelTownship, ParentID: "C1", Geometry: sq(113)},
		{ID: "G1", Name: "示例网格一", Level: skygrid.LevelGrid, ParentID: "T1", Geometry: sq(113)},
		{ID: "G2", Name: "示例网格二", Level: skygrid.LevelGrid, ParentID: "C1", Geometry: sq(113.1)},
		{ID: "G3", Name: "示例网格三", Level: skygrid.LevelGrid, Geometry: sq(113.2)},
		{ID: "G4", Name: "示例网格四", Level: skygrid.LevelGrid, ParentID: "CITY", Geometry: sq(113.3)},
	}
}

// The list columns of the tasks an ingest creates, computed in Go, equal
// what 0010_lists.sql's insert trigger computes: by the grid's parents,
// else the event's county and township; a task whose event was saved by
// an earlier transaction is left to the trigger.
func TestIngestTaskLists(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if err := db.ImportRegions(ctx, listRegions()); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, grid, county, township string }{
		{"grid under a township", "G1", "C9", "T9"},
		{"grid under a county", "G2", "C9", "T9"},
		{"grid without a parent: the event's", "G3", "C9", "T9"},
		{"grid under the city: the event's", "G4", "C9", ""},
		{"no grid: the event's", "", "C8", "T8"},
		{"no grid, no county", "", "", ""},
	}
	var earlier int64 // an event saved before the task's transaction
	err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
		var err error
		earlier, err = tx.NewEventID(ctx)
		if err != nil {
			return err
		}
		return tx.SaveResult(ctx, &skygrid.IngestResult{Events: []*skygrid.Event{listEvent(earlier, "", "C7", "T7")}})
	})
	if err != nil {
		t.Fatal(err)
	}
	tasks := map[string]*skygrid.Task{}
	err = db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
		r := &skygrid.IngestResult{}
		for _, c := range cases {
			id, err := tx.NewEventID(ctx)
			if err != nil {
				return err
			}
			r.Events = append(r.Events, listEvent(id, c.grid, c.county, c.township))
			tasks[c.name] = &skygrid.Task{EventID: id, GridID: c.grid, State: skygrid.TaskDispatched, AckDue: ingestAt, ReportDue: ingestAt}
			r.NewTasks = append(r.NewTasks, tasks[c.name])
		}
		tasks["event saved earlier: the trigger's"] = &skygrid.Task{EventID: earlier, State: skygrid.TaskDispatched, AckDue: ingestAt, ReportDue: ingestAt}
		r.NewTasks = append(r.NewTasks, tasks["event saved earlier: the trigger's"])
		return tx.SaveResult(ctx, r)
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, task := range tasks {
		t.Run(name, func(t *testing.T) {
			var first, county, township, wFirst, wCounty, wTownship string
			err := db.QueryRowForTest(ctx, `SELECT tasks.list_first_seen, tasks.list_county_id, tasks.list_township_id, e.first_seen,
				COALESCE(CASE gp.level WHEN 'county' THEN g.parent_id WHEN 'township' THEN gp.parent_id ELSE e.county_id END, ''),
				COALESCE(CASE gp.level WHEN 'county' THEN NULL WHEN 'township' THEN g.parent_id ELSE e.township_id END, '')
				FROM tasks JOIN events e ON e.id = tasks.event_id LEFT JOIN regions g ON g.id = tasks.grid_id
				LEFT JOIN regions gp ON gp.id = g.parent_id WHERE tasks.id = ?`, task.ID).
				Scan(&first, &county, &township, &wFirst, &wCounty, &wTownship)
			if err != nil {
				t.Fatal(err)
			}
			if first == "" || first != wFirst || county != wCounty || township != wTownship {
				t.Errorf("lists (%q, %q, %q), the trigger's (%q, %q, %q)", first, county, township, wFirst, wCounty, wTownship)
			}
		})
	}
}

func listEvent(id int64, grid, county, township string) *skygrid.Event {
	return &skygrid.Event{ID: id, Class: skygrid.ClassOpenBurning, State: skygrid.EventOpen, FirstSeen: ingestAt, LastSeen: ingestAt,
		Point: orb.Point{113, 40}, HotspotCount: 1, GridID: grid, CountyID: county, TownshipID: township}
}

// An ingest gives its events and tasks their ids itself (MAX(id)+1); the
// stores' own ids (the identity sequences on PostgreSQL) must count on
// past them, so that a task or event inserted outside the ingest (a dust
// alarm's, with the store choosing the task's id) does not collide.
func TestIngestThenOtherTask(t *testing.T) {
	db, monitors := monitorsDB(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name    string
		ingest  int // events and tasks the ingest creates
		monitor int64
	}{
		{"after the first ingest", 3, monitors[0]},
		{"after a second ingest", 2, monitors[1]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var ids []int64
			err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
				r := &skygrid.IngestResult{}
				for range tt.ingest {
					id, err := tx.NewEventID(ctx)
					if err != nil {
						return err
					}
					r.Events = append(r.Events, listEvent(id, "", "C9", "T9"))
					r.NewTasks = append(r.NewTasks, &skygrid.Task{EventID: id, State: skygrid.TaskDispatched, AckDue: ingestAt, ReportDue: ingestAt})
				}
				if err := tx.SaveResult(ctx, r); err != nil {
					return err
				}
				for _, k := range r.NewTasks {
					ids = append(ids, k.ID)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			got, err := db.RecordDustAlarms(ctx, []skygrid.DustAlarm{dustAlarm(tt.monitor, nil, skygrid.ClassMonitorOffline, "silent", ingestAt, "")})
			if err != nil {
				t.Fatalf("dust alarm after the ingest: %v", err)
			}
			if len(got.TaskIDs) != 1 || slices.Contains(ids, got.TaskIDs[0]) || got.TaskIDs[0] <= slices.Max(ids) {
				t.Errorf("dust task %v, ingest's tasks %v: want one id past them", got.TaskIDs, ids)
			}
		})
	}
}

// An ingest's new tasks are stored with the values they were given and
// the trigger's list columns, whether a statement writes their shared
// state, deadlines and times in as literals (runs of 100 alike:
// ingest_tasks.go) or binds every value.
func TestIngestTasksSaved(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if err := db.ImportRegions(ctx, listRegions()); err != nil {
		t.Fatal(err)
	}
	grids := []string{"G1", "G2", "G3", "G4", ""}
	var tasks []*skygrid.Task
	err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
		r := &skygrid.IngestResult{}
		for i := range 360 {
			id, err := tx.NewEventID(ctx)
			if err != nil {
				return err
			}
			g := grids[i%len(grids)]
			r.Events = append(r.Events, listEvent(id, g, fmt.Sprint("C", i%3), fmt.Sprint("T", i%4)))
			k := &skygrid.Task{EventID: id, GridID: g, State: skygrid.TaskDispatched, AckDue: ingestAt.Add(time.Hour),
				ReportDue: ingestAt.Add(2 * time.Hour)}
			switch {
			case i >= 150 && i < 200: // alternating: no run of 100
				k.AckDue = k.AckDue.Add(time.Duration(i%2) * time.Minute)
			case i >= 260: // the deadlines of 200-259, another state
				k.State = skygrid.TaskAcknowledged
			}
			tasks = append(tasks, k)
		}
		r.NewTasks = tasks
		return tx.SaveResult(ctx, r)
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range tasks {
		var event int64
		var grid sql.NullString
		var state, ack, report, created, updated, first, county, township, wFirst, wCounty, wTownship string
		err := db.QueryRowForTest(ctx, `SELECT tasks.event_id, tasks.grid_id, tasks.state, tasks.ack_due, tasks.report_due, tasks.created_at,
			tasks.updated_at, tasks.list_first_seen, tasks.list_county_id, tasks.list_township_id, e.first_seen,
			COALESCE(CASE gp.level WHEN 'county' THEN g.parent_id WHEN 'township' THEN gp.parent_id ELSE e.county_id END, ''),
			COALESCE(CASE gp.level WHEN 'county' THEN NULL WHEN 'township' THEN g.parent_id ELSE e.township_id END, '')
			FROM tasks JOIN events e ON e.id = tasks.event_id LEFT JOIN regions g ON g.id = tasks.grid_id
			LEFT JOIN regions gp ON gp.id = g.parent_id WHERE tasks.id = ?`, k.ID).
			Scan(&event, &grid, &state, &ack, &report, &created, &updated, &first, &county, &township, &wFirst, &wCounty, &wTownship)
		if err != nil {
			t.Fatalf("task %d (id %d): %v", i, k.ID, err)
		}
		got := []string{fmt.Sprint(event), grid.String, state, ack, report, created, updated, first, county, township}
		want := []string{fmt.Sprint(k.EventID), k.GridID, k.State, k.AckDue.Format(time.RFC3339), k.ReportDue.Format(time.RFC3339),
			k.CreatedAt.Format(time.RFC3339), k.UpdatedAt.Format(time.RFC3339), wFirst, wCounty, wTownship}
		if !slices.Equal(got, want) || k.CreatedAt.IsZero() {
			t.Fatalf("task %d: stored %q, want %q", i, got, want)
		}
	}
}
