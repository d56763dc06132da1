package receiver_test

import (
	"context"
	"flag"
	"fmt"
	"testing"
	"time"

	"skygrid"
	"skygrid/receiver/loadtest"
)

var (
	loadDevices  = flag.Int("load.devices", 5000, "BenchmarkReceiver: simulated devices on persistent connections")
	loadRate     = flag.Float64("load.rate", 2000, "BenchmarkReceiver: packets a second over all devices")
	loadDuration = flag.Duration("load.duration", 10*time.Second, "BenchmarkReceiver: how long the devices send (60s in the full run)")
)

// BenchmarkReceiver runs loadtest against the receiver with the in-memory
// fake sink (memSink): -load.devices devices on persistent connections,
// each sending a real-time packet that asks for an answer, paced to
// -load.rate packets a second for -load.duration. One run takes longer
// than the benchtime, so b.N is 1. The full run of docs/PERFORMANCE.md:
//
//	go test ./receiver -run '^$' -bench Receiver -benchtime 1x -args -load.duration 60s
func BenchmarkReceiver(b *testing.B) {
	devs := make([]loadtest.Device, *loadDevices)
	var ms []skygrid.Monitor
	for i := range devs {
		devs[i] = loadtest.Device{MN: fmt.Sprintf("LOAD%06d", i), PW: fmt.Sprintf("pw%06d", i)}
		ms = append(ms, skygrid.Monitor{MN: devs[i].MN, Password: devs[i].PW, Kind: skygrid.MonitorDust})
	}
	for range b.N {
		sink := newMemSink(ms...)
		sink.countOnly = true
		res, err := loadtest.Run(context.Background(), loadtest.Config{Sink: sink, Devices: devs,
			Rate: *loadRate, Duration: *loadDuration, Start: now})
		if err != nil {
			b.Fatal(err)
		}
		b.Log(res)
		if sink.count != res.Sent { // each packet sent is a distinct reading
			b.Errorf("the fake sink holds %d distinct readings of %d packets sent", sink.count, res.Sent)
		}
		if res.Lost > 0 || res.Duplicated > 0 || res.Unanswered > 0 {
			b.Errorf("%d lost, %d duplicated, %d unanswered", res.Lost, res.Duplicated, res.Unanswered)
		}
		b.ReportMetric(float64(res.Sent)/res.Elapsed.Seconds(), "packets/s")
		b.ReportMetric(float64(res.P50.Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(res.P99.Microseconds())/1000, "p99-ms")
		b.ReportMetric(res.PeakRSSMiB, "peak-RSS-MiB")
		b.ReportMetric(float64(res.Sent)/float64(max(1, res.Calls)), "readings/call")
	}
}
