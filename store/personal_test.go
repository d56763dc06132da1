package store_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/dispatch"
	"skygrid/store"

	"github.com/paulmach/orb"
)

// personalDB is a county with two grids: g1 has only a registered
// supervisor, g2 a supervisor user (twice, with the same phone written
// two ways) besides its registered one, and an official over both. SMS
// (Aliyun) and DingTalk work notices are configured.
func personalDB(t *testing.T) (*store.DB, *skygrid.User) {
	t.Helper()
	db := MustOpenDB(t)
	ctx := context.Background()
	if err := db.ImportRegions(ctx, []*skygrid.Region{
		{ID: "140225", Name: "浑源县", Level: skygrid.LevelCounty, Geometry: square(113.75, 39.7, 0.3), AreaKm2: 1},
		{ID: "g1", Name: "一网格", Level: skygrid.LevelGrid, ParentID: "140225", Geometry: square(113.7, 39.7, 0.01)},
		{ID: "g2", Name: "二网格", Level: skygrid.LevelGrid, ParentID: "140225", Geometry: square(113.8, 39.7, 0.01)},
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.ImportSupervisors(ctx, []*skygrid.Supervisor{{GridID: "g1", Name: "赵登记", Phone: "139 0000 0009"},
		{GridID: "g2", Name: "钱登记", Phone: "13900000010"}}); err != nil {
		t.Fatal(err)
	}
	admin := &skygrid.User{Name: "admin", Role: skygrid.RoleAdmin}
	for _, u := range []*skygrid.User{
		admin,
		{Name: "zhangsan", Role: skygrid.RoleSupervisor, Regions: []string{"g2"}, Phone: "13900000003", DingTalkID: "zhangsan0003"},
		{Name: "zhangsan-old", Role: skygrid.RoleSupervisor, Regions: []string{"g2"}, Phone: "+86 139-0000-0003"},
		{Name: "guan", Role: skygrid.RoleOfficial, Regions: []string{"140225"}, Phone: "13900000008", DingTalkID: "guan08"},
	} {
		if err := db.CreateUser(ctx, u, "x"); err != nil {
			t.Fatal(err)
		}
	}
	db.PersonalKinds = []string{skygrid.ChannelAliyunSMS, skygrid.ChannelDingTalkWork}
	return db, admin
}

// ingestTask stores an event in the grid and its task in one ingest
// transaction; fail makes the transaction fail after both are written.
func ingestTask(db *store.DB, grid string, at orb.Point, fail error) (*skygrid.Task, error) {
	var task *skygrid.Task
	ctx := context.Background()
	err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
		id, err := tx.NewEventID(ctx)
		if err != nil {
			return err
		}
		e := &skygrid.Event{ID: id, Class: skygrid.ClassStrawBurning, State: skygrid.EventOpen, FirstSeen: now.Add(-10 * time.Minute),
			LastSeen: now, Point: at, Bound: at.Bound(), HotspotCount: 1, GridID: grid, CountyID: "140225", AssignedBy: "contains"}
		if err := tx.SaveResult(ctx, &skygrid.IngestResult{Events: []*skygrid.Event{e}}); err != nil {
			return err
		}
		task = &skygrid.Task{EventID: id, GridID: grid, State: skygrid.TaskDispatched, AckDue: now.Add(30 * time.Minute), ReportDue: now.Add(time.Hour)}
		if err := tx.SaveResult(ctx, &skygrid.IngestResult{NewTasks: []*skygrid.Task{task}}); err != nil {
			return err
		}
		return fail
	})
	return task, err
}

// personalRows lists the outbox's personal messages as "event kind
// recipient name" (recipients masked), sorted, and checks each key once.
func personalRows(t *testing.T, db *store.DB) []string {
	t.Helper()
	ms, err := db.FindOutbox(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	keys := map[string]bool{}
	for _, m := range ms {
		if m.ChannelID != 0 {
			continue
		}
		if keys[m.Key] || m.Recipient != "" {
			t.Errorf("message %+v: key twice or recipient shown", m)
		}
		keys[m.Key] = true
		out = append(out, fmt.Sprintf("%s task-%d %s %s %s", m.Event, m.TaskID, m.Kind, m.RecipientMasked, m.RecipientName))
	}
	sort.Strings(out)
	return out
}

func sameRows(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n%s\nwant\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The task's lifecycle: a new task, its overdue reminder and its
// reassignment each queue one personal message per person and channel,
// in the transaction of the change: a change rolled back queues nothing.
func TestPersonalNoticesFollowTheTask(t *testing.T) {
	ctx := context.Background()
	db, admin := personalDB(t)

	// A new task in g1: its registered supervisor (no user covers g1), by
	// SMS and by DingTalk through their mobile.
	task, err := ingestTask(db, "g1", orb.Point{113.7, 39.7}, nil)
	if err != nil {
		t.Fatal(err)
	}
	created := []string{
		fmt.Sprintf("task.created task-%d aliyun_sms 139****0009 赵登记", task.ID),
		fmt.Sprintf("task.created task-%d dingtalk_work mobile:139****0009 赵登记", task.ID),
	}
	sameRows(t, "new task", personalRows(t, db), created...)
	claimed, err := db.ClaimOutbox(ctx, now, 10, time.Minute)
	if err != nil || len(claimed) != 2 || claimed[0].Recipient != "13900000009" || claimed[1].Recipient != "mobile:13900000009" ||
		claimed[0].Kind != skygrid.ChannelAliyunSMS || !strings.Contains(claimed[0].Payload, `"place":"浑源县 一网格"`) ||
		!strings.Contains(claimed[1].Text, "您有新的核查任务") {
		t.Fatalf("claimed %+v, %v", claimed, err)
	}
	db.ReleaseOutbox(ctx, []int64{claimed[0].ID, claimed[1].ID})

	// An ingest that fails after writing its task queues nothing.
	if _, err := ingestTask(db, "g1", orb.Point{113.701, 39.701}, errors.New("disk full")); err == nil {
		t.Fatal("the failing ingest succeeded")
	}
	sameRows(t, "after a rolled-back ingest", personalRows(t, db), created...)

	// Past the report deadline: the reminder, once however often it runs.
	late := task.ReportDue.Add(time.Minute)
	for range 2 {
		if _, err := dispatch.Escalate(ctx, db, db.Escalation, late); err != nil {
			t.Fatal(err)
		}
	}
	overdue := append(created,
		fmt.Sprintf("task.overdue task-%d aliyun_sms 139****0009 赵登记", task.ID),
		fmt.Sprintf("task.overdue task-%d dingtalk_work mobile:139****0009 赵登记", task.ID))
	sameRows(t, "overdue", personalRows(t, db), overdue...)
	// Twice overdue goes to the auditors' groups, not to the supervisor again.
	if _, err := dispatch.Escalate(ctx, db, db.Escalation, late.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	sameRows(t, "twice overdue", personalRows(t, db), overdue...)

	// Reassigned to g2: its supervisor user (one person for both accounts,
	// with the DingTalk id), not the official, not g2's registered one.
	cur, _ := db.FindTaskByID(ctx, task.ID)
	moved, err := db.UpdateTask(ctx, task.ID, cur.Version, skygrid.ActionReassign, admin, skygrid.TaskChange{GridID: "g2", Reason: "越界"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	reassigned := append(overdue,
		fmt.Sprintf("task.created task-%d aliyun_sms 139****0003 zhangsan", task.ID),
		fmt.Sprintf("task.created task-%d dingtalk_work userid:zha****0003 zhangsan", task.ID))
	sameRows(t, "reassigned", personalRows(t, db), reassigned...)
	ms, _ := db.FindOutbox(ctx, 1)
	if !strings.Contains(ms[0].Payload, `"place":"浑源县 二网格"`) || !strings.Contains(ms[0].Key, fmt.Sprintf("/version-%d/user-", moved.Version)) {
		t.Errorf("the reassignment's notice: %s %s", ms[0].Key, ms[0].Payload)
	}

	// A change that fails after its messages are queued (here: the map
	// layers cannot be bumped) queues nothing and changes nothing.
	failLayers := `CREATE TRIGGER fail_layers BEFORE UPDATE ON layer_versions BEGIN SELECT RAISE(ABORT, 'injected failure'); END`
	if db.Postgres() {
		failLayers = `CREATE FUNCTION fail_layers() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
			CREATE TRIGGER fail_layers BEFORE UPDATE ON layer_versions FOR EACH ROW EXECUTE FUNCTION fail_layers()`
	}
	if err := db.ExecForTest(ctx, failLayers); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateTask(ctx, task.ID, moved.Version, skygrid.ActionReassign, admin, skygrid.TaskChange{GridID: "g1", Reason: "x"}, nil); err == nil {
		t.Fatal("the reassignment succeeded despite the failure")
	}
	if _, err := ingestTask(db, "g2", orb.Point{113.8, 39.7}, nil); err == nil {
		t.Fatal("the ingest succeeded despite the failure")
	}
	sameRows(t, "after rolled-back changes", personalRows(t, db), reassigned...)
	if got, _ := db.FindTaskByID(ctx, task.ID); got.GridID != "g2" || got.Version != moved.Version {
		t.Errorf("the failed reassignment changed the task: %+v", got)
	}
}

// With no provider configured, nothing personal is queued.
func TestNoPersonalNoticesWithoutProvider(t *testing.T) {
	db, _ := personalDB(t)
	db.PersonalKinds = nil
	if _, err := ingestTask(db, "g2", orb.Point{113.8, 39.7}, nil); err != nil {
		t.Fatal(err)
	}
	if ms, err := db.FindOutbox(context.Background(), 0); err != nil || len(ms) != 0 {
		t.Errorf("queued %d messages, %v", len(ms), err)
	}
	// SMS only: one message per person.
	db.PersonalKinds = []string{skygrid.ChannelTencentSMS}
	task, err := ingestTask(db, "g2", orb.Point{113.801, 39.701}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sameRows(t, "SMS only", personalRows(t, db), fmt.Sprintf("task.created task-%d tencent_sms 139****0003 zhangsan", task.ID))
}

// The outbox takes a personal message only with a known kind and a
// recipient, and never both a channel and a recipient.
func TestQueuePersonalMessage(t *testing.T) {
	db, ding, _ := outboxDB(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		m    skygrid.OutboxMessage
		want string
	}{
		{"no recipient", skygrid.OutboxMessage{Key: "k1", Event: "task.created", Kind: skygrid.ChannelAliyunSMS}, "recipient required"},
		{"unknown kind", skygrid.OutboxMessage{Key: "k2", Event: "task.created", Kind: "sms", Recipient: "13900000003"}, `unknown personal channel kind "sms"`},
		{"both", skygrid.OutboxMessage{Key: "k3", Event: "task.created", ChannelID: ding.ID, Kind: skygrid.ChannelAliyunSMS, Recipient: "13900000003"},
			"not both"},
	} {
		m := tt.m
		if err := db.QueueOutbox(ctx, []*skygrid.OutboxMessage{&m}); skygrid.ErrorCode(err) != skygrid.EINVALID || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
	m := &skygrid.OutboxMessage{Key: "k4", Event: "task.created", Kind: skygrid.ChannelDingTalkWork, Recipient: "userid:manager4220", RecipientName: "张三"}
	if err := db.QueueOutbox(ctx, []*skygrid.OutboxMessage{m}); err != nil {
		t.Fatal(err)
	}
	ms, _ := db.FindOutbox(ctx, 0)
	if len(ms) != 1 || ms[0].Kind != skygrid.ChannelDingTalkWork || ms[0].RecipientMasked != "userid:man****4220" || ms[0].Recipient != "" ||
		ms[0].ChannelID != 0 || ms[0].RecipientName != "张三" {
		t.Errorf("found %+v", ms)
	}
}
