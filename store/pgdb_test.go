package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"skygrid/internal/pgtest"
	"skygrid/store"
)

// migratedTemplate is the PostgreSQL database the store's tests copy:
// every migration applied once per test process (copying it is much
// quicker than migrating again).
const migratedTemplate = "store_migrated"

// MustOpenPGDB opens a store on a fresh, migrated PostgreSQL database
// (a copy of migratedTemplate), with the tests' clock; it is closed at
// cleanup and its database dropped. The test skips where PostgreSQL is
// missing.
func MustOpenPGDB(tb testing.TB) *store.DB {
	tb.Helper()
	if ok, why := pgtest.Available(); !ok {
		tb.Skip("PostgreSQL tests skipped: " + why)
	}
	err := pgtest.CreateTemplate(migratedTemplate, func(dsn string) error {
		db := store.NewDB(dsn)
		db.Now = func() time.Time { return now }
		if err := db.Open(); err != nil {
			return err
		}
		return db.Close()
	})
	if err != nil {
		tb.Fatal(err)
	}
	db := store.NewDB(pgtest.DSNFrom(tb, migratedTemplate))
	db.Now = func() time.Time { return now }
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// TestMustOpenPGDB: each call is a migrated store of its own: the
// migrations SQLite's store lists, and a row written to one is not in
// the other.
func TestMustOpenPGDB(t *testing.T) {
	ctx := context.Background()
	a, b := MustOpenPGDB(t), MustOpenPGDB(t)
	want, err := MustOpenDB(t).Migrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, db := range []*store.DB{a, b} {
		if got, err := db.Migrations(ctx); err != nil || !slices.Equal(got, want) {
			t.Fatalf("migrations %v (%v), want %v", got, err, want)
		}
	}
	if err := a.ExecArgsForTest(ctx, `INSERT INTO publications (month, published_at) VALUES (?, ?)`, "2023-10", "2023-11-01T04:00:00Z"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		db   *store.DB
		want int
	}{{"written", a, 1}, {"other copy", b, 0}} {
		t.Run(c.name, func(t *testing.T) {
			var n int
			if err := c.db.QueryRowForTest(ctx, `SELECT COUNT(*) FROM publications`).Scan(&n); err != nil || n != c.want {
				t.Errorf("publications: %d (%v), want %d", n, err, c.want)
			}
		})
	}
}

// BenchmarkPGFreshStore: what a test pays for a migrated PostgreSQL store,
// migrating a fresh database or copying the migrated template.
func BenchmarkPGFreshStore(b *testing.B) {
	b.Run("migrate", func(b *testing.B) {
		for range b.N {
			db := store.NewDB(pgtest.DSN(b))
			if err := db.Open(); err != nil {
				b.Fatal(err)
			}
			db.Close()
		}
	})
	b.Run("template copy", func(b *testing.B) {
		MustOpenPGDB(b) // the template, made once
		b.ResetTimer()
		for range b.N {
			MustOpenPGDB(b)
		}
	})
}
