package api_test

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"testing"

	"skygrid/api"
	"skygrid/frontend"
	"skygrid/geo"
	"skygrid/tiles"
)

// Every answer carries the security headers: the web app, its assets,
// the API, tiles, a 401, 404s, a 413 and a 500.
func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	web, err := fs.Sub(frontend.Dist, "dist")
	if err != nil {
		t.Fatal(err)
	}
	js, _ := fs.Glob(web, "assets/index-*.js")
	if len(js) == 0 {
		t.Fatal("no built web app")
	}
	ls := newLightServer(t, api.Services{Web: web, Limits: testLimits(), Basemaps: tiles.TiandituBasemaps("test-key")})
	url, admin := ls.srv.URL(), ls.tokens["admin"]
	req := func(method, path string, body io.Reader, header ...string) *http.Response {
		t.Helper()
		rq, _ := http.NewRequest(method, url+path, body)
		for i := 0; i+1 < len(header); i += 2 {
			rq.Header.Set(header[i], header[i+1])
		}
		resp, err := sendEarly(rq) // the 413 comes before the 100 MiB body is all sent
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	auth := []string{"Authorization", "Bearer " + admin}
	cases := []struct {
		name   string
		status int
		get    func() *http.Response
	}{
		{"the web app", 200, func() *http.Response { return req("GET", "/", nil) }},
		{"an asset", 200, func() *http.Response { return req("GET", "/"+js[0], nil) }},
		{"the API", 200, func() *http.Response { return req("GET", "/api/events", nil, auth...) }},
		{"a tile", 200, func() *http.Response { return req("GET", "/tiles/base/8/208/96.png", nil, auth...) }},
		{"TileJSON", 200, func() *http.Response { return req("GET", "/tiles/hotspots.json", nil, auth...) }},
		{"/healthz", 200, func() *http.Response { return req("GET", "/healthz", nil) }},
		{"401", 401, func() *http.Response { return req("GET", "/api/tasks", nil) }},
		{"404", 404, func() *http.Response { return req("GET", "/no/such/page", nil, auth...) }},
		{"404 of a task", 404, func() *http.Response { return req("GET", "/api/tasks/999999", nil, auth...) }},
		{"413", 413, func() *http.Response {
			return req("POST", "/api/login", strings.NewReader(strings.Repeat("x", 100<<20)), "Content-Type", "application/json")
		}},
		{"500", 500, func() *http.Response {
			ls.db.Close() // the database gone: every read is an internal error
			return req("GET", "/api/events", nil, auth...)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := tc.get()
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			h := resp.Header
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "script-src 'self';", "frame-ancestors 'none'", "object-src 'none'",
				"img-src 'self' data: blob: https://*.tianditu.gov.cn;"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			_, script, _ := strings.Cut(csp, "script-src")
			if script, _, _ = strings.Cut(script, ";"); strings.Contains(csp, "unsafe-eval") || strings.Contains(script, "unsafe-inline") {
				t.Errorf("CSP %q allows inline or evaluated scripts", csp)
			}
			for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"} {
				if h.Get(k) != v {
					t.Errorf("%s: %q, want %q", k, h.Get(k), v)
				}
			}
		})
	}
	// The built page loads its scripts by URL: the CSP needs no inline script.
	index, _ := fs.ReadFile(web, "index.html")
	if strings.Contains(strings.ReplaceAll(string(index), `<script type="module" crossorigin src=`, ""), "<script") {
		t.Errorf("the built index.html has an inline script:\n%s", index)
	}
}

// Without a Tianditu key, the CSP allows no remote image.
func TestCSPWithoutTianditu(t *testing.T) {
	ls := newLightServer(t, api.Services{})
	resp, err := http.Get(ls.srv.URL() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: blob:;") {
		t.Errorf("CSP %q", csp)
	}
}

// TileJSON's tile URLs come from the public URL, else are relative:
// never from the Host header a client sends. A scoped user's bounds are
// their area's (5 km more, as the tiles), not the city's.
func TestTileJSONIgnoresHostAndKeepsToTheArea(t *testing.T) {
	for _, tc := range []struct{ name, public, want string }{
		{"public URL", "https://skygrid.example.gov.cn/", "https://skygrid.example.gov.cn/tiles/hotspots/{z}/{x}/{y}.png"},
		{"none", "", "/tiles/hotspots/{z}/{x}/{y}.png"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls := newLightServer(t, api.Services{PublicURL: tc.public})
			tileJSON := func(user string) tiles.TileJSON {
				t.Helper()
				rq, _ := http.NewRequest("GET", ls.srv.URL()+"/tiles/hotspots.json", nil)
				rq.Host = "evil.example"
				rq.Header.Set("Authorization", "Bearer "+ls.tokens[user])
				resp, err := http.DefaultClient.Do(rq)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var tj tiles.TileJSON
				if err := json.NewDecoder(resp.Body).Decode(&tj); err != nil || resp.StatusCode != 200 {
					t.Fatalf("%d %v", resp.StatusCode, err)
				}
				return tj
			}
			tj := tileJSON("admin")
			if len(tj.Tiles) != 1 || tj.Tiles[0] != tc.want || strings.Contains(strings.Join(tj.Tiles, " "), "evil") {
				t.Errorf("tiles %v, want [%s]", tj.Tiles, tc.want)
			}
			hunyuan, err := ls.db.FindRegionByID(context.Background(), "140225")
			if err != nil {
				t.Fatal(err)
			}
			b := geo.GrowBound(hunyuan.Bound, 5000)
			want := []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
			got := tileJSON("official").Bounds
			if len(got) != 4 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
				t.Errorf("the official of 浑源县: bounds %v, want 浑源县's %v", got, want)
			}
			if city := tj.Bounds; len(city) != 4 || city[0] >= want[0] || city[2] <= want[2] {
				t.Errorf("the admin's bounds %v do not hold 浑源县's %v", city, want)
			}
		})
	}
}

// The printable monthly report, a page of its own with an inline
// stylesheet, has a CSP of its own: no script at all, its style inline.
func TestMonthlyReportCSP(t *testing.T) {
	ls := newLightServer(t, api.Services{})
	rq, _ := http.NewRequest("GET", ls.srv.URL()+"/api/reports/monthly?month=2023-10", nil)
	rq.Header.Set("Authorization", "Bearer "+ls.tokens["admin"])
	resp, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != 200 || !strings.Contains(string(b), "<style>") || !strings.HasPrefix(csp, "default-src 'none'; style-src 'unsafe-inline';") ||
		!strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "script") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%d, CSP %q", resp.StatusCode, csp)
	}
}

// The site page's video: media from this origin and blob: (hls.js), and the
// camera platforms of [server] video_origins for images, media and fetches.
func TestCSPVideoOrigins(t *testing.T) {
	for _, tc := range []struct {
		name    string
		origins []string
		want    []string
	}{
		{"none", nil, []string{"img-src 'self' data: blob:;", "media-src 'self' blob:;", "connect-src 'self';"}},
		{"two platforms", []string{"https://video.example.cn", "http://10.0.0.5:8080"}, []string{
			"img-src 'self' data: blob: https://video.example.cn http://10.0.0.5:8080;",
			"media-src 'self' blob: https://video.example.cn http://10.0.0.5:8080;",
			"connect-src 'self' https://video.example.cn http://10.0.0.5:8080;"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls := newLightServer(t, api.Services{VideoOrigins: tc.origins})
			resp, err := http.Get(ls.srv.URL() + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			csp := resp.Header.Get("Content-Security-Policy")
			for _, w := range tc.want {
				if !strings.Contains(csp, w) {
					t.Errorf("CSP %q lacks %q", csp, w)
				}
			}
		})
	}
}
