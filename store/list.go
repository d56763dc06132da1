package store

import (
	"context"
	"database/sql"
	"fmt"
)

// querier reads rows: a transaction (Tx) or a pool (*sql.DB).
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// listQuery is one list's SELECT, built from its filter: the columns and
// FROM, the filter's conditions with their arguments, the order and the
// page. A list that wants its total selects COUNT(*) OVER () last and
// scans it beside each row.
type listQuery struct {
	what          string // what is read, for errors: "find sites"
	from          string // "SELECT … FROM …"
	conds         []string
	args          []any
	order         string // after WHERE: " ORDER BY …" (or " GROUP BY …"), or ""
	limit, offset int    // 0: all, from the first
}

// and keeps the rows meeting cond, whose placeholders take args.
func (q *listQuery) and(cond string, args ...any) {
	q.conds, q.args = append(q.conds, cond), append(q.args, args...)
}

// sql is the statement: SELECT, WHERE, ORDER BY, LIMIT/OFFSET.
func (q *listQuery) sql() string {
	return q.from + where(q.conds) + q.order + limitOffset(q.limit, q.offset)
}

// queryList runs q and reads each row with scan, in order. Every error
// says what was being read.
func queryList[T any](ctx context.Context, db querier, q *listQuery, scan func(*sql.Rows) (T, error)) ([]T, error) {
	rows, err := db.QueryContext(ctx, q.sql(), q.args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q.what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", q.what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", q.what, err)
	}
	return out, nil
}

// queryPairs reads the rows of two text columns into a map, the first
// column's value to the second's.
func queryPairs(ctx context.Context, db querier, q *listQuery) (map[string]string, error) {
	out := map[string]string{}
	_, err := queryList(ctx, db, q, func(rows *sql.Rows) (struct{}, error) {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return struct{}{}, fmt.Errorf("read a row: %w", err)
		}
		out[k] = v
		return struct{}{}, nil
	})
	return out, err
}

// readString reads a row of one text column.
func readString(rows *sql.Rows) (string, error) {
	var s string
	if err := rows.Scan(&s); err != nil {
		return "", fmt.Errorf("read a row: %w", err)
	}
	return s, nil
}
