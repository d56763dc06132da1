package hj212sim

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"time"

	"skygrid"
	"skygrid/hj212"
)

// Device is one simulated monitor.
type Device struct {
	MN, PW string
	// Lenient is the deviation the device commits in every packet (a
	// length field counting the trailer, the Modbus CRC, lower-case hex):
	// its monitor must be marked lenient for it.
	Lenient skygrid.MonitorLenient
	// OldStyle devices send the 2005-era names (PM10, PM25, TSP, TEM...)
	// with the particulates in µg/m³ and Flag 1.
	OldStyle bool
	// CN is the data command: hj212.CNMinute (the default) or CNRealtime.
	CN      string
	Profile Profile

	// Name, Lon, Lat and Site are what the monitors CSV says of it.
	Name     string
	Lon, Lat float64
	Site     string // the site's external id
	// Role is the device's part in a scenario (Role*).
	Role string

	// counters, read and written with sync/atomic (plain fields keep a
	// Device copyable before it runs)
	sent, answered, resent, heartbeats int64
}

// Counts are a device's counters.
type Counts struct {
	Sent, Answered, Resent, Heartbeats int64
}

// Counts reads the device's counters: data packets sent (resends not
// counted), answered, resent; heartbeats sent.
func (d *Device) Counts() Counts {
	return Counts{atomic.LoadInt64(&d.sent), atomic.LoadInt64(&d.answered), atomic.LoadInt64(&d.resent),
		atomic.LoadInt64(&d.heartbeats)}
}

func (d *Device) command() string {
	if d.CN == "" {
		return hj212.CNMinute
	}
	return d.CN
}

// Link is how a device talks to its receiver.
type Link struct {
	Addr string
	// Timeout is how long a device waits for the 9014 answer (default 5 s).
	Timeout time.Duration
	// Heartbeat is the idle time after which a heartbeat is sent (real
	// time; default 30 s, negative none).
	Heartbeat time.Duration
	// Dial dials the receiver; default net.Dialer.
	Dial func(ctx context.Context, addr string) (net.Conn, error)
}

func (l *Link) timeout() time.Duration {
	if l.Timeout <= 0 {
		return 5 * time.Second
	}
	return l.Timeout
}

// conn is a device's connection with its reader and packet buffers.
type conn struct {
	d    *Device
	link *Link
	c    net.Conn
	rd   *hj212.Reader
	seg  []byte
	pkt  []byte
	wait time.Duration // reconnection backoff
	last time.Time     // when the last packet was written (real time)
}

func newConn(d *Device, link *Link) *conn {
	return &conn{d: d, link: link, seg: make([]byte, 0, 1024), pkt: make([]byte, 0, 1100)}
}

func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
		c.c = nil
	}
}

// dial connects, waiting longer after each failure (50 ms to 5 s).
func (c *conn) dial(ctx context.Context) error {
	for c.c == nil {
		dial := c.link.Dial
		if dial == nil {
			var dl net.Dialer
			dial = func(ctx context.Context, addr string) (net.Conn, error) { return dl.DialContext(ctx, "tcp", addr) }
		}
		nc, err := dial(ctx, c.link.Addr)
		if err == nil {
			c.c, c.rd, c.wait = nc, hj212.NewReader(nc, 0), 0
			return nil
		}
		c.wait = min(max(2*c.wait, 50*time.Millisecond), 5*time.Second)
		if !sleep(ctx, c.wait) {
			return ctx.Err()
		}
	}
	return nil
}

// send writes a data packet and waits for its answer; on a timeout or a
// dropped connection it reconnects and resends the same bytes (same QN)
// until answered or ctx ends.
func (c *conn) send(ctx context.Context, qn string) error {
	first := true
	for {
		if err := c.dial(ctx); err != nil {
			return err
		}
		if first {
			atomic.AddInt64(&c.d.sent, 1)
			first = false
		} else {
			atomic.AddInt64(&c.d.resent, 1)
		}
		if c.exchange(qn) {
			atomic.AddInt64(&c.d.answered, 1)
			return nil
		}
		c.close()
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// exchange writes c.pkt and reads until the 9014 answer echoing qn; false
// on a timeout or a broken connection. Whatever else arrives is ignored.
func (c *conn) exchange(qn string) bool {
	c.last = time.Now()
	deadline := c.last.Add(c.link.timeout())
	c.c.SetDeadline(deadline)
	if _, err := c.c.Write(c.pkt); err != nil {
		return false
	}
	for {
		f, err := c.rd.Next()
		var refusal *hj212.Refusal
		switch {
		case errors.As(err, &refusal):
			continue
		case err != nil:
			return false
		}
		p, err := hj212.Parse(f, hj212.Lenient{})
		if err == nil && p.CN == hj212.CNDataAnswer && p.QN == qn {
			return true
		}
	}
}

// heartbeat writes a heartbeat without waiting for anything; a broken
// connection is closed, to be dialled again for the next packet.
func (c *conn) heartbeat(now time.Time) {
	if c.c == nil {
		return
	}
	c.seg = appendHead(c.seg[:0], c.d, now, HeartbeatCN)
	c.seg = append(c.seg, "CP=&&&&"...)
	c.pkt = appendFrame(c.pkt[:0], c.seg, c.d.Lenient)
	c.last = time.Now()
	c.c.SetWriteDeadline(c.last.Add(c.link.timeout()))
	if _, err := c.c.Write(c.pkt); err != nil {
		c.close()
		return
	}
	atomic.AddInt64(&c.d.heartbeats, 1)
}

// sleep waits d or until ctx ends; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
