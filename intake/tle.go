package intake

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"skygrid"
	"skygrid/orbit"
)

// TLESource is the orbital elements' feed in the feeds' health.
const TLESource = "tle"

// DefaultTLEURL is CelesTrak's GP query of the fire satellites' elements
// by catalogue number, in the 3-line TLE format.
const DefaultTLEURL = "https://celestrak.org/NORAD/elements/gp.php?CATNR=37849,43013,54234,27424,25994&FORMAT=tle"

// maxTLEBody bounds an answer: five satellites' elements are 0.4 kB.
const maxTLEBody = 1 << 20

// TLEFeed fetches the fire satellites' orbital elements on a schedule and
// keeps the latest set; each fetch is recorded in the feeds' health like
// a FIRMS pull (offline it fails cleanly and the passes go on from the
// last set, or the embedded one).
type TLEFeed struct {
	URL    string
	Client *http.Client // nil: 30 s timeout
	Store  skygrid.TLEService
	Status skygrid.FeedService
	Every  time.Duration // 0: 24 h
	Now    func() time.Time
	Logger *slog.Logger
}

// PullOnce fetches, checks and stores the set once, and records the
// outcome; the error is the fetch's.
func (f *TLEFeed) PullOnce(ctx context.Context) error {
	now := f.now()
	set, n, err := f.fetch(ctx)
	if err == nil {
		set.FetchedAt = now
		err = f.Store.SaveTLESet(ctx, set)
	}
	var epoch time.Time
	if set != nil {
		epoch = set.Epoch
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if _, serr := f.Status.RecordPull(ctx, TLESource, now, n, n, epoch, err); serr != nil {
		f.logger().Error("feed status", "source", TLESource, "err", serr)
	}
	if err != nil {
		f.logger().Warn("orbital elements fetch failed", "url", f.URL, "err", err)
	} else {
		f.logger().Info("orbital elements fetched", "satellites", n, "epoch", epoch)
	}
	return err
}

// fetch gets the set and checks it: a TLE text holding at least one
// fire satellite.
func (f *TLEFeed) fetch(ctx context.Context) (*skygrid.TLESet, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.URL, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("orbital elements %s: %w", f.URL, err)
	}
	client := f.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("orbital elements: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTLEBody))
	if err != nil {
		return nil, 0, fmt.Errorf("orbital elements %s: %w", f.URL, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("orbital elements %s: HTTP %d: %.200s", f.URL, resp.StatusCode, bytes.TrimSpace(body))
	}
	set, err := orbit.ParseTLEs(bytes.NewReader(body), f.URL)
	if err != nil {
		return nil, 0, err
	}
	n := 0
	for _, t := range set {
		for _, fs := range skygrid.FireSatellites {
			if fs.NORAD == t.NORAD {
				n++
			}
		}
	}
	if n == 0 {
		return nil, 0, fmt.Errorf("orbital elements %s: none of the fire satellites in %d sets", f.URL, len(set))
	}
	return &skygrid.TLESet{Text: string(body), Epoch: orbit.Newest(set), URL: f.URL}, n, nil
}

// Run fetches at once and then every Every (default 24 h) until ctx ends.
func (f *TLEFeed) Run(ctx context.Context) error {
	return runEvery(ctx, f.Every, 24*time.Hour, func() { _ = f.PullOnce(ctx) })
}

func (f *TLEFeed) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

func (f *TLEFeed) logger() *slog.Logger {
	if f.Logger != nil {
		return f.Logger
	}
	return slog.Default()
}
