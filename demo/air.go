package demo

import (
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"skygrid"

	"github.com/paulmach/orb/planar"
)

// AirSource marks the demo's station hours: invented (示例), not CNEMC's.
const AirSource = "示例 demo: invented station hours, not published data"

// airCounties are the counties that get an invented county-town station
// (示例省控点): the six far from Datong's urban stations. 新荣区, 云冈区
// and 云州区 keep none, so that the ranking estimates them from the
// urban stations within [air] nearest_km.
var airCounties = []string{"140221", "140222", "140223", "140224", "140225", "140226"}

// airLevel is a station's level relative to the city's: the far
// counties cleaner or dirtier than the urban core (invented).
var airLevel = map[string]float64{"140221": 0.95, "140222": 1.1, "140223": 0.8, "140224": 0.75, "140225": 0.9, "140226": 1.2}

// AirStations are the invented county-town stations (示例), one at the
// centroid of each county of airCounties found in counties: code
// DEMOA<county>, name "<county>监测站（示例）", provincial.
func AirStations(counties []*skygrid.Region) []*skygrid.AirStation {
	by := map[string]*skygrid.Region{}
	for _, c := range counties {
		by[c.ID] = c
	}
	var out []*skygrid.AirStation
	for _, id := range airCounties {
		c := by[id]
		if c == nil {
			continue
		}
		p, _ := planar.CentroidArea(c.Geometry)
		out = append(out, &skygrid.AirStation{Code: "DEMOA" + id, Name: c.Name + "监测站（示例）", City: "大同市",
			Lon: math.Round(p[0]*1e4) / 1e4, Lat: math.Round(p[1]*1e4) / 1e4, Network: skygrid.AirProvincial})
	}
	return out
}

// AirOutage is the invented outage of 天镇县's station: five days of
// September 2023 without data, so that its September has 25 valid days,
// fewer than the 27 a month needs (HJ 663-2013): no index, a note.
var AirOutage = [2]time.Time{time.Date(2023, 9, 10, 0, 0, 0, 0, skygrid.Beijing), time.Date(2023, 9, 15, 0, 0, 0, 0, skygrid.Beijing)}

// AirHours invents every station's hours labelled in (from, to] (示例):
// a regional day-to-day swing shared by all (an AR(1) of log levels, the
// same for a seed), each station's level (airLevel, 1 for the urban
// stations), the particulates', NO2's and CO's morning and evening peaks,
// O3's afternoon one, about 1% of hours missing, and AirOutage. scale
// raises or lowers the whole period (a year before: worse).
func AirHours(stations []*skygrid.AirStation, from, to time.Time, seed uint64, scale float64) []*skygrid.AirHour {
	rng := rand.New(rand.NewPCG(seed, 16))
	var out []*skygrid.AirHour
	swing := 0.0
	for day := from.In(skygrid.Beijing); day.Before(to); day = day.AddDate(0, 0, 1) {
		swing = 0.6*swing + 0.35*rng.NormFloat64()
		w := scale * math.Exp(swing)
		for h := 1; h <= 24; h++ {
			label := day.Add(time.Duration(h) * time.Hour)
			if !label.After(from) || label.After(to) {
				continue
			}
			for _, s := range stations {
				if rng.Float64() < 0.01 || (s.Code == "DEMOA140222" && !label.Before(AirOutage[0]) && label.Before(AirOutage[1])) {
					continue
				}
				out = append(out, airHour(s, label, h, w, rng))
			}
		}
	}
	return out
}

func airHour(s *skygrid.AirStation, label time.Time, h int, w float64, rng *rand.Rand) *skygrid.AirHour {
	lv := 1.0
	if l, ok := airLevel[strings.TrimPrefix(s.Code, "DEMOA")]; ok {
		lv = l
	}
	clock := float64(h) - 0.5                            // the middle of the hour
	traffic := 1 + 0.25*math.Cos(4*math.Pi*(clock-9)/24) // peaks at 09:00 and 21:00, mean 1
	sun := 0.6 + 0.5*math.Cos(2*math.Pi*(clock-15)/24)   // O3 peaks at 15:00
	noise := func() float64 { return 1 + 0.08*rng.NormFloat64() }
	r1 := func(v float64) float64 { return math.Round(math.Max(v, 1)) }
	pm10 := 75 * lv * w * traffic * noise()
	return &skygrid.AirHour{Station: s.Code, Hour: label.UTC(), Values: map[string]float64{
		"pm10": r1(pm10), "pm25": r1(pm10 * 0.5 * noise()), "so2": r1(16 * lv * w * noise()), "no2": r1(32 * lv * math.Sqrt(w) * traffic * noise()),
		"co": math.Max(0.1, math.Round(0.8*lv*math.Sqrt(w)*traffic*noise()*10)/10),
		"o3": r1(90 * sun / math.Sqrt(w) * noise()),
	}}
}
