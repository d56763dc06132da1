package tiles_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"skygrid/tiles"
)

// heldBasemap is a basemap whose every tile waits until the test lets it
// go: it records in what order tiles began to be drawn and how many were
// drawn at once.
type heldBasemap struct {
	mu      sync.Mutex
	order   []int // x of each tile as its drawing began
	now     int
	peak    int
	release chan struct{}
}

func (b *heldBasemap) BaseTile(ctx context.Context, z, x, y int) ([]byte, error) {
	b.mu.Lock()
	b.order = append(b.order, x)
	b.now++
	b.peak = max(b.peak, b.now)
	b.mu.Unlock()
	<-b.release
	b.mu.Lock()
	b.now--
	b.mu.Unlock()
	return nil, nil // no stored tile: the basemap is drawn
}

func (b *heldBasemap) MaxZoom() int { return 18 }

// started is how many tiles began to be drawn.
func (b *heldBasemap) started() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.order)
}

// waitFor polls the server's counters until cond holds (a second at most).
func waitFor(t *testing.T, s *tiles.Server, what string, cond func(tiles.CacheStats) bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if cond(s.Stats()) {
			return
		}
	}
	t.Fatalf("%s: counters %+v", what, s.Stats())
}

// Tiles are drawn Drawers at a time, in the order they were asked for:
// 32 requests on 2 cores no longer share the cores 32 ways, each taking
// 16 times its drawing time.
func TestTilesDrawnAFewAtATimeInTurn(t *testing.T) {
	bm := &heldBasemap{release: make(chan struct{})}
	s := newServer(t, sharedDatong(t), tiles.Options{Basemap: bm, Drawers: 2, CacheTiles: -1})
	const n = 6
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := s.Fetch(context.Background(), tiles.Request{Layer: tiles.LayerBase, Z: 5, X: 20 + i, Y: 12, Format: "png"})
			errs <- err
		}()
		// The next is asked once this one is drawing or waiting its turn.
		waitFor(t, s, "request queued", func(st tiles.CacheStats) bool { return st.Drawing+int(st.Waiting) == i+1 })
	}
	waitFor(t, s, "two drawn, four waiting", func(st tiles.CacheStats) bool { return st.Drawing == 2 && st.Waiting == n-2 })
	for k := range n {
		// One tile done at a time, and the next to begin drawing seen
		// before another is done: two turns handed out together could
		// begin in either order.
		bm.release <- struct{}{}
		for end := time.Now().Add(5 * time.Second); bm.started() < min(k+3, n); time.Sleep(time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("after %d tiles done, %d began", k+1, bm.started())
			}
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if bm.peak != 2 {
		t.Errorf("%d tiles drawn at once, want 2 (Options.Drawers)", bm.peak)
	}
	for i, x := range bm.order {
		if x != 20+i {
			t.Fatalf("tiles drawn in the order %v, want the order asked (20..%d)", bm.order, 20+n-1)
		}
	}
	if st := s.Stats(); st.Drawing != 0 || st.Waiting != 0 {
		t.Errorf("after the requests: %+v, want none drawing or waiting", st)
	}
}

// A tile of several layers waits for their turns at once, not for one
// turn after another: with the only drawer busy, both of its layers wait.
func TestLayersOfATileWaitTogether(t *testing.T) {
	bm := &heldBasemap{release: make(chan struct{})}
	s := newServer(t, sharedDatong(t), tiles.Options{Basemap: bm, Drawers: 1, CacheTiles: -1})
	done := make(chan error, 2)
	go func() {
		_, _, err := s.Fetch(context.Background(), tiles.Request{Layer: tiles.LayerBase, Z: 5, X: 20, Y: 12, Format: "png"})
		done <- err
	}()
	waitFor(t, s, "the basemap tile drawing", func(st tiles.CacheStats) bool { return st.Drawing == 1 })
	city := tileAt(cityCentre, 9)
	go func() {
		_, _, err := s.Fetch(context.Background(), req("regions,hotspots", city, "mvt"))
		done <- err
	}()
	waitFor(t, s, "both layers waiting", func(st tiles.CacheStats) bool { return st.Waiting == 2 })
	bm.release <- struct{}{}
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
