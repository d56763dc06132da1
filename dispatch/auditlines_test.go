package dispatch_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/dispatch"
)

// The audit lines of an ingest's new events and tasks read as they always
// have (the pipeline builds them without fmt now): checked against the
// stored events and tasks with the format they were written by.
func TestIngestAuditLineTexts(t *testing.T) {
	p, db := defaultPipeline(t)
	ctx := context.Background()
	var rows strings.Builder
	rows.WriteString(apiHeader)
	for i, at := range []string{"0300", "0310", "0320"} {
		rows.WriteString(row(39.70+float64(i)/10, 113.70-float64(i)/10, "2023-11-01", at))
	}
	if _, err := p.Ingest(ctx, strings.NewReader(rows.String()), "three.csv", dispatch.IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	es := db.events(t)
	if len(es) != 3 {
		t.Fatalf("%d events, want 3", len(es))
	}
	want := map[string]string{}
	for _, e := range es {
		want["event "+fmt.Sprint(e.ID)] = fmt.Sprintf("class=%s grid=%s assigned_by=%s hotspots=%d", e.Class, e.GridID, e.AssignedBy, e.HotspotCount)
		k := e.Task
		if k == nil {
			t.Fatalf("event %d has no task", e.ID)
		}
		full, err := db.FindTaskByID(ctx, k.ID)
		if err != nil {
			t.Fatal(err)
		}
		who := full.SupervisorName
		if full.GridID == "" {
			who = "unassigned queue"
		} else if who == "" {
			who = "grid " + full.GridID + " (no supervisor)"
		}
		want["task "+fmt.Sprint(k.ID)] = fmt.Sprintf("event=%d to=%s ack_due=%s report_due=%s", e.ID, who,
			full.AckDue.Format(time.RFC3339), full.ReportDue.Format(time.RFC3339))
	}
	log, err := db.FindAuditLog(ctx, skygrid.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range log {
		if l.Action != "event.create" && l.Action != "task.dispatch" {
			continue
		}
		n++
		if w := want[l.Entity+" "+l.EntityID]; l.After != w {
			t.Errorf("%s %s %s: %q, want %q", l.Action, l.Entity, l.EntityID, l.After, w)
		}
	}
	if n != 6 {
		t.Errorf("%d event.create and task.dispatch lines, want 6", n)
	}
}
