package orbit

import (
	"math"
	"time"

	"github.com/paulmach/orb"
)

// Swath is the ground swath of the satellite from peak-half to peak+half:
// its ground track sampled every Step, each point moved half the swath to
// either side across the track; lon/lat polygon (one ring, closed).
func (s Satellite) Swath(peak time.Time, half time.Duration) (orb.Polygon, error) {
	var track []orb.Point
	for t := peak.Add(-half); !t.After(peak.Add(half)); t = t.Add(Step) {
		lat, lon, _, err := s.SubPoint(t)
		if err != nil {
			return nil, err
		}
		track = append(track, orb.Point{lon, lat})
	}
	if len(track) < 2 {
		return nil, nil
	}
	left := make([]orb.Point, len(track))
	right := make([]orb.Point, len(track))
	for i, p := range track {
		a, b := i, i+1
		if b == len(track) {
			a, b = i-1, i
		}
		brg := bearing(track[a], track[b])
		left[i] = destination(p, brg-90, s.SwathKm/2)
		right[i] = destination(p, brg+90, s.SwathKm/2)
	}
	ring := orb.Ring(left)
	for i := len(right) - 1; i >= 0; i-- {
		ring = append(ring, right[i])
	}
	ring = append(ring, ring[0])
	return orb.Polygon{ring}, nil
}

// bearing is the initial great-circle bearing in degrees from a to b.
func bearing(a, b orb.Point) float64 {
	p1, p2 := rad(a[1]), rad(b[1])
	dl := rad(b[0] - a[0])
	y := math.Sin(dl) * math.Cos(p2)
	x := math.Cos(p1)*math.Sin(p2) - math.Sin(p1)*math.Cos(p2)*math.Cos(dl)
	return deg(math.Atan2(y, x))
}

// destination is the point km away from p on the bearing brg (degrees).
func destination(p orb.Point, brg, km float64) orb.Point {
	d := km / EarthRadiusKm
	p1, l1, b := rad(p[1]), rad(p[0]), rad(brg)
	p2 := math.Asin(math.Sin(p1)*math.Cos(d) + math.Cos(p1)*math.Sin(d)*math.Cos(b))
	l2 := l1 + math.Atan2(math.Sin(b)*math.Sin(d)*math.Cos(p1), math.Cos(d)-math.Sin(p1)*math.Sin(p2))
	return orb.Point{math.Remainder(deg(l2), 360), deg(p2)}
}
