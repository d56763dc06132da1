package orbit

import (
	"math"
	"time"
)

// SunElevation is the sun's elevation in degrees at a place and time, by
// the low-precision solar position of the Astronomical Almanac (about
// 0.01° in declination, enough to tell day from night).
func SunElevation(lat, lon float64, t time.Time) float64 {
	n := float64(t.UTC().Sub(j2000)) / float64(24*time.Hour)
	L := 280.460 + 0.9856474*n
	g := rad(357.528 + 0.9856003*n)
	lambda := rad(L + 1.915*math.Sin(g) + 0.020*math.Sin(2*g))
	eps := rad(23.439 - 0.0000004*n)
	ra := math.Atan2(math.Cos(eps)*math.Sin(lambda), math.Cos(lambda))
	dec := math.Asin(math.Sin(eps) * math.Sin(lambda))
	gmst := math.Mod(18.697374558+24.06570982441908*n, 24) * 15
	ha := rad(gmst+lon) - ra
	phi := rad(lat)
	return deg(math.Asin(math.Sin(phi)*math.Sin(dec) + math.Cos(phi)*math.Cos(dec)*math.Cos(ha)))
}

var j2000 = time.Date(2000, 1, 1, 12, 0, 0, 0, time.UTC)
