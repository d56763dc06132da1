package pgtest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { Main(m) }

// query runs f on a connection to dsn.
func query(t *testing.T, dsn string, f func(ctx context.Context, conn *pgx.Conn) error) {
	t.Helper()
	if err := withConn(dsn, f); err != nil {
		t.Fatal(err)
	}
}

// dbOf is the database name of a DSN.
func dbOf(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(u.Path, "/")
}

// TestTwoDSNsAreFreshPostGISDatabases: two DSNs are two databases on one
// 127.0.0.1 server, each with postgis; a table made in one is not in the
// other; each is dropped when its test ends.
func TestTwoDSNsAreFreshPostGISDatabases(t *testing.T) {
	var first string
	t.Run("first", func(t *testing.T) {
		a, b := DSN(t), DSN(t)
		if !strings.HasPrefix(a, "postgres://postgres@127.0.0.1:") || !strings.HasSuffix(a, "?sslmode=disable") {
			t.Fatalf("DSN = %q, want postgres://postgres@127.0.0.1:PORT/NAME?sslmode=disable", a)
		}
		if dbOf(t, a) == dbOf(t, b) {
			t.Fatalf("two DSNs name one database %q", dbOf(t, a))
		}
		first = dbOf(t, a)
		query(t, a, func(ctx context.Context, conn *pgx.Conn) error {
			_, err := conn.Exec(ctx, "CREATE TABLE only_in_a (id BIGINT)")
			return err
		})
		for _, dsn := range []string{a, b} {
			var db, wkt string
			query(t, dsn, func(ctx context.Context, conn *pgx.Conn) error {
				return conn.QueryRow(ctx, "SELECT current_database(), ST_AsText(ST_SetSRID(ST_MakePoint(113.3, 40.1), 4326))").Scan(&db, &wkt)
			})
			if db != dbOf(t, dsn) || wkt != "POINT(113.3 40.1)" {
				t.Errorf("%s: current_database %q, point %q", dsn, db, wkt)
			}
		}
		var n int
		query(t, b, func(ctx context.Context, conn *pgx.Conn) error {
			return conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'").Scan(&n)
		})
		if n != 0 {
			t.Errorf("a table made in one DSN's database is in the other's")
		}
	})
	if n := countDatabases(t, first); n != 0 {
		t.Errorf("database %s still there after its test ended", first)
	}
}

// countDatabases counts databases named name on the running cluster.
func countDatabases(t *testing.T, name string) int {
	t.Helper()
	c, err := theCluster()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	query(t, c.url("postgres"), func(ctx context.Context, conn *pgx.Conn) error {
		return conn.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n)
	})
	return n
}

// TestTemplateCopies: CreateTemplate prepares once per name; DSNFrom gives
// fresh copies of it, each with the prepared rows, independent of each
// other.
func TestTemplateCopies(t *testing.T) {
	DSN(t) // skips here when PostgreSQL is missing
	prepared := 0
	prepare := func(dsn string) error {
		prepared++
		return withConn(dsn, func(ctx context.Context, conn *pgx.Conn) error {
			_, err := conn.Exec(ctx, "CREATE TABLE seeded (name TEXT); INSERT INTO seeded VALUES ('示例'), ('two')")
			return err
		})
	}
	for range 2 {
		if err := CreateTemplate("tpl_copies", prepare); err != nil {
			t.Fatal(err)
		}
	}
	if prepared != 1 {
		t.Errorf("prepare ran %d times, want once", prepared)
	}
	a, b := DSNFrom(t, "tpl_copies"), DSNFrom(t, "tpl_copies")
	query(t, a, func(ctx context.Context, conn *pgx.Conn) error {
		_, err := conn.Exec(ctx, "DELETE FROM seeded")
		return err
	})
	for _, c := range []struct {
		name string
		dsn  string
		want int
	}{{"emptied copy", a, 0}, {"other copy", b, 2}} {
		t.Run(c.name, func(t *testing.T) {
			var n int
			query(t, c.dsn, func(ctx context.Context, conn *pgx.Conn) error {
				return conn.QueryRow(ctx, "SELECT count(*) FROM seeded").Scan(&n)
			})
			if n != c.want {
				t.Errorf("seeded rows = %d, want %d", n, c.want)
			}
		})
	}
	var failed error
	if err := CreateTemplate("tpl_broken", func(string) error { return fmt.Errorf("seed failed") }); err != nil {
		failed = err
	}
	if failed == nil || !strings.Contains(failed.Error(), "seed failed") {
		t.Errorf("CreateTemplate with a failing prepare = %v, want its error", failed)
	}
}

// skipRecorder is a testing.TB whose Skip records the message and ends
// the goroutine, as testing's Skip does.
type skipRecorder struct {
	testing.TB
	skipped string
}

func (r *skipRecorder) Skip(args ...any) { r.skipped = fmt.Sprint(args...); runtime.Goexit() }
func (r *skipRecorder) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// TestMissingBinaries: with the bin dir overridden to one without the
// server, Available says what is missing and how to install it, and DSN
// skips with that message (without starting anything).
func TestMissingBinaries(t *testing.T) {
	empty := t.TempDir()
	partial := t.TempDir()
	if err := os.WriteFile(partial+"/initdb", []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, dir string
		want      []string
	}{
		{"empty dir", empty, []string{"initdb, pg_ctl, postgres", empty}},
		{"initdb only", partial, []string{"pg_ctl, postgres", partial}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(BinEnv, c.dir)
			ok, why := Available()
			if ok {
				t.Fatalf("Available() = true with %s=%s", BinEnv, c.dir)
			}
			for _, w := range append(c.want, "apt-get install -y postgresql-15-postgis-3") {
				if !strings.Contains(why, w) {
					t.Errorf("why = %q, want it to name %q", why, w)
				}
			}
			r := &skipRecorder{TB: t}
			done := make(chan struct{})
			go func() { defer close(done); DSN(r); t.Error("DSN returned instead of skipping") }()
			<-done
			if !strings.HasPrefix(r.skipped, "PostgreSQL tests skipped: ") || !strings.Contains(r.skipped, why) {
				t.Errorf("skip message = %q, want the reason %q", r.skipped, why)
			}
		})
	}
}

// TestClusterDiesWithItsProcess: a test process killed with SIGKILL (no
// Main, no cleanup) leaves no server and no directory behind: the
// watchdog stops the postmaster and removes the cluster's directory.
func TestClusterDiesWithItsProcess(t *testing.T) {
	if os.Getenv("PGTEST_CHILD") == "1" {
		DSN(t)
		fmt.Printf("cluster %s %d\n", running.dir, running.port)
		select {} // until killed
	}
	DSN(t) // skips here when PostgreSQL is missing
	cmd := exec.Command(os.Args[0], "-test.run", "^TestClusterDiesWithItsProcess$", "-test.v")
	cmd.Env = append(os.Environ(), "PGTEST_CHILD=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var dir string
	var port int
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if _, err := fmt.Sscanf(sc.Text(), "cluster %s %d", &dir, &port); err == nil {
			break
		}
	}
	if dir == "" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the child test process printed no cluster")
	}
	if !serverAnswers(port) {
		t.Fatalf("the child's server on port %d does not answer", port)
	}
	cmd.Process.Kill()
	cmd.Wait()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(dir); os.IsNotExist(err) && !serverAnswers(port) {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Errorf("30 s after the child was killed: dir %s exists or port %d still answers", dir, port)
}

// serverAnswers: something accepts TCP connections on 127.0.0.1:port.
func serverAnswers(port int) bool {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
