package api

import "testing"

// If-None-Match as RFC 9110 §13.1.2 reads it, against the tile's tag
// "00ab" (tiles send strong tags; the comparison is weak).
func TestNoneMatch(t *testing.T) {
	const etag = `"00ab"`
	for _, tc := range []struct {
		name, header string
		want         bool
	}{
		{"the tag", `"00ab"`, true},
		{"the tag, weak", `W/"00ab"`, true},
		{"another tag", `"00ac"`, false},
		{"a longer tag holding it", `"x00ab"`, false},
		{"the tag inside another's quotes", `"a, "00ab""`, false},
		{"a list holding it", `"ff01", "00ab"`, true},
		{"a list holding it weak, no spaces", `"ff01",W/"00ab"`, true},
		{"a list with tabs and an empty element", "\"ff01\" ,\t, W/\"00ab\"", true},
		{"a list without it", `"ff01", W/"ff02"`, false},
		{"a comma inside a tag", `"00ab,", "ff01"`, false},
		{"a comma inside another tag, then the tag", `"x,y", "00ab"`, true},
		{"any", `*`, true},
		{"any, with spaces", ` * `, true},
		{"empty", ``, false},
		{"unquoted", `00ab`, false},
		{"lower-case weak prefix", `w/"00ab"`, false},
		{"unterminated", `"00ab`, false},
		{"garbage after the tag", `"ff01" x, "00ab"`, false},
		{"a space inside the quotes", `"00 ab"`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := noneMatch(tc.header, etag); got != tc.want {
				t.Errorf("noneMatch(%q, %s) = %v, want %v", tc.header, etag, got, tc.want)
			}
		})
	}
	// A weak tag of ours matches its strong form too.
	if !noneMatch(`"00ab"`, `W/"00ab"`) {
		t.Error(`W/"00ab" does not match "00ab"`)
	}
}
