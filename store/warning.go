package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"skygrid"

	"github.com/paulmach/orb"
)

var _ skygrid.WarningService = (*DB)(nil)

// warningGen counts committed changes of warnings in this process: the
// dust checker's and pipeline's cache of the warnings in force reloads
// when it moves (WarningsChanged), else once a minute (another process).
var warningGen atomic.Int64

// WarningsChanged is a number that moves whenever this process changes a
// warning.
func (db *DB) WarningsChanged() int64 { return warningGen.Load() }

const warningCols = `w.id, w.level, w.start, w.expected_end, w.lifted_at, w.reason, w.public_advice, COALESCE(w.issued_by, 0),
	COALESCE(w.lifted_by, 0), w.created_at, w.updated_at,
	(SELECT COUNT(*) FROM events e WHERE e.warning_id = w.id)`

// FindWarnings lists warnings, the latest start first, each with its
// area (ids and names), its state at the store's clock and its task count.
func (db *DB) FindWarnings(ctx context.Context, f skygrid.WarningFilter) ([]*skygrid.Warning, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("find warnings: begin: %w", err)
	}
	defer tx.Rollback()
	return findWarnings(ctx, tx, f)
}

func findWarnings(ctx context.Context, tx *Tx, f skygrid.WarningFilter) ([]*skygrid.Warning, error) {
	q := &listQuery{what: "find warnings", from: `SELECT ` + warningCols + ` FROM warnings w`, order: ` ORDER BY w.start DESC, w.id DESC`, limit: f.Limit}
	if f.ID != nil {
		q.and(`w.id = ?`, *f.ID)
	}
	if f.InForceAt != nil {
		at := ts(*f.InForceAt)
		q.and(`w.start <= ? AND (w.lifted_at = '' OR w.lifted_at > ?)`, at, at)
	}
	if f.LiftedSince != nil {
		q.and(`(w.lifted_at = '' OR w.lifted_at > ?)`, ts(*f.LiftedSince))
	}
	out, err := queryList(ctx, tx, q, scanWarning)
	if err != nil {
		return nil, err
	}
	kept := out[:0]
	for _, w := range out {
		if err := warningArea(ctx, tx, w); err != nil {
			return nil, err
		}
		w.State = skygrid.WarningState(w, tx.now)
		if f.State == nil || *f.State == w.State {
			kept = append(kept, w)
		}
	}
	return kept, nil
}

func scanWarning(rows *sql.Rows) (*skygrid.Warning, error) {
	w := &skygrid.Warning{}
	var start, end, lifted, created, updated string
	if err := rows.Scan(&w.ID, &w.Level, &start, &end, &lifted, &w.Reason, &w.PublicAdvice, &w.IssuedBy, &w.LiftedBy,
		&created, &updated, &w.Tasks); err != nil {
		return nil, fmt.Errorf("read a warning row: %w", err)
	}
	w.Start, w.ExpectedEnd, w.CreatedAt, w.UpdatedAt = parseTS(start), parseTS(end), parseTS(created), parseTS(updated)
	if lifted != "" {
		w.LiftedAt = parseTS(lifted)
	}
	return w, nil
}

// warningArea reads the warning's counties, ids and names, by name (a
// county no longer imported first, as SQLite orders a NULL name, on both
// stores).
func warningArea(ctx context.Context, tx *Tx, w *skygrid.Warning) error {
	rows, err := tx.QueryContext(ctx, `SELECT c.county_id, COALESCE(r.name, c.county_id), COALESCE(p.id, ''), COALESCE(p.name, ''),
			(SELECT COUNT(*) FROM regions k WHERE k.parent_id = p.id AND k.level = 'county'),
			(SELECT COUNT(*) FROM regions q WHERE q.level = 'city')
		FROM warning_counties c LEFT JOIN regions r ON r.id = c.county_id
		LEFT JOIN regions p ON p.id = r.parent_id AND p.level = 'city'
		WHERE c.warning_id = ? ORDER BY COALESCE(r.name, ''), c.county_id`, w.ID)
	if err != nil {
		return fmt.Errorf("warning %d: read its counties: %w", w.ID, err)
	}
	defer rows.Close()
	w.CountyIDs, w.CountyNames = []string{}, nil
	var in []warningCounty
	for rows.Next() {
		var c warningCounty
		if err := rows.Scan(&c.id, &c.name, &c.city, &c.cityName, &c.cityCounties, &c.cities); err != nil {
			return fmt.Errorf("warning %d: read a county: %w", w.ID, err)
		}
		w.CountyIDs, w.CountyNames = append(w.CountyIDs, c.id), append(w.CountyNames, c.name)
		in = append(in, c)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("warning %d: read its counties: %w", w.ID, err)
	}
	w.AreaNames = wholeCities(in)
	return nil
}

// warningCounty is a county of a warning with its city (a province's),
// how many counties that city has and how many cities there are.
type warningCounty struct {
	id, name, city, cityName string
	cityCounties, cities     int
}

// wholeCities is the warning's area in names with each city whose
// counties it all holds named in their place (where its first county
// stood), when there are two cities or more; nil when no city is whole.
func wholeCities(cs []warningCounty) []string {
	held := map[string]int{}
	for _, c := range cs {
		if c.city != "" && c.cities >= 2 {
			held[c.city]++
		}
	}
	whole := func(c warningCounty) bool { return held[c.city] > 0 && held[c.city] == c.cityCounties }
	var out []string
	named, found := map[string]bool{}, false
	for _, c := range cs {
		switch {
		case !whole(c):
			out = append(out, c.name)
		case !named[c.city]:
			named[c.city], found = true, true
			out = append(out, c.cityName)
		}
	}
	if !found {
		return nil
	}
	return out
}

// findWarning is one warning or ENOTFOUND.
func findWarning(ctx context.Context, tx *Tx, id int64) (*skygrid.Warning, error) {
	ws, err := findWarnings(ctx, tx, skygrid.WarningFilter{ID: &id})
	if err != nil {
		return nil, err
	}
	if len(ws) == 0 {
		return nil, skygrid.Errorf(skygrid.ENOTFOUND, "warning %d not found", id)
	}
	return ws[0], nil
}

// IssueWarning stores a new warning with its audit line and
// notifications; one in force at now opens its inspection tasks in the
// same transaction.
func (db *DB) IssueWarning(ctx context.Context, w *skygrid.Warning, by int64, now time.Time) (*skygrid.Warning, error) {
	if err := skygrid.CheckWarning(w); err != nil {
		return nil, err
	}
	w.Start, w.ExpectedEnd = w.Start.UTC().Truncate(time.Second), w.ExpectedEnd.UTC().Truncate(time.Second)
	if !w.ExpectedEnd.After(now) {
		return nil, skygrid.Errorf(skygrid.EINVALID, "预计结束时间 %s 已过：请填写晚于当前时间的预计结束时间 (expected_end %s has passed)",
			w.ExpectedEnd.In(skygrid.Beijing).Format("2006-01-02 15:04"), w.ExpectedEnd.Format(time.RFC3339))
	}
	var plan []placedEntry
	if w.InForce(now) {
		var err error
		if plan, err = db.placeEntries(ctx, w); err != nil {
			return nil, err
		}
	}
	return db.warningTx(ctx, "issue warning", func(tx *Tx) (*skygrid.Warning, error) {
		id, err := insertWarning(ctx, tx, w, by)
		if err != nil {
			return nil, err
		}
		if err := refuseOverlap(ctx, tx, id); err != nil {
			return nil, err
		}
		if w.InForce(now) {
			if _, err := openInspections(ctx, tx, id, plan, now); err != nil {
				return nil, err
			}
		}
		return warningChanged(ctx, tx, id, by, "warning.issue", "", skygrid.NotifyWarningIssued)
	})
}

// insertWarning stores the warning and its area (every county must be a
// county region).
func insertWarning(ctx context.Context, tx *Tx, w *skygrid.Warning, by int64) (int64, error) {
	var issuedBy any
	if by != 0 {
		issuedBy = by
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO warnings (level, start, expected_end, reason, public_advice, issued_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, w.Level, ts(w.Start), ts(w.ExpectedEnd), w.Reason, w.PublicAdvice, issuedBy, ts(tx.now), ts(tx.now)).Scan(&id); err != nil {
		return 0, fmt.Errorf("issue warning: %w", err)
	}
	for _, c := range w.CountyIDs {
		var level string
		err := tx.QueryRowContext(ctx, `SELECT level FROM regions WHERE id = ?`, c).Scan(&level)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && level != skygrid.LevelCounty) {
			return 0, skygrid.Errorf(skygrid.EINVALID, "county_ids: %s is not a county", skygrid.Clip(c))
		} else if err != nil {
			return 0, fmt.Errorf("issue warning: read county %s: %w", c, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO warning_counties (warning_id, county_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, c); err != nil {
			return 0, fmt.Errorf("issue warning: store county %s: %w", c, err)
		}
	}
	return id, nil
}

// refuseOverlap refuses the new warning (by id, stored in tx) where a
// county of its area is under another warning for hours it covers too:
// each of the county's sites would be sent a second inspection, and the
// public shown two bands. The official extends or lifts that one first.
func refuseOverlap(ctx context.Context, tx *Tx, id int64) error {
	ws, err := findWarnings(ctx, tx, skygrid.WarningFilter{})
	if err != nil {
		return err
	}
	i := slices.IndexFunc(ws, func(w *skygrid.Warning) bool { return w.ID == id })
	if i < 0 {
		return nil
	}
	mine := ws[i]
	for _, o := range ws {
		if o.ID == id {
			continue
		}
		if names := skygrid.SharedArea(mine, o); len(names) > 0 {
			return skygrid.Errorf(skygrid.ECONFLICT, "%s已在%s中（#%d，%s 至 %s）：请延长或解除该预警，不要重复发布 (counties under warning %d for the same hours)",
				strings.Join(names, "、"), skygrid.WarningLevelNames[o.Level], o.ID, o.Start.In(skygrid.Beijing).Format("01-02 15:04"),
				o.Until().In(skygrid.Beijing).Format("01-02 15:04"), o.ID)
		}
	}
	return nil
}

// warningTx runs fn in one transaction and commits; what says what for
// errors.
func (db *DB) warningTx(ctx context.Context, what string, fn func(tx *Tx) (*skygrid.Warning, error)) (*skygrid.Warning, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: begin: %w", what, err)
	}
	defer tx.Rollback()
	w, err := fn(tx)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("%s: commit: %w", what, err)
	}
	warningGen.Add(1)
	return w, nil
}

// warningChanged reads the warning again, writes the audit line (before
// as given) and queues the event's notifications.
func warningChanged(ctx context.Context, tx *Tx, id, by int64, action, before, event string) (*skygrid.Warning, error) {
	w, err := findWarning(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	actor, err := actorName(ctx, tx, by)
	if err != nil {
		return nil, err
	}
	if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: actor, Action: action, Entity: "warning", EntityID: fmt.Sprint(id),
		Before: before, After: warningSummary(w)}); err != nil {
		return nil, fmt.Errorf("warning %d: audit: %w", id, err)
	}
	if err := notifyWarning(ctx, tx, w, event); err != nil {
		return nil, fmt.Errorf("warning %d: notify: %w", id, err)
	}
	return w, nil
}

func warningSummary(w *skygrid.Warning) string {
	area := "city"
	if len(w.CountyIDs) > 0 {
		area = strings.Join(w.CountyIDs, ",")
	}
	s := fmt.Sprintf("level=%s area=%s start=%s expected_end=%s", w.Level, area, ts(w.Start), ts(w.ExpectedEnd))
	if !w.LiftedAt.IsZero() {
		s += " lifted_at=" + ts(w.LiftedAt)
	}
	return s
}

// actorName is the user's name for the audit log (for 0: the context's
// actor, skygrid.WithActor, else "cli").
func actorName(ctx context.Context, tx *Tx, id int64) (string, error) {
	if id == 0 {
		return skygrid.ActorOf(ctx, "cli"), nil
	}
	var name string
	if err := tx.QueryRowContext(ctx, `SELECT name FROM users WHERE id = ?`, id).Scan(&name); err != nil {
		return "", fmt.Errorf("read user %d: %w", id, err)
	}
	return name, nil
}

// ExtendWarning moves a warning's expected end (later or earlier, after
// its start) while it is not lifted.
func (db *DB) ExtendWarning(ctx context.Context, id int64, end time.Time, by int64, now time.Time) (*skygrid.Warning, error) {
	return db.warningTx(ctx, "extend warning", func(tx *Tx) (*skygrid.Warning, error) {
		w, err := findWarning(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if err := stillLive(w); err != nil {
			return nil, err
		}
		if !end.After(w.Start) || !end.After(now) {
			return nil, skygrid.Errorf(skygrid.EINVALID, "延长后的预计结束时间须晚于开始时间和当前时间，填写的是 %s (expected_end %s: must be after the start and after now)",
				end.In(skygrid.Beijing).Format("2006-01-02 15:04"), end.Format(time.RFC3339))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE warnings SET expected_end = ?, updated_at = ? WHERE id = ?`, ts(end), ts(tx.now), id); err != nil {
			return nil, fmt.Errorf("extend warning %d: %w", id, err)
		}
		return warningChanged(ctx, tx, id, by, "warning.extend", warningSummary(w), skygrid.NotifyWarningExtended)
	})
}

// stillLive refuses to change a warning already lifted.
func stillLive(w *skygrid.Warning) error {
	if w.LiftedAt.IsZero() {
		return nil
	}
	return skygrid.Errorf(skygrid.ECONFLICT, "该预警已于 %s 解除 (warning %d was lifted at %s)",
		w.LiftedAt.In(skygrid.Beijing).Format("2006-01-02 15:04"), w.ID, w.LiftedAt.Format(time.RFC3339))
}

// LiftWarning lifts a warning at now. Its open inspection tasks stay
// open: the sites were to be checked during the warning, and a check
// reported late is still the record of what was found (the report counts
// it as overdue).
func (db *DB) LiftWarning(ctx context.Context, id int64, by int64, now time.Time) (*skygrid.Warning, error) {
	return db.warningTx(ctx, "lift warning", func(tx *Tx) (*skygrid.Warning, error) {
		w, err := findWarning(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if err := stillLive(w); err != nil {
			return nil, err
		}
		// Lifted before it began, it is lifted then: never in force
		// (InForce holds from the start to the lift).
		at := now.UTC().Truncate(time.Second)
		var liftedBy any
		if by != 0 {
			liftedBy = by
		}
		if _, err := tx.ExecContext(ctx, `UPDATE warnings SET lifted_at = ?, lifted_by = ?, updated_at = ? WHERE id = ?`,
			ts(at), liftedBy, ts(tx.now), id); err != nil {
			return nil, fmt.Errorf("lift warning %d: %w", id, err)
		}
		return warningChanged(ctx, tx, id, by, "warning.lift", warningSummary(w), skygrid.NotifyWarningLifted)
	})
}

// StartWarnings opens the inspection tasks of every warning whose start
// has come, not lifted, whose tasks were not opened yet.
func (db *DB) StartWarnings(ctx context.Context, now time.Time) (int, error) {
	at := now.UTC()
	ws, err := db.FindWarnings(ctx, skygrid.WarningFilter{InForceAt: &at})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, w := range ws {
		var started string
		if err := db.db.QueryRowContext(ctx, `SELECT started_at FROM warnings WHERE id = ?`, w.ID).Scan(&started); err != nil {
			return n, fmt.Errorf("start warning %d: %w", w.ID, err)
		}
		if started != "" {
			continue
		}
		plan, err := db.placeEntries(ctx, w)
		if err != nil {
			return n, err
		}
		_, err = db.warningTx(ctx, "start warning", func(tx *Tx) (*skygrid.Warning, error) {
			k, err := openInspections(ctx, tx, w.ID, plan, now)
			n += k
			return w, err
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// placedEntry is a list row a warning takes, placed where its event goes.
type placedEntry struct {
	entry *skygrid.EmergencyEntry
	where skygrid.Event
}

// placeEntries places the rows the warning takes (skygrid.WarningEntries):
// a matched row at its site's centre, in the grid holding it (db.Place,
// the pipeline's assignment); an unmatched row at its county's centre,
// in no grid (the county's queue).
func (db *DB) placeEntries(ctx context.Context, w *skygrid.Warning) ([]placedEntry, error) {
	list, err := db.FindEmergencyList(ctx)
	if err != nil {
		return nil, err
	}
	var out []placedEntry
	for _, e := range skygrid.WarningEntries(list, w) {
		where := skygrid.Event{CountyID: e.CountyID, AssignedBy: "none"}
		if e.SiteID != nil {
			site, err := db.FindSiteByID(ctx, *e.SiteID)
			if err != nil {
				return nil, fmt.Errorf("place listed site %s: %w", e.Name, err)
			}
			where.Point = site.Geometry.Bound().Center()
			if db.Place != nil {
				if where, err = db.Place(ctx, where.Point); err != nil {
					return nil, fmt.Errorf("place listed site %s: %w", e.Name, err)
				}
			}
		} else if where.Point, err = db.regionCentre(ctx, e.CountyID); err != nil {
			return nil, err
		}
		if where.CountyID == "" {
			where.CountyID = e.CountyID
		}
		out = append(out, placedEntry{entry: e, where: where})
	}
	return out, nil
}

// regionCentre is the centre of a region's bounds.
func (db *DB) regionCentre(ctx context.Context, id string) (orb.Point, error) {
	var b [4]float64
	err := db.db.QueryRowContext(ctx, `SELECT min_lon, min_lat, max_lon, max_lat FROM regions WHERE id = ?`, id).Scan(&b[0], &b[1], &b[2], &b[3])
	if err != nil {
		return orb.Point{}, fmt.Errorf("centre of region %s: %w", id, err)
	}
	return orb.Point{(b[0] + b[2]) / 2, (b[1] + b[3]) / 2}, nil
}
