package tiles

import (
	"strconv"
	"strings"

	"skygrid"
)

// Drop removes from the cache the tiles drawn from a layer's data older
// than version (a change committed by this or another server), so the
// next request draws the tile again instead of serving the kept one while
// it is redrawn. The regions' version also drops the basemap's tiles and
// every tile cut to a scope's area. It returns how many were dropped.
func (s *Server) Drop(layer string, version int64) int {
	if s.cache == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, key := range s.cache.Keys() {
		c, ok := s.cache.Peek(key)
		if !ok || !droppedBy(key, c, layer, version) {
			continue
		}
		s.cache.Remove(key) // the eviction callback takes its bytes off
		n++
	}
	s.dropped.Add(int64(n))
	return n
}

// droppedBy: the tile kept under key is older than the layer's version.
func droppedBy(key string, c cached, layer string, version int64) bool {
	kl, _, _ := strings.Cut(key, "/")
	if kl == layer || (kl == LayerBase && layer == skygrid.LayerRegions) {
		if c.version < version {
			return true
		}
	}
	if layer != skygrid.LayerRegions {
		return false
	}
	_, scope, ok := strings.Cut(key, "/scope:")
	if !ok {
		return false
	}
	at := strings.LastIndexByte(scope, '@')
	v, err := strconv.ParseInt(scope[at+1:], 10, 64)
	return err != nil || v < version
}

// CacheStats are the tile cache's counters since the server started.
type CacheStats struct {
	Tiles   int   // kept now
	Bytes   int64 // their size
	Dropped int64 // dropped by Drop
}

// Stats are the cache's counters.
func (s *Server) Stats() CacheStats {
	if s.cache == nil {
		return CacheStats{}
	}
	return CacheStats{Tiles: s.cache.Len(), Bytes: s.cacheBytes.Load(), Dropped: s.dropped.Load()}
}
