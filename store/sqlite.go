// Package store implements skygrid's services on SQLite through
// github.com/mattn/go-sqlite3. It is the only package that imports the
// driver, and it holds every SQL statement.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"sort"
	"strings"
	"time"

	"skygrid"

	"github.com/mattn/go-sqlite3"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// pgMigrationFS holds the PostgreSQL dialect's migrations: one file for
// each of migrations/, with the same name (migrations_pg/README.md).
//
//go:embed migrations_pg
var pgMigrationFS embed.FS

// DB is the SQLite database.
type DB struct {
	db  *sql.DB
	DSN string
	// postgres: the DSN is a PostgreSQL URL (pgdriver.go).
	postgres bool
	// scopeInGo keeps scoped site and monitor lists, and sites' counties,
	// in Go on PostgreSQL too (scope.go; benchmarks and tests compare the
	// two paths).
	scopeInGo bool
	// versions reads layer_versions: prepared once, read on every tile.
	versions *sql.Stmt
	// rdb serves read-only transactions: BEGIN DEFERRED on query-only
	// connections. The main pool begins IMMEDIATE (a writer waits for
	// the lock up front, not half-way), which would make every read
	// transaction wait for a running write.
	rdb *sql.DB
	// counts keeps the lists' totals until the data changes (page.go).
	counts countCache
	// places keeps the dust monitors' regions until the regions change
	// (dustplace.go).
	places placeCache
	// Now is the clock; tests replace it.
	Now func() time.Time
	// PublicURL is where users reach the web app, for links in
	// notifications (default http://127.0.0.1:8080).
	PublicURL string
	// AreaName is the area the deployment serves ([server] area_name; "":
	// the default): the published reports' titles name it, and a warning
	// over all of it is told as its whole (skygrid.WholeOf: 全市, 全省).
	AreaName string
	// PersonalKinds are the personal channel kinds with a provider set up
	// (aliyun_sms or tencent_sms, dingtalk_work): a task's notices queue a
	// message per supervisor for each. None: no personal messages.
	PersonalKinds []string
	// SiteRules decide which imported sites break a dust rule, and
	// Escalation when overdue tasks are escalated (both from the
	// configuration; NewDB sets the defaults).
	SiteRules  skygrid.SiteRules
	Escalation skygrid.EscalationPolicy
	// Place places a point in the grid holding it as a fire there would
	// be (the pipeline's assignment; the commands set it): a warning's
	// inspection of a listed site goes to that grid. nil: no grid (the
	// county's queue).
	Place func(ctx context.Context, pt orb.Point) (skygrid.Event, error)
	// InspectHours is [warning] inspect_hours: a warning's inspection
	// task is due this long after it is opened (NewDB: 4).
	InspectHours float64
	// tokenUses writes API tokens' last use in the background (user.go).
	tokenUses tokenUses
	// ckpt copies the log into the file after an ingest (checkpoint.go).
	ckpt checkpointer
	// BusyTimeout is how long a statement waits for another connection's
	// write lock before it fails as busy (default writeWait).
	BusyTimeout time.Duration
	// CountWait is how long a list waits for its count made again after
	// a write before it answers the old one (0: 100 ms; negative: not at
	// all).
	CountWait time.Duration
	// Public are the reports from the public's limits and the deadlines
	// of an accepted report's task (publicreport.go; zero: defaults).
	Public PublicConfig
	// AsFound opens the database as it is, without migrating it (skygrid
	// backup: a backup taken before an upgrade must be of the old schema,
	// and must not change the file under the server running it).
	AsFound bool
}

// NewDB returns a DB for the file at dsn (":memory:" for a private
// in-memory database).
func NewDB(dsn string) *DB {
	return &DB{DSN: dsn, Now: time.Now, PublicURL: "http://127.0.0.1:8080", SiteRules: skygrid.DefaultSiteRules(),
		Escalation: skygrid.DefaultEscalation(), InspectHours: skygrid.DefaultInspectHours}
}

// writeWait is how long a write waits for another to finish (SQLite's
// busy timeout) before it fails with "database is locked". A file is
// ingested in one transaction, all or nothing, and holds the write lock
// throughout: a million rows take seconds, and a minute on a busy
// machine. Reads never wait (WAL; see rdb); a log-in or a task report
// made meanwhile waits for the ingest to commit.
const writeWait = 2 * time.Minute

// idleConns is how many connections each pool keeps open when idle.
const idleConns = 16

// Open opens the database with WAL, foreign keys and a busy timeout, and
// applies the embedded migrations that have not run yet.
func (db *DB) Open() (err error) {
	if db.DSN == "" {
		return fmt.Errorf("dsn required")
	}
	if IsPostgres(db.DSN) {
		return db.openPostgres()
	}
	memory := db.DSN == ":memory:"
	busy := db.BusyTimeout
	if busy <= 0 {
		busy = writeWait
	}
	dsn := fmt.Sprintf("%s?_foreign_keys=on&_busy_timeout=%d&_txlock=immediate&_cache_size=-16384", fileURI(db.DSN), busy.Milliseconds())
	if !memory {
		dsn += "&_journal_mode=WAL&_synchronous=NORMAL"
	}
	if db.db, err = sql.Open("sqlite3", dsn); err != nil {
		return err
	}
	if memory {
		// Every connection to :memory: is a new database: keep one.
		db.db.SetMaxOpenConns(1)
	}
	// Keep the connections a busy server uses (database/sql keeps 2 idle
	// by default: the others would be closed and opened again, their
	// schema read again, at every burst of requests).
	db.db.SetMaxIdleConns(idleConns)
	if err := db.db.Ping(); err != nil {
		db.db.Close()
		return fmt.Errorf("open %s: %w", db.DSN, err)
	}
	if !db.AsFound {
		if err := db.migrate(); err != nil {
			db.db.Close()
			return fmt.Errorf("migrate %s: %w", db.DSN, err)
		}
		if err := db.fillNameKeys(context.Background()); err != nil {
			db.db.Close()
			return fmt.Errorf("migrate %s: %w", db.DSN, err)
		}
	}
	if db.versions, err = db.db.Prepare(`SELECT layer, version FROM layer_versions`); err != nil {
		db.db.Close()
		return fmt.Errorf("open %s: %w", db.DSN, err)
	}
	db.rdb = db.db
	if !memory {
		ro := fileURI(db.DSN) + fmt.Sprintf("?_foreign_keys=on&_busy_timeout=%d&_txlock=deferred&_cache_size=-16384&_query_only=1", busy.Milliseconds())
		if db.rdb, err = sql.Open("sqlite3", ro); err != nil {
			db.db.Close()
			return err
		}
		db.rdb.SetMaxIdleConns(idleConns)
	}
	return nil
}

// uriEscapes escapes what an SQLite URI's path may not hold as itself:
// '%' starts an escape, '?' the query, '#' the fragment.
var uriEscapes = strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23")

// fileURI is the SQLite URI (file:...) of the database file at path,
// which names that file whatever characters it holds. An absolute path
// follows an empty authority (file:///srv/x.db), so that one starting
// with "//" is not read as a host.
func fileURI(path string) string {
	if path == ":memory:" {
		return "file::memory:"
	}
	if strings.HasPrefix(path, "/") {
		return "file://" + uriEscapes.Replace(path)
	}
	return "file:" + uriEscapes.Replace(path)
}

// Close closes the database.
func (db *DB) Close() error {
	db.tokenUses.wg.Wait()
	db.closeCheckpoints()
	if db.versions != nil {
		db.versions.Close()
	}
	if db.rdb != nil && db.rdb != db.db {
		db.rdb.Close()
	}
	if db.db != nil {
		return db.db.Close()
	}
	return nil
}

// migrate applies every migration not yet recorded, in name order, each in
// its own transaction together with its record.
func (db *DB) migrate() error {
	if err := db.createMigrations(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	fsys, dir := migrationFS, "migrations"
	if db.postgres {
		fsys, dir = pgMigrationFS, "migrations_pg"
	}
	names, err := fs.Glob(fsys, dir+"/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		if err := db.migrateFile(fsys, name); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// createMigrations creates the table of applied migrations, in a write
// transaction (servers starting together on one PostgreSQL take turns).
func (db *DB) createMigrations() error {
	tx, err := db.db.Begin()
	if err != nil {
		return fmt.Errorf("create the migrations table: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create the migrations table: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create the migrations table: commit: %w", err)
	}
	return nil
}

// migrateFile applies one migration unless recorded; the record is the
// file's base name, the same in both dialects.
func (db *DB) migrateFile(fsys fs.FS, file string) error {
	name := "migrations/" + path.Base(file)
	tx, err := db.db.Begin()
	if err != nil {
		return fmt.Errorf("migrate file: begin: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return fmt.Errorf("migrate file: read a row: %w", err)
	} else if n > 0 {
		return nil
	}
	buf, err := fs.ReadFile(fsys, file)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(string(buf)); err != nil {
		return fmt.Errorf("migrate file: %w", err)
	}
	if _, err := tx.Exec(`INSERT INTO migrations (name, applied_at) VALUES (?, ?)`, name, ts(db.Now())); err != nil {
		return fmt.Errorf("migrate file: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate file: commit: %w", err)
	}
	return nil
}

// Migrations lists the applied migrations.
func (db *DB) Migrations(ctx context.Context) ([]string, error) {
	return queryList(ctx, db.db, &listQuery{what: "list migrations", from: `SELECT name FROM migrations`, order: ` ORDER BY name`}, readString)
}

// Tx wraps a transaction with the time it started.
type Tx struct {
	*sql.Tx
	db  *DB
	now time.Time
}

// BeginTx starts a transaction.
func (db *DB) BeginTx(ctx context.Context, opts *sql.TxOptions) (*Tx, error) {
	pool := db.db
	if opts != nil && opts.ReadOnly && db.rdb != nil {
		pool = db.rdb
	}
	tx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("begin tx: begin: %w", err)
	}
	return &Tx{Tx: tx, db: db, now: db.Now().UTC().Truncate(time.Second)}, nil
}

// ts formats a time for the store: UTC, RFC 3339, whole seconds.
func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// parseTS parses a stored time.
func parseTS(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

func nullTS(s sql.NullString) time.Time {
	if !s.Valid {
		return time.Time{}
	}
	return parseTS(s.String)
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func encodeGeom(g orb.Geometry) ([]byte, error) { return wkb.Marshal(g) }

func decodeGeom(b []byte) (orb.Geometry, error) { return wkb.Unmarshal(b) }

// isConstraint reports whether err is an SQLite constraint violation.
// or a PostgreSQL integrity constraint violation (class 23).
func isConstraint(err error) bool {
	var se sqlite3.Error
	if code := pgCode(err); code != "" {
		return len(code) == 5 && code[:2] == "23"
	}
	return errors.As(err, &se) && se.Code == sqlite3.ErrConstraint
}

// isBusy reports an error of a database that another connection holds
// locked for longer than the busy timeout.
// On PostgreSQL: a lock not available, a deadlock or a serialization
// failure, which the same retry answers.
func isBusy(err error) bool {
	switch pgCode(err) {
	case "55P03", "40P01", "40001":
		return true
	}
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// busyWait bounds retryBusy: longer than any ingest holds the write lock.
const busyWait = time.Minute

// retryBusy runs fn (one whole transaction) again while it fails because
// the database is busy, for up to busyWait or until ctx ends: the
// log-in throttle's writes must not fail because an ingest or many
// log-ins hold the lock.
func (db *DB) retryBusy(ctx context.Context, fn func() error) error {
	deadline := time.Now().Add(busyWait)
	wait := 10 * time.Millisecond
	for {
		err := fn()
		if !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// limitOffset renders LIMIT/OFFSET. An offset without a limit takes the
// largest limit both dialects read as a number (SQLite has no LIMIT ALL,
// PostgreSQL refuses LIMIT -1).
func limitOffset(limit, offset int) string {
	if limit > 0 && offset > 0 {
		return fmt.Sprintf(` LIMIT %d OFFSET %d`, limit, offset)
	} else if limit > 0 {
		return fmt.Sprintf(` LIMIT %d`, limit)
	} else if offset > 0 {
		return fmt.Sprintf(` LIMIT %d OFFSET %d`, math.MaxInt64, offset)
	}
	return ""
}

// The few statements the dialects cannot share take their differing
// words from these helpers (each says why).

// like is the case-insensitive LIKE of ASCII letters: SQLite's LIKE is
// one, PostgreSQL's is ILIKE.
func (db *DB) like() string {
	if db.postgres {
		return "ILIKE"
	}
	return "LIKE"
}

// jsonTexts is a subquery of the texts of a JSON array of strings given
// as one parameter (json_each on SQLite, json_array_elements_text on
// PostgreSQL): a list of any length in one placeholder.
func (db *DB) jsonTexts() string {
	if db.postgres {
		return "SELECT json_array_elements_text(CAST(? AS json))"
	}
	return "SELECT value FROM json_each(?)"
}

// where joins conditions.
func where(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// bboxCond renders a bounding-box intersection test on min/max columns.
func bboxCond(b orb.Bound, args *[]any) string {
	*args = append(*args, b.Max[0], b.Min[0], b.Max[1], b.Min[1])
	return `min_lon <= ? AND max_lon >= ? AND min_lat <= ? AND max_lat >= ?`
}

// likeEscaper makes text a LIKE pattern's literal: its %, _ and the
// escape character itself escaped with \ (ESCAPE '\').
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// likeEscape is s as a LIKE pattern's literal (likeEscaper).
func likeEscape(s string) string { return likeEscaper.Replace(s) }

// searchCond is the condition keeping rows whose columns hold the search
// text q (like: db.like(), ASCII letters without case), with its
// arguments in args, and the ORDER BY term that ranks them as
// skygrid.MatchRank does (exact, prefix, contains), with its arguments in
// rankArgs (they follow the WHERE clause's).
func searchCond(like, q string, cols []string, args, rankArgs *[]any) (cond, rank string) {
	esc := likeEscape(q)
	var in, exact, prefix []string
	for _, c := range cols {
		in, exact, prefix = append(in, c+` `+like+` ? ESCAPE '\'`), append(exact, "lower("+c+") = lower(?)"), append(prefix, c+` `+like+` ? ESCAPE '\'`)
		*args = append(*args, "%"+esc+"%")
	}
	for range cols {
		*rankArgs = append(*rankArgs, q)
	}
	for range cols {
		*rankArgs = append(*rankArgs, esc+"%")
	}
	return "(" + strings.Join(in, " OR ") + ")", fmt.Sprintf("CASE WHEN %s THEN %d WHEN %s THEN %d ELSE %d END",
		strings.Join(exact, " OR "), skygrid.MatchExact, strings.Join(prefix, " OR "), skygrid.MatchPrefix, skygrid.MatchContains)
}

// CheckHealth runs a trivial query on the read pool (the one every page
// and tile reads through): an error when the database is closed, its
// file gone or unreadable, or locked beyond ctx's deadline. It takes no
// write lock, so a long ingest does not make the server look unhealthy.
func (db *DB) CheckHealth(ctx context.Context) error {
	if db.rdb == nil {
		return fmt.Errorf("check the store: not open")
	}
	var n int
	if err := db.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM migrations`).Scan(&n); err != nil {
		return fmt.Errorf("check the store: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("check the store: no migration applied")
	}
	return nil
}
