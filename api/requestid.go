package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// Request ids: every request gets one, returned in X-Request-Id and
// carried by every log line of the request (the server's logger adds
// request_id to each line logged with the request's context).

// requestIDKey holds a request's id in its context.
type requestIDKey struct{}

// maxRequestID is the longest incoming X-Request-Id kept.
const maxRequestID = 64

// RequestID is the id of the request whose context ctx is ("" outside a
// request).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// requestID gives the request its id: a sane incoming X-Request-Id (a
// proxy's, 1 to 64 letters, digits and -_.:), else a new one of 32 hex
// digits; sets it on the answer and in the request's context.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		id := incomingRequestID(r)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		c.SetRequest(r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
		return next(c)
	}
}

// incomingRequestID is the request's sane X-Request-Id, else a new id.
func incomingRequestID(r *http.Request) string {
	if id := r.Header.Get(echo.HeaderXRequestID); saneRequestID(id) {
		return id
	}
	return newRequestID()
}

// saneRequestID reports whether an incoming id may be kept: short, and
// only characters that cannot forge a log line or a header.
func saneRequestID(id string) bool {
	if id == "" || len(id) > maxRequestID {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.', r == ':':
		default:
			return false
		}
	}
	return true
}

// newRequestID is 128 random bits in hex.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// requestIDHandler adds request_id to the records logged with a
// request's context (Logger.ErrorContext(ctx, ...)).
type requestIDHandler struct{ slog.Handler }

// withRequestIDs is logger with request_id on the lines of a request.
func withRequestIDs(logger *slog.Logger) *slog.Logger {
	if _, ok := logger.Handler().(requestIDHandler); ok {
		return logger
	}
	return slog.New(requestIDHandler{logger.Handler()})
}

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// accessLog logs one line per request once it is answered (errors are
// answered here, by the error handler, to log their status): the path
// without its query (which may hold what a user searched for).
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		r, w := c.Request(), c.Response()
		s.Logger.InfoContext(r.Context(), "http", "method", r.Method, "path", r.URL.Path, "status", w.Status,
			"bytes", w.Size, "ms", time.Since(start).Milliseconds(), "ip", c.RealIP())
		return err
	}
}
