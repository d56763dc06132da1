package store

import (
	"context"
	"sync"
	"testing"
	"time"

	"skygrid/internal/pgtest"

	"github.com/jackc/pgx/v5"
)

// openLayersPG opens a PostgreSQL database holding only layer_versions
// (the listener needs nothing else), as found.
func openLayersPG(t *testing.T, dsn string) *DB {
	t.Helper()
	execPG(t, dsn, `CREATE TABLE IF NOT EXISTS layer_versions (layer TEXT PRIMARY KEY, version BIGINT NOT NULL DEFAULT 0, updated_at TEXT NOT NULL DEFAULT '');
		INSERT INTO layer_versions (layer) VALUES ('hotspots'), ('regions') ON CONFLICT DO NOTHING`)
	db := NewDB(dsn)
	db.AsFound = true
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func execPG(t *testing.T, dsn, sql string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatal(err)
	}
}

// changes collects what a listener is told.
type changes struct {
	mu  sync.Mutex
	got []LayerChange
	ch  chan struct{}
}

func (c *changes) add(l LayerChange) {
	c.mu.Lock()
	c.got = append(c.got, l)
	c.mu.Unlock()
	select {
	case c.ch <- struct{}{}:
	default:
	}
}

// waitFor waits until want has been told.
func (c *changes) waitFor(t *testing.T, want LayerChange) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		c.mu.Lock()
		for _, g := range c.got {
			if g == want {
				c.mu.Unlock()
				return
			}
		}
		got := append([]LayerChange(nil), c.got...)
		c.mu.Unlock()
		select {
		case <-c.ch:
		case <-deadline:
			t.Fatalf("not told %+v within 20 s; told %+v", want, got)
		}
	}
}

func bump(t *testing.T, db *DB, layer string) {
	t.Helper()
	tx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := bumpLayers(context.Background(), tx, layer); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestListenLayers: a bump committed by one server is told to another's
// listener; a bump rolled back is not; when the listener's connection is
// lost, it connects again and tells every layer's version as it is then
// (the bumps made meanwhile are not missed).
func TestListenLayers(t *testing.T) {
	dsn := pgtest.DSN(t)
	writer, reader := openLayersPG(t, dsn), openLayersPG(t, dsn)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	defer func() { cancel(); <-done }()
	c := &changes{ch: make(chan struct{}, 1)}
	lost := make(chan error, 4)
	go func() {
		defer close(done)
		reader.ListenLayers(ctx, c.add, func(err error) { lost <- err })
	}()
	c.waitFor(t, LayerChange{"hotspots", 0}) // the versions at connect
	bump(t, writer, "hotspots")
	c.waitFor(t, LayerChange{"hotspots", 1})

	tx, err := writer.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := bumpLayers(ctx, tx, "regions"); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	execPG(t, dsn, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'skygrid layer listener' AND datname = current_database()`)
	select {
	case err := <-lost:
		if err == nil {
			t.Error("lost with no reason")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the listener did not notice its connection was lost")
	}
	bump(t, writer, "hotspots") // while it reconnects
	c.waitFor(t, LayerChange{"hotspots", 2})
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, g := range c.got {
		if g.Layer == "regions" && g.Version != 0 {
			t.Errorf("told %+v: the bump was rolled back", g)
		}
	}
}
