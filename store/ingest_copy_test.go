package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"skygrid"
)

// One ingest that both updates events stored before it and opens new
// ones, saves a new one a second time and makes their tasks and audit
// lines (on PostgreSQL the old events are upserted, the new ones, their
// tasks and lines copied in: ingest_copy.go): every event is stored with
// its last values, and what the store gives ids to itself afterwards (a
// dust alarm's task and audit lines) gets ids past the ingest's.
func TestIngestOldAndNewEvents(t *testing.T) {
	db, monitors := monitorsDB(t)
	ctx := context.Background()
	ingest := func(fn func(tx skygrid.IngestTx) error) {
		t.Helper()
		if err := db.InIngestTx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	open := func(tx skygrid.IngestTx, n int) ([]*skygrid.Event, error) {
		var es []*skygrid.Event
		for range n {
			id, err := tx.NewEventID(ctx)
			if err != nil {
				return nil, err
			}
			es = append(es, listEvent(id, "", "C9", "T9"))
		}
		return es, nil
	}
	var old, fresh []*skygrid.Event
	ingest(func(tx skygrid.IngestTx) (err error) {
		if old, err = open(tx, 4); err != nil {
			return err
		}
		return tx.SaveResult(ctx, &skygrid.IngestResult{Events: old})
	})
	var tasks []*skygrid.Task
	var lines []*skygrid.AuditEntry
	ingest(func(tx skygrid.IngestTx) (err error) {
		if fresh, err = open(tx, 3); err != nil {
			return err
		}
		old[0].HotspotCount, old[2].LastSeen = 7, ingestAt.Add(time.Hour)
		if err := tx.SaveResult(ctx, &skygrid.IngestResult{Events: []*skygrid.Event{old[0], fresh[0], old[2], fresh[1], fresh[2]}}); err != nil {
			return err
		}
		fresh[1].HotspotCount = 9 // saved again: stored over the first time
		r := &skygrid.IngestResult{Events: fresh[1:2]}
		for _, e := range fresh {
			r.NewTasks = append(r.NewTasks, &skygrid.Task{EventID: e.ID, State: skygrid.TaskDispatched, AckDue: ingestAt, ReportDue: ingestAt})
			lines = append(lines, &skygrid.AuditEntry{Actor: "ingest", Action: "event.create", Entity: "event", EntityID: fmt.Sprint(e.ID)})
		}
		if err := tx.SaveResult(ctx, r); err != nil {
			return err
		}
		tasks = r.NewTasks
		return tx.Audit(ctx, lines...)
	})
	got, _, err := db.FindEvents(ctx, skygrid.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(old)+len(fresh) {
		t.Fatalf("%d events stored, want %d", len(got), len(old)+len(fresh))
	}
	for _, g := range got {
		i := slices.IndexFunc(append(old, fresh...), func(w *skygrid.Event) bool { return w.ID == g.ID })
		if i < 0 {
			t.Fatalf("event %d stored, never saved", g.ID)
		}
		if err := sameEvent(g, append(old, fresh...)[i]); err != "" {
			t.Errorf("event %d: %s", g.ID, err)
		}
	}
	before, err := db.FindAuditLog(ctx, skygrid.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := db.RecordDustAlarms(ctx, []skygrid.DustAlarm{dustAlarm(monitors[0], nil, skygrid.ClassMonitorOffline, "silent", ingestAt, "")})
	if err != nil {
		t.Fatalf("dust alarm after the ingest: %v", err)
	}
	if len(rec.TaskIDs) != 1 || rec.TaskIDs[0] <= tasks[len(tasks)-1].ID {
		t.Errorf("dust task %v, ingest's tasks up to %d: want one id past them", rec.TaskIDs, tasks[len(tasks)-1].ID)
	}
	after, err := db.FindAuditLog(ctx, skygrid.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	added, last := after[:len(after)-len(before)], lines[len(lines)-1].ID // newest first
	if len(added) == 0 || added[len(added)-1].ID <= last {
		t.Errorf("the dust alarm's audit lines %v: want ids past the ingest's last line, %d", added, last)
	}
}
