package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/hj212"
	"skygrid/internal/hj212sim"
	"skygrid/internal/storetest"
	"skygrid/store"
)

// BenchmarkServeHJ212Load is issue 15's load on the real store: `skygrid
// serve --hj212` as a subprocess on a fresh SQLite file with 5,000
// monitors; 5,000 simulated devices on persistent connections send
// real-time packets asking for answers, paced to 2,000 packets/s for 60 s.
// It reports readings lost (answered, not stored) and duplicated (stored
// beyond the packets sent), the receiver's p99 from packet received to
// reading stored (its shutdown log line), and the server's peak RSS
// (VmHWM). Run it alone (not in make test):
//
//	go test ./cmd/skygrid -run XXX -bench ServeHJ212Load -benchtime 1x
//
// SKYGRID_BENCH_SERVE adds flags to serve, e.g. "--set dust.active=[]"
// to measure without the dust rules.
func BenchmarkServeHJ212Load(b *testing.B) {
	const devices, rate, seconds = 5000, 2000, 60
	for range b.N {
		r := hj212Load(b, devices, rate, seconds)
		b.ReportMetric(float64(r.sent)/r.elapsed.Seconds(), "packets/s")
		b.ReportMetric(float64(r.lost), "lost")
		b.ReportMetric(float64(r.dup), "duplicated")
		b.ReportMetric(r.p99ms, "p99-ms")
		b.ReportMetric(r.p50ms, "p50-ms")
		b.ReportMetric(r.storeP99ms, "store-call-p99-ms")
		b.ReportMetric(r.rssMiB, "server-RSS-MiB")
		b.Logf("%d devices: %d sent, %d answered, %d stored, %d lost, %d duplicated in %.1f s; received to stored p50 %.1f ms p99 %.1f ms (StoreReadings calls p99 %.1f ms); server VmHWM %.0f MiB",
			devices, r.sent, r.answered, r.stored, r.lost, r.dup, r.elapsed.Seconds(), r.p50ms, r.p99ms, r.storeP99ms, r.rssMiB)
	}
}

type loadFigures struct {
	sent, answered, stored, lost, dup int64
	elapsed                           time.Duration
	p50ms, p99ms, storeP99ms, rssMiB  float64
}

func hj212Load(b *testing.B, devices int, rate float64, seconds int) loadFigures {
	b.Helper()
	raiseOpenFiles(b, uint64(2*devices+512))
	db := storetest.DSN(b, "load.db")
	devs := make([]hj212sim.Device, devices)
	for i := range devs {
		devs[i] = hj212sim.Device{MN: fmt.Sprintf("LOAD%05d", i), PW: "123456", CN: hj212.CNRealtime,
			Name: fmt.Sprintf("示例负载 %d", i), Lon: 113 + float64(i%100)/100, Lat: 39.5 + float64(i/100)/100}
	}
	importDevices(b, db, devs)
	srv := startHJ212Serve(b, db, freePort(b), strings.Fields(os.Getenv("SKYGRID_BENCH_SERVE"))...)
	each := int(rate * float64(seconds) / float64(devices)) // packets per device
	f := &hj212sim.Fleet{Addr: srv.addr, Devices: devs, Clock: hj212sim.Clock{Start: simStart}, Rate: rate,
		Until: simStart.Add(time.Duration(each) * time.Minute), Timeout: 10 * time.Second, Heartbeat: -1}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(3*seconds)*time.Second)
	defer cancel()
	b.ResetTimer()
	begin := time.Now()
	if err := f.Run(ctx); err != nil {
		b.Fatalf("fleet: %v (counts %+v)", err, f.Counts())
	}
	elapsed := time.Since(begin)
	b.StopTimer()
	rss := vmHWM(b, srv.cmd.Process.Pid)
	srv.stop(b)
	c := f.Counts()
	stored := countStored(b, db, devs, each)
	fig := loadFigures{sent: c.Sent, answered: c.Answered, stored: stored, elapsed: elapsed, rssMiB: rss,
		lost: max(0, c.Answered-stored), dup: max(0, stored-c.Sent)}
	fig.p50ms, fig.p99ms = logFigure(b, srv.log(), "p50_ms"), logFigure(b, srv.log(), "p99_ms")
	fig.storeP99ms = logFigure(b, srv.log(), "store_p99_ms")
	b.Log(regexp.MustCompile(`.*received to stored.*`).FindString(srv.log()))
	return fig
}

// countStored counts the readings of every device over the fleet's span.
func countStored(b *testing.B, path string, devs []hj212sim.Device, each int) int64 {
	db := store.NewDB(path)
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var n int64
	for _, d := range devs {
		m, err := db.MonitorByMN(context.Background(), d.MN)
		if err != nil {
			b.Fatal(err)
		}
		ps, err := db.ReadingSeries(context.Background(), m.ID, simStart, simStart.Add(time.Duration(each)*time.Minute), skygrid.ResMinute)
		if err != nil {
			b.Fatal(err)
		}
		n += int64(len(ps))
	}
	return n
}

// vmHWM is a process's peak resident set in MiB, from /proc.
func vmHWM(b *testing.B, pid int) float64 {
	s, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(s), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb / 1024
		}
	}
	b.Fatal("no VmHWM in /proc status")
	return 0
}

// logFigure reads key=value from the receiver's shutdown log line.
func logFigure(b *testing.B, log, key string) float64 {
	m := regexp.MustCompile(`received to stored.* ` + key + `=([0-9.]+)`).FindStringSubmatch(log)
	if m == nil {
		b.Fatalf("no %s in the server's log:\n%s", key, log[max(0, len(log)-2000):])
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}
