package store

import (
	"context"
	"fmt"
	"strconv"

	"skygrid"
	"skygrid/geo"

	"github.com/paulmach/orb"
)

// ImportMonitors stores monitors by device number in one transaction
// (a known MN is updated, its readings kept) with one audit line, and
// returns how many were new. A monitor's site is the construction site or
// stockpile of its SiteRef, else the one whose polygon holds it. A device
// number twice in one import is refused, naming both rows. It runs a few
// statements for the whole import, not some for each monitor (5,000
// monitors took 16 s on SQLite over 80,000 sites; BenchmarkImport).
func (db *DB) ImportMonitors(ctx context.Context, ms []skygrid.MonitorImport) (int, error) {
	if err := monitorsOnce(ms); err != nil {
		return 0, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("import monitors: begin: %w", err)
	}
	defer tx.Rollback()
	if err := monitorSites(ctx, tx, ms); err != nil {
		return 0, err
	}
	known, err := knownMonitors(ctx, tx, ms)
	if err != nil {
		return 0, err
	}
	if err := upsertMonitors(ctx, tx, ms, ts(tx.now)); err != nil {
		return 0, err
	}
	created := len(ms) - known
	if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: skygrid.ActorOf(ctx, "cli"), Action: "monitors.import",
		Entity: "monitor", EntityID: "*", After: fmt.Sprintf("%d monitors (%d new)", len(ms), created)}); err != nil {
		return 0, err
	}
	if err := bumpLayers(ctx, tx, skygrid.LayerMonitors); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("import monitors: commit: %w", err)
	}
	return created, nil
}

// monitorsOnce refuses an import that gives a device number twice: the
// second row would silently replace the first.
func monitorsOnce(ms []skygrid.MonitorImport) error {
	seen := make(map[string]int, len(ms))
	for i := range ms {
		if j, ok := seen[ms[i].MN]; ok {
			return skygrid.Errorf(skygrid.EINVALID, "%s: field mn: device number %s is given twice (also at %s)", ms[i].Where, ms[i].MN, ms[j].Where)
		}
		seen[ms[i].MN] = i
	}
	return nil
}

// importChunk is how many rows one statement of an import names (15
// values a monitor: within SQLite's and PostgreSQL's limits on a
// statement's parameters).
const importChunk = 500

// chunks calls f with [lo, hi) ranges of n items, importChunk at a time.
func chunks(n int, f func(lo, hi int) error) error {
	for lo := 0; lo < n; lo += importChunk {
		if err := f(lo, min(lo+importChunk, n)); err != nil {
			return err
		}
	}
	return nil
}

// knownMonitors counts the imported device numbers already stored.
func knownMonitors(ctx context.Context, tx *Tx, ms []skygrid.MonitorImport) (int, error) {
	known := 0
	err := chunks(len(ms), func(lo, hi int) error {
		args := make([]any, 0, hi-lo)
		for i := lo; i < hi; i++ {
			args = append(args, ms[i].MN)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM monitors WHERE mn IN (`+placeholders(len(args))+`)`, args...).Scan(&n); err != nil {
			return fmt.Errorf("import monitors: find the known ones: %w", err)
		}
		known += n
		return nil
	})
	return known, err
}

// monitorValues is how many values upsertMonitors gives a monitor.
const monitorValues = 15

// upsertMonitors stores the monitors, importChunk a statement, and sets
// their ids. A monitor given no password keeps its stored one (a file to
// rename devices has no PW column: their packets were refused after it).
func upsertMonitors(ctx context.Context, tx *Tx, ms []skygrid.MonitorImport, now string) error {
	at := make(map[string]int, len(ms))
	for i := range ms {
		at[ms[i].MN] = i
	}
	return chunks(len(ms), func(lo, hi int) error {
		args := make([]any, 0, monitorValues*(hi-lo))
		for i := lo; i < hi; i++ {
			m := &ms[i]
			args = append(args, m.MN, m.Password, m.Name, m.Kind, m.Lon, m.Lat, m.SiteID, m.VideoURL, m.SnapshotURL,
				m.Lenient.LengthCountsTrailer, m.Lenient.ModbusCRC, m.Lenient.LowercaseHex, m.Demo, now, now)
		}
		rows, err := tx.QueryContext(ctx, `INSERT INTO monitors (mn, password, name, kind, lon, lat, site_id, video_url,
				snapshot_url, lenient_length_counts_trailer, lenient_modbus_crc, lenient_lowercase_hex, demo, created_at, updated_at)
			VALUES `+valuesRows(hi-lo, monitorValues)+`
			ON CONFLICT (mn) DO UPDATE SET password = CASE WHEN excluded.password = '' THEN monitors.password ELSE excluded.password END,
				name = excluded.name, kind = excluded.kind,
				lon = excluded.lon, lat = excluded.lat, site_id = excluded.site_id, video_url = excluded.video_url,
				snapshot_url = excluded.snapshot_url, lenient_length_counts_trailer = excluded.lenient_length_counts_trailer,
				lenient_modbus_crc = excluded.lenient_modbus_crc, lenient_lowercase_hex = excluded.lenient_lowercase_hex,
				demo = excluded.demo, updated_at = excluded.updated_at
			RETURNING mn, id`, args...)
		if err != nil {
			return fmt.Errorf("import monitors: store %s to %s: %w", ms[lo].Where, ms[hi-1].Where, err)
		}
		defer rows.Close()
		for rows.Next() {
			var mn string
			var id int64
			if err := rows.Scan(&mn, &id); err != nil {
				return fmt.Errorf("import monitors: read a stored id: %w", err)
			}
			ms[at[mn]].ID = id
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("import monitors: store %s to %s: %w", ms[lo].Where, ms[hi-1].Where, err)
		}
		return nil
	})
}

// siteKindsForMonitors are the kinds of site a monitor may stand on.
const siteKindsForMonitors = `('construction', 'stockpile')`

// monitorSites sets each monitor's site: the one its reference names
// (EINVALID naming the row when unknown), else the one whose polygon
// holds it, the first by kind and id where several do (nil when none).
func monitorSites(ctx context.Context, tx *Tx, ms []skygrid.MonitorImport) error {
	refs, err := sitesByRef(ctx, tx, ms)
	if err != nil {
		return err
	}
	var loose []*skygrid.MonitorImport
	for i := range ms {
		m := &ms[i]
		m.SiteID = nil
		if m.SiteRef == "" {
			loose = append(loose, m)
			continue
		}
		id, ok := refs[m.SiteRef]
		if !ok {
			return skygrid.Errorf(skygrid.EINVALID, "%s: field site: no construction site or stockpile with id %q (import the sites first)", m.Where, m.SiteRef)
		}
		m.SiteID = &id
	}
	return placeByPosition(ctx, tx, loose)
}

// sitesByRef finds the sites the monitors name: a construction site
// before a stockpile of the same id.
func sitesByRef(ctx context.Context, tx *Tx, ms []skygrid.MonitorImport) (map[string]int64, error) {
	var refs []any
	seen := map[string]bool{}
	for i := range ms {
		if r := ms[i].SiteRef; r != "" && !seen[r] {
			seen[r] = true
			refs = append(refs, r)
		}
	}
	out := make(map[string]int64, len(refs))
	err := chunks(len(refs), func(lo, hi int) error {
		rows, err := tx.QueryContext(ctx, `SELECT external_id, id FROM sites WHERE kind IN `+siteKindsForMonitors+`
			AND external_id IN (`+placeholders(hi-lo)+`) ORDER BY kind DESC`, refs[lo:hi]...)
		if err != nil {
			return fmt.Errorf("import monitors: find the sites named: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var ref string
			var id int64
			if err := rows.Scan(&ref, &id); err != nil {
				return fmt.Errorf("import monitors: read a site: %w", err)
			}
			out[ref] = id // by kind descending: a construction site's id last
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("import monitors: find the sites named: %w", err)
		}
		return nil
	})
	return out, err
}

// placeByPosition gives each monitor the site whose polygon holds it:
// the sites within the monitors' bound are read once, in kind and id
// order, into an index that keeps the first of overlapping ones.
func placeByPosition(ctx context.Context, tx *Tx, ms []*skygrid.MonitorImport) error {
	if len(ms) == 0 {
		return nil
	}
	var b orb.Bound = orb.Point{ms[0].Lon, ms[0].Lat}.Bound()
	for _, m := range ms {
		b = b.Extend(orb.Point{m.Lon, m.Lat})
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, geom FROM sites WHERE kind IN `+siteKindsForMonitors+`
		AND min_lon <= ? AND max_lon >= ? AND min_lat <= ? AND max_lat >= ? ORDER BY kind, id`, b.Max[0], b.Min[0], b.Max[1], b.Min[1])
	if err != nil {
		return fmt.Errorf("import monitors: read the sites around them: %w", err)
	}
	defer rows.Close()
	ix := geo.NewIndex()
	for rows.Next() {
		var id int64
		var gb []byte
		if err := rows.Scan(&id, &gb); err != nil {
			return fmt.Errorf("import monitors: read a site: %w", err)
		}
		if g, err := decodeGeom(gb); err == nil {
			if mp := toMultiPolygon(g); mp != nil {
				ix.Add(strconv.FormatInt(id, 10), mp)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("import monitors: read the sites around them: %w", err)
	}
	for _, m := range ms {
		if key, ok := ix.Locate(orb.Point{m.Lon, m.Lat}); ok {
			id, _ := strconv.ParseInt(key, 10, 64) // the key written above
			m.SiteID = &id
		}
	}
	return nil
}
