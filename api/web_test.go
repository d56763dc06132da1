package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"skygrid/api"
)

// GET /sw.js serves the service worker from the root, never cached by
// HTTP; a build without one is a 404.
func TestServiceWorkerRoute(t *testing.T) {
	web := fstest.MapFS{"index.html": {Data: []byte("<!doctype html>")}, "sw.js": {Data: []byte("self.addEventListener('fetch', () => {});")}}
	for _, tc := range []struct {
		name string
		web  fstest.MapFS
		want int
	}{{"built", web, 200}, {"no service worker", fstest.MapFS{"index.html": web["index.html"]}, 404}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := api.NewServer(api.Services{Web: tc.web}, nil)
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/sw.js", nil))
			if rec.Code != tc.want {
				t.Fatalf("GET /sw.js: %d, want %d", rec.Code, tc.want)
			}
			if tc.want != http.StatusOK {
				return
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
				t.Errorf("Content-Type %q", ct)
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "no-cache" {
				t.Errorf("Cache-Control %q", cc)
			}
			if !strings.Contains(rec.Body.String(), "addEventListener") {
				t.Errorf("body %q", rec.Body.String())
			}
		})
	}
}
