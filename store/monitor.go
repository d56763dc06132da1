package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"skygrid"
	"skygrid/geo"

	"github.com/paulmach/orb"
)

var _ skygrid.MonitorService = (*DB)(nil)

const monitorCols = `m.id, m.mn, m.password, m.name, m.kind, m.lon, m.lat, m.site_id, m.video_url, m.snapshot_url,
	m.lenient_length_counts_trailer, m.lenient_modbus_crc, m.lenient_lowercase_hex, m.demo,
	m.video_seen_at, m.video_checked_at, m.video_error`

type rowScanner interface{ Scan(dest ...any) error }

func scanMonitor(row rowScanner, extra ...any) (skygrid.Monitor, error) {
	var m skygrid.Monitor
	var site sql.NullInt64
	var seen, checked sql.NullString
	err := row.Scan(append([]any{&m.ID, &m.MN, &m.Password, &m.Name, &m.Kind, &m.Lon, &m.Lat, &site, &m.VideoURL,
		&m.SnapshotURL, &m.Lenient.LengthCountsTrailer, &m.Lenient.ModbusCRC, &m.Lenient.LowercaseHex, &m.Demo,
		&seen, &checked, &m.VideoError}, extra...)...)
	if err != nil {
		return m, fmt.Errorf("read a monitor: %w", err)
	}
	m.VideoSeenAt, m.VideoCheckedAt = timePtr(nullTS(seen)), timePtr(nullTS(checked))
	if site.Valid {
		m.SiteID = &site.Int64
	}
	return m, nil
}

// MonitorByMN finds a monitor by its device number; ENOTFOUND when none.
func (db *DB) MonitorByMN(ctx context.Context, mn string) (skygrid.Monitor, error) {
	m, err := scanMonitor(db.rdb.QueryRowContext(ctx, `SELECT `+monitorCols+` FROM monitors m WHERE m.mn = ?`, mn))
	if errors.Is(err, sql.ErrNoRows) {
		return m, skygrid.Errorf(skygrid.ENOTFOUND, "monitor %s not found", mn)
	} else if err != nil {
		return m, fmt.Errorf("find monitor %s: %w", mn, err)
	}
	return m, nil
}

// Monitor finds a monitor by id with its site and latest reading;
// ENOTFOUND when none.
func (db *DB) Monitor(ctx context.Context, id int64) (*skygrid.MonitorItem, error) {
	list, err := db.listMonitors(ctx, `WHERE m.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, skygrid.Errorf(skygrid.ENOTFOUND, "monitor %d not found", id)
	}
	return list[0], nil
}

// ListMonitors lists the monitors by device number, with their site's
// name, the time of their latest reading and their latest hourly PM10; a
// scoped list keeps those standing in one of the scope's regions.
func (db *DB) ListMonitors(ctx context.Context, scope *skygrid.Scope) ([]*skygrid.MonitorItem, error) {
	var area []*skygrid.Region
	if scope != nil && !scope.All && db.scopeInSQL() {
		return db.listScopedMonitorsSQL(ctx, scope.Regions)
	} else if scope != nil && !scope.All {
		var err error
		if area, err = db.scopeRegions(ctx, scope.Regions); err != nil {
			return nil, fmt.Errorf("list monitors: the scope's regions: %w", err)
		} else if len(area) == 0 {
			return []*skygrid.MonitorItem{}, nil
		}
	}
	cond, args := ``, []any(nil)
	if area != nil { // only the monitors within the regions' bounds are read
		b := areaBound(area)
		cond, args = `WHERE m.lon BETWEEN ? AND ? AND m.lat BETWEEN ? AND ?`, []any{b.Min[0], b.Max[0], b.Min[1], b.Max[1]}
	}
	list, err := db.listMonitors(ctx, cond, args...)
	if err != nil || area == nil {
		return list, err
	}
	in := []*skygrid.MonitorItem{}
	for _, m := range list {
		if inArea(area, orb.Point{m.Lon, m.Lat}) {
			in = append(in, m)
		}
	}
	return in, nil
}

func (db *DB) listMonitors(ctx context.Context, cond string, args ...any) ([]*skygrid.MonitorItem, error) {
	q := `SELECT ` + monitorCols + `, COALESCE(s.name, ''),
		(SELECT MAX(r.at) FROM readings r WHERE r.monitor_id = m.id AND r.kind = 'rtd'),
		(SELECT MAX(r.at) FROM readings r WHERE r.monitor_id = m.id AND r.kind = 'minute'),
		(SELECT MAX(r.at) FROM readings r WHERE r.monitor_id = m.id AND r.kind = 'hour'),
		(SELECT h.hour || ' ' || (h.sum_valid / h.n_valid) FROM readings_hourly h
			WHERE h.monitor_id = m.id AND h.factor = 'pm10' AND h.n_valid > 0 ORDER BY h.hour DESC LIMIT 1)
		FROM monitors m LEFT JOIN sites s ON s.id = m.site_id ` + cond + ` ORDER BY m.mn`
	rows, err := db.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list monitors: %w", err)
	}
	defer rows.Close()
	out := []*skygrid.MonitorItem{}
	for rows.Next() {
		var it skygrid.MonitorItem
		var rtd, minute, hour sql.NullInt64
		var pm sql.NullString
		if it.Monitor, err = scanMonitor(rows, &it.SiteName, &rtd, &minute, &hour, &pm); err != nil {
			return nil, fmt.Errorf("list monitors: read a row: %w", err)
		}
		if last := max(rtd.Int64, minute.Int64, hour.Int64); last > 0 {
			it.LastAt = unixUTC(last)
		}
		if pm.Valid {
			var h int64
			var v float64
			if _, err := fmt.Sscanf(pm.String, "%d %g", &h, &v); err == nil {
				it.PM10, it.PM10Hour = &v, unixUTC(h)
			}
		}
		out = append(out, &it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list monitors: %w", err)
	}
	return out, nil
}

// ImportMonitors stores monitors by device number in one transaction
// (a known MN is updated, its readings kept) with one audit line, and
// returns how many were new. A monitor's site is the construction site or
// stockpile of its SiteRef, else the one whose polygon holds it.
func (db *DB) ImportMonitors(ctx context.Context, ms []skygrid.MonitorImport) (int, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("import monitors: begin: %w", err)
	}
	defer tx.Rollback()
	now := ts(tx.now)
	created := 0
	for i := range ms {
		m := &ms[i]
		if m.SiteID, err = monitorSite(ctx, tx, m); err != nil {
			return 0, err
		}
		var existed int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM monitors WHERE mn = ?`, m.MN).Scan(&existed); err != nil {
			return 0, fmt.Errorf("import monitors: find %s: %w", m.MN, err)
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO monitors (mn, password, name, kind, lon, lat, site_id, video_url,
				snapshot_url, lenient_length_counts_trailer, lenient_modbus_crc, lenient_lowercase_hex, demo, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (mn) DO UPDATE SET password = excluded.password, name = excluded.name, kind = excluded.kind,
				lon = excluded.lon, lat = excluded.lat, site_id = excluded.site_id, video_url = excluded.video_url,
				snapshot_url = excluded.snapshot_url, lenient_length_counts_trailer = excluded.lenient_length_counts_trailer,
				lenient_modbus_crc = excluded.lenient_modbus_crc, lenient_lowercase_hex = excluded.lenient_lowercase_hex,
				demo = excluded.demo, updated_at = excluded.updated_at
			RETURNING id`, m.MN, m.Password, m.Name, m.Kind, m.Lon, m.Lat, m.SiteID, m.VideoURL, m.SnapshotURL,
			m.Lenient.LengthCountsTrailer, m.Lenient.ModbusCRC, m.Lenient.LowercaseHex, m.Demo, now, now).Scan(&m.ID); err != nil {
			return 0, fmt.Errorf("import monitors: store %s (%s): %w", m.MN, m.Where, err)
		}
		if existed == 0 {
			created++
		}
	}
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

// siteKindsForMonitors are the kinds of site a monitor may stand on.
const siteKindsForMonitors = `('construction', 'stockpile')`

// monitorSite finds the site of an imported monitor: by its reference
// (EINVALID naming the row when unknown), else by its position (nil when
// no polygon holds it).
func monitorSite(ctx context.Context, tx *Tx, m *skygrid.MonitorImport) (*int64, error) {
	if m.SiteRef != "" {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM sites WHERE external_id = ? AND kind IN `+siteKindsForMonitors+`
			ORDER BY kind LIMIT 1`, m.SiteRef).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, skygrid.Errorf(skygrid.EINVALID, "%s: field site: no construction site or stockpile with id %q (import the sites first)", m.Where, m.SiteRef)
		} else if err != nil {
			return nil, fmt.Errorf("import monitors: find site %s: %w", m.SiteRef, err)
		}
		return &id, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, geom FROM sites WHERE kind IN `+siteKindsForMonitors+`
		AND min_lon <= ? AND max_lon >= ? AND min_lat <= ? AND max_lat >= ? ORDER BY kind, id`, m.Lon, m.Lon, m.Lat, m.Lat)
	if err != nil {
		return nil, fmt.Errorf("import monitors: sites at %s: %w", m.MN, err)
	}
	defer rows.Close()
	pt := orb.Point{m.Lon, m.Lat}
	for rows.Next() {
		var id int64
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			return nil, fmt.Errorf("import monitors: read a site: %w", err)
		}
		if g, err := decodeGeom(b); err == nil && geo.Contains(g, pt) {
			return &id, nil
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("import monitors: sites at %s: %w", m.MN, err)
	}
	return nil, nil
}

// RejectPacket appends to the rejected-packet log.
func (db *DB) RejectPacket(ctx context.Context, r skygrid.PacketReject) error {
	if r.At.IsZero() {
		r.At = db.Now()
	}
	r.MN, r.Remote, r.Reason = storableText(r.MN, 0), storableText(r.Remote, 0), storableText(r.Reason, 0)
	r.Detail, r.Packet = storableText(r.Detail, 0), storableText(r.Packet, packetKept)
	_, err := db.db.ExecContext(ctx, `INSERT INTO packet_rejects (at, mn, remote, reason, detail, packet) VALUES (?, ?, ?, ?, ?, ?)`,
		ts(r.At), r.MN, r.Remote, r.Reason, r.Detail, r.Packet)
	if err != nil {
		return fmt.Errorf("log a rejected packet: %w", err)
	}
	return nil
}

// packetKept is how many bytes of a refused packet's text are kept.
const packetKept = 256

// storableText is s as text every store keeps, in at most max bytes (0:
// no bound): what comes off the wire may hold NUL bytes and bytes that
// are not UTF-8, which PostgreSQL's TEXT refuses (the log line would be
// lost), so each such byte is written \xNN; a character or an escape
// that would cross max is left out whole.
func storableText(s string, max int) string {
	if max <= 0 || max > len(s)*4 {
		max = len(s) * 4
	}
	if len(s) <= max && utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		piece := s[i : i+n]
		if (r == utf8.RuneError && n == 1) || r == 0 {
			piece = fmt.Sprintf("\\x%02x", s[i])
		}
		if b.Len()+len(piece) > max {
			break
		}
		b.WriteString(piece)
		i += n
	}
	return b.String()
}

// PacketRejects returns the newest rejected packets (at most limit) and
// the count per MN, most first.
func (db *DB) PacketRejects(ctx context.Context, limit int) ([]skygrid.PacketReject, []skygrid.RejectCount, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT at, mn, remote, reason, detail, packet FROM packet_rejects ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, nil, fmt.Errorf("list rejected packets: %w", err)
	}
	defer rows.Close()
	list := []skygrid.PacketReject{}
	for rows.Next() {
		var r skygrid.PacketReject
		var at string
		if err := rows.Scan(&at, &r.MN, &r.Remote, &r.Reason, &r.Detail, &r.Packet); err != nil {
			return nil, nil, fmt.Errorf("list rejected packets: read a row: %w", err)
		}
		r.At = parseTS(at)
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("list rejected packets: %w", err)
	}
	counts, err := db.rejectCounts(ctx)
	return list, counts, err
}

func (db *DB) rejectCounts(ctx context.Context) ([]skygrid.RejectCount, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT mn, COUNT(*), MAX(at) FROM packet_rejects GROUP BY mn ORDER BY COUNT(*) DESC, mn`)
	if err != nil {
		return nil, fmt.Errorf("count rejected packets: %w", err)
	}
	defer rows.Close()
	out := []skygrid.RejectCount{}
	for rows.Next() {
		var c skygrid.RejectCount
		var last string
		if err := rows.Scan(&c.MN, &c.Count, &last); err != nil {
			return nil, fmt.Errorf("count rejected packets: read a row: %w", err)
		}
		c.Last = parseTS(last)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count rejected packets: %w", err)
	}
	return out, nil
}
