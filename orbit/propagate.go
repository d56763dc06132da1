package orbit

import (
	"fmt"
	"math"
	"time"

	satellite "github.com/joshuaferrara/go-satellite"
)

// EarthRadiusKm is the mean Earth radius used for ground distances.
const EarthRadiusKm = 6371.0088

// Propagator propagates one satellite's elements with SGP4 (WGS72
// constants, as the elements are made).
type Propagator struct {
	TLE TLE
	sat satellite.Satellite
}

// NewPropagator initialises SGP4 for a parsed TLE (ParseTLEs has checked
// every field the propagator reads).
func NewPropagator(t TLE) (*Propagator, error) {
	sat := satellite.TLEToSat(t.Line1, t.Line2, satellite.GravityWGS72)
	if sat.Error != 0 {
		return nil, fmt.Errorf("sgp4 init %d: %s", t.NORAD, sat.ErrorStr)
	}
	return &Propagator{TLE: t, sat: sat}, nil
}

// SubPoint is the satellite's geodetic position at t: latitude and
// longitude in degrees (longitude in -180..180) and the altitude in km.
//
// The library takes whole seconds and keeps the elements' epoch to the
// whole second it falls in (it drops the epoch's fraction of a second,
// up to 7 km along the track); so the position is propagated at the two
// whole seconds around t shifted by that fraction and interpolated
// (about a metre off over one second), and the sidereal time is taken at
// t itself.
func (p *Propagator) SubPoint(t time.Time) (lat, lon, alt float64, err error) {
	t = t.UTC()
	shifted := t.Add(-p.TLE.Epoch.Sub(p.TLE.Epoch.Truncate(time.Second)))
	t0 := shifted.Truncate(time.Second)
	frac := shifted.Sub(t0).Seconds()
	a, err := p.eci(t0)
	if err != nil {
		return 0, 0, 0, err
	}
	b, err := p.eci(t0.Add(time.Second))
	if err != nil {
		return 0, 0, 0, err
	}
	pos := satellite.Vector3{X: a.X + (b.X-a.X)*frac, Y: a.Y + (b.Y-a.Y)*frac, Z: a.Z + (b.Z-a.Z)*frac}
	alt, _, ll := satellite.ECIToLLA(pos, gmst(t))
	lat = ll.Latitude * 180 / math.Pi
	lon = math.Remainder(ll.Longitude*180/math.Pi, 360)
	return lat, lon, alt, nil
}

// eci is the library's position (TEME, km) at the whole second t.
func (p *Propagator) eci(t time.Time) (satellite.Vector3, error) {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	pos, _ := satellite.Propagate(p.sat, y, int(mo), d, h, mi, s)
	r := math.Sqrt(pos.X*pos.X + pos.Y*pos.Y + pos.Z*pos.Z)
	if math.IsNaN(r) || r < 6378 {
		return pos, fmt.Errorf("sgp4 %d at %s: no valid position", p.TLE.NORAD, t.Format(time.RFC3339))
	}
	return pos, nil
}

// gmst is the Greenwich mean sidereal time in radians (IAU-82, as SGP4's
// own gstime) at t, to the nanosecond.
func gmst(t time.Time) float64 {
	jd := 2440587.5 + float64(t.UnixNano())/86400e9
	tu := (jd - 2451545.0) / 36525.0
	g := -6.2e-6*tu*tu*tu + 0.093104*tu*tu + (876600.0*3600+8640184.812866)*tu + 67310.54841
	g = math.Mod(g*math.Pi/180/240, 2*math.Pi)
	if g < 0 {
		g += 2 * math.Pi
	}
	return g
}

// GroundKm is the great-circle distance in km between two points given in
// degrees.
func GroundKm(lat1, lon1, lat2, lon2 float64) float64 {
	return EarthRadiusKm * centralAngle(lat1, lon1, lat2, lon2)
}

func centralAngle(lat1, lon1, lat2, lon2 float64) float64 {
	p1, p2 := rad(lat1), rad(lat2)
	dp, dl := p2-p1, rad(lon2-lon1)
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * math.Atan2(math.Sqrt(a), math.Sqrt(math.Max(0, 1-a)))
}

// Elevation is the satellite's elevation in degrees seen from a place at
// the ground distance km from the sub-satellite point, the satellite at
// altitude alt km (a spherical Earth).
func Elevation(km, alt float64) float64 {
	th := km / EarthRadiusKm
	return deg(math.Atan2(math.Cos(th)-EarthRadiusKm/(EarthRadiusKm+alt), math.Sin(th)))
}

func rad(d float64) float64 { return d * math.Pi / 180 }
func deg(r float64) float64 { return r * 180 / math.Pi }
