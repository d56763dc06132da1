package tiles

import (
	"context"
	"fmt"

	"skygrid"
)

// Changed is told of a layer's new version committed by this or another
// server (on PostgreSQL, the database's notification): it starts loading
// that version now, so the next request finds it loaded instead of
// waiting for it or being served the older data meanwhile. Kept tiles are
// not dropped: the load records where the layer changed (Invalidate), so
// the tiles the change did not touch stay kept and the others are drawn
// again. Correctness does not hang on the notification: every request
// reads the layers' versions from the database. A layer not loaded here
// yet has nothing to refresh. It reports whether a load was started.
func (s *Server) Changed(layer string, version int64) bool {
	if layer == LayerBase {
		return false // drawn from the regions' snapshot
	}
	sv, ok := s.snaps.slots.Load(layer)
	if !ok {
		return false
	}
	sl := sv.(*slot)
	if cur := sl.cur.Load(); cur == nil || cur.version >= version {
		return false
	}
	s.preloads.Add(1)
	s.snaps.start(sl, layer, version)
	return true
}

// CacheStats are the tile cache's counters since the server started.
type CacheStats struct {
	Tiles    int   // kept now
	Bytes    int64 // their size
	Preloads int64 // layer versions loaded on a change's notice (Changed)
	Drawing  int   // tiles being drawn now (at most Options.Drawers)
	Waiting  int64 // tiles waiting for a drawer
	Layers   int   // layers whose data is in memory (loaded by a tile or Warm)
}

// Stats are the cache's counters.
func (s *Server) Stats() CacheStats {
	st := CacheStats{Preloads: s.preloads.Load(), Drawing: len(s.gate), Waiting: s.waiting.Load()}
	if s.cache != nil {
		st.Tiles, st.Bytes = s.cache.Len(), s.cacheBytes.Load()
	}
	s.snaps.slots.Range(func(_, v any) bool {
		if v.(*slot).cur.Load() != nil {
			st.Layers++
		}
		return true
	})
	return st
}

// Warm loads the layers' current data before any tile asks for it: a
// server started on a province's data (300,000 detections, 50,000 grids)
// drew its first map 3-7 s late while it read them. Layers already
// loaded are left as they are; the base map's data is the regions'.
func (s *Server) Warm(ctx context.Context, layers ...string) error {
	vs, err := s.src.LayerVersions(ctx)
	if err != nil {
		return err
	}
	for _, layer := range layers {
		if layer == LayerBase {
			layer = skygrid.LayerRegions
		}
		if _, err := s.snaps.get(ctx, layer, version(vs, layer)); err != nil {
			return fmt.Errorf("load the %s layer: %w", layer, err)
		}
	}
	return nil
}
