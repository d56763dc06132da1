package firms

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"skygrid/detect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"skygrid"

	"github.com/paulmach/orb"
)

// FIRMS area-API client defaults and limits.
const (
	DefaultBaseURL = "https://firms.modaps.eosdis.nasa.gov"
	DefaultTimeout = 60 * time.Second
	DefaultRetries = 4
	DefaultBackoff = 2 * time.Second
	// MaxBackoff caps the wait between two attempts (Retry-After and
	// the transaction-limit answer may ask for longer, up to Window).
	MaxBackoff = 2 * time.Minute
	// DefaultLimit is FIRMS's transaction budget per MAP_KEY and
	// Window.
	DefaultLimit = 5000
	Window       = 10 * time.Minute
	// MaxDays is the longest DAY_RANGE the area API takes.
	MaxDays = 10
	// maxFIRMSBody bounds one answer.
	maxFIRMSBody = 512 << 20
	// firmsLimitWait is the first wait after FIRMS says the transaction
	// limit is exceeded (it doubles, up to Window).
	firmsLimitWait = time.Minute
)

// DefaultSources are the near-real-time sources fetched by default.
var DefaultSources = []string{"VIIRS_NOAA20_NRT", "VIIRS_NOAA21_NRT", "VIIRS_SNPP_NRT", "MODIS_NRT"}

// firmsSources are the SOURCE names the area API knows.
var firmsSources = Sources

// Sources are the FIRMS products the area API serves.
var Sources = []string{"VIIRS_NOAA20_NRT", "VIIRS_NOAA21_NRT", "VIIRS_SNPP_NRT", "MODIS_NRT",
	"VIIRS_NOAA20_SP", "VIIRS_SNPP_SP", "MODIS_SP", "LANDSAT_NRT"}

// Errors of a FIRMS answer, wrapped by Fetch's error.
var (
	// ErrLimit: FIRMS answered that the MAP_KEY's transaction limit
	// is exceeded.
	ErrLimit = errors.New("FIRMS transaction limit exceeded")
	// ErrTruncated: the answer was cut off (no final newline, or
	// shorter than its Content-Length).
	ErrTruncated = errors.New("FIRMS answer cut off")
)

// defaultFIRMSHTTP is the client used when Client.HTTP is nil.
var defaultFIRMSHTTP = &http.Client{Timeout: DefaultTimeout}

// Client fetches detections from the NASA FIRMS area API. Its zero
// value, with a MapKey, is ready to use; it is safe for concurrent use and
// must not be copied after first use (it holds the shared transaction
// budget). The MAP_KEY never appears in its errors or log lines.
type Client struct {
	// BaseURL defaults to https://firms.modaps.eosdis.nasa.gov.
	BaseURL string
	MapKey  string
	// HTTP defaults to a client with a 60s timeout.
	HTTP *http.Client
	// Retries is how many times a failed request is tried again (default
	// 4; negative: never).
	Retries int
	// Backoff is the wait before the first retry (default 2s); it doubles
	// with each retry, varies by ±25% and stops growing at 2 minutes.
	Backoff time.Duration
	// Sleep waits d or until ctx ends (default: a timer). Tests replace it,
	// together with Now, by a fake clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock of the transaction budget (default time.Now).
	Now func() time.Time
	// Limit is the transaction budget per Window (default 5000). Each
	// request counts as its number of days.
	Limit  int
	Logger *slog.Logger

	limiter
}

// Answer is one complete area-API answer.
type Answer struct {
	Source string
	// Body is the CSV as FIRMS sent it (header and rows, ending with a
	// newline); read it with Open.
	Body []byte
	// Rows is the number of detections (lines after the header).
	Rows      int
	FetchedAt time.Time
	// Attempts is how many requests were sent, Transactions how many
	// transactions of the budget they counted.
	Attempts     int
	Transactions int
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (c *Client) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return defaultFIRMSHTTP
}

func (c *Client) retries() int {
	switch {
	case c.Retries < 0:
		return 0
	case c.Retries == 0:
		return DefaultRetries
	}
	return c.Retries
}

func (c *Client) limit() int {
	if c.Limit > 0 {
		return c.Limit
	}
	return DefaultLimit
}

// Mask replaces the MAP_KEY in s (as is or URL-escaped) by its first four
// characters and "****" (only "****" for a key of 8 characters or fewer).
func (c *Client) Mask(s string) string {
	k := c.MapKey
	if k == "" {
		return s
	}
	m := maskKey(k)
	s = strings.ReplaceAll(s, k, m)
	for _, e := range []string{url.PathEscape(k), url.QueryEscape(k)} {
		if e != k {
			s = strings.ReplaceAll(s, e, m)
		}
	}
	return s
}

func maskKey(k string) string {
	if len(k) <= 8 {
		return "****"
	}
	return k[:4] + "****"
}

// maskedError is an error whose text had the MAP_KEY masked; it unwraps to
// the (masked) error it replaced so that errors.Is and timeouts still work.
type maskedError struct {
	msg  string
	errs []error
}

func (e *maskedError) Error() string   { return e.msg }
func (e *maskedError) Unwrap() []error { return e.errs }

// Timeout reports whether the masked error was a timeout.
func (e *maskedError) Timeout() bool {
	var t interface{ Timeout() bool }
	for _, err := range e.errs {
		if errors.As(err, &t) && t.Timeout() {
			return true
		}
	}
	return false
}

// maskErr returns err with the MAP_KEY masked in its text and in the URL of
// a *url.Error in its chain.
func (c *Client) maskErr(err error) error {
	if err == nil || c.MapKey == "" || c.Mask(err.Error()) == err.Error() {
		return err
	}
	if ue, ok := err.(*url.Error); ok {
		return &url.Error{Op: ue.Op, URL: c.Mask(ue.URL), Err: c.maskErr(ue.Err)}
	}
	m := &maskedError{msg: c.Mask(err.Error())}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		if inner := u.Unwrap(); inner != nil {
			m.errs = []error{c.maskErr(inner)}
		}
	case interface{ Unwrap() []error }:
		for _, inner := range u.Unwrap() {
			m.errs = append(m.errs, c.maskErr(inner))
		}
	}
	return m
}

// Fetch gets the detections of source inside area for days days (1 to 10)
// ending with date (FIRMS's latest day when date is zero; date's calendar
// day as written, so pass a UTC date for FIRMS's UTC days). The area is
// rounded outwards to 4 decimals. Network errors, timeouts, HTTP 429 and
// 5xx, cut-off answers and FIRMS's transaction-limit answer are tried again
// with a growing wait; an invalid MAP_KEY or request is not. Fetch returns
// a complete answer or an error, never part of an answer. It waits first
// when the request would exceed the transaction budget.
func (c *Client) Fetch(ctx context.Context, source string, area orb.Bound, days int, date time.Time) (*Answer, error) {
	u, err := c.requestURL(source, area, days, date)
	if err != nil {
		return nil, err
	}
	log := c.logger().With("source", source)
	ans := &Answer{Source: source}
	retries := c.retries()
	for attempt := 1; ; attempt++ {
		if err := c.reserve(ctx, days); err != nil {
			return nil, c.maskErr(fmt.Errorf("FIRMS %s: %w", source, err))
		}
		ans.Attempts++
		ans.Transactions += days
		res := c.try(ctx, u)
		if res.err == nil {
			ans.Body, ans.Rows, ans.FetchedAt = res.body, res.rows, c.now()
			log.Debug("FIRMS answer", "rows", ans.Rows, "bytes", len(ans.Body), "attempts", ans.Attempts)
			return ans, nil
		}
		err := c.maskErr(res.err)
		if ctx.Err() != nil {
			return nil, c.maskErr(fmt.Errorf("FIRMS %s: %w", source, err))
		}
		if !res.retry || attempt > retries {
			return nil, c.maskErr(fmt.Errorf("FIRMS %s (%s): %w", source, attempts(attempt), err))
		}
		wait := c.delay(attempt)
		if res.limit {
			wait = max(wait, limitWait(attempt))
		}
		if res.after > wait {
			wait = min(res.after, Window)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return nil, c.maskErr(fmt.Errorf("FIRMS %s (%s, the next one in %s would be past the deadline): %w",
				source, attempts(attempt), wait.Round(time.Millisecond), err))
		}
		log.Warn("FIRMS request failed; trying again", "attempt", attempt, "wait", wait, "err", c.Mask(err.Error()))
		if serr := c.sleep(ctx, wait); serr != nil {
			return nil, c.maskErr(fmt.Errorf("FIRMS %s (%s): %w; gave up waiting to try again: %w", source, attempts(attempt), err, serr))
		}
	}
}

func attempts(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}

// delay is the wait after the attempt-th failure: Backoff doubled per
// earlier failure, ±25%, at most MaxBackoff.
func (c *Client) delay(attempt int) time.Duration {
	d := c.Backoff
	if d <= 0 {
		d = DefaultBackoff
	}
	for i := 1; i < attempt && d < MaxBackoff; i++ {
		d *= 2
	}
	return min(jitter(d), MaxBackoff)
}

// limitWait is the wait after the attempt-th failure when FIRMS said the
// transaction limit is exceeded: a minute doubled per earlier failure, ±25%,
// at most Window.
func limitWait(attempt int) time.Duration {
	d := firmsLimitWait
	for i := 1; i < attempt && d < Window; i++ {
		d *= 2
	}
	return min(jitter(d), Window)
}

func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.75 + 0.5*rand.Float64()))
}

func (c *Client) requestURL(source string, area orb.Bound, days int, date time.Time) (string, error) {
	if c.MapKey == "" {
		return "", skygrid.Errorf(skygrid.EINVALID, "FIRMS: no MAP_KEY")
	}
	known := false
	for _, s := range firmsSources {
		known = known || s == source
	}
	if !known {
		return "", skygrid.Errorf(skygrid.EINVALID, "FIRMS: unknown source %q (want one of %s)", c.Mask(source), strings.Join(firmsSources, ", "))
	}
	if days < 1 || days > MaxDays {
		return "", skygrid.Errorf(skygrid.EINVALID, "FIRMS: %d days: the area API takes 1 to %d", days, MaxDays)
	}
	w, s, e, n := area.Min[0], area.Min[1], area.Max[0], area.Max[1]
	for _, v := range []float64{w, s, e, n} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "", skygrid.Errorf(skygrid.EINVALID, "FIRMS: the area %v is not a box", area)
		}
	}
	if !(w < e && s < n) {
		return "", skygrid.Errorf(skygrid.EINVALID, "FIRMS: the area %v is empty", area)
	}
	if w < -180 || e > 180 || s < -90 || n > 90 {
		return "", skygrid.Errorf(skygrid.EINVALID, "FIRMS: the area %v is outside -180..180, -90..90", area)
	}
	base := c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	base = strings.TrimRight(base, "/")
	if bu, err := url.Parse(base); err != nil || (bu.Scheme != "http" && bu.Scheme != "https") || bu.Host == "" {
		return "", skygrid.Errorf(skygrid.EINVALID, "FIRMS: the base URL %q is not an http(s) URL", c.Mask(base))
	}
	// Rounded outwards so that the request covers the whole area.
	const q = 1e4
	coord := func(v float64, up bool) string {
		if up {
			v = math.Ceil(v*q-1e-6) / q
		} else {
			v = math.Floor(v*q+1e-6) / q
		}
		return strconv.FormatFloat(v, 'f', 4, 64)
	}
	u := fmt.Sprintf("%s/api/area/csv/%s/%s/%s,%s,%s,%s/%d", base, url.PathEscape(c.MapKey), source,
		coord(max(w, -180), false), coord(max(s, -90), false), coord(min(e, 180), true), coord(min(n, 90), true), days)
	if !date.IsZero() {
		u += "/" + date.Format("2006-01-02")
	}
	return u, nil
}

// outcome is the outcome of one request.
type outcome struct {
	body  []byte
	rows  int
	err   error
	retry bool
	// limit: FIRMS's transaction-limit answer (wait longer).
	limit bool
	// after is the server's Retry-After.
	after time.Duration
}

func (c *Client) try(ctx context.Context, u string) outcome {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return outcome{err: err}
	}
	req.Header.Set("Accept", "text/csv, text/plain")
	req.Header.Set("User-Agent", "skygrid")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return outcome{err: err, retry: true}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxFIRMSBody+1))
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return outcome{err: fmt.Errorf("FIRMS answered %s: %s", resp.Status, c.snippet(body)), retry: true,
			after: retryAfter(resp.Header.Get("Retry-After"), c.now())}
	}
	if err != nil {
		return outcome{err: fmt.Errorf("%w: reading the answer: %w", ErrTruncated, err), retry: true}
	}
	if len(body) > maxFIRMSBody {
		return outcome{err: fmt.Errorf("FIRMS answer is larger than %d MiB", maxFIRMSBody>>20)}
	}
	if resp.StatusCode != http.StatusOK {
		return outcome{err: fmt.Errorf("FIRMS answered %s: %s", resp.Status, c.snippet(body))}
	}
	header := body
	if i := bytes.IndexByte(body, '\n'); i >= 0 {
		header = body[:i]
	}
	if !isFIRMSHeader(header) {
		return c.textAnswer(body)
	}
	if resp.ContentLength >= 0 && int64(len(body)) != resp.ContentLength {
		return outcome{err: fmt.Errorf("%w: %d of %d bytes", ErrTruncated, len(body), resp.ContentLength), retry: true}
	}
	if body[len(body)-1] != '\n' && len(header) == len(body) && bytes.HasSuffix(bytes.TrimRight(header, "\r"), []byte("daynight")) {
		// A whole header without its newline: an empty answer.
		body = append(body, '\n')
	}
	if body[len(body)-1] != '\n' {
		return outcome{err: fmt.Errorf("%w: the last line has no newline (%d bytes)", ErrTruncated, len(body)), retry: true}
	}
	rows := 0
	for line := range bytes.SplitSeq(body[len(header)+1:], []byte("\n")) {
		if len(bytes.TrimSpace(line)) > 0 {
			rows++
		}
	}
	return outcome{body: body, rows: rows}
}

// textAnswer classifies a 200 answer that is not a FIRMS CSV: FIRMS sends
// its errors as plain text.
func (c *Client) textAnswer(body []byte) outcome {
	text := strings.ToLower(strings.TrimSpace(string(body)))
	switch {
	case strings.Contains(text, "invalid map_key") || strings.Contains(text, "invalid map key"):
		return outcome{err: skygrid.Errorf(skygrid.EINVALID, "FIRMS refused the MAP_KEY %s: %s", maskKey(c.MapKey), c.snippet(body))}
	case strings.Contains(text, "transaction limit"):
		return outcome{err: fmt.Errorf("%w: %s", ErrLimit, c.snippet(body)), retry: true, limit: true}
	case text == "":
		return outcome{err: errors.New("FIRMS answered nothing (not even a CSV header)"), retry: true}
	case strings.HasPrefix(text, "<"):
		return outcome{err: fmt.Errorf("FIRMS answered an HTML page, not CSV: %s", c.snippet(body)), retry: true}
	case strings.HasPrefix(text, "invalid"):
		return outcome{err: skygrid.Errorf(skygrid.EINVALID, "FIRMS refused the request: %s", c.snippet(body))}
	}
	return outcome{err: fmt.Errorf("FIRMS answered text, not a CSV with latitude and longitude: %s", c.snippet(body)), retry: true}
}

// isFIRMSHeader reports whether line is a CSV header with latitude and
// longitude columns.
func isFIRMSHeader(line []byte) bool {
	lat, lon := false, false
	for _, f := range strings.Split(strings.TrimRight(string(line), "\r"), ",") {
		switch detect.ColumnName(f) {
		case "latitude":
			lat = true
		case "longitude":
			lon = true
		}
	}
	return lat && lon
}

// snippet is the start of an answer for an error message, the MAP_KEY
// masked before it is cut (a cut key would not be found any more).
func (c *Client) snippet(body []byte) string {
	return snippet([]byte(c.Mask(string(body))))
}

// snippet is the start of an answer for an error message, quoted.
func snippet(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > 120 {
		s = s[:120]
		for len(s) > 0 && !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "..."
	}
	return strconv.Quote(s)
}

// retryAfter parses a Retry-After header (seconds or an HTTP date).
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil {
		return max(time.Duration(s)*time.Second, 0)
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// reserve takes n transactions of the budget, waiting while they would
// exceed it.
func (c *Client) reserve(ctx context.Context, n int) error {
	limit := c.limit()
	if n > limit {
		return skygrid.Errorf(skygrid.EINVALID, "a request of %d days counts %d transactions, more than the limit of %d per %s",
			n, n, limit, Window)
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		wait := c.limiter.take(c.now(), n, limit)
		if wait <= 0 {
			return nil
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return fmt.Errorf("the transaction budget (%d per %s) frees up in %s, past the deadline", limit, Window, wait.Round(time.Second))
		}
		c.logger().Info("FIRMS: waiting for the transaction budget", "wait", wait, "limit", limit, "window", Window)
		if err := c.sleep(ctx, wait); err != nil {
			return fmt.Errorf("waiting for the transaction budget: %w", err)
		}
	}
}

// limiter is a sliding-window count of transactions.
type limiter struct {
	mu    sync.Mutex
	spent []spend
	total int
}

type spend struct {
	at time.Time
	n  int
}

// take counts n transactions at now and returns 0 if they fit in limit
// over the last Window; otherwise it counts nothing and returns how
// long until they would fit. n must not exceed limit.
func (l *limiter) take(now time.Time, n, limit int) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	cut := now.Add(-Window)
	i := 0
	for i < len(l.spent) && !l.spent[i].at.After(cut) {
		l.total -= l.spent[i].n
		i++
	}
	l.spent = l.spent[i:]
	if l.total+n <= limit {
		l.spent = append(l.spent, spend{now, n})
		l.total += n
		return 0
	}
	over := l.total + n - limit
	for _, s := range l.spent {
		if over -= s.n; over <= 0 {
			return s.at.Add(Window).Sub(now)
		}
	}
	return Window
}
