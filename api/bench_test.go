package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkCachedTileHTTP serves one hotspots tile from the tile cache
// through the echo handler: the layer version read from SQLite, the cache
// lookup, the headers and the body. Target: under 100 µs.
func BenchmarkCachedTileHTTP(b *testing.B) {
	ts := newTestServer(b)
	h := ts.Config.Handler
	req := httptest.NewRequest("GET", "/tiles/hotspots/10/834/387.png?until=2023-11-01", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		b.Fatalf("status %d", w.Code)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK || w.Header().Get("X-Tile-Cache") != "hit" {
			b.Fatalf("status %d, cache %s", w.Code, w.Header().Get("X-Tile-Cache"))
		}
	}
}
