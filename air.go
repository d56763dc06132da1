package skygrid

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// Air-quality station networks.
const (
	AirNational   = "national"   // 国控点
	AirProvincial = "provincial" // 省控点
)

// Air pollutant columns of an hour, as CNEMC publishes them: µg/m³, CO in
// mg/m³; "_24h" the 24-hour moving mean, "o3_8h" the 8-hour moving mean.
var AirPollutants = []string{"pm25", "pm25_24h", "pm10", "pm10_24h", "so2", "so2_24h", "no2", "no2_24h",
	"co", "co_24h", "o3", "o3_24h", "o3_8h", "o3_8h_24h"}

// AirStation is a national or provincial air-quality station.
type AirStation struct {
	Code string `json:"code"`
	Name string `json:"name"`
	City string `json:"city"`
	// CountyID is the county region holding the station, computed from
	// the regions when the station is imported ("" outside them).
	CountyID string  `json:"county_id,omitempty"`
	Lon      float64 `json:"lon"`
	Lat      float64 `json:"lat"`
	Network  string  `json:"network"`
}

// AirHour is one station's concentrations for one hour.
type AirHour struct {
	Station string `json:"station"`
	// Hour is the hour's label in UTC: CNEMC's 08:00 (Beijing) is the
	// mean of 07:00–08:00 Beijing time, stored as 00:00Z.
	Hour time.Time `json:"hour"`
	// Values by AirPollutants key; a pollutant not given is absent.
	Values map[string]float64 `json:"values"`
	// Missing lists the pollutants published as missing ("-", "-;").
	Missing []string `json:"missing,omitempty"`
	// AQI and Primary as published (nil and "" when the file has none).
	AQI     *int   `json:"published_aqi,omitempty"`
	Primary string `json:"published_primary,omitempty"`
}

// AirHourLabel is the label of the hour that starts at start: CNEMC labels
// an hour by its end (08:00 is the mean of 07:00-08:00), so the hour the
// dust rules judge from start is stored as start+1h.
func AirHourLabel(start time.Time) time.Time { return start.Add(time.Hour) }

// Sources of a county's ambient PM10.
const (
	AmbientCounty  = "county"  // the mean of the county's stations
	AmbientNearest = "nearest" // the mean of the stations near its centroid
	AmbientCity    = "city"    // the city's mean
)

// AmbientStation is a station that went into an ambient mean.
type AmbientStation struct {
	Code       string  `json:"code"`
	PM10       float64 `json:"pm10"`
	DistanceKm float64 `json:"distance_km"`
}

// Ambient is a county's ambient PM10 for one hour, with its source.
type Ambient struct {
	Hour     time.Time        `json:"hour"`
	PM10     float64          `json:"pm10"`
	Source   string           `json:"source"`
	Stations []AmbientStation `json:"stations"`
}

// StationPM10 is one station's PM10 for an hour: what ChooseAmbient
// chooses from. InCity marks the stations of the county's city.
type StationPM10 struct {
	Code     string
	CountyID string
	Lon, Lat float64
	PM10     float64
	InCity   bool
}

// ChooseAmbient is a county's ambient PM10 from the stations of one hour
// (those with a PM10): the mean of the county's own stations, else of any
// within nearestKm of the county's centroid (a neighbouring city's too),
// else the mean of the city's stations (distances great-circle, rounded to
// 0.1 km; a station at nearestKm is within). ok is false when none applies.
func ChooseAmbient(countyID string, centroid orb.Point, nearestKm float64, stations []StationPM10) (a Ambient, ok bool) {
	var own, near, city []AmbientStation
	for _, s := range stations {
		d := math.Round(geo.Distance(centroid, orb.Point{s.Lon, s.Lat})/100) / 10
		as := AmbientStation{Code: s.Code, PM10: s.PM10, DistanceKm: d}
		if s.InCity {
			city = append(city, as)
		}
		if s.CountyID == countyID && countyID != "" {
			own = append(own, as)
		} else if d <= nearestKm {
			near = append(near, as)
		}
	}
	switch {
	case len(own) > 0:
		a = Ambient{Source: AmbientCounty, Stations: own}
	case len(near) > 0:
		a = Ambient{Source: AmbientNearest, Stations: near}
	case len(city) > 0:
		a = Ambient{Source: AmbientCity, Stations: city}
	default:
		return Ambient{}, false
	}
	sort.Slice(a.Stations, func(i, j int) bool { return a.Stations[i].Code < a.Stations[j].Code })
	sum := 0.0
	for _, s := range a.Stations {
		sum += s.PM10
	}
	a.PM10 = math.Round(sum/float64(len(a.Stations))*10) / 10
	return a, true
}

// AirStationLatest is a station with its latest hour.
type AirStationLatest struct {
	AirStation
	Latest *AirHour `json:"latest,omitempty"`
}

// AirService keeps the stations and their hours.
type AirService interface {
	ImportAirStations(ctx context.Context, stations []*AirStation) (int, error)
	// IngestAirHours stores hours (one per station and hour: a later
	// file's values replace, a missing one keeps what was stored) and
	// returns how many were new and how many updated.
	IngestAirHours(ctx context.Context, hours []*AirHour) (added, updated int, err error)
	FindAirStations(ctx context.Context) ([]*AirStationLatest, error)
	// AmbientPM10 is a county's ambient PM10 for each hour of [from, to)
	// that has one.
	AmbientPM10(ctx context.Context, countyID string, from, to time.Time, nearestKm float64) ([]Ambient, error)
}
