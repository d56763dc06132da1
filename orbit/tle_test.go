package orbit

import (
	"strings"
	"testing"
	"time"

	"skygrid"
)

const n20 = `NOAA 20 (JPSS-1)
1 43013U 17073A   26277.53648533  .00000027  00000+0  33946-4 0  9997
2 43013  98.7849 216.0558 0000747  30.8694 329.2526 14.19528931459980
`

func TestParseTLEs(t *testing.T) {
	l1 := "1 43013U 17073A   26277.53648533  .00000027  00000+0  33946-4 0  9997"
	l2 := "2 43013  98.7849 216.0558 0000747  30.8694 329.2526 14.19528931459980"
	tests := []struct {
		name, text, err string
		n               int
	}{
		{name: "3-line", text: n20, n: 1},
		{name: "CRLF and comments", text: "# set\r\n" + strings.ReplaceAll(n20, "\n", "\r\n"), n: 1},
		{name: "2-line", text: l1 + "\n" + l2 + "\n", n: 1},
		{name: "bad checksum", text: "X\n" + l1[:68] + "8\n" + l2 + "\n", err: "f.tle line 2: line 1 checksum"},
		{name: "catalogue numbers differ", text: l1 + "\n" + fixSum("2 43014"+l2[7:]) + "\n", err: "catalogue number"},
		{name: "line 2 alone", text: "X\n" + l2 + "\n", err: "f.tle line 2: line 2 without a line 1"},
		{name: "line 1 alone", text: "X\n" + l1 + "\nY\n", err: "f.tle line 2: line 1 without its line 2"},
		{name: "not a number", text: "X\n" + l1 + "\n" + fixSum("2 43013  98.7849 216.0558 0000747  30.8694 329.25x6 14.19528931459980") + "\n", err: "mean anomaly"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := ParseTLEs(strings.NewReader(tt.text), "f.tle")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || len(set) != tt.n {
				t.Fatalf("%d sets, %v", len(set), err)
			}
			want := time.Date(2026, 10, 4, 12, 52, 32, 332512000, time.UTC) // day 277.53648533
			if set[0].NORAD != 43013 || set[0].Epoch.Sub(want).Abs() > time.Millisecond {
				t.Errorf("got %d %s", set[0].NORAD, set[0].Epoch)
			}
		})
	}
}

func fixSum(l string) string { return l[:68] + string(checksum(l)) }

// The embedded fallback has every fire satellite, dated as its header says.
func TestFallback(t *testing.T) {
	set := Fallback()
	p, missing, err := NewPredictor(set)
	if err != nil || len(missing) > 0 || len(p.Sats) != len(skygrid.FireSatellites) {
		t.Fatalf("%v, missing %v", err, missing)
	}
	if !strings.Contains(fallback, "Dated: 2026-10-04") || Newest(set).Format("2006-01-02") != "2026-10-04" {
		t.Errorf("newest epoch %s, header says 2026-10-04", Newest(set))
	}
	now := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	if d := Age(Select(set, now), now).Hours() / 24; d < 70 || d > 71 {
		t.Errorf("age %.1f days, the oldest epoch in use is 2026-09-25 07:56", d)
	}
}

// Select takes per satellite the elements nearest the time: the 2026 set
// now, the 2023 history for the demo's October 2023.
func TestSelect(t *testing.T) {
	tests := []struct {
		name   string
		at     time.Time
		newest string
	}{
		{"now", time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC), "2026-10-04"},
		{"far future", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), "2026-10-04"},
		{"demo October 2023", time.Date(2023, 10, 24, 0, 0, 0, 0, time.UTC), "2023-10-13"},
		{"mid 2025: nearer the 2026 set", time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), "2026-10-04"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Select(Fallback(), tt.at)
			if len(got) != len(skygrid.FireSatellites) || Newest(got).Format("2006-01-02") != tt.newest {
				t.Errorf("%d sets, newest %s; want 5, %s", len(got), Newest(got), tt.newest)
			}
		})
	}
}

// FuzzParseTLEs: any text either parses into sets the propagator can take
// (it stops the program on a field it cannot read) or is refused.
func FuzzParseTLEs(f *testing.F) {
	f.Add(n20)
	f.Add(fallback)
	f.Add("X\n1 43013U 17073A   26277.53648533  .00000027  00000+0  33946-4 0  9997\n2 43013 x\n")
	f.Fuzz(func(t *testing.T, text string) {
		set, err := ParseTLEs(strings.NewReader(text), "fuzz")
		if err != nil {
			return
		}
		for _, tle := range set {
			p, err := NewPropagator(tle)
			if err != nil {
				continue
			}
			_, _, _, _ = p.SubPoint(tle.Epoch)
		}
	})
}
