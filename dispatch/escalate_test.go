package dispatch_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/dispatch"
	"skygrid/dispatch/dispatchtest"
)

// TestClockEscalates: the deadlines' clock raises a task overdue at its
// tick level by level, each level with its audit line, and not before the
// task is late; a tick later changes nothing more.
func TestClockEscalates(t *testing.T) {
	tests := []struct {
		name   string
		after  time.Duration // from dispatch to the tick
		levels []string      // the audit lines' targets, in order
	}{
		{"not yet overdue", 20 * time.Minute, nil},
		{"acknowledgement late: the area's officials", 40 * time.Minute, []string{"the area's officials"}},
		{"late by as long again: officials first, then the auditors", 3 * time.Hour, []string{"the area's officials", "the auditors"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			now := dispatchtest.Clock
			db := dispatchtest.OpenDB(t, func() time.Time { return now })
			dispatchtest.ImportDatong(t, db, false)
			p := dispatchtest.NewPipeline(t, db, func() time.Time { return now })
			csv := dispatchtest.VIIRSHeader + dispatchtest.Row(40.08, 113.30, "2023-11-01", "0330")
			if _, err := p.Ingest(ctx, strings.NewReader(csv), "made-up-datong.csv", dispatch.IngestOptions{}); err != nil {
				t.Fatal(err)
			}
			tasks, _, err := db.FindTasks(ctx, skygrid.TaskFilter{})
			if err != nil || len(tasks) != 1 {
				t.Fatalf("%d tasks, %v", len(tasks), err)
			}
			now = now.Add(tt.after)
			c := &dispatch.Clock{Tasks: db, Now: func() time.Time { return now }, Policy: skygrid.DefaultEscalation(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
			for range 2 { // a second tick finds nothing more to do
				c.Tick(ctx)
			}
			log, err := db.FindAudit(ctx, "task", fmt.Sprint(tasks[0].ID), 0)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i := len(log) - 1; i >= 0; i-- { // oldest first
				if e := log[i]; e.Action == "task.escalate" {
					got = append(got, e.After[strings.LastIndex(e.After, " to ")+4:])
				}
			}
			if strings.Join(got, "|") != strings.Join(tt.levels, "|") {
				t.Errorf("escalated to %q, want %q", got, tt.levels)
			}
			task, err := db.FindTaskByID(ctx, tasks[0].ID)
			if err != nil || task.Escalation != len(tt.levels) {
				t.Errorf("task at level %d, want %d (%v)", task.Escalation, len(tt.levels), err)
			}
		})
	}
}
