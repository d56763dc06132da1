package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"skygrid"
	"skygrid/internal/storetest"
	"skygrid/store"
)

// skygrid backup: the copy and its one-line summary; an existing OUT
// refused without --force; a missing database named.
func TestBackupCommand(t *testing.T) {
	storetest.SkipPostgres(t, "skygrid backup copies SQLite files (PostgreSQL: pg_dump -Fc; TestBackupRefusesPostgres)")
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "live.db")
	db := store.NewDB(dbPath)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateUser(context.Background(), &skygrid.User{Name: "backup-admin", Role: skygrid.RoleAdmin}, "x"); err != nil {
		t.Fatal(err)
	}
	defer db.Close() // open while the command runs, as a server's would be
	out := filepath.Join(dir, "copy.db")
	summary := regexp.MustCompile(`^backup .*live\.db -> .*copy\.db: [0-9.]+ KiB, \d+ tables, \d+ pages in \d+ steps, integrity ok, [0-9.]+m?s\n$`)
	for _, tt := range []struct {
		name    string
		args    []string
		db      string
		want    *regexp.Regexp
		wantErr string
	}{
		{"copy", []string{"backup", out}, dbPath, summary, ""},
		{"existing OUT", []string{"backup", out}, dbPath, nil, "backup " + out + ": the file exists (--force replaces it)"},
		{"forced", []string{"backup", out, "--force", "--step-pages", "3"}, dbPath, summary, ""},
		{"no database", []string{"backup", filepath.Join(dir, "other.db")}, filepath.Join(dir, "none.db"), nil, "backup: no database " + filepath.Join(dir, "none.db")},
		{"no OUT", []string{"backup"}, dbPath, nil, "backup: want one FILE, got 0"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, stdout, _ := testMain()
			err := m.Run(context.Background(), append(tt.args, "--db", tt.db))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want.MatchString(stdout.String()) {
				t.Errorf("summary %q", stdout)
			}
			cp := store.NewDB(out)
			if err := cp.Open(); err != nil {
				t.Fatal(err)
			}
			defer cp.Close()
			if _, _, err := cp.UserLogin(context.Background(), "backup-admin"); err != nil {
				t.Errorf("the copy lacks the user: %v", err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "none.db")); err == nil {
		t.Errorf("backup created the missing database")
	}
}

// skygrid backup takes the database as found: one an older skygrid made
// (its last migration not applied) is copied as it is, and neither the
// live file nor the copy is migrated to this binary's schema.
func TestBackupDoesNotMigrate(t *testing.T) {
	storetest.SkipPostgres(t, "skygrid backup copies SQLite files; the test edits the file with sqlite3")
	dir := t.TempDir()
	live, out := filepath.Join(dir, "old.db"), filepath.Join(dir, "old-copy.db")
	db := store.NewDB(live)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	want, err := db.Migrations(context.Background())
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	last := want[len(want)-1]
	want = want[:len(want)-1]
	// An older skygrid's file: the last migration not recorded (its tables
	// dropped would do too; the record is what Open goes by).
	raw, err := sql.Open("sqlite3", live)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DELETE FROM migrations WHERE name = ?`, last); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if _, err := run(t, live, "backup", out); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{live, out} {
		raw, err := sql.Open("sqlite3", path)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		rows, err := raw.Query(`SELECT name FROM migrations ORDER BY name`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var n string
			rows.Scan(&n)
			got = append(got, n)
		}
		rows.Close()
		raw.Close()
		if !slices.Equal(got, want) {
			t.Errorf("%s: migrations %v; want the old file's %v", filepath.Base(path), got, want)
		}
	}
}

// skygrid backup refuses a PostgreSQL database, by --db or by the
// configuration's [store] dsn, pointing to pg_dump -Fc, without showing
// the URL's password and without touching OUT.
func TestBackupRefusesPostgres(t *testing.T) {
	dir := t.TempDir()
	url := "postgres://skygrid:s3cret@127.0.0.1:1/city"
	cfg := filepath.Join(dir, "skygrid.toml")
	if err := os.WriteFile(cfg, []byte("[store]\ndsn = \""+url+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"--db", []string{"--db", url}},
		{"[store] dsn", []string{"--config", cfg}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "copy.db")
			m, _, _ := testMain()
			err := m.Run(context.Background(), append([]string{"backup", out}, tc.args...))
			if err == nil || !strings.Contains(err.Error(), "use pg_dump -Fc") || !strings.Contains(err.Error(), "127.0.0.1:1/city") ||
				strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("err %v, want a refusal naming pg_dump -Fc and the URL without its password", err)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("backup wrote %s", out)
			}
		})
	}
}
