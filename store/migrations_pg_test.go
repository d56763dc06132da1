package store

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"skygrid/internal/pgtest"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// The PostgreSQL migrations (migrations_pg/) mirror SQLite's file by
// file: the same names, applied in order, give tables with the same
// columns (nullability and defaults too), indexes and triggers. PostGIS
// adds what SQLite has not: geom_pg and its GiST index beside each WKB
// geom, and the audit log's TRUNCATE guard; login_failures gets SQLite's
// implicit rowid as a column.

// migrationNames are the base names of one dialect's embedded files.
func migrationNames(t *testing.T, fsys fs.FS, dir string) []string {
	t.Helper()
	files, err := fs.Glob(fsys, dir+"/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = path.Base(f)
	}
	sort.Strings(names)
	return names
}

func TestPGMigrationsHaveSQLitesNames(t *testing.T) {
	lite := migrationNames(t, migrationFS, "migrations")
	pg := migrationNames(t, pgMigrationFS, "migrations_pg")
	if !slices.Equal(lite, pg) {
		t.Fatalf("migrations/ and migrations_pg/ differ:\nsqlite:   %v\npostgres: %v", lite, pg)
	}
	for _, name := range pg {
		buf, err := fs.ReadFile(pgMigrationFS, "migrations_pg/"+name)
		if err != nil {
			t.Fatal(err)
		}
		if want := "-- PostgreSQL mirror of store/migrations/" + name; !strings.HasPrefix(string(buf), want) {
			t.Errorf("migrations_pg/%s does not start with %q", name, want)
		}
	}
}

// pgOnly is what the PostgreSQL schema has beyond SQLite's, by design.
var pgOnly = map[string]bool{
	"column regions.geom_pg":        true,
	"column sites.geom_pg":          true,
	"index regions.regions_geom_pg": true,
	"index sites.sites_geom_pg":     true,
	"trigger audit_log_no_truncate": true,
	// SQLite's implicit rowid, which store/user.go reads and deletes by.
	"column login_failures.rowid not null": true,
}

// sqliteSchema describes a fresh SQLite store's schema, one line per
// column ("column T.C not null default D"), index and trigger.
func sqliteSchema(t *testing.T) []string {
	t.Helper()
	db := NewDB(filepath.Join(t.TempDir(), "schema.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return schemaLines(t, func(q string) ([][]string, error) { return sqlRows(db, q) },
		`SELECT m.name, p.name, p."notnull" OR p.pk > 0, COALESCE(p.dflt_value, '')
			FROM sqlite_master m, pragma_table_xinfo(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`,
		`SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`,
		`SELECT name FROM sqlite_master WHERE type = 'trigger'`)
}

// pgSchema describes the schema of the PostgreSQL database at dsn as
// sqliteSchema does (constraint indexes left out, as SQLite's autoindexes).
func pgSchema(t *testing.T, dsn string) []string {
	t.Helper()
	return schemaLines(t, func(q string) ([][]string, error) { return pgxRows(dsn, q) },
		`SELECT table_name, column_name, is_nullable = 'NO', COALESCE(column_default, '')
			FROM information_schema.columns c WHERE table_schema = 'public' AND table_name <> 'spatial_ref_sys'
			AND EXISTS (SELECT 1 FROM information_schema.tables t WHERE t.table_schema = 'public'
				AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE')`,
		`SELECT t.relname, i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
			JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
			WHERE n.nspname = 'public' AND t.relname <> 'spatial_ref_sys'
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`,
		`SELECT tgname FROM pg_trigger WHERE NOT tgisinternal`)
}

// pgCast is a PostgreSQL default's cast ('{}'::text is SQLite's '{}').
var pgCast = regexp.MustCompile(`::[a-z ]+$`)

// schemaLines runs the three queries and writes their rows as lines.
func schemaLines(t *testing.T, query func(string) ([][]string, error), cols, indexes, triggers string) []string {
	t.Helper()
	var out []string
	rows, err := query(cols)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		line := "column " + r[0] + "." + r[1]
		if r[2] == "1" || r[2] == "true" {
			line += " not null"
		}
		if d := pgCast.ReplaceAllString(r[3], ""); d != "" {
			line += " default " + d
		}
		out = append(out, line)
	}
	for q, prefix := range map[string]string{indexes: "index ", triggers: "trigger "} {
		rows, err := query(q)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			out = append(out, prefix+strings.Join(r, "."))
		}
	}
	sort.Strings(out)
	return out
}

// sqlRows reads every row of q as text.
func sqlRows(db *DB, q string) ([][]string, error) {
	rows, err := db.db.Query(q)
	if err != nil {
		return nil, fmt.Errorf("schema query: %w", err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals, err := scanValues(rows, len(cols))
		if err != nil {
			return nil, fmt.Errorf("schema query: %w", err)
		}
		out = append(out, texts(vals))
	}
	return out, rows.Err()
}

// pgxRows reads every row of q at dsn as text, on a pgx connection.
func pgxRows(dsn, q string) ([][]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("schema query: %w", err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, fmt.Errorf("schema query: %w", err)
		}
		out = append(out, texts(vals))
	}
	return out, rows.Err()
}

func texts(vals []any) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		switch v := v.(type) {
		case []byte:
			out[i] = string(v)
		case nil:
			out[i] = ""
		default:
			out[i] = fmt.Sprint(v)
		}
	}
	return out
}

// applyPGMigrations runs each file of migrations_pg/ in name order, each
// in its own transaction, as the store does, on a pgx connection.
func applyPGMigrations(dsn string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	files, _ := fs.Glob(pgMigrationFS, "migrations_pg/*.sql")
	sort.Strings(files)
	for _, f := range files {
		buf, err := fs.ReadFile(pgMigrationFS, f)
		if err != nil {
			return err
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, string(buf))
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
	}
	return nil
}

// diffLines are the lines of a not in b.
func diffLines(a, b []string) []string {
	var out []string
	for _, l := range a {
		if _, found := slices.BinarySearch(b, l); !found {
			out = append(out, l)
		}
	}
	return out
}

// TestPGMigrationsGiveSQLitesSchema: every file applies in order on a
// fresh PostgreSQL database, and the tables have SQLite's columns (with
// nullability and defaults), indexes and triggers, plus pgOnly.
func TestPGMigrationsGiveSQLitesSchema(t *testing.T) {
	dsn := pgtest.DSN(t)
	if err := applyPGMigrations(dsn); err != nil {
		t.Fatal(err)
	}
	// The store creates the migrations table itself (not a file of
	// migrations/): TestPGStoreOpensAndMigrates compares it.
	lite := slices.DeleteFunc(sqliteSchema(t), func(l string) bool { return strings.HasPrefix(l, "column migrations.") })
	compareSchemas(t, lite, pgSchema(t, dsn))
}

// compareSchemas reports every line of one schema missing in the other
// (but pgOnly) and every line of pgOnly missing in PostgreSQL's.
func compareSchemas(t *testing.T, lite, pg []string) {
	t.Helper()
	for _, l := range diffLines(lite, pg) {
		t.Errorf("SQLite has, PostgreSQL has not: %s", l)
	}
	for _, l := range diffLines(pg, lite) {
		if !pgOnly[l] {
			t.Errorf("PostgreSQL has, SQLite has not: %s", l)
		}
	}
	for l := range pgOnly {
		if _, found := slices.BinarySearch(pg, l); !found {
			t.Errorf("PostgreSQL lacks %s", l)
		}
	}
}

// TestPGStoreOpensAndMigrates: store.NewDB(dsn).Open() on a fresh
// PostgreSQL database applies every migration under SQLite's names, and
// opening it again applies nothing more; the schema, with the migrations
// table, is SQLite's.
func TestPGStoreOpensAndMigrates(t *testing.T) {
	dsn := pgtest.DSN(t)
	lite := NewDB(filepath.Join(t.TempDir(), "names.db"))
	if err := lite.Open(); err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	want, err := lite.Migrations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		db := NewDB(dsn)
		if err := db.Open(); err != nil {
			t.Fatalf("open %d: %v", i+1, err)
		}
		got, err := db.Migrations(context.Background())
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("open %d: migrations %v, want SQLite's %v", i+1, got, want)
		}
	}
	compareSchemas(t, sqliteSchema(t), pgSchema(t, dsn))
}

// bothStores opens a fresh SQLite store and a fresh PostgreSQL one (the
// test skips where PostgreSQL is missing).
func bothStores(t *testing.T) []struct {
	name string
	db   *DB
} {
	t.Helper()
	dsn := pgtest.DSN(t)
	stores := []struct {
		name string
		db   *DB
	}{{"sqlite", NewDB(filepath.Join(t.TempDir(), "both.db"))}, {"postgres", NewDB(dsn)}}
	for _, s := range stores {
		if err := s.db.Open(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		t.Cleanup(func() { s.db.Close() })
	}
	return stores
}

// TestAuditLogAppendOnlyBothStores: on both stores an audit line is
// written, and updating or deleting it fails with 'audit_log is
// append-only' and leaves it as it was.
func TestAuditLogAppendOnlyBothStores(t *testing.T) {
	for _, s := range bothStores(t) {
		t.Run(s.name, func(t *testing.T) {
			if _, err := s.db.db.Exec(`INSERT INTO audit_log (at, actor, action, entity, entity_id) VALUES ('2023-11-01T04:00:00Z', 'admin', 'task.close', 'task', '1')`); err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{`UPDATE audit_log SET actor = 'someone'`, `DELETE FROM audit_log`} {
				_, err := s.db.db.Exec(q)
				if err == nil || !strings.Contains(err.Error(), "audit_log is append-only") {
					t.Errorf("%s: error %v, want 'audit_log is append-only'", q, err)
				}
			}
			var actor string
			if err := s.db.db.QueryRow(`SELECT actor FROM audit_log`).Scan(&actor); err != nil || actor != "admin" {
				t.Errorf("the audit line now: actor %q, %v", actor, err)
			}
		})
	}
}

// listStep is one change of TestTaskListColumnsBothStores and the list
// columns of task 1, 2 and 3 after it.
type listStep struct {
	name string
	sql  []string
	want []string // "id first_seen county township due_asc due_desc rank grid"
}

var listSteps = []listStep{
	{"regions, events and tasks", []string{
		`INSERT INTO events (id, class, state, first_seen, last_seen, lon, lat, min_lon, min_lat, max_lon, max_lat, hotspot_count, max_frp, grid_id, township_id, county_id, assigned_by, created_at, updated_at) VALUES
			(1, 'straw', 'open', '2023-10-01T00:00:00Z', '2023-10-01T00:00:00Z', 113, 40, 113, 40, 113, 40, 1, 1, 'G1', 'T1', 'C1', 'contains', 'x', 'x'),
			(2, 'straw', 'open', '2023-10-02T00:00:00Z', '2023-10-02T00:00:00Z', 113, 40, 113, 40, 113, 40, 1, 1, NULL, 'T9', 'C9', 'nearest', 'x', 'x'),
			(3, 'straw', 'open', '2023-10-03T00:00:00Z', '2023-10-03T00:00:00Z', 113, 40, 113, 40, 113, 40, 1, 1, 'G3', NULL, NULL, 'contains', 'x', 'x')`,
		`INSERT INTO tasks (id, event_id, grid_id, state, ack_due, report_due, created_at, updated_at) VALUES
			(1, 1, 'G1', 'dispatched', 'a1', 'r1', 'x', 'x'),
			(2, 2, NULL, 'acknowledged', 'a2', 'r2', 'x', 'x'),
			(3, 3, 'G3', 'closed', 'a3', 'r3', 'x', 'x')`,
	}, []string{
		"1 2023-10-01T00:00:00Z C1 T1 a1 a1 0 G1",
		"2 2023-10-02T00:00:00Z C9 T9 r2 r2 1 ",
		"3 2023-10-03T00:00:00Z   ~  3 G3"}},
	{"a task moves grid, an event moves county", []string{
		`UPDATE tasks SET grid_id = 'G2' WHERE id = 1`,
		`UPDATE events SET first_seen = '2023-09-30T00:00:00Z', county_id = 'C8', township_id = 'T8' WHERE id = 2`,
	}, []string{
		"1 2023-10-01T00:00:00Z C2 T2 a1 a1 0 G2",
		"2 2023-09-30T00:00:00Z C8 T8 r2 r2 1 ",
		"3 2023-10-03T00:00:00Z   ~  3 G3"}},
	{"a grid imported, a township moved", []string{
		`INSERT INTO regions (id, name, level, parent_id, geom, min_lon, min_lat, max_lon, max_lat, area_km2, created_at, updated_at) VALUES
			('G3', 'G3', 'grid', 'T1', ?, 113, 40, 113, 40, 1, 'x', 'x')`,
		`UPDATE regions SET parent_id = 'C1' WHERE id = 'T2'`,
	}, []string{
		"1 2023-10-01T00:00:00Z C1 T2 a1 a1 0 G2",
		"2 2023-09-30T00:00:00Z C8 T8 r2 r2 1 ",
		"3 2023-10-03T00:00:00Z C1 T1 ~  3 G3"}},
	{"a county-level grid", []string{
		`UPDATE regions SET parent_id = 'C2', level = 'grid' WHERE id = 'G2'`,
	}, []string{
		"1 2023-10-01T00:00:00Z C2  a1 a1 0 G2",
		"2 2023-09-30T00:00:00Z C8 T8 r2 r2 1 ",
		"3 2023-10-03T00:00:00Z C1 T1 ~  3 G3"}},
}

// listRegions are the regions every step starts from: two counties, a
// township in each, a grid in each township.
var listRegions = [][3]string{{"C1", "county", ""}, {"T1", "township", "C1"}, {"G1", "grid", "T1"},
	{"C2", "county", ""}, {"T2", "township", "C2"}, {"G2", "grid", "T2"}}

// TestTaskListColumnsBothStores: the list columns of 0010 (copied by
// triggers, and generated) hold the same values on both stores through
// the changes the triggers follow: new tasks, a task's new grid, an
// event's new first sight and area, a grid imported after its task, a
// township moved under another county.
func TestTaskListColumnsBothStores(t *testing.T) {
	geom, err := encodeGeom(orb.Point{113, 40})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range bothStores(t) {
		t.Run(s.name, func(t *testing.T) {
			for _, r := range listRegions {
				if _, err := s.db.db.Exec(`INSERT INTO regions (id, name, level, parent_id, geom, min_lon, min_lat, max_lon, max_lat, area_km2, created_at, updated_at)
					VALUES (?, ?, ?, NULLIF(?, ''), ?, 113, 40, 113, 40, 1, 'x', 'x')`, r[0], r[0], r[1], r[2], geom); err != nil {
					t.Fatal(err)
				}
			}
			for _, step := range listSteps {
				for _, q := range step.sql {
					var args []any
					if strings.Contains(q, "?") {
						args = append(args, geom)
					}
					if _, err := s.db.db.Exec(q, args...); err != nil {
						t.Fatalf("%s: %v", step.name, err)
					}
				}
				if got := listColumns(t, s.db); !slices.Equal(got, step.want) {
					t.Errorf("after %s:\n got %q\nwant %q", step.name, got, step.want)
				}
			}
		})
	}
}

// listColumns are the tasks' list columns, a line each.
func listColumns(t *testing.T, db *DB) []string {
	t.Helper()
	rows, err := sqlRows(db, `SELECT id, list_first_seen, list_county_id, list_township_id, list_due_asc, list_due_desc, list_state_rank, list_grid_id FROM tasks ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, strings.Join(r, " "))
	}
	return out
}

// TestGeomPGFollowsGeom: on PostgreSQL, geom_pg is PostGIS's reading of
// the WKB in geom (SRID 4326) for regions and sites, follows an update of
// geom, and a bounding-box search finds the row.
func TestGeomPGFollowsGeom(t *testing.T) {
	dsn := pgtest.DSN(t)
	db := NewDB(dsn)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	square := orb.Polygon{{{113, 40}, {113.1, 40}, {113.1, 40.1}, {113, 40.1}, {113, 40}}}
	moved := orb.Point{112.5, 39.5}
	wkbSquare, _ := encodeGeom(square)
	wkbMoved, _ := encodeGeom(moved)
	for _, c := range []struct{ table, insert string }{
		{"regions", `INSERT INTO regions (id, name, level, geom, min_lon, min_lat, max_lon, max_lat, area_km2, created_at, updated_at)
			VALUES ('1', '示例', 'grid', ?, 113, 40, 113.1, 40.1, 1, 'x', 'x')`},
		{"sites", `INSERT INTO sites (id, kind, external_id, name, geom, min_lon, min_lat, max_lon, max_lat, created_at, updated_at)
			VALUES (1, 'construction', 'e1', '示例', ?, 113, 40, 113.1, 40.1, 'x', 'x')`},
	} {
		t.Run(c.table, func(t *testing.T) {
			if _, err := db.db.Exec(c.insert, wkbSquare); err != nil {
				t.Fatal(err)
			}
			var wkt string
			var srid, found int
			q := `SELECT ST_AsText(geom_pg), ST_SRID(geom_pg), (SELECT COUNT(*) FROM ` + c.table +
				` WHERE geom_pg && ST_MakeEnvelope(113.05, 40.05, 113.2, 40.2, 4326)) FROM ` + c.table
			if err := db.db.QueryRow(q).Scan(&wkt, &srid, &found); err != nil {
				t.Fatal(err)
			}
			if wkt != "POLYGON((113 40,113.1 40,113.1 40.1,113 40.1,113 40))" || srid != 4326 || found != 1 {
				t.Errorf("geom_pg %s, SRID %d, found by its box %d times", wkt, srid, found)
			}
			if _, err := db.db.Exec(`UPDATE `+c.table+` SET geom = ?`, wkbMoved); err != nil {
				t.Fatal(err)
			}
			if err := db.db.QueryRow(`SELECT ST_AsText(geom_pg) FROM ` + c.table).Scan(&wkt); err != nil || wkt != "POINT(112.5 39.5)" {
				t.Errorf("after an update of geom: geom_pg %s (%v)", wkt, err)
			}
		})
	}
}
