// Package geo is skygrid's spatial core on orb: a polygon index on an
// R-tree, geodesic measures, the Chinese coordinate systems (WGS84, GCJ-02,
// BD-09), grid generation and a validating GeoJSON reader.
package geo

import (
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"
)

// CRS names accepted on import.
const (
	WGS84    = "wgs84"
	CGCS2000 = "cgcs2000"
	GCJ02    = "gcj02"
	BD09     = "bd09"
)

// ParseCRS normalises a CRS name. CGCS2000 equals WGS84 within about a metre
// and needs no conversion.
func ParseCRS(s string) (string, error) {
	switch strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(s, "-", ""), "_", "")) {
	case "", "wgs84", "epsg4326", "4326":
		return WGS84, nil
	case "cgcs2000", "epsg4490", "4490":
		return CGCS2000, nil
	case "gcj02", "mars":
		return GCJ02, nil
	case "bd09", "baidu":
		return BD09, nil
	}
	return "", fmt.Errorf("unknown CRS %q (use wgs84, cgcs2000, gcj02 or bd09)", s)
}

// ToWGS84 returns the function converting points of crs to WGS84.
func ToWGS84(crs string) func(orb.Point) orb.Point {
	switch crs {
	case GCJ02:
		return GCJ02ToWGS84
	case BD09:
		return BD09ToWGS84
	}
	return func(p orb.Point) orb.Point { return p }
}

// The GCJ-02 ("Mars") obfuscation: the published forward formula on the
// Krasovsky 1940 ellipsoid.
const (
	krasovskyA  = 6378245.0
	krasovskyEE = 0.00669342162296594323
	bdPi        = math.Pi * 3000.0 / 180.0
)

// OutOfChina reports whether GCJ-02 leaves the point unchanged (outside
// the rough box where it applies).
func OutOfChina(p orb.Point) bool {
	return p[0] < 72.004 || p[0] > 137.8347 || p[1] < 0.8293 || p[1] > 55.8271
}

func transformLat(x, y float64) float64 {
	r := -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	r += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0
	return r
}

func transformLon(x, y float64) float64 {
	r := 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	r += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0
	return r
}

// WGS84ToGCJ02 applies the GCJ-02 offset.
func WGS84ToGCJ02(p orb.Point) orb.Point {
	if OutOfChina(p) {
		return p
	}
	lon, lat := p[0], p[1]
	dLat := transformLat(lon-105.0, lat-35.0)
	dLon := transformLon(lon-105.0, lat-35.0)
	radLat := lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - krasovskyEE*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (dLat * 180.0) / ((krasovskyA * (1 - krasovskyEE)) / (magic * sqrtMagic) * math.Pi)
	dLon = (dLon * 180.0) / (krasovskyA / sqrtMagic * math.Cos(radLat) * math.Pi)
	return orb.Point{lon + dLon, lat + dLat}
}

// GCJ02ToWGS84 inverts WGS84ToGCJ02 by fixed-point iteration, to well under
// a centimetre.
func GCJ02ToWGS84(p orb.Point) orb.Point {
	if OutOfChina(p) {
		return p
	}
	return invert(WGS84ToGCJ02, p, p)
}

// invert finds q with forward(q) = p by fixed-point iteration from start:
// the offsets change so slowly with position that each step gains about
// five digits.
func invert(forward func(orb.Point) orb.Point, p, start orb.Point) orb.Point {
	q := start
	for i := 0; i < 10; i++ {
		f := forward(q)
		dx, dy := f[0]-p[0], f[1]-p[1]
		q = orb.Point{q[0] - dx, q[1] - dy}
		if math.Abs(dx) < 1e-10 && math.Abs(dy) < 1e-10 {
			break
		}
	}
	return q
}

// GCJ02ToBD09 converts to Baidu's BD-09.
func GCJ02ToBD09(p orb.Point) orb.Point {
	x, y := p[0], p[1]
	z := math.Sqrt(x*x+y*y) + 0.00002*math.Sin(y*bdPi)
	theta := math.Atan2(y, x) + 0.000003*math.Cos(x*bdPi)
	return orb.Point{z*math.Cos(theta) + 0.0065, z*math.Sin(theta) + 0.006}
}

// BD09ToGCJ02 converts Baidu's BD-09 to GCJ-02: the usual closed-form
// inverse (good to about a metre), refined by fixed-point iteration.
func BD09ToGCJ02(p orb.Point) orb.Point {
	x, y := p[0]-0.0065, p[1]-0.006
	z := math.Sqrt(x*x+y*y) - 0.00002*math.Sin(y*bdPi)
	theta := math.Atan2(y, x) - 0.000003*math.Cos(x*bdPi)
	return invert(GCJ02ToBD09, p, orb.Point{z * math.Cos(theta), z * math.Sin(theta)})
}

// WGS84ToBD09 converts WGS84 to BD-09.
func WGS84ToBD09(p orb.Point) orb.Point { return GCJ02ToBD09(WGS84ToGCJ02(p)) }

// BD09ToWGS84 converts BD-09 to WGS84.
func BD09ToWGS84(p orb.Point) orb.Point { return GCJ02ToWGS84(BD09ToGCJ02(p)) }

// TransformMultiPolygon returns a copy of mp with every point converted.
func TransformMultiPolygon(mp orb.MultiPolygon, fn func(orb.Point) orb.Point) orb.MultiPolygon {
	out := make(orb.MultiPolygon, len(mp))
	for i, poly := range mp {
		out[i] = make(orb.Polygon, len(poly))
		for j, ring := range poly {
			r := make(orb.Ring, len(ring))
			for k, pt := range ring {
				r[k] = fn(pt)
			}
			out[i][j] = r
		}
	}
	return out
}
