package api_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"skygrid/api"
	"skygrid/frontend"
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

// The web app's files are served gzip-compressed to clients that take it
// (compressed once, not per request), with Vary, the compressed length and
// an ETag of their own; a client without Accept-Encoding gets the bytes
// as built. The real bundle: frontend/dist as embedded.
func TestWebAppServedCompressed(t *testing.T) {
	web, err := fs.Sub(frontend.Dist, "dist")
	if err != nil {
		t.Fatal(err)
	}
	js, _ := fs.Glob(web, "assets/index-*.js")
	if len(js) != 1 {
		t.Fatalf("no built bundle in frontend/dist (cd frontend && npm run build): %v", js)
	}
	srv := httptest.NewServer(api.NewServer(api.Services{Web: web}, nil).Handler())
	defer srv.Close()
	// The transport's own gzip handling is off: the test reads the wire.
	wf := webFetcher{url: srv.URL, client: &http.Client{Transport: &http.Transport{DisableCompression: true}}}
	for _, name := range []string{js[0], "index.html", "sw.js"} {
		want, _ := fs.ReadFile(web, name)
		path := "/" + name
		if name == "index.html" {
			path = "/"
		}
		t.Run(name, func(t *testing.T) {
			etags := wf.checkEncodings(t, path, want)
			if etags[true] == etags[false] {
				t.Errorf("the same ETag %s for both encodings", etags[true])
			}
			for enc, etag := range etags {
				accept := map[bool]string{true: "gzip", false: ""}[enc]
				if resp, b := wf.fetch(t, path, accept, etag); resp.StatusCode != 304 || len(b) != 0 {
					t.Errorf("If-None-Match %s: %d, %d bytes", etag, resp.StatusCode, len(b))
				}
				if resp, _ := wf.fetch(t, path, map[bool]string{true: "", false: "gzip"}[enc], etag); resp.StatusCode != 200 {
					t.Errorf("If-None-Match %s, the other encoding: %d", etag, resp.StatusCode)
				}
			}
		})
	}
	// A PNG is not compressed again.
	pngs, _ := fs.Glob(web, "assets/*.png")
	for _, p := range pngs {
		if resp, _ := wf.fetch(t, "/"+p, "gzip", ""); resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: Content-Encoding %q", p, resp.Header.Get("Content-Encoding"))
		}
	}
}

// webFetcher reads the web app's files off the wire.
type webFetcher struct {
	url    string
	client *http.Client
}

func (wf webFetcher) fetch(t *testing.T, path, accept, ifNoneMatch string) (*http.Response, []byte) {
	t.Helper()
	rq, _ := http.NewRequest("GET", wf.url+path, nil)
	if accept != "" {
		rq.Header.Set("Accept-Encoding", accept)
	}
	if ifNoneMatch != "" {
		rq.Header.Set("If-None-Match", ifNoneMatch)
	}
	resp, err := wf.client.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, b
}

// checkEncodings fetches a file with each Accept-Encoding and returns the
// ETag of each encoding (gzip or not).
func (wf webFetcher) checkEncodings(t *testing.T, path string, want []byte) map[bool]string {
	tests := []struct {
		name, accept string
		gzip         bool
	}{
		{"gzip", "gzip, deflate, br", true},
		{"gzip with a q", "br;q=1.0, gzip;q=0.8", true},
		{"any", "*", true},
		{"no Accept-Encoding", "", false},
		{"gzip refused", "gzip;q=0, deflate", false},
		{"identity only", "identity", false},
	}
	etags := map[bool]string{}
	for _, tc := range tests {
		resp, b := wf.fetch(t, path, tc.accept, "")
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", tc.name, resp.StatusCode)
		}
		enc, vary, etag := resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"), resp.Header.Get("ETag")
		if (enc == "gzip") != tc.gzip || !strings.Contains(vary, "Accept-Encoding") || etag == "" {
			t.Errorf("%s: Content-Encoding %q, Vary %q, ETag %q; want gzip %v", tc.name, enc, vary, etag, tc.gzip)
		}
		if resp.Header.Get("Content-Length") != strconv.Itoa(len(b)) {
			t.Errorf("%s: Content-Length %s, body %d bytes", tc.name, resp.Header.Get("Content-Length"), len(b))
		}
		checkWebBody(t, tc.name, enc, b, want)
		if e, ok := etags[tc.gzip]; ok && e != etag {
			t.Errorf("%s: ETag %s, the same encoding had %s", tc.name, etag, e)
		}
		etags[tc.gzip] = etag
	}
	return etags
}

// checkWebBody: the body, unzipped when gzip, is the built file, and a
// large file is compressed to less than half.
func checkWebBody(t *testing.T, name, enc string, b, want []byte) {
	t.Helper()
	got := b
	if enc == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got, err = io.ReadAll(zr); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(want) > 10000 && len(b)*2 > len(want) {
			t.Errorf("%s: %d bytes compressed to %d", name, len(want), len(b))
		}
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: the body is not the built file (%d bytes, want %d)", name, len(got), len(want))
	}
}

// TestAreaNameInPages: the web app's page, its manifest and the public
// page name the deployment's area ([server] area_name): 大同市 by
// default, 山西省 for a province, with no 大同 left; the English app's
// name is Datong for the default, else area_name_en or area_name.
func TestAreaNameInPages(t *testing.T) {
	web, err := fs.Sub(frontend.Dist, "dist")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ area, en, wantEn string }{{"", "", "Datong"}, {"山西省", "", "山西省"}, {"山西省", "Shanxi", "Shanxi"}} {
		area := c.area
		srv := httptest.NewServer(api.NewServer(api.Services{Web: web, AreaName: area, AreaNameEn: c.en}, nil).Handler())
		want := area
		if want == "" {
			want = "大同市"
		}
		for path, wants := range map[string][]string{
			"/": {`<meta name="skygrid-area" content="` + want + `">`, `<meta name="skygrid-area-en" content="` + c.wantEn + `">`,
				"<title>天网格 · " + want + "火点网格化监管</title>"},
			"/manifest.webmanifest": {`"name": "天网格 · ` + want + `火点网格化监管"`},
			"/public":               {"<title>" + want + "大气污染防治信息公开</title>", "<h1>" + want + "大气污染防治信息公开</h1>"},
		} {
			resp, err := http.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			for _, w := range wants {
				if resp.StatusCode != 200 || !strings.Contains(string(b), w) {
					t.Errorf("area %q, %s: %d, want %s in:\n%.600s", area, path, resp.StatusCode, w, b)
				}
			}
			if area != "" && strings.Contains(string(b), "大同") {
				t.Errorf("area %q, %s still names 大同", area, path)
			}
		}
		srv.Close()
	}
}

// TestFavicon: a page with no icon of its own (the printable monthly and
// warning reports, the public's monthly reports, an API answer opened in
// a tab) makes the browser ask for /favicon.ico; it got a 404 (a 401
// before logging in) in the console and a blank tab icon. It is the app's
// icon, with no session.
func TestFavicon(t *testing.T) {
	web, err := fs.Sub(frontend.Dist, "dist")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.NewServer(api.Services{Web: web}, nil).Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/favicon.ico")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("/favicon.ico: %d %s, %d bytes starting % x; want the app's PNG icon", resp.StatusCode, resp.Header.Get("Content-Type"), len(b), b[:min(len(b), 8)])
	}
}
