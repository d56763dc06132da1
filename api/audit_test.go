package api_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"skygrid"
)

type auditList struct {
	Entries []*skygrid.AuditEntry `json:"entries"`
}

// The audit-log viewer's queries: by task, by user, by action, by time,
// paged back by id; auditors and admins only.
func TestAuditLogFilters(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	task := w.taskIn(t, w.gridA)
	sup := &skygrid.User{ID: 5, Name: "supervisorA", Role: skygrid.RoleSupervisor, Regions: []string{w.gridA}}
	*w.clock = time.Date(2023, 11, 2, 1, 0, 0, 0, time.UTC)
	if _, err := w.db.UpdateTask(ctx, task.ID, 0, skygrid.ActionAcknowledge, sup, skygrid.TaskChange{}, nil); err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprint(task.ID)
	var l auditList
	if st := w.do(t, "auditor", "GET", "/api/audit?entity=task&id="+id, nil, &l); st != 200 || len(l.Entries) < 2 {
		t.Fatalf("by task: %d, %d entries", st, len(l.Entries))
	}
	actions := map[string]bool{}
	for _, e := range l.Entries {
		actions[e.Action] = true
		if e.Entity != "task" || e.EntityID != id {
			t.Errorf("by task %s: %+v", id, e)
		}
	}
	if !actions["task.dispatch"] || !actions["task.acknowledge"] {
		t.Errorf("by task: actions %v", actions)
	}
	l = auditList{}
	w.do(t, "admin", "GET", "/api/audit?actor=supervisorA", nil, &l)
	if len(l.Entries) != 1 || l.Entries[0].Action != "task.acknowledge" || l.Entries[0].EntityID != id {
		t.Errorf("by user: %+v", l.Entries)
	}
	// Time: only what happened on 2 November (Beijing day).
	l = auditList{}
	w.do(t, "auditor", "GET", "/api/audit?since=2023-11-02&until=2023-11-03", nil, &l)
	if len(l.Entries) == 0 {
		t.Error("by time: nothing")
	}
	for _, e := range l.Entries {
		if e.At.Before(time.Date(2023, 11, 1, 16, 0, 0, 0, time.UTC)) {
			t.Errorf("by time: %v", e.At)
		}
	}
	// Action prefix and paging: three lines at a time, no line twice.
	var all auditList
	w.do(t, "auditor", "GET", "/api/audit?action=task.&limit=10000", nil, &all)
	if len(all.Entries) < 10 {
		t.Fatalf("task.*: %d entries", len(all.Entries))
	}
	seen := map[int64]bool{}
	before := ""
	for page := 0; page < 3; page++ {
		l = auditList{}
		w.do(t, "auditor", "GET", "/api/audit?action=task.&limit=3"+before, nil, &l)
		if len(l.Entries) != 3 {
			t.Fatalf("page %d: %d entries", page, len(l.Entries))
		}
		for i, e := range l.Entries {
			if seen[e.ID] || e.ID != all.Entries[page*3+i].ID || e.Action[:5] != "task." {
				t.Errorf("page %d: %+v", page, e)
			}
			seen[e.ID] = true
		}
		before = fmt.Sprintf("&before=%d", l.Entries[2].ID)
	}
	for _, u := range []string{"officialA", "supervisorA"} {
		if st := w.do(t, u, "GET", "/api/audit?entity=task&id="+id, nil, nil); st != 403 {
			t.Errorf("%s: %d", u, st)
		}
	}
	if st := w.do(t, "auditor", "GET", "/api/audit?since=yesterday", nil, nil); st != 400 {
		t.Errorf("bad since: %d", st)
	}
}
