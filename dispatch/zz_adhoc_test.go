package dispatch_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"skygrid/dispatch"
	"skygrid/store"
)

func BenchmarkAdhocFile(b *testing.B) {
	file := os.Getenv("S2_FILE")
	if file == "" {
		b.Skip("no S2_FILE")
	}
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		dir := b.TempDir()
		db := store.NewDB(filepath.Join(dir, "bench.db"))
		if err := db.Open(); err != nil {
			b.Fatal(err)
		}
		p := newPipeline(b, db)
		runtime.GC()
		debug.FreeOSMemory()
		resetPeakRSS()
		b.StartTimer()
		start := time.Now()
		bt, err := p.IngestFile(context.Background(), file, dispatch.IngestOptions{})
		if err != nil {
			b.Fatal(err)
		}
		el := time.Since(start)
		b.StopTimer()
		b.ReportMetric(float64(bt.Rows)/el.Seconds(), "rows/s")
		b.ReportMetric(float64(bt.EventsNew), "events")
		b.ReportMetric(float64(bt.TasksNew), "tasks")
		b.ReportMetric(peakRSS(), "peak-RSS-MiB")
		db.Close()
		b.StartTimer()
	}
}
