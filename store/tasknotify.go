package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

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
// the unassigned queue, its county and above), and for the grid's
// supervisors personally through each configured personal channel kind
// (who is told: skygrid.GridSupervisors and skygrid.PersonalMessages).
// The key makes it once per event, task, escalation level and channel or
// person and kind.
func notifyTask(ctx context.Context, tx *Tx, t *skygrid.Task, event string) error {
	chans, err := taskChannels(ctx, tx, t, event)
	if err != nil {
		return fmt.Errorf("notify task %d: channels: %w", t.ID, err)
	}
	people, err := taskPeople(ctx, tx, t, event)
	if err != nil {
		return fmt.Errorf("notify task %d: supervisors: %w", t.ID, err)
	}
	if len(chans) == 0 && len(people) == 0 {
		return nil
	}
	n, err := taskNotice(ctx, tx, t, event)
	if err != nil {
		return fmt.Errorf("notify task %d: %w", t.ID, err)
	}
	title, text := skygrid.NoticeText(n)
	payload, _ := json.Marshal(n)
	var msgs []*skygrid.OutboxMessage
	for _, c := range chans {
		key := fmt.Sprintf("%s/task-%d/level-%d/version-%d/channel-%d", event, t.ID, t.Escalation, t.Version, c.ID)
		msgs = append(msgs, &skygrid.OutboxMessage{Key: key, ChannelID: c.ID, Event: event, TaskID: t.ID, Title: title,
			Text: text + "\n\n编号 " + key, Payload: string(payload)})
	}
	msgs = append(msgs, skygrid.PersonalMessages(n, people, tx.db.PersonalKinds, string(payload))...)
	return queueOutbox(ctx, tx, msgs)
}

// taskChannels returns the group channels that hear of the task's event.
func taskChannels(ctx context.Context, tx *Tx, t *skygrid.Task, event string) ([]*skygrid.Channel, error) {
	var regions []string
	for _, start := range []string{t.GridID, t.TownshipID, t.CountyID} {
		if start == "" {
			continue
		}
		chain, err := regionChain(ctx, tx, start)
		if err != nil {
			return nil, err
		}
		regions = append(regions, chain...)
		break
	}
	if len(regions) == 0 {
		// The city's unassigned queue: the city's channels.
		rows, err := tx.QueryContext(ctx, `SELECT id FROM regions WHERE level = 'city'`)
		if err != nil {
			return nil, fmt.Errorf("task channels: %w", err)
		}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			regions = append(regions, id)
		}
		rows.Close()
	}
	return channelsFor(ctx, tx, regions, audiences[event])
}

// taskPeople returns who is told of the task's event personally: nobody
// without a configured personal channel kind, for an event not told
// personally, or for a task without a grid.
func taskPeople(ctx context.Context, tx *Tx, t *skygrid.Task, event string) ([]skygrid.Person, error) {
	if len(tx.db.PersonalKinds) == 0 || !skygrid.PersonalEvents[event] || t.GridID == "" {
		return nil, nil
	}
	users, registered, err := gridPeople(ctx, tx, t.GridID)
	if err != nil {
		return nil, err
	}
	return skygrid.GridSupervisors(users, registered), nil
}

// gridPeople reads the users whose regions include the grid (by id) and
// the grid's registered supervisor (nil when none).
func gridPeople(ctx context.Context, tx *Tx, grid string) ([]*skygrid.User, *skygrid.Supervisor, error) {
	rows, err := tx.QueryContext(ctx, `SELECT u.id, u.name, u.phone, u.dingtalk_id, u.role, u.disabled FROM users u
		JOIN user_regions r ON r.user_id = u.id WHERE r.region_id = ? ORDER BY u.id`, grid)
	if err != nil {
		return nil, nil, fmt.Errorf("grid people: %w", err)
	}
	defer rows.Close()
	var users []*skygrid.User
	for rows.Next() {
		u := &skygrid.User{}
		if err := rows.Scan(&u.ID, &u.Name, &u.Phone, &u.DingTalkID, &u.Role, &u.Disabled); err != nil {
			return nil, nil, fmt.Errorf("grid people: read a row: %w", err)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("grid people: read the rows: %w", err)
	}
	s := &skygrid.Supervisor{GridID: grid}
	err = tx.QueryRowContext(ctx, `SELECT id, name, phone FROM supervisors WHERE grid_id = ?`, grid).Scan(&s.ID, &s.Name, &s.Phone)
	if errors.Is(err, sql.ErrNoRows) {
		return users, nil, nil
	} else if err != nil {
		return nil, nil, fmt.Errorf("grid people: read a row: %w", err)
	}
	return users, s, nil
}

// taskNotice is what the notifications of a task's event say.
func taskNotice(ctx context.Context, tx *Tx, t *skygrid.Task, event string) (skygrid.Notice, error) {
	n := skygrid.Notice{Event: event, TaskID: t.ID, EventID: t.EventID, Class: t.EventClass, GridID: t.GridID, CountyID: t.CountyID,
		Supervisor: t.SupervisorName, ReportDue: t.ReportDue, Escalation: t.Escalation, Version: t.Version,
		Link: fmt.Sprintf("%s/#/tasks/%d", tx.db.PublicURL, t.ID)}
	place, err := taskPlace(ctx, tx, t)
	if err != nil {
		return n, err
	}
	n.Place = place
	var first string
	if err := tx.QueryRowContext(ctx, `SELECT lon, lat, first_seen, class FROM events WHERE id = ?`, t.EventID).Scan(&n.Lon, &n.Lat, &first, &n.Class); err != nil {
		return n, fmt.Errorf("read event %d: %w", t.EventID, err)
	}
	n.FirstSeen = parseTS(first)
	return n, nil
}

// taskPlace names the task's county, township and grid, read from the
// grid's regions (a reassigned task carries its old grid's names), or the
// event's township and county for a task without a grid.
func taskPlace(ctx context.Context, tx *Tx, t *skygrid.Task) (string, error) {
	names := []string{t.CountyName, t.TownshipName}
	if t.GridID != "" {
		var grid, parent, parentLevel, grandparent string
		err := tx.QueryRowContext(ctx, `SELECT g.name, COALESCE(p.name, ''), COALESCE(p.level, ''), COALESCE(gp.name, '') FROM regions g
			LEFT JOIN regions p ON p.id = g.parent_id LEFT JOIN regions gp ON gp.id = p.parent_id WHERE g.id = ?`, t.GridID).
			Scan(&grid, &parent, &parentLevel, &grandparent)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", fmt.Errorf("read grid %s: %w", t.GridID, err)
		}
		if grid == "" {
			grid = t.GridID
		}
		names = []string{parent, grid}
		if parentLevel == skygrid.LevelTownship {
			names = []string{grandparent, parent, grid}
		}
	}
	var out []string
	for i, s := range names {
		// Generated grids carry their county's name ("浑源县 12行2列").
		if s != "" && (i == len(names)-1 || !strings.HasPrefix(names[i+1], s)) {
			out = append(out, s)
		}
	}
	return strings.Join(out, " "), nil
}

// notifyTargets counts what may hear of a new task: the group channels,
// plus one when personal messages are configured (an ingest skips the
// notification step when there is none).
func notifyTargets(ctx context.Context, tx *Tx) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM notify_channels`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count notify channels: %w", err)
	}
	if len(tx.db.PersonalKinds) > 0 {
		n++
	}
	return n, nil
}
