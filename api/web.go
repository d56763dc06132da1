package api

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"html"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"skygrid"

	"github.com/labstack/echo/v4"
)

// webFile is a file of the built web app as served: its bytes, and
// gzip-compressed once (at the first request for any file) where that
// makes it smaller, each with its own ETag.
type webFile struct {
	mime      string
	body, gz  []byte
	etag, gzE string
}

// compressible are the types worth compressing (PNG, WOFF2 are already).
var compressible = map[string]bool{".js": true, ".css": true, ".html": true, ".svg": true, ".json": true, ".webmanifest": true, ".txt": true, ".map": true}

var webMimes = map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".png": "image/png",
	".svg": "image/svg+xml", ".woff2": "font/woff2", ".html": "text/html; charset=utf-8", ".json": "application/json",
	".webmanifest": "application/manifest+json"}

// webFiles reads and compresses every file of the web app once.
type webFiles struct {
	once  sync.Once
	files map[string]*webFile
	err   error
}

// areaEnMeta is where index.html holds the area's English name.
const areaEnMeta = `<meta name="skygrid-area-en" content="`

// areaPages are the pages that name the area (skygrid.DefaultAreaName in
// the build): load writes the deployment's area in its place.
var areaPages = map[string]bool{"index.html": true, "public.html": true, "manifest.webmanifest": true}

func (w *webFiles) load(web fs.FS, area, areaEn string) (map[string]*webFile, error) {
	w.once.Do(func() {
		w.files = map[string]*webFile{}
		w.err = fs.WalkDir(web, ".", func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(web, name)
			if err != nil {
				return err
			}
			if areaPages[name] && area != skygrid.DefaultAreaName {
				b = bytes.ReplaceAll(b, []byte(skygrid.DefaultAreaName), []byte(html.EscapeString(area)))
			}
			if areaPages[name] && areaEn != skygrid.DefaultAreaNameEn {
				b = bytes.ReplaceAll(b, []byte(areaEnMeta+skygrid.DefaultAreaNameEn), []byte(areaEnMeta+html.EscapeString(areaEn)))
			}
			w.files[name] = newWebFile(name, b)
			return nil
		})
	})
	return w.files, w.err
}

func newWebFile(name string, b []byte) *webFile {
	sum := sha256.Sum256(b)
	tag := hex.EncodeToString(sum[:8])
	f := &webFile{mime: webMimes[path.Ext(name)], body: b, etag: `"` + tag + `"`}
	if f.mime == "" {
		f.mime = http.DetectContentType(b)
	}
	if compressible[path.Ext(name)] {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		if buf.Len() < len(b) {
			f.gz, f.gzE = buf.Bytes(), `"`+tag+`-gzip"`
		}
	}
	return f
}

// acceptsGzip reads Accept-Encoding: gzip (or *) with a q above 0.
func acceptsGzip(h string) bool {
	ok := false
	for _, part := range strings.Split(h, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "*" {
			continue
		}
		q := 1.0
		if k, v, found := strings.Cut(strings.TrimSpace(params), "="); found && strings.TrimSpace(k) == "q" {
			q, _ = strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
		if coding == "gzip" {
			return q > 0
		}
		ok = q > 0 // "*" counts unless gzip is named
	}
	return ok
}

// serveWeb answers a file of the web app: gzip when the client takes it
// (Vary: Accept-Encoding), with Content-Length and the encoding's ETag;
// 304 when If-None-Match has it.
func (s *Server) serveWeb(c echo.Context, name, cacheControl string) error {
	if s.Web == nil {
		return skygrid.Errorf(skygrid.ENOTFOUND, "no web app")
	}
	files, err := s.web.load(s.Web, s.area(), s.areaEn())
	if err != nil {
		return err
	}
	f := files[name]
	if f == nil {
		return skygrid.Errorf(skygrid.ENOTFOUND, "no such file %s", name)
	}
	h := c.Response().Header()
	h.Set("Cache-Control", cacheControl)
	body, etag := f.body, f.etag
	if f.gz != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(c.Request().Header.Get("Accept-Encoding")) {
			body, etag = f.gz, f.gzE
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	if noneMatch(c.Request().Header.Get("If-None-Match"), etag) {
		h.Del("Content-Encoding")
		return c.NoContent(http.StatusNotModified)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	return c.Blob(http.StatusOK, f.mime, body)
}

// GET /: the web app's page (revalidated on every visit: a deploy is seen
// at once), or a plain page naming the API when the app is not built.
func (s *Server) handleIndex(c echo.Context) error {
	if s.Web != nil {
		if _, err := fs.Stat(s.Web, "index.html"); err == nil {
			return s.serveWeb(c, "index.html", "no-cache")
		}
	}
	return c.HTML(http.StatusOK, `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>skygrid 天网格</title>
<h1>skygrid 天网格</h1><p>卫星火点 → 网格员任务。The web app is not built: run make run. API:</p><ul>
<li><a href="/api/events">/api/events</a> 火情</li><li><a href="/api/tasks">/api/tasks</a> 任务</li>
<li><a href="/healthz">/healthz</a></li></ul>`)
}

// GET /public: the public page (public.html of the web app's build), for
// everyone without a login.
func (s *Server) handlePublicPage(c echo.Context) error {
	return s.serveWeb(c, "public.html", "no-cache")
}

// GET /assets/*: the web app's files (hashed names: cached for a year).
func (s *Server) handleAsset(c echo.Context) error {
	name := "assets/" + c.Param("*")
	if !fs.ValidPath(name) {
		return skygrid.Errorf(skygrid.ENOTFOUND, "no such file")
	}
	return s.serveWeb(c, name, "public, max-age=31536000, immutable")
}

// GET /sw.js: the web app's service worker (it keeps the app shell for
// use without network). Served from the root so that its scope is the
// whole app; never cached by the browser's HTTP cache, so a new one is
// found on the next visit after a deploy.
func (s *Server) handleServiceWorker(c echo.Context) error {
	if s.Web != nil {
		if _, err := fs.Stat(s.Web, "sw.js"); err != nil {
			return skygrid.Errorf(skygrid.ENOTFOUND, "no service worker in this build")
		}
	}
	return s.serveWeb(c, "sw.js", "no-cache")
}

// GET /favicon.ico: the app's icon, for the pages with no icon of their
// own (the printable reports, an API answer opened in a tab).
func (s *Server) handleFavicon(c echo.Context) error {
	return s.serveWeb(c, "icons/icon-192.png", "public, max-age=86400")
}

// GET /manifest.webmanifest and /icons/*.png: what makes the web app
// installable on a phone (its name, colours and icons).
func (s *Server) handleAppFile(c echo.Context) error {
	name := strings.TrimPrefix(c.Request().URL.Path, "/")
	if !fs.ValidPath(name) {
		return skygrid.Errorf(skygrid.ENOTFOUND, "no such file")
	}
	return s.serveWeb(c, name, "public, max-age=86400")
}
