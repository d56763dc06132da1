package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"skygrid"
	"skygrid/store"
)

// skygrid backup: the copy and its one-line summary; an existing OUT
// refused without --force; a missing database named.
func TestBackupCommand(t *testing.T) {
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
