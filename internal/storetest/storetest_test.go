package storetest_test

import (
	"context"
	"strings"
	"testing"

	"skygrid"
	"skygrid/internal/storetest"
	"skygrid/store"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestDSNIsFreshAndMigrated: two tests' databases are different, and
// each opens migrated on the run's dialect.
func TestDSNIsFreshAndMigrated(t *testing.T) {
	a, b := storetest.DSN(t, "a.db"), storetest.DSN(t, "b.db")
	if a == b {
		t.Fatalf("two DSNs are the same: %s", a)
	}
	if got := store.IsPostgres(a); got != storetest.Postgres() {
		t.Fatalf("DSN %s on a %s run", a, storetest.Kind())
	}
	for _, dsn := range []string{a, b} {
		db := store.NewDB(dsn)
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		ms, err := db.Migrations(context.Background())
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) == 0 || !strings.HasPrefix(ms[0], "migrations/0001") {
			t.Errorf("%s: migrations %v", dsn, ms)
		}
	}
}

// TestBuiltFillsOnceAndCopies: Built fills its database once for the
// process; each test gets its own copy of what was filled, and what one
// test writes to its copy no other copy holds.
func TestBuiltFillsOnceAndCopies(t *testing.T) {
	ctx := context.Background()
	fills := 0
	fill := func(dsn string) error {
		fills++
		db := store.NewDB(dsn)
		if err := db.Open(); err != nil {
			return err
		}
		if err := db.CreateUser(ctx, &skygrid.User{Name: "filled", Role: skygrid.RoleAuditor}, "x"); err != nil {
			db.Close()
			return err
		}
		return db.Close()
	}
	var dsns []string
	for i := range 3 {
		t.Run("copy", func(t *testing.T) {
			dsn := storetest.Built(t, "fillonce", "b.db", fill)
			dsns = append(dsns, dsn)
			db := store.NewDB(dsn)
			if err := db.Open(); err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			users, err := db.FindUsers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(users) != 1 || users[0].Name != "filled" {
				t.Fatalf("copy %d: users %v, want only the filled one (a write of another copy seen?)", i, users)
			}
			if err := db.CreateUser(ctx, &skygrid.User{Name: "mine", Role: skygrid.RoleAuditor}, "x"); err != nil {
				t.Fatal(err)
			}
		})
	}
	if fills != 1 {
		t.Errorf("filled %d times, want once", fills)
	}
	if dsns[0] == dsns[1] || dsns[1] == dsns[2] {
		t.Errorf("copies share a database: %v", dsns)
	}
}
