// Package username says what a user name is: how it is normalised, what
// it may hold, and when two names are the same user.
//
// A name is read as NFKC (full-width letters and digits become ASCII, a
// compatibility character its plain form) with the spaces around it
// trimmed, and is then at most skygrid.LimitUserName characters, with no
// control, format (zero-width, byte-order mark, soft hyphen), line
// separator or bidirectional override or isolate character. Two names are
// the same user when their keys are equal: the NFKC name case-folded, so
// ADMIN, Admin and ＡＤＭＩＮ are admin.
package username

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"skygrid"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// maxRawBytes bounds the text normalised: NFKC may shorten a name (a
// letter and its combining accent become one character), never by this much.
const maxRawBytes = 16 * 4 * 64

// Normalise returns the name as stored and shown, or an EINVALID error
// that says why it is not a user name (never repeating it).
func Normalise(name string) (string, error) {
	lim := skygrid.LimitUserName
	if len(name) > maxRawBytes {
		return "", skygrid.Errorf(skygrid.EINVALID, "user name: at most %d characters, got %d bytes", lim.Max, len(name))
	}
	if i := skygrid.InvalidUTF8(name); i >= 0 {
		return "", skygrid.Errorf(skygrid.EINVALID, "user name: invalid UTF-8 at byte %d", i+1)
	}
	n := strings.TrimSpace(norm.NFKC.String(name))
	if n == "" {
		return "", skygrid.Errorf(skygrid.EINVALID, "a user needs a name")
	}
	if err := lim.CheckField("user name", n); err != nil {
		return "", err
	}
	for i, r := range n {
		if unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Co, unicode.Cs) || r == utf8.RuneError {
			return "", skygrid.Errorf(skygrid.EINVALID, "user name: %s are not allowed (U+%04X at character %d): a name holds letters, digits, "+
				"punctuation, symbols and spaces", what(r), r, utf8.RuneCountInString(n[:i])+1)
		}
	}
	return n, nil
}

func what(r rune) string {
	switch {
	case skygrid.IsBidiControl(r):
		return "bidirectional overrides and isolates"
	case unicode.Is(unicode.Cf, r):
		return "invisible format characters"
	case unicode.Is(unicode.Co, r):
		return "private-use characters"
	}
	return "separators"
}

// Key is what tells users apart: the name as NFKC, trimmed and
// case-folded (and NFKC again, as folding may undo it). Names that differ
// only in case or width are one user, and log in by any case.
func Key(name string) string {
	n := strings.TrimSpace(norm.NFKC.String(name))
	return norm.NFKC.String(cases.Fold().String(n))
}

// Parse normalises a name and returns it with its key.
func Parse(name string) (normalised, key string, err error) {
	n, err := Normalise(name)
	if err != nil {
		return "", "", err
	}
	return n, Key(n), nil
}
