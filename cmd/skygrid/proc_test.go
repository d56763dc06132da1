package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"skygrid/internal/hj212sim"
	"skygrid/internal/storetest"
)

// The skygrid binary of the subprocess tests, built once per `go test`.
var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// TestMain runs the tests on the store SKYGRID_TEST_STORE chooses (a
// throwaway PostgreSQL cluster, stopped at the end, or SQLite) and removes
// the binary the subprocess tests built.
func TestMain(m *testing.M) {
	code := storetest.Run(m)
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// skygridBinary builds ./cmd/skygrid into a temporary folder (once).
func skygridBinary(tb testing.TB) string {
	tb.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "skygrid-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "skygrid")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		tb.Fatal(binErr)
	}
	return binPath
}

// freePort is a loopback address no one listens on (taken and freed), so
// that a server restarted on it is found by the devices again.
func freePort(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serveProc is a `skygrid serve --hj212` subprocess.
type serveProc struct {
	cmd  *exec.Cmd
	addr string // the receiver's address
	mu   sync.Mutex
	logs strings.Builder // its stderr (the log)
	done chan error
}

// startHJ212Serve starts `skygrid serve --db db --hj212 addr` and waits for the
// receiver's ready line.
func startHJ212Serve(tb testing.TB, db, addr string, extra ...string) *serveProc {
	tb.Helper()
	args := append([]string{"serve", "--db", db, "--data", dataDir(tb, db), "--addr", "127.0.0.1:0", "--hj212", addr}, extra...)
	p := &serveProc{cmd: exec.Command(skygridBinary(tb), args...), done: make(chan error, 1)}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() {
		io.Copy(&lockedWriter{p}, stderr)
	}()
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "hj212 receiver listening on "); ok {
				ready <- a
			}
		}
		p.done <- p.cmd.Wait()
	}()
	select {
	case p.addr = <-ready:
	case err := <-p.done:
		tb.Fatalf("skygrid serve ended before listening: %v\n%s", err, p.log())
	case <-time.After(60 * time.Second):
		p.cmd.Process.Kill()
		tb.Fatalf("skygrid serve not listening after 60 s\n%s", p.log())
	}
	return p
}

type lockedWriter struct{ p *serveProc }

func (w *lockedWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	return w.p.logs.Write(b)
}

func (p *serveProc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// kill sends SIGKILL and waits for the process to end.
func (p *serveProc) kill(tb testing.TB) {
	tb.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		tb.Fatal(err)
	}
	<-p.done
}

// stop sends SIGTERM and waits for a clean end.
func (p *serveProc) stop(tb testing.TB) {
	tb.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		tb.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			tb.Fatalf("skygrid serve: %v\n%s", err, p.log())
		}
	case <-time.After(60 * time.Second):
		p.cmd.Process.Kill()
		tb.Fatalf("skygrid serve did not stop in 60 s")
	}
}

// importDevices writes devs as a monitors CSV and imports it into db.
func importDevices(tb testing.TB, db string, devs []hj212sim.Device) {
	tb.Helper()
	csv := filepath.Join(tb.TempDir(), "monitors.csv")
	f, err := os.Create(csv)
	if err != nil {
		tb.Fatal(err)
	}
	if err := hj212sim.WriteMonitorsCSV(f, devs); err != nil {
		tb.Fatal(err)
	}
	f.Close()
	m, out, errb := testMain()
	if err := m.Run(context.Background(), []string{"import", "monitors", csv, "--db", db}); err != nil {
		tb.Fatalf("import monitors: %v\n%s%s", err, out, errb)
	}
}

// raiseOpenFiles raises this process's open-files limit (inherited by
// the servers it starts) to need, within the hard limit.
func raiseOpenFiles(tb testing.TB, need uint64) {
	tb.Helper()
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		tb.Fatal(err)
	}
	if r.Cur >= need {
		return
	}
	if r.Max < need {
		tb.Fatalf("open files: %d needed, the hard limit is %d", need, r.Max)
	}
	r.Cur = need
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		tb.Fatal(err)
	}
}
