package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"skygrid/store"
)

// BackupCommand is skygrid backup: an online copy of the SQLite database.
type BackupCommand struct{ *Main }

// Usage of skygrid backup.
func (m *BackupCommand) Usage() string {
	return `Usage: skygrid backup [--db FILE] [--force] [--step-pages N] OUT

Copies the SQLite database to the file OUT while skygrid serve keeps
running and writing (SQLite's online backup, a few pages a step, of the
moment the backup began), checks the copy with PRAGMA integrity_check and
prints one line: size, tables, time. OUT is written beside itself first
and renamed when checked; an existing OUT is refused unless --force.

Restore by stopping skygrid and copying OUT over the database file (and
removing its -wal and -shm files). A PostgreSQL database (--db
postgres://...) is refused: back it up with PostgreSQL's own tool,
pg_dump -Fc, and restore with pg_restore (README, "Deploying").

Examples:
  skygrid backup --db /var/lib/skygrid/skygrid.db /var/backups/skygrid/skygrid-$(date +%F).db
  skygrid backup backup.db --force
`
}

// Run backs the database up to OUT.
func (m *BackupCommand) Run(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("backup", "Usage: skygrid backup [flags] OUT\n\nCopies the database online to OUT, checks the copy (integrity_check) and prints its size, tables and time.", &c)
	force := fs.Bool("force", false, "replace OUT when it exists")
	step := fs.Int("step-pages", 256, "pages copied a step (the server writes between steps)")
	files, err := m.parseFiles(fs, args, 1, 1)
	if err != nil {
		return err
	}
	out := files[0]
	// The configuration only for [store] dsn: the backup reads no rules.
	if _, err := m.config(&c); err != nil {
		return err
	}
	if store.IsPostgres(c.db) {
		return fmt.Errorf("backup: %s is a PostgreSQL database: use pg_dump -Fc (README, \"Deploying\"); skygrid backup copies SQLite files", store.RedactDSN(c.db))
	}
	if _, err := os.Stat(c.db); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup: no database %s (--db)", c.db)
	}
	if _, err := os.Stat(out); err == nil && !*force {
		return fmt.Errorf("backup %s: the file exists (--force replaces it)", out)
	}
	if *step <= 0 {
		return fmt.Errorf("backup: --step-pages %d: want 1 or more", *step)
	}
	// The database as found: not migrated to this binary's schema (a
	// backup before an upgrade is of the old one), no configuration read.
	db := store.NewDB(c.db)
	db.AsFound = true
	if err := db.Open(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer db.Close()
	info, err := db.Backup(ctx, out, store.BackupOptions{Force: *force, StepPages: *step})
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "backup %s -> %s: %s, %d tables, %d pages in %d steps, integrity ok, %s\n",
		c.db, out, byteSize(info.Bytes), info.Tables, info.Pages, info.Steps, info.Took.Round(time.Millisecond))
	return nil
}

// byteSize is a size in bytes for people (KiB, MiB, GiB).
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, suffix := float64(n)/unit, "KiB"
	for _, s := range []string{"MiB", "GiB", "TiB"} {
		if v < unit {
			break
		}
		v, suffix = v/unit, s
	}
	return fmt.Sprintf("%.1f %s", v, suffix)
}
