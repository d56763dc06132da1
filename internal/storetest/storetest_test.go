package storetest_test

import (
	"context"
	"strings"
	"testing"

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
