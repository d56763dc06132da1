package main

import (
	"strings"
	"testing"
)

// The cell size of grid generate: NaN, Inf and sizes that would make
// billions of cells are refused (the old code took nan and 1e-9m).
func TestParseLength(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		err  string
	}{
		{"3km", 3000, ""},
		{"1500m", 1500, ""},
		{"3000", 3000, ""},
		{"nan", 0, `got "nan"`},
		{"infkm", 0, `got "inf"`},
		{"1e-9m", 0, "from 100m to 100km"},
		{"1e9", 0, "from 100m to 100km"},
		{"-3km", 0, "from 100m to 100km"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			v, err := parseLength(tc.in)
			if tc.err == "" && (err != nil || v != tc.want) {
				t.Errorf("%v %v, want %v", v, err, tc.want)
			}
			if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("%v %v, want an error %q", v, err, tc.err)
			}
		})
	}
}
