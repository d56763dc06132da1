package pgtest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DSN starts (once per test process) a throwaway cluster in a temp dir
// with initdb/pg_ctl on a free 127.0.0.1 port (trust auth, fsync off, unix
// socket in the temp dir) and creates a fresh database with the postgis
// extension, returning its URL
// (postgres://postgres@127.0.0.1:PORT/NAME?sslmode=disable). It calls
// t.Skip with a clear message naming the missing binaries (apt-get install
// -y postgresql-15-postgis-3) when !Available(). The database is dropped
// (WITH FORCE) when the test ends.
func DSN(t testing.TB) string {
	t.Helper()
	return DSNFrom(t, baseTemplate)
}

// DSNFrom creates a fresh database copied from a template database
// (CREATE DATABASE x TEMPLATE y), so callers can migrate once (see
// CreateTemplate) and copy per test. It skips as DSN does.
func DSNFrom(t testing.TB, template string) string {
	t.Helper()
	c := clusterOrSkip(t)
	name := dbName(t.Name())
	if err := c.copyDB(name, template); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.exec("DROP DATABASE IF EXISTS " + ident(name) + " WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	})
	return c.url(name)
}

// clusterOrSkip is the running cluster; the test skips when the binaries
// are missing and fails when they are there but the cluster did not start.
func clusterOrSkip(t testing.TB) *cluster {
	t.Helper()
	if ok, why := Available(); !ok {
		t.Skip("PostgreSQL tests skipped: " + why)
	}
	c, err := theCluster()
	if err != nil {
		t.Fatalf("pgtest: starting the throwaway PostgreSQL cluster: %v", err)
	}
	return c
}

// templates are CreateTemplate's results, once per name.
var (
	templatesMu sync.Mutex
	templates   = map[string]*templateOnce{}
)

type templateOnce struct {
	once sync.Once
	err  error
}

// CreateTemplate creates the database name (from the postgis template) and
// runs prepare on its URL, once per process and name; later calls return
// the first call's error. Callers then copy it per test with DSNFrom. It
// fails (it cannot skip: no test) when !Available(): check Available, or
// call DSN or DSNFrom first, to skip instead. prepare must close its
// connections (any left open are terminated before a copy).
func CreateTemplate(name string, prepare func(dsn string) error) error {
	templatesMu.Lock()
	o := templates[name]
	if o == nil {
		o = &templateOnce{}
		templates[name] = o
	}
	templatesMu.Unlock()
	o.once.Do(func() { o.err = createTemplate(name, prepare) })
	return o.err
}

func createTemplate(name string, prepare func(dsn string) error) error {
	if ok, why := Available(); !ok {
		return fmt.Errorf("%w: %s", errUnavailable, why)
	}
	c, err := theCluster()
	if err != nil {
		return err
	}
	if err := c.copyDB(name, baseTemplate); err != nil {
		return err
	}
	if err := prepare(c.url(name)); err != nil {
		return fmt.Errorf("pgtest: prepare template %s: %w", name, err)
	}
	return nil
}

// copyDB creates database name from template, first ending any session
// still connected to the template (CREATE DATABASE ... TEMPLATE needs none).
func (c *cluster) copyDB(name, template string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", template); err != nil {
		return fmt.Errorf("pgtest: end sessions on template %s: %w", template, err)
	}
	if _, err := c.admin.Exec(ctx, "CREATE DATABASE "+ident(name)+" TEMPLATE "+ident(template)); err != nil {
		return fmt.Errorf("pgtest: create database %s from template %s: %w", name, template, err)
	}
	return nil
}

// exec runs one admin statement.
func (c *cluster) exec(sql string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.admin == nil {
		return fmt.Errorf("pgtest: %s: the cluster is stopped", sql)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.admin.Exec(ctx, sql); err != nil {
		return fmt.Errorf("pgtest: %s: %w", sql, err)
	}
	return nil
}

// withConn runs f on a connection of its own to url, closed after.
func withConn(url string, f func(ctx context.Context, conn *pgx.Conn) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("pgtest: connect %s: %w", url, err)
	}
	defer conn.Close(ctx)
	return f(ctx, conn)
}

// ident quotes a database name.
func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

var dbSeq atomic.Int64

// dbName is a new database name from the test's name (lower case, [a-z0-9_],
// short enough for PostgreSQL's 63 bytes) and a process-wide counter.
func dbName(test string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(test) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 40 {
			break
		}
	}
	return fmt.Sprintf("t_%s_%d", b.String(), dbSeq.Add(1))
}

// Main runs the tests and stops the cluster (pg_ctl stop -m immediate) and
// removes its directory. A package's TestMain is then just
// `func TestMain(m *testing.M) { pgtest.Main(m) }`.
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run is Main without the exit, for a TestMain with cleanup of its own:
// it runs the tests, stops the cluster and returns the exit code.
func Run(m *testing.M) int {
	code := m.Run()
	if running != nil {
		running.stop()
	}
	return code
}
