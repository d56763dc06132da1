package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// skygrid migrate sqlite-to-postgres: a city's SQLite database, read
// under one read snapshot (the server may keep running on it), copied
// into an empty, migrated PostgreSQL database in one transaction, table
// by table in the order of their foreign keys, then checked: every
// table's row count and a checksum of the audit log equal on both sides,
// or nothing is committed.

// CopiedTable is one table's rows in the SQLite source and, after the
// copy, in the PostgreSQL target.
type CopiedTable struct {
	Table          string
	Source, Target int64
}

// CopyReport is what CopyToPostgres copied and checked.
type CopyReport struct {
	Tables []CopiedTable
	// AuditSource and AuditTarget are the SHA-256 of the audit log's rows
	// in id order, rendered the same way from both stores.
	AuditSource, AuditTarget string
}

// copyBatch is how many rows one INSERT carries.
const copyBatch = 500

// seededTables are filled by the migrations themselves: their rows in
// the target are replaced by the source's.
var seededTables = []string{"layer_versions"}

// CopyToPostgres copies every table of the SQLite database src (open it
// AsFound: a running city's file is not migrated under its server) into
// the migrated, empty PostgreSQL database dst, and checks the copy. Any
// difference, a target holding data, or a source at another migration
// than the target refuses it and commits nothing.
func CopyToPostgres(ctx context.Context, src, dst *DB) (CopyReport, error) {
	var rep CopyReport
	stx, dtx, err := beginCopy(ctx, src, dst, nil)
	if err != nil {
		return rep, err
	}
	defer stx.Rollback()
	defer dtx.Rollback()
	tables, err := copyPlan(ctx, stx, dtx)
	if err != nil {
		return rep, err
	}
	for _, t := range tables {
		ct, err := copyTable(ctx, stx, dtx, t)
		rep.Tables = append(rep.Tables, ct)
		if err != nil {
			return rep, err
		}
	}
	if err := resetIdentities(ctx, dtx); err != nil {
		return rep, err
	}
	if err := checkCopy(ctx, stx, dtx, &rep); err != nil {
		return rep, err
	}
	if err := dtx.Commit(); err != nil {
		return rep, fmt.Errorf("copy to postgres: commit: %w", err)
	}
	return rep, nil
}

// CheckCopyTarget refuses what CopyToPostgres would refuse (a source at
// another migration than the target, a target holding data) without
// copying or taking the target's write lock: for the work that goes
// before the copy (the report photos), so a refused move writes nothing.
func CheckCopyTarget(ctx context.Context, src, dst *DB) error {
	stx, dtx, err := beginCopy(ctx, src, dst, &readOnly)
	if err != nil {
		return err
	}
	defer stx.Rollback()
	defer dtx.Rollback()
	_, err = copyPlan(ctx, stx, dtx)
	return err
}

// beginCopy opens the copy's read of the SQLite source and its
// transaction on the PostgreSQL target (with opts: nil to write).
func beginCopy(ctx context.Context, src, dst *DB, opts *sql.TxOptions) (stx, dtx *Tx, err error) {
	if src.postgres || !dst.postgres {
		return nil, nil, fmt.Errorf("copy to postgres: want a SQLite source and a PostgreSQL target")
	}
	if stx, err = src.BeginTx(ctx, &readOnly); err != nil {
		return nil, nil, fmt.Errorf("copy to postgres: read %s: %w", src.DSN, err)
	}
	if dtx, err = dst.BeginTx(ctx, opts); err != nil {
		stx.Rollback()
		return nil, nil, fmt.Errorf("copy to postgres: begin: %w", err)
	}
	return stx, dtx, nil
}

// copyPlan checks that both databases are at the same migrations and that
// the target holds no data, and orders the tables so that every table
// comes after those its foreign keys name.
func copyPlan(ctx context.Context, stx, dtx *Tx) ([]string, error) {
	sm, err := queryStrings(ctx, stx, `SELECT name FROM migrations ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("copy to postgres: the source's migrations: %w", err)
	}
	dm, err := queryStrings(ctx, dtx, `SELECT name FROM migrations ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("copy to postgres: the target's migrations: %w", err)
	}
	if !slices.Equal(sm, dm) {
		return nil, fmt.Errorf("copy to postgres: the source has %d migrations (last %s), the target %d (last %s): run this skygrid once on the SQLite file (any command that opens it migrates it) so both are at the same schema",
			len(sm), last(sm), len(dm), last(dm))
	}
	st, err := queryStrings(ctx, stx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'migrations' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("copy to postgres: the source's tables: %w", err)
	}
	dt, err := queryStrings(ctx, dtx, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
		AND table_name NOT IN ('migrations', 'spatial_ref_sys') ORDER BY table_name`)
	if err != nil {
		return nil, fmt.Errorf("copy to postgres: the target's tables: %w", err)
	}
	if !slices.Equal(st, dt) {
		return nil, fmt.Errorf("copy to postgres: the tables differ: source %v, target %v", st, dt)
	}
	for _, t := range dt {
		if slices.Contains(seededTables, t) {
			continue
		}
		var n int64
		if err := dtx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("copy to postgres: count %s in the target: %w", t, err)
		}
		if n > 0 {
			return nil, fmt.Errorf("copy to postgres: the target is not empty (%s holds %d rows): copy into a freshly created database", t, n)
		}
	}
	return fkOrder(ctx, dtx, dt)
}

func last(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return s[len(s)-1]
}

// fkOrder orders tables so that each follows the tables it references
// (PostgreSQL's catalog; ties by name).
func fkOrder(ctx context.Context, dtx *Tx, tables []string) ([]string, error) {
	rows, err := dtx.QueryContext(ctx, `SELECT cl.relname, rf.relname FROM pg_constraint c
		JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class rf ON rf.oid = c.confrelid
		WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace`)
	if err != nil {
		return nil, fmt.Errorf("copy to postgres: foreign keys: %w", err)
	}
	defer rows.Close()
	refs := map[string][]string{}
	for rows.Next() {
		var t, ref string
		if err := rows.Scan(&t, &ref); err != nil {
			return nil, fmt.Errorf("copy to postgres: foreign keys: %w", err)
		}
		if t != ref {
			refs[t] = append(refs[t], ref)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("copy to postgres: foreign keys: %w", err)
	}
	var out []string
	done := map[string]bool{}
	for len(out) < len(tables) {
		n := len(out)
		for _, t := range tables {
			if !done[t] && !slices.ContainsFunc(refs[t], func(r string) bool { return !done[r] }) {
				done[t] = true
				out = append(out, t)
			}
		}
		if len(out) == n {
			return nil, fmt.Errorf("copy to postgres: the foreign keys make a cycle among the tables not copied yet")
		}
	}
	return out, nil
}

// copyTable copies one table's rows in batches of multi-row INSERTs (the
// columns the target can take: not its generated ones).
func copyTable(ctx context.Context, stx, dtx *Tx, table string) (CopiedTable, error) {
	ct := CopiedTable{Table: table}
	cols, err := insertable(ctx, dtx, table)
	if err != nil {
		return ct, err
	}
	if slices.Contains(seededTables, table) {
		if _, err := dtx.ExecContext(ctx, `DELETE FROM `+table); err != nil {
			return ct, fmt.Errorf("copy to postgres: clear %s: %w", table, err)
		}
	}
	rows, err := stx.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+table)
	if err != nil {
		return ct, fmt.Errorf("copy to postgres: read %s: %w", table, err)
	}
	defer rows.Close()
	batch := make([]any, 0, copyBatch*len(cols))
	for rows.Next() {
		vals, err := scanValues(rows, len(cols))
		if err != nil {
			return ct, fmt.Errorf("copy to postgres: read %s: %w", table, err)
		}
		batch = append(batch, vals...)
		ct.Source++
		if len(batch) == cap(batch) {
			if err := copyRows(ctx, dtx, table, cols, batch); err != nil {
				return ct, err
			}
			batch = batch[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return ct, fmt.Errorf("copy to postgres: read %s: %w", table, err)
	}
	return ct, copyRows(ctx, dtx, table, cols, batch)
}

// insertable are the target table's columns that take values, in order.
func insertable(ctx context.Context, dtx *Tx, table string) ([]string, error) {
	cols, err := queryStrings(ctx, dtx, `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'
		AND table_name = ? AND is_generated = 'NEVER' AND column_name <> 'geom_pg' ORDER BY ordinal_position`, table)
	if err != nil {
		return nil, fmt.Errorf("copy to postgres: the columns of %s: %w", table, err)
	}
	for i, c := range cols {
		cols[i] = `"` + c + `"`
	}
	return cols, nil
}

// copyRows inserts a batch (values row after row).
func copyRows(ctx context.Context, dtx *Tx, table string, cols []string, vals []any) error {
	if len(vals) == 0 {
		return nil
	}
	q := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES ` + valuesRows(len(vals)/len(cols), len(cols))
	if _, err := dtx.ExecContext(ctx, q, vals...); err != nil {
		return fmt.Errorf("copy to postgres: insert into %s: %w", table, err)
	}
	return nil
}

// resetIdentities moves every identity column's sequence past the copied
// ids, so the next row PostgreSQL numbers does not take a copied one.
func resetIdentities(ctx context.Context, dtx *Tx) error {
	rows, err := dtx.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND is_identity = 'YES' ORDER BY table_name`)
	if err != nil {
		return fmt.Errorf("copy to postgres: identity columns: %w", err)
	}
	var ids [][2]string
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			rows.Close()
			return fmt.Errorf("copy to postgres: identity columns: %w", err)
		}
		ids = append(ids, [2]string{t, c})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("copy to postgres: identity columns: %w", err)
	}
	for _, id := range ids {
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', '%s'), COALESCE(MAX(%s), 0) + 1, false) FROM %s`, id[0], id[1], id[1], id[0])
		if _, err := dtx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("copy to postgres: reset the sequence of %s.%s: %w", id[0], id[1], err)
		}
	}
	return nil
}

// checkCopy counts every table on both sides and hashes the audit log on
// both; any difference is an error.
func checkCopy(ctx context.Context, stx, dtx *Tx, rep *CopyReport) error {
	var bad []string
	for i, t := range rep.Tables {
		if err := dtx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t.Table).Scan(&rep.Tables[i].Target); err != nil {
			return fmt.Errorf("copy to postgres: count %s in the target: %w", t.Table, err)
		}
		var n int64
		if err := stx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t.Table).Scan(&n); err != nil {
			return fmt.Errorf("copy to postgres: count %s in the source: %w", t.Table, err)
		}
		if n != rep.Tables[i].Target || n != t.Source {
			bad = append(bad, fmt.Sprintf("%s: %d rows in the source, %d copied", t.Table, n, rep.Tables[i].Target))
		}
	}
	cols, err := insertable(ctx, dtx, "audit_log")
	if err != nil {
		return err
	}
	if rep.AuditSource, err = auditHash(ctx, stx, cols); err != nil {
		return fmt.Errorf("copy to postgres: the source's audit log: %w", err)
	}
	if rep.AuditTarget, err = auditHash(ctx, dtx, cols); err != nil {
		return fmt.Errorf("copy to postgres: the target's audit log: %w", err)
	}
	if rep.AuditSource != rep.AuditTarget {
		bad = append(bad, fmt.Sprintf("the audit log's checksum: %s in the source, %s copied", rep.AuditSource, rep.AuditTarget))
	}
	if len(bad) > 0 {
		return fmt.Errorf("copy to postgres: the copy differs, nothing committed: %s", strings.Join(bad, "; "))
	}
	return nil
}

// auditHash is the SHA-256 of the audit log's rows in id order, each
// value rendered the same way whichever store it came from.
func auditHash(ctx context.Context, tx *Tx, cols []string) (string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM audit_log ORDER BY id`)
	if err != nil {
		return "", fmt.Errorf("read the audit log: %w", err)
	}
	defer rows.Close()
	h := sha256.New()
	for rows.Next() {
		vals, err := scanValues(rows, len(cols))
		if err != nil {
			return "", fmt.Errorf("read the audit log: %w", err)
		}
		for _, v := range vals {
			writeValue(h, v)
		}
		h.Write([]byte{0x1e})
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("read the audit log: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writeValue renders one value for the checksum: its kind and its text.
func writeValue(w io.Writer, v any) {
	switch x := v.(type) {
	case nil:
		io.WriteString(w, "n")
	case int64:
		io.WriteString(w, "i"+strconv.FormatInt(x, 10))
	case float64:
		io.WriteString(w, "f"+strconv.FormatFloat(x, 'g', -1, 64))
	case string:
		io.WriteString(w, "s"+x)
	case []byte:
		io.WriteString(w, "s"+string(x))
	case time.Time:
		io.WriteString(w, "s"+x.UTC().Format(time.RFC3339Nano))
	default:
		fmt.Fprintf(w, "?%v", x)
	}
	w.Write([]byte{0x1f})
}

// queryStrings reads one text column.
func queryStrings(ctx context.Context, tx *Tx, q string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("read a row: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the rows: %w", err)
	}
	return out, nil
}
