package skygrid

import (
	"context"
	"time"
)

// What the public page (/public, no login) shows. Every type here is safe
// to publish: no person's name or phone, no supervisor, no task, no exact
// fire position, nothing not confirmed.

// PublicRoundDegrees is the grid fires are rounded to on the public page
// (0.01° is about 1.1 km north-south and 0.85 km east-west at Datong).
const PublicRoundDegrees = 0.01

// PublicFire is the fire detections of one rounded cell: its centre and
// how many, for the public map.
type PublicFire struct {
	Lon    float64   `json:"lon"`
	Lat    float64   `json:"lat"`
	Count  int       `json:"count"`
	County string    `json:"county,omitempty"`
	Last   time.Time `json:"last"`
}

// PublicFireCount is one county's satellite fire count over the days.
type PublicFireCount struct {
	CountyID string `json:"county_id"`
	County   string `json:"county"`
	Fires    int    `json:"fires"`
}

// PublicViolation is one site confirmed breaking the rules (plan §32): a
// closed dust or inspection task whose on-site finding confirmed it, with
// what was wrong and when it was put right.
type PublicViolation struct {
	Site      string    `json:"site"`
	County    string    `json:"county"`
	What      string    `json:"what"`
	Found     time.Time `json:"found"`
	Rectified time.Time `json:"rectified,omitzero"`
}

// PublishedReport is a monthly report the bureau marked public.
type PublishedReport struct {
	Month       string    `json:"month"` // 2026-11
	Title       string    `json:"title"`
	PublishedAt time.Time `json:"published_at"`
}

// PublicService reads what the public page shows.
type PublicService interface {
	PublicFires(ctx context.Context, since, until time.Time) ([]PublicFire, []PublicFireCount, error)
	PublicViolations(ctx context.Context, since time.Time) ([]PublicViolation, error)
	PublishedReports(ctx context.Context) ([]PublishedReport, error)
	// PublishReport marks (public true) or unmarks a month's report.
	PublishReport(ctx context.Context, month time.Time, public bool, by int64, now time.Time) error
}
