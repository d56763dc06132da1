package tiles_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"skygrid"
	"skygrid/tiles"
)

// TestDropAfterAnotherServersChange: a change told by another server
// (Drop with the layer's new version) removes that layer's kept tiles, so
// the next request draws the tile (a miss), where the tile kept from
// before is served while the layer loads again or the tile is redrawn
// (a hit on the snapshot from before, or stale). The regions' version
// drops the basemap too; other layers stay.
func TestDropAfterAnotherServersChange(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		drop bool
		want []string
	}{
		{"kept tile served while redrawn", false, []string{tiles.CacheHit, tiles.CacheStale}},
		{"dropped tile drawn again", true, []string{tiles.CacheMiss}},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := datong(t)
			// No wait for a redraw: a kept stale tile is answered at once.
			s := newServer(t, src, tiles.Options{StaleWait: time.Nanosecond})
			hot := req(skygrid.LayerHotspots, tileAt(hunyuan, 12), "png")
			con := req(skygrid.LayerConstruction, tileAt(src.sites[0].Geometry.Bound().Center(), 12), "png")
			base := req(tiles.LayerBase, tileAt(hunyuan, 12), "png")
			for _, r := range []tiles.Request{hot, con, base} {
				if _, _, err := s.Get(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			if n := s.Drop(skygrid.LayerHotspots, 1); n != 0 {
				t.Errorf("Drop at the kept version dropped %d tiles", n)
			}
			src.bump(skygrid.LayerHotspots)
			if c.drop {
				if n := s.Drop(skygrid.LayerHotspots, 2); n != 1 {
					t.Errorf("Drop(hotspots, 2) dropped %d tiles, want 1", n)
				}
			}
			_, state, err := s.Fetch(ctx, hot)
			if err != nil || !slices.Contains(c.want, state) {
				t.Errorf("hotspot tile after the change: %q %v, want one of %q", state, err, c.want)
			}
			if _, state, _ := s.Fetch(ctx, con); state != tiles.CacheHit {
				t.Errorf("construction tile: %q, want a hit (another layer)", state)
			}
			src.bump(skygrid.LayerRegions)
			if n := s.Drop(skygrid.LayerRegions, 2); n != 1 {
				t.Errorf("Drop(regions, 2) dropped %d tiles, want 1 (the basemap's)", n)
			}
			st, want := s.Stats(), int64(1)
			if c.drop {
				want = 2
			}
			if st.Dropped != want {
				t.Errorf("Stats().Dropped = %d, want %d", st.Dropped, want)
			}
			if st.Tiles == 0 || st.Bytes == 0 {
				t.Errorf("Stats() = %+v: the other tiles are kept", st)
			}
		})
	}
}
