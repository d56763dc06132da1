package skygrid_test

import (
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"skygrid"
)

var update = flag.Bool("update", false, "rewrite README.md's generated tables: the limits (skygrid.Limits and skygrid.Ranges) and the configuration (skygrid.example.toml)")

func TestLimitCheck(t *testing.T) {
	name := skygrid.Limit{Key: "t", Max: 5}
	notes := skygrid.Limit{Key: "n", Max: 6, Bytes: true, Lines: true}
	for _, tc := range []struct {
		name string
		lim  skygrid.Limit
		in   string
		want string
	}{
		{"fits", name, "网格员一二", ""},
		{"empty fits", name, "", ""},
		{"characters, not bytes", name, "网格员一二三", "at most 5 characters, got 6"},
		{"bytes", notes, "网格员", "at most 6 bytes, got 9"},
		{"a line break in a name", name, "a\nb", "control characters are not allowed (U+000A at character 2)"},
		{"a line break in notes", notes, "a\r\nb\tc", ""},
		{"NUL", notes, "a\x00", "control characters are not allowed: NUL (U+0000 at character 2)"},
		{"C1 control", name, "a\u0085", "control characters are not allowed (U+0085 at character 2)"},
		{"line separator", notes, "a\u2028", "control characters are not allowed (U+2028 at character 2)"},
		{"right-to-left override", name, "\u202eab", "bidirectional overrides and isolates are not allowed (U+202E at character 1)"},
		{"first strong isolate", name, "ab\u2068", "bidirectional overrides and isolates are not allowed (U+2068 at character 3)"},
		{"U+FFFD", name, "a\ufffd", "U+FFFD, the mark of text read in a wrong encoding, is not allowed (U+FFFD at character 2)"},
		{"invalid UTF-8", name, "ab\xc3", "invalid UTF-8 at byte 3"},
		{"left-to-right mark is no override", name, "a\u200eb", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.lim.Check(tc.in); got != tc.want {
				t.Errorf("%q, want %q", got, tc.want)
			}
		})
	}
}

func TestRangeParseNumber(t *testing.T) {
	r := skygrid.RangeLat
	for _, tc := range []struct {
		in   string
		want float64
		why  string
	}{
		{"40.1", 40.1, ""},
		{"-90", -90, ""},
		{"1e1", 10, ""},
		{"NaN", 0, "not a finite number: NaN"},
		{"-nan", 0, `not a number: "-nan"`},
		{"Inf", 0, "not a finite number: +Inf"},
		{"-Infinity", 0, "not a finite number: -Inf"},
		{"1e400", 0, "not a finite number: +Inf"},
		{"90.0001", 0, "out of range: 90.0001 (want -90 to 90 °)"},
		{"0x1p4", 0, `not a decimal number: "0x1p4"`},
		{"", 0, `not a number: ""`},
		{"北纬40", 0, `not a number: "北纬40"`},
		{strings.Repeat("4", 100) + "x", 0, `not a number: "4444444444444444444444444444444444444444"… (101 bytes)`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			v, why := r.ParseNumber(tc.in)
			if !strings.Contains(why, tc.why) || (tc.why == "" && why != "") || v != tc.want {
				t.Errorf("%v %q, want %v %q", v, why, tc.want, tc.why)
			}
		})
	}
	if why := skygrid.RangeAccuracy.Check(math.NaN()); why != "not a finite number: NaN" {
		t.Errorf("accuracy NaN: %q", why)
	}
}

func TestInvalidUTF8Line(t *testing.T) {
	for _, tc := range []struct {
		in        string
		line, col int
	}{
		{"a,b\nc,d\n", 0, 0},
		{"\xff", 1, 1},
		{"名,b\n名,\xfe\n", 2, 5},
		{"a\n\nab\xc3\x28", 3, 3},
	} {
		if l, c := skygrid.InvalidUTF8Line([]byte(tc.in)); l != tc.line || c != tc.col {
			t.Errorf("%q: line %d byte %d, want %d, %d", tc.in, l, c, tc.line, tc.col)
		}
	}
}

const (
	limitsBegin = "<!-- limits: generated from skygrid.Limits and skygrid.Ranges (limits.go) by `go test . -run TestREADMELimits -update` -->"
	limitsEnd   = "<!-- limits: end -->"
)

// limitsMarkdown is the README's table of limits.
func limitsMarkdown() string {
	var b strings.Builder
	b.WriteString(limitsBegin + "\n\n| text | at most | what |\n|---|---|---|\n")
	for _, l := range skygrid.Limits {
		lines := ""
		if l.Lines {
			lines = ", line breaks allowed"
		}
		fmt.Fprintf(&b, "| `%s` | %d %s%s | %s |\n", l.Key, l.Max, l.Unit(), lines, l.Fields)
	}
	b.WriteString("\n| number | from | to | what |\n|---|---|---|---|\n")
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, r := range skygrid.Ranges {
		fmt.Fprintf(&b, "| `%s` | %s | %s %s | %s |\n", r.Key, num(r.Min), num(r.Max), r.Unit, r.Fields)
	}
	b.WriteString("\n" + limitsEnd)
	return b.String()
}

// The README's table of limits is skygrid.Limits and skygrid.Ranges.
func TestREADMELimits(t *testing.T) {
	checkREADME(t, limitsBegin, limitsEnd, limitsMarkdown(),
		"README.md's table of limits differs from skygrid.Limits and skygrid.Ranges: run go test . -run TestREADMELimits -update")
}
