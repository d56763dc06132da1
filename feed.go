package skygrid

import (
	"context"
	"time"
)

// FeedFailingAfter is how long a feed may go without a successful pull
// before it is shown as failing and the admins are told.
const FeedFailingAfter = time.Hour

// NotifyFeedFailing is the notification event of a failing feed.
const NotifyFeedFailing = "feed.failing"

// FeedStatus is the health of one pulled source (a FIRMS product).
type FeedStatus struct {
	Source      string    `json:"source"`
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	// RowsLast and AddedLast: rows in the last answer and the new
	// hotspots it brought; AddedTotal over all pulls.
	RowsLast   int `json:"rows_last"`
	AddedLast  int `json:"added_last"`
	AddedTotal int `json:"added_total"`
	Pulls      int `json:"pulls"`
	Errors     int `json:"errors"`
	// NewestDetection is the acquisition time of the newest detection the
	// source has delivered.
	NewestDetection time.Time `json:"newest_detection,omitzero"`
	// Failing: no success for FeedFailingAfter (since FailingSince).
	Failing      bool      `json:"failing"`
	FailingSince time.Time `json:"failing_since,omitzero"`
	NotifiedAt   time.Time `json:"notified_at,omitzero"`
}

// FeedService keeps the feeds' health.
type FeedService interface {
	// RecordPull stores the outcome of one pull of a source: err nil is a
	// success with rows and added; otherwise the error (already masked).
	// It decides whether the feed now fails and, the first time it does,
	// queues the admins' notification in the same transaction.
	RecordPull(ctx context.Context, source string, at time.Time, rows, added int, newest time.Time, pullErr error) (*FeedStatus, error)
	FindFeeds(ctx context.Context) ([]*FeedStatus, error)
	// CheckFeeds tells the admins of feeds failing at now that were not
	// told yet (when no pull ends to do it).
	CheckFeeds(ctx context.Context, now time.Time) (int, error)
}

// IngestStats are the store's totals for the metrics.
type IngestStats struct {
	Batches       map[string]int   // by origin
	Rows          map[string]int   // new, duplicate, rejected, outside, low_confidence, static
	LastLatencyMS map[string]int64 // by origin
	Tasks         map[string]int   // by state
	Escalated     map[int]int      // open tasks by escalation level
	Events        int
	OutboxPending int
}
