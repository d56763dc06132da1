package store

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"skygrid/internal/pgtest"

	"github.com/jackc/pgx/v5"
)

// jobServer is one server's job locks running job "pull" and counting
// how many run at once across servers.
type jobServer struct {
	jobs    *Jobs
	stop    context.CancelFunc // the server's end
	running atomic.Bool
	started chan struct{}
	stopped chan struct{}
}

func startJobServer(t *testing.T, ctx context.Context, dsn string, live *atomic.Int32, wg *sync.WaitGroup) *jobServer {
	db := NewDB(dsn)
	db.postgres = IsPostgres(dsn)
	ctx, stop := context.WithCancel(ctx)
	s := &jobServer{jobs: db.Jobs(), stop: stop, started: make(chan struct{}, 8), stopped: make(chan struct{}, 8)}
	// A holder checks its connection every 250 ms and a new holder waits
	// 500 ms before it runs the job: a busy machine can hold a goroutine
	// back longer than the 12 and 25 ms of a 50 ms poll.
	s.jobs.Poll = time.Second
	t.Cleanup(s.jobs.Close)
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.jobs.Run(ctx, "pull", func(ctx context.Context) {
			if n := live.Add(1); n > 1 {
				t.Errorf("%d servers run the job at once", n)
			}
			s.running.Store(true)
			s.started <- struct{}{}
			<-ctx.Done()
			s.running.Store(false)
			live.Add(-1)
			s.stopped <- struct{}{}
		})
	}()
	return s
}

// TestJobsRunOnceAndTakeOver: three servers ask for one job's lock; one
// runs it; when the holder's connection dies (its process killed: the
// backend terminated here), another takes over, and the job still runs on
// one server only.
func TestJobsRunOnceAndTakeOver(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	var live atomic.Int32
	servers := make([]*jobServer, 3)
	for i := range servers {
		servers[i] = startJobServer(t, ctx, dsn, &live, &wg)
	}
	holder := waitHolder(t, servers, nil)
	// Several polls later still one holder (the others asked and were refused).
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if n := live.Load(); n != 1 {
			t.Fatalf("%d servers run the job, want 1", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	terminate(t, dsn, holder.jobs)
	select {
	case <-holder.stopped:
	case <-time.After(30 * time.Second):
		t.Fatal("the holder whose connection died still runs the job")
	}
	// The server whose connection died is gone (killed): it asks no more.
	holder.stop()
	next := waitHolder(t, servers, holder)
	if next == holder {
		t.Fatal("the same server holds the job")
	}
	if got := next.jobs.Held(); len(got) != 1 || got[0] != "pull" {
		t.Errorf("Held() = %v, want [pull]", got)
	}
}

// waitHolder waits until one server other than not runs the job.
func waitHolder(t *testing.T, servers []*jobServer, not *jobServer) *jobServer {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, s := range servers {
			if s != not && s.running.Load() {
				return s
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no server took the job's lock within 30 s")
	return nil
}

// terminate ends the backend of j's lock connection from another
// connection, as PostgreSQL does when the server holding it dies.
func terminate(t *testing.T, dsn string, j *Jobs) {
	t.Helper()
	j.mu.Lock()
	pid := j.conn.PgConn().PID()
	j.mu.Unlock()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var ok bool
	if err := conn.QueryRow(context.Background(), `SELECT pg_terminate_backend($1)`, pid).Scan(&ok); err != nil || !ok {
		t.Fatalf("terminate backend %d: %v %v", pid, ok, err)
	}
}

// TestJobsOnSQLiteRunAtOnce: one machine, one server: every job runs at
// once and is reported held while it runs.
func TestJobsOnSQLiteRunAtOnce(t *testing.T) {
	db := NewDB(filepath.Join(t.TempDir(), "jobs.db"))
	jobs := db.Jobs()
	var changes []bool
	jobs.Changed = func(job string, held bool, err error) { changes = append(changes, held) }
	ctx, cancel := context.WithCancel(context.Background())
	ran := false
	jobs.Run(ctx, "sweep", func(ctx context.Context) {
		ran = true
		if got := jobs.Held(); len(got) != 1 || got[0] != "sweep" {
			t.Errorf("Held() while running = %v, want [sweep]", got)
		}
		cancel()
	})
	if !ran {
		t.Fatal("the job did not run")
	}
	if len(changes) != 2 || !changes[0] || changes[1] {
		t.Errorf("changes = %v, want [true false]", changes)
	}
	if got := jobs.Held(); len(got) != 0 {
		t.Errorf("Held() after = %v, want none", got)
	}
}
