package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// baseTemplate is the database every DSN copies: empty but for postgis.
const baseTemplate = "pgtest_postgis"

// cluster is the process's throwaway server.
type cluster struct {
	in    install
	dir   string // temp dir: data/, the socket, the logs
	port  int
	cred  *syscall.Credential // the postgres user's, when running as root
	mu    sync.Mutex          // guards admin (one connection, one statement at a time)
	admin *pgx.Conn
}

var (
	startOnce sync.Once
	running   *cluster
	startErr  error
)

// theCluster starts the cluster on first use (once per process).
func theCluster() (*cluster, error) {
	startOnce.Do(func() {
		in, err := findInstall()
		if err != nil {
			startErr = err
			return
		}
		running, startErr = startCluster(in)
	})
	return running, startErr
}

// startCluster runs initdb and pg_ctl start, with the watchdog in place
// first, then connects as admin and creates the postgis template.
func startCluster(in install) (*cluster, error) {
	dir, err := os.MkdirTemp("", "skygrid-pgtest-")
	if err != nil {
		return nil, fmt.Errorf("pgtest: temp dir: %w", err)
	}
	c := &cluster{in: in, dir: dir}
	if err := c.setOwner(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := startWatchdog(dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := c.initdb(); err != nil {
		return nil, err
	}
	if err := c.start(); err != nil {
		return nil, err
	}
	if err := c.connectAdmin(); err != nil {
		c.stop()
		return nil, err
	}
	if err := c.createBase(); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// setOwner: as root the server runs as the postgres user, which must own
// the directory (initdb and postgres refuse to run as root).
func (c *cluster) setOwner() error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("pgtest: running as root without a postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	if err := os.Chown(c.dir, uid, gid); err != nil {
		return fmt.Errorf("pgtest: chown %s to postgres: %w", c.dir, err)
	}
	return nil
}

// command is one of the server's binaries, run as the postgres user when
// we are root, its output going to a file (never a pipe of ours: the
// postmaster inherits it and would hold `go test` open).
func (c *cluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(c.in.bin, name), args...)
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	return cmd
}

// run runs a binary with its output in dir/<name>.out, returned on error.
func (c *cluster) run(name string, args ...string) error {
	outPath := filepath.Join(c.dir, name+".out")
	out, err := os.Create(outPath)
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	defer out.Close()
	if c.cred != nil {
		_ = out.Chown(int(c.cred.Uid), int(c.cred.Gid))
	}
	cmd := c.command(name, args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		text, _ := os.ReadFile(outPath)
		return fmt.Errorf("pgtest: %s %s: %v\n%s", name, strings.Join(args, " "), err, tail(string(text), 2000))
	}
	return nil
}

// initdb creates the cluster: superuser postgres, trust auth, UTF-8 with
// the C collation (byte order, as SQLite compares text).
func (c *cluster) initdb() error {
	return c.run("initdb", "-D", c.dataDir(), "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
}

func (c *cluster) dataDir() string { return filepath.Join(c.dir, "data") }

// start starts the server on a free port, trying another port when the
// chosen one was taken in between.
func (c *cluster) start() error {
	var err error
	for range 3 {
		if c.port, err = freePort(); err != nil {
			return err
		}
		opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories=%s "+
			"-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "+
			"-c jit=off -c autovacuum=off -c wal_level=minimal -c max_wal_senders=0",
			c.port, c.dir)
		err = c.run("pg_ctl", "-D", c.dataDir(), "-l", filepath.Join(c.dir, "server.log"),
			"-w", "-t", "60", "-o", opts, "start")
		if err == nil {
			return nil
		}
		if log, _ := os.ReadFile(filepath.Join(c.dir, "server.log")); !strings.Contains(string(log), "already in use") {
			return fmt.Errorf("%w\nserver.log: %s", err, tail(string(log), 2000))
		}
	}
	return err
}

// freePort is a 127.0.0.1 port nothing listened on a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgtest: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// url is the cluster's URL of database name.
func (c *cluster) url(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, name)
}

// connectAdmin opens the admin connection to the postgres database.
func (c *cluster) connectAdmin() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.url("postgres"))
	if err != nil {
		return fmt.Errorf("pgtest: connect to the new cluster: %w", err)
	}
	c.admin = conn
	return nil
}

// createBase creates the template every DSN copies: postgis, nothing else.
func (c *cluster) createBase() error {
	if err := c.exec("CREATE DATABASE " + ident(baseTemplate)); err != nil {
		return err
	}
	return withConn(c.url(baseTemplate), func(ctx context.Context, conn *pgx.Conn) error {
		if _, err := conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS postgis"); err != nil {
			return fmt.Errorf("pgtest: create extension postgis: %w", err)
		}
		return nil
	})
}

// stop stops the server at once and removes its directory.
func (c *cluster) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.admin != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c.admin.Close(ctx)
		cancel()
		c.admin = nil
	}
	if err := c.run("pg_ctl", "-D", c.dataDir(), "-m", "immediate", "-w", "stop"); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.RemoveAll(c.dir)
}

// watchdogScript waits for the test process ($1) to end, then stops the
// postmaster of cluster dir $2 (SIGQUIT: immediate shutdown) and removes
// the directory. It runs as root or as the test's user, so it signals the
// postmaster itself rather than running pg_ctl (which refuses root).
const watchdogScript = `p=$1; d=$2
while kill -0 "$p" 2>/dev/null; do sleep 1; done
if [ -f "$d/data/postmaster.pid" ]; then
	pm=$(head -n 1 "$d/data/postmaster.pid")
	kill -QUIT "$pm" 2>/dev/null
	i=0; while kill -0 "$pm" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
fi
rm -rf "$d"`

// startWatchdog starts the detached watchdog of cluster dir (its own
// process group, so a signal to the test's group does not reach it).
func startWatchdog(dir string) error {
	cmd := exec.Command("/bin/sh", "-c", watchdogScript, "pgtest-watchdog", strconv.Itoa(os.Getpid()), dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgtest: start the cluster's watchdog: %w", err)
	}
	return cmd.Process.Release()
}

// tail is the last n bytes of s.
func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// errUnavailable wraps why the binaries are missing.
var errUnavailable = errors.New("pgtest: PostgreSQL unavailable")
