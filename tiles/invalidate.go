package tiles

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
}

// Stats are the cache's counters.
func (s *Server) Stats() CacheStats {
	st := CacheStats{Preloads: s.preloads.Load(), Drawing: len(s.gate), Waiting: s.waiting.Load()}
	if s.cache != nil {
		st.Tiles, st.Bytes = s.cache.Len(), s.cacheBytes.Load()
	}
	return st
}
