package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/internal/storetest"
	"skygrid/store"

	"github.com/paulmach/orb"
)

var now = time.Date(2023, 11, 1, 4, 0, 0, 0, time.UTC)

// MustOpenDB opens a fresh database on the run's store (a temp file on
// SQLite, a fresh migrated database on PostgreSQL); it is closed at
// cleanup.
func MustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	db := storetest.NewDB(tb, "skygrid.db")
	db.Now = func() time.Time { return now }
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// MustOpenSQLite opens an SQLite database in a temp file whatever the
// run's store (a test of SQLite as such: the source of a copy to
// PostgreSQL); it is closed at cleanup.
func MustOpenSQLite(tb testing.TB) *store.DB {
	tb.Helper()
	db := store.NewDB(filepath.Join(tb.TempDir(), "skygrid.db"))
	db.Now = func() time.Time { return now }
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func square(lon, lat, half float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{lon - half, lat - half}, {lon + half, lat - half}, {lon + half, lat + half}, {lon - half, lat + half}, {lon - half, lat - half}}}}
}

// Open applies every migration once and records it by the same name on
// both stores (migrations_pg/ mirrors migrations/ file by file); opened
// again, it applies none.
func TestOpenMigratesOnceAndReopens(t *testing.T) {
	dsn := storetest.DSN(t, "x.db")
	for i := 0; i < 2; i++ {
		db := store.NewDB(dsn)
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		ms, err := db.Migrations(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"migrations/0001_init.sql", "migrations/0002_layers.sql", "migrations/0003_dispatch.sql", "migrations/0004_feeds.sql", "migrations/0005_stats.sql",
			"migrations/0006_personal.sql", "migrations/0007_history.sql", "migrations/0008_accounts.sql", "migrations/0009_login.sql", "migrations/0010_lists.sql",
			"migrations/0011_monitors.sql", "migrations/0012_air.sql", "migrations/0013_dust_alarms.sql", "migrations/0014_warnings.sql",
			"migrations/0015_public_reports.sql", "migrations/0016_publications.sql", "migrations/0017_tle.sql", "migrations/0018_ingest_task_lists.sql",
			"migrations/0019_capture_daily.sql", "migrations/0020_capture_beijing_days.sql"}
		if !slices.Equal(ms, want) {
			t.Errorf("open %d: migrations %v", i, ms)
		}
		db.Close()
	}
	if storetest.Postgres() {
		return // :memory: is SQLite's alone
	}
	// :memory: works too.
	db := store.NewDB(":memory:")
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	db.Close()
}

func TestImportRegionsAllOrNothing(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	county := &skygrid.Region{ID: "140225", Name: "浑源县", Level: skygrid.LevelCounty, Geometry: square(113.7, 39.7, 0.3), AreaKm2: 1}
	if err := db.ImportRegions(ctx, []*skygrid.Region{county}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		regions []*skygrid.Region
		why     string
	}{
		{"missing parent", []*skygrid.Region{
			{ID: "g1", Name: "a", Level: skygrid.LevelGrid, ParentID: "140225", Geometry: square(113.7, 39.7, 0.01)},
			{ID: "g2", Name: "b", Level: skygrid.LevelGrid, ParentID: "999999", Geometry: square(113.8, 39.7, 0.01)},
		}, `parent "999999" is not imported`},
		{"parent of a lower level", []*skygrid.Region{
			{ID: "g3", Name: "a", Level: skygrid.LevelGrid, ParentID: "140225", Geometry: square(113.7, 39.7, 0.01)},
			{ID: "c2", Name: "b", Level: skygrid.LevelCounty, ParentID: "g3", Geometry: square(113.8, 39.7, 0.01)},
		}, "not a larger region"},
		{"duplicate id", []*skygrid.Region{
			{ID: "g4", Name: "a", Level: skygrid.LevelGrid, Geometry: square(113.7, 39.7, 0.01)},
			{ID: "g4", Name: "b", Level: skygrid.LevelGrid, Geometry: square(113.8, 39.7, 0.01)},
		}, "appears twice"},
		{"empty geometry", []*skygrid.Region{
			{ID: "g5", Name: "a", Level: skygrid.LevelGrid, Geometry: square(113.7, 39.7, 0.01)},
			{ID: "g6", Name: "b", Level: skygrid.LevelGrid},
		}, "empty geometry"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := db.ImportRegions(ctx, tt.regions)
			if skygrid.ErrorCode(err) != skygrid.EINVALID || !strings.Contains(err.Error(), tt.why) {
				t.Fatalf("got %v, want invalid: %s", err, tt.why)
			}
			_, n, _ := db.FindRegions(ctx, skygrid.RegionFilter{})
			if n != 1 {
				t.Errorf("%d regions stored, want only the county", n)
			}
		})
	}
	// A good import, then re-import with a new name: replaced, not doubled.
	grid := &skygrid.Region{ID: "g1", Name: "一", Level: skygrid.LevelGrid, ParentID: "140225", Geometry: square(113.7, 39.7, 0.01)}
	if err := db.ImportRegions(ctx, []*skygrid.Region{grid}); err != nil {
		t.Fatal(err)
	}
	grid.Name = "二"
	if err := db.ImportRegions(ctx, []*skygrid.Region{grid}); err != nil {
		t.Fatal(err)
	}
	r, err := db.FindRegionByID(ctx, "g1")
	if err != nil || r.Name != "二" || r.ParentID != "140225" || len(r.Geometry) != 1 {
		t.Errorf("got %+v, %v", r, err)
	}
	if _, err := db.FindRegionByID(ctx, "nope"); skygrid.ErrorCode(err) != skygrid.ENOTFOUND {
		t.Errorf("got %v", err)
	}
	// Supervisors: only for grids; all or nothing.
	err = db.ImportSupervisors(ctx, []*skygrid.Supervisor{{GridID: "g1", Name: "张三", Phone: "1"}, {GridID: "140225", Name: "李四", Phone: "2"}})
	if skygrid.ErrorCode(err) != skygrid.EINVALID || !strings.Contains(err.Error(), "not a grid") {
		t.Errorf("got %v", err)
	}
	if r, _ := db.FindRegionByID(ctx, "g1"); r.Supervisor != nil {
		t.Errorf("supervisor stored from a refused file: %+v", r.Supervisor)
	}
	if err := db.ImportSupervisors(ctx, []*skygrid.Supervisor{{GridID: "g1", Name: "张三", Phone: "1"}}); err != nil {
		t.Fatal(err)
	}
	if r, _ := db.FindRegionByID(ctx, "g1"); r.Supervisor == nil || r.Supervisor.Name != "张三" {
		t.Errorf("supervisor: %+v", r.Supervisor)
	}
}

// The audit log is append-only on both stores (SQLite's triggers, and
// PostgreSQL's plpgsql triggers): an update or delete of any line, or of
// all, is refused with "append-only" and leaves every line as it was;
// PostgreSQL's TRUNCATE, which fires no row trigger, is refused too.
func TestAuditLogIsAppendOnly(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	for _, id := range []string{"c1", "c2"} {
		if err := db.ImportRegions(ctx, []*skygrid.Region{{ID: id, Name: id, Level: skygrid.LevelCounty, Geometry: square(113, 40, 0.1)}}); err != nil {
			t.Fatal(err)
		}
	}
	before, err := db.FindAudit(ctx, "region", "", 10)
	if err != nil || len(before) != 2 || before[0].Action != "regions.import" || !before[0].At.Equal(now) {
		t.Fatalf("audit: %v %v", before, err)
	}
	tests := []struct{ name, q string }{
		{"update every line", `UPDATE audit_log SET actor = 'x'`},
		{"update one line", fmt.Sprintf(`UPDATE audit_log SET after = 'rewritten' WHERE id = %d`, before[1].ID)},
		{"delete every line", `DELETE FROM audit_log`},
		{"delete one line", fmt.Sprintf(`DELETE FROM audit_log WHERE id = %d`, before[0].ID)},
	}
	if db.Postgres() {
		tests = append(tests, struct{ name, q string }{"truncate", `TRUNCATE audit_log`})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := db.ExecForTest(ctx, tt.q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: got %v, want append-only", tt.q, err)
			}
			after, err := db.FindAudit(ctx, "region", "", 10)
			if err != nil || !reflect.DeepEqual(after, before) {
				t.Errorf("after %s: %v %v, want %v", tt.q, after, err, before)
			}
		})
	}
}

func TestDedupeKey(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	at := time.Date(2023, 10, 24, 5, 36, 0, 0, time.UTC)
	mk := func(lat, lon float64, at time.Time, sat string) *skygrid.Hotspot {
		return &skygrid.Hotspot{Source: "VIIRS", Satellite: sat, AcqTime: at, Point: orb.Point{lon, lat}, Confidence: "n", Type: -1}
	}
	err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
		b := &skygrid.IngestBatch{File: "x", Format: "firms-viirs"}
		if err := tx.BeginBatch(ctx, b); err != nil {
			return err
		}
		first := mk(40.123451, 113.1, at, "N20")
		first.BatchID = b.ID
		if n, err := skygrid.WriteHotspots(ctx, tx, []*skygrid.Hotspot{first}); err != nil || n != 1 || first.ID == 0 {
			t.Fatalf("first: %d stored, id %d, %v", n, first.ID, err)
		}
		for _, tt := range []struct {
			name string
			h    *skygrid.Hotspot
			new  bool
		}{
			{"same 5 decimals, same minute", mk(40.123449, 113.1, at.Add(20*time.Second), "N20"), false},
			{"another position", mk(40.12346, 113.1, at, "N20"), true},
			{"another minute", mk(40.123451, 113.1, at.Add(time.Minute), "N20"), true},
			{"another satellite", mk(40.123451, 113.1, at, "N21"), true},
		} {
			tt.h.BatchID = b.ID
			known, err := tx.StoredKeys(ctx, orb.Bound{Min: orb.Point{113, 40}, Max: orb.Point{114, 41}}, at.Add(-time.Hour), at.Add(time.Hour))
			if err != nil {
				return err
			}
			if known[tt.h.Key()] == tt.new {
				t.Errorf("%s: ExistingKeys says stored=%v", tt.name, known[tt.h.Key()])
			}
			if !tt.new {
				continue // the pipeline drops it; the store does not check again
			}
			if n, err := skygrid.WriteHotspots(ctx, tx, []*skygrid.Hotspot{tt.h}); err != nil || n != 1 {
				t.Errorf("%s: %d stored, %v", tt.name, n, err)
			}
			if tt.h.ID>>20 != tt.h.AcqTime.Unix()/60 {
				t.Errorf("%s: id %d is not of minute %d", tt.name, tt.h.ID, tt.h.AcqTime.Unix()/60)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Hotspot ids are minute<<20 | sequence: unique within a minute, across
// transactions, and in time order.
func TestHotspotIDs(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	at := time.Date(2023, 10, 24, 5, 36, 0, 0, time.UTC)
	var ids []int64
	for batch := 0; batch < 2; batch++ {
		err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
			b := &skygrid.IngestBatch{File: "x"}
			if err := tx.BeginBatch(ctx, b); err != nil {
				return err
			}
			hs := []*skygrid.Hotspot{
				{Source: "VIIRS", Satellite: "N20", AcqTime: at, Point: orb.Point{113, 40 + float64(batch)/10}, BatchID: b.ID, Status: "fire"},
				{Source: "VIIRS", Satellite: "N20", AcqTime: at, Point: orb.Point{113.1, 40 + float64(batch)/10}, BatchID: b.ID, Status: "fire"},
				{Source: "VIIRS", Satellite: "N20", AcqTime: at.Add(-time.Minute), Point: orb.Point{113.1, 40 + float64(batch)/10}, BatchID: b.ID, Status: "fire"},
			}
			if _, err := skygrid.WriteHotspots(ctx, tx, hs); err != nil {
				return err
			}
			for _, h := range hs {
				ids = append(ids, h.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	m := at.Unix() / 60
	want := []int64{m<<20 | 0, m<<20 | 1, (m-1)<<20 | 0, m<<20 | 2, m<<20 | 3, (m-1)<<20 | 1}
	for i := range want {
		if ids[i] != want[i] {
			t.Errorf("ids %v, want %v", ids, want)
			break
		}
	}
	hs, n, err := db.FindHotspots(ctx, skygrid.HotspotFilter{Since: &at})
	if err != nil || n != 4 || hs[0].ID != want[4] {
		t.Errorf("since %s: %d hotspots, first %v, %v", at, n, hs, err)
	}
	until := at
	if _, n, _ := db.FindHotspots(ctx, skygrid.HotspotFilter{Until: &until}); n != 2 {
		t.Errorf("until %s: %d hotspots, want 2", until, n)
	}
}

// Every event with its task, past SQLite's 32,766 variables a statement
// (the events tile layer reads them all).
func TestFindEventsAttachesTasksBeyondSQLiteVariableLimit(t *testing.T) {
	db := storetest.NewDB(t, "many.db")
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	const n = 33000
	at := time.Date(2023, 10, 1, 0, 0, 0, 0, time.UTC)
	err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
		es := make([]*skygrid.Event, n)
		ts := make([]*skygrid.Task, n)
		for i := range es {
			es[i] = &skygrid.Event{ID: int64(i + 1), Class: skygrid.ClassOpenBurning, State: skygrid.EventOpen, FirstSeen: at, LastSeen: at,
				Point: orb.Point{113, 40}, HotspotCount: 1, AssignedBy: "none"}
			ts[i] = &skygrid.Task{EventID: int64(i + 1), State: skygrid.TaskDispatched, AckDue: at, ReportDue: at}
		}
		if err := tx.SaveResult(ctx, &skygrid.IngestResult{Events: es}); err != nil {
			return err
		}
		return tx.SaveResult(ctx, &skygrid.IngestResult{NewTasks: ts})
	})
	if err != nil {
		t.Fatal(err)
	}
	es, total, err := db.FindEvents(ctx, skygrid.EventFilter{})
	if err != nil || total != n || len(es) != n {
		t.Fatalf("%d of %d events: %v", len(es), total, err)
	}
	for _, e := range es {
		if e.Task == nil || e.Task.EventID != e.ID {
			t.Fatalf("event %d without its task", e.ID)
		}
	}
}

// A read-only transaction does not wait for a write that is running: the
// reads use deferred transactions on their own connections (WAL lets them
// read the last committed state).
func TestReadsDoNotWaitForAWrite(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
			close(started)
			<-release
			return nil
		})
	}()
	<-started
	// The reads end while the write is still open (a read that waits
	// for it would wait for ever: the write ends after the reads).
	reads := make(chan error, 1)
	go func() {
		_, _, err := db.FindTasks(ctx, skygrid.TaskFilter{})
		if err == nil {
			_, _, err = db.FindEvents(ctx, skygrid.EventFilter{})
		}
		reads <- err
	}()
	select {
	case err := <-reads:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Error("the reads waited 30 s for the open write")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Statistics work on an in-memory database too (one connection: the
// events' figures are read in the same transaction, not beside it).
func TestStatsInMemory(t *testing.T) {
	storetest.SkipPostgres(t, "an in-memory database")
	db := store.NewDB(":memory:")
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := db.Stats(ctx, skygrid.StatsQuery{Since: time.Date(2023, 10, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2023, 11, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil || st.Total == nil || st.YearAgo == nil {
		t.Fatalf("%v %+v", err, st)
	}
}

// A token's request does not wait for the write lock to note its last
// use (an ingest may hold it for long): the use is written once the lock
// is free, and Close waits for it.
func TestTokenUseDoesNotWaitForAWrite(t *testing.T) {
	path := storetest.DSN(t, "tok.db")
	db := store.NewDB(path)
	now := time.Date(2024, 3, 1, 2, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	u := &skygrid.User{Name: "ops", Role: skygrid.RoleAdmin}
	if err := db.CreateUser(ctx, u, "x"); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateToken(ctx, "hash", u.ID, "script"); err != nil {
		t.Fatal(err)
	}
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
			close(started)
			<-release
			return nil
		})
	}()
	<-started
	used := make(chan error, 20)
	for range 20 {
		go func() { _, err := db.TokenUser(ctx, "hash"); used <- err }()
	}
	for range 20 {
		select {
		case err := <-used:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(30 * time.Second): // ends only when the write does
			t.Fatal("a token's request waited for the open write")
		}
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = store.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ts, err := db.FindTokens(ctx, skygrid.TokenFilter{})
	if err != nil || len(ts) != 1 || !ts[0].LastUsed.Equal(now) {
		t.Fatalf("after the write: %v %+v", err, ts[0])
	}
}
