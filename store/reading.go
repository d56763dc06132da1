package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"skygrid"
)

var readingKinds = map[string]bool{skygrid.ReadingRealtime: true, skygrid.ReadingMinute: true, skygrid.ReadingHour: true, skygrid.ReadingDay: true}

var factorSet = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range skygrid.Factors {
		m[f] = true
	}
	return m
}()

// StoreReadings stores readings in one transaction, each once, and adds
// the new ones to their hours' aggregates (day readings have none). It
// returns how many were new. A reading that cannot be stored (unknown
// kind or factor, no monitor) fails the whole call: nothing is stored.
func (db *DB) StoreReadings(ctx context.Context, rs []skygrid.Reading) (int, error) {
	for i := range rs {
		if err := checkReading(&rs[i]); err != nil {
			return 0, skygrid.Errorf(skygrid.EINVALID, "reading %d: %v", i, err)
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store readings: begin: %w", err)
	}
	defer tx.Rollback()
	if err := checkMonitors(ctx, tx, rs); err != nil {
		return 0, err
	}
	isNew, err := insertReadings(ctx, tx, rs)
	if err != nil {
		if isConstraint(err) {
			return 0, skygrid.Errorf(skygrid.EINVALID, "store readings: %v", err)
		}
		return 0, fmt.Errorf("store readings: %w", err)
	}
	if err := storeHourly(ctx, tx, hourlyValues(rs, isNew)); err != nil {
		return 0, fmt.Errorf("store readings: %w", err)
	}
	stored := 0
	touched := map[[2]int64]bool{} // monitor-days whose hours changed
	for i := range rs {
		if !isNew[i] {
			continue
		}
		stored++
		if rs[i].Kind != skygrid.ReadingDay && len(rs[i].Values) > 0 {
			at := rs[i].At.Unix()
			touched[[2]int64{rs[i].MonitorID, captureDay(at)}] = true
		}
	}
	if err := refreshCaptureDaily(ctx, tx, touched); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store readings: commit: %w", err)
	}
	return stored, nil
}

func checkReading(r *skygrid.Reading) error {
	if !readingKinds[r.Kind] {
		return fmt.Errorf("unknown kind %q", r.Kind)
	}
	if r.At.IsZero() {
		return fmt.Errorf("no data time")
	}
	for f, v := range r.Values {
		if !factorSet[f] {
			return fmt.Errorf("unknown factor %q", f)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("factor %s: not a number", f)
		}
	}
	return nil
}

// beijingOffset is Beijing time's offset from UTC in seconds (UTC+8, no
// daylight saving): readings_capture_daily's days are Beijing days, the
// days every period of the statistics pages starts and ends on
// (migration 0020).
const beijingOffset = 8 * 3600

// captureDay is the start (Unix seconds) of the Beijing day holding t.
func captureDay(t int64) int64 { return t - (t+beijingOffset)%86400 }

// captureDaySQL is captureDay of readings_hourly's hour in SQL.
const captureDaySQL = `hour - (hour + 28800) % 86400`

// captureDailyRefresh recomputes one monitor-day of readings_capture_daily
// (migration 0019) from its hours in readings_hourly: the hours with any
// reading and the valid particulate minutes DustStats counts for a whole
// day (the same per-hour expression as its edge hours, captureHoursSQL).
var captureDailyRefresh = captureDailyInsert("monitor_id = ? AND hour >= ? AND hour < ?") +
	` ON CONFLICT (monitor_id, day) DO UPDATE SET hours = excluded.hours, valid_minutes = excluded.valid_minutes`

// captureDailyInsert fills readings_capture_daily from the rows of
// readings_hourly meeting cond, as migration 0020's backfill does (the
// day: captureDay in SQL).
func captureDailyInsert(cond string) string {
	return `INSERT INTO readings_capture_daily (monitor_id, day, hours, valid_minutes)
	SELECT monitor_id, ` + captureDaySQL + `, COUNT(*), SUM(v) FROM (
		SELECT monitor_id, hour, MAX(CASE WHEN factor IN ('pm10', 'pm25', 'tsp') AND kind IN ('rtd', 'minute')
			THEN CASE WHEN n_valid < 60 THEN n_valid ELSE 60 END ELSE 0 END) v
		FROM readings_hourly WHERE ` + cond + ` GROUP BY monitor_id, hour HAVING MAX(n_all) > 0) h
	GROUP BY monitor_id, ` + captureDaySQL
}

// refreshCaptureDaily recomputes the daily capture of the monitor-days
// (monitor id, Beijing day start in Unix seconds: captureDay) whose
// hourly aggregates the transaction changed: one lookup along
// readings_hourly's key each.
func refreshCaptureDaily(ctx context.Context, tx *Tx, touched map[[2]int64]bool) error {
	if len(touched) == 0 {
		return nil
	}
	keys := make([][2]int64, 0, len(touched))
	for k := range touched {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i][0] < keys[j][0] || keys[i][0] == keys[j][0] && keys[i][1] < keys[j][1]
	})
	st, err := tx.PrepareContext(ctx, captureDailyRefresh)
	if err != nil {
		return fmt.Errorf("store readings: prepare the daily capture: %w", err)
	}
	defer st.Close()
	for _, k := range keys {
		if _, err := st.ExecContext(ctx, k[0], k[1], k[1]+86400); err != nil {
			return fmt.Errorf("store readings: daily capture of monitor %d on %s: %w", k[0], ts(time.Unix(k[1], 0)), err)
		}
	}
	return nil
}

// encodeFlags is "factor=flag" for the factors not valid, joined by ";"
// in factor order; nil when every value is valid.
func encodeFlags(r *skygrid.Reading) any {
	var parts []string
	for _, f := range skygrid.Factors {
		if _, ok := r.Values[f]; ok && !r.Valid(f) {
			parts = append(parts, f+"="+r.Flags[f])
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return strings.Join(parts, ";")
}

func decodeFlags(s sql.NullString) map[string]string {
	if !s.Valid || s.String == "" {
		return nil
	}
	m := map[string]string{}
	for _, p := range strings.Split(s.String, ";") {
		if f, flag, ok := strings.Cut(p, "="); ok {
			m[f] = flag
		}
	}
	return m
}

// encodeQN stores an all-digit QN as an integer (8 bytes, not 17).
func encodeQN(qn string) any {
	if qn == "" {
		return nil
	}
	if qn[0] != '0' {
		if n, err := strconv.ParseInt(qn, 10, 64); err == nil {
			return n
		}
	}
	return qn
}

// hundredths is a value as stored: hundredths of its unit, rounded.
func hundredths(v float64) int64 { return int64(math.Round(v * 100)) }

func unixUTC(s int64) time.Time { return time.Unix(s, 0).UTC() }

// Bounds of ReadingSeries.
const (
	MaxMinuteSpan = 2 * 24 * time.Hour
	MaxHourSpan   = 400 * 24 * time.Hour
)

// ReadingSeries returns a monitor's readings from from (included) to to
// (excluded): res minute gives its minute and real-time readings, res
// hour its hourly aggregates. Spans longer than MaxMinuteSpan or
// MaxHourSpan are EINVALID.
func (db *DB) ReadingSeries(ctx context.Context, monitorID int64, from, to time.Time, res string) ([]skygrid.SeriesPoint, error) {
	if !to.After(from) {
		return nil, skygrid.Errorf(skygrid.EINVALID, "to must be after from")
	}
	switch {
	case res == skygrid.ResMinute && to.Sub(from) > MaxMinuteSpan:
		return nil, skygrid.Errorf(skygrid.EINVALID, "at most 2 days of minute data at a time (use res=hour)")
	case res == skygrid.ResHour && to.Sub(from) > MaxHourSpan:
		return nil, skygrid.Errorf(skygrid.EINVALID, "at most 400 days of hourly data at a time")
	case res == skygrid.ResMinute:
		return db.minuteSeries(ctx, monitorID, from, to)
	case res == skygrid.ResHour:
		return db.hourSeries(ctx, monitorID, from, to)
	}
	return nil, skygrid.Errorf(skygrid.EINVALID, "res %q: want minute or hour", res)
}

func (db *DB) minuteSeries(ctx context.Context, id int64, from, to time.Time) ([]skygrid.SeriesPoint, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT kind, at, `+strings.Join(skygrid.Factors, ", ")+`, flags FROM readings
		WHERE monitor_id = ? AND kind IN ('minute', 'rtd') AND at >= ? AND at < ? ORDER BY at, kind`, id, from.Unix(), to.Unix())
	if err != nil {
		return nil, fmt.Errorf("minute series of monitor %d: %w", id, err)
	}
	defer rows.Close()
	out := []skygrid.SeriesPoint{}
	vals := make([]sql.NullInt64, len(skygrid.Factors))
	for rows.Next() {
		var p skygrid.SeriesPoint
		var at int64
		var flags sql.NullString
		dest := []any{&p.Kind, &at}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(append(dest, &flags)...); err != nil {
			return nil, fmt.Errorf("minute series of monitor %d: read a row: %w", id, err)
		}
		p.At, p.Values, p.Flags = unixUTC(at), map[string]float64{}, decodeFlags(flags)
		for i, f := range skygrid.Factors {
			if vals[i].Valid {
				p.Values[f] = float64(vals[i].Int64) / 100
			}
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("minute series of monitor %d: %w", id, err)
	}
	return out, nil
}

// kindRank orders the sources of an hour's aggregate: minute readings
// first, then real-time, then the device's own hourly data.
var kindRank = map[string]int{skygrid.ReadingMinute: 0, skygrid.ReadingRealtime: 1, skygrid.ReadingHour: 2}

type hourlyRow struct {
	hour         int64
	kind, factor string
	nAll, nValid int
	sum          float64
	minV, maxV   sql.NullFloat64
}

func (db *DB) hourSeries(ctx context.Context, id int64, from, to time.Time) ([]skygrid.SeriesPoint, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT hour, kind, factor, n_all, n_valid, sum_valid, min_valid, max_valid
		FROM readings_hourly WHERE monitor_id = ? AND hour >= ? AND hour < ? ORDER BY hour`, id, from.Unix(), to.Unix())
	if err != nil {
		return nil, fmt.Errorf("hourly series of monitor %d: %w", id, err)
	}
	defer rows.Close()
	byHour := map[int64][]hourlyRow{}
	var hours []int64
	for rows.Next() {
		var r hourlyRow
		if err := rows.Scan(&r.hour, &r.kind, &r.factor, &r.nAll, &r.nValid, &r.sum, &r.minV, &r.maxV); err != nil {
			return nil, fmt.Errorf("hourly series of monitor %d: read a row: %w", id, err)
		}
		if _, seen := byHour[r.hour]; !seen {
			hours = append(hours, r.hour)
		}
		byHour[r.hour] = append(byHour[r.hour], r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("hourly series of monitor %d: %w", id, err)
	}
	sort.Slice(hours, func(i, j int) bool { return hours[i] < hours[j] })
	out := make([]skygrid.SeriesPoint, 0, len(hours))
	for _, h := range hours {
		out = append(out, hourPoint(h, byHour[h]))
	}
	return out, nil
}

// hourPoint makes an hour's point of the aggregates of its best kind.
func hourPoint(h int64, rs []hourlyRow) skygrid.SeriesPoint {
	kind := rs[0].kind
	for _, r := range rs {
		if kindRank[r.kind] < kindRank[kind] {
			kind = r.kind
		}
	}
	p := skygrid.SeriesPoint{At: unixUTC(h), Kind: kind, Values: map[string]float64{}, N: map[string]int{},
		All: map[string]int{}, Min: map[string]float64{}, Max: map[string]float64{}}
	for _, r := range rs {
		if r.kind != kind {
			continue
		}
		p.N[r.factor], p.All[r.factor] = r.nValid, r.nAll
		if r.nValid > 0 {
			p.Values[r.factor] = r.sum / float64(r.nValid)
			p.Min[r.factor], p.Max[r.factor] = r.minV.Float64, r.maxV.Float64
		}
	}
	return p
}

// pruneBatch bounds each delete of PruneReadings, so that a write waiting
// for the lock (a packet) waits for one batch, not for the whole prune.
const pruneBatch = 20000

// PruneReadings deletes the minute and real-time readings older than
// before (their hourly aggregates, and hour and day readings, are kept)
// and returns how many it deleted. It goes monitor by monitor along the
// readings' key, in batches.
func (db *DB) PruneReadings(ctx context.Context, before time.Time) (int64, error) {
	ids, err := db.monitorIDs(ctx)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, id := range ids {
		for {
			res, err := db.db.ExecContext(ctx, `DELETE FROM readings WHERE (monitor_id, kind, at) IN (
				SELECT monitor_id, kind, at FROM readings WHERE monitor_id = ? AND kind IN ('rtd', 'minute') AND at < ? LIMIT ?)`,
				id, before.Unix(), pruneBatch)
			if err != nil {
				return total, fmt.Errorf("prune readings of monitor %d before %s: %w", id, ts(before), err)
			}
			n, _ := res.RowsAffected()
			total += n
			if n < pruneBatch {
				break
			}
		}
	}
	return total, nil
}

func (db *DB) monitorIDs(ctx context.Context) ([]int64, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT id FROM monitors ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list monitor ids: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list monitor ids: read a row: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list monitor ids: %w", err)
	}
	return ids, nil
}
