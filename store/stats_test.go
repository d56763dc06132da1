package store_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"skygrid"
	"skygrid/dispatch"
	"skygrid/internal/storetest"
	"skygrid/store"

	"github.com/paulmach/orb"
)

// A closed month's overdue figures do not move with the clock: an open
// task whose deadline falls after the month's end is not counted late
// because time went on, only once it was escalated (a stored time). The
// month's cross-border fires are counted apart from its figures.
func TestClosedPeriodOverdueDoesNotMoveWithTheClock(t *testing.T) {
	db, clock := closedPeriodDB(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		now  time.Time
		want int
	}{
		{"within the month", time.Date(2023, 10, 31, 15, 55, 0, 0, time.UTC), 1},
		{"ten minutes after the month", time.Date(2023, 10, 31, 16, 10, 0, 0, time.UTC), 1},
		{"the next day", time.Date(2023, 11, 1, 4, 0, 0, 0, time.UTC), 1},
		{"years later", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got, ago := overdueAt(t, db, clock, tt.now); got != tt.want || ago != 0 {
				t.Errorf("%d overdue (a year before: %d), want %d", got, ago, tt.want)
			}
		})
	}
	// Escalated (the escalation clock found it overdue): late, for good.
	if n, err := dispatch.Escalate(ctx, db, db.Escalation, time.Date(2023, 10, 31, 16, 30, 0, 0, time.UTC)); err != nil || n != 2 {
		t.Fatalf("escalated %d: %v", n, err)
	}
	for _, now := range []time.Time{time.Date(2023, 10, 31, 16, 40, 0, 0, time.UTC), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)} {
		if got, _ := overdueAt(t, db, clock, now); got != 2 {
			t.Errorf("at %s after the escalation: %d overdue, want 2", now, got)
		}
	}
}

// closedPeriodDB is a store of one county with three events at the end of
// October 2023, and the clock it runs on.
func closedPeriodDB(t *testing.T) (*store.DB, *time.Time) {
	t.Helper()
	clock := new(time.Time)
	*clock = time.Date(2023, 10, 31, 10, 0, 0, 0, time.UTC)
	db := storetest.NewDB(t, "stats.db")
	db.Now = func() time.Time { return *clock }
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if err := db.ImportRegions(ctx, []*skygrid.Region{{ID: "140225", Name: "浑源县", Level: skygrid.LevelCounty,
		Geometry: square(113.7, 39.7, 0.3), AreaKm2: 1}}); err != nil {
		t.Fatal(err)
	}
	// October in Beijing time ends at 2023-10-31T16:00Z.
	early, late := time.Date(2023, 10, 31, 10, 0, 0, 0, time.UTC), time.Date(2023, 10, 31, 15, 50, 0, 0, time.UTC)
	ev := func(id int64, at time.Time, crossBorder bool) *skygrid.Event {
		e := &skygrid.Event{ID: id, Class: skygrid.ClassOpenBurning, State: skygrid.EventOpen, FirstSeen: at, LastSeen: at,
			Point: orb.Point{113.7, 39.7}, HotspotCount: 1, CountyID: "140225", AssignedBy: "none", CrossBorder: crossBorder}
		if crossBorder {
			e.CountyID, e.Point = "", orb.Point{114.1, 39.7}
		}
		return e
	}
	task := func(id int64, at time.Time) *skygrid.Task {
		return &skygrid.Task{EventID: id, State: skygrid.TaskDispatched, AckDue: at.Add(30 * time.Minute), ReportDue: at.Add(time.Hour)}
	}
	// Event 1: dispatched at 10:00Z, never acknowledged: late before the
	// month ended. Event 2: dispatched at 15:50Z (23:50 Beijing), due at
	// 16:20Z, after the month's end. Event 3: cross-border.
	for _, step := range []struct {
		at    time.Time
		event *skygrid.Event
	}{{early, ev(1, early, false)}, {late, ev(2, late, false)}, {late, ev(3, late, true)}} {
		*clock = step.at
		err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
			if err := tx.SaveResult(ctx, &skygrid.IngestResult{Events: []*skygrid.Event{step.event}}); err != nil {
				return err
			}
			if step.event.CrossBorder {
				return nil
			}
			return tx.SaveResult(ctx, &skygrid.IngestResult{NewTasks: []*skygrid.Task{task(step.event.ID, step.at)}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return db, clock
}

// overdueAt sets the clock and returns October's overdue tasks and those
// of a year before.
func overdueAt(t *testing.T, db *store.DB, clock *time.Time, now time.Time) (int, int) {
	t.Helper()
	october := skygrid.StatsQuery{Since: time.Date(2023, 9, 30, 16, 0, 0, 0, time.UTC), Until: time.Date(2023, 10, 31, 16, 0, 0, 0, time.UTC)}
	*clock = now
	st, err := db.Stats(context.Background(), october)
	if err != nil {
		t.Fatal(err)
	}
	if st.Total.Events != 2 || st.Total.Tasks != 2 || st.CrossBorder != 1 {
		t.Fatalf("at %s: %d events, %d tasks, %d cross-border; want 2, 2, 1", now, st.Total.Events, st.Total.Tasks, st.CrossBorder)
	}
	return st.Total.Overdue, st.YearAgo.Total.Overdue
}

// Response minutes count from dispatch to acknowledgement and to report
// in each store's own date arithmetic, to the same figures; the events
// fall on their Beijing day.
func TestResponseMinutesBothStores(t *testing.T) {
	db, clock := closedPeriodDB(t)
	ctx := context.Background()
	admin := &skygrid.User{Name: "admin", Role: skygrid.RoleAdmin}
	if err := db.CreateUser(ctx, admin, "x"); err != nil {
		t.Fatal(err)
	}
	ts, _, err := db.FindTasks(ctx, skygrid.TaskFilter{})
	if err != nil || len(ts) != 2 {
		t.Fatalf("tasks %v, %v", ts, err)
	}
	first := ts[len(ts)-1] // dispatched at 10:00Z
	photo := &skygrid.Photo{SHA256: fmt.Sprintf("%064x", first.ID), Mime: "image/jpeg", Size: 1, Width: 1, Height: 1}
	for _, step := range []struct {
		at     time.Time
		action string
		photos []*skygrid.Photo
	}{
		{time.Date(2023, 10, 31, 10, 30, 30, 0, time.UTC), skygrid.ActionAcknowledge, nil},
		{time.Date(2023, 10, 31, 11, 30, 0, 0, time.UTC), skygrid.ActionReport, []*skygrid.Photo{photo}},
	} {
		*clock = step.at
		if _, err := db.UpdateTask(ctx, first.ID, 0, step.action, admin, skygrid.TaskChange{Finding: skygrid.FindingStrawBurning}, step.photos); err != nil {
			t.Fatalf("%s: %v", step.action, err)
		}
	}
	october := skygrid.StatsQuery{Since: time.Date(2023, 9, 30, 16, 0, 0, 0, time.UTC), Until: time.Date(2023, 10, 31, 16, 0, 0, 0, time.UTC)}
	st, err := db.Stats(ctx, october)
	if err != nil {
		t.Fatal(err)
	}
	if a, r := st.Total.AckMedianMin, st.Total.ReportMedianMin; a == nil || *a != 30.5 || r == nil || *r != 90 {
		t.Errorf("medians %v %v, want 30.5 and 90 minutes", a, r)
	}
	se, err := db.Series(ctx, october)
	if err != nil {
		t.Fatal(err)
	}
	if len(se.AckMinutes) != 1 || math.Abs(se.AckMinutes[0]-30.5) > 1e-6 || len(se.ReportMinutes) != 1 || math.Abs(se.ReportMinutes[0]-90) > 1e-6 {
		t.Errorf("minutes %v %v, want [30.5] [90]", se.AckMinutes, se.ReportMinutes)
	}
	if n := len(se.Days); n != 31 || se.Days[30].Day != "2023-10-31" || se.Days[30].ByClass[skygrid.ClassOpenBurning] != 2 {
		t.Errorf("%d days, the last %+v; want October's 31, the 31st with both fires", n, se.Days[n-1])
	}
}
