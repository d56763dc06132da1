package main

import (
	"context"
	"fmt"
	"strconv"

	"skygrid"
)

// TasksCommand is skygrid tasks: the task list.
type TasksCommand struct{ *Main }

// Usage of skygrid tasks.
func (m *TasksCommand) Usage() string {
	return listUsage("tasks", `  skygrid tasks --state dispatched --county 140225
  skygrid tasks --since 2023-10-01 --until 2023-11-01 --format csv > tasks.csv
`)
}

// Run lists the tasks, newest first.
func (m *TasksCommand) Run(ctx context.Context, args []string) error {
	l, db, err := m.openList("tasks", args)
	if err != nil {
		return err
	}
	defer db.Close()
	ts, n, err := db.FindTasks(ctx, skygrid.TaskFilter{Since: l.sinceT, Until: l.untilT, CountyID: optStr(l.county), GridID: optStr(l.grid),
		Class: optStr(l.class), State: optStr(l.state), Limit: l.limit})
	if err != nil {
		return err
	}
	if l.format == "json" {
		if ts == nil {
			ts = []*skygrid.Task{}
		}
		return writeJSON(m.Stdout, map[string]any{"tasks": ts, "total": n})
	}
	header := []string{"id", "event", "class", "类别", "county", "grid", "supervisor", "state", "ack_due", "report_due", "created"}
	var rows [][]string
	for _, t := range ts {
		sup := t.SupervisorName
		if t.GridID == "" {
			sup = "(unassigned queue 待分配)"
		}
		rows = append(rows, []string{strconv.FormatInt(t.ID, 10), strconv.FormatInt(t.EventID, 10), t.EventClass, skygrid.ClassNames[t.EventClass],
			t.CountyID, t.GridID, sup, t.State, local(t.AckDue), local(t.ReportDue), local(t.CreatedAt)})
	}
	if err := writeRows(m.Stdout, l.format, header, rows); err != nil {
		return err
	}
	if l.format == "table" {
		fmt.Fprintf(m.Stdout, "%d of %d tasks (times Asia/Shanghai)\n", len(ts), n)
	}
	return nil
}
