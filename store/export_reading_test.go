package store

import (
	"context"
	"fmt"
	"strconv"
)

// DumpForTest runs a query and prints each row's columns exactly (a float
// as its bits' shortest decimal, NULL as NULL), for tests that compare two
// databases' tables (tests only).
func (db *DB) DumpForTest(ctx context.Context, q string) ([]string, error) {
	rows, err := db.db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		vals, err := scanValues(rows, len(cols))
		if err != nil {
			return nil, err
		}
		line := ""
		for _, v := range vals {
			switch v := v.(type) {
			case nil:
				line += "NULL|"
			case float64:
				line += strconv.FormatFloat(v, 'g', -1, 64) + "|"
			case []byte:
				line += string(v) + "|"
			default:
				line += fmt.Sprint(v) + "|"
			}
		}
		out = append(out, line)
	}
	return out, rows.Err()
}
