package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"skygrid"

	"github.com/mattn/go-sqlite3"
)

// BackupOptions tune DB.Backup.
type BackupOptions struct {
	// Force replaces an existing file; without it Backup refuses one.
	Force bool
	// StepPages is how many pages each backup step copies (0: 256, 1 MiB
	// at SQLite's 4 KiB pages). Between steps the database's other
	// connections run; the copy is of the moment the backup began.
	StepPages int
	// Progress, when set, is told after each step how many pages are
	// copied of how many.
	Progress func(copied, total int)
}

// BackupInfo describes a finished backup.
type BackupInfo struct {
	Path   string
	Bytes  int64
	Tables int
	Pages  int
	Steps  int
	Took   time.Duration
}

// defaultStepPages is BackupOptions.StepPages's default.
const defaultStepPages = 256

// Backup copies the database, online, to the file out with SQLite's
// backup API, step by step: the copy is of one read snapshot taken when
// it begins (a read transaction held across the steps, so writers go on
// in the WAL and the backup never restarts), written to a temporary file
// beside out, checked with PRAGMA integrity_check, then renamed to out.
// An existing out is an error unless opt.Force. A PostgreSQL store is
// backed up by PostgreSQL's own tools: EINVALID saying so, nothing
// written.
func (db *DB) Backup(ctx context.Context, out string, opt BackupOptions) (BackupInfo, error) {
	start := time.Now()
	info := BackupInfo{Path: out}
	if db.postgres {
		return info, skygrid.Errorf(skygrid.EINVALID, "backup: the store is PostgreSQL, which SQLite's backup does not copy: use pg_dump -Fc (see README, Deploying)")
	}
	if db.DSN == ":memory:" {
		return info, fmt.Errorf("backup: an in-memory database has no file to back up")
	}
	if _, err := os.Stat(out); err == nil && !opt.Force {
		return info, fmt.Errorf("backup %s: the file exists (--force replaces it)", out)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return info, fmt.Errorf("backup %s: %w", out, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*.tmp")
	if err != nil {
		return info, fmt.Errorf("backup %s: %w", out, err)
	}
	tmp.Close()
	defer removeDB(tmp.Name())
	if info.Pages, info.Steps, err = db.backupTo(ctx, tmp.Name(), opt); err != nil {
		return info, fmt.Errorf("backup %s: %w", out, err)
	}
	if info.Tables, err = checkBackup(ctx, tmp.Name()); err != nil {
		return info, fmt.Errorf("backup %s: %w", out, err)
	}
	if err := placeBackup(tmp.Name(), out, opt.Force); err != nil {
		return info, fmt.Errorf("backup %s: %w", out, err)
	}
	st, err := os.Stat(out)
	if err != nil {
		return info, fmt.Errorf("backup %s: %w", out, err)
	}
	info.Bytes, info.Took = st.Size(), time.Since(start)
	return info, nil
}

// backupTo copies the database into the SQLite file at path, opt.StepPages at
// a time, and says how many pages and steps it took.
func (db *DB) backupTo(ctx context.Context, path string, opt BackupOptions) (pages, steps int, err error) {
	if opt.StepPages <= 0 {
		opt.StepPages = defaultStepPages
	}
	src, err := db.rdb.Conn(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("backup: a connection to the database: %w", err)
	}
	defer src.Close()
	// The snapshot: a read transaction open across every step.
	if _, err := src.ExecContext(ctx, `BEGIN`); err != nil {
		return 0, 0, fmt.Errorf("backup: begin the read snapshot: %w", err)
	}
	defer src.ExecContext(context.Background(), `ROLLBACK`)
	var n int
	if err := src.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema`).Scan(&n); err != nil {
		return 0, 0, fmt.Errorf("backup: read the schema: %w", err)
	}
	dst, err := sql.Open("sqlite3", fileURI(path))
	if err != nil {
		return 0, 0, fmt.Errorf("backup: open the copy: %w", err)
	}
	defer dst.Close()
	dconn, err := dst.Conn(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("backup: open the copy: %w", err)
	}
	defer dconn.Close()
	err = dconn.Raw(func(d any) error {
		return src.Raw(func(s any) error {
			pages, steps, err = stepBackup(ctx, d.(*sqlite3.SQLiteConn), s.(*sqlite3.SQLiteConn), opt)
			return err
		})
	})
	return pages, steps, err
}

// stepBackup runs SQLite's backup from src to dst, opt.StepPages a
// step, until it is done or ctx ends.
func stepBackup(ctx context.Context, dst, src *sqlite3.SQLiteConn, opt BackupOptions) (pages, steps int, err error) {
	b, err := dst.Backup("main", src, "main")
	if err != nil {
		return 0, 0, fmt.Errorf("backup: start: %w", err)
	}
	for done := false; !done; steps++ {
		if err := ctx.Err(); err != nil {
			b.Close()
			return pages, steps, fmt.Errorf("backup: step %d: %w", steps+1, err)
		}
		if done, err = b.Step(opt.StepPages); err != nil {
			b.Close()
			return pages, steps, fmt.Errorf("backup: step %d: %w", steps+1, err)
		}
		pages = b.PageCount()
		if opt.Progress != nil {
			opt.Progress(pages-b.Remaining(), pages)
		}
	}
	if err := b.Finish(); err != nil {
		return pages, steps, fmt.Errorf("backup: finish: %w", err)
	}
	return pages, steps, nil
}

// checkBackup runs PRAGMA integrity_check on the copy at path and counts
// its tables.
func checkBackup(ctx context.Context, path string) (tables int, err error) {
	c, err := sql.Open("sqlite3", fileURI(path))
	if err != nil {
		return 0, fmt.Errorf("check the copy: open: %w", err)
	}
	defer c.Close()
	rows, err := c.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return 0, fmt.Errorf("check the copy: integrity_check: %w", err)
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return 0, fmt.Errorf("check the copy: integrity_check: %w", err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("check the copy: integrity_check: %w", err)
	}
	if len(problems) > 0 {
		return 0, fmt.Errorf("check the copy: integrity_check: %s", strings.Join(problems, "; "))
	}
	if err := c.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'`).Scan(&tables); err != nil {
		return 0, fmt.Errorf("check the copy: count its tables: %w", err)
	}
	return tables, nil
}

// placeBackup moves the checked copy to out: a rename when force
// (replacing any file there), else a hard link that fails when out exists
// (created meanwhile), falling back to a rename where links are not
// supported.
func placeBackup(tmp, out string, force bool) error {
	if force {
		return os.Rename(tmp, out)
	}
	if err := os.Link(tmp, out); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("the file exists (--force replaces it)")
		}
		if _, serr := os.Stat(out); serr == nil {
			return fmt.Errorf("the file exists (--force replaces it)")
		}
		return os.Rename(tmp, out)
	}
	return nil
}

// removeDB removes an SQLite file and its journals, if there.
func removeDB(path string) {
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
}
