package api

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"skygrid"
)

// handleDemoSnapshot answers a demo camera's snapshot (示例), drawn now
// on the server's clock; 404 outside the demo.
func (s *Server) handleDemoSnapshot(c echo.Context) error {
	if s.DemoSnapshot == nil {
		return skygrid.Errorf(skygrid.ENOTFOUND, "no demo snapshots")
	}
	b, err := s.DemoSnapshot(c.Param("mn"), s.now())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "image/jpeg", b)
}

// hlsTypes are the content types of the demo stream's files.
var hlsTypes = map[string]string{".m3u8": "application/vnd.apple.mpegurl", ".ts": "video/mp2t"}

// handleDemoHLS serves the demo's HLS stream files; 404 outside the demo.
func (s *Server) handleDemoHLS(c echo.Context) error {
	name := path.Clean(strings.TrimPrefix(c.Param("*"), "/"))
	ct, ok := hlsTypes[path.Ext(name)]
	if s.DemoHLS == nil || !ok || !fs.ValidPath(name) {
		return skygrid.Errorf(skygrid.ENOTFOUND, "no demo video %q", name)
	}
	b, err := fs.ReadFile(s.DemoHLS, name)
	if err != nil {
		return skygrid.Errorf(skygrid.ENOTFOUND, "no demo video %q", name)
	}
	return c.Blob(http.StatusOK, ct, b)
}
