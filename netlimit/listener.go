// Package netlimit bounds what clients may hold of a server: a listener
// with a connection cap (in all and per client address) and a small
// reserve kept for health checks (Listener), and a token bucket per client
// address (Limiter). The HTTP server (package api) uses both; any TCP
// listener can (the HJ 212 listener of the dust monitors is to take the
// same Listener and Limiter). Imports the standard library only.
package netlimit

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Options are a Listener's caps. Zero values cap nothing.
type Options struct {
	// Max is the most connections served at once (0: no cap).
	Max int
	// PerAddress is the most connections one client address holds at
	// once (0: no cap); IPv6 addresses count by their /64 (AddrKey).
	PerAddress int
	// Reserve is how many connections beyond the caps are still taken,
	// into a reserve: Reserved tells them, their deadlines never pass
	// ReserveLifetime from their accept, and when the reserve is full the
	// oldest in it is closed for the newcomer (so that clients who hold
	// connections cannot keep a health check out). 0: connections beyond
	// the caps are closed at once.
	Reserve int
	// ReserveLifetime bounds a reserved connection's life (default 2 s).
	ReserveLifetime time.Duration
}

// Listener is a net.Listener with Options' caps. Connections beyond them
// are accepted and closed at once (or reserved), so that the kernel's
// backlog does not fill with clients waiting for nothing.
type Listener struct {
	net.Listener
	opt     Options
	mu      sync.Mutex
	active  int
	perAddr map[string]int
	reserve []*conn // oldest first
	refused atomic.Int64
}

// Listen wraps ln with the caps of opt.
func Listen(ln net.Listener, opt Options) *Listener {
	if opt.ReserveLifetime <= 0 {
		opt.ReserveLifetime = 2 * time.Second
	}
	return &Listener{Listener: ln, opt: opt, perAddr: map[string]int{}}
}

// Stats are a Listener's counts now.
type Stats struct {
	// Active and Reserved are the connections open; Refused counts the
	// connections closed at once (and reserved ones evicted) so far.
	Active, Reserved int
	Refused          int64
}

// Stats returns the listener's counts.
func (l *Listener) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return Stats{Active: l.active, Reserved: len(l.reserve), Refused: l.refused.Load()}
}

// Accept waits for a connection within the caps, or for one to reserve.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		key := AddrKey(c.RemoteAddr().String())
		l.mu.Lock()
		if (l.opt.Max <= 0 || l.active < l.opt.Max) && (l.opt.PerAddress <= 0 || l.perAddr[key] < l.opt.PerAddress) {
			l.active++
			l.perAddr[key]++
			l.mu.Unlock()
			return &conn{Conn: c, l: l, key: key}, nil
		}
		if l.opt.Reserve <= 0 {
			l.mu.Unlock()
			l.refused.Add(1)
			c.Close()
			continue
		}
		var evict *conn
		if len(l.reserve) >= l.opt.Reserve {
			evict, l.reserve = l.reserve[0], l.reserve[1:]
		}
		rc := &conn{Conn: c, l: l, key: key, reserved: true, until: time.Now().Add(l.opt.ReserveLifetime)}
		l.reserve = append(l.reserve, rc)
		l.mu.Unlock()
		if evict != nil {
			l.refused.Add(1)
			evict.Close()
		}
		rc.Conn.SetDeadline(rc.until)
		return rc, nil
	}
}

// release forgets a closed connection.
func (l *Listener) release(c *conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c.reserved {
		for i, r := range l.reserve {
			if r == c {
				l.reserve = append(l.reserve[:i], l.reserve[i+1:]...)
				break
			}
		}
		return
	}
	l.active--
	if l.perAddr[c.key]--; l.perAddr[c.key] <= 0 {
		delete(l.perAddr, c.key)
	}
}

// Reserved reports whether c was accepted beyond the caps, into the
// reserve: a server answers only its health check on it, then closes it.
func Reserved(c net.Conn) bool {
	rc, ok := c.(*conn)
	return ok && rc.reserved
}

// conn is an accepted connection, counted until closed.
type conn struct {
	net.Conn
	l        *Listener
	key      string
	reserved bool
	until    time.Time // a reserved connection's end
	once     sync.Once
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c) })
	return err
}

// clamp keeps a reserved connection's deadlines within its life.
func (c *conn) clamp(t time.Time) time.Time {
	if c.reserved && (t.IsZero() || t.After(c.until)) {
		return c.until
	}
	return t
}

func (c *conn) SetDeadline(t time.Time) error      { return c.Conn.SetDeadline(c.clamp(t)) }
func (c *conn) SetReadDeadline(t time.Time) error  { return c.Conn.SetReadDeadline(c.clamp(t)) }
func (c *conn) SetWriteDeadline(t time.Time) error { return c.Conn.SetWriteDeadline(c.clamp(t)) }

// AddrKey is the key a client address counts under: the IP of "host:port"
// or of a bare IP, an IPv6 address by its /64 (one subscriber's block).
// Text that is no IP is its own key.
func AddrKey(addr string) string {
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
