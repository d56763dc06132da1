package receiver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"time"

	"skygrid"
	"skygrid/hj212"
)

// Defaults of the Server's limits.
const (
	DefaultIdleTimeout  = 10 * time.Minute
	DefaultMaxConns     = 10000
	DefaultGarbageLimit = 16 << 10
	DefaultBatchWindow  = 2 * time.Millisecond
	DefaultBatchMax     = 1000
	// writeTimeout bounds the writing of one answer to a device.
	writeTimeout = 10 * time.Second
)

// Server receives HJ 212-2017 packets from devices on long-lived TCP
// connections and stores their readings through Sink. The zero value of
// each limit means its default.
type Server struct {
	Sink  skygrid.ReadingSink
	Clock func() time.Time // the reception time of readings and rejects; time.Now if nil
	Log   *slog.Logger     // slog.Default() if nil

	IdleTimeout  time.Duration // a connection silent this long is closed
	MaxConns     int           // connections beyond this many are closed at once
	MaxPacket    int           // bytes of a packet, hj212.MaxFrame if 0
	GarbageLimit int64         // bytes skipped on one connection before it is closed
	BatchWindow  time.Duration // how long the write queue gathers packets into one StoreReadings
	BatchMax     int           // readings of one StoreReadings at most

	// Latency is the time from a data packet received to its readings
	// stored, of every packet stored; StoreLatency the time of each
	// StoreReadings call of the write queue (both logged by Shutdown).
	Latency, StoreLatency Latency

	// leftSaid is when each device's factors left out were last logged
	// ("MN|codes"): once an hour, not once a packet (a station sends its
	// gases every minute).
	leftSaid sync.Map

	mu       sync.Mutex
	ln       net.Listener
	conns    map[net.Conn]struct{}
	closing  bool
	wg       sync.WaitGroup
	queue    chan *job
	writerWG sync.WaitGroup
}

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = errors.New("receiver: server closed")

// Serve accepts connections on ln until Shutdown, one goroutine each.
func (s *Server) Serve(ln net.Listener) error {
	if err := s.start(ln); err != nil {
		return err
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			if s.isClosing() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("receiver: accept: %w", err)
		}
		if !s.track(c) {
			continue
		}
		go s.serveConn(c)
	}
}

// start records the listener and starts the write queue.
func (s *Server) start(ln net.Listener) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return ErrServerClosed
	}
	if s.ln != nil {
		return errors.New("receiver: Serve called twice")
	}
	s.ln, s.conns = ln, map[net.Conn]struct{}{}
	s.queue = make(chan *job, 4*s.batchMax())
	s.writerWG.Add(1)
	go s.writer(s.queue)
	return nil
}

// track counts a new connection in, or closes it when the cap is reached
// or the server is closing.
func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	max := s.MaxConns
	if max <= 0 {
		max = DefaultMaxConns
	}
	if s.closing || len(s.conns) >= max {
		c.Close()
		if !s.closing {
			s.log().Warn("hj212: connection refused, at the cap", "remote", c.RemoteAddr().String(), "max", max)
		}
		return false
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(c net.Conn) {
	c.Close()
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.wg.Done()
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// Shutdown stops accepting, wakes every connection so that it ends after
// the packet in hand (answered only if stored), waits for them until ctx
// is done, then stops the write queue.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	if s.ln != nil {
		s.ln.Close()
	}
	for c := range s.conns {
		c.SetReadDeadline(time.Now())
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		s.mu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		<-done
	}
	s.mu.Lock()
	q := s.queue
	s.queue = nil
	s.mu.Unlock()
	if q != nil {
		close(q)
		s.writerWG.Wait()
	}
	if l := s.Latency.Summary(); l.N > 0 {
		st := s.StoreLatency.Summary()
		s.log().Info("hj212: received to stored", "packets", l.N, "p50_ms", ms(l.P50), "p99_ms", ms(l.P99), "max_ms", ms(l.Max),
			"store_calls", st.N, "store_p50_ms", ms(st.P50), "store_p99_ms", ms(st.P99), "store_max_ms", ms(st.Max))
	}
	return ctx.Err()
}

// serveConn reads packets from one device until it hangs up, idles, floods
// garbage or the server shuts down. A panic ends this connection only.
func (s *Server) serveConn(c net.Conn) {
	defer s.untrack(c)
	remote := c.RemoteAddr().String()
	defer func() {
		if v := recover(); v != nil {
			s.log().Error("hj212: connection panicked", "remote", remote, "panic", v, "stack", string(debug.Stack()))
		}
	}()
	idle := s.IdleTimeout
	if idle <= 0 {
		idle = DefaultIdleTimeout
	}
	limit := s.GarbageLimit
	if limit <= 0 {
		limit = DefaultGarbageLimit
	}
	cn := &conn{s: s, c: c, remote: remote}
	rd := hj212.NewReader(c, s.MaxPacket)
	for !s.isClosing() {
		c.SetReadDeadline(time.Now().Add(idle))
		frame, err := rd.Next()
		var ref *hj212.Refusal
		switch {
		case err == nil:
			cn.packet(frame)
		case errors.As(err, &ref):
			cn.reject("", ref, nil)
		default:
			return // EOF, idle timeout, reset, shutdown
		}
		if rd.Garbage() > limit {
			cn.reject("", &hj212.Refusal{Reason: ReasonGarbage,
				Detail: fmt.Sprintf("%d bytes outside packets, the limit is %d: connection closed", rd.Garbage(), limit)}, nil)
			return
		}
	}
}

func (s *Server) now() time.Time {
	if s.Clock != nil {
		return s.Clock().UTC()
	}
	return time.Now().UTC()
}

func (s *Server) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

func (s *Server) batchMax() int {
	if s.BatchMax > 0 {
		return s.BatchMax
	}
	return DefaultBatchMax
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
