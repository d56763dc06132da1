// Package loadtest drives the HJ 212 receiver with simulated devices on
// persistent connections, paced to a packet rate, and measures what the
// issue asks of it: readings lost or duplicated, the time from a packet
// received to its StoreReadings returned, and the process's peak RSS. The
// sink is the caller's: the receiver's benchmark uses an in-memory fake,
// and a run against the SQLite store hands store.DB.
package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"skygrid"
	"skygrid/hj212"
	"skygrid/receiver"
)

// Device is one simulated monitor; the sink must know its MN and PW.
type Device struct{ MN, PW string }

// Config is one load run.
type Config struct {
	Sink     skygrid.ReadingSink
	Devices  []Device
	Rate     float64       // packets a second over all devices
	Duration time.Duration // of the paced sending, after every device connected
	// Start is the data time of each device's first packet; each further
	// packet is one minute later (a day of minute data, compressed).
	Start time.Time
	Tune  func(*receiver.Server) // limits of the server, if any
}

// Result are the figures of a run.
type Result struct {
	Devices, Sent, Answered int
	Unanswered              int // no answer within the answer timeout
	Stored                  int // sum of what StoreReadings reported new
	Lost                    int // answered, never in a StoreReadings that returned without error
	Duplicated              int // stored beyond the distinct packets sent
	Calls                   int // StoreReadings calls
	Elapsed                 time.Duration
	P50, P99, Max           time.Duration // packet received to StoreReadings returned
	PeakRSSMiB              float64       // the whole process: server and devices
}

func (r Result) String() string {
	return fmt.Sprintf("%d devices: %d packets in %.1f s (%.0f/s), %d answered, %d unanswered, %d stored in %d calls, "+
		"%d lost, %d duplicated; received to stored p50 %.2f ms, p99 %.2f ms, max %.2f ms; peak RSS %.0f MiB",
		r.Devices, r.Sent, r.Elapsed.Seconds(), float64(r.Sent)/r.Elapsed.Seconds(), r.Answered, r.Unanswered,
		r.Stored, r.Calls, r.Lost, r.Duplicated, ms(r.P50), ms(r.P99), ms(r.Max), r.PeakRSSMiB)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// answerTimeout is how long a device waits for its 9014.
const answerTimeout = 10 * time.Second

// Run starts a receiver on 127.0.0.1 port 0, connects every device, sends
// for cfg.Duration at cfg.Rate, then shuts the receiver down.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := raiseFileLimit(2*len(cfg.Devices) + 256); err != nil {
		return Result{}, err
	}
	sink := &timedSink{inner: cfg.Sink, stored: map[string]bool{}}
	srv := &receiver.Server{Sink: sink, MaxConns: len(cfg.Devices) + 16}
	if cfg.Tune != nil {
		cfg.Tune(srv)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Result{}, fmt.Errorf("listen: %w", err)
	}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())
	conns, err := connect(ctx, ln.Addr().String(), len(cfg.Devices))
	if err != nil {
		return Result{}, err
	}
	resetPeakRSS()
	res := Result{Devices: len(cfg.Devices)}
	answered, elapsed := send(cfg, conns)
	res.Elapsed = elapsed
	for _, a := range answered {
		res.Sent += a.sent
		res.Answered += len(a.qns)
		res.Unanswered += a.sent - len(a.qns)
	}
	sink.result(&res, cfg.Devices, answered)
	res.PeakRSSMiB = peakRSS()
	return res, nil
}

// connect opens n connections, 64 dialling at a time.
func connect(ctx context.Context, addr string, n int) ([]net.Conn, error) {
	conns := make([]net.Conn, n)
	errs := make([]error, n)
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	var d net.Dialer
	for i := range conns {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			conns[i], errs[i] = d.DialContext(ctx, "tcp", addr)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
		return nil, fmt.Errorf("connect %d devices: %w", n, err)
	}
	return conns, nil
}

// deviceLog is what one device sent and had answered.
type deviceLog struct {
	sent int
	qns  []string
}

// send runs every device, each its share of the rate, spread evenly.
func send(cfg Config, conns []net.Conn) ([]deviceLog, time.Duration) {
	n := len(cfg.Devices)
	period := time.Duration(float64(n) / cfg.Rate * float64(time.Second))
	logs := make([]deviceLog, n)
	begin := time.Now()
	end := begin.Add(cfg.Duration)
	var wg sync.WaitGroup
	for i, dev := range cfg.Devices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conns[i].Close()
			first := begin.Add(time.Duration(i) * period / time.Duration(n))
			logs[i] = runDevice(conns[i], dev, cfg.Start, first, period, end)
		}()
	}
	wg.Wait()
	return logs, time.Since(begin)
}

// runDevice sends a real-time packet every period from first until end,
// each waiting for its answer.
func runDevice(c net.Conn, dev Device, start, first time.Time, period time.Duration, end time.Time) deviceLog {
	var log deviceLog
	rd := hj212.NewReader(c, 0)
	timer := time.NewTimer(time.Until(first))
	defer timer.Stop()
	for at := first; at.Before(end); at = at.Add(period) {
		timer.Reset(time.Until(at))
		<-timer.C
		dataTime := start.Add(time.Duration(log.sent) * time.Minute)
		qn := hj212.FormatQN(dataTime)
		if _, err := c.Write(packet(dev, qn, dataTime, log.sent)); err != nil {
			return log
		}
		log.sent++
		c.SetReadDeadline(time.Now().Add(answerTimeout))
		frame, err := rd.Next()
		if err != nil {
			return log
		}
		if p, err := hj212.Parse(frame, hj212.Lenient{}); err == nil && p.QN == qn && p.CN == hj212.CNDataAnswer {
			log.qns = append(log.qns, qn)
		}
	}
	return log
}

var beijing = time.FixedZone("CST", 8*3600)

// packet is a dust monitor's real-time packet asking for an answer.
func packet(dev Device, qn string, at time.Time, i int) []byte {
	return hj212.Frame(fmt.Sprintf("QN=%s;ST=22;CN=2011;PW=%s;MN=%s;Flag=5;CP=&&DataTime=%s;"+
		"a34002-Rtd=0.%03d,a34002-Flag=N;a34004-Rtd=0.041,a34004-Flag=N;a34001-Rtd=0.150,a34001-Flag=N;"+
		"a01001-Rtd=3.2,a01001-Flag=N;a01002-Rtd=41,a01002-Flag=N;a01007-Rtd=2.4,a01007-Flag=N;"+
		"a01008-Rtd=270,a01008-Flag=N;LA-Rtd=62.5,LA-Flag=N&&",
		qn, dev.PW, dev.MN, at.In(beijing).Format("20060102150405"), 60+i%400))
}

// raiseFileLimit raises the soft limit of open files to need (at most the
// hard limit).
func raiseFileLimit(need int) error {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return fmt.Errorf("open files limit: %w", err)
	}
	if r.Cur >= uint64(need) {
		return nil
	}
	if r.Max < uint64(need) {
		return fmt.Errorf("open files: %d needed, the hard limit is %d (raise it: ulimit -Hn)", need, r.Max)
	}
	r.Cur = uint64(need)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return fmt.Errorf("raise the open files limit to %d: %w", need, err)
	}
	return nil
}

// resetPeakRSS starts a new peak measurement (Linux; elsewhere a no-op).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the process's VmHWM in MiB, 0 where /proc is missing.
func peakRSS() float64 {
	status, _ := os.ReadFile("/proc/self/status")
	_, rest, ok := strings.Cut(string(status), "VmHWM:")
	var kb float64
	if ok {
		fmt.Sscan(rest, &kb)
	}
	return kb / 1024
}

// timedSink wraps the sink under test: it times each reading from its
// reception to StoreReadings returned, and remembers what was stored.
type timedSink struct {
	inner  skygrid.ReadingSink
	mu     sync.Mutex
	lat    []time.Duration
	stored map[string]bool // MN QN of every reading in a successful call
	mns    map[int64]string
	new    int
	calls  int
}

func (s *timedSink) MonitorByMN(ctx context.Context, mn string) (skygrid.Monitor, error) {
	m, err := s.inner.MonitorByMN(ctx, mn)
	if err == nil {
		s.mu.Lock()
		if s.mns == nil {
			s.mns = map[int64]string{}
		}
		s.mns[m.ID] = m.MN
		s.mu.Unlock()
	}
	return m, err
}

func (s *timedSink) RejectPacket(ctx context.Context, r skygrid.PacketReject) error {
	return s.inner.RejectPacket(ctx, r)
}

func (s *timedSink) StoreReadings(ctx context.Context, rs []skygrid.Reading) (int, error) {
	n, err := s.inner.StoreReadings(ctx, rs)
	done := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if err != nil {
		return n, err
	}
	s.new += n
	for _, r := range rs {
		s.lat = append(s.lat, done.Sub(r.ReceivedAt))
		s.stored[s.mns[r.MonitorID]+" "+r.QN] = true
	}
	return n, nil
}

// result fills the stored, lost, duplicated and latency figures.
func (s *timedSink) result(res *Result, devs []Device, logs []deviceLog) {
	s.mu.Lock()
	defer s.mu.Unlock()
	res.Stored, res.Calls = s.new, s.calls
	for i, l := range logs {
		for _, qn := range l.qns {
			if !s.stored[devs[i].MN+" "+qn] {
				res.Lost++
			}
		}
	}
	res.Duplicated = max(0, s.new-res.Sent)
	slices.Sort(s.lat)
	if len(s.lat) > 0 {
		res.P50, res.P99, res.Max = pct(s.lat, 0.50), pct(s.lat, 0.99), s.lat[len(s.lat)-1]
	}
}

// pct is the p-th quantile of sorted durations (nearest rank).
func pct(sorted []time.Duration, p float64) time.Duration {
	i := int(p*float64(len(sorted))+0.5) - 1
	return sorted[min(len(sorted)-1, max(0, i))]
}
