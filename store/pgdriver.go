package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// The PostgreSQL dialect runs the same SQL text as SQLite through pgx's
// database/sql adapter, wrapped so that the statements need not change:
//
//   - `?` and `?NNN` placeholders are rebound to PostgreSQL's `$n`;
//   - statements go by the simple query protocol (pgx puts the values in
//     as literals), so a literal coerces to its column's type as SQLite
//     would take it, and `? IS NULL` needs no declared type;
//   - parameters are converted as go-sqlite3 stores them: a bool is 0 or
//     1 (the schema keeps SQLite's integer flags), a time.Time is text;
//   - every write transaction first takes one cluster-wide transaction
//     lock (pg_advisory_xact_lock), so writers run one at a time across
//     every server, as SQLite's single writer does on one machine: code
//     that reads and then writes in one transaction stays correct
//     without SERIALIZABLE retries. Read-only transactions never wait.

// writeLockKey is the advisory lock every write transaction holds.
const writeLockKey int64 = 0x736b7967726964 // "skygrid"

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// openPostgres opens a pool on dsn; writer pools serialize their write
// transactions with the advisory lock.
func openPostgres(dsn string, writer bool) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", RedactDSN(dsn), err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["timezone"] = "UTC"
	// Small tile and list queries must not start parallel workers or a
	// JIT compiler (ten times slower for them; see docs/PERFORMANCE.md).
	cfg.RuntimeParams["jit"] = "off"
	return sql.OpenDB(pgConnector{inner: stdlib.GetConnector(*cfg), writer: writer}), nil
}

// RedactDSN is the database for messages: a SQLite path as it is, a
// PostgreSQL URL without its password (net/url's Redacted).
func RedactDSN(dsn string) string {
	if !IsPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	return u.Redacted()
}

type pgConnector struct {
	inner  driver.Connector
	writer bool
}

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{Conn: cn.(*stdlib.Conn), writer: c.writer}, nil
}

func (c pgConnector) Driver() driver.Driver { return c.inner.Driver() }

// pgConn is pgx's connection with the rebinding, the conversions and the
// write lock.
type pgConn struct {
	*stdlib.Conn
	writer bool
}

func (c *pgConn) Prepare(q string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), q)
}

// PrepareContext keeps the text: statements run by the simple protocol,
// so nothing is prepared on the server.
func (c *pgConn) PrepareContext(_ context.Context, q string) (driver.Stmt, error) {
	q, n := rebind(q)
	return &pgStmt{c: c, q: q, n: n}, nil
}

func (c *pgConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	q, _ = rebind(q)
	return c.Conn.ExecContext(ctx, q, args)
}

func (c *pgConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	q, _ = rebind(q)
	return c.Conn.QueryContext(ctx, q, args)
}

func (c *pgConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx begins; a write transaction on the writer pool takes the
// cluster-wide write lock before anything else.
func (c *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.Conn.BeginTx(ctx, opts)
	if err != nil || opts.ReadOnly || !c.writer {
		return tx, err
	}
	if _, err := c.Conn.Conn().Exec(ctx, "SELECT pg_advisory_xact_lock($1)", writeLockKey); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("take the write lock: %w", err)
	}
	return tx, nil
}

// CheckNamedValue converts a parameter as database/sql does for
// go-sqlite3, then stores bools as 0/1 and times as go-sqlite3's text.
func (c *pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	v, err := pgValue(nv.Value)
	if err != nil {
		return err
	}
	nv.Value = v
	return nil
}

// pgValue is a value as the store writes it to PostgreSQL, a statement's
// parameter (CheckNamedValue) or a value the ingest copies in
// (ingest_copy.go), so that both store it alike: converted as
// database/sql converts it for go-sqlite3, then a bool as 0 or 1 and a
// time as go-sqlite3's text.
func pgValue(a any) (driver.Value, error) {
	v, err := driver.DefaultParameterConverter.ConvertValue(a)
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case bool:
		if x {
			v = int64(1)
		} else {
			v = int64(0)
		}
	case time.Time:
		v = x.Format("2006-01-02 15:04:05.999999999-07:00")
	}
	return v, nil
}

// Raw is pgx's own connection (COPY, LISTEN).
func (c *pgConn) Raw() *pgx.Conn { return c.Conn.Conn() }

type pgStmt struct {
	c *pgConn
	q string
	n int
}

func (s *pgStmt) Close() error  { return nil }
func (s *pgStmt) NumInput() int { return -1 }

func (s *pgStmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.c.Conn.ExecContext(context.Background(), s.q, named(args))
}

func (s *pgStmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.c.Conn.QueryContext(context.Background(), s.q, named(args))
}

func (s *pgStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.c.Conn.ExecContext(ctx, s.q, args)
}

func (s *pgStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.c.Conn.QueryContext(ctx, s.q, args)
}

func named(args []driver.Value) []driver.NamedValue {
	nv := make([]driver.NamedValue, len(args))
	for i, a := range args {
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return nv
}

// rebind turns `?` and `?NNN` placeholders into `$n` outside quotes and
// comments, and returns the highest parameter number.
func rebind(q string) (string, int) {
	if !strings.Contains(q, "?") {
		return q, 0
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n, top := 0, 0
	for i := 0; i < len(q); i++ {
		ch := q[i]
		switch {
		case ch == '\'' || ch == '"':
			j := closeQuote(q, i)
			b.WriteString(q[i:j])
			i = j - 1
		case ch == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j - 1
		case ch == '?':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			k := n + 1
			if j > i+1 {
				fmt.Sscan(q[i+1:j], &k)
			} else {
				n++
			}
			top = max(top, k)
			fmt.Fprintf(&b, "$%d", k)
			i = j - 1
		default:
			b.WriteByte(ch)
		}
	}
	return b.String(), top
}

// closeQuote is the index just past the quoted text starting at i (a
// doubled quote is part of the text).
func closeQuote(q string, i int) int {
	quote := q[i]
	for j := i + 1; j < len(q); j++ {
		if q[j] == quote {
			if j+1 < len(q) && q[j+1] == quote {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(q)
}
