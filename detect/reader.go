// Package detect reads satellite fire files, throws out false alarms,
// groups detections into events and classifies them against the map layers.
// It holds no SQL and no HTTP server: everything is tested with plain values.
package detect

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"skygrid"

	"github.com/paulmach/orb"
)

// Formats the reader recognises.
const (
	FormatFIRMSVIIRS  = "firms-viirs"
	FormatFIRMSMODIS  = "firms-modis"
	FormatHimawariWLF = "himawari-wlf"
)

// ErrNotFireFile is wrapped by Open's error when the input is not a fire file
// at all; such a file is refused as a whole.
var ErrNotFireFile = errors.New("not a fire file")

// Reader reads hotspots from a FIRMS CSV (any of its real layouts, found by
// header names) or a Himawari WLF L2 CSV. Rows that cannot be read come back
// as skygrid.RowError and reading goes on.
type Reader struct {
	name   string
	format string
	csv    *csv.Reader
	cols   columns
	br     *countingReader
	// satellite from the file name, for Himawari files.
	himawariSat string
	// a row held back to see whether it is the last one, and the current row.
	ahead, cur ahead
	done       bool
	// the last date parsed (files are sorted by date: parse each once)
	lastDate string
	lastDay  time.Time
	// formatSet is true once the format is known for sure.
	formatSet bool
	// fast is set for files without quotes, read line by line; lineNo
	// counts their lines
	fast   *bufio.Reader
	lineNo int
	// lineOffset counts the comment lines before the CSV header.
	lineOffset int
}

type columns struct {
	lat, lon, bright, bright31, scan, track, date, time, sat, inst, conf, version, frp, daynight, typ int
	// Himawari
	year, month, day, reliability, volcano, n int
}

// countingReader counts bytes read and remembers the last byte, to tell a
// cut-off last line (no final newline) from a complete one.
type countingReader struct {
	r    io.Reader
	n    int64
	last byte
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.n += int64(n)
		c.last = p[n-1]
	}
	return n, err
}

// BytesRead is how much of the input has been consumed (for progress bars).
func (r *Reader) BytesRead() int64 { return r.br.n }

// Format is the detected format.
func (r *Reader) Format() string { return r.format }

// Open reads the header and decides the format. name is used in messages.
func Open(in io.Reader, name string) (*Reader, error) {
	cr := &countingReader{r: in}
	br := bufio.NewReaderSize(cr, 256<<10)
	r := &Reader{name: name, br: cr}
	peek, _ := br.Peek(512)
	if len(peek) == 0 {
		return nil, fmt.Errorf("%s: %w: the file is empty", name, ErrNotFireFile)
	}
	if bytes.IndexByte(peek, 0) >= 0 {
		return nil, fmt.Errorf("%s: %w: it is binary, not CSV", name, ErrNotFireFile)
	}
	peek = bytes.TrimPrefix(peek, []byte("\xef\xbb\xbf"))
	if t := bytes.TrimSpace(peek); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return nil, fmt.Errorf("%s: %w: it is JSON (GeoJSON?), not CSV", name, ErrNotFireFile)
	}
	if len(bytes.TrimSpace(peek)) == 0 {
		return nil, fmt.Errorf("%s: %w: the file is blank", name, ErrNotFireFile)
	}
	if peek[0] == '#' {
		return r, r.openHimawari(br)
	}
	// Files without quotes (FIRMS's own) are split by a fast path that
	// allocates nothing per line; quoted ones (R, spreadsheets) go through
	// encoding/csv.
	head, _ := br.Peek(4096)
	if i := bytes.IndexByte(head, '\n'); i >= 0 && bytes.IndexByte(head[:i], '"') < 0 {
		line := strings.TrimRight(strings.TrimPrefix(string(head[:i]), "\ufeff"), "\r")
		if _, err := br.Discard(i + 1); err != nil {
			return nil, fmt.Errorf("%s: read: %w", name, err)
		}
		r.fast, r.lineNo = br, 1
		return r, r.mapFIRMS(strings.Split(line, ","))
	}
	cs := csv.NewReader(br)
	cs.FieldsPerRecord = -1
	cs.ReuseRecord = true
	header, err := cs.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w: cannot read a CSV header: %v", name, ErrNotFireFile, err)
	}
	r.csv = cs
	return r, r.mapFIRMS(header)
}

// ColumnName is the column a CSV header cell names: without a byte-order
// mark, spaces or quotes, in lower case.
func ColumnName(s string) string {
	s = strings.TrimPrefix(s, "\ufeff")
	return strings.ToLower(strings.Trim(strings.TrimSpace(s), `"`))
}

func (r *Reader) mapFIRMS(header []string) error {
	c := columns{lat: -1, lon: -1, bright: -1, bright31: -1, scan: -1, track: -1, date: -1, time: -1, sat: -1,
		inst: -1, conf: -1, version: -1, frp: -1, daynight: -1, typ: -1, n: len(header)}
	isVIIRS, isMODIS := false, false
	for i, h := range header {
		switch ColumnName(h) {
		case "latitude", "lat":
			c.lat = i
		case "longitude", "lon", "lng", "long":
			c.lon = i
		case "bright_ti4":
			c.bright, isVIIRS = i, true
		case "brightness":
			c.bright, isMODIS = i, true
		case "bright_ti5", "bright_t31":
			c.bright31 = i
		case "scan":
			c.scan = i
		case "track":
			c.track = i
		case "acq_date":
			c.date = i
		case "acq_time":
			c.time = i
		case "satellite":
			c.sat = i
		case "instrument":
			c.inst = i
		case "confidence":
			c.conf = i
		case "version":
			c.version = i
		case "frp":
			c.frp = i
		case "daynight":
			c.daynight = i
		case "type":
			c.typ = i
		}
	}
	var missing []string
	for _, m := range []struct {
		idx  int
		name string
	}{{c.lat, "latitude"}, {c.lon, "longitude"}, {c.date, "acq_date"}, {c.time, "acq_time"}} {
		if m.idx < 0 {
			missing = append(missing, m.name)
		}
	}
	if len(missing) > 0 {
		shown := strings.Join(header, ",")
		if len(shown) > 200 {
			shown = shown[:200] + "..."
		}
		return fmt.Errorf("%s: %w: the header has no %s column (header: %q); expected a NASA FIRMS CSV or a Himawari WLF file",
			r.name, ErrNotFireFile, strings.Join(missing, ", "), shown)
	}
	r.cols = c
	switch {
	case c.inst >= 0:
		// Download-tool files say VIIRS or MODIS per row (and call the
		// VIIRS I4 channel "brightness"): decided by the first row.
		r.format = FormatFIRMSVIIRS
	case isVIIRS:
		r.format, r.formatSet = FormatFIRMSVIIRS, true
	case isMODIS:
		r.format, r.formatSet = FormatFIRMSMODIS, true
	default:
		r.format = FormatFIRMSVIIRS
	}
	return nil
}

func (r *Reader) openHimawari(br *bufio.Reader) error {
	r.format = FormatHimawariWLF
	base := filepath.Base(r.name)
	if len(base) >= 3 && (strings.HasPrefix(base, "H08") || strings.HasPrefix(base, "H09")) {
		r.himawariSat = base[:3]
	} else if i := strings.Index(base, "H09_"); i >= 0 {
		r.himawariSat = "H09"
	} else if i := strings.Index(base, "H08_"); i >= 0 {
		r.himawariSat = "H08"
	} else {
		r.himawariSat = "H09"
	}
	// Comment lines: the last one is the header.
	var header string
	lines := 0
	for {
		b, err := br.Peek(1)
		if err != nil || b[0] != '#' {
			break
		}
		line, err := br.ReadString('\n')
		lines++
		header = strings.TrimSpace(strings.TrimPrefix(line, "#"))
		if err != nil {
			break
		}
	}
	cs := csv.NewReader(br)
	cs.FieldsPerRecord = -1
	cs.ReuseRecord = true
	cs.TrimLeadingSpace = true
	r.csv = cs
	c := columns{lat: -1, lon: -1, year: -1, month: -1, day: -1, time: -1, frp: -1, reliability: -1, volcano: -1,
		bright: -1, bright31: -1, scan: -1, track: -1, date: -1, sat: -1, inst: -1, conf: -1, version: -1, daynight: -1, typ: -1}
	fields := strings.Split(header, ",")
	c.n = len(fields)
	for i, h := range fields {
		switch k := strings.ToLower(strings.TrimSpace(h)); {
		case k == "lat":
			c.lat = i
		case k == "lon":
			c.lon = i
		case k == "year":
			c.year = i
		case k == "month":
			c.month = i
		case k == "day":
			c.day = i
		case strings.HasPrefix(k, "time"):
			c.time = i
		case strings.HasPrefix(k, "frp"):
			c.frp = i
		case k == "reliability":
			c.reliability = i
		case k == "volcano":
			c.volcano = i
		}
	}
	if c.lat < 0 || c.lon < 0 || c.year < 0 || c.month < 0 || c.day < 0 || c.time < 0 {
		return fmt.Errorf("%s: %w: starts with '#' but line %d is not a Himawari WLF header (want ID,Year,Month,Day,Time(UTC),Lat,Lon,...; got %s)",
			r.name, ErrNotFireFile, lines, skygrid.Clip(header))
	}
	r.cols = c
	r.lineOffset = lines
	return nil
}

// Next returns the next hotspot, a *skygrid.RowError for a row that cannot
// be read (call Next again), io.EOF at the end, or another error when the
// input itself fails.
func (r *Reader) Next() (*skygrid.Hotspot, error) {
	h := new(skygrid.Hotspot)
	if err := r.NextInto(h); err != nil {
		return nil, err
	}
	return h, nil
}

// NextInto is Next filling h (which it overwrites) instead of allocating.
func (r *Reader) NextInto(h *skygrid.Hotspot) error {
	for {
		rec, line, rowErr, err := r.nextRecord()
		if err != nil {
			return err
		}
		if rowErr != nil {
			return rowErr
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		var rerr *skygrid.RowError
		if r.format == FormatHimawariWLF {
			_, rerr = r.parseHimawari(rec, line, h)
		} else {
			_, rerr = r.parseFIRMS(rec, line, h)
		}
		if rerr != nil {
			if r.done && !r.ahead.ok && r.br.last != '\n' && len(rec) < r.cols.n {
				rerr.Reason = fmt.Sprintf("last line is cut off (%d of %d fields, no final newline): %s", len(rec), r.cols.n, rerr.Reason)
			}
			return rerr
		}
		if !r.formatSet {
			r.formatSet = true
			if h.Source == skygrid.SourceMODIS {
				r.format = FormatFIRMSMODIS
			}
		}
		return nil
	}
}

type ahead struct {
	buf    []byte // the line, on the fast path
	rec    []string
	line   int
	rowErr *skygrid.RowError
	ok     bool
}

// nextRecord reads one record ahead so that Next knows when a record is the
// file's last one. The returned record is valid until the next call.
func (r *Reader) nextRecord() ([]string, int, *skygrid.RowError, error) {
	if !r.ahead.ok && !r.done {
		if err := r.readAhead(); err != nil {
			return nil, 0, nil, err
		}
	}
	if !r.ahead.ok {
		return nil, 0, nil, io.EOF
	}
	// Keep the current record in cur while reading the next into ahead.
	if r.fast != nil {
		// Each holds its own line bytes: swap.
		r.cur, r.ahead = r.ahead, r.cur
	} else {
		// The CSV reader reuses its record: copy.
		r.cur.rec = append(r.cur.rec[:0], r.ahead.rec...)
		r.cur.line, r.cur.rowErr = r.ahead.line, r.ahead.rowErr
	}
	r.ahead.ok = false
	if err := r.readAhead(); err != nil {
		return nil, 0, nil, err
	}
	return r.cur.rec, r.cur.line, r.cur.rowErr, nil
}

func (r *Reader) readAhead() error {
	if r.fast != nil {
		return r.readAheadFast()
	}
	rec, err := r.csv.Read()
	if err == io.EOF {
		r.done = true
		return nil
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// A malformed quoted field: report the row and go on.
			line := pe.StartLine + r.lineOffset
			r.ahead = ahead{rec: r.ahead.rec[:0], line: line, ok: true,
				rowErr: &skygrid.RowError{File: r.name, Line: line, Reason: "malformed CSV: " + pe.Err.Error()}}
			return nil
		}
		return fmt.Errorf("%s: read: %w", r.name, err)
	}
	line, _ := r.csv.FieldPos(0)
	r.ahead = ahead{rec: append(r.ahead.rec[:0], rec...), line: line + r.lineOffset, ok: true}
	return nil
}

// readAheadFast reads one line of a file without quotes into r.ahead: the
// fields are strings over ahead's own copy of the line (valid until the
// record after next is read; nothing that outlives a row keeps them).
func (r *Reader) readAheadFast() error {
	line, err := r.fast.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		long := append([]byte(nil), line...)
		for err == bufio.ErrBufferFull {
			line, err = r.fast.ReadSlice('\n')
			long = append(long, line...)
		}
		line = long
	}
	if err != nil && err != io.EOF {
		return fmt.Errorf("%s: read: %w", r.name, err)
	}
	if len(line) == 0 {
		r.done = true
		return nil
	}
	r.lineNo++
	line = bytes.TrimRight(line, "\r\n")
	a := &r.ahead
	a.buf = append(a.buf[:0], line...)
	a.rec = a.rec[:0]
	start := 0
	for i := 0; i <= len(a.buf); i++ {
		if i == len(a.buf) || a.buf[i] == ',' {
			if i > start {
				a.rec = append(a.rec, unsafe.String(&a.buf[start], i-start))
			} else {
				a.rec = append(a.rec, "")
			}
			start = i + 1
		}
	}
	a.line, a.rowErr, a.ok = r.lineNo, nil, true
	return nil
}

func (r *Reader) rowErr(line int, field, format string, args ...any) *skygrid.RowError {
	return &skygrid.RowError{File: r.name, Line: line, Field: field, Reason: fmt.Sprintf(format, args...)}
}

func field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// float reads a number field and checks it against its range: NaN, ±Inf
// and values outside the range are refused with the field named.
func (r *Reader) float(rec []string, i int, line int, name string, required bool, rng *skygrid.Range) (float64, *skygrid.RowError) {
	s := field(rec, i)
	if s == "" {
		if required {
			if i >= len(rec) {
				return 0, r.rowErr(line, name, "missing (the row has %d fields, the header %d)", len(rec), r.cols.n)
			}
			return 0, r.rowErr(line, name, "empty")
		}
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, r.rowErr(line, name, "not a number: %s", skygrid.Clip(s))
	}
	if v < rng.Min || v > rng.Max || v != v { // NaN compares false
		return 0, r.rowErr(line, name, "%s", rng.Check(v))
	}
	return v, nil
}

// text checks a field kept as text (a code such as version or daynight).
func (r *Reader) text(rec []string, i int, line int, name string) (string, *skygrid.RowError) {
	s := field(rec, i)
	if v, ok := interned[s]; ok {
		return v, nil
	}
	if reason := skygrid.LimitFireCode.Check(s); reason != "" {
		return "", r.rowErr(line, name, "%s", reason)
	}
	return strings.Clone(s), nil
}

func (r *Reader) parseFIRMS(rec []string, line int, h *skygrid.Hotspot) (*skygrid.Hotspot, *skygrid.RowError) {
	c := &r.cols
	if len(rec) < c.n {
		return nil, r.shortRow(rec, line)
	}
	lat, e := r.float(rec, c.lat, line, "latitude", true, &skygrid.RangeLat)
	if e != nil {
		return nil, e
	}
	lon, e := r.float(rec, c.lon, line, "longitude", true, &skygrid.RangeLon)
	if e != nil {
		return nil, e
	}
	ds := field(rec, c.date)
	day := r.lastDay
	if ds != r.lastDate {
		var err error
		if day, err = parseDate(ds); err != nil {
			return nil, r.rowErr(line, "acq_date", "%v", err)
		}
		r.lastDate, r.lastDay = strings.Clone(ds), day
	}
	hm, err := parseHHMM(field(rec, c.time))
	if err != nil {
		return nil, r.rowErr(line, "acq_time", "%v", err)
	}
	*h = skygrid.Hotspot{AcqTime: day.Add(hm), Point: orb.Point{lon, lat}, Type: -1, Status: skygrid.StatusPending}
	inst := strings.ToUpper(field(rec, c.inst))
	sat := field(rec, c.sat)
	h.Satellite, h.Source = normSatellite(sat, inst, r.format)
	switch inst {
	case "MODIS":
		h.Source = skygrid.SourceMODIS
	case "VIIRS":
		h.Source = skygrid.SourceVIIRS
	}
	if h.Satellite == "" {
		return nil, r.rowErr(line, "satellite", "unknown satellite %s", skygrid.Clip(sat))
	}
	if h.Brightness, e = r.float(rec, c.bright, line, "brightness", false, &skygrid.RangeKelvin); e != nil {
		return nil, e
	}
	if h.BrightT31, e = r.float(rec, c.bright31, line, "bright_t31", false, &skygrid.RangeKelvin); e != nil {
		return nil, e
	}
	if h.Scan, e = r.float(rec, c.scan, line, "scan", false, &skygrid.RangePixel); e != nil {
		return nil, e
	}
	if h.Track, e = r.float(rec, c.track, line, "track", false, &skygrid.RangePixel); e != nil {
		return nil, e
	}
	if h.FRP, e = r.float(rec, c.frp, line, "frp", false, &skygrid.RangeFRP); e != nil {
		return nil, e
	}
	conf, ok := normConfidence(field(rec, c.conf), h.Source)
	if !ok {
		return nil, r.rowErr(line, "confidence", "unknown confidence %s (want l/n/h, low/nominal/high or 0-100)", skygrid.Clip(field(rec, c.conf)))
	}
	h.Confidence = conf
	if h.DayNight, e = r.text(rec, c.daynight, line, "daynight"); e != nil {
		return nil, e
	}
	h.DayNight = intern(strings.ToUpper(h.DayNight))
	if h.Version, e = r.text(rec, c.version, line, "version"); e != nil {
		return nil, e
	}
	if s := field(rec, c.typ); s != "" {
		t, err := strconv.Atoi(s)
		if err != nil || t < 0 || t > 3 {
			return nil, r.rowErr(line, "type", "want 0, 1, 2 or 3, got %s", skygrid.Clip(s))
		}
		h.Type = t
	}
	return h, nil
}

// shortRow is the error of a FIRMS row with fewer fields than the header:
// it names the first required field missing.
func (r *Reader) shortRow(rec []string, line int) *skygrid.RowError {
	c := &r.cols
	for _, m := range []struct {
		idx  int
		name string
	}{{c.lat, "latitude"}, {c.lon, "longitude"}, {c.date, "acq_date"}, {c.time, "acq_time"}, {c.sat, "satellite"}, {c.conf, "confidence"}, {c.frp, "frp"}, {c.daynight, "daynight"}} {
		if m.idx >= len(rec) {
			return r.rowErr(line, m.name, "missing (the row has %d fields, the header %d)", len(rec), c.n)
		}
	}
	return r.rowErr(line, "", "the row has %d fields, the header %d", len(rec), c.n)
}

func (r *Reader) parseHimawari(rec []string, line int, h *skygrid.Hotspot) (*skygrid.Hotspot, *skygrid.RowError) {
	c := &r.cols
	if len(rec) < c.n {
		return nil, r.rowErr(line, "", "the row has %d fields, the header %d", len(rec), c.n)
	}
	lat, e := r.float(rec, c.lat, line, "Lat", true, &skygrid.RangeLat)
	if e != nil {
		return nil, e
	}
	lon, e := r.float(rec, c.lon, line, "Lon", true, &skygrid.RangeLon)
	if e != nil {
		return nil, e
	}
	var ymd [3]int
	for i, f := range []struct {
		idx  int
		name string
	}{{c.year, "Year"}, {c.month, "Month"}, {c.day, "Day"}} {
		v, err := strconv.Atoi(field(rec, f.idx))
		if err != nil {
			return nil, r.rowErr(line, f.name, "not a whole number: %s", skygrid.Clip(field(rec, f.idx)))
		}
		ymd[i] = v
	}
	if ymd[1] < 1 || ymd[1] > 12 || ymd[2] < 1 || ymd[2] > 31 {
		return nil, r.rowErr(line, "Month", "not a date: %d-%d-%d", ymd[0], ymd[1], ymd[2])
	}
	hm, err := parseHHMM(field(rec, c.time))
	if err != nil {
		return nil, r.rowErr(line, "Time(UTC)", "%v", err)
	}
	*h = skygrid.Hotspot{
		Source: skygrid.SourceHimawari, Satellite: r.himawariSat, Point: orb.Point{lon, lat}, Type: -1,
		AcqTime: time.Date(ymd[0], time.Month(ymd[1]), ymd[2], 0, 0, 0, 0, time.UTC).Add(hm),
		Status:  skygrid.StatusPending,
	}
	if h.FRP, e = r.float(rec, c.frp, line, "FRP", false, &skygrid.RangeFRP); e != nil {
		return nil, e
	}
	if h.Confidence, e = r.text(rec, c.reliability, line, "Reliability"); e != nil {
		return nil, e
	}
	if field(rec, c.volcano) == "1" {
		h.Type = 1
	}
	return h, nil
}

// parseDate takes YYYY-MM-DD, YYYY/MM/DD and the M/D/YYYY of spreadsheet re-saves.
func parseDate(s string) (time.Time, error) {
	s = strings.Trim(s, `"`)
	if s == "" {
		return time.Time{}, errors.New("empty")
	}
	for _, layout := range []string{"2006-01-02", "2006/01/02", "1/2/2006", "2006-1-2"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	// Spreadsheets may add a time: "5/17/2022 0:00".
	if i := strings.IndexByte(s, ' '); i > 0 {
		return parseDate(s[:i])
	}
	return time.Time{}, fmt.Errorf("not a date: %s (want YYYY-MM-DD or M/D/YYYY)", skygrid.Clip(s))
}

// parseHHMM takes HHMM with or without leading zeros ("7" is 00:07, "818"
// is 08:18) and HH:MM.
func parseHHMM(s string) (time.Duration, error) {
	s = strings.Trim(s, `"`)
	if s == "" {
		return 0, errors.New("empty")
	}
	var hh, mm int
	if i := strings.IndexByte(s, ':'); i >= 0 {
		var err1, err2 error
		hh, err1 = strconv.Atoi(s[:i])
		mm, err2 = strconv.Atoi(s[i+1:])
		if err1 != nil || err2 != nil {
			return 0, fmt.Errorf("not a time: %s", skygrid.Clip(s))
		}
	} else {
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 {
			return 0, fmt.Errorf("not a time: %s (want HHMM)", skygrid.Clip(s))
		}
		hh, mm = v/100, v%100
	}
	if hh > 23 || mm > 59 || hh < 0 || mm < 0 {
		return 0, fmt.Errorf("not a time of day: %s", skygrid.Clip(s))
	}
	return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute, nil
}

// normSatellite maps FIRMS satellite codes to one spelling and decides the
// source (VIIRS or MODIS) from the instrument column or the satellite.
func normSatellite(sat, inst, format string) (satellite, source string) {
	switch strings.ToUpper(strings.Trim(sat, `"`)) {
	case "N", "NPP", "SNPP", "SUOMI NPP", "S-NPP":
		return "SNPP", skygrid.SourceVIIRS
	case "1", "N20", "J1", "NOAA-20", "NOAA20", "NOAA 20":
		return "N20", skygrid.SourceVIIRS
	case "2", "N21", "J2", "NOAA-21", "NOAA21", "NOAA 21":
		return "N21", skygrid.SourceVIIRS
	case "T", "TERRA":
		return "Terra", skygrid.SourceMODIS
	case "A", "AQUA":
		return "Aqua", skygrid.SourceMODIS
	case "":
		// No satellite column: trust the instrument or the header.
		switch {
		case inst == "MODIS" || format == FormatFIRMSMODIS:
			return "MODIS", skygrid.SourceMODIS
		default:
			return "VIIRS", skygrid.SourceVIIRS
		}
	}
	return "", ""
}

// normConfidence maps l/n/h, low/nominal/high to l/n/h and checks 0-100.
func normConfidence(s, source string) (string, bool) {
	s = strings.ToLower(strings.Trim(s, `"`))
	switch s {
	case "l", "low":
		return "l", true
	case "n", "nominal":
		return "n", true
	case "h", "high":
		return "h", true
	case "":
		return "", true
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 || v > 100 {
		return "", false
	}
	return intern(strconv.Itoa(v)), true
}

var interned = map[string]string{}

func init() {
	for i := 0; i <= 100; i++ {
		s := strconv.Itoa(i)
		interned[s] = s
	}
	for _, s := range []string{"D", "N", "2.0NRT", "6.0NRT", "6.1NRT", "1.0NRT", "2", "1", "0"} {
		interned[s] = s
	}
}

// intern returns a shared copy of common short strings so that a hotspot
// does not keep its whole CSV line alive.
func intern(s string) string {
	if v, ok := interned[s]; ok {
		return v
	}
	return strings.Clone(s)
}
