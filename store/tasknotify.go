package store

import (
	"context"
	"encoding/json"
	"fmt"

	"skygrid"
)

// audiences says which channels hear of each event.
var audiences = map[string][]string{
	skygrid.NotifyTaskCreated:   {"all", "officials"},
	skygrid.NotifyTaskOverdue:   {"all", "officials"},
	skygrid.NotifyTaskEscalated: {"all", "auditors"},
}

// notifyTask queues, inside tx, the notification of a task event for the
// channels of the task's grid and every region above it (or, for a task in
// the unassigned queue, its county and above). The key makes it once per
// event, task, escalation level and channel.
func notifyTask(ctx context.Context, tx *Tx, t *skygrid.Task, event string) error {
	var regions []string
	for _, start := range []string{t.GridID, t.TownshipID, t.CountyID} {
		if start == "" {
			continue
		}
		chain, err := regionChain(ctx, tx, start)
		if err != nil {
			return err
		}
		regions = append(regions, chain...)
		break
	}
	if len(regions) == 0 {
		// The city's unassigned queue: the city's channels.
		rows, err := tx.QueryContext(ctx, `SELECT id FROM regions WHERE level = 'city'`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			regions = append(regions, id)
		}
		rows.Close()
	}
	chans, err := channelsFor(ctx, tx, regions, audiences[event])
	if err != nil || len(chans) == 0 {
		return err
	}
	n := skygrid.Notice{Event: event, TaskID: t.ID, EventID: t.EventID, Class: t.EventClass, GridID: t.GridID, CountyID: t.CountyID,
		Supervisor: t.SupervisorName, ReportDue: t.ReportDue, Escalation: t.Escalation, Link: fmt.Sprintf("%s/#/tasks/%d", tx.db.PublicURL, t.ID)}
	var lon, lat float64
	var first string
	if err := tx.QueryRowContext(ctx, `SELECT lon, lat, first_seen, class FROM events WHERE id = ?`, t.EventID).Scan(&lon, &lat, &first, &n.Class); err != nil {
		return err
	}
	n.Lon, n.Lat, n.FirstSeen = lon, lat, parseTS(first)
	title, text := skygrid.NoticeText(n)
	payload, _ := json.Marshal(n)
	var msgs []*skygrid.OutboxMessage
	for _, c := range chans {
		key := fmt.Sprintf("%s/task-%d/level-%d/version-%d/channel-%d", event, t.ID, t.Escalation, t.Version, c.ID)
		msgs = append(msgs, &skygrid.OutboxMessage{Key: key, ChannelID: c.ID, Event: event, TaskID: t.ID, Title: title,
			Text: text + "\n\n编号 " + key, Payload: string(payload)})
	}
	return queueOutbox(ctx, tx, msgs)
}
