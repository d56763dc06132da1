package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"skygrid"
)

// openInspections opens, inside tx, one emergency_inspection event and
// task per placed list row that the warning has no event for yet (the
// unique index on events (warning_id, listed_key) backs the check), with
// the row's measures as the task's checklist (report 0), due InspectHours
// from now; then marks the warning started. Returns how many it opened.
func openInspections(ctx context.Context, tx *Tx, warningID int64, plan []placedEntry, now time.Time) (int, error) {
	due := now.UTC().Truncate(time.Second).Add(time.Duration(tx.db.InspectHours * float64(time.Hour)))
	var res skygrid.DustRecorded
	for _, p := range plan {
		e, key := p.entry, skygrid.ListedKey(p.entry)
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM events WHERE warning_id = ? AND listed_key = ?`, warningID, key).Scan(&one)
		if err == nil {
			continue
		} else if !errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("warning %d: find the inspection of %s: %w", warningID, key, err)
		}
		w := p.where
		a := &skygrid.DustAlarm{SiteID: e.SiteID, Class: skygrid.ClassEmergencyInspection, Start: now.UTC(), End: now.UTC(),
			Detail: e.Name + "：" + measureList(e.Measures), Point: w.Point, GridID: w.GridID, TownshipID: w.TownshipID,
			CountyID: w.CountyID, AssignedBy: w.AssignedBy, AckDue: due, ReportDue: due}
		eventID, err := newDustEvent(ctx, tx, a, "warning", &res)
		if err != nil {
			return 0, fmt.Errorf("warning %d: inspection of %s: %w", warningID, e.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE events SET warning_id = ?, emergency_id = ?, listed_key = ?, listed_name = ?,
			listed_contact = ?, listed_phone = ? WHERE id = ?`, warningID, e.ID, key, e.Name, e.Contact, e.Phone, eventID); err != nil {
			return 0, fmt.Errorf("warning %d: link event %d: %w", warningID, eventID, err)
		}
		if err := insertChecklist(ctx, tx, res.TaskIDs[len(res.TaskIDs)-1], 0, planItems(e.Measures), nil); err != nil {
			return 0, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE warnings SET started_at = ? WHERE id = ?`, ts(tx.now), warningID); err != nil {
		return 0, fmt.Errorf("warning %d: mark started: %w", warningID, err)
	}
	if len(res.TaskIDs) > 0 {
		if err := bumpLayers(ctx, tx, skygrid.LayerEvents); err != nil {
			return 0, fmt.Errorf("warning %d: layer version: %w", warningID, err)
		}
	}
	return len(res.TaskIDs), nil
}

func measureList(ms []skygrid.Measure) string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = skygrid.MeasureText(m)
	}
	return strings.Join(out, "；")
}

// planItems are the measures as a checklist not yet answered.
func planItems(ms []skygrid.Measure) []skygrid.ChecklistItem {
	out := make([]skygrid.ChecklistItem, len(ms))
	for i, m := range ms {
		out[i] = skygrid.ChecklistItem{Measure: m}
	}
	return out
}

// insertChecklist stores a checklist as the task's report number report
// (0: the measures as listed), each item's photos by the hash of the
// report's photo at its index.
func insertChecklist(ctx context.Context, tx *Tx, taskID int64, report int, items []skygrid.ChecklistItem, photos []*skygrid.Photo) error {
	checked := ""
	if report > 0 {
		checked = ts(tx.now)
	}
	for i := range items {
		it := &items[i]
		it.PhotoSHA256 = nil
		for _, p := range it.PhotoIndex {
			it.PhotoSHA256 = append(it.PhotoSHA256, photos[p].SHA256)
		}
		m, _ := json.Marshal(it.Measure)
		shas, _ := json.Marshal(append([]string{}, it.PhotoSHA256...))
		var inPlace any
		if it.InPlace != nil {
			inPlace = *it.InPlace
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO task_checklist (task_id, report, seq, measure, in_place, note, photo_sha256, checked_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, taskID, report, i, string(m), inPlace, it.Note, string(shas), checked); err != nil {
			return fmt.Errorf("task %d: store checklist item %d: %w", taskID, i, err)
		}
	}
	return nil
}

// findChecklist is the task's checklist as its latest report answered
// it, else as listed; nil for a task without one.
func findChecklist(ctx context.Context, q querier, taskID int64) ([]skygrid.ChecklistItem, error) {
	rows, err := q.QueryContext(ctx, `SELECT measure, in_place, note, photo_sha256 FROM task_checklist
		WHERE task_id = ? AND report = (SELECT MAX(report) FROM task_checklist WHERE task_id = ?) ORDER BY seq`, taskID, taskID)
	if err != nil {
		return nil, fmt.Errorf("task %d: read its checklist: %w", taskID, err)
	}
	defer rows.Close()
	var out []skygrid.ChecklistItem
	for rows.Next() {
		var m, shas string
		var inPlace sql.NullBool
		it := skygrid.ChecklistItem{}
		if err := rows.Scan(&m, &inPlace, &it.Note, &shas); err != nil {
			return nil, fmt.Errorf("task %d: read a checklist item: %w", taskID, err)
		}
		if err := json.Unmarshal([]byte(m), &it.Measure); err != nil {
			return nil, fmt.Errorf("task %d: checklist measure: %w", taskID, err)
		}
		if err := json.Unmarshal([]byte(shas), &it.PhotoSHA256); err != nil {
			return nil, fmt.Errorf("task %d: checklist photos: %w", taskID, err)
		}
		if inPlace.Valid {
			it.InPlace = &inPlace.Bool
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("task %d: read its checklist: %w", taskID, err)
	}
	return out, nil
}

// reportChecklist checks and stores, inside the report's transaction, the
// checklist of a report: an emergency inspection's report must answer
// every listed measure; any other task takes none.
func reportChecklist(ctx context.Context, tx *Tx, t *skygrid.Task, c skygrid.TaskChange, photos []*skygrid.Photo) error {
	if t.EventClass != skygrid.ClassEmergencyInspection {
		if len(c.Checklist) > 0 {
			return skygrid.Errorf(skygrid.EINVALID, "checklist: only an emergency inspection task (应急减排检查) takes one")
		}
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT measure FROM task_checklist WHERE task_id = ? AND report = 0 ORDER BY seq`, t.ID)
	if err != nil {
		return fmt.Errorf("task %d: read its measures: %w", t.ID, err)
	}
	plan, err := scanMeasures(rows)
	if err != nil {
		return fmt.Errorf("task %d: read its measures: %w", t.ID, err)
	}
	if err := skygrid.CheckChecklist(plan, c.Checklist, len(photos)); err != nil {
		return err
	}
	return insertChecklist(ctx, tx, t.ID, t.Reports, c.Checklist, photos)
}

func scanMeasures(rows *sql.Rows) ([]skygrid.Measure, error) {
	defer rows.Close()
	var out []skygrid.Measure
	for rows.Next() {
		var s string
		var m skygrid.Measure
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("read a measure: %w", err)
		}
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			return nil, fmt.Errorf("a measure: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the measures: %w", err)
	}
	return out, nil
}

// notifyWarning queues a warning event's notifications inside tx: every
// channel of the regions of its area, those below and those above it,
// and, with personal kinds configured, the officials and supervisors of
// the area (users scoped to it, and the grids' registered supervisors).
func notifyWarning(ctx context.Context, tx *Tx, w *skygrid.Warning, event string) error {
	regions, err := warningRegions(ctx, tx, w)
	if err != nil {
		return err
	}
	chans, err := channelsFor(ctx, tx, regions, skygrid.WarningAudiences)
	if err != nil {
		return err
	}
	ids := make([]int64, len(chans))
	for i, c := range chans {
		ids[i] = c.ID
	}
	var people []skygrid.Person
	if len(tx.db.PersonalKinds) > 0 {
		if people, err = areaPeople(ctx, tx, regions); err != nil {
			return err
		}
	}
	return queueOutbox(ctx, tx, skygrid.WarningMessages(w, event, skygrid.WholeOf(tx.db.AreaName), ids, people, tx.db.PersonalKinds))
}

// warningRegions are the area's regions, every region below them and the
// city above: all regions for a city-wide warning.
func warningRegions(ctx context.Context, tx *Tx, w *skygrid.Warning) ([]string, error) {
	q := &listQuery{what: "warning regions", from: `SELECT id FROM regions`}
	if len(w.CountyIDs) > 0 {
		args := make([]any, len(w.CountyIDs))
		for i, c := range w.CountyIDs {
			args[i] = c
		}
		q = &listQuery{what: "warning regions", from: `WITH RECURSIVE down(id, depth) AS (
				SELECT id, 0 FROM regions WHERE id IN (` + placeholders(len(args)) + `)
				UNION ALL SELECT r.id, down.depth + 1 FROM regions r JOIN down ON r.parent_id = down.id WHERE down.depth < 8)
			SELECT id FROM down UNION SELECT id FROM regions WHERE level = 'city'`, args: args}
	}
	return queryList(ctx, tx, q, readString)
}

// areaPeople are the active officials and supervisors scoped to any of
// the regions, and the registered supervisors of its grids, one per
// phone.
func areaPeople(ctx context.Context, tx *Tx, regions []string) ([]skygrid.Person, error) {
	if len(regions) == 0 {
		return nil, nil
	}
	args := make([]any, 0, 2*len(regions))
	for range 2 {
		for _, r := range regions {
			args = append(args, r)
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT 'user-' || u.id, u.name, u.phone, u.dingtalk_id FROM users u
		WHERE u.disabled = 0 AND u.role IN ('official', 'supervisor')
			AND EXISTS (SELECT 1 FROM user_regions r WHERE r.user_id = u.id AND r.region_id IN (`+placeholders(len(regions))+`))
		UNION ALL SELECT 'supervisor-' || s.id, s.name, s.phone, '' FROM supervisors s WHERE s.grid_id IN (`+placeholders(len(regions))+`)
		ORDER BY 1`, args...)
	if err != nil {
		return nil, fmt.Errorf("warning people: %w", err)
	}
	defer rows.Close()
	var out []skygrid.Person
	seen := map[string]bool{}
	for rows.Next() {
		var p skygrid.Person
		if err := rows.Scan(&p.Ref, &p.Name, &p.Phone, &p.DingTalkID); err != nil {
			return nil, fmt.Errorf("warning people: read a row: %w", err)
		}
		if phone, err := skygrid.ParsePhone(p.Phone); err == nil && phone != "" {
			if seen[phone] {
				continue
			}
			seen[phone] = true
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("warning people: %w", err)
	}
	return out, nil
}

// checklistSummary is a report's checklist for the audit line.
func checklistSummary(items []skygrid.ChecklistItem) string {
	if len(items) == 0 {
		return ""
	}
	in := 0
	for _, it := range items {
		if it.InPlace != nil && *it.InPlace {
			in++
		}
	}
	return fmt.Sprintf(" checklist=%d/%d_in_place", in, len(items))
}
