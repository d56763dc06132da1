package dispatch_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"math/rand"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"skygrid"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"skygrid/data"
	"skygrid/dispatch"
	"skygrid/intake"
	"skygrid/registry"
	"skygrid/store"
)

// BenchmarkOctoberSeason runs the whole October 2023 season (30 real daily
// NOAA-20 VIIRS files for the Datong box) through ingest, detect and
// dispatch, on the ten counties with generated 3 km grids, supervisors and
// the power plants loaded. Target: under 2 s.
func BenchmarkOctoberSeason(b *testing.B) {
	names, _ := fs.Glob(data.FS, data.FIRMSOctober+"/*.csv")
	files := make([][]byte, len(names))
	for i, n := range names {
		files[i], _ = fs.ReadFile(data.FS, n)
	}
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		db := MustOpenDB(b)
		importDatong(b, db, true)
		ctx := context.Background()
		grids, err := registry.GenerateGrids(ctx, db, 3000, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := db.ImportRegions(ctx, grids); err != nil {
			b.Fatal(err)
		}
		p := newPipeline(b, db)
		b.StartTimer()
		pc, err := p.LoadContext(ctx)
		if err != nil {
			b.Fatal(err)
		}
		events := 0
		for i, f := range files {
			bt, err := p.Ingest(ctx, strings.NewReader(string(f)), path.Base(names[i]), dispatch.IngestOptions{Context: pc})
			if err != nil {
				b.Fatal(err)
			}
			events += bt.EventsNew
		}
		b.ReportMetric(float64(events), "events")
	}
}

var (
	millionOnce sync.Once
	millionPath string
	millionRows int
)

// millionRowFile writes a 1,000,000-row FIRMS CSV in the standard VIIRS
// layout, in acquisition order as FIRMS writes its files. The rows are
// SYNTHETIC (made up for the benchmark): 25,000 fires over East Asia in 7
// days, each seen 36 times within 1 km over up to 12 h, and 100,000 rows
// written twice (as in a merge of two overlapping downloads).
func millionRowFile(b *testing.B) string {
	millionOnce.Do(func() {
		dir, err := os.MkdirTemp("", "skygrid-bench-")
		if err != nil {
			b.Fatal(err)
		}
		millionPath = filepath.Join(dir, "SYNTHETIC_VIIRS_1M_7d.csv")
		f, err := os.Create(millionPath)
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		fmt.Fprintln(w, "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,confidence,version,bright_ti5,frp,daynight")
		rnd := rand.New(rand.NewSource(1))
		t0 := time.Date(2023, 10, 24, 0, 0, 0, 0, time.UTC)
		confs := []string{"n", "n", "n", "h", "l"}
		// Fires, then their passes (each pass: 4 detections at one time)
		// in time order, written as they come: little memory is held.
		type fire struct{ lat, lon float64 }
		type pass struct {
			at   time.Time
			fire int32
		}
		fires := make([]fire, 25_000)
		passes := make([]pass, 0, 25_000*9)
		for i := range fires {
			fires[i] = fire{20 + rnd.Float64()*30, 95 + rnd.Float64()*35}
			start := t0.Add(time.Duration(rnd.Intn(7*24*60)) * time.Minute)
			for k := 0; k < 9; k++ {
				passes = append(passes, pass{start.Add(time.Duration(k) * 80 * time.Minute), int32(i)})
			}
		}
		sort.SliceStable(passes, func(i, j int) bool { return passes[i].at.Before(passes[j].at) })
		n := 0
		for _, ps := range passes {
			f, at := fires[ps.fire], ps.at
			for k := 0; k < 4; k++ {
				la, lo := f.lat+(rnd.Float64()-0.5)*0.008, f.lon+(rnd.Float64()-0.5)*0.008
				line := fmt.Sprintf("%.5f,%.5f,%.2f,0.39,0.36,%s,%d,N20,%s,2.0NRT,%.2f,%.2f,%s",
					la, lo, 300+rnd.Float64()*60, at.Format("2006-01-02"), at.Hour()*100+at.Minute(), confs[rnd.Intn(len(confs))],
					270+rnd.Float64()*30, rnd.Float64()*40, map[bool]string{true: "D", false: "N"}[at.Hour() < 12])
				fmt.Fprintln(w, line)
				millionRows++
				if n%9 == 0 && millionRows < 1_000_000 {
					fmt.Fprintln(w, line)
					millionRows++
				}
				n++
			}
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		f.Close()
	})
	return millionPath
}

// resetPeakRSS starts a new peak resident set size measurement (Linux).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the process's peak resident set size in MiB (Linux).
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return math.NaN()
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb / 1024
		}
	}
	return math.NaN()
}

// BenchmarkIngest1M ingests a 1,000,000-row FIRMS CSV end to end (parse,
// dedupe, store, detect, cluster, dispatch) in one transaction into a
// SQLite file. area=none keeps every row (no regions imported); area=datong
// imports the ten counties, so almost every row is counted outside.
// Targets: >= 200,000 rows/s, peak memory < 500 MiB. Run one sub-benchmark
// per process (-bench 'Ingest1M/area=none') for a clean peak.
func BenchmarkIngest1M(b *testing.B) {
	file := millionRowFile(b)
	for _, area := range []string{"none", "datong"} {
		b.Run("area="+area, func(b *testing.B) {
			for n := 0; n < b.N; n++ {
				b.StopTimer()
				dir, err := os.MkdirTemp("", "skygrid-ingest-")
				if err != nil {
					b.Fatal(err)
				}
				db := store.NewDB(filepath.Join(dir, "bench.db"))
				if err := db.Open(); err != nil {
					b.Fatal(err)
				}
				if area == "datong" {
					importDatong(b, db, true)
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
				if bt.Rows != millionRows {
					b.Fatalf("read %d rows of %d", bt.Rows, millionRows)
				}
				b.ReportMetric(float64(bt.Rows)/el.Seconds(), "rows/s")
				b.ReportMetric(float64(bt.New), "stored")
				b.ReportMetric(float64(bt.EventsNew), "events")
				b.ReportMetric(peakRSS(), "peak-RSS-MiB")
				db.Close()
				os.RemoveAll(dir)
				b.StartTimer()
			}
		})
	}
}

// BenchmarkLatencyOneDetection: one new detection, from its file arriving
// in the drop folder to its task stored, with skygrid serve's watcher
// settings (poll 100 ms, the file unchanged for 500 ms) and the Datong
// counties, 3 km grids and supervisors. Each iteration drops a one-row
// FIRMS file of a new fire (a synthetic row at a new place) and waits
// for the batch. Target: under 1 s.
func BenchmarkLatencyOneDetection(b *testing.B) {
	db := MustOpenDB(b)
	importDatong(b, db, false)
	addGrids(b, db)
	ctx := context.Background()
	p := newPipeline(b, db)
	p.Now = time.Now
	db.Now = time.Now
	dir := b.TempDir()
	type done struct {
		b       *skygrid.IngestBatch
		arrived time.Time
		at      time.Time
	}
	got := make(chan done, 1)
	w := &intake.Watcher{Dir: dir, Pipeline: p, Poll: 100 * time.Millisecond, Settle: 500 * time.Millisecond,
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnBatch: func(_ string, bt *skygrid.IngestBatch, arrived time.Time) { got <- done{bt, arrived, time.Now()} }}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go w.Run(wctx)
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// A new fire each time, inside 浑源县, in the last hour.
		at := time.Now().UTC().Add(-30 * time.Minute)
		row := fmt.Sprintf("latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight\n"+
			"%.5f,%.5f,345.6,0.39,0.36,%s,%s,N20,VIIRS,h,2.0NRT,290.1,12.3,D\n",
			39.60+float64(i%50)*0.004, 113.60+float64(i/50)*0.004, at.Format("2006-01-02"), at.Format("1504"))
		name := filepath.Join(dir, fmt.Sprintf("SYNTHETIC_%05d.csv", i))
		written := time.Now()
		if err := os.WriteFile(name, []byte(row), 0o644); err != nil {
			b.Fatal(err)
		}
		d := <-got
		if d.b.TasksNew+d.b.EventsUpdated == 0 || d.b.New != 1 {
			b.Fatalf("batch %+v: no new task for the new detection", d.b)
		}
		lat = append(lat, d.at.Sub(written))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "p50-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Milliseconds()), "max-ms")
}
