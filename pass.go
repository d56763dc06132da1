package skygrid

import "time"

// The fire satellites whose passes skygrid predicts: the FIRMS sources'
// platforms (VIIRS on Suomi NPP, NOAA-20, NOAA-21; MODIS on Aqua, Terra),
// by NORAD catalogue number.
var FireSatellites = []FireSatellite{
	{Name: "Suomi NPP", NORAD: 37849, Instrument: "VIIRS", SwathKm: 3060, FIRMS: "N"},
	{Name: "NOAA-20", NORAD: 43013, Instrument: "VIIRS", SwathKm: 3060, FIRMS: "N20"},
	{Name: "NOAA-21", NORAD: 54234, Instrument: "VIIRS", SwathKm: 3060, FIRMS: "N21"},
	{Name: "Aqua", NORAD: 27424, Instrument: "MODIS", SwathKm: 2330, FIRMS: "A"},
	{Name: "Terra", NORAD: 25994, Instrument: "MODIS", SwathKm: 2330, FIRMS: "T"},
}

// FireSatellite is one fire satellite: its name, NORAD number, the
// instrument and its swath, and the satellite code FIRMS rows carry.
type FireSatellite struct {
	Name       string  `json:"name"`
	NORAD      int     `json:"norad"`
	Instrument string  `json:"instrument"`
	SwathKm    float64 `json:"swath_km"`
	FIRMS      string  `json:"firms"`
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
