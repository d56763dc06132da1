package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"skygrid/store"
)

// MigrateCommand is skygrid migrate sqlite-to-postgres: a city's SQLite
// database copied into a PostgreSQL one.
type MigrateCommand struct{ *Main }

// Usage of skygrid migrate.
func (m *MigrateCommand) Usage() string {
	return `Usage: skygrid migrate sqlite-to-postgres --from FILE --to postgres://USER@HOST/DB

Copies every table of a city's SQLite database into an empty PostgreSQL
15+ database with PostGIS (created beforehand: createdb, CREATE EXTENSION
postgis; skygrid applies its migrations to it first). The SQLite file is
read as found under one read snapshot, so skygrid serve may keep running
on it (what it writes after the snapshot is not copied: stop it for the
final move). The copy is one transaction, table by table in the order of
their foreign keys; then every table's row count and a SHA-256 of the
audit log are compared on both sides, and any difference rolls it all
back. A target that holds data, or a SQLite file at another migration
than this skygrid's, is refused. Prints a table of the counts.

The report photos go too: every photo the database holds is copied from
the photo folder of --from-data (default FILE.data, where skygrid serve
keeps them beside a SQLite file) into that of --data (default NAME.data in
the working directory, where skygrid serve --db postgres://.../NAME looks
without --data; several servers share one folder given with --data), each
original checked against its SHA-256. The files go first and are written
whole (a temp file, then renamed), so a copy that fails leaves the
database untouched and running it again goes on where it stopped.

Examples:
  skygrid migrate sqlite-to-postgres --from /var/lib/skygrid/skygrid.db --to postgres://skygrid@db.internal/skygrid \
      --data /srv/skygrid-shared
`
}

// Run copies --from into --to.
func (m *MigrateCommand) Run(ctx context.Context, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		fmt.Fprint(m.Stderr, m.Usage())
		return flag.ErrHelp
	}
	if len(args) == 0 || args[0] != "sqlite-to-postgres" {
		fmt.Fprint(m.Stderr, m.Usage())
		return fmt.Errorf("migrate: want migrate sqlite-to-postgres --from FILE --to postgres://...")
	}
	fs := flag.NewFlagSet("migrate sqlite-to-postgres", flag.ContinueOnError)
	from := fs.String("from", "", "the SQLite database file to copy (read as found, under one read snapshot)")
	to := fs.String("to", "", "the PostgreSQL database URL to copy into (postgres://USER@HOST:PORT/DB): empty, PostGIS installed")
	fromData := fs.String("from-data", "", "the folder of the SQLite database's report photos (default FILE.data)")
	toData := fs.String("data", "", "the folder the servers on the PostgreSQL database keep report photos in, as their --data (default NAME.data in the working directory)")
	fs.Usage = func() { fmt.Fprint(m.Stderr, m.Usage()); fs.PrintDefaults() }
	if _, err := m.parseFiles(fs, args[1:], 0, 0); err != nil {
		return err
	}
	switch {
	case *from == "" || *to == "":
		return fmt.Errorf("migrate sqlite-to-postgres: --from FILE and --to postgres://... are both required")
	case store.IsPostgres(*from):
		return fmt.Errorf("migrate sqlite-to-postgres: --from %s: want a SQLite file", *from)
	case !store.IsPostgres(*to):
		return fmt.Errorf("migrate sqlite-to-postgres: --to %s: want a postgres:// URL", *to)
	}
	if _, err := os.Stat(*from); err != nil {
		return fmt.Errorf("migrate sqlite-to-postgres: --from: %w", err)
	}
	src := store.NewDB(*from)
	src.AsFound = true // the running city's file: not migrated under its server
	if err := src.Open(); err != nil {
		return fmt.Errorf("migrate sqlite-to-postgres: %w", err)
	}
	defer src.Close()
	dst := store.NewDB(*to)
	if err := dst.Open(); err != nil {
		return fmt.Errorf("migrate sqlite-to-postgres: %w", err)
	}
	defer dst.Close()
	start := time.Now()
	// Refused before the photos are copied: a refused move writes nothing.
	if err := store.CheckCopyTarget(ctx, src, dst); err != nil {
		return fmt.Errorf("migrate sqlite-to-postgres: %w", err)
	}
	ph, err := newPhotoMove(ctx, src, *from, *fromData, *to, *toData)
	if err != nil {
		return fmt.Errorf("migrate sqlite-to-postgres: %w", err)
	}
	rep, err := store.CopyToPostgres(ctx, src, dst)
	m.printCopy(rep)
	if err != nil {
		return fmt.Errorf("migrate sqlite-to-postgres: %w", err)
	}
	if err := ph.finish(ctx, dst); err != nil {
		return fmt.Errorf("migrate sqlite-to-postgres: the database is copied, but not every photo: %w", err)
	}
	m.printPhotos(ph)
	fmt.Fprintf(m.Stdout, "copied %s into %s in %s: every table's count and the audit log's checksum equal\n",
		*from, store.RedactDSN(*to), time.Since(start).Round(time.Millisecond))
	return nil
}

// printCopy prints a table of the counts and the audit log's checksums.
func (m *MigrateCommand) printCopy(rep store.CopyReport) {
	if len(rep.Tables) == 0 {
		return
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "table\tsqlite\tpostgres\t")
	var src, dst int64
	for _, t := range rep.Tables {
		fmt.Fprintf(w, "%s\t%d\t%d\t\n", t.Table, t.Source, t.Target)
		src, dst = src+t.Source, dst+t.Target
	}
	fmt.Fprintf(w, "total\t%d\t%d\t\n", src, dst)
	w.Flush()
	if rep.AuditSource != "" {
		fmt.Fprintf(m.Stdout, "audit log sha256: sqlite %s, postgres %s\n", rep.AuditSource, rep.AuditTarget)
	}
}
