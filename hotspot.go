package skygrid

import (
	"context"
	"math"
	"time"

	"github.com/paulmach/orb"
)

// Hotspot sources (the instrument family of a detection).
const (
	SourceVIIRS    = "VIIRS"
	SourceMODIS    = "MODIS"
	SourceHimawari = "HIMAWARI"
)

// Hotspot status after the false-alarm filters. A filtered hotspot is kept
// with its status and reason, never deleted.
const (
	// StatusFire passed every filter and belongs to a fire event.
	StatusFire = "fire"
	// StatusLowConfidence failed the confidence filter.
	StatusLowConfidence = "low_confidence"
	// StatusStatic is a static heat source: a known industrial source
	// nearby, FIRMS type 2, or persistent heat.
	StatusStatic = "static"
	// StatusPending has not been through detect yet.
	StatusPending = "pending"
)

// Hotspot is one satellite detection (one pixel).
type Hotspot struct {
	ID int64 `json:"id"`
	// Source is VIIRS, MODIS or HIMAWARI.
	Source string `json:"source"`
	// Satellite is normalised: N20, N21, SNPP, Terra, Aqua, H08, H09.
	Satellite string    `json:"satellite"`
	AcqTime   time.Time `json:"acq_time"`
	Point     orb.Point `json:"-"`
	// Brightness is the channel I4 (VIIRS) or 21/22 (MODIS) temperature in K.
	Brightness float64 `json:"brightness"`
	// BrightT31 is the VIIRS I5 or MODIS channel 31 temperature in K.
	BrightT31 float64 `json:"bright_t31"`
	Scan      float64 `json:"scan"`
	Track     float64 `json:"track"`
	// FRP is the fire radiative power in MW.
	FRP float64 `json:"frp"`
	// Confidence as given, normalised: l, n, h (VIIRS) or 0-100 (MODIS,
	// Himawari reliability as given).
	Confidence string `json:"confidence"`
	DayNight   string `json:"daynight"`
	Version    string `json:"version"`
	// Type is FIRMS's type (0 vegetation, 1 volcano, 2 static land source,
	// 3 offshore) or -1 where the file has none.
	Type int `json:"type"`

	BatchID      int64  `json:"batch_id"`
	Status       string `json:"status"`
	StatusReason string `json:"status_reason,omitempty"`
	EventID      int64  `json:"event_id,omitempty"`
}

// Key is the dedupe key: source, satellite, acquisition minute and position
// rounded to 5 decimals. Consecutive 24 h FIRMS files overlap, so the same
// detection arrives twice.
type Key struct {
	Source    string
	Satellite string
	Minute    int64
	LatE5     int64
	LonE5     int64
}

// Key returns the hotspot's dedupe key.
func (h *Hotspot) Key() Key {
	return Key{
		Source:    h.Source,
		Satellite: h.Satellite,
		Minute:    h.AcqTime.Unix() / 60,
		LatE5:     E5(h.Point.Lat()),
		LonE5:     E5(h.Point.Lon()),
	}
}

// E5 is a coordinate in units of 1e-5 degree (about 1.1 m), rounded.
func E5(deg float64) int64 { return int64(math.Round(deg * 1e5)) }

// HotspotFilter selects hotspots. Zero fields do not filter.
type HotspotFilter struct {
	// Scope keeps the hotspots of events a user may see (nil: all).
	Scope   *Scope
	Bbox    *orb.Bound
	Since   *time.Time
	Until   *time.Time
	Status  *string
	EventID *int64
	BatchID *int64
	Offset  int
	Limit   int
	// Cursor continues a list from a page's Next or Prev cursor, instead
	// of Offset.
	Cursor string
}

// HotspotService reads hotspots.
type HotspotService interface {
	FindHotspots(ctx context.Context, filter HotspotFilter) ([]*Hotspot, int, error)
	// FindHotspotPage returns a page of hotspots, newest first, and what
	// the page says (see Page).
	FindHotspotPage(ctx context.Context, filter HotspotFilter) ([]*Hotspot, Page, error)
	// ScanHotspots calls fn for every hotspot in id order with the fields a
	// map needs (ID, Satellite, AcqTime, Point, FRP, Confidence, Status,
	// EventID); h is reused between calls. For a million rows without a
	// million allocations.
	ScanHotspots(ctx context.Context, fn func(h *Hotspot) error) error
	// LatestDetection is the acquisition time of the latest detection at
	// or before at (zero when there is none): the month the map and the
	// statistics open on is the one holding it.
	LatestDetection(ctx context.Context, at time.Time) (time.Time, error)
}
