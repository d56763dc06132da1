package skygrid

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Limit is the most one kind of text field may hold, and what it may hold.
// Every text that a file, a form or a JSON body brings is checked against
// its Limit where it enters (the reader or the handler), and refused with
// the file, line and field, or the field, named. The README's "Limits"
// section is this table (a test compares them).
type Limit struct {
	// Key names the limit.
	Key string
	// Fields says which fields it applies to, as files, forms and JSON
	// name them.
	Fields string
	// Max is the most it may hold: characters (Unicode code points), or
	// bytes of UTF-8 when Bytes is set.
	Max   int
	Bytes bool
	// Lines: the text may hold line breaks and tabs (notes); any other
	// field is one line.
	Lines bool
}

// The limits of text fields.
var (
	LimitUserName = Limit{Key: "user_name", Max: 64, Fields: "user names: `name` of POST /api/users and POST /api/login, `skygrid user add --name` " +
		"(after NFKC; see the log-in rules)"}
	LimitPersonName = Limit{Key: "person_name", Max: 64, Fields: "a grid supervisor's name: supervisors CSV `name`/姓名"}
	LimitRegionName = Limit{Key: "region_name", Max: 100, Fields: "region names: regions GeoJSON (`--name-prop`)"}
	LimitSiteName   = Limit{Key: "site_name", Max: 200, Fields: "site and heat-source names: registries (`--name-prop`), heat-source files (name, Chinese name)"}
	LimitID         = Limit{Key: "id", Max: 64, Fields: "ids: region, grid and parent ids (regions GeoJSON, supervisors CSV `grid_id`, " +
		"`grid_id` of a reassignment, `regions` of POST /api/users, the upload's `parent`), site and heat-source external ids"}
	LimitPhone      = Limit{Key: "phone", Max: 32, Fields: "phone numbers: supervisors CSV `phone`, `phone` of POST /api/users, `--phone`"}
	LimitDingTalkID = Limit{Key: "dingtalk_id", Max: 64, Bytes: true, Fields: "DingTalk user ids: `dingtalk_id` of POST /api/users, `--dingtalk-id`"}
	LimitPassword   = Limit{Key: "password", Max: 72, Bytes: true, Fields: "passwords (at least 8 characters; bcrypt reads 72 bytes)"}
	LimitNotes      = Limit{Key: "notes", Max: 4000, Bytes: true, Lines: true, Fields: "`notes` of a report, a close, a bulk close and a reviewer's note; `note` of a report from the public, " +
		"`note` and `reason` of its moderation"}
	LimitReason   = Limit{Key: "reason", Max: 4000, Bytes: true, Lines: true, Fields: "`reason` of a return"}
	LimitPropName = Limit{Key: "property_name", Max: 200, Fields: "column and property names: registry headers and properties, " +
		"the import options (`id_prop`, `name_prop`, `parent_prop`, `wkt_col`, `lon_col`, `lat_col`, `prop=attr=列名`, `level`, `crs`, `site_kind`)"}
	LimitPropValue = Limit{Key: "property_value", Max: 1000, Fields: "every other value a registry or heat-source file brings (permit, builder, capacity, ...)"}
	LimitFileName  = Limit{Key: "file_name", Max: 200, Fields: "the name of an uploaded file (POST /api/imports/...)"}
	LimitFireCode  = Limit{Key: "fire_code", Max: 16, Fields: "codes of fire files kept as text: `version`, `daynight`, Himawari `Reliability`"}
	LimitQuery     = Limit{Key: "query", Max: 100, Fields: "the task list's search text: `q` of GET /api/tasks"}
	LimitSearch    = Limit{Key: "search", Max: MaxSearchRunes, Fields: "the place search's text: `q` of GET /api/search"}
)

// Limits lists every limit, in the README's order.
var Limits = []Limit{LimitUserName, LimitPersonName, LimitRegionName, LimitSiteName, LimitID, LimitPhone, LimitDingTalkID,
	LimitPassword, LimitNotes, LimitReason, LimitPropName, LimitPropValue, LimitFileName, LimitFireCode, LimitQuery, LimitSearch}

// Unit is "characters" or "bytes".
func (l Limit) Unit() string {
	if l.Bytes {
		return "bytes"
	}
	return "characters"
}

// Check returns why s does not fit the limit, or "": invalid UTF-8 (with
// the byte where it starts), too long, or a character no text of skygrid
// holds (control characters but line breaks and tabs in notes, NUL,
// bidirectional overrides and isolates, U+FFFD). The text itself is never
// repeated: it may be megabytes.
func (l Limit) Check(s string) string {
	if i := InvalidUTF8(s); i >= 0 {
		return fmt.Sprintf("invalid UTF-8 at byte %d", i+1)
	}
	n := len(s)
	if !l.Bytes {
		n = utf8.RuneCountInString(s)
	}
	if n > l.Max {
		return fmt.Sprintf("at most %d %s, got %d", l.Max, l.Unit(), n)
	}
	for i, r := range s {
		if what := badRune(r, l.Lines); what != "" {
			return fmt.Sprintf("%s (U+%04X at character %d)", what, r, utf8.RuneCountInString(s[:i])+1)
		}
	}
	return ""
}

// CheckField is Check as an EINVALID error naming the field, or nil.
func (l Limit) CheckField(field, s string) error {
	if reason := l.Check(s); reason != "" {
		return Errorf(EINVALID, "%s: %s", field, reason)
	}
	return nil
}

// badRune says why r is refused in text, or "".
func badRune(r rune, lines bool) string {
	switch {
	case r == 0:
		return "control characters are not allowed: NUL"
	case lines && (r == '\n' || r == '\r' || r == '\t'):
		return ""
	case unicode.IsControl(r), r == '\u2028', r == '\u2029':
		return "control characters are not allowed"
	case IsBidiControl(r):
		return "bidirectional overrides and isolates are not allowed"
	case r == utf8.RuneError:
		return "U+FFFD, the mark of text read in a wrong encoding, is not allowed"
	}
	return ""
}

// IsBidiControl reports the characters that reorder the text around them
// (embeddings, overrides and isolates: U+202A-U+202E, U+2066-U+2069): a
// name holding one shows other than it reads.
func IsBidiControl(r rune) bool {
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// InvalidUTF8 is the byte offset of the first invalid UTF-8 sequence in
// s, or -1.
func InvalidUTF8(s string) int {
	if utf8.ValidString(s) {
		return -1
	}
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return -1
}

// InvalidUTF8Line is the 1-based line of the first invalid UTF-8
// sequence in data, and its byte offset in the line (1-based); 0, 0 when
// data is valid UTF-8.
func InvalidUTF8Line(data []byte) (line, col int) {
	if utf8.Valid(data) {
		return 0, 0
	}
	line, start := 1, 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return line, i - start + 1
		}
		if r == '\n' {
			line, start = line+1, i+1
		}
		i += size
	}
	return 0, 0
}

// Range is the range a number of some kind must fall in: finite (no NaN,
// no ±Inf) and from Min to Max. Like Limits, Ranges is in the README.
type Range struct {
	Key    string
	Fields string
	Min    float64
	Max    float64
	Unit   string
}

// The ranges of numbers that enter from files, forms and JSON.
var (
	RangeLon      = Range{Key: "lon", Min: -180, Max: 180, Unit: "°", Fields: "longitudes: the report's `lon`, fire files, registry `lon` columns, GeoJSON and WKT coordinates, heat-source files"}
	RangeLat      = Range{Key: "lat", Min: -90, Max: 90, Unit: "°", Fields: "latitudes: as longitudes"}
	RangeAccuracy = Range{Key: "accuracy", Min: 0, Max: 100000, Unit: "m", Fields: "the report's `accuracy` (the phone's position, metres)"}
	RangeArea     = Range{Key: "area_m2", Min: 0, Max: 1e10, Unit: "m²", Fields: "a point site's `area_m2`/占地面积"}
	RangeKelvin   = Range{Key: "brightness", Min: 0, Max: 2000, Unit: "K", Fields: "fire files' brightness temperatures (`bright_ti4`, `bright_ti5`, `brightness`, `bright_t31`)"}
	RangeFRP      = Range{Key: "frp", Min: 0, Max: 1e6, Unit: "MW", Fields: "fire radiative power: fire files' `frp`, Himawari `FRP`"}
	RangePixel    = Range{Key: "scan_track", Min: 0, Max: 100, Unit: "km", Fields: "fire files' `scan` and `track` (pixel size)"}
	RangeCapacity = Range{Key: "capacity_mw", Min: 0, Max: 1e6, Unit: "MW", Fields: "heat-source files' capacity"}
	RangeMetres   = Range{Key: "metres", Min: 0, Max: 1e6, Unit: "m", Fields: "distances in the config file (`cluster_metres`, `heat_source_metres`, `area_margin_metres`, ...)"}
)

// Ranges lists every range, in the README's order.
var Ranges = []Range{RangeLon, RangeLat, RangeAccuracy, RangeArea, RangeKelvin, RangeFRP, RangePixel, RangeCapacity, RangeMetres}

// Check returns why v is refused, or "": NaN, ±Inf, or outside the range.
func (r Range) Check(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Sprintf("not a finite number: %v", v)
	}
	if v < r.Min || v > r.Max {
		return fmt.Sprintf("out of range: %s (want %s to %s %s)", fmtNum(v), fmtNum(r.Min), fmtNum(r.Max), r.Unit)
	}
	return ""
}

// CheckField is Check as an EINVALID error naming the field, or nil.
func (r Range) CheckField(field string, v float64) error {
	if reason := r.Check(v); reason != "" {
		return Errorf(EINVALID, "%s: %s", field, reason)
	}
	return nil
}

// ParseNumber reads a decimal number as strconv.ParseFloat does and checks
// it: NaN, ±Inf (also what overflows, 1e400) and values outside the range
// are refused, and so is the hexadecimal form ParseFloat also reads. The
// string is the reason ("not a number: ..." quotes the value, cut to 40
// characters), or "".
func (r Range) ParseNumber(s string) (float64, string) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, "not a number: " + Clip(s)
	}
	if reason := r.Check(v); reason != "" {
		return 0, reason
	}
	if !decimal(s) {
		return 0, "not a decimal number: " + Clip(s)
	}
	return v, ""
}

// decimal reports whether s is written with digits, a sign, a point and
// an exponent only (strconv also reads "0x1p-2" and "1_000" after 0x).
func decimal(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '.', c == '-', c == '+', c == 'e', c == 'E':
		default:
			return false
		}
	}
	return true
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// ClipName is a column or property name for a message: at most 40 bytes
// (a header of a file may be megabytes long).
func ClipName(s string) string { return ClipText(s, 40) }

// ClipText is s cut to at most n bytes at a character's start, with "…"
// when it was cut.
func ClipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:runeCut(s, n)] + "…"
}

// runeCut is the largest cut of s at most n bytes long that starts a
// character (len(s) > n).
func runeCut(s string, n int) int {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

// Clip quotes a value for a message, cut to 40 characters: a refused
// field may be megabytes long.
func Clip(s string) string {
	const max = 40
	if len(s) <= max {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%s… (%d bytes)", strconv.Quote(s[:runeCut(s, max)]), len(s))
}
