package intake_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"skygrid"
	"skygrid/data"
	"skygrid/dispatch"
	"skygrid/dispatch/dispatchtest"
	"skygrid/intake"
	"skygrid/store"

	"github.com/paulmach/orb"
)

// firmsFile returns the bytes of an embedded October FIRMS file.
func firmsFile(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := data.FS.ReadFile(data.FIRMSOctober + "/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// dataLines counts a FIRMS file's data lines (non-blank lines after the header).
func dataLines(b []byte) int {
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(l) != "" {
			n++
		}
	}
	return n - 1
}

// watchClock is a fake clock for a Watcher.
type watchClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *watchClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *watchClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// watched is a Watcher on a fresh folder with the batches it reported.
type watched struct {
	*intake.Watcher
	clock *watchClock

	mu      sync.Mutex
	batches []*skygrid.IngestBatch
	arrived []time.Time
}

func (w *watched) Batches() []*skygrid.IngestBatch {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.batches)
}

// newWatcher returns a watcher with a fake clock and Settle of 500 ms.
func newWatcher(t *testing.T, db *store.DB) *watched {
	t.Helper()
	w := &watched{clock: &watchClock{t: time.Date(2023, 10, 25, 6, 0, 0, 0, time.UTC)}}
	w.Watcher = &intake.Watcher{
		Dir:      t.TempDir(),
		Pipeline: dispatchtest.NewPipeline(t, db, dispatchtest.Fixed),
		Settle:   500 * time.Millisecond,
		Logger:   slog.New(slog.NewTextHandler(t.Output(), nil)),
		Now:      w.clock.Now,
		OnBatch: func(path string, b *skygrid.IngestBatch, arrived time.Time) {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.batches = append(w.batches, b)
			w.arrived = append(w.arrived, arrived)
		},
	}
	return w
}

// scan runs one Scan and checks how many files it took.
func (w *watched) scan(t *testing.T, want int) {
	t.Helper()
	n, err := w.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Fatalf("scan took %d files, want %d", n, want)
	}
}

// settle scans (noting new files), passes Settle and scans again, which
// must take want files.
func (w *watched) settle(t *testing.T, want int) {
	t.Helper()
	w.scan(t, 0)
	w.clock.Advance(w.Settle)
	w.scan(t, want)
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func assertGone(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s: want it gone, got %v", path, err)
	}
}

// hotspotKeys describes every stored hotspot, sorted.
func hotspotKeys(t *testing.T, db *store.DB) []string {
	t.Helper()
	hs, _, err := db.FindHotspots(context.Background(), skygrid.HotspotFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(hs))
	for _, h := range hs {
		out = append(out, fmt.Sprintf("%s %s %d %d %.2f %s %s %s event=%d", h.Satellite, h.AcqTime.UTC().Format(time.RFC3339),
			skygrid.E5(h.Point.Lat()), skygrid.E5(h.Point.Lon()), h.FRP, h.Confidence, h.Status, h.StatusReason, h.EventID))
	}
	slices.Sort(out)
	return out
}

func batchCount(t *testing.T, db *store.DB) int {
	t.Helper()
	bs, err := db.FindBatches(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(bs)
}

// A file written slowly, in chunks, is taken once, whole, after the writer
// is done; the store then holds what ingesting the file directly gives.
func TestWatchSlowWrite(t *testing.T) {
	db := dispatchtest.OpenDB(t, dispatchtest.Fixed)
	dispatchtest.ImportDatong(t, db, false)
	w := newWatcher(t, db)
	w.Now = time.Now // a real clock: the writer really sleeps
	// The writer pauses 100 ms between chunks; a busy machine can hold
	// it back for a second or more, which must not look settled.
	w.Settle = 3 * time.Second
	content := firmsFile(t, "2023-10-24.csv")
	path := filepath.Join(w.Dir, "2023-10-24.csv")

	var writing atomic.Bool
	writing.Store(true)
	var early atomic.Bool
	onBatch := w.OnBatch
	w.OnBatch = func(p string, b *skygrid.IngestBatch, arrived time.Time) {
		if writing.Load() {
			early.Store(true)
		}
		onBatch(p, b, arrived)
	}
	var writtenAt time.Time
	writerErr := make(chan error, 1)
	go func() { writerErr <- writeSlowly(path, content, &writtenAt, &writing) }()
	if taken := scanWhileWritten(t, w, writerErr); taken != 1 {
		t.Fatalf("taken %d times, want once", taken)
	}
	if early.Load() {
		t.Error("the file was ingested while still being written")
	}
	bs := w.Batches()
	if len(bs) != 1 {
		t.Fatalf("%d batches reported, want 1", len(bs))
	}
	b := bs[0]
	if b.Rows != dataLines(content) || b.Rejected != 0 || b.New == 0 {
		t.Errorf("batch: %d rows (%d rejected, %d new), want the file's %d lines", b.Rows, b.Rejected, b.New, dataLines(content))
	}
	if arrived := w.arrived[0]; !arrived.Before(writtenAt) {
		t.Errorf("arrival %s: want the time first seen, before the writer finished at %s", arrived, writtenAt)
	}
	if got := batchCount(t, db); got != 1 {
		t.Errorf("%d batches stored, want 1", got)
	}
	assertGone(t, path)
	if got := readFile(t, filepath.Join(w.Dir, "done", "2023-10-24.csv")); !bytes.Equal(got, content) {
		t.Errorf("done/2023-10-24.csv: %d bytes, want the %d written", len(got), len(content))
	}
	sameAsDirectIngest(t, db, content, b)
}

// writeSlowly writes the content in five chunks (cut mid-line), 100 ms
// apart, and says when it was done.
func writeSlowly(path string, content []byte, writtenAt *time.Time, writing *atomic.Bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	step := len(content)/5 + 1 // cut mid-line
	for off := 0; off < len(content); off += step {
		if _, err := f.Write(content[off:min(off+step, len(content))]); err != nil {
			f.Close()
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	*writtenAt = time.Now()
	err = f.Close()
	writing.Store(false)
	return err
}

// scanWhileWritten scans until the writer is done and a file was taken,
// then a few more times, and returns how many files were taken.
func scanWhileWritten(t *testing.T, w *watched, writerErr <-chan error) int {
	t.Helper()
	taken := 0
	var werr error
	writerDone := false
	var doneAt time.Time
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		n, err := w.Scan(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		taken += n
		if !writerDone {
			select {
			case werr = <-writerErr:
				writerDone = true
			default:
			}
		}
		if writerDone && taken > 0 {
			if doneAt.IsZero() {
				doneAt = time.Now()
			}
			if time.Since(doneAt) > time.Second { // a few more scans: nothing more
				break
			}
		}
	}
	if !writerDone {
		t.Fatal("the writer did not finish")
	} else if werr != nil {
		t.Fatal(werr)
	}
	return taken
}

// sameAsDirectIngest ingests the same file directly into a second store:
// the watched store holds the same hotspots and the batches agree.
func sameAsDirectIngest(t *testing.T, db *store.DB, content []byte, b *skygrid.IngestBatch) {
	t.Helper()
	got := hotspotKeys(t, db)
	db2 := dispatchtest.OpenDB(t, dispatchtest.Fixed)
	dispatchtest.ImportDatong(t, db2, false)
	direct := filepath.Join(t.TempDir(), "2023-10-24.csv")
	writeFile(t, direct, content)
	b2, err := dispatchtest.NewPipeline(t, db2, dispatchtest.Fixed).IngestFile(context.Background(), direct, dispatch.IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := hotspotKeys(t, db2)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("watched store holds %d hotspots, direct ingest %d (equal: %v)", len(got), len(want), slices.Equal(got, want))
	}
	if b.New != b2.New || b.Outside != b2.Outside || b.EventsNew != b2.EventsNew || b.TasksNew != b2.TasksNew {
		t.Errorf("watched batch %+v, direct %+v", b, b2)
	}
}

// Partial, hidden and backup files and subfolders are left alone; a .part
// file is taken once renamed.
func TestWatchIgnoresPartFiles(t *testing.T) {
	db := dispatchtest.OpenDB(t, dispatchtest.Fixed)
	dispatchtest.ImportDatong(t, db, false)
	w := newWatcher(t, db)
	content := firmsFile(t, "2023-10-24.csv")
	ignored := []string{"2023-10-24.csv.part", ".2023-10-24.csv", "2023-10-24.csv~", "2023-10-24.csv.tmp", "2023-10-24.csv.crdownload", "x.PART"}
	for _, n := range ignored {
		writeFile(t, filepath.Join(w.Dir, n), content)
	}
	if err := os.Mkdir(filepath.Join(w.Dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(w.Dir, "sub", "2023-10-23.csv"), firmsFile(t, "2023-10-23.csv"))
	for range 3 {
		w.scan(t, 0)
		w.clock.Advance(time.Hour)
	}
	if n := batchCount(t, db); n != 0 {
		t.Fatalf("%d batches stored, want none", n)
	}

	if err := os.Rename(filepath.Join(w.Dir, "2023-10-24.csv.part"), filepath.Join(w.Dir, "2023-10-24.csv")); err != nil {
		t.Fatal(err)
	}
	w.settle(t, 1)
	if bs := w.Batches(); len(bs) != 1 || bs[0].Rows != dataLines(content) {
		t.Fatalf("batches %+v, want one of %d rows", bs, dataLines(content))
	}
	if !bytes.Equal(readFile(t, filepath.Join(w.Dir, "done", "2023-10-24.csv")), content) {
		t.Error("done/2023-10-24.csv differs")
	}
	for _, n := range ignored[1:] {
		readFile(t, filepath.Join(w.Dir, n)) // still there
	}
	readFile(t, filepath.Join(w.Dir, "sub", "2023-10-23.csv"))
	w.clock.Advance(time.Hour)
	w.scan(t, 0)
}

// A file that is not a fire file goes to failed/ with its reason; nothing
// is stored. Dropped again, it goes there under a second name.
func TestWatchRefusesNonFireFile(t *testing.T) {
	db := dispatchtest.OpenDB(t, dispatchtest.Fixed)
	dispatchtest.ImportDatong(t, db, false)
	ctx := context.Background()
	w := newWatcher(t, db)
	writeFile(t, filepath.Join(w.Dir, "2023-10-23.csv"), firmsFile(t, "2023-10-23.csv"))
	w.settle(t, 1)
	batches, hotspots := batchCount(t, db), hotspotKeys(t, db)
	versions, err := db.LayerVersions(ctx)
	if err != nil {
		t.Fatal(err)
	}

	bad := []byte(`{"type":"FeatureCollection","features":[]}` + "\n")
	for i, name := range []string{"fires.json", "fires.1.json"} {
		writeFile(t, filepath.Join(w.Dir, "fires.json"), bad)
		w.settle(t, 1)
		assertGone(t, filepath.Join(w.Dir, "fires.json"))
		if got := readFile(t, filepath.Join(w.Dir, "failed", name)); !bytes.Equal(got, bad) {
			t.Errorf("drop %d: failed/%s holds %q", i+1, name, got)
		}
		reason := string(readFile(t, filepath.Join(w.Dir, "failed", name+".reason.txt")))
		for _, want := range []string{"fires.json", "not a fire file", "JSON"} {
			if !strings.Contains(reason, want) {
				t.Errorf("drop %d: reason %q does not name %q", i+1, reason, want)
			}
		}
		if strings.Contains(reason, "skygrid error") {
			t.Errorf("reason %q: want the message, not the error code", reason)
		}
	}
	if len(w.Batches()) != 1 {
		t.Errorf("%d batches reported, want only the FIRMS file's", len(w.Batches()))
	}
	if n := batchCount(t, db); n != batches {
		t.Errorf("%d batches stored, was %d", n, batches)
	}
	if got := hotspotKeys(t, db); !slices.Equal(got, hotspots) {
		t.Errorf("%d hotspots stored, was %d", len(got), len(hotspots))
	}
	if after, _ := db.LayerVersions(ctx); !maps.Equal(after, versions) {
		t.Errorf("layer versions %v, were %v", after, versions)
	}
	w.clock.Advance(time.Hour)
	w.scan(t, 0)
}

// The same name dropped again is a new file: ingested again, adding
// nothing, and kept next to the first in done/.
func TestWatchSameNameAgain(t *testing.T) {
	db := dispatchtest.OpenDB(t, dispatchtest.Fixed)
	dispatchtest.ImportDatong(t, db, false)
	w := newWatcher(t, db)
	content := firmsFile(t, "2023-10-24.csv")
	path := filepath.Join(w.Dir, "2023-10-24.csv")
	writeFile(t, path, content)
	w.settle(t, 1)
	hotspots := hotspotKeys(t, db)
	w.clock.Advance(time.Minute)
	w.scan(t, 0)

	writeFile(t, path, content)
	w.settle(t, 1)
	bs := w.Batches()
	if len(bs) != 2 {
		t.Fatalf("%d batches, want 2", len(bs))
	}
	first, second := bs[0], bs[1]
	if first.New == 0 || second.New != 0 || second.EventsNew != 0 || second.TasksNew != 0 ||
		second.Duplicates != first.New+first.Duplicates || second.Rows != first.Rows {
		t.Errorf("first %+v, second %+v: want the second all duplicates", first, second)
	}
	if got := hotspotKeys(t, db); !slices.Equal(got, hotspots) {
		t.Errorf("%d hotspots after the second drop, %d after the first", len(got), len(hotspots))
	}
	for _, n := range []string{"2023-10-24.csv", "2023-10-24.1.csv"} {
		if !bytes.Equal(readFile(t, filepath.Join(w.Dir, "done", n)), content) {
			t.Errorf("done/%s differs from the file dropped", n)
		}
	}
	assertGone(t, path)
}

// A file that cannot be moved out stays, and is not ingested again until
// it goes and a new one comes.
func TestWatchMoveFails(t *testing.T) {
	db := dispatchtest.OpenDB(t, dispatchtest.Fixed)
	dispatchtest.ImportDatong(t, db, false)
	w := newWatcher(t, db)
	// done/ cannot be made: a dangling symlink holds the name.
	done := filepath.Join(w.Dir, "done")
	if err := os.Symlink(filepath.Join(w.Dir, "nowhere", "x"), done); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(w.Dir, "2023-10-24.csv")
	writeFile(t, path, firmsFile(t, "2023-10-24.csv"))
	w.settle(t, 1)
	readFile(t, path) // still there
	for range 3 {
		w.clock.Advance(time.Hour)
		w.scan(t, 0)
	}
	if n := batchCount(t, db); n != 1 {
		t.Fatalf("%d batches, want 1", n)
	}
	// Gone, then dropped again: a new file.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	w.scan(t, 0)
	if err := os.Remove(done); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, firmsFile(t, "2023-10-24.csv"))
	w.settle(t, 1)
	if bs := w.Batches(); len(bs) != 2 || bs[1].New != 0 {
		t.Fatalf("batches %+v, want a second one, all duplicates", bs)
	}
	readFile(t, filepath.Join(done, "2023-10-24.csv"))
}

// The pipeline context follows the regions: imported after a first file,
// they apply to the next.
func TestWatchReloadsContext(t *testing.T) {
	db := dispatchtest.OpenDB(t, dispatchtest.Fixed)
	w := newWatcher(t, db)
	writeFile(t, filepath.Join(w.Dir, "2023-10-23.csv"), firmsFile(t, "2023-10-23.csv"))
	w.settle(t, 1)
	dispatchtest.ImportDatong(t, db, false)
	writeFile(t, filepath.Join(w.Dir, "2023-10-24.csv"), firmsFile(t, "2023-10-24.csv"))
	w.settle(t, 1)
	bs := w.Batches()
	if len(bs) != 2 {
		t.Fatalf("%d batches, want 2", len(bs))
	}
	if bs[0].Outside != 0 || bs[1].Outside == 0 {
		t.Errorf("outside the area: %d before the regions, %d after; want 0, then some", bs[0].Outside, bs[1].Outside)
	}
}

// Run ingests what arrives and returns promptly when its context ends.
func TestWatchRun(t *testing.T) {
	db := dispatchtest.OpenDB(t, dispatchtest.Fixed)
	dispatchtest.ImportDatong(t, db, false)
	w := newWatcher(t, db)
	w.Now = time.Now

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := w.Run(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("Run with a cancelled context: %v", err)
	}
	// "At once", with room for a busy machine: the poll below is an hour.
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Run with a cancelled context took %s", d)
	}

	got := make(chan *skygrid.IngestBatch, 4)
	w.OnBatch = func(_ string, b *skygrid.IngestBatch, _ time.Time) { got <- b }
	w.Poll, w.Settle = 20*time.Millisecond, 100*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- w.Run(ctx) }()
	// Written beside and moved in: written in place, a busy machine could
	// hold the writing back past the 100 ms Settle with the file empty.
	whole := filepath.Join(t.TempDir(), "2023-10-24.csv")
	writeFile(t, whole, firmsFile(t, "2023-10-24.csv"))
	if err := os.Rename(whole, filepath.Join(w.Dir, "2023-10-24.csv")); err != nil {
		t.Fatal(err)
	}
	select {
	case b := <-got:
		if b.New == 0 {
			t.Errorf("batch %+v: nothing new", b)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not ingest the file")
	}
	cancel()
	select {
	case err := <-ran:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}

	// Waiting for a long poll, Run still returns at once.
	w.Poll = time.Hour
	ctx, cancel = context.WithCancel(context.Background())
	go func() { ran <- w.Run(ctx) }()
	time.Sleep(50 * time.Millisecond)
	start = time.Now()
	cancel()
	select {
	case <-ran:
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("Run returned %s after the cancel", d)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
}

// The watch and the feed of one server place their fires with the
// pipeline's one context (dispatch.Pipeline.Places), which the dust
// checks and the public's reports share: each kept its own, a copy of
// every grid's outline and index (0.4-0.7 GB for a province's 50,000).
func TestWatchAndFeedShareOneContext(t *testing.T) {
	f := newFeedWorld(t)
	w := newWatcher(t, f.db)
	w.Pipeline = f.p
	loads := dispatchtest.CountLoads(f.p, f.db)
	if r := f.pull(t, 2, time.Date(2023, 10, 24, 0, 0, 0, 0, time.UTC)); r.Err != nil || r.Batch.New == 0 {
		t.Fatalf("pull: %v, %+v", r.Err, r.Batch)
	}
	writeFile(t, filepath.Join(w.Dir, "2023-10-23.csv"), firmsFile(t, "2023-10-23.csv"))
	w.settle(t, 1)
	if b := w.Batches()[0]; b.Outside == 0 {
		t.Errorf("the watched file: none outside the area (%+v); want the regions read", b)
	}
	if _, err := f.p.Place(context.Background(), orb.Point{113.3, 40.1}); err != nil {
		t.Fatal(err)
	}
	if loads.N() != 1 {
		t.Errorf("a feed's pull, a watched file and a place: %d context loads, want 1", loads.N())
	}
}
