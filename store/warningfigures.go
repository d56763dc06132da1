package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"time"

	"skygrid"
)

// fireClassesSQL are the classes counted as fires in a warning's figures:
// the fire classes but industrial heat (a plant, not a fire).
var fireClassesSQL = func() string {
	var q []string
	for _, c := range skygrid.Classes {
		if c != skygrid.ClassIndustrialHeat {
			q = append(q, "'"+c+"'")
		}
	}
	return "(" + strings.Join(q, ", ") + ")"
}()

// WarningFigures are the figures of the warning's report over [start,
// lifted or now), by county of its area (every county for a city-wide
// warning) and by inspected site. A task is overdue when it was not
// reported by its due time: still unreported at the end, or reported
// after it.
func (db *DB) WarningFigures(ctx context.Context, id int64, now time.Time) (*skygrid.WarningFigures, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("warning figures: begin: %w", err)
	}
	defer tx.Rollback()
	w, err := findWarning(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	end := now.UTC()
	if !w.LiftedAt.IsZero() {
		end = w.LiftedAt
	}
	f := &skygrid.WarningFigures{Warning: w, Generated: now.UTC(), Sites: []*skygrid.WarningSiteFigures{}}
	by, err := figureCounties(ctx, tx, w, f)
	if err != nil {
		return nil, err
	}
	list, err := db.FindEmergencyList(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range skygrid.WarningEntries(list, w) {
		if c := by[e.CountyID]; c != nil {
			c.Listed++
		}
	}
	if err := figureTasks(ctx, tx, w.ID, end, by, f); err != nil {
		return nil, err
	}
	if err := figureCounts(ctx, tx, w, end, by, f); err != nil {
		return nil, err
	}
	if f.Extensions, err = figureExtensions(ctx, tx, w.ID); err != nil {
		return nil, err
	}
	for _, c := range f.Counties {
		t := &f.Total
		t.Listed, t.Tasks, t.Checked, t.Closed, t.Overdue = t.Listed+c.Listed, t.Tasks+c.Tasks, t.Checked+c.Checked, t.Closed+c.Closed, t.Overdue+c.Overdue
		t.Measures, t.MeasuresInPlace = t.Measures+c.Measures, t.MeasuresInPlace+c.MeasuresInPlace
		t.Exceedances, t.Fires = t.Exceedances+c.Exceedances, t.Fires+c.Fires
	}
	f.Total.CountyName = "合计"
	return f, nil
}

// figureCounties lists the area's counties by name in f, and returns them
// by id.
func figureCounties(ctx context.Context, tx *Tx, w *skygrid.Warning, f *skygrid.WarningFigures) (map[string]*skygrid.WarningCountyFigures, error) {
	q := &listQuery{what: "warning figures: counties", from: `SELECT id, name FROM regions`, order: ` ORDER BY name, id`}
	q.and(`level = 'county'`)
	if len(w.CountyIDs) > 0 {
		q.from = `SELECT r.id, r.name FROM warning_counties c JOIN regions r ON r.id = c.county_id`
		q.conds, q.args = nil, nil
		q.and(`c.warning_id = ?`, w.ID)
	}
	cs, err := queryList(ctx, tx, q, func(rows *sql.Rows) (*skygrid.WarningCountyFigures, error) {
		c := &skygrid.WarningCountyFigures{}
		if err := rows.Scan(&c.CountyID, &c.CountyName); err != nil {
			return nil, fmt.Errorf("read a county: %w", err)
		}
		return c, nil
	})
	if err != nil {
		return nil, err
	}
	by := map[string]*skygrid.WarningCountyFigures{}
	for _, c := range cs {
		by[c.CountyID] = c
	}
	f.Counties = cs
	return by, nil
}

// figureTasks counts the warning's inspection tasks and their checklists
// by county, and lists them by site.
func figureTasks(ctx context.Context, tx *Tx, id int64, end time.Time, by map[string]*skygrid.WarningCountyFigures, f *skygrid.WarningFigures) error {
	q := &listQuery{what: "warning figures: tasks", from: `SELECT t.id, t.state, t.reports, t.reported_at, t.report_due, e.site_id,
		e.listed_name, COALESCE(e.county_id, '') FROM events e JOIN tasks t ON t.event_id = e.id`, order: ` ORDER BY COALESCE(e.county_id, ''), e.listed_name, t.id`}
	q.and(`e.warning_id = ?`, id)
	type row struct {
		site   skygrid.WarningSiteFigures
		county string
		late   bool
		checks bool
	}
	rows, err := queryList(ctx, tx, q, func(rows *sql.Rows) (*row, error) {
		r := &row{}
		var reports int
		var reported, due string
		var site sql.NullInt64
		if err := rows.Scan(&r.site.TaskID, &r.site.TaskState, &reports, &reported, &due, &site, &r.site.Name, &r.county); err != nil {
			return nil, fmt.Errorf("read a task: %w", err)
		}
		if site.Valid {
			r.site.SiteID = &site.Int64
		}
		dueAt := parseTS(due)
		r.late = (reported == "" && dueAt.Before(end)) || (reported != "" && parseTS(reported).After(dueAt))
		r.checks = reports > 0
		return r, nil
	})
	if err != nil {
		return err
	}
	for _, r := range rows {
		c := by[r.county]
		if c == nil {
			continue
		}
		s := r.site
		s.CountyName = c.CountyName
		c.Tasks++
		if r.checks {
			c.Checked++
			if s.Checklist, err = findChecklist(ctx, tx, s.TaskID); err != nil {
				return err
			}
			for _, it := range s.Checklist {
				c.Measures++
				if it.InPlace != nil && *it.InPlace {
					c.MeasuresInPlace++
				}
			}
		}
		if s.TaskState == skygrid.TaskClosed {
			c.Closed++
		}
		if r.late {
			c.Overdue++
		}
		f.Sites = append(f.Sites, &s)
	}
	return nil
}

// figureCounts counts the dust exceedances whose window starts in the
// warning, by county and by site, and the fire events first seen in it.
func figureCounts(ctx context.Context, tx *Tx, w *skygrid.Warning, end time.Time, by map[string]*skygrid.WarningCountyFigures, f *skygrid.WarningFigures) error {
	from, to := ts(w.Start), ts(end)
	type count struct {
		county string
		site   sql.NullInt64
		n      int
	}
	scan := func(rows *sql.Rows) (count, error) {
		var c count
		if err := rows.Scan(&c.county, &c.site, &c.n); err != nil {
			return c, fmt.Errorf("read a count: %w", err)
		}
		return c, nil
	}
	ex, err := queryList(ctx, tx, &listQuery{what: "warning figures: exceedances", from: `SELECT COALESCE(county_id, ''), site_id, COUNT(*)
		FROM dust_alarms WHERE class = 'dust_exceedance' AND window_start >= ? AND window_start < ? GROUP BY county_id, site_id`,
		args: []any{from, to}}, scan)
	if err != nil {
		return err
	}
	for _, c := range ex {
		if cf := by[c.county]; cf != nil {
			cf.Exceedances += c.n
		}
		for _, s := range f.Sites {
			if c.site.Valid && s.SiteID != nil && *s.SiteID == c.site.Int64 && by[c.county] != nil && s.CountyName == by[c.county].CountyName {
				s.Exceedances += c.n
			}
		}
	}
	fires, err := queryList(ctx, tx, &listQuery{what: "warning figures: fires", from: `SELECT COALESCE(county_id, ''), NULL, COUNT(*)
		FROM events WHERE class IN ` + fireClassesSQL + ` AND first_seen >= ? AND first_seen < ? GROUP BY county_id`, args: []any{from, to}}, scan)
	if err != nil {
		return err
	}
	for _, c := range fires {
		if cf := by[c.county]; cf != nil {
			cf.Fires += c.n
		}
	}
	return nil
}

// auditExpectedEnd finds the expected end in a warning's audit summary
// (warningSummary: "level=orange area=… expected_end=2026-12-08T00:00:00Z").
var auditExpectedEnd = regexp.MustCompile(`(?:^| )expected_end=(\S+)`)

// figureExtensions are the warning's extensions, oldest first, from its
// audit lines of warning.extend (the expected end before and after; the
// warnings row keeps only the latest). A line whose summary names no
// expected end is skipped: the audit log is append-only, never rewritten.
func figureExtensions(ctx context.Context, tx *Tx, id int64) ([]skygrid.WarningExtension, error) {
	q := &listQuery{what: "warning figures: extensions", from: `SELECT at, before, after FROM audit_log`, order: ` ORDER BY at, id`}
	q.and(`entity = 'warning'`)
	q.and(`entity_id = ?`, fmt.Sprint(id))
	q.and(`action = 'warning.extend'`)
	lines, err := queryList(ctx, tx, q, func(rows *sql.Rows) ([3]string, error) {
		var l [3]string
		if err := rows.Scan(&l[0], &l[1], &l[2]); err != nil {
			return l, fmt.Errorf("read an extension: %w", err)
		}
		return l, nil
	})
	if err != nil {
		return nil, err
	}
	var out []skygrid.WarningExtension
	for _, l := range lines {
		from, to := auditExpectedEnd.FindStringSubmatch(l[1]), auditExpectedEnd.FindStringSubmatch(l[2])
		if from == nil || to == nil {
			continue
		}
		e := skygrid.WarningExtension{At: parseTS(l[0]), From: parseTS(from[1]), To: parseTS(to[1])}
		if !e.At.IsZero() && !e.From.IsZero() && !e.To.IsZero() {
			out = append(out, e)
		}
	}
	return out, nil
}
