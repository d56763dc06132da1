package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"skygrid/netlimit"

	"github.com/labstack/echo/v4"
)

// Limits bound what one request or one client may hold of the server.
// The zero value bounds nothing; DefaultLimits are what skygrid serve
// uses (the [server] keys of the configuration).
type Limits struct {
	// HeaderTimeout bounds reading a request's line and headers.
	HeaderTimeout time.Duration
	// BodyTimeout bounds reading a request's body and WriteTimeout
	// writing its answer, from when its headers are in: every route but
	// the uploads and downloads below (the API, tiles, the web app).
	BodyTimeout, WriteTimeout time.Duration
	// UploadBodyTimeout and UploadWriteTimeout are the uploads' (POST
	// /api/tasks/:id/report with its photos, POST /api/imports/:kind).
	UploadBodyTimeout, UploadWriteTimeout time.Duration
	// DownloadWriteTimeout is the large answers' (GET /api/exports/...,
	// /api/reports/..., /api/photos/...).
	DownloadWriteTimeout time.Duration
	// IdleTimeout bounds a kept-alive connection's wait for its next request.
	IdleTimeout time.Duration
	// MaxConns, MaxConnsPerAddress and ReserveConns cap the connections
	// (netlimit.Options: Max, PerAddress, Reserve). A reserved connection
	// (beyond a cap) is answered on /healthz only, 503 elsewhere.
	MaxConns, MaxConnsPerAddress, ReserveConns int
	// PublicRate and PublicBurst limit the requests per client address a
	// second to the routes that need no session (/, /assets/, /sw.js, the
	// manifest and icons); LoginRate and LoginBurst to POST /api/login.
	// Beyond: 429 with Retry-After. 0: no limit.
	PublicRate  float64
	PublicBurst int
	LoginRate   float64
	LoginBurst  int
	// TrustedProxies are the reverse proxies (CIDR, or single addresses)
	// whose X-Forwarded-For names the client, for the per-address limits
	// and the login throttle; empty: the connection's address.
	TrustedProxies []string
}

// DefaultLimits are the defaults of skygrid serve: short timeouts for all
// but uploads and downloads, the connection cap sized to the open-file
// limit (netlimit.DefaultMax), an eighth of it per address, 8 reserved
// for health checks, and per-address rates that a whole office behind one
// address stays within.
func DefaultLimits() Limits {
	maxConns := netlimit.DefaultMax(netlimit.FileLimit())
	return Limits{HeaderTimeout: 10 * time.Second, BodyTimeout: 30 * time.Second, WriteTimeout: time.Minute,
		UploadBodyTimeout: 10 * time.Minute, UploadWriteTimeout: 10 * time.Minute, DownloadWriteTimeout: 10 * time.Minute,
		IdleTimeout: 2 * time.Minute, MaxConns: maxConns, MaxConnsPerAddress: max(maxConns/8, 64), ReserveConns: 8,
		PublicRate: 20, PublicBurst: 200, LoginRate: 1, LoginBurst: 60}
}

// routeClass names a request's timeouts: "upload", "download" or "".
func routeClass(r *http.Request) string {
	p := r.URL.Path
	switch r.Method {
	case http.MethodPost:
		if m, _ := path.Match("/api/tasks/*/report", p); m || strings.HasPrefix(p, "/api/imports/") {
			return "upload"
		}
	case http.MethodGet, http.MethodHead:
		for _, prefix := range []string{"/api/exports/", "/api/reports/", "/api/photos/"} {
			if strings.HasPrefix(p, prefix) {
				return "download"
			}
		}
	}
	return ""
}

// timeouts are a request's body and write timeouts.
func (l Limits) timeouts(r *http.Request) (body, write time.Duration) {
	switch routeClass(r) {
	case "upload":
		return l.UploadBodyTimeout, l.UploadWriteTimeout
	case "download":
		return l.BodyTimeout, l.DownloadWriteTimeout
	}
	return l.BodyTimeout, l.WriteTimeout
}

// longest is the longest body and write timeouts, the http.Server's own
// (set when each request's headers are in, before the handler shortens
// them).
func (l Limits) longest() (body, write time.Duration) {
	if l.BodyTimeout > 0 && l.UploadBodyTimeout > 0 {
		body = max(l.BodyTimeout, l.UploadBodyTimeout)
	}
	if l.WriteTimeout > 0 && l.UploadWriteTimeout > 0 && l.DownloadWriteTimeout > 0 {
		write = max(l.WriteTimeout, l.UploadWriteTimeout, l.DownloadWriteTimeout)
	}
	return body, write
}

// timedBody is a request body read under a deadline: at its end the
// deadline is lifted (a handler that then works long is not cut, nor its
// context cancelled); a read past it is remembered, for a 408.
type timedBody struct {
	io.ReadCloser
	rc       *http.ResponseController
	limit    time.Duration
	timedOut atomic.Bool
	ended    atomic.Bool
}

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.ended.Swap(true) {
		b.rc.SetReadDeadline(time.Time{})
	} else if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		b.timedOut.Store(true)
	}
	return n, err
}

type timedBodyKey struct{}

// bodyTimedOut is the timeout of a request whose body came too slowly, or 0.
func bodyTimedOut(r *http.Request) time.Duration {
	if b, _ := r.Context().Value(timedBodyKey{}).(*timedBody); b != nil && b.timedOut.Load() {
		return b.limit
	}
	return 0
}

// deadlines sets the request's read and write deadlines by its route
// class: the body must arrive within its timeout (a request without a
// body has nothing more to read), the answer be written within its own.
func (l Limits) deadlines(w http.ResponseWriter, r *http.Request) *http.Request {
	body, write := l.timeouts(r)
	rc := http.NewResponseController(w)
	now := time.Now()
	if write > 0 {
		rc.SetWriteDeadline(now.Add(write))
	}
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		rc.SetReadDeadline(time.Time{})
		return r
	}
	if body <= 0 || rc.SetReadDeadline(now.Add(body)) != nil {
		return r
	}
	tb := &timedBody{ReadCloser: r.Body, rc: http.NewResponseController(w), limit: body}
	r = r.WithContext(context.WithValue(r.Context(), timedBodyKey{}, tb))
	r.Body = tb
	return r
}

type reservedKey struct{}

// connContext marks the requests of a reserved connection (beyond the caps).
func connContext(ctx context.Context, c net.Conn) context.Context {
	if netlimit.Reserved(c) {
		return context.WithValue(ctx, reservedKey{}, true)
	}
	return ctx
}

// atConnLimit answers a request on a reserved connection: /healthz is
// served (and the connection closed after), anything else gets 503 with
// Retry-After. It reports whether it answered.
func atConnLimit(w http.ResponseWriter, r *http.Request) bool {
	if r.Context().Value(reservedKey{}) == nil {
		return false
	}
	w.Header().Set("Connection", "close")
	if r.URL.Path == "/healthz" {
		return false
	}
	w.Header().Set("Retry-After", "5")
	w.Header().Set(echo.HeaderXRequestID, incomingRequestID(r))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusServiceUnavailable)
	io.WriteString(w, `{"error":{"code":"internal","message":"服务器连接已满，请稍后再试 (the server is at its connection limit; try again shortly)"}}`)
	return true
}

// perAddress limits the requests of one client address with l (nil: no
// limit): beyond, 429 with Retry-After in whole seconds.
func perAddress(l *netlimit.Limiter) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ok, wait := l.Allow(netlimit.AddrKey(c.RealIP()))
			if ok {
				return next(c)
			}
			secs := max(1, int(math.Ceil(wait.Seconds())))
			c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
			return echo.NewHTTPError(http.StatusTooManyRequests,
				fmt.Sprintf("请求过于频繁，请 %d 秒后再试 (too many requests from your address; try again in %d s)", secs, secs))
		}
	}
}

// ipExtractor reads the client's address: the connection's, or behind a
// trusted proxy the last address X-Forwarded-For names that is not one.
// Echo's default would believe any X-Forwarded-For: never used.
func ipExtractor(proxies []string) (echo.IPExtractor, error) {
	if len(proxies) == 0 {
		return echo.ExtractIPDirect(), nil
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range proxies {
		if !strings.Contains(p, "/") {
			if ip := net.ParseIP(p); ip != nil && ip.To4() != nil {
				p += "/32"
			} else {
				p += "/128"
			}
		}
		_, n, err := net.ParseCIDR(p)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: want an address or a CIDR block (10.0.0.0/8)", p)
		}
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...), nil
}
