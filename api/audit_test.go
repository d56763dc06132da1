package api_test

import (
	"context"
	"fmt"
	"strings"
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

// The audit log and the users list name the regions their lines and
// areas hold by id (grids, counties), so the pages show names, not ids.
func TestAuditLogAndUsersNameTheRegions(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	var l struct {
		Entries []*skygrid.AuditEntry `json:"entries"`
		Regions map[string]string     `json:"regions"`
	}
	if st := w.do(t, "auditor", "GET", "/api/audit?action=event.create&limit=50", nil, &l); st != 200 || len(l.Entries) == 0 {
		t.Fatalf("event.create: %d, %d entries", st, len(l.Entries))
	}
	named := 0
	for _, e := range l.Entries {
		var grid string
		fmt.Sscanf(e.After[strings.Index(e.After, "grid=")+5:], "%s", &grid)
		if grid == "" || grid == "assigned_by=none" {
			continue
		}
		r, err := w.db.FindRegionByID(ctx, grid)
		if err != nil {
			t.Fatal(err)
		}
		if l.Regions[grid] != r.Name || r.Name == "" {
			t.Errorf("%s: grid %s named %q, want %q", e.After, grid, l.Regions[grid], r.Name)
		}
		named++
	}
	if named == 0 {
		t.Error("no event in a grid")
	}
	var users struct {
		Users   []*skygrid.User   `json:"users"`
		Regions map[string]string `json:"regions"`
	}
	if st := w.do(t, "admin", "GET", "/api/users", nil, &users); st != 200 {
		t.Fatalf("users: %d", st)
	}
	rA, _ := w.db.FindRegionByID(ctx, w.countyA)
	rG, _ := w.db.FindRegionByID(ctx, w.gridA)
	if users.Regions[w.countyA] != rA.Name || users.Regions[w.gridA] != rG.Name || len(users.Regions) != 4 {
		t.Errorf("users' regions %v, want %s %s and %s %s among 4", users.Regions, w.countyA, rA.Name, w.gridA, rG.Name)
	}
	// user.add lines name the user's regions too.
	l.Regions = nil
	w.do(t, "admin", "GET", "/api/audit?action=user.add", nil, &l)
	if l.Regions[w.gridA] != rG.Name {
		t.Errorf("user.add: regions %v, want %s", l.Regions, w.gridA)
	}
	// A warning's lines name its area (they gave 范围：140225、140215).
	if _, err := w.db.IssueWarning(ctx, &skygrid.Warning{Level: "orange", CountyIDs: []string{w.countyA},
		Start: w.clock.Add(time.Hour), ExpectedEnd: w.clock.Add(24 * time.Hour)}, 0, *w.clock); err != nil {
		t.Fatal(err)
	}
	l.Regions = nil
	w.do(t, "admin", "GET", "/api/audit?action=warning.issue", nil, &l)
	if len(l.Entries) != 1 || l.Regions[w.countyA] != rA.Name {
		t.Errorf("warning.issue: %d lines, regions %v, want %s named", len(l.Entries), l.Regions, w.countyA)
	}
}
