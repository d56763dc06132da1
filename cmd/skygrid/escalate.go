package main

import (
	"context"
	"fmt"

	"skygrid/dispatch"
)

// EscalateCommand is skygrid escalate: overdue tasks escalated once.
type EscalateCommand struct{ *Main }

// Usage of skygrid escalate.
func (m *EscalateCommand) Usage() string {
	return `Usage: skygrid escalate [flags]

Escalates overdue tasks once, as skygrid serve does every [schedule]
escalate_every: to the area's officials when overdue (by [escalation]
official_after), to the auditors when late by [escalation] auditors_ratio
times the time the task was given (as long again, by default). The grid's
supervisors are reminded personally when a personal channel is set up.

Examples:
  skygrid escalate
  skygrid escalate --set escalation.official_after=30m --db city.db
`
}

// Run escalates the overdue tasks and prints how many.
func (m *EscalateCommand) Run(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("escalate", "Usage: skygrid escalate\n\nEscalates overdue tasks: to the area's officials when overdue, to the auditors when late by as long again.\n"+
		"The grid's supervisors are reminded personally when the configuration sets up a personal channel.", &c)
	db, err := m.parseOpen(fs, args, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := dispatch.Escalate(ctx, db, db.Escalation, m.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%d tasks escalated\n", n)
	return nil
}
