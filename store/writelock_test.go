package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"skygrid/internal/storetest"
	"skygrid/store"
)

// Two write transactions on PostgreSQL run one after the other, as on
// SQLite's single writer: the second waits at its BEGIN (the cluster-wide
// advisory lock of pgdriver.go) while the first is open, begins once the
// first commits, and then reads the first's write (READ COMMITTED takes
// its snapshot after the lock). Read-then-write code stays correct.
func TestWriteTransactionsSerialized(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("postgres only: SQLite's single writer (BEGIN IMMEDIATE) is TestStartLoginWaitsOutABusyDatabase's")
	}
	db := MustOpenDB(t)
	ctx := context.Background()
	first, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback()
	if _, err := first.ExecContext(ctx, `INSERT INTO login_failures (key, at) VALUES ('first', '2023-11-01T04:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var steps []string
	step := func(s string) { mu.Lock(); steps = append(steps, s); mu.Unlock() }
	type seen struct {
		n   int
		err error
	}
	second := make(chan seen, 1)
	go func() {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			second <- seen{err: err}
			return
		}
		defer tx.Rollback()
		step("second began")
		var n int
		err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_failures WHERE key = 'first'`).Scan(&n)
		second <- seen{n, err}
	}()
	waitForAdvisoryWaiter(t, db, &mu, &steps)
	step("first committing")
	if err := first.Commit(); err != nil {
		t.Fatal(err)
	}
	got := <-second
	if got.err != nil || got.n != 1 {
		t.Errorf("the second transaction read %d rows of the first (%v), want 1", got.n, got.err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(steps) != 2 || steps[0] != "first committing" {
		t.Errorf("steps %v, want the second to begin after the first's commit", steps)
	}
}

// waitForAdvisoryWaiter returns once a session of the test's database
// waits for an advisory lock; it fails the test when the second
// transaction began instead (nothing held it back), or when after a
// minute neither happened.
func waitForAdvisoryWaiter(t *testing.T, db *store.DB, mu *sync.Mutex, steps *[]string) {
	t.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		began := len(*steps) > 0
		mu.Unlock()
		if began {
			t.Fatal("the second write transaction began while the first was open")
		}
		var waiting int
		if err := db.QueryRowForTest(ctx, `SELECT COUNT(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			return
		}
	}
	t.Fatal("no session waits for the write lock, and the second transaction has not begun")
}
