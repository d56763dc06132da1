package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"skygrid"
)

// ImportEmergencyList replaces the emergency list with the entries in one
// transaction with its audit line. Each entry's county (an id or a
// county's name) must be known; its site is matched by external id, else
// by name, within its county when it names one; a matched entry takes its
// site's county. Unmatched entries are stored and returned. A site (or
// unmatched name and county) listed twice for one level is refused, and
// nothing is stored.
func (db *DB) ImportEmergencyList(ctx context.Context, entries []*skygrid.EmergencyEntry, by int64) (*skygrid.EmergencyImport, error) {
	if err := db.matchEntries(ctx, entries); err != nil {
		return nil, err
	}
	res := &skygrid.EmergencyImport{Rows: len(entries), Unmatched: []*skygrid.EmergencyEntry{}}
	seen := map[string]string{}
	for _, e := range entries {
		k := skygrid.ListedKey(e) + "|" + e.Level
		if at, ok := seen[k]; ok {
			return nil, skygrid.Errorf(skygrid.EINVALID, "%s: %s is listed for %s already at %s (one row per site and level)",
				e.Source, e.Name, skygrid.WarningLevelNames[e.Level], at)
		}
		seen[k] = e.Source
		if e.SiteID == nil {
			res.Unmatched = append(res.Unmatched, e)
		} else {
			res.Matched++
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("import emergency list: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM emergency_list`); err != nil {
		return nil, fmt.Errorf("import emergency list: clear: %w", err)
	}
	for _, e := range entries {
		m, _ := json.Marshal(append([]skygrid.Measure{}, e.Measures...))
		if err := tx.QueryRowContext(ctx, `INSERT INTO emergency_list (name, external_id, site_id, county_id, level, measures, contact, phone, source, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, e.Name, e.ExternalID, e.SiteID, e.CountyID, e.Level, string(m), e.Contact, e.Phone,
			e.Source, ts(tx.now)).Scan(&e.ID); err != nil {
			return nil, fmt.Errorf("import emergency list: %s: %w", e.Source, err)
		}
		e.UpdatedAt = tx.now
	}
	actor, err := actorName(ctx, tx, by)
	if err != nil {
		return nil, err
	}
	if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: actor, Action: "emergency_list.import", Entity: "emergency_list", EntityID: "",
		After: fmt.Sprintf("rows=%d matched=%d unmatched=%d", res.Rows, res.Matched, len(res.Unmatched))}); err != nil {
		return nil, fmt.Errorf("import emergency list: audit: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("import emergency list: commit: %w", err)
	}
	return res, nil
}

// matchEntries resolves each entry's county and matches its site.
func (db *DB) matchEntries(ctx context.Context, entries []*skygrid.EmergencyEntry) error {
	sites, _, err := db.FindSites(ctx, skygrid.SiteFilter{WithCounty: true})
	if err != nil {
		return fmt.Errorf("import emergency list: %w", err)
	}
	counties, err := db.countyNames(ctx)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := skygrid.Limit(skygrid.LimitPropValue).CheckField(e.Source+": name", e.Name); err != nil || strings.TrimSpace(e.Name) == "" {
			return skygrid.Errorf(skygrid.EINVALID, "%s: name (名称): required, at most %d characters", e.Source, skygrid.LimitPropValue.Max)
		}
		if _, err := skygrid.ParseWarningLevel(e.Level); err != nil {
			return skygrid.Errorf(skygrid.EINVALID, "%s: level (预警级别): %s", e.Source, skygrid.ErrorMessage(err))
		}
		if c := strings.TrimSpace(e.CountyID); c != "" {
			id, ok := counties[c]
			if !ok {
				return skygrid.Errorf(skygrid.EINVALID, "%s: county (区县) %s: no such county", e.Source, skygrid.Clip(c))
			}
			e.CountyID = id
		}
		e.SiteID = nil
		if s := matchSite(sites, e); s != nil {
			id := s.ID
			e.SiteID = &id
			if s.CountyID != "" {
				e.CountyID = s.CountyID
			}
		}
	}
	return nil
}

// matchSite is the site of the registry with the entry's external id,
// else its name (within its county when it names one); nil when none.
func matchSite(sites []*skygrid.Site, e *skygrid.EmergencyEntry) *skygrid.Site {
	if e.ExternalID != "" {
		for _, s := range sites {
			if s.ExternalID == e.ExternalID {
				return s
			}
		}
	}
	for _, s := range sites {
		if s.Name == strings.TrimSpace(e.Name) && (e.CountyID == "" || s.CountyID == e.CountyID) {
			return s
		}
	}
	return nil
}

// countyNames maps each county's id, name and name without its 县/区
// ending to its id.
func (db *DB) countyNames(ctx context.Context) (map[string]string, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id, name FROM regions WHERE level = 'county'`)
	if err != nil {
		return nil, fmt.Errorf("read the counties: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("read the counties: %w", err)
		}
		out[id], out[name] = id, id
		if short := strings.TrimRight(name, "县区市"); short != "" && short != name {
			out[short] = id
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the counties: %w", err)
	}
	return out, nil
}

// FindEmergencyList is the whole list by county, name and level.
func (db *DB) FindEmergencyList(ctx context.Context) ([]*skygrid.EmergencyEntry, error) {
	q := &listQuery{what: "find the emergency list", from: `SELECT id, name, external_id, site_id, county_id, level, measures, contact, phone,
		source, updated_at FROM emergency_list`, order: ` ORDER BY county_id, name, CASE level WHEN 'blue' THEN 0 WHEN 'yellow' THEN 1
		WHEN 'orange' THEN 2 ELSE 3 END, id`}
	return queryList(ctx, db.rdb, q, func(rows *sql.Rows) (*skygrid.EmergencyEntry, error) {
		e := &skygrid.EmergencyEntry{}
		var site sql.NullInt64
		var measures, updated string
		if err := rows.Scan(&e.ID, &e.Name, &e.ExternalID, &site, &e.CountyID, &e.Level, &measures, &e.Contact, &e.Phone, &e.Source, &updated); err != nil {
			return nil, fmt.Errorf("read a row: %w", err)
		}
		if site.Valid {
			e.SiteID = &site.Int64
		}
		if err := json.Unmarshal([]byte(measures), &e.Measures); err != nil {
			return nil, fmt.Errorf("entry %d: measures: %w", e.ID, err)
		}
		e.UpdatedAt = parseTS(updated)
		return e, nil
	})
}
