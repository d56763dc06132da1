// Package firmstest is a fake NASA FIRMS area API for tests. It serves the
// real NOAA-20 VIIRS detections of October 2023 embedded in skygrid/data,
// in the area API's CSV layout, and can be scripted to fail the way FIRMS
// does.
package firmstest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"skygrid/data"
)

// DefaultKey is the MAP_KEY a new Server accepts.
const DefaultKey = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"

// Headers of the area API's CSV answers.
const (
	HeaderVIIRS   = "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight"
	HeaderMODIS   = "latitude,longitude,brightness,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_t31,frp,daynight"
	HeaderLandsat = "latitude,longitude,path,row,track,acq_date,acq_time,satellite,confidence,daynight"
)

// Plain-text answers FIRMS gives with status 200.
const (
	TextInvalidKey    = "Invalid MAP_KEY."
	TextLimitExceeded = "Exceeding allowed transaction limit."
)

// Kind is a scripted failure.
type Kind int

const (
	// Status429 answers 429 Too Many Requests.
	Status429 Kind = iota + 1
	// Status500 answers 500 Internal Server Error.
	Status500
	// TextLimit answers "Exceeding allowed transaction limit." with 200.
	TextLimit
	// CutMidLine sends the first half of the normal answer, ending inside
	// a line without a newline, as a complete chunked 200 answer, and
	// closes the connection.
	CutMidLine
	// ShortBody declares the normal answer's Content-Length, sends half of
	// it and closes the connection.
	ShortBody
	// Slow waits Failure.Delay (or until the client gives up) before the
	// normal answer.
	Slow
	// HTMLPage answers an HTML maintenance page with 200.
	HTMLPage
)

// Failure is one scripted answer.
type Failure struct {
	Kind Kind
	// Delay is Slow's wait.
	Delay time.Duration
	// RetryAfter is sent as the Retry-After header of Status429 and
	// Status500 when not empty.
	RetryAfter string
}

// Server is a fake FIRMS area API. Change its fields while requests may be
// running only through Update and Script.
type Server struct {
	// HTTP is the underlying server.
	HTTP *httptest.Server
	// Key is the accepted MAP_KEY (DefaultKey); any other gets FIRMS's
	// plain-text "Invalid MAP_KEY." with status 200.
	Key string
	// Today is the last day of a request without a date (2023-10-31).
	Today time.Time
	// Fail is consumed one per request before the normal answers.
	Fail []Failure
	// Requests counts the requests, Paths logs their paths.
	Requests int
	Paths    []string

	mu sync.Mutex
}

// New starts a Server, closed when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	if _, err := load(); err != nil {
		t.Fatalf("firmstest: %v", err)
	}
	s := &Server{Key: DefaultKey, Today: time.Date(2023, 10, 31, 0, 0, 0, 0, time.UTC)}
	s.HTTP = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.HTTP.Close)
	return s
}

// URL is the server's base URL (for firms.Client.BaseURL).
func (s *Server) URL() string { return s.HTTP.URL }

// Update calls f with the server locked, to change its fields safely.
func (s *Server) Update(f func(s *Server)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

// Script appends failures to the queue.
func (s *Server) Script(f ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Fail = append(s.Fail, f...)
}

// RequestCount is the number of requests so far.
func (s *Server) RequestCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Requests
}

// RequestPaths are the paths requested so far.
func (s *Server) RequestPaths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.Paths)
}

// Answer is the normal answer to a request for source, the box west,
// south, east, north, days days ending with date: the header and the
// detections with acq_date in [date-days+1, date] inside the box (edges
// included). Only VIIRS_NOAA20_NRT has detections.
func Answer(source string, west, south, east, north float64, days int, date time.Time) ([]byte, error) {
	rows, err := load()
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	switch {
	case strings.HasPrefix(source, "MODIS"):
		b.WriteString(HeaderMODIS + "\n")
		return []byte(b.String()), nil
	case strings.HasPrefix(source, "LANDSAT"):
		b.WriteString(HeaderLandsat + "\n")
		return []byte(b.String()), nil
	}
	b.WriteString(HeaderVIIRS + "\n")
	if source != "VIIRS_NOAA20_NRT" {
		return []byte(b.String()), nil
	}
	last := date.Format("2006-01-02")
	first := date.AddDate(0, 0, -(days - 1)).Format("2006-01-02")
	for _, r := range rows {
		if r.date >= first && r.date <= last && r.lon >= west && r.lon <= east && r.lat >= south && r.lat <= north {
			b.WriteString(r.line + "\n")
		}
	}
	return []byte(b.String()), nil
}

var sources = []string{"VIIRS_NOAA20_NRT", "VIIRS_NOAA21_NRT", "VIIRS_SNPP_NRT", "MODIS_NRT",
	"VIIRS_NOAA20_SP", "VIIRS_SNPP_SP", "MODIS_SP", "LANDSAT_NRT"}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	fail, key, today := s.next(r)
	if fail != nil && failBefore(w, r, fail) {
		return
	}
	q, msg, code := parseArea(r.URL.Path, key, today)
	if code != 0 {
		if code == http.StatusOK {
			text(w, msg) // FIRMS answers some refusals as a 200 with a text line
		} else {
			http.Error(w, msg, code)
		}
		return
	}
	body, err := Answer(q.source, q.west, q.south, q.east, q.north, q.days, q.date)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if fail != nil && failAfter(w, fail, body) {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// next counts the request and takes the next planned failure, if any.
func (s *Server) next(r *http.Request) (*Failure, string, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Requests++
	s.Paths = append(s.Paths, r.URL.EscapedPath())
	var fail *Failure
	if len(s.Fail) > 0 {
		f := s.Fail[0]
		s.Fail = s.Fail[1:]
		fail = &f
	}
	return fail, s.Key, s.Today
}

// failBefore plays the failures that come instead of an answer (true when
// the request is answered); Slow waits and then lets it go on.
func failBefore(w http.ResponseWriter, r *http.Request, fail *Failure) bool {
	switch fail.Kind {
	case Status429, Status500:
		if fail.RetryAfter != "" {
			w.Header().Set("Retry-After", fail.RetryAfter)
		}
		code := http.StatusInternalServerError
		if fail.Kind == Status429 {
			code = http.StatusTooManyRequests
		}
		http.Error(w, http.StatusText(code), code)
		return true
	case TextLimit:
		text(w, TextLimitExceeded)
		return true
	case HTMLPage:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!DOCTYPE html>\n<html><head><title>FIRMS maintenance</title></head>\n<body><h1>FIRMS is down for maintenance</h1></body></html>\n")
		return true
	case Slow:
		select {
		case <-time.After(fail.Delay):
		case <-r.Context().Done():
			return true
		}
	}
	return false
}

// areaQuery is what an area request asks for.
type areaQuery struct {
	source                   string
	west, south, east, north float64
	days                     int
	date                     time.Time
}

// parseArea reads /api/area/csv/{KEY}/{SOURCE}/{bbox}/{days}[/{date}] as
// FIRMS does. A refusal comes back as its message and status (200 for the
// invalid key, which FIRMS answers as a line of text); code 0 means valid.
func parseArea(path, key string, today time.Time) (areaQuery, string, int) {
	q := areaQuery{west: -180, south: -90, east: 180, north: 90, date: today}
	parts := strings.Split(strings.TrimPrefix(path, "/api/area/csv/"), "/")
	if !strings.HasPrefix(path, "/api/area/csv/") || len(parts) < 4 || len(parts) > 5 {
		return q, "Invalid API call.", http.StatusNotFound
	}
	if parts[0] != key {
		return q, TextInvalidKey, http.StatusOK
	}
	q.source = parts[1]
	if !slices.Contains(sources, q.source) {
		return q, "Invalid source.", http.StatusBadRequest
	}
	if parts[2] != "world" {
		c, ok := parseBBox(parts[2])
		if !ok {
			return q, "Invalid area coordinates.", http.StatusBadRequest
		}
		q.west, q.south, q.east, q.north = c[0], c[1], c[2], c[3]
	}
	days, err := strconv.Atoi(parts[3])
	if err != nil || days < 1 || days > 10 {
		return q, "Invalid day range. Expects [1..10].", http.StatusBadRequest
	}
	q.days = days
	if len(parts) == 5 {
		if q.date, err = time.Parse("2006-01-02", parts[4]); err != nil {
			return q, "Invalid date.", http.StatusBadRequest
		}
	}
	return q, "", 0
}

// parseBBox reads "west,south,east,north" within the world.
func parseBBox(s string) ([4]float64, bool) {
	var c [4]float64
	f := strings.Split(s, ",")
	ok := len(f) == 4
	for i := 0; ok && i < 4; i++ {
		var err error
		c[i], err = strconv.ParseFloat(f[i], 64)
		ok = err == nil
	}
	ok = ok && c[0] < c[2] && c[1] < c[3] && c[0] >= -180 && c[2] <= 180 && c[1] >= -90 && c[3] <= 90
	return c, ok
}

// failAfter plays the failures that spoil a good answer (true when done).
func failAfter(w http.ResponseWriter, fail *Failure, body []byte) bool {
	switch fail.Kind {
	case CutMidLine:
		cut := len(body) / 2
		for cut > 1 && body[cut-1] == '\n' {
			cut--
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Connection", "close")
		w.Write(body[:cut])
		w.(http.Flusher).Flush() // chunked: the client sees a complete answer
		return true
	case ShortBody:
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return true
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: text/csv; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", len(body))
		buf.Write(body[:len(body)/2])
		buf.Flush()
		return true
	}
	return false
}

func text(w http.ResponseWriter, s string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(s)))
	io.WriteString(w, s)
}

// row is one detection in the area API's layout.
type row struct {
	date     string
	hhmm     int
	lat, lon float64
	line     string
}

var (
	loadOnce sync.Once
	loaded   []row
	loadErr  error
)

// load reads the embedded October 2023 files once: the distinct
// detections (consecutive daily files overlap), sorted by time.
func load() ([]row, error) {
	loadOnce.Do(func() { loaded, loadErr = readEmbedded() })
	return loaded, loadErr
}

func readEmbedded() ([]row, error) {
	entries, err := fs.ReadDir(data.FS, data.FIRMSOctober)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var rows []row
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".csv") {
			continue
		}
		name := path.Join(data.FIRMSOctober, e.Name())
		f, err := data.FS.Open(name)
		if err != nil {
			return nil, err
		}
		rs, err := readRFile(bufio.NewReader(f), name)
		f.Close()
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if !seen[r.line] {
				seen[r.line] = true
				rows = append(rows, r)
			}
		}
	}
	slices.SortFunc(rows, func(a, b row) int {
		if c := strings.Compare(a.date, b.date); c != 0 {
			return c
		}
		if a.hhmm != b.hhmm {
			return a.hhmm - b.hhmm
		}
		return strings.Compare(a.line, b.line)
	})
	return rows, nil
}

// readRFile converts one R write.csv file to area-API lines.
func readRFile(in io.Reader, name string) ([]row, error) {
	cr := csv.NewReader(in)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	want := []string{"latitude", "longitude", "bright_ti4", "scan", "track", "acq_date", "acq_time", "satellite",
		"confidence", "version", "bright_ti5", "frp", "daynight"}
	for _, h := range want {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("%s: no %s column", name, h)
		}
	}
	var rows []row
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		get := func(h string) string { return rec[col[h]] }
		hhmm, err1 := strconv.Atoi(get("acq_time"))
		lat, err2 := strconv.ParseFloat(get("latitude"), 64)
		lon, err3 := strconv.ParseFloat(get("longitude"), 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("%s: bad row %q", name, rec)
		}
		sat := get("satellite")
		switch sat {
		case "1":
			sat = "N20"
		case "2":
			sat = "N21"
		}
		conf := get("confidence")
		switch conf {
		case "nominal", "high", "low":
			conf = conf[:1]
		}
		line := strings.Join([]string{get("latitude"), get("longitude"), get("bright_ti4"), get("scan"), get("track"),
			get("acq_date"), fmt.Sprintf("%04d", hhmm), sat, "VIIRS", conf, get("version"), get("bright_ti5"), get("frp"),
			get("daynight")}, ",")
		rows = append(rows, row{date: get("acq_date"), hhmm: hhmm, lat: lat, lon: lon, line: line})
	}
}

// Logs collects log output from several goroutines, for tests that check
// the MAP_KEY never reaches a log line.
type Logs struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
