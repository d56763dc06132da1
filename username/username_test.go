package username_test

import (
	"strings"
	"testing"

	"skygrid/username"
)

func TestNormalise(t *testing.T) {
	for _, tc := range []struct {
		name, in, want, key, err string
	}{
		{"plain", "wangge", "wangge", "wangge", ""},
		{"trimmed", "  li wei \t", "li wei", "li wei", ""},
		{"full width", "ＡＤＭＩＮ１", "ADMIN1", "admin1", ""},
		{"ideographic space", "王\u3000伟", "王 伟", "王 伟", ""},
		{"a ligature", "ﬁre", "fire", "fire", ""},
		{"sharp s folds to ss", "Straße", "Straße", "strasse", ""},
		{"composed", "Jose\u0301", "José", "josé", ""},
		{"Chinese at the limit", strings.Repeat("网", 64), strings.Repeat("网", 64), strings.Repeat("网", 64), ""},
		{"over the limit", strings.Repeat("a", 65), "", "", "at most 64 characters, got 65"},
		{"megabytes", strings.Repeat("a", 1<<20), "", "", "at most 64 characters, got 1048576 bytes"},
		{"empty", "", "", "", "a user needs a name"},
		{"NUL", "a\x00b", "", "", "control characters are not allowed: NUL"},
		{"zero-width space", "ad\u200bmin", "", "", "invisible format characters are not allowed (U+200B at character 3)"},
		{"byte-order mark", "\ufeffadmin", "", "", "invisible format characters"},
		{"right-to-left override", "ad\u202emin", "", "", "bidirectional overrides and isolates are not allowed (U+202E"},
		{"pop directional isolate", "admin\u2069", "", "", "bidirectional overrides and isolates"},
		{"paragraph separator", "a\u2029b", "", "", "control characters are not allowed"},
		{"private use", "a\ue000", "", "", "private-use characters"},
		{"invalid UTF-8", "a\xffb", "", "", "invalid UTF-8 at byte 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, key, err := username.Parse(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("%q %v, want an error %q", n, err, tc.err)
				}
				return
			}
			if err != nil || n != tc.want || key != tc.key {
				t.Errorf("%q %q %v, want %q %q", n, key, err, tc.want, tc.key)
			}
			if again, _ := username.Normalise(n); again != n {
				t.Errorf("normalised again: %q", again)
			}
		})
	}
	if username.Key("ADMIN") != username.Key("ａｄｍｉｎ") {
		t.Error("ADMIN and ａｄｍｉｎ have different keys")
	}
}
