package api

import "strings"

// noneMatch reports whether an If-None-Match header value matches etag,
// so the answer is 304 (RFC 9110 §13.1.2): "*" matches any current
// representation; otherwise the value is a list of entity tags separated
// by commas (each "…" or weak W/"…", commas allowed inside the quotes),
// compared weakly: W/"x" and "x" match. A malformed list matches nothing
// (the full answer is sent, as if there were no condition).
func noneMatch(header, etag string) bool {
	header = strings.TrimSpace(header)
	if header == "" {
		return false
	}
	if header == "*" {
		return true
	}
	want := strings.TrimPrefix(etag, "W/")
	for {
		header = strings.TrimLeft(header, " \t")
		tag, rest, ok := scanETag(header)
		if !ok {
			return false
		}
		if strings.TrimPrefix(tag, "W/") == want {
			return true
		}
		if rest = strings.TrimLeft(rest, " \t"); rest == "" || rest[0] != ',' {
			return false // the end of the list, or garbage after a tag
		}
		// Empty list elements ("a, ,b") are allowed and skipped.
		header = strings.TrimLeft(rest, " \t,")
		if header == "" {
			return false
		}
	}
}

// scanETag reads one entity tag at the start of s: [W/] DQUOTE *etagc
// DQUOTE, etagc being the visible characters but DQUOTE, and obs-text.
func scanETag(s string) (tag, rest string, ok bool) {
	start := s
	s = strings.TrimPrefix(s, "W/")
	if len(s) < 2 || s[0] != '"' {
		return "", "", false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			n := len(start) - len(s) + i + 1
			return start[:n], start[n:], true
		case c == 0x21 || c >= 0x23 && c <= 0x7e || c >= 0x80:
		default:
			return "", "", false
		}
	}
	return "", "", false
}
