package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"skygrid"
)

// StoreReadings writes its readings in multi-row statements: one INSERT
// per readingChunk readings (RETURNING the rows it inserted) and one
// upsert per hourlyChunk hourly aggregates, each aggregate's final value
// computed in Go from its stored row (read once per monitor) and the
// batch's new values in batch order, as the one-row-at-a-time upsert
// added them (the same sums to the last bit). A reading at a time was
// a round trip per reading and one per value: the demo's 107,460 history
// readings were 1.07 million statements, four minutes on PostgreSQL.
const (
	readingChunk = 500  // 17 parameters a row
	hourlyChunk  = 1000 // 9 parameters a row
)

// readingInsertCols are the columns a reading fills, in order (readingArgs).
var readingInsertCols = "monitor_id, kind, at, " + strings.Join(skygrid.Factors, ", ") + ", flags, deviations, qn, source, received_at"

// readingInsertN counts them.
var readingInsertN = 3 + len(skygrid.Factors) + 5

// readingArgs are one reading's values for readingInsertCols.
func readingArgs(r *skygrid.Reading, now time.Time) []any {
	received := r.ReceivedAt
	if received.IsZero() {
		received = now
	}
	args := []any{r.MonitorID, r.Kind, r.At.Unix()}
	for _, f := range skygrid.Factors {
		if v, ok := r.Values[f]; ok {
			args = append(args, hundredths(v))
		} else {
			args = append(args, nil)
		}
	}
	return append(args, encodeFlags(r), nullStr(strings.Join(r.Deviations, ";")), encodeQN(r.QN), r.Source, received.Unix())
}

// valuesRows is "(?, ?, ...), (...)": n rows of cols parameters.
func valuesRows(n, cols int) string {
	row := "(" + placeholders(cols) + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// readingKey names a reading as RETURNING gives it back: monitor, kind,
// data time and QN as stored (encodeQN's value printed; "" for none).
func readingKey(monitor int64, kind string, at int64, qn string) string {
	return strconv.FormatInt(monitor, 10) + "|" + kind + "|" + strconv.FormatInt(at, 10) + "|" + qn
}

func qnKey(qn string) string {
	if v := encodeQN(qn); v != nil {
		return fmt.Sprint(v)
	}
	return ""
}

// insertReadings inserts the readings (duplicates of stored ones, or of
// earlier ones in rs, are left out as ON CONFLICT DO NOTHING leaves them)
// and reports which were new. A row RETURNING gives back is the first
// reading of rs with its monitor, kind, data time and QN: a later one with
// all four the same would have met the first's row.
func insertReadings(ctx context.Context, tx *Tx, rs []skygrid.Reading) ([]bool, error) {
	isNew := make([]bool, len(rs))
	for lo := 0; lo < len(rs); lo += readingChunk {
		hi := min(lo+readingChunk, len(rs))
		first := map[string]int{}
		args := make([]any, 0, (hi-lo)*readingInsertN)
		for i := lo; i < hi; i++ {
			r := &rs[i]
			if k := readingKey(r.MonitorID, r.Kind, r.At.Unix(), qnKey(r.QN)); first[k] == 0 {
				first[k] = i + 1
			}
			args = append(args, readingArgs(r, tx.now)...)
		}
		q := `INSERT INTO readings (` + readingInsertCols + `) VALUES ` + valuesRows(hi-lo, readingInsertN) +
			` ON CONFLICT DO NOTHING RETURNING monitor_id, kind, at, qn`
		if err := insertedReadings(ctx, tx, q, args, first, isNew); err != nil {
			return nil, fmt.Errorf("readings %d to %d: %w", lo, hi-1, err)
		}
	}
	return isNew, nil
}

// insertedReadings runs one chunk's INSERT and marks its new readings.
func insertedReadings(ctx context.Context, tx *Tx, q string, args []any, first map[string]int, isNew []bool) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("insert: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var monitor, at int64
		var kind string
		var qn sql.NullString
		if err := rows.Scan(&monitor, &kind, &at, &qn); err != nil {
			return fmt.Errorf("insert: read a row: %w", err)
		}
		i := first[readingKey(monitor, kind, at, qn.String)]
		if i == 0 {
			return fmt.Errorf("insert: a row of monitor %d at %d that no reading matches", monitor, at)
		}
		isNew[i-1] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("insert: %w", err)
	}
	return nil
}

// hourKey is one row of readings_hourly.
type hourKey struct {
	monitor int64
	kind    string
	hour    int64
	factor  string
}

// hourAgg is its values.
type hourAgg struct {
	nAll, nValid int64
	sum          float64
	min, max     sql.NullFloat64
	touched      bool // by the batch
}

// add is one value's update of its aggregate (mm null when not valid), as
// the one-row upsert made it in SQL (n_all + 1, n_valid + valid,
// sum_valid + value, min and max replaced when null or beaten by a value
// not null): the same operations in the same order, so the same doubles.
func (a *hourAgg) add(valid int64, sum float64, mm sql.NullFloat64) {
	a.nAll++
	a.nValid += valid
	a.sum += sum
	if !a.min.Valid || mm.Valid && mm.Float64 < a.min.Float64 {
		a.min = mm
	}
	if !a.max.Valid || mm.Valid && mm.Float64 > a.max.Float64 {
		a.max = mm
	}
}

// hourlyValue is one new value for its hour.
type hourlyValue struct {
	key   hourKey
	valid int64
	sum   float64
	mm    sql.NullFloat64
}

// hourlyValues are the new readings' values for the hourly aggregates,
// in batch order (day readings have none).
func hourlyValues(rs []skygrid.Reading, isNew []bool) []hourlyValue {
	var out []hourlyValue
	for i := range rs {
		r := &rs[i]
		if !isNew[i] || r.Kind == skygrid.ReadingDay {
			continue
		}
		hour := r.At.Unix() - r.At.Unix()%3600
		for _, f := range skygrid.Factors {
			v, ok := r.Values[f]
			if !ok {
				continue
			}
			hv := hourlyValue{key: hourKey{r.MonitorID, r.Kind, hour, f}}
			if r.Valid(f) {
				v = float64(hundredths(v)) / 100
				hv.valid, hv.sum, hv.mm = 1, v, sql.NullFloat64{Float64: v, Valid: true}
			}
			out = append(out, hv)
		}
	}
	return out
}

// storeHourly adds the values to their hours' aggregates: the stored
// rows of the hours they touch are read (a range of hours per monitor),
// updated in Go and written back in multi-row upserts.
func storeHourly(ctx context.Context, tx *Tx, vals []hourlyValue) error {
	if len(vals) == 0 {
		return nil
	}
	aggs, err := storedHours(ctx, tx, vals)
	if err != nil {
		return err
	}
	var order []hourKey // the hours in the order the batch first touches them
	for _, v := range vals {
		a := aggs[v.key]
		if a == nil || !a.touched {
			if a == nil {
				a = &hourAgg{}
				aggs[v.key] = a
			}
			a.touched = true
			order = append(order, v.key)
		}
		a.add(v.valid, v.sum, v.mm)
	}
	return writeHourly(ctx, tx, order, aggs)
}

// storedHours reads the stored aggregates of the monitors' hours from the
// first to the last the values touch.
func storedHours(ctx context.Context, tx *Tx, vals []hourlyValue) (map[hourKey]*hourAgg, error) {
	span := map[int64][2]int64{}
	for _, v := range vals {
		s, ok := span[v.key.monitor]
		if !ok {
			s = [2]int64{v.key.hour, v.key.hour}
		}
		span[v.key.monitor] = [2]int64{min(s[0], v.key.hour), max(s[1], v.key.hour)}
	}
	monitors := make([]int64, 0, len(span))
	for m := range span {
		monitors = append(monitors, m)
	}
	sort.Slice(monitors, func(i, j int) bool { return monitors[i] < monitors[j] })
	aggs := map[hourKey]*hourAgg{}
	for _, m := range monitors {
		if err := readHours(ctx, tx, m, span[m], aggs); err != nil {
			return nil, fmt.Errorf("hourly aggregates of monitor %d: %w", m, err)
		}
	}
	return aggs, nil
}

func readHours(ctx context.Context, tx *Tx, monitor int64, span [2]int64, aggs map[hourKey]*hourAgg) error {
	rows, err := tx.QueryContext(ctx, `SELECT kind, hour, factor, n_all, n_valid, sum_valid, min_valid, max_valid
		FROM readings_hourly WHERE monitor_id = ? AND hour >= ? AND hour <= ?`, monitor, span[0], span[1])
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		k, a := hourKey{monitor: monitor}, &hourAgg{}
		if err := rows.Scan(&k.kind, &k.hour, &k.factor, &a.nAll, &a.nValid, &a.sum, &a.min, &a.max); err != nil {
			return fmt.Errorf("read a row: %w", err)
		}
		aggs[k] = a
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the rows: %w", err)
	}
	return nil
}

// writeHourly writes the aggregates of the hours in order, stored rows
// replaced by their new values.
func writeHourly(ctx context.Context, tx *Tx, order []hourKey, aggs map[hourKey]*hourAgg) error {
	for lo := 0; lo < len(order); lo += hourlyChunk {
		hi := min(lo+hourlyChunk, len(order))
		args := make([]any, 0, (hi-lo)*9)
		for _, k := range order[lo:hi] {
			a := aggs[k]
			args = append(args, k.monitor, k.kind, k.hour, k.factor, a.nAll, a.nValid, a.sum, a.min, a.max)
		}
		q := `INSERT INTO readings_hourly (monitor_id, kind, hour, factor, n_all, n_valid, sum_valid, min_valid, max_valid) VALUES ` +
			valuesRows(hi-lo, 9) + ` ON CONFLICT (monitor_id, hour, factor, kind) DO UPDATE SET n_all = excluded.n_all,
			n_valid = excluded.n_valid, sum_valid = excluded.sum_valid, min_valid = excluded.min_valid, max_valid = excluded.max_valid`
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("hourly aggregates %d to %d: %w", lo, hi-1, err)
		}
	}
	return nil
}

// checkMonitors names the first reading whose monitor is not stored.
func checkMonitors(ctx context.Context, tx *Tx, rs []skygrid.Reading) error {
	known := map[int64]bool{}
	for i := range rs {
		id := rs[i].MonitorID
		if ok, seen := known[id]; seen {
			if !ok {
				return skygrid.Errorf(skygrid.EINVALID, "reading %d: monitor %d: no such monitor", i, id)
			}
			continue
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM monitors WHERE id = ?`, id).Scan(&n); err != nil {
			return fmt.Errorf("store readings: find monitor %d: %w", id, err)
		}
		known[id] = n > 0
		if n == 0 {
			return skygrid.Errorf(skygrid.EINVALID, "reading %d: monitor %d: no such monitor", i, id)
		}
	}
	return nil
}
