package hj212sim

import (
	"math"
	"time"
)

// Profile is what a site adds to the city's air, and how its monitor
// misbehaves. Times are simulated; hours are Beijing clock hours.
type Profile struct {
	// Excess is the site's PM10 over the ambient during working hours
	// (07:00 to 19:00), µg/m³.
	Excess float64
	// ExceedHours are clock hours (0..23) when the site is dusty: PM10
	// ExceedBy µg/m³ above the ambient, on top of Excess.
	ExceedHours []int
	ExceedBy    float64
	// SilentAfter: the monitor stops sending this long after the fleet's
	// start (simulated time); 0 never.
	SilentAfter time.Duration
	// StuckFrom, StuckTo: clock hours [from, to) during which the
	// particulates repeat the value they had at StuckFrom; equal for none.
	StuckFrom, StuckTo int
}

// Values is one data time's values of a monitor, in µg/m³ for the
// particulates.
type Values struct {
	PM10, PM25, TSP            float64
	Temp, RH, Pressure, WS, WD float64
	Noise                      float64
}

// At gives the values of a monitor (identified by key, a hash of its MN
// and the seed) at data time t: deterministic in key and t.
func (p *Profile) At(air Air, key uint64, t time.Time) Values {
	h := clockHour(t)
	if p.stuck(h) {
		day := t.In(beijing)
		from := time.Date(day.Year(), day.Month(), day.Day(), p.StuckFrom, 0, 0, 0, beijing)
		v := p.at(air, key, from)
		w := p.at(air, key, t)
		w.PM10, w.PM25, w.TSP = v.PM10, v.PM25, v.TSP
		return w
	}
	return p.at(air, key, t)
}

func (p *Profile) stuck(h float64) bool {
	from, to := float64(p.StuckFrom), float64(p.StuckTo)
	if from == to {
		return false
	}
	if from < to {
		return h >= from && h < to
	}
	return h >= from || h < to
}

func (p *Profile) at(air Air, key uint64, t time.Time) Values {
	h := clockHour(t)
	minute := uint64(t.Unix() / 60)
	day := uint64(t.In(beijing).Unix()+8*3600) / 86400
	n := noise{key ^ minute*0x9E3779B97F4A7C15}
	// a day's level: lognormal around the city's level (σ 0.25)
	dayFactor := math.Exp(0.25 * gauss(key^day*0xBF58476D1CE4E5B9, 1))
	ambient := air.PM10 * dayFactor * Shape(h) * (1 + 0.08*n.normal())
	site := 0.0
	if h >= 7 && h < 19 {
		site = p.Excess * (1 + 0.3*n.normal())
	}
	hour := int(h)
	for _, e := range p.ExceedHours {
		if e == hour {
			site += p.ExceedBy * (1 + 0.15*n.normal())
		}
	}
	site = math.Max(site, 0)
	var v Values
	v.PM10 = math.Max(ambient+site, 3)
	// site dust is coarse: PM2.5 is a fifth of it, TSP about 1.8 times
	v.PM25 = math.Max(ambient*air.PM25Ratio+0.2*site, 2)
	v.TSP = v.PM10*1.25 + 0.55*site
	doy := float64(t.In(beijing).YearDay())
	// Datong's climate, roughly: -11 ℃ in January, 22 ℃ in July; warmest at 15:00
	v.Temp = 5.5 - 16.5*math.Cos(2*math.Pi*(doy-15)/365) + 6*math.Cos(2*math.Pi*(h-15)/24) + 0.3*n.normal()
	v.RH = clamp(50-2*math.Cos(2*math.Pi*(doy-15)/365)*10-12*math.Cos(2*math.Pi*(h-15)/24)+2*n.normal(), 8, 98)
	v.Pressure = 89.8 + 0.4*math.Cos(2*math.Pi*(doy-15)/365) + 0.05*n.normal()
	v.WS = clamp(2.2+1.3*math.Cos(2*math.Pi*(h-15)/24)+0.6*n.normal(), 0.1, 15)
	v.WD = math.Mod(315+40*n.normal()+360, 360) // north-westerly, as Datong's winter
	v.Noise = 50 + 3*n.normal()
	if h >= 7 && h < 19 {
		v.Noise += 14 // machines at work (the daytime limit for sites is 70 dB(A))
	}
	return v
}

func clamp(v, lo, hi float64) float64 { return math.Min(math.Max(v, lo), hi) }

// noise is a splitmix64 stream: no allocation, the same for the same seed.
type noise struct{ s uint64 }

func (n *noise) next() uint64 {
	n.s += 0x9E3779B97F4A7C15
	z := n.s
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

// uniform is in (0, 1).
func (n *noise) uniform() float64 { return (float64(n.next()>>11) + 0.5) / (1 << 53) }

// normal is a standard normal draw (Box-Muller), cut at ±3.
func (n *noise) normal() float64 {
	z := math.Sqrt(-2*math.Log(n.uniform())) * math.Cos(2*math.Pi*n.uniform())
	return clamp(z, -3, 3)
}

// gauss is one standard normal draw of a seed times sd.
func gauss(seed uint64, sd float64) float64 {
	n := noise{seed}
	return sd * n.normal()
}

// deviceKey mixes a seed and an MN into a device's noise key.
func deviceKey(seed uint64, mn string) uint64 {
	h := uint64(14695981039346656037) ^ seed
	for i := 0; i < len(mn); i++ {
		h = (h ^ uint64(mn[i])) * 1099511628211
	}
	n := noise{h}
	return n.next()
}
