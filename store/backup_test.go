package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"skygrid"
	"skygrid/internal/storetest"
	"skygrid/store"
)

// A backup taken while a goroutine keeps creating users through the store:
// the writer goes on between the backup's steps (it commits in the middle
// of the backup), and the copy opens, passes integrity_check and holds
// every user committed before the backup began.
func TestBackupWhileWriting(t *testing.T) {
	storetest.SkipPostgres(t, "SQLite's online backup (PostgreSQL's is pg_dump: TestBackupOfPostgreSQLRefused)")
	db := MustOpenDB(t)
	ctx := context.Background()
	for i := range 400 {
		createUser(t, db, fmt.Sprintf("seed%04d", i))
	}
	var committed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			u := &skygrid.User{Name: fmt.Sprintf("writer%06d", i), Role: skygrid.RoleAuditor}
			if err := db.CreateUser(ctx, u, "x"); err != nil {
				t.Errorf("writer: %v", err)
				return
			}
			committed.Add(1)
		}
	}()
	for committed.Load() < 20 {
		time.Sleep(time.Millisecond)
	}
	out := filepath.Join(t.TempDir(), "backup.db")
	before := committed.Load()
	var mid int64 = -1
	info, err := db.Backup(ctx, out, store.BackupOptions{StepPages: 4, Progress: func(copied, total int) {
		if mid >= 0 {
			return
		}
		// Half-way through the first steps: the writer commits again.
		at := committed.Load()
		deadline := time.Now().Add(30 * time.Second)
		for committed.Load() == at && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		mid = committed.Load() - at
	}})
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if mid <= 0 {
		t.Errorf("the writer committed nothing while the backup ran (blocked by it)")
	}
	if info.Steps < 2 || info.Tables < 10 || info.Bytes <= 0 || info.Pages <= 0 {
		t.Errorf("info %+v: want several steps, the tables, a size", info)
	}
	cp := store.NewDB(out)
	if err := cp.Open(); err != nil {
		t.Fatalf("the copy does not open: %v", err)
	}
	defer cp.Close()
	users, err := cp.FindUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var seeds, writers int64
	for _, u := range users {
		switch {
		case strings.HasPrefix(u.Name, "seed"):
			seeds++
		case strings.HasPrefix(u.Name, "writer"):
			writers++
		}
	}
	if seeds != 400 || writers < before {
		t.Errorf("the copy holds %d seeds and %d writers' users; want 400 and at least the %d committed before the backup", seeds, writers, before)
	}
	t.Logf("backup: %d pages in %d steps, %d bytes, %d tables; %d users committed before, %d in the copy, %d in all",
		info.Pages, info.Steps, info.Bytes, info.Tables, before, writers, committed.Load())
}

func createUser(t *testing.T, db *store.DB, name string) {
	t.Helper()
	if err := db.CreateUser(context.Background(), &skygrid.User{Name: name, Role: skygrid.RoleAuditor}, "x"); err != nil {
		t.Fatal(err)
	}
}

// Backup refuses to overwrite a file unless forced, names the file, and
// leaves no temporary file behind.
func TestBackupRefusesToOverwrite(t *testing.T) {
	storetest.SkipPostgres(t, "SQLite's online backup (PostgreSQL's is pg_dump: TestBackupOfPostgreSQLRefused)")
	db := MustOpenDB(t)
	ctx := context.Background()
	dir := t.TempDir()
	out := filepath.Join(dir, "b.db")
	if err := os.WriteFile(out, []byte("an older backup"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		force   bool
		wantErr string
	}{
		{"existing file", false, out + ": the file exists (--force replaces it)"},
		{"forced", true, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.Backup(ctx, out, store.BackupOptions{Force: tt.force})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				if b, _ := os.ReadFile(out); string(b) != "an older backup" {
					t.Errorf("the older file was changed")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := os.ReadFile(out); !strings.HasPrefix(string(b), "SQLite format 3") {
				t.Errorf("not replaced by the copy: %.20q", b)
			}
		})
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("left in the folder: %v", ents)
	}
}

// On PostgreSQL, Backup refuses with the tool to use (pg_dump) and
// writes nothing, not even its temporary file.
func TestBackupOfPostgreSQLRefused(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("postgres only: SQLite's backup is TestBackupWhileWriting")
	}
	db := MustOpenDB(t)
	dir := t.TempDir()
	_, err := db.Backup(context.Background(), filepath.Join(dir, "b.db"), store.BackupOptions{})
	if skygrid.ErrorCode(err) != skygrid.EINVALID || !strings.Contains(err.Error(), "pg_dump -Fc") {
		t.Errorf("err %v, want invalid naming pg_dump -Fc", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left in the folder: %v", ents)
	}
}
