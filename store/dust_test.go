package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/store"

	"github.com/paulmach/orb"
)

// dustAlarm is an exceedance of datong_default at monitor id in the hour
// from start, placed in grid.
func dustAlarm(id int64, site *int64, class, rule string, start time.Time, grid string) skygrid.DustAlarm {
	return skygrid.DustAlarm{MonitorID: id, SiteID: site, Rule: rule, Class: class, Start: start, End: start.Add(time.Hour),
		Value: 190, Limit: 180, Detail: "示例", Point: orb.Point{113.05, 40}, GridID: grid, CountyID: "140201",
		AssignedBy: "contains", AckDue: now.Add(time.Hour), ReportDue: now.Add(time.Hour)}
}

func countRows(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowForTest(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// An alarm opens one event and task; more alarms of the monitor and class
// while the task is being worked update the event, not a second task; the
// same window checked again is recorded once; a monitor_offline alarm is
// another event; once the task is closed (with a reason) the next alarm
// opens a new task.
func TestRecordDustAlarms(t *testing.T) {
	db, ids := monitorsDB(t)
	ctx := context.Background()
	site := int64(1)
	if err := db.ImportRegions(ctx, []*skygrid.Region{{ID: "140201001001", Name: "一网格（示例）", Level: skygrid.LevelGrid,
		ParentID: "140201001", Geometry: square(113.05, 40, 0.01), AreaKm2: 1}}); err != nil {
		t.Fatal(err)
	}
	if err := db.ImportSupervisors(ctx, []*skygrid.Supervisor{{GridID: "140201001001", Name: "网格员（示例）", Phone: "1"}}); err != nil {
		t.Fatal(err)
	}
	admin := &skygrid.User{Name: "admin", Role: skygrid.RoleAdmin}
	if err := db.CreateUser(ctx, admin, "x"); err != nil {
		t.Fatal(err)
	}
	h0 := t0
	var firstTask int64
	for _, tt := range []struct {
		name       string
		alarms     []skygrid.DustAlarm
		want       skygrid.DustRecorded
		tasks      int
		closeFirst bool
	}{
		{"first exceedance", []skygrid.DustAlarm{dustAlarm(ids[0], &site, skygrid.ClassDustExceedance, "datong_default", h0, "140201001001")},
			skygrid.DustRecorded{Alarms: 1, EventsNew: 1}, 1, false},
		{"same window again", []skygrid.DustAlarm{dustAlarm(ids[0], &site, skygrid.ClassDustExceedance, "datong_default", h0, "140201001001")},
			skygrid.DustRecorded{}, 1, false},
		{"next hour, task open", []skygrid.DustAlarm{dustAlarm(ids[0], &site, skygrid.ClassDustExceedance, "datong_default", h0.Add(time.Hour), "140201001001"),
			dustAlarm(ids[0], &site, skygrid.ClassDustExceedance, "datong_default", h0.Add(2*time.Hour), "140201001001")},
			skygrid.DustRecorded{Alarms: 2, EventsUpdated: 2}, 1, false},
		{"silent: its own event", []skygrid.DustAlarm{dustAlarm(ids[0], &site, skygrid.ClassMonitorOffline, "silent", h0.Add(3*time.Hour), "140201001001")},
			skygrid.DustRecorded{Alarms: 1, EventsNew: 1}, 2, false},
		{"after the task is closed", []skygrid.DustAlarm{dustAlarm(ids[0], &site, skygrid.ClassDustExceedance, "datong_default", h0.Add(5*time.Hour), "140201001001")},
			skygrid.DustRecorded{Alarms: 1, EventsNew: 1}, 3, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.closeFirst {
				closeDustTask(t, db, firstTask, admin)
			}
			got, err := db.RecordDustAlarms(ctx, tt.alarms)
			if err != nil {
				t.Fatal(err)
			}
			if firstTask == 0 && len(got.TaskIDs) == 1 {
				firstTask = got.TaskIDs[0]
			}
			got.TaskIDs = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if n := countRows(t, db, `SELECT COUNT(*) FROM tasks`); n != tt.tasks {
				t.Errorf("%d tasks, want %d", n, tt.tasks)
			}
		})
	}
	if n := countRows(t, db, `SELECT alarm_count FROM events WHERE id = (SELECT event_id FROM tasks WHERE id = ?)`, firstTask); n != 3 {
		t.Errorf("the first event counts %d alarms, want 3", n)
	}
	if n := countRows(t, db, `SELECT COUNT(*) FROM dust_alarms WHERE event_id IS NOT NULL`); n != 5 {
		t.Errorf("%d alarms linked to events, want 5", n)
	}
	if n := countRows(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'event.alarm'`); n != 2 {
		t.Errorf("%d event.alarm audit lines, want 2", n)
	}
	tk, err := db.FindTaskByID(ctx, firstTask)
	if err != nil || tk.SupervisorName != "网格员（示例）" || tk.EventClass != skygrid.ClassDustExceedance {
		t.Errorf("the first task: %+v %v", tk, err)
	}
	// The task's alarms, newest first, each with its device: what its page says.
	as, err := db.EventAlarms(ctx, tk.EventID)
	if err != nil || len(as) != 3 || !as[0].WindowStart.Equal(h0.Add(2*time.Hour)) || as[0].Rule != "datong_default" || as[0].MN == "" ||
		as[0].Class != skygrid.ClassDustExceedance {
		t.Errorf("the first task's alarms: %+v %v", as, err)
	}
}

// closeDustTask reports the task as rectified and closes it: refused
// without a reason, closed with one.
func closeDustTask(t *testing.T, db *store.DB, id int64, admin *skygrid.User) {
	t.Helper()
	ctx := context.Background()
	photo := &skygrid.Photo{SHA256: fmt.Sprintf("%064x", id), Mime: "image/jpeg", Size: 1, Width: 1, Height: 1}
	if _, err := db.UpdateTask(ctx, id, 0, skygrid.ActionAcknowledge, admin, skygrid.TaskChange{}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateTask(ctx, id, 0, skygrid.ActionReport, admin, skygrid.TaskChange{Finding: skygrid.FindingStrawBurning}, []*skygrid.Photo{photo}); skygrid.ErrorCode(err) != skygrid.EINVALID {
		t.Errorf("a fire finding on a dust task: %v, want EINVALID", err)
	}
	if _, err := db.UpdateTask(ctx, id, 0, skygrid.ActionReport, admin, skygrid.TaskChange{Finding: skygrid.FindingRectified}, []*skygrid.Photo{photo}); err != nil {
		t.Fatal(err)
	}
	_, err := db.UpdateTask(ctx, id, 0, skygrid.ActionClose, admin, skygrid.TaskChange{Notes: "  "}, nil)
	if skygrid.ErrorCode(err) != skygrid.EINVALID || !strings.Contains(skygrid.ErrorMessage(err), "needs a reason") {
		t.Errorf("closing without a reason: %v, want EINVALID naming the reason", err)
	}
	cur, err := db.FindTaskByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.CloseTasks(ctx, []skygrid.TaskRef{{ID: id, Version: cur.Version}}, "", admin)
	if skygrid.ErrorCode(err) != skygrid.EINVALID || !strings.Contains(skygrid.ErrorMessage(err), "needs a reason") {
		t.Errorf("closing in a batch without a reason: %v, want EINVALID naming the reason", err)
	}
	if _, err := db.UpdateTask(ctx, id, 0, skygrid.ActionClose, admin, skygrid.TaskChange{Notes: "已洒水覆盖，复测达标"}, nil); err != nil {
		t.Fatal(err)
	}
}

// A registry violation makes one inspection task per site and
// violation, not repeated while it is open.
func TestRecordInspections(t *testing.T) {
	db, _ := monitorsDB(t)
	ctx := context.Background()
	site := int64(2)
	a := skygrid.DustAlarm{SiteID: &site, Rule: skygrid.ViolationNoVideo, Class: skygrid.ClassSiteInspection, Start: now, End: now,
		Point: orb.Point{113.05, 40}, AssignedBy: "none", AckDue: now.Add(time.Hour), ReportDue: now.Add(time.Hour)}
	for i, want := range []int{1, 0} {
		got, err := db.RecordDustAlarms(ctx, []skygrid.DustAlarm{a})
		if err != nil || got.EventsNew != want || got.EventsUpdated != 0 {
			t.Errorf("round %d: %+v %v, want %d new", i, got, err, want)
		}
	}
	if n := countRows(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'event.alarm'`); n != 0 {
		t.Errorf("%d audit lines for a repeat, want none", n)
	}
	// Closed by the official (视频接入平台待办): not opened again at the next
	// check, only a week later or once the site's record is imported again.
	clock := now
	db.Now = func() time.Time { return clock }
	admin := &skygrid.User{Name: "admin", Role: skygrid.RoleAdmin}
	if err := db.CreateUser(ctx, admin, "x"); err != nil {
		t.Fatal(err)
	}
	record := func(when string, want int) {
		t.Helper()
		got, err := db.RecordDustAlarms(ctx, []skygrid.DustAlarm{a})
		if err != nil || got.EventsNew != want {
			t.Fatalf("%s: %+v %v, want %d new", when, got, err, want)
		}
	}
	closeLast := func() {
		t.Helper()
		closeDustTask(t, db, int64(countRows(t, db, `SELECT MAX(id) FROM tasks`)), admin)
	}
	closeLast()
	clock = now.Add(time.Minute)
	record("a minute after the close", 0)
	clock = now.Add(skygrid.InspectAgainAfter + time.Minute)
	record("a week after the close", 1)
	closeLast()
	clock = clock.Add(time.Minute)
	record("a minute after the second close", 0)
	st, err := db.FindSiteByID(ctx, site)
	if err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(time.Minute)
	if _, err := db.ImportSites(ctx, []*skygrid.Site{st}, nil); err != nil {
		t.Fatal(err)
	}
	record("the site imported again", 1)
}

// The fire statistics count no dust event: alarms and inspections have
// figures of their own (dust_alarms).
func TestFireStatsLeaveDustOut(t *testing.T) {
	db, ids := monitorsDB(t)
	ctx := context.Background()
	q := skygrid.StatsQuery{Since: t0.Add(-24 * time.Hour), Until: t0.Add(24 * time.Hour)}
	before, err := db.Stats(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	site := int64(1)
	if _, err := db.RecordDustAlarms(ctx, []skygrid.DustAlarm{dustAlarm(ids[0], &site, skygrid.ClassDustExceedance, "datong_default", t0, ""),
		{SiteID: &site, Rule: skygrid.ViolationNoVideo, Class: skygrid.ClassSiteInspection, Start: t0, End: t0, AssignedBy: "none",
			AckDue: t0.Add(time.Hour), ReportDue: t0.Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	after, err := db.Stats(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if after.Total.Events != 0 || after.Total.Tasks != 0 || !reflect.DeepEqual(before.Total, after.Total) {
		t.Errorf("fire totals with two dust events: %+v, want %+v", after.Total, before.Total)
	}
}

// A dust task is told to its county's channel once, in Chinese as a dust
// alarm; more alarms on its open event tell nobody again.
func TestDustTaskNotifiedOnce(t *testing.T) {
	db, ids := monitorsDB(t)
	ctx := context.Background()
	if err := db.AddChannel(ctx, &skygrid.Channel{RegionID: "140201", Kind: skygrid.ChannelWebhook, URL: "https://example.org/hook"}); err != nil {
		t.Fatal(err)
	}
	site := int64(1)
	for i := 0; i < 3; i++ {
		a := dustAlarm(ids[0], &site, skygrid.ClassDustExceedance, "datong_default", t0.Add(time.Duration(i)*time.Hour), "")
		if _, err := db.RecordDustAlarms(ctx, []skygrid.DustAlarm{a}); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := db.FindOutbox(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || !strings.HasPrefix(msgs[0].Title, "新扬尘报警任务") || !strings.Contains(msgs[0].Title, "扬尘超标") {
		for _, m := range msgs {
			t.Logf("%s", m.Title)
		}
		t.Fatalf("%d messages, want one dust alarm", len(msgs))
	}
}
