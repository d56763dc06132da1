package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"skygrid"
)

// dustClassesSQL is the dust classes as an SQL list ('dust_exceedance',
// ...), from skygrid.DustClasses, and the public's reports: the fire
// queries (statistics, the open fires a detection joins) leave them out.
var dustClassesSQL = func() string {
	classes := append(slices.Clone(skygrid.DustClasses), skygrid.ClassPublicReport)
	q := make([]string, len(classes))
	for i, c := range classes {
		q[i] = "'" + c + "'"
	}
	return "(" + strings.Join(q, ", ") + ")"
}()

// readingCols are the columns scanReading reads.
var readingCols = `kind, at, ` + strings.Join(skygrid.Factors, ", ") + `, flags, COALESCE(qn, ''), source, received_at`

// scanReading reads one row of readingCols.
func scanReading(rows *sql.Rows, id int64) (skygrid.Reading, error) {
	r := skygrid.Reading{MonitorID: id, Values: map[string]float64{}}
	vals := make([]sql.NullInt64, len(skygrid.Factors))
	var at, received int64
	var flags sql.NullString
	var qn any
	dest := []any{&r.Kind, &at}
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	if err := rows.Scan(append(dest, &flags, &qn, &r.Source, &received)...); err != nil {
		return r, fmt.Errorf("scan a reading: %w", err)
	}
	r.At, r.ReceivedAt, r.Flags = unixUTC(at), unixUTC(received), decodeFlags(flags)
	switch q := qn.(type) {
	case int64:
		r.QN = strconv.FormatInt(q, 10)
	case string:
		r.QN = q
	case []byte:
		r.QN = string(q)
	}
	for i, f := range skygrid.Factors {
		if vals[i].Valid {
			r.Values[f] = float64(vals[i].Int64) / 100
		}
	}
	return r, nil
}

// Readings are the monitor's readings of every kind with a data time in
// [from, to), by data time (dustrule.History).
func (db *DB) Readings(ctx context.Context, monitorID int64, from, to time.Time) ([]skygrid.Reading, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT `+readingCols+` FROM readings
		WHERE monitor_id = ? AND kind IN ('rtd', 'minute', 'hour', 'day') AND at >= ? AND at < ? ORDER BY at, kind`,
		monitorID, from.Unix(), to.Unix())
	if err != nil {
		return nil, fmt.Errorf("readings of monitor %d: %w", monitorID, err)
	}
	defer rows.Close()
	var out []skygrid.Reading
	for rows.Next() {
		r, err := scanReading(rows, monitorID)
		if err != nil {
			return nil, fmt.Errorf("readings of monitor %d: read a row: %w", monitorID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("readings of monitor %d: %w", monitorID, err)
	}
	return out, nil
}

// Latest is the monitor's reading of kind ("" any) with the latest data
// time before before (dustrule.History).
func (db *DB) Latest(ctx context.Context, monitorID int64, kind string, before time.Time) (skygrid.Reading, bool, error) {
	kinds := []string{kind}
	if kind == "" {
		kinds = latestKinds
	}
	// One probe per kind on the primary key, then the latest of them.
	var best skygrid.Reading
	ok := false
	for _, k := range kinds {
		rows, err := db.rdb.QueryContext(ctx, `SELECT `+readingCols+` FROM readings
			WHERE monitor_id = ? AND kind = ? AND at < ? ORDER BY at DESC LIMIT 1`, monitorID, k, before.Unix())
		if err != nil {
			return best, false, fmt.Errorf("latest reading of monitor %d: %w", monitorID, err)
		}
		for rows.Next() {
			r, err := scanReading(rows, monitorID)
			if err != nil {
				rows.Close()
				return best, false, fmt.Errorf("latest reading of monitor %d: read a row: %w", monitorID, err)
			}
			if !ok || r.At.After(best.At) {
				best, ok = r, true
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return best, false, fmt.Errorf("latest reading of monitor %d: %w", monitorID, err)
		}
	}
	return best, ok, nil
}

// latestKinds are the kinds of reading, in the order Latest prefers on
// equal data times.
var latestKinds = []string{skygrid.ReadingRealtime, skygrid.ReadingMinute, skygrid.ReadingHour, skygrid.ReadingDay}

// LastHeard is, for every dust monitor with a reading whose data time is
// before before, the received time of the latest of them (Latest's
// reading of any kind): one statement for all monitors, where the clock's
// silence check asked four per monitor (20,000 a minute on a province's
// 5,000 monitors). dustrule.History.
func (db *DB) LastHeard(ctx context.Context, before time.Time) (map[int64]time.Time, error) {
	q := `SELECT m.id`
	args := []any{}
	for _, k := range latestKinds {
		q += `, (SELECT r.at || ' ' || r.received_at FROM readings r
			WHERE r.monitor_id = m.id AND r.kind = ? AND r.at < ? ORDER BY r.at DESC LIMIT 1)`
		args = append(args, k, before.Unix())
	}
	rows, err := db.rdb.QueryContext(ctx, q+` FROM monitors m WHERE m.kind = ?`, append(args, skygrid.MonitorDust)...)
	if err != nil {
		return nil, fmt.Errorf("when each monitor was last heard: %w", err)
	}
	defer rows.Close()
	out := map[int64]time.Time{}
	for rows.Next() {
		id, at, received, err := scanLastHeard(rows)
		if err != nil {
			return nil, fmt.Errorf("when each monitor was last heard: read a row: %w", err)
		}
		if at > 0 {
			out[id] = unixUTC(received)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("when each monitor was last heard: %w", err)
	}
	return out, nil
}

// scanLastHeard reads a row of LastHeard: the monitor, and the data and
// received times of its latest reading of any kind (0 when none; a
// received time of 0 is the data time's).
func scanLastHeard(rows *sql.Rows) (id, at, received int64, err error) {
	kinds := make([]sql.NullString, len(latestKinds))
	dest := []any{&id}
	for i := range kinds {
		dest = append(dest, &kinds[i])
	}
	if err := rows.Scan(dest...); err != nil {
		return 0, 0, 0, fmt.Errorf("scan a monitor's latest readings: %w", err)
	}
	for _, k := range kinds {
		var a, r int64
		if !k.Valid {
			continue
		}
		if _, err := fmt.Sscanf(k.String, "%d %d", &a, &r); err != nil {
			return 0, 0, 0, fmt.Errorf("monitor %d: %q: %w", id, k.String, err)
		}
		if a > at {
			at, received = a, r
		}
	}
	if received == 0 {
		received = at
	}
	return id, at, received, nil
}

// ValidCounts is, for every dust monitor, how many of its readings of
// kind with a data time in [from, to) hold a valid value of factor, from
// the hourly aggregates (from and to must be whole hours): the clock's
// daily capture check read every monitor's day of readings (7.2 million
// rows on a province's 5,000 monitors). dustrule.History.
func (db *DB) ValidCounts(ctx context.Context, kind, factor string, from, to time.Time) (map[int64]int, error) {
	if from.Unix()%3600 != 0 || to.Unix()%3600 != 0 {
		return nil, fmt.Errorf("valid counts from %s to %s: not on whole hours", ts(from), ts(to))
	}
	rows, err := db.rdb.QueryContext(ctx, `SELECT m.id, (SELECT CAST(COALESCE(SUM(h.n_valid), 0) AS BIGINT) FROM readings_hourly h
			WHERE h.monitor_id = m.id AND h.hour >= ? AND h.hour < ? AND h.factor = ? AND h.kind = ?)
		FROM monitors m WHERE m.kind = ?`, from.Unix(), to.Unix(), factor, kind, skygrid.MonitorDust)
	if err != nil {
		return nil, fmt.Errorf("valid %s values of %s readings: %w", factor, kind, err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("valid %s values of %s readings: read a row: %w", factor, kind, err)
		}
		out[id] = int(n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("valid %s values of %s readings: %w", factor, kind, err)
	}
	return out, nil
}

// RecordDustAlarms records alarms in one transaction (skygrid.DustService):
// each new one opens an event and a task, or goes to the event of its
// monitor (a registry violation: of its site) and class whose task is not
// closed, with the audit lines and the new tasks' notifications.
func (db *DB) RecordDustAlarms(ctx context.Context, alarms []skygrid.DustAlarm) (skygrid.DustRecorded, error) {
	var res skygrid.DustRecorded
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("record dust alarms: begin: %w", err)
	}
	defer tx.Rollback()
	for i := range alarms {
		if err := recordDustAlarm(ctx, tx, &alarms[i], &res); err != nil {
			return skygrid.DustRecorded{}, err
		}
	}
	if res.Alarms > 0 {
		if err := bumpLayers(ctx, tx, skygrid.LayerEvents); err != nil {
			return skygrid.DustRecorded{}, fmt.Errorf("record dust alarms: layer version: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return skygrid.DustRecorded{}, fmt.Errorf("record dust alarms: commit: %w", err)
	}
	return res, nil
}

// recordDustAlarm records one alarm inside tx.
func recordDustAlarm(ctx context.Context, tx *Tx, a *skygrid.DustAlarm, res *skygrid.DustRecorded) error {
	var alarmID int64
	if a.MonitorID != 0 {
		err := tx.QueryRowContext(ctx, `INSERT INTO dust_alarms (monitor_id, site_id, county_id, grid_id, rule, class,
			window_start, window_end, value, limit_value, detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (monitor_id, rule, window_start) DO NOTHING RETURNING id`,
			a.MonitorID, a.SiteID, nullStr(a.CountyID), nullStr(a.GridID), a.Rule, a.Class, ts(a.Start), ts(a.End),
			a.Value, a.Limit, a.Detail, ts(tx.now)).Scan(&alarmID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // checked again: already recorded
		} else if err != nil {
			return fmt.Errorf("record dust alarm %s of monitor %d: %w", a.Rule, a.MonitorID, err)
		}
	}
	eventID, err := openDustEvent(ctx, tx, a)
	if err != nil {
		return err
	}
	if a.MonitorID == 0 && eventID != 0 {
		return nil // a violation already being inspected: not repeated
	}
	res.Alarms++
	if eventID != 0 {
		res.EventsUpdated++
		err = touchDustEvent(ctx, tx, eventID, a)
	} else {
		res.EventsNew++
		eventID, err = newDustEvent(ctx, tx, a, "dust", res)
	}
	if err != nil || alarmID == 0 {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE dust_alarms SET event_id = ? WHERE id = ?`, eventID, alarmID); err != nil {
		return fmt.Errorf("link dust alarm %d to event %d: %w", alarmID, eventID, err)
	}
	return nil
}

// openDustEvent is the event of the alarm's monitor and class (a
// registry violation: of its site, class and violation) whose task is not
// closed; 0 when none. A violation's inspection closed less than
// skygrid.InspectAgainAfter ago, with the site's record unchanged since,
// counts as open: the official who closed it is handling it (it was
// opened again at the next minute's check).
func openDustEvent(ctx context.Context, tx *Tx, a *skygrid.DustAlarm) (int64, error) {
	q := `SELECT e.id FROM events e JOIN tasks t ON t.event_id = e.id
		WHERE e.monitor_id = ? AND e.class = ? AND e.state = 'open' AND t.state <> 'closed' ORDER BY e.id DESC LIMIT 1`
	args := []any{a.MonitorID, a.Class}
	if a.MonitorID == 0 {
		q = `SELECT e.id FROM events e JOIN tasks t ON t.event_id = e.id JOIN sites s ON s.id = e.site_id
			WHERE e.site_id = ? AND e.class = ? AND e.rule = ? AND e.monitor_id IS NULL
				AND ((e.state = 'open' AND t.state <> 'closed') OR (t.state = 'closed' AND t.closed_at > ? AND t.closed_at >= s.updated_at))
			ORDER BY e.id DESC LIMIT 1`
		args = []any{a.SiteID, a.Class, a.Rule, ts(tx.now.Add(-skygrid.InspectAgainAfter))}
	}
	var id int64
	err := tx.QueryRowContext(ctx, q, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("find the open %s event of monitor %d, site %v: %w", a.Class, a.MonitorID, a.SiteID, err)
	}
	return id, nil
}

// touchDustEvent adds an alarm to the event still being worked: last
// seen, the count; its task and notifications stay as they are.
func touchDustEvent(ctx context.Context, tx *Tx, id int64, a *skygrid.DustAlarm) error {
	var before string
	var count int
	if err := tx.QueryRowContext(ctx, `SELECT last_seen, alarm_count FROM events WHERE id = ?`, id).Scan(&before, &count); err != nil {
		return fmt.Errorf("read dust event %d: %w", id, err)
	}
	last := parseTS(before)
	if a.End.After(last) {
		last = a.End
	}
	if _, err := tx.ExecContext(ctx, `UPDATE events SET last_seen = ?, alarm_count = alarm_count + 1, updated_at = ? WHERE id = ?`,
		ts(last), ts(tx.now), id); err != nil {
		return fmt.Errorf("update dust event %d: %w", id, err)
	}
	return insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: "dust", Action: "event.alarm", Entity: "event", EntityID: fmt.Sprint(id),
		Before: fmt.Sprintf("alarms=%d last_seen=%s", count, before), After: fmt.Sprintf("alarms=%d last_seen=%s %s", count+1, ts(last), alarmSummary(a))})
}

// alarmSummary is what opened a dust event, for its audit line: the
// rule, window and value of an alarm; the listed entry and its measures
// of a warning's inspection (no rule, no value).
func alarmSummary(a *skygrid.DustAlarm) string {
	if a.Class == skygrid.ClassEmergencyInspection {
		return fmt.Sprintf("listed=%q", a.Detail)
	}
	return fmt.Sprintf("rule=%s window=%s/%s value=%g limit=%g", a.Rule, ts(a.Start), ts(a.End), a.Value, a.Limit)
}

// newDustEvent opens the alarm's event at its point with a task to its
// grid's supervisor, the audit lines (by actor) and the task's
// notifications. A warning's inspection opens its event so too.
func newDustEvent(ctx context.Context, tx *Tx, a *skygrid.DustAlarm, actor string, res *skygrid.DustRecorded) (int64, error) {
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM events`).Scan(&id); err != nil {
		return 0, fmt.Errorf("next event id: %w", err)
	}
	var monitor any
	if a.MonitorID != 0 {
		monitor = a.MonitorID
	}
	p, now := a.Point, ts(tx.now)
	if _, err := tx.ExecContext(ctx, `INSERT INTO events (id, class, state, first_seen, last_seen, lon, lat, min_lon, min_lat,
		max_lon, max_lat, hotspot_count, max_frp, grid_id, township_id, county_id, assigned_by, created_at, updated_at,
		site_id, monitor_id, alarm_count, rule) VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
		id, a.Class, ts(a.Start), ts(a.End), p[0], p[1], p[0], p[1], p[0], p[1], nullStr(a.GridID), nullStr(a.TownshipID),
		nullStr(a.CountyID), a.AssignedBy, now, now, a.SiteID, monitor, a.Rule); err != nil {
		return 0, fmt.Errorf("open dust event: %w", err)
	}
	var sup any
	var who string
	err := tx.QueryRowContext(ctx, `SELECT id, name FROM supervisors WHERE grid_id = ?`, a.GridID).Scan(&sup, &who)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("supervisor of grid %s: %w", a.GridID, err)
	}
	var taskID int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO tasks (event_id, grid_id, supervisor_id, state, ack_due, report_due, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, id, nullStr(a.GridID), sup, skygrid.TaskDispatched, ts(a.AckDue), ts(a.ReportDue), now, now,
	).Scan(&taskID); err != nil {
		return 0, fmt.Errorf("dispatch dust task: %w", err)
	}
	res.TaskIDs = append(res.TaskIDs, taskID)
	switch {
	case a.GridID == "":
		who = "unassigned queue"
	case who == "":
		who = "grid " + a.GridID + " (no supervisor)"
	}
	for _, e := range []*skygrid.AuditEntry{
		{Actor: actor, Action: "event.create", Entity: "event", EntityID: fmt.Sprint(id),
			After: fmt.Sprintf("class=%s grid=%s assigned_by=%s monitor=%d site=%s %s", a.Class, a.GridID, a.AssignedBy, a.MonitorID, siteArg(a.SiteID), alarmSummary(a))},
		{Actor: actor, Action: "task.dispatch", Entity: "task", EntityID: fmt.Sprint(taskID),
			After: fmt.Sprintf("event=%d to=%s ack_due=%s report_due=%s", id, who, ts(a.AckDue), ts(a.ReportDue))},
	} {
		if err := insertAudit(ctx, tx, e); err != nil {
			return 0, fmt.Errorf("dust event %d: audit: %w", id, err)
		}
	}
	t, err := findTaskByID(ctx, tx, taskID)
	if err != nil {
		return 0, err
	}
	if err := notifyTask(ctx, tx, t, skygrid.NotifyTaskCreated); err != nil {
		return 0, fmt.Errorf("dust task %d: %w", taskID, err)
	}
	return id, nil
}

func siteArg(id *int64) string {
	if id == nil {
		return "none"
	}
	return fmt.Sprint(*id)
}
