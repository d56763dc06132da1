package skygrid

import "strings"

// How a place's name or id matches a search text, best first.
const (
	MatchExact    = 0 // the whole name or id
	MatchPrefix   = 1 // it starts with the text
	MatchContains = 2 // the text is inside it
	MatchNone     = 3
)

// MaxSearchRunes bounds a search text.
const MaxSearchRunes = 50

// MatchRank tells how well the search text q matches the best of fields
// (a place's name and id). Letters compare without case for ASCII only,
// as SQLite's LIKE and lower() do, so the store's ordering and this agree.
func MatchRank(q string, fields ...string) int {
	q = lowerASCII(q)
	best := MatchNone
	for _, f := range fields {
		if f == "" || q == "" {
			continue
		}
		f = lowerASCII(f)
		switch {
		case f == q:
			return MatchExact
		case strings.HasPrefix(f, q):
			best = min(best, MatchPrefix)
		case strings.Contains(f, q):
			best = min(best, MatchContains)
		}
	}
	return best
}

func lowerASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
