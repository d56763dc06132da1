package tiles_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"skygrid"
	"skygrid/tiles"
)

// TestChangedLoadsAhead: told of a layer's newer version (another
// server's change), the server starts loading it at once when it has the
// layer loaded, and not when the version is the one it has, or for a
// layer it never loaded; other layers' kept tiles stay kept, and the next
// request is drawn from the new version.
func TestChangedLoadsAhead(t *testing.T) {
	ctx := context.Background()
	src := datong(t)
	// A load never slower than the wait: no tile is stale here.
	s := newServer(t, src, tiles.Options{StaleWait: time.Minute})
	hot := req(skygrid.LayerHotspots, tileAt(hunyuan, 12), "png")
	con := req(skygrid.LayerConstruction, tileAt(src.sites[0].Geometry.Bound().Center(), 12), "png")
	for _, r := range []tiles.Request{hot, con} {
		if _, _, err := s.Get(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if s.Changed(skygrid.LayerHotspots, 1) {
		t.Error("Changed at the loaded version started a load")
	}
	if s.Changed(skygrid.LayerStockpiles, 2) {
		t.Error("Changed of a layer never loaded here started a load")
	}
	src.bump(skygrid.LayerHotspots)
	if !s.Changed(skygrid.LayerHotspots, 2) {
		t.Error("Changed(hotspots, 2) started no load")
	}
	if _, state, err := s.Fetch(ctx, hot); err != nil || !slices.Contains([]string{tiles.CacheHit, tiles.CacheMiss}, state) {
		t.Errorf("hotspot tile after the change: %q %v, want drawn from the new version (hit if untouched, else miss)", state, err)
	}
	if _, state, _ := s.Fetch(ctx, con); state != tiles.CacheHit {
		t.Errorf("construction tile: %q, want a hit (another layer)", state)
	}
	if st := s.Stats(); st.Preloads != 1 || st.Tiles == 0 || st.Bytes == 0 {
		t.Errorf("Stats() = %+v, want 1 preload and the tiles kept", st)
	}
}

// TestWarmLoadsBeforeTheFirstTile: Warm reads the layers once, before
// any tile asks; the first tiles after it read nothing more, and a second
// Warm at the same versions reads nothing either.
func TestWarmLoadsBeforeTheFirstTile(t *testing.T) {
	ctx := context.Background()
	src := datong(t)
	s := newServer(t, src, tiles.Options{})
	before := src.loadCounts()
	if err := s.Warm(ctx, skygrid.LayerHotspots, skygrid.LayerEvents, tiles.LayerBase); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{skygrid.LayerHotspots: before[skygrid.LayerHotspots] + 1, skygrid.LayerEvents: before[skygrid.LayerEvents] + 1,
		skygrid.LayerRegions: before[skygrid.LayerRegions] + 2} // the events' load reads the grids' parents
	if got := src.loadCounts(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Warm read %v, want each layer once: %v", got, want)
	}
	for _, layer := range []string{skygrid.LayerHotspots, skygrid.LayerEvents, skygrid.LayerRegions, tiles.LayerBase} {
		if _, _, err := s.Get(ctx, req(layer, tileAt(hunyuan, 12), "png")); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Warm(ctx, skygrid.LayerHotspots, skygrid.LayerEvents, tiles.LayerBase); err != nil {
		t.Fatal(err)
	}
	if got := src.loadCounts(); !reflect.DeepEqual(got, want) {
		t.Errorf("after the first tiles and a second Warm the layers were read %v, want still %v", got, want)
	}
}
