package orbit

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	_ "embed"
)

// TLE is one satellite's orbital elements: its name line and the two
// element lines as published, the catalogue number and the epoch.
type TLE struct {
	Name  string    `json:"name"`
	NORAD int       `json:"norad"`
	Line1 string    `json:"line1"`
	Line2 string    `json:"line2"`
	Epoch time.Time `json:"epoch"`
}

var (
	//go:embed tle/fallback.txt
	fallback string
	//go:embed tle/history.txt
	history string
)

// Fallback is the embedded, dated set of the fire satellites' elements
// (tle/fallback.txt) and the older sets kept for past times
// (tle/history.txt).
func Fallback() []TLE {
	var out []TLE
	for _, f := range []struct{ name, text string }{{"orbit/tle/fallback.txt", fallback}, {"orbit/tle/history.txt", history}} {
		set, err := ParseTLEs(strings.NewReader(f.text), f.name)
		if err != nil {
			panic(err) // a test parses them: a broken embedded file is a bug
		}
		out = append(out, set...)
	}
	return out
}

// Select keeps, per satellite, the elements whose epoch is nearest at
// (for a time now or later: the newest).
func Select(set []TLE, at time.Time) []TLE {
	best := map[int]int{}
	var order []int
	for i, t := range set {
		j, ok := best[t.NORAD]
		if !ok {
			order = append(order, t.NORAD)
		}
		if !ok || t.Epoch.Sub(at).Abs() < set[j].Epoch.Sub(at).Abs() {
			best[t.NORAD] = i
		}
	}
	out := make([]TLE, 0, len(order))
	for _, n := range order {
		out = append(out, set[best[n]])
	}
	return out
}

// ParseTLEs reads a TLE set in CelesTrak's 3-line format (a name line, then
// lines 1 and 2); blank lines and lines starting with # are skipped, and a
// pair of element lines without a name line is accepted. An error names the
// file, the line and the field.
func ParseTLEs(r io.Reader, file string) ([]TLE, error) {
	sc := bufio.NewScanner(r)
	var out []TLE
	var name string
	var l1 string
	l1At, n := 0, 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), " \r\t")
		switch {
		case strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "1 ") && len(line) >= 69:
			if l1 != "" {
				return nil, fmt.Errorf("%s line %d: line 1 without its line 2", file, l1At)
			}
			l1, l1At = line, n
		case strings.HasPrefix(line, "2 ") && len(line) >= 69:
			if l1 == "" {
				return nil, fmt.Errorf("%s line %d: line 2 without a line 1", file, n)
			}
			t, err := parseElements(name, l1, line)
			if err != nil {
				return nil, fmt.Errorf("%s line %d: %w", file, l1At, err)
			}
			out = append(out, t)
			l1, name = "", ""
		default:
			if l1 != "" {
				return nil, fmt.Errorf("%s line %d: line 1 without its line 2", file, l1At)
			}
			name = strings.TrimSpace(strings.TrimPrefix(line, "0 "))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if l1 != "" {
		return nil, fmt.Errorf("%s line %d: line 1 without its line 2", file, l1At)
	}
	return out, nil
}

// parseElements checks both lines (checksums, catalogue numbers, every
// number the propagator reads) so that the propagator never meets a field
// it cannot read.
func parseElements(name, l1, l2 string) (TLE, error) {
	l1, l2 = l1[:69], l2[:69]
	for i, l := range []string{l1, l2} {
		if want, got := checksum(l), l[68]; got != want {
			return TLE{}, fmt.Errorf("line %d checksum: %c, computed %c", i+1, got, want)
		}
	}
	num1, err1 := strconv.Atoi(strings.TrimSpace(l1[2:7]))
	num2, err2 := strconv.Atoi(strings.TrimSpace(l2[2:7]))
	if err1 != nil || err2 != nil || num1 != num2 {
		return TLE{}, fmt.Errorf("catalogue number: %q and %q", l1[2:7], l2[2:7])
	}
	// the very strings the propagator parses (it stops the program on a
	// number it cannot read), with its two-space removal
	sp := func(f string) string { return strings.Replace(f, " ", "", 2) }
	fields := []struct{ name, text string }{
		{"epoch year", l1[18:20]}, {"epoch day", l1[20:32]}, {"ndot", sp(l1[33:43])},
		{"nddot", exp(l1[44:52])}, {"bstar", exp(l1[53:61])},
		{"inclination", sp(l2[8:16])}, {"raan", sp(l2[17:25])}, {"eccentricity", "." + l2[26:33]},
		{"argument of perigee", sp(l2[34:42])}, {"mean anomaly", sp(l2[43:51])}, {"mean motion", sp(l2[52:63])},
	}
	for _, f := range fields {
		if _, err := strconv.ParseFloat(f.text, 64); err != nil {
			return TLE{}, fmt.Errorf("%s: %q is not a number", f.name, f.text)
		}
	}
	yy, err := strconv.Atoi(l1[18:20])
	if err != nil {
		return TLE{}, fmt.Errorf("epoch year: %q is not a number", l1[18:20])
	}
	day, _ := strconv.ParseFloat(l1[20:32], 64)
	if day < 1 || day >= 367 {
		return TLE{}, fmt.Errorf("epoch day: %q out of range", l1[20:32])
	}
	return TLE{Name: name, NORAD: num1, Line1: l1, Line2: l2, Epoch: epoch(yy, day)}, nil
}

// exp turns a TLE's implied-decimal exponent field (" 33946-4") into a
// number Go reads (".33946e-4"), spaces removed as the propagator does.
func exp(f string) string {
	return strings.Replace(f[0:1]+"."+f[1:6]+"e"+f[6:8], " ", "", 2)
}

func checksum(l string) byte {
	sum := 0
	for _, c := range l[:68] {
		switch {
		case c >= '0' && c <= '9':
			sum += int(c - '0')
		case c == '-':
			sum++
		}
	}
	return byte('0' + sum%10)
}

// epoch is the TLE epoch: two-digit year (57-99 are 1900s) and the day of
// the year with its fraction, 1.0 being 1 January 00:00 UTC.
func epoch(yy int, day float64) time.Time {
	year := 2000 + yy
	if yy >= 57 {
		year = 1900 + yy
	}
	whole := math.Floor(day)
	ns := math.Round((day - whole) * 86400e9)
	return time.Date(year, 1, int(whole), 0, 0, 0, 0, time.UTC).Add(time.Duration(ns))
}

// Age is how old the set's oldest epoch is at now.
func Age(set []TLE, now time.Time) time.Duration {
	oldest := now
	for _, t := range set {
		if t.Epoch.Before(oldest) {
			oldest = t.Epoch
		}
	}
	return now.Sub(oldest)
}

// Newest is the newest epoch of the set (zero when empty).
func Newest(set []TLE) time.Time {
	var n time.Time
	for _, t := range set {
		if t.Epoch.After(n) {
			n = t.Epoch
		}
	}
	return n
}
