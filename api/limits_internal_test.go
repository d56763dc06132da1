package api

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The route classes: uploads and downloads apart from the rest.
func TestRouteClass(t *testing.T) {
	l := Limits{BodyTimeout: 30 * time.Second, WriteTimeout: time.Minute, UploadBodyTimeout: 10 * time.Minute,
		UploadWriteTimeout: 9 * time.Minute, DownloadWriteTimeout: 8 * time.Minute}
	for _, tt := range []struct {
		method, path string
		body, write  time.Duration
	}{
		{"POST", "/api/tasks/42/report", 10 * time.Minute, 9 * time.Minute},
		{"POST", "/api/imports/regions", 10 * time.Minute, 9 * time.Minute},
		{"POST", "/api/tasks/42/note", 30 * time.Second, time.Minute},
		{"POST", "/api/login", 30 * time.Second, time.Minute},
		{"GET", "/api/tasks/42/report", 30 * time.Second, time.Minute},
		{"GET", "/api/exports/tasks.xlsx", 30 * time.Second, 8 * time.Minute},
		{"GET", "/api/reports/monthly", 30 * time.Second, 8 * time.Minute},
		{"GET", "/api/photos/abc", 30 * time.Second, 8 * time.Minute},
		{"GET", "/tiles/hotspots/9/1/1.png", 30 * time.Second, time.Minute},
		{"GET", "/assets/index.js", 30 * time.Second, time.Minute},
	} {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			body, write := l.timeouts(httptest.NewRequest(tt.method, tt.path, strings.NewReader("")))
			if body != tt.body || write != tt.write {
				t.Errorf("timeouts %s, %s; want %s, %s", body, write, tt.body, tt.write)
			}
		})
	}
	if body, write := l.longest(); body != 10*time.Minute || write != 9*time.Minute {
		t.Errorf("longest %s %s", body, write)
	}
}

// deadlineRecorder is a recorder whose deadlines are a real TCP
// connection's, as under http.Server (httptest's recorder has none: its
// ResponseController answers with a new error each time).
type deadlineRecorder struct {
	*httptest.ResponseRecorder
	conn net.Conn
}

func (d deadlineRecorder) SetReadDeadline(t time.Time) error  { return d.conn.SetReadDeadline(t) }
func (d deadlineRecorder) SetWriteDeadline(t time.Time) error { return d.conn.SetWriteDeadline(t) }

// BenchmarkServerMiddleware is what ServeHTTP adds to echo's routing for
// one request (GET /healthz): the security headers, the reserve check
// and the deadlines, set on a real connection.
func BenchmarkServerMiddleware(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			defer c.Close()
			io.Copy(io.Discard, c)
		}
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	s := NewServer(Services{Limits: Limits{BodyTimeout: 30 * time.Second, WriteTimeout: time.Minute}}, nil)
	req := httptest.NewRequest("GET", "/healthz", nil)
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"echo", s.echo}, {"ServeHTTP", s}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bc.h.ServeHTTP(deadlineRecorder{httptest.NewRecorder(), conn}, req)
			}
		})
	}
}
