package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"
)

// On SQLite the ingest runs its many-row statements (hotspots, events,
// tasks, audit lines: millions of values for a large file) on the driver's
// connection itself, reached through sql.Conn.Raw, with the statements
// prepared once on it: database/sql would convert every value into a new
// slice of driver.NamedValue at every statement (1.7 GB for a file where
// most rows open their own event) and take its locks around each. The
// values are converted as database/sql converts them for a driver that
// has no converter of its own (driver.DefaultParameterConverter), into
// one slice reused by every statement. Raw holds the connection's lock
// while it runs, so the hotspot writer's goroutine and the caller's take
// turns, as they do on the *sql.Tx.

// rawExec runs q with args on the driver connection; it returns the rows
// changed.
func (t *ingestTx) rawExec(ctx context.Context, q string, args []any) (int64, error) {
	var n int64
	err := t.conn.Raw(func(dc any) error {
		st, nv, err := t.rawPrepare(ctx, dc, q, args)
		if err != nil {
			return err
		}
		res, err := st.(driver.StmtExecContext).ExecContext(ctx, nv)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// rawPrepare is q prepared once per transaction on the driver connection
// dc, and args converted for it (into the transaction's one slice: call
// inside Raw only).
func (t *ingestTx) rawPrepare(ctx context.Context, dc any, q string, args []any) (driver.Stmt, []driver.NamedValue, error) {
	st := t.raw[q]
	if st == nil {
		c, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return nil, nil, fmt.Errorf("driver connection %T cannot prepare", dc)
		}
		var err error
		if st, err = c.PrepareContext(ctx, q); err != nil {
			return nil, nil, err
		}
		if t.raw == nil {
			t.raw = map[string]driver.Stmt{}
		}
		t.raw[q] = st
	}
	nv := t.named[:0]
	for i, a := range args {
		v, err := driverValue(a)
		if err != nil {
			return nil, nil, fmt.Errorf("argument %d: %w", i+1, err)
		}
		nv = append(nv, driver.NamedValue{Ordinal: i + 1, Value: v})
	}
	t.named = nv
	return st, nv, nil
}

// driverValue is a as database/sql hands it to a driver without a
// converter of its own.
func driverValue(a any) (driver.Value, error) {
	switch v := a.(type) {
	case nil, int64, float64, bool, string, []byte, time.Time:
		return v, nil
	case int:
		return int64(v), nil
	}
	return driver.DefaultParameterConverter.ConvertValue(a)
}

// closeRaw closes the statements prepared on the driver connection.
func (t *ingestTx) closeRaw() {
	if len(t.raw) == 0 {
		return
	}
	_ = t.conn.Raw(func(any) error {
		for q, st := range t.raw {
			st.Close()
			delete(t.raw, q)
		}
		return nil
	})
}
