package netlimit_test

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"skygrid/netlimit"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestLimiter(t *testing.T) {
	clk := &clock{t: time.Date(2023, 10, 24, 8, 0, 0, 0, time.UTC)}
	l := netlimit.NewLimiter(2, 5, clk.Now) // 2 a second, bursts of 5
	for i := range 5 {
		if ok, _ := l.Allow("10.0.0.1"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.Allow("10.0.0.1")
	if ok || wait != 500*time.Millisecond {
		t.Errorf("past the burst: %v, wait %s, want refused for 500ms", ok, wait)
	}
	if ok, _ := l.Allow("10.0.0.2"); !ok {
		t.Error("another address refused")
	}
	clk.Add(500 * time.Millisecond)
	if ok, _ := l.Allow("10.0.0.1"); !ok {
		t.Error("refused after its token came back")
	}
	if ok, _ := l.Allow("10.0.0.1"); ok {
		t.Error("a second request on one token")
	}
	// Full again after 2.5 s: forgotten at the next sweep.
	clk.Add(time.Minute)
	l.Allow("10.0.0.3")
	if n := l.Len(); n != 1 {
		t.Errorf("%d buckets after a quiet minute, want 1 (the new one)", n)
	}
	var none *netlimit.Limiter = netlimit.NewLimiter(0, 10, nil)
	if ok, _ := none.Allow("x"); !ok || none != nil {
		t.Error("a limiter of rate 0 limits")
	}
}

func TestAddrKey(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"192.0.2.7:5123", "192.0.2.7"},
		{"192.0.2.7", "192.0.2.7"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{"[::ffff:192.0.2.7]:80", "192.0.2.7"},
		{"pipe", "pipe"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			if got := netlimit.AddrKey(tt.in); got != tt.want {
				t.Errorf("AddrKey(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestDefaultMax(t *testing.T) {
	for _, tt := range []struct{ files, want int }{{0, 1024}, {256, 64}, {1024, 576}, {20000, 8192}, {1 << 20, 8192}} {
		if got := netlimit.DefaultMax(tt.files); got != tt.want {
			t.Errorf("DefaultMax(%d) = %d, want %d", tt.files, got, tt.want)
		}
	}
}

// accepted serves a Listener, handing over what it accepts.
func accepted(t *testing.T, opt netlimit.Options) (*netlimit.Listener, chan net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := netlimit.Listen(ln, opt)
	t.Cleanup(func() { l.Close() })
	out := make(chan net.Conn, 100)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			out <- c
		}
	}()
	return l, out
}

func dial(t *testing.T, l net.Listener) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func next(t *testing.T, ch chan net.Conn) net.Conn {
	t.Helper()
	select {
	case c := <-ch:
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("nothing accepted")
	}
	return nil
}

// closedWithin reports whether the server closed c within d.
func closedWithin(c net.Conn, d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	_, err := c.Read(make([]byte, 1))
	return errors.Is(err, io.EOF) || (err != nil && !errors.Is(err, os.ErrDeadlineExceeded))
}

func TestListenerCaps(t *testing.T) {
	t.Run("max, nothing reserved", func(t *testing.T) {
		l, ch := accepted(t, netlimit.Options{Max: 2})
		a, b := dial(t, l), dial(t, l)
		sa, sb := next(t, ch), next(t, ch)
		over := dial(t, l)
		if !closedWithin(over, time.Second) {
			t.Error("a third connection over a cap of 2 was kept")
		}
		if closedWithin(a, 200*time.Millisecond) || closedWithin(b, 200*time.Millisecond) {
			t.Error("a connection within the cap was closed")
		}
		if s := l.Stats(); s.Active != 2 || s.Refused != 1 {
			t.Errorf("stats %+v", s)
		}
		sa.Close()
		dial(t, l)
		if c := next(t, ch); netlimit.Reserved(c) {
			t.Error("a connection after one closed is reserved")
		}
		sb.Close()
	})
	t.Run("per address", func(t *testing.T) {
		l, ch := accepted(t, netlimit.Options{PerAddress: 1, Reserve: 1})
		dial(t, l)
		if c := next(t, ch); netlimit.Reserved(c) {
			t.Error("the first is reserved")
		}
		dial(t, l)
		if c := next(t, ch); !netlimit.Reserved(c) {
			t.Error("a second from one address is not reserved")
		}
	})
	t.Run("reserve: the oldest gives way, and lives briefly", func(t *testing.T) {
		l, ch := accepted(t, netlimit.Options{Max: 1, Reserve: 2, ReserveLifetime: 1500 * time.Millisecond})
		dial(t, l)
		next(t, ch)
		r1, r2 := dial(t, l), dial(t, l)
		s1, s2 := next(t, ch), next(t, ch)
		if !netlimit.Reserved(s1) || !netlimit.Reserved(s2) {
			t.Fatal("over the cap, not reserved")
		}
		r3 := dial(t, l)
		s3 := next(t, ch)
		// The server reads the oldest reserved: closed under it.
		if _, err := s1.Read(make([]byte, 1)); err == nil {
			t.Error("the oldest reserved connection was not closed for the newcomer")
		}
		if !closedWithin(r1, time.Second) {
			t.Error("the client of the evicted connection sees it open")
		}
		_ = r2
		r3.Write([]byte("x"))
		s3.SetReadDeadline(time.Time{}) // no deadline asked: its life still ends
		start := time.Now()
		buf := make([]byte, 1)
		s3.Read(buf)
		_, err := s3.Read(buf)
		if !errors.Is(err, os.ErrDeadlineExceeded) || time.Since(start) > 3*time.Second {
			t.Errorf("a reserved connection outlived its life: %v after %s", err, time.Since(start))
		}
		s2.Close()
		s3.Close()
		if s := l.Stats(); s.Reserved != 0 || s.Active != 1 {
			t.Errorf("stats after closing %+v", s)
		}
	})
}
