package hj212sim

import (
	"context"
	"fmt"
	"testing"
	"time"

	"skygrid"
)

// BenchmarkAppendPacket builds one minute packet of a 2017 device and one
// of a device with deviations: the allocations per packet.
func BenchmarkAppendPacket(b *testing.B) {
	air := datongAir(b)
	for _, d := range []*Device{{MN: "BENCH01", PW: "123456"}, {MN: "BENCH02", PW: "123456", OldStyle: true,
		Lenient: skygrid.MonitorLenient{LengthCountsTrailer: true, ModbusCRC: true, LowercaseHex: true}}} {
		b.Run(d.MN, func(b *testing.B) {
			c := newConn(d, &Link{})
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				at := start.Add(time.Duration(i) * time.Minute)
				v := d.Profile.At(air, 1, at)
				c.seg = appendSegment(c.seg[:0], d, at, at, &v)
				c.pkt = appendFrame(c.pkt[:0], c.seg, d.Lenient)
			}
		})
	}
}

// BenchmarkFleet5000 runs 5,000 devices on persistent connections against
// the test receiver, each sending real-time packets, the fleet paced at
// 2,000 packets a second; an op is one round (a packet from every
// device, 2.5 s). Run with -benchtime=Nx.
func BenchmarkFleet5000(b *testing.B) {
	const n, rate = 5000, 2000
	rcv := newTestReceiver(b, nil)
	rcv.discard = true
	devs := make([]Device, n)
	for i := range devs {
		devs[i] = Device{MN: fmt.Sprintf("LOAD%05d", i), PW: "123456", CN: "2011", Profile: Profile{Excess: 20}}
	}
	f := &Fleet{Addr: rcv.addr(), Devices: devs, Clock: Clock{Start: start}, Rate: rate,
		Until: start.Add(time.Duration(b.N) * time.Minute), Timeout: 10 * time.Second, Heartbeat: -1}
	b.ResetTimer()
	began := time.Now()
	if err := f.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
	secs := time.Since(began).Seconds()
	c := f.Counts()
	rcv.mu.Lock()
	took := rcv.data
	rcv.mu.Unlock()
	b.ReportMetric(float64(c.Sent)/secs, "packets/s")
	b.ReportMetric(float64(c.Resent), "resent")
	if want := int64(n * b.N); c.Sent != want || c.Answered != want || int64(took) != want {
		b.Errorf("sent %d, answered %d, the receiver took %d; want %d each", c.Sent, c.Answered, took, want)
	}
}
