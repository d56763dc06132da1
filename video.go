package skygrid

import (
	"context"
	"time"
)

// VideoProbe is one fetch of a monitor's snapshot URL: the video counts
// as seen only when the answer was 200 with an image.
type VideoProbe struct {
	MonitorID int64
	At        time.Time // when it was fetched, UTC
	Seen      bool
	Error     string // why it was not seen ("" when seen)
}

// VideoChange is a site whose violation the live video state changed.
type VideoChange struct {
	SiteID   int64
	From, To string // Violation* or ""
}

// VideoService keeps the monitors' video state (issue 15, §15 接入监管平台).
type VideoService interface {
	// VideoMonitors are the monitors with a snapshot URL.
	VideoMonitors(ctx context.Context) ([]Monitor, error)
	// RecordVideoProbes stores the probes on their monitors and, in the
	// same transaction, sets the violation of each construction site with
	// monitors that have a snapshot URL from the registry and the live
	// state (SiteRules.CheckLive): offline when none of them was seen at
	// or after offlineBefore. It returns the sites whose violation
	// changed, each with its audit line.
	RecordVideoProbes(ctx context.Context, probes []VideoProbe, offlineBefore time.Time) ([]VideoChange, error)
}

// CheckLive is Check with the live video state: a construction site that
// must have video, whose registry entry says it is connected (Check
// finds nothing), breaks ViolationVideoOffline when its monitors' video
// has not been seen lately (videoOffline).
func (r SiteRules) CheckLive(s *Site, videoOffline bool) string {
	v := r.Check(s)
	if v == "" && videoOffline && s.Kind == SiteConstruction && s.AreaM2 >= r.VideoAreaM2 {
		return ViolationVideoOffline
	}
	return v
}
