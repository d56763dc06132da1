package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"skygrid"
)

// alarmTally counts a group's alarms, its distinct exceedance hours (UTC,
// the stored time's text up to the hour) and, from those, its distinct
// exceedance days in Beijing.
type alarmTally struct {
	alarms int
	hours  []int32 // the exceedance hours' numbers (alarmHours), repeated
}

func (t *alarmTally) add(n int, hour int32, exceeded bool) {
	t.alarms += n
	if exceeded {
		t.hours = append(t.hours, hour)
	}
}

// figures are the alarms, exceedance hours and exceedance days.
func (t *alarmTally) figures(h *alarmHours) (alarms, hours, days int) {
	slices.Sort(t.hours)
	t.hours = slices.Compact(t.hours)
	ds := make([]int32, 0, len(t.hours))
	for _, x := range t.hours {
		if d := h.days[x]; d >= 0 {
			ds = append(ds, d)
		}
	}
	slices.Sort(ds)
	return t.alarms, len(t.hours), len(slices.Compact(ds))
}

// alarmHours numbers the UTC hours "YYYY-MM-DDTHH" met and their Beijing
// (UTC+8, no summer time) calendar days, each hour worked out once: the
// offset is whole hours, so the hour is enough. Text that is no such
// hour has no day (-1: SQLite's date() of it was NULL, not counted).
type alarmHours struct {
	hours map[string]int32
	dayOf map[string]int32
	days  []int32 // by hour number
}

func (h *alarmHours) number(hour string) int32 {
	if n, ok := h.hours[hour]; ok {
		return n
	}
	n, d := int32(len(h.days)), int32(-1)
	if t, err := time.Parse("2006-01-02T15", hour); err == nil {
		day := t.Add(8 * time.Hour).Format(time.DateOnly)
		var ok bool
		if d, ok = h.dayOf[day]; !ok {
			d = int32(len(h.dayOf))
			h.dayOf[day] = d
		}
	}
	h.hours[hour] = n
	h.days = append(h.days, d)
	return n
}

// alarmFigures are the alarm figures of a period's statistics: by site
// (a monitor on no site stands for itself; siteAreas[i] is sites[i]'s
// area), by area (county, township or grid) and in total (an hour two
// areas exceeded in counts once).
type alarmFigures struct {
	sites     []*skygrid.DustSite
	siteAreas []string
	areas     map[string]*alarmTally
	total     alarmTally
	hours     alarmHours
}

// alarmArea is the area (alias a) an alarm is counted in at a level: its
// county, its grid's township, or its grid ("" when none).
func alarmArea(level string) string {
	switch level {
	case skygrid.LevelTownship:
		return "COALESCE((SELECT g.parent_id FROM regions g WHERE g.id = a.grid_id), '')"
	case skygrid.LevelGrid:
		return "COALESCE(a.grid_id, '')"
	}
	return "COALESCE(a.county_id, '')"
}

// dustAlarms reads the alarms whose window starts in the period, in the
// region and scope, in one statement grouped by site, county and UTC hour
// (a province's month is about 100,000 alarms: three statements each
// grouping them by a Beijing day worked out on every row took most of the
// statistics' time on PostgreSQL), and counts the figures from its rows.
// Sites come most alarms first, then most exceedance hours, then by site
// id and monitor id (a monitor on no site), name and county.
func dustAlarms(ctx context.Context, tx *Tx, q skygrid.DustQuery, names map[string]string, level string) (*alarmFigures, error) {
	out := &alarmFigures{sites: []*skygrid.DustSite{}, areas: map[string]*alarmTally{}, hours: alarmHours{hours: map[string]int32{}, dayOf: map[string]int32{}}}
	conds, args, ok, err := alarmConds(ctx, tx, q)
	if !ok {
		return out, err
	}
	type siteKey struct {
		site, monitor int64
		name, county  string
	}
	sites, siteArea := map[siteKey]*alarmTally{}, map[siteKey]string{}
	// Grouped on the alarms' own columns first, the names joined to the
	// groups: narrower rows to group than with the names.
	_, err = queryList(ctx, tx, &listQuery{what: "dust stats: alarms",
		from: `SELECT COALESCE(g.site_id, 0), CASE WHEN g.site_id IS NULL THEN g.monitor_id ELSE 0 END,
			COALESCE(s.name, m.name, ''), g.county, g.area, g.utc_hour, g.n, g.exceeded
			FROM (SELECT a.site_id, a.monitor_id, COALESCE(a.county_id, '') AS county, ` + alarmArea(level) + ` AS area,
				substr(a.window_start, 1, 13) AS utc_hour,
				COUNT(*) AS n, MAX(CASE WHEN a.class = '` + skygrid.ClassDustExceedance + `' THEN 1 ELSE 0 END) AS exceeded
				FROM dust_alarms a` + where(conds) + ` GROUP BY 1, 2, 3, 4, 5) g
			LEFT JOIN sites s ON s.id = g.site_id LEFT JOIN monitors m ON m.id = g.monitor_id`, args: args},
		func(rows *sql.Rows) (struct{}, error) {
			var k siteKey
			var area, hour string
			var n, exceeded int
			if err := rows.Scan(&k.site, &k.monitor, &k.name, &k.county, &area, &hour, &n, &exceeded); err != nil {
				return struct{}{}, fmt.Errorf("read an hour of a site's alarms: %w", err)
			}
			h := out.hours.number(hour)
			for _, t := range []*alarmTally{tally(sites, k), tally(out.areas, area), &out.total} {
				t.add(n, h, exceeded == 1)
			}
			siteArea[k] = area
			return struct{}{}, nil
		})
	if err != nil {
		return nil, err
	}
	type row struct {
		k siteKey
		s *skygrid.DustSite
	}
	list := make([]row, 0, len(sites))
	for k, t := range sites {
		s := &skygrid.DustSite{SiteID: k.site, Name: k.name, CountyID: k.county, CountyName: names[k.county]}
		s.Alarms, s.ExceedanceHours, s.ExceedanceDays = t.figures(&out.hours)
		list = append(list, row{k, s})
	}
	slices.SortFunc(list, func(a, b row) int {
		return cmp.Or(cmp.Compare(b.s.Alarms, a.s.Alarms), cmp.Compare(b.s.ExceedanceHours, a.s.ExceedanceHours),
			cmp.Compare(a.k.site, b.k.site), cmp.Compare(a.k.monitor, b.k.monitor), cmp.Compare(a.k.name, b.k.name), cmp.Compare(a.k.county, b.k.county))
	})
	for _, r := range list {
		out.sites, out.siteAreas = append(out.sites, r.s), append(out.siteAreas, siteArea[r.k])
	}
	return out, nil
}

// tally is m's tally of k, made when missing.
func tally[K comparable](m map[K]*alarmTally, k K) *alarmTally {
	t := m[k]
	if t == nil {
		t = &alarmTally{}
		m[k] = t
	}
	return t
}

// EventAlarms are the alarms of a dust event, newest first (20 at most),
// each with its device's number and name.
func (db *DB) EventAlarms(ctx context.Context, eventID int64) ([]skygrid.EventAlarm, error) {
	q := &listQuery{what: fmt.Sprintf("alarms of event %d", eventID), from: `SELECT m.mn, m.name, a.rule, a.class, a.window_start, a.window_end,
		a.value, a.limit_value, a.detail FROM dust_alarms a JOIN monitors m ON m.id = a.monitor_id`, order: ` ORDER BY a.window_start DESC, a.id DESC`, limit: 20}
	q.and(`a.event_id = ?`, eventID)
	return queryList(ctx, db.rdb, q, func(rows *sql.Rows) (skygrid.EventAlarm, error) {
		var a skygrid.EventAlarm
		var from, to string
		if err := rows.Scan(&a.MN, &a.MonitorName, &a.Rule, &a.Class, &from, &to, &a.Value, &a.Limit, &a.Detail); err != nil {
			return a, fmt.Errorf("read an alarm: %w", err)
		}
		a.WindowStart, a.WindowEnd = parseTS(from), parseTS(to)
		return a, nil
	})
}
