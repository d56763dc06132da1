package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// An ingest writes its whole file into SQLite's write-ahead log in one
// transaction: 640 MiB for a million rows where most open their own event.
// SQLite's automatic checkpoint would copy all of it into the database
// file inside the COMMIT call (after the write lock is let go, but before
// COMMIT returns): 3-4 s of the ingest's time. The ingest's connection
// therefore turns the automatic checkpoint off for its transaction, and
// after the commit a checkpoint of the store's own copies the log on the
// other core while the caller goes on (the next file, the HTTP answer).
// It is PASSIVE: it waits for no reader and blocks no writer; a writer
// that commits meanwhile tries its own automatic checkpoint, finds this
// one holding SQLite's checkpoint lock, and goes on. Frames after the
// snapshot of a reader that began before the commit cannot be copied
// yet: the checkpoint tries again until the log is copied whole. Until
// then, readers find the new pages in the log (the data is committed and
// durable either way: synchronous=NORMAL syncs at the checkpoint).

// walAutoCheckpoint is SQLite's default automatic checkpoint (pages of the
// log), which every other connection keeps.
const walAutoCheckpoint = 1000

// checkpointTries and checkpointEvery bound how long the checkpoint after
// an ingest keeps trying to copy the whole log while readers hold it back.
const (
	checkpointTries = 600
	checkpointEvery = 100 * time.Millisecond
)

// checkpointer runs the checkpoints after ingests, one at a time.
type checkpointer struct {
	mu      sync.Mutex
	running bool // a checkpoint goroutine is under way
	again   bool // an ingest committed while it ran: copy again after
	closed  bool
	quit    chan struct{} // closed by Close: stop trying again
	wg      sync.WaitGroup
	// before is called before each try (tests hold the checkpoint back).
	before func()
	// done counts the checkpoints that copied the whole log.
	done int
}

// walAutoCheckpointOff turns the connection's automatic checkpoint off for
// an ingest (SQLite only); the returned func turns it on again.
func walAutoCheckpointOff(ctx context.Context, conn *sql.Conn) (func(), error) {
	if _, err := conn.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 0`); err != nil {
		return nil, fmt.Errorf("turn the automatic checkpoint off: %w", err)
	}
	return func() {
		// On error the connection is left with no automatic checkpoint;
		// the other connections' and the next ingest's checkpoints copy
		// the log.
		_, _ = conn.ExecContext(context.Background(), fmt.Sprintf(`PRAGMA wal_autocheckpoint = %d`, walAutoCheckpoint))
	}, nil
}

// checkpointLater starts copying the log into the database file on a
// connection of its own, or has the running checkpoint copy again.
func (db *DB) checkpointLater() {
	c := &db.ckpt
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	if c.running {
		c.again = true
		return
	}
	if c.quit == nil {
		c.quit = make(chan struct{})
	}
	c.running = true
	c.wg.Add(1)
	go db.checkpointRun()
}

func (db *DB) checkpointRun() {
	c := &db.ckpt
	defer c.wg.Done()
	for {
		whole, err := db.checkpointWAL()
		c.mu.Lock()
		if whole {
			c.done++
		}
		if err != nil {
			slog.Warn("store: checkpoint after ingest", "db", db.DSN, "err", err)
		}
		if !c.again || c.closed {
			c.running = false
			c.mu.Unlock()
			return
		}
		c.again = false
		c.mu.Unlock()
	}
}

// checkpointWAL runs passive checkpoints until the log is copied whole
// (true), it has tried checkpointTries times, or the store is closing.
func (db *DB) checkpointWAL() (bool, error) {
	c := &db.ckpt
	for try := 0; try < checkpointTries; try++ {
		if c.before != nil {
			c.before()
		}
		var busy, frames, copied int
		err := db.db.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied)
		if err != nil {
			return false, fmt.Errorf("checkpoint: %w", err)
		}
		if copied >= frames { // frames is -1 without a log
			return true, nil
		}
		select {
		case <-c.quit:
			return false, nil
		case <-time.After(checkpointEvery):
		}
	}
	return false, nil
}

// closeCheckpoints stops the checkpoint's tries and waits for the one
// under way (Close: the last connection's close copies the rest).
func (db *DB) closeCheckpoints() {
	c := &db.ckpt
	c.mu.Lock()
	if !c.closed && c.quit != nil {
		close(c.quit)
	}
	c.closed = true
	c.mu.Unlock()
	c.wg.Wait()
}
