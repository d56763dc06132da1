package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"skygrid"

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

// aheadOfClock is how far ahead of the clock a device's data time may be
// and still count as its latest (a clock drifts; a dead clock battery
// dates readings years away, which hid the real ones).
const aheadOfClock = 10 * time.Minute

func (db *DB) listMonitors(ctx context.Context, cond string, args ...any) ([]*skygrid.MonitorItem, error) {
	q := `SELECT ` + monitorCols + `, COALESCE(s.name, ''),
		(SELECT MAX(r.at) FROM readings r WHERE r.monitor_id = m.id AND r.kind = 'rtd' AND r.at <= ?),
		(SELECT MAX(r.at) FROM readings r WHERE r.monitor_id = m.id AND r.kind = 'minute' AND r.at <= ?),
		(SELECT MAX(r.at) FROM readings r WHERE r.monitor_id = m.id AND r.kind = 'hour' AND r.at <= ?),
		(SELECT h.hour || ' ' || (h.sum_valid / h.n_valid) FROM readings_hourly h
			WHERE h.monitor_id = m.id AND h.factor = 'pm10' AND h.n_valid > 0 AND h.hour <= ? ORDER BY h.hour DESC LIMIT 1)
		FROM monitors m LEFT JOIN sites s ON s.id = m.site_id ` + cond + ` ORDER BY m.mn`
	until := db.Now().Add(aheadOfClock).Unix()
	rows, err := db.rdb.QueryContext(ctx, q, append([]any{until, until, until, until}, args...)...)
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
