package intake

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"skygrid"
	"skygrid/detect"
	"skygrid/dispatch"
	"skygrid/firms"
	"skygrid/geo"

	"github.com/paulmach/orb"
)

// FIRMSFetcher is the FIRMS area-API client (firms.Client).
type FIRMSFetcher interface {
	Fetch(ctx context.Context, source string, area orb.Bound, days int, date time.Time) (*firms.Answer, error)
	// Mask hides the MAP_KEY in a text.
	Mask(s string) string
}

// Feed pulls FIRMS on a schedule and runs each answer through the same
// ingest -> detect -> dispatch pipeline as a file: one transaction per
// answer, deduplicated, so overlapping pulls add nothing twice.
type Feed struct {
	Pipeline *dispatch.Pipeline
	Client   FIRMSFetcher
	Status   skygrid.FeedService
	// Sources are FIRMS products (default firms.DefaultSources); Days the
	// day range of each pull (default 2: FIRMS's 1 is the current UTC day,
	// and detections of the day before still arrive after midnight UTC);
	// Every the interval (default 10 minutes).
	Sources []string
	Days    int
	Every   time.Duration
	Logger  *slog.Logger
	// OnBatch is told of every ingested answer (metrics, latency).
	OnBatch func(source string, b *skygrid.IngestBatch)
}

// FeedResult is the outcome of pulling one source once.
type FeedResult struct {
	Source string
	Batch  *skygrid.IngestBatch
	Status *skygrid.FeedStatus
	Err    error
}

func (f *Feed) logger() *slog.Logger {
	if f.Logger != nil {
		return f.Logger
	}
	return slog.Default()
}

// Area is what is pulled: the imported regions' bounding box plus the
// area margin.
func (f *Feed) Area(c *dispatch.Context) (orb.Bound, error) {
	if c.Area == nil || c.Area.Len() == 0 {
		return orb.Bound{}, skygrid.Errorf(skygrid.EINVALID, "no regions imported: the feed pulls the regions' area (import regions first)")
	}
	return geo.GrowBound(c.Area.Bound(), f.Pipeline.Config.AreaMarginMetres), nil
}

// PullOnce pulls every source once (days back from date; zero: today).
func (f *Feed) PullOnce(ctx context.Context, days int, date time.Time) []FeedResult {
	sources := f.Sources
	if len(sources) == 0 {
		sources = firms.DefaultSources
	}
	if days <= 0 {
		days = f.Days
		if days <= 0 {
			days = 2
		}
	}
	var out []FeedResult
	for _, src := range sources {
		if err := firms.CheckSources([]string{src}); err != nil {
			// A typo is not a feed: no status row, no failing alarm.
			out = append(out, FeedResult{Source: src, Err: err})
			continue
		}
		r := f.pull(ctx, src, days, date)
		out = append(out, r)
		if ctx.Err() != nil {
			break
		}
	}
	return out
}

func (f *Feed) pull(ctx context.Context, source string, days int, date time.Time) FeedResult {
	r := FeedResult{Source: source}
	started := f.Pipeline.Now()
	rows, added := 0, 0
	var newest time.Time
	err := func() error {
		pctx, err := f.Pipeline.Places(ctx)
		if err != nil {
			return err
		}
		area, err := f.Area(pctx)
		if err != nil {
			return err
		}
		ans, err := f.Client.Fetch(ctx, source, area, days, date)
		if err != nil {
			return err
		}
		rows = ans.Rows
		newest = newestDetection(ans.Body)
		name := fmt.Sprintf("firms-api %s %dd %s", source, days, ans.FetchedAt.UTC().Format("2006-01-02T15:04:05Z"))
		b, err := f.Pipeline.Ingest(ctx, bytes.NewReader(ans.Body), name, dispatch.IngestOptions{Context: pctx, ArrivedAt: ans.FetchedAt, Origin: "feed"})
		if err != nil {
			return err
		}
		r.Batch, added = b, b.New
		if f.OnBatch != nil {
			f.OnBatch(source, b)
		}
		return nil
	}()
	if err != nil {
		err = errors.New(f.Client.Mask(err.Error()))
		r.Err = err
		f.logger().Warn("feed pull failed", "source", source, "err", err)
	} else {
		f.logger().Info("feed pulled", "source", source, "rows", rows, "new", added, "latency_ms", r.Batch.Latency())
	}
	if ctx.Err() != nil {
		return r // a stop, not a feed failure
	}
	st, serr := f.Status.RecordPull(ctx, source, started, rows, added, newest, err)
	if serr != nil {
		f.logger().Error("feed status", "source", source, "err", serr)
	}
	r.Status = st
	return r
}

// newestDetection reads the newest acquisition time in an answer (of the
// rows read before any error).
func newestDetection(body []byte) time.Time {
	var newest time.Time
	_, _ = detect.Scan(context.Background(), bytes.NewReader(body), "answer", detect.ReadOptions{}, func(h *skygrid.Hotspot) error {
		if h.AcqTime.After(newest) {
			newest = h.AcqTime
		}
		return nil
	})
	return newest
}

// Run pulls at once and then every Every (default 10 minutes) until ctx
// ends.
func (f *Feed) Run(ctx context.Context) error {
	return runEvery(ctx, f.Every, 10*time.Minute, func() { f.PullOnce(ctx, 0, time.Time{}) })
}

// runEvery runs once at once and then every every (def when not
// positive) until ctx ends.
func runEvery(ctx context.Context, every, def time.Duration, once func()) error {
	if every <= 0 {
		every = def
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		once()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
