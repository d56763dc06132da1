package dispatch_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"skygrid"
	"skygrid/internal/hj212sim"
	"skygrid/receiver"
)

// flakyListener hands out connections that drop every dropEvery-th write
// (a 9014 answer) and close instead: the device times out or sees the
// connection broken, dials again and resends the packet not answered.
type flakyListener struct {
	net.Listener
	dropEvery int
	dropped   atomic.Int64
}

func (l *flakyListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &flakyConn{Conn: c, l: l}, nil
}

type flakyConn struct {
	net.Conn
	l      *flakyListener
	writes int
}

func (c *flakyConn) Write(b []byte) (int, error) {
	c.writes++
	if c.writes%c.l.dropEvery == 0 {
		c.l.dropped.Add(1)
		c.Conn.Close()
		return 0, net.ErrClosed
	}
	return c.Conn.Write(b)
}

// Must show (issue 15): a real receiver on 127.0.0.1 with the real store
// and the dust checker; three simulated devices send an hour of minute
// packets (09:00-09:59 Beijing, the hour compressed: the packets carry
// their data time, and the receiver's, store's and checker's clock is the
// fleet's simulated time). Every packet asks for an answer and gets its
// 9014; the receiver drops every 7th answer with the connection, so
// devices reconnect and resend: each reading is stored once. The
// exceeding site gets exactly one task, the others none; the monitor
// silent from 09:20 gets one after 30 minutes without data, not before.
func TestReceiverReadingsBecomeTasks(t *testing.T) {
	w := dustWorld(t)
	ctx := context.Background()
	const speed = 1200.0 // simulated seconds per real second: a minute in 50 ms
	var r0 time.Time
	sim := func() time.Time { return day9.Add(time.Duration(float64(time.Since(r0)) * speed)) }
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fl := &flakyListener{Listener: ln, dropEvery: 7}
	srv := &receiver.Server{Sink: w.checker, Clock: func() time.Time { return sim() }, BatchWindow: 5 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	served := make(chan error, 1)
	fleet := &hj212sim.Fleet{Addr: ln.Addr().String(), Clock: hj212sim.Clock{Start: day9, Speed: speed},
		Until: day9.Add(time.Hour), Air: hj212sim.Air{PM10: 40, PM25Ratio: 0.5}, Timeout: 200 * time.Millisecond, Heartbeat: -1,
		Devices: []hj212sim.Device{
			{MN: "DEMOC01", PW: "123456", Profile: hj212sim.Profile{ExceedHours: []int{9}, ExceedBy: 400}},
			{MN: "DEMOC02", PW: "123456"},
			{MN: "DEMOC03", PW: "123456", Profile: hj212sim.Profile{SilentAfter: 20 * time.Minute}},
		}}
	r0 = time.Now() // before the server and the fleet start
	w.checker.Now = sim
	go func() { served <- srv.Serve(fl) }()
	runCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := fleet.Run(runCtx); err != nil {
		t.Fatalf("fleet: %v", err)
	}
	stop, cancelStop := context.WithTimeout(ctx, 5*time.Second)
	defer cancelStop()
	if err := srv.Shutdown(stop); err != nil {
		t.Fatal(err)
	}
	if err := <-served; !errors.Is(err, receiver.ErrServerClosed) {
		t.Fatalf("serve: %v", err)
	}
	c := fleet.Counts()
	if c.Sent != 60+60+20 || c.Answered != c.Sent || c.Resent == 0 || fl.dropped.Load() == 0 {
		t.Errorf("fleet %+v, %d answers dropped: want 140 sent, each answered, some resent", c, fl.dropped.Load())
	}
	for _, tt := range []struct {
		mn   string
		want int
	}{{"DEMOC01", 60}, {"DEMOC02", 60}, {"DEMOC03", 20}} {
		rs, err := w.db.Readings(ctx, w.monitors[tt.mn], day9.Add(-time.Hour), day9.Add(2*time.Hour))
		if err != nil || len(rs) != tt.want {
			t.Errorf("%s: %d readings stored, %v; want %d, once each", tt.mn, len(rs), err, tt.want)
		}
	}
	checkTasks(t, w, map[string]int{"DEMOC01/" + skygrid.ClassDustExceedance: 1})
	// The silent monitor: its last reading was received near 09:19 (sim).
	last, ok, err := w.db.Latest(ctx, w.monitors["DEMOC03"], "", day9.Add(2*time.Hour))
	if err != nil || !ok || !last.At.Equal(day9.Add(19*time.Minute)) {
		t.Fatalf("latest of DEMOC03: %+v %v %v", last, ok, err)
	}
	for _, tt := range []struct {
		name  string
		now   time.Time
		tasks map[string]int
	}{
		{"a second before the window", last.ReceivedAt.Add(30*time.Minute - time.Second), map[string]int{"DEMOC01/" + skygrid.ClassDustExceedance: 1}},
		{"after the window", last.ReceivedAt.Add(30 * time.Minute), map[string]int{"DEMOC01/" + skygrid.ClassDustExceedance: 1, "DEMOC03/" + skygrid.ClassMonitorOffline: 1}},
		{"ticks later", last.ReceivedAt.Add(50 * time.Minute), map[string]int{"DEMOC01/" + skygrid.ClassDustExceedance: 1, "DEMOC03/" + skygrid.ClassMonitorOffline: 1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w.clock.Set(tt.now)
			w.checker.Now = w.clock.Now
			if _, err := w.checker.Tick(ctx, tt.now); err != nil {
				t.Fatal(err)
			}
			checkTasks(t, w, tt.tasks)
		})
	}
}

// checkTasks compares the dust tasks of monitors (MN/class: count) with
// want; the inspection task of the world's site without video is left out.
func checkTasks(t *testing.T, w *dustWorldT, want map[string]int) {
	t.Helper()
	mns := map[int64]string{}
	for mn, id := range w.monitors {
		mns[id] = mn
	}
	got := map[string]int{}
	for _, tk := range w.tasks(t) {
		e, err := w.db.FindEventByID(context.Background(), tk.EventID)
		if err != nil {
			t.Fatal(err)
		}
		if e.MonitorID != nil {
			got[mns[*e.MonitorID]+"/"+e.Class]++
		}
	}
	if len(got) != len(want) {
		t.Errorf("tasks %v, want %v", got, want)
		return
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("tasks %v, want %v", got, want)
			return
		}
	}
}
