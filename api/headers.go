package api

import (
	"net/http"
	"slices"
	"strings"

	"skygrid/tiles"
)

// contentSecurityPolicy is the CSP of every answer. The web app is built
// by Vite with no inline script (index.html loads its module by URL), so
// scripts come from this origin only; ECharts writes its tooltips as HTML
// with style attributes, so inline style attributes are allowed
// (style-src-attr), never inline <style> elements (style-src-elem; older
// browsers fall back to style-src with 'unsafe-inline'). Images: this
// origin (tiles, photos), data: (Leaflet's icons in its CSS), blob: (a
// photo previewed before upload) and, when a Tianditu key offers its
// basemaps, Tianditu's tile servers (t0-t7.tianditu.gov.cn). Video (the
// site page): media from this origin and blob: (hls.js feeds the video
// through a MediaSource); the camera platforms of [server] video_origins
// may serve snapshots (img-src), streams (media-src) and the playlists and
// segments hls.js fetches (connect-src).
func contentSecurityPolicy(basemaps []tiles.Basemap, videoOrigins []string) string {
	img := "'self' data: blob:"
	if slices.ContainsFunc(basemaps, func(b tiles.Basemap) bool { return strings.HasPrefix(b.ID, "tianditu") }) {
		img += " https://*.tianditu.gov.cn"
	}
	video := ""
	for _, o := range videoOrigins {
		video += " " + o
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self' 'unsafe-inline'",
		"style-src-elem 'self'",
		"style-src-attr 'unsafe-inline'",
		"img-src " + img + video,
		"media-src 'self' blob:" + video,
		"font-src 'self'",
		"connect-src 'self'" + video,
		"worker-src 'self'",
		"manifest-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
}

// securityHeaders are set on every answer (the API, the web app, tiles,
// errors, 404s): the CSP; nosniff (a JSON or text answer is never run as
// a script or page); no framing (X-Frame-Options for browsers without
// frame-ancestors); and the Referer only to this origin (the Amap and
// Baidu navigation links, which open in new tabs, and Tianditu's tile
// servers learn nothing of the page).
//
// The values are shared slices set straight into the map (the keys are
// canonical): no allocation per answer. Nothing appends to them in place
// (Header.Add on a full slice copies it).
func securityHeaders(h http.Header, csp []string) {
	h["Content-Security-Policy"] = csp
	h["X-Content-Type-Options"] = nosniff
	h["X-Frame-Options"] = frameDeny
	h["Referrer-Policy"] = sameOrigin
}

// reportCSP is the printable monthly report's CSP, stricter than the
// app's: no script at all, nothing loaded from anywhere (its charts are
// inline SVG), its one inline <style> element and style attributes.
var reportCSP = []string{"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"}

var (
	nosniff    = []string{"nosniff"}
	frameDeny  = []string{"DENY"}
	sameOrigin = []string{"same-origin"}
)
