package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skygrid"
)

// An ingest's commit leaves the log's copy into the database file to the
// checkpoint after it, which waits for a reader that began before the
// commit and copies the whole log once it is gone; Close waits for it.
func TestIngestCheckpointsAfterCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ckpt.db")
	db := NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	release, tries := make(chan struct{}), make(chan struct{}, checkpointTries)
	db.ckpt.before = func() {
		<-release
		tries <- struct{}{}
	}
	// A reader that began before the ingest: its snapshot holds the
	// ingest's frames back from the file.
	reader, err := db.rdb.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := reader.QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	before := fileSize(t, path)
	lines := make([]*skygrid.AuditEntry, 20000) // about 10 MB of log: 2,500 pages, over the automatic checkpoint's 1,000
	for i := range lines {
		lines[i] = &skygrid.AuditEntry{Actor: "cli", Action: "test", Entity: "event", EntityID: "1", After: strings.Repeat("火", 160)}
	}
	if err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error { return tx.Audit(ctx, lines...) }); err != nil {
		t.Fatal(err)
	}
	if got := fileSize(t, path); got != before {
		t.Errorf("the database file grew from %d to %d bytes in the ingest's commit: the log was copied before the ingest returned", before, got)
	}
	if wal := fileSize(t, path+"-wal"); wal < 8<<20 {
		t.Errorf("log of %d bytes after the ingest, want the ingest's 10 MB in it", wal)
	}
	var stored int
	if err := db.db.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'test'`).Scan(&stored); err != nil || stored != len(lines) {
		t.Fatalf("%d lines read after the ingest (%v), want %d: committed before the checkpoint", stored, err, len(lines))
	}
	close(release)
	for i := 0; i < 3; i++ { // three tries while the reader holds the frames back
		select {
		case <-tries:
		case <-time.After(30 * time.Second):
			t.Fatal("no checkpoint tried after the ingest")
		}
	}
	if done := checkpointsDone(db); done != 0 {
		t.Fatalf("%d whole checkpoints while a reader held the frames back", done)
	}
	reader.Rollback()
	deadline := time.Now().Add(30 * time.Second)
	for checkpointsDone(db) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if checkpointsDone(db) != 1 {
		t.Fatal("the checkpoint did not copy the log whole after the reader ended")
	}
	if got := fileSize(t, path); got < before+8<<20 {
		t.Errorf("database file %d bytes after the checkpoint, want the ingest's 10 MB in it (from %d)", got, before)
	}
	var busy, frames, copied int
	if err := db.db.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied); err != nil || copied != frames {
		t.Errorf("after the checkpoint: %d of %d frames copied (%v)", copied, frames, err)
	}
	db.Close()
	if db.ckpt.running {
		t.Error("a checkpoint still running after Close")
	}
}

// Every other connection keeps SQLite's automatic checkpoint: the
// ingest's connection turns it on again after its transaction.
func TestIngestConnectionCheckpointsAgain(t *testing.T) {
	db := NewDB(filepath.Join(t.TempDir(), "auto.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.db.SetMaxOpenConns(1) // the ingest's connection is the one read after
	ctx := context.Background()
	var during int
	err := db.InIngestTx(ctx, func(skygrid.IngestTx) error {
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.db.QueryRow(`PRAGMA wal_autocheckpoint`).Scan(&during); err != nil {
		t.Fatal(err)
	}
	if during != walAutoCheckpoint {
		t.Errorf("automatic checkpoint %d pages on the ingest's connection after it, want %d", during, walAutoCheckpoint)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func checkpointsDone(db *DB) int {
	db.ckpt.mu.Lock()
	defer db.ckpt.mu.Unlock()
	return db.ckpt.done
}
