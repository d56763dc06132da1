package hj212sim

import (
	"context"
	"sync"
	"time"
)

// Clock is the fleet's simulated time: Start at the fleet's start, running
// Speed simulated seconds per real second (0 means 1, real time).
type Clock struct {
	Start time.Time
	Speed float64
}

// Fleet runs devices on persistent connections to one receiver, each
// sending a packet per simulated Interval, spread evenly over it.
type Fleet struct {
	Addr    string
	Devices []Device
	Clock   Clock
	// Rate, when above 0, is the packets per second of the whole fleet: it
	// sets the clock's speed to Rate × Interval / len(Devices).
	Rate float64
	// Interval is the simulated time between a device's packets (default a
	// minute); data times are multiples of it.
	Interval time.Duration
	// Until, when set, is the simulated time at which the devices stop:
	// the last packet is the last data time before it.
	Until time.Time
	// Air is the city's air (default DatongAir); Seed varies the noise.
	Air  Air
	Seed uint64
	// Timeout and Heartbeat as in Link.
	Timeout, Heartbeat time.Duration
	// FirstTogether sends every device's first packet as the fleet starts
	// (its QN the clock's start); the later packets keep their spread.
	FirstTogether bool
}

// schedule is one device's timetable.
type schedule struct {
	r0       time.Time     // real time of packet 0
	period   time.Duration // real time between packets
	t0       time.Time     // data time of packet 0
	qn0      time.Time     // simulated time packet 0 is sent (its QN)
	interval time.Duration
	until    time.Time // data times before it are sent; zero none
	air      Air
	key      uint64
	// first, when set, is the real time of packet 0 (FirstTogether), firstQN its QN
	first, firstQN time.Time
}

// due is the real time packet k is sent at and its QN.
func (s schedule) due(k int) (time.Time, time.Time) {
	if k == 0 && !s.first.IsZero() {
		return s.first, s.firstQN
	}
	return s.r0.Add(time.Duration(k) * s.period), s.qn0.Add(time.Duration(k) * s.interval)
}

// Run runs the fleet until ctx ends or every device reached Until (or went
// silent). It returns ctx's error only when ctx ended first.
func (f *Fleet) Run(ctx context.Context) error {
	if len(f.Devices) == 0 {
		return nil
	}
	air := f.Air
	if air.PM10 == 0 {
		var err error
		if air, err = DatongAir(); err != nil {
			return err
		}
	}
	link := &Link{Addr: f.Addr, Timeout: f.Timeout, Heartbeat: f.Heartbeat}
	scheds := f.schedules(time.Now(), air)
	var wg sync.WaitGroup
	for i := range f.Devices {
		d, s := &f.Devices[i], scheds[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.run(ctx, link, s)
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// schedules are the devices' timetables from real time r0: the packets of
// device i are due i/N of a period after those of device 0.
func (f *Fleet) schedules(r0 time.Time, air Air) []schedule {
	interval := f.Interval
	if interval <= 0 {
		interval = time.Minute
	}
	speed := f.Clock.Speed
	if f.Rate > 0 {
		speed = f.Rate * interval.Seconds() / float64(len(f.Devices))
	}
	if speed <= 0 {
		speed = 1
	}
	period := time.Duration(float64(interval) / speed)
	t0 := f.Clock.Start.Truncate(interval)
	out := make([]schedule, len(f.Devices))
	for i := range f.Devices {
		d := &f.Devices[i]
		offset := period * time.Duration(i) / time.Duration(len(f.Devices))
		s := schedule{r0: r0.Add(offset), period: period, t0: t0, interval: interval,
			qn0: f.Clock.Start.Add(time.Duration(float64(offset) * speed)), air: air,
			key: deviceKey(f.Seed, d.MN), until: f.Until}
		if f.FirstTogether {
			s.first, s.firstQN = r0, f.Clock.Start
		}
		if d.Profile.SilentAfter > 0 && (s.until.IsZero() || f.Clock.Start.Add(d.Profile.SilentAfter).Before(s.until)) {
			s.until = f.Clock.Start.Add(d.Profile.SilentAfter)
		}
		out[i] = s
	}
	return out
}

// Counts sums the devices' counters.
func (f *Fleet) Counts() Counts {
	var c Counts
	for i := range f.Devices {
		n := f.Devices[i].Counts()
		c.Sent += n.Sent
		c.Answered += n.Answered
		c.Resent += n.Resent
		c.Heartbeats += n.Heartbeats
	}
	return c
}

// run sends the device's packets on its timetable, heartbeats between them
// when idle, until ctx ends or the data time reaches s.until.
func (d *Device) run(ctx context.Context, link *Link, s schedule) {
	c := newConn(d, link)
	defer c.close()
	for k := 0; ; k++ {
		at := s.t0.Add(time.Duration(k) * s.interval)
		if !s.until.IsZero() && !at.Before(s.until) {
			return
		}
		due, qn := s.due(k)
		if !c.idle(ctx, due, s) {
			return
		}
		v := d.Profile.At(s.air, s.key, at)
		c.seg = appendSegment(c.seg[:0], d, qn, at, &v)
		c.pkt = appendFrame(c.pkt[:0], c.seg, d.Lenient)
		if c.send(ctx, string(c.seg[3:20])) != nil {
			return
		}
	}
}

// idle waits until due, sending heartbeats when the connection has been
// quiet for link.Heartbeat; false when ctx ended.
func (c *conn) idle(ctx context.Context, due time.Time, s schedule) bool {
	hb := c.link.Heartbeat
	if hb == 0 {
		hb = 30 * time.Second
	}
	for {
		now := time.Now()
		if hb < 0 || c.c == nil || c.last.Add(hb).After(due) || now.After(due) {
			return sleep(ctx, time.Until(due))
		}
		if !sleep(ctx, time.Until(c.last.Add(hb))) {
			return false
		}
		// the heartbeat's QN: the simulated time now
		elapsed := float64(time.Since(s.r0)) * float64(s.interval) / float64(s.period)
		c.heartbeat(s.qn0.Add(time.Duration(elapsed)))
	}
}
