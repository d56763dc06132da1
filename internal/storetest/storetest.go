// Package storetest gives tests a fresh store on the dialect the run
// asks for: SQLite by default, PostgreSQL when SKYGRID_TEST_STORE is
// "postgres" (make test runs the Go suite both ways). On PostgreSQL each
// test gets its own database copied from a template migrated once per
// test process (internal/pgtest's throwaway cluster); the test skips with
// a clear message where the server binaries are missing.
package storetest

import (
	"os"
	"path/filepath"
	"testing"

	"skygrid/internal/pgtest"
	"skygrid/store"
)

// Env is the variable that chooses the store.
const Env = "SKYGRID_TEST_STORE"

// template is the migrated database every PostgreSQL test copies.
const template = "skygrid_migrated"

// Kind is the store the tests run on: "postgres" when
// SKYGRID_TEST_STORE=postgres, else "sqlite".
func Kind() string {
	if os.Getenv(Env) == "postgres" {
		return "postgres"
	}
	return "sqlite"
}

// Postgres reports whether the tests run on PostgreSQL.
func Postgres() bool { return Kind() == "postgres" }

// DSN is a fresh database for one test: the file name in t.TempDir() on
// SQLite, a fresh migrated PostgreSQL database on PostgreSQL (dropped when
// the test ends).
func DSN(t testing.TB, name string) string {
	t.Helper()
	if !Postgres() {
		return filepath.Join(t.TempDir(), name)
	}
	return postgresCopy(t, template, migrate, "migrate the template database")
}

// postgresCopy is a fresh PostgreSQL database copied from template, which
// fill makes once per test process (what says what it does, in a failure);
// the test skips where the server binaries are missing.
func postgresCopy(t testing.TB, template string, fill func(dsn string) error, what string) string {
	t.Helper()
	if ok, why := pgtest.Available(); !ok {
		t.Skip("PostgreSQL tests skipped: " + why)
	}
	if err := pgtest.CreateTemplate(template, fill); err != nil {
		t.Fatalf("storetest: %s: %v", what, err)
	}
	return pgtest.DSNFrom(t, template)
}

// NewDB is store.NewDB(DSN(t, name)), not opened.
func NewDB(t testing.TB, name string) *store.DB {
	t.Helper()
	return store.NewDB(DSN(t, name))
}

// SkipPostgres skips a test about something only SQLite has.
func SkipPostgres(t testing.TB, why string) {
	t.Helper()
	if Postgres() {
		t.Skip("sqlite only: " + why)
	}
}

// Main runs a package's tests, stops the throwaway cluster, if one was
// started, and removes Built's files: `func TestMain(m *testing.M) {
// storetest.Main(m) }`.
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run is Main without the exit (pgtest.Run, then Built's files removed),
// for a TestMain with cleanup of its own: `code := storetest.Run(m);
// cleanup(); os.Exit(code)`.
func Run(m *testing.M) int {
	code := pgtest.Run(m)
	removeBuilt()
	return code
}

func migrate(dsn string) error {
	db := store.NewDB(dsn)
	if err := db.Open(); err != nil {
		return err
	}
	return db.Close()
}
