package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"skygrid"
)

// notifyTask queues, inside tx, the notification of a task event. The
// store reads the facts: the channels of the task's region
// (skygrid.TaskRegion) and every region above it whose audience hears of
// the event (skygrid.TaskAudiences), the grid's people
// (skygrid.ToldPersonally, skygrid.GridSupervisors), the task's place and
// event; the root package decides what each is sent
// (skygrid.TaskMessages), and the store queues it.
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
	ids := make([]int64, len(chans))
	for i, c := range chans {
		ids[i] = c.ID
	}
	return queueOutbox(ctx, tx, skygrid.TaskMessages(n, ids, people, tx.db.PersonalKinds))
}

// taskChannels returns the group channels that hear of the task's event.
func taskChannels(ctx context.Context, tx *Tx, t *skygrid.Task, event string) ([]*skygrid.Channel, error) {
	regions, err := regionChain(ctx, tx, skygrid.TaskRegion(t))
	if err != nil {
		return nil, err
	}
	if len(regions) == 0 {
		// The city's unassigned queue: the city's channels.
		q := &listQuery{what: "task channels: the city", from: `SELECT id FROM regions`, conds: []string{"level = 'city'"}, order: ` ORDER BY id`}
		if regions, err = queryList(ctx, tx, q, readString); err != nil {
			return nil, err
		}
	}
	return channelsFor(ctx, tx, regions, skygrid.TaskAudiences[event])
}

// taskPeople returns who is told of the task's event personally: nobody
// without a configured personal channel kind, for an event not told
// personally, or for a task without a grid.
func taskPeople(ctx context.Context, tx *Tx, t *skygrid.Task, event string) ([]skygrid.Person, error) {
	if !skygrid.ToldPersonally(t, event, tx.db.PersonalKinds) {
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
	place, err := taskPlace(ctx, tx, t)
	if err != nil {
		return skygrid.Notice{}, err
	}
	var lon, lat float64
	var first, class string
	if err := tx.QueryRowContext(ctx, `SELECT lon, lat, first_seen, class FROM events WHERE id = ?`, t.EventID).Scan(&lon, &lat, &first, &class); err != nil {
		return skygrid.Notice{}, fmt.Errorf("read event %d: %w", t.EventID, err)
	}
	return skygrid.TaskNotice(t, event, tx.db.PublicURL, place, lon, lat, parseTS(first), class), nil
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
	return skygrid.PlaceName(names...), nil
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
