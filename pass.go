package skygrid

import (
	"context"
	"time"

	"github.com/paulmach/orb"
)

// The fire satellites whose passes skygrid predicts: the FIRMS sources'
// platforms (VIIRS on Suomi NPP, NOAA-20, NOAA-21; MODIS on Aqua, Terra),
// by NORAD catalogue number.
var FireSatellites = []FireSatellite{
	{Name: "Suomi NPP", NORAD: 37849, Instrument: "VIIRS", SwathKm: 3060, FIRMS: "N", Hotspot: "SNPP"},
	{Name: "NOAA-20", NORAD: 43013, Instrument: "VIIRS", SwathKm: 3060, FIRMS: "N20", Hotspot: "N20"},
	{Name: "NOAA-21", NORAD: 54234, Instrument: "VIIRS", SwathKm: 3060, FIRMS: "N21", Hotspot: "N21"},
	{Name: "Aqua", NORAD: 27424, Instrument: "MODIS", SwathKm: 2330, FIRMS: "A", Hotspot: "Aqua"},
	{Name: "Terra", NORAD: 25994, Instrument: "MODIS", SwathKm: 2330, FIRMS: "T", Hotspot: "Terra"},
}

// FireSatellite is one fire satellite: its name, NORAD number, the
// instrument and its swath, and the satellite code FIRMS rows carry.
type FireSatellite struct {
	Name       string  `json:"name"`
	NORAD      int     `json:"norad"`
	Instrument string  `json:"instrument"`
	SwathKm    float64 `json:"swath_km"`
	FIRMS      string  `json:"firms"`
	// Hotspot is the satellite as stored hotspots name it (Hotspot.Satellite,
	// normalised by detect: SNPP, N20, N21, Aqua, Terra).
	Hotspot string `json:"hotspot"`
}

// FireSatelliteOf finds a fire satellite by a hotspot's satellite, its
// FIRMS code or its name.
func FireSatelliteOf(code string) (FireSatellite, bool) {
	for _, s := range FireSatellites {
		if s.Hotspot == code || s.FIRMS == code || s.Name == code {
			return s, true
		}
	}
	return FireSatellite{}, false
}

// Pass is one overpass of a fire satellite over a place: when it rises
// over the instrument's view (the place inside the swath), when it is
// closest (the time a detection would carry), when it leaves.
type Pass struct {
	Satellite string    `json:"satellite"`
	NORAD     int       `json:"norad"`
	Start     time.Time `json:"start"`
	Peak      time.Time `json:"peak"`
	End       time.Time `json:"end"`
	// MaxElevation in degrees at Peak; Night when the sun is below the
	// horizon at Peak (the night passes see fires best).
	MaxElevation float64 `json:"max_elevation"`
	Night        bool    `json:"night"`
}

// PassWindow is how far from a detection's time the peak of the pass that
// saw it may be.
const PassWindow = 10 * time.Minute

// PassCity is the place passes are predicted for when no region is
// imported: the centre of Datong.
var PassCity = orb.Point{113.30, 40.08}

// TLESource says where the orbital elements in use come from.
const (
	TLEFetched  = "fetched"
	TLEEmbedded = "embedded"
)

// TLESet is a set of orbital elements as fetched (CelesTrak's 3-line
// text), its newest epoch and when it was fetched.
type TLESet struct {
	Text      string    `json:"text"`
	Epoch     time.Time `json:"epoch"`
	FetchedAt time.Time `json:"fetched_at"`
	URL       string    `json:"url"`
}

// TLEService keeps the latest fetched set of orbital elements.
type TLEService interface {
	// SaveTLESet stores a fetched set in place of the last one.
	SaveTLESet(ctx context.Context, set *TLESet) error
	// LatestTLESet is the last fetched set, nil when none was.
	LatestTLESet(ctx context.Context) (*TLESet, error)
}

// PassList is the fire satellites' next passes over a place and the age
// of the orbital elements they come from.
type PassList struct {
	Passes []Pass  `json:"passes"`
	Lon    float64 `json:"lon"`
	Lat    float64 `json:"lat"`
	// TLEEpoch is the newest epoch of the elements in use, TLESource
	// fetched or embedded, TLEAgeDays whole days since TLEEpoch.
	TLEEpoch   time.Time `json:"tle_epoch"`
	TLESource  string    `json:"tle_source"`
	TLEAgeDays int       `json:"tle_age_days"`
}

// PassSwath is the ground swath of one pass (the coverage map).
type PassSwath struct {
	Pass
	Swath orb.Polygon
}

// PassService predicts the fire satellites' passes.
type PassService interface {
	// Passes over a place with peaks in [from, to].
	Passes(ctx context.Context, place orb.Point, from, to time.Time) (*PassList, error)
	// LastPasses are each satellite's last pass over a place before now
	// (within a day), with its swath.
	LastPasses(ctx context.Context, place orb.Point, now time.Time) ([]PassSwath, *PassList, error)
	// PassOf is the pass of a satellite (a hotspot's satellite code) over
	// a place whose peak is nearest at, within PassWindow; nil when none.
	PassOf(ctx context.Context, satellite string, place orb.Point, at time.Time) (*Pass, error)
}
