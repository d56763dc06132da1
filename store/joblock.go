package store

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Scheduled jobs (the FIRMS pull, the outbox worker, the escalation
// clock...) run once cluster-wide: several skygrid servers on one
// PostgreSQL database each ask for a job's lock, and only the holder runs
// the job. The locks are PostgreSQL session advisory locks taken on one
// connection of the server's own (not the pools'): a server that dies
// loses that connection, PostgreSQL releases its locks, and another
// server takes them at its next poll. On SQLite (one machine, one
// server) every lock is held at once.

// DefaultJobPoll is how often a server asks for the jobs it does not hold
// and checks that its lock connection is alive.
const DefaultJobPoll = 5 * time.Second

// Jobs runs scheduled jobs under their cluster-wide locks.
type Jobs struct {
	db *DB
	// Poll is how often a lock not held is asked for again, and the held
	// ones' connection checked (0: DefaultJobPoll).
	Poll time.Duration
	// Changed, when set, is told when a job's lock is taken or lost (err
	// says why it was lost or could not be asked for).
	Changed func(job string, held bool, err error)

	mu   sync.Mutex // guards what follows (one statement at a time on conn)
	conn *pgx.Conn
	gen  int // counts connections: a lock held on an older one is lost
	held map[string]bool
}

// Jobs returns the job locks of this server's database.
func (db *DB) Jobs() *Jobs { return &Jobs{db: db, held: map[string]bool{}} }

// jobKey is a job's advisory lock key (not the write lock's, pgdriver.go).
func jobKey(job string) int64 {
	h := fnv.New64a()
	h.Write([]byte("skygrid job " + job))
	return int64(h.Sum64())
}

// check is how often a holder checks its lock connection: a quarter of
// the poll, so a holder whose connection died stops (within a check)
// before a server that took the freed lock starts (it waits settle).
func (j *Jobs) check() time.Duration { return j.poll() / 4 }

// settle waits, after a lock is taken, for twice the holders' check: the
// lock may have been freed by a holder whose connection died and who has
// not noticed yet, and two servers must never run a job at once. False
// when ctx ended meanwhile.
func (j *Jobs) settle(ctx context.Context) bool {
	t := time.NewTimer(2 * j.check())
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (j *Jobs) poll() time.Duration {
	if j.Poll > 0 {
		return j.Poll
	}
	return DefaultJobPoll
}

// Run runs fn while this server holds job's lock, until ctx ends or fn
// returns by itself: fn's context is cancelled when the lock is lost (its
// connection gone), and the lock is asked for again every Poll. On SQLite
// fn runs at once.
func (j *Jobs) Run(ctx context.Context, job string, fn func(ctx context.Context)) {
	if !j.db.postgres {
		j.setHeld(job, true, nil)
		fn(ctx)
		j.setHeld(job, false, nil)
		return
	}
	t := time.NewTicker(j.poll())
	defer t.Stop()
	for {
		if gen, ok, err := j.tryLock(ctx, job); ok {
			if !j.settle(ctx) {
				j.unlock(job, gen)
				return
			}
			j.setHeld(job, true, nil)
			over, err := j.runHeld(ctx, job, gen, fn)
			j.setHeld(job, false, err)
			if over {
				return
			}
		} else if err != nil && ctx.Err() == nil {
			j.report(job, false, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// runHeld runs fn until ctx ends or fn returns (over: the lock is
// released), or the lock's connection is found gone at a tick (then fn is
// cancelled: the lock is lost).
func (j *Jobs) runHeld(ctx context.Context, job string, gen int, fn func(ctx context.Context)) (over bool, err error) {
	check := time.NewTicker(j.check())
	defer check.Stop()
	tick := check.C
	jctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(jctx)
	}()
	defer func() { cancel(); <-done }()
	for {
		select {
		case <-ctx.Done():
			cancel()
			<-done
			j.unlock(job, gen)
			return true, nil
		case <-done:
			j.unlock(job, gen)
			return true, nil
		case <-tick:
			if err := j.alive(ctx, gen); err != nil {
				return false, fmt.Errorf("job %s: lock lost: %w", job, err)
			}
		}
	}
}

// tryLock asks for job's lock on the lock connection (connecting first
// when there is none), and says on which connection it is held.
func (j *Jobs) tryLock(ctx context.Context, job string) (gen int, ok bool, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.conn == nil || j.conn.IsClosed() {
		if err := j.connect(ctx); err != nil {
			return 0, false, err
		}
	}
	if err := j.conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, jobKey(job)).Scan(&ok); err != nil {
		j.drop()
		return 0, false, fmt.Errorf("job %s: ask for its lock: %w", job, err)
	}
	return j.gen, ok, nil
}

// connect opens the lock connection (j.mu held).
func (j *Jobs) connect(ctx context.Context) error {
	cfg, err := pgx.ParseConfig(j.db.DSN)
	if err != nil {
		return fmt.Errorf("job locks: %w", err)
	}
	cfg.RuntimeParams["application_name"] = "skygrid job locks"
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, cfg)
	if err != nil {
		return fmt.Errorf("job locks: connect to %s: %w", RedactDSN(j.db.DSN), err)
	}
	j.conn = conn
	j.gen++
	return nil
}

// drop closes the lock connection: every lock on it is lost (j.mu held).
func (j *Jobs) drop() {
	if j.conn != nil {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		j.conn.Close(cctx)
		cancel()
		j.conn = nil
	}
}

// alive checks that the connection of generation gen still answers.
func (j *Jobs) alive(ctx context.Context, gen int) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.conn == nil || j.gen != gen {
		return fmt.Errorf("the lock connection was closed")
	}
	qctx, cancel := context.WithTimeout(ctx, j.poll()+5*time.Second)
	defer cancel()
	if _, err := j.conn.Exec(qctx, `SELECT 1`); err != nil {
		if ctx.Err() == nil {
			j.drop()
		}
		return fmt.Errorf("check the lock connection: %w", err)
	}
	return nil
}

// unlock releases job's lock if it is still on connection gen.
func (j *Jobs) unlock(job string, gen int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.conn == nil || j.gen != gen {
		return
	}
	cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := j.conn.Exec(cctx, `SELECT pg_advisory_unlock($1)`, jobKey(job)); err != nil {
		j.drop() // the connection is in doubt: closing it releases the lock
	}
}

func (j *Jobs) setHeld(job string, held bool, err error) {
	j.mu.Lock()
	j.held[job] = held
	j.mu.Unlock()
	j.report(job, held, err)
}

func (j *Jobs) report(job string, held bool, err error) {
	if j.Changed != nil {
		j.Changed(job, held, err)
	}
}

// Held are the jobs whose lock this server holds, by name.
func (j *Jobs) Held() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []string
	for job, h := range j.held {
		if h {
			out = append(out, job)
		}
	}
	slices.Sort(out)
	return out
}

// Close closes the lock connection (its locks are released).
func (j *Jobs) Close() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.drop()
}
