package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"skygrid/internal/storetest"
	"skygrid/store"
)

// A database whose path holds '#', '?' or '%' (a folder named "大同 #2",
// or any Go subtest's temp dir, "Test/x#01") is the file named, not the
// part of the path before the character that an SQLite URI reads as the
// start of a fragment or a query, or as an escape, nor a host (a path
// that starts with "//"). The same holds for a backup's path.
func TestDatabasePathWithURICharacters(t *testing.T) {
	storetest.SkipPostgres(t, "the SQLite file's path")
	for _, rel := range []string{"大同 #2/skygrid.db", "a?b=c.db", "100%25.db", "x#y?z%.db"} {
		t.Run(rel, func(t *testing.T) {
			root := t.TempDir()
			path := filepath.Join(root, rel)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			// "//tmp/…" is the same file as "/tmp/…" to the system.
			db := store.NewDB("/" + path)
			if err := db.Open(); err != nil {
				t.Fatalf("open %s: %v", path, err)
			}
			createUser(t, db, "alice")
			backup := filepath.Join(root, "copy #1?.db")
			if _, err := db.Backup(context.Background(), backup, store.BackupOptions{}); err != nil {
				t.Fatalf("backup to %s: %v", backup, err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{path, backup} {
				if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
					t.Fatalf("%s: not written (%v)", p, err)
				}
				again := store.NewDB(p)
				again.AsFound = true
				if err := again.Open(); err != nil {
					t.Fatalf("reopen %s: %v", p, err)
				}
				users, err := again.FindUsers(context.Background())
				again.Close()
				if err != nil || len(users) != 1 || users[0].Name != "alice" {
					t.Fatalf("%s: users %v, %v; want alice", p, users, err)
				}
			}
			assertOnlyFiles(t, root, rel, "copy #1?.db")
		})
	}
}

// assertOnlyFiles fails when root holds a file other than the ones named
// (and their -wal and -shm files): a stray file is a database opened at
// the wrong path.
func assertOnlyFiles(t *testing.T, root string, want ...string) {
	t.Helper()
	ok := map[string]bool{}
	for _, w := range want {
		for _, s := range []string{"", "-wal", "-shm"} {
			ok[filepath.Join(root, w+s)] = true
		}
	}
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !ok[p] {
			t.Errorf("stray file %s: a database opened at the wrong path", p)
		}
		return nil
	})
}
