package password_test

import (
	"strings"
	"testing"

	"skygrid"
	"skygrid/password"
)

func TestHash(t *testing.T) {
	for _, tc := range []struct {
		name, pw string
		code     string // "" when the password is taken
	}{
		{"eight letters", "abcdefgh", ""},
		{"eight Chinese characters (24 bytes)", "大同市空气质量好", ""},
		{"seven letters", "abcdefg", skygrid.EINVALID},
		{"seven Chinese characters", "大同市空气质量", skygrid.EINVALID},
		{"empty", "", skygrid.EINVALID},
		{"at the byte limit", strings.Repeat("a", skygrid.LimitPassword.Max), ""},
		{"over the byte limit", strings.Repeat("a", skygrid.LimitPassword.Max+1), skygrid.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := password.Hash(tc.pw)
			if got := skygrid.ErrorCode(err); err != nil && got != tc.code || err == nil && tc.code != "" {
				t.Fatalf("Hash: %v, want code %q", err, tc.code)
			}
			if tc.code != "" {
				return
			}
			if !strings.HasPrefix(h, "$2a$11$") {
				t.Errorf("hash %q is not bcrypt at cost 11", h)
			}
			if !password.Verify(h, tc.pw) {
				t.Errorf("Verify(hash, %q) = false", tc.pw)
			}
			if password.Verify(h, "x"+tc.pw) {
				t.Errorf("Verify(hash, another password) = true")
			}
		})
	}
}

func TestVerify(t *testing.T) {
	h, err := password.Hash("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, hash, pw string
		want           bool
	}{
		{"the password", h, "correct horse", true},
		{"another case", h, "Correct horse", false},
		{"empty password", h, "", false},
		{"no user (empty hash)", "", "correct horse", false},
		{"not a bcrypt hash", "plain", "plain", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := password.Verify(tc.hash, tc.pw); got != tc.want {
				t.Errorf("Verify = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSecrets(t *testing.T) {
	a, b := password.NewSecret(), password.NewSecret()
	if a == b || len(a) != 43 || strings.ContainsAny(a, "+/=") {
		t.Errorf("secrets %q and %q: want two different 43-character URL-safe strings", a, b)
	}
	// SHA-256 of "abc", hex (FIPS 180-2's example).
	if got, want := password.HashSecret("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Errorf("HashSecret(abc) = %s, want %s", got, want)
	}
}
