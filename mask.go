package skygrid

import (
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"
)

// MaskURL shows a URL with its secrets hidden. It is the one function
// every printer of a URL uses: the CLI (notify add, notify list), logs,
// the audit log, API answers and errors echoed from remote servers.
//
//   - Query values are cut to their first four characters, or hidden when
//     eight characters or shorter: ?access_token=d1n9…&a=…
//   - Path segments that look like tokens (TokenLike: Slack's
//     /services/T…/B…/TOKEN, Discord's /api/webhooks/ID/TOKEN, Feishu's
//     /open-apis/bot/v2/hook/UUID, a FIRMS MAP_KEY) keep their first four
//     characters: /hook/0f3c…
//   - A password in the userinfo is dropped; a user name that looks like
//     a token is cut like a path segment. A fragment likewise.
//
// Host, scheme and the other segments are shown as they are, so that one
// can still tell which receiver a URL names.
func MaskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparseable URL)"
	}
	var b strings.Builder
	if u.Scheme != "" {
		b.WriteString(u.Scheme + ":")
	}
	if u.Opaque != "" {
		b.WriteString(maskSegment(u.Opaque))
	} else {
		if u.Host != "" || u.User != nil {
			b.WriteString("//")
		}
		if u.User != nil {
			b.WriteString(maskSegment(u.User.Username()) + "@")
		}
		b.WriteString(u.Host)
		b.WriteString(maskPath(u))
	}
	if u.RawQuery != "" || u.ForceQuery {
		b.WriteString("?" + maskQuery(u.RawQuery))
	}
	if u.Fragment != "" {
		b.WriteString("#" + maskSegment(u.Fragment))
	}
	return b.String()
}

// URLSecrets are the parts of a URL that MaskURL hides (query values,
// the password, token-like user names, path segments and fragment), as
// they are and unescaped, for scrubbing a text that may quote them (a
// remote server's error echoing the URL it was called with).
func URLSecrets(s string) []string {
	u, err := url.Parse(s)
	if err != nil {
		return nil
	}
	var out []string
	add := func(v string) {
		if v != "" {
			out = append(out, v)
		}
	}
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			add(p)
		}
		if TokenLike(u.User.Username()) {
			add(u.User.Username())
		}
	}
	if q, err := url.ParseQuery(u.RawQuery); err == nil {
		for _, vs := range q {
			for _, v := range vs {
				add(v)
			}
		}
	} else {
		add(u.RawQuery)
	}
	for _, seg := range strings.Split(u.EscapedPath(), "/") {
		if raw, err := url.PathUnescape(seg); err == nil && TokenLike(raw) {
			add(raw)
			add(seg)
		}
	}
	if TokenLike(u.Opaque) {
		add(u.Opaque)
	}
	if TokenLike(u.Fragment) {
		add(u.Fragment)
	}
	return out
}

// TokenLike reports whether a path segment (unescaped) looks like a
// secret rather than a word: at least 16 characters of letters, digits and
// -_.~+=: with at least two of lower case, upper case and digits (a random
// token, a UUID, a hex key), or 32 and more letters and digits. Words
// (webhooks, open-apis, incoming-webhook) and short ids (Slack's T0123ABCD,
// a Discord snowflake of 18 digits) are not.
func TokenLike(seg string) bool {
	if len(seg) < 16 {
		return false
	}
	var lower, upper, digit, other bool
	for _, r := range seg {
		switch {
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune("-_.~+=:", r):
			other = true
		default:
			return false
		}
	}
	classes := 0
	for _, c := range []bool{lower, upper, digit} {
		if c {
			classes++
		}
	}
	return classes >= 2 || (len(seg) >= 32 && !other)
}

// maskSegment keeps the first four characters of a token-like text.
func maskSegment(s string) string {
	if !TokenLike(s) {
		return url.PathEscape(s)
	}
	return url.PathEscape(firstRunes(s, 4)) + "…"
}

// maskPath masks the token-like segments of a URL's path.
func maskPath(u *url.URL) string {
	segs := strings.Split(u.EscapedPath(), "/")
	for i, seg := range segs {
		if raw, err := url.PathUnescape(seg); err == nil && TokenLike(raw) {
			segs[i] = maskSegment(raw)
		}
	}
	return strings.Join(segs, "/")
}

// maskQuery cuts every query value, keys sorted.
func maskQuery(raw string) string {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "…"
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		for _, v := range q[k] {
			parts = append(parts, url.QueryEscape(k)+"="+MaskSecret(v))
		}
	}
	return strings.Join(parts, "&")
}

// MaskSecret shows a secret's first four characters (query-escaped), or
// nothing of one of eight characters or fewer: a query value, an access
// key id in a configuration's description.
func MaskSecret(v string) string {
	if utf8.RuneCountInString(v) <= 8 {
		return "…"
	}
	return url.QueryEscape(firstRunes(v, 4)) + "…"
}

func firstRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
