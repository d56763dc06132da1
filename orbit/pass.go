package orbit

import (
	"fmt"
	"math"
	"sort"
	"time"

	"skygrid"
)

// Step is the sampling step of the pass search: a place stays inside the
// narrowest swath (MODIS, 2330 km) for several minutes on any pass that
// comes within a few tens of km of its edge.
const Step = 30 * time.Second

// MaxGroundKmS bounds how fast the sub-satellite point of a low Earth
// orbit moves over the ground (about 6.6 km/s, with the Earth's rotation
// under 7.1 km/s).
const MaxGroundKmS = 8.0

// Satellite is one fire satellite with its propagator.
type Satellite struct {
	skygrid.FireSatellite
	*Propagator
}

// Passes are the satellite's passes over a place whose peak lies in
// [from, to]: the place is seen while it lies within half the swath of the
// sub-satellite point (the elevation threshold of the swath's edge), the
// peak is the closest approach (found to the second), start and end are
// the crossings of the swath's edge.
func (s Satellite) Passes(lat, lon float64, from, to time.Time) ([]skygrid.Pass, error) {
	half := s.SwathKm / 2
	dist := func(t time.Time) (float64, error) {
		la, lo, _, err := s.SubPoint(t)
		return GroundKm(lat, lon, la, lo), err
	}
	var out []skygrid.Pass
	var prev, prev2 float64 = math.Inf(1), math.Inf(1)
	for t := from.Add(-20 * time.Minute); !t.After(to.Add(20 * time.Minute)); t = t.Add(Step) {
		d, err := dist(t)
		if err != nil {
			return nil, err
		}
		// a local minimum at t-Step inside the swath
		if prev < prev2 && prev <= d && prev <= half {
			p, err := s.pass(lat, lon, t.Add(-Step), half, dist)
			if err != nil {
				return nil, err
			}
			if !p.Peak.Before(from) && !p.Peak.After(to) {
				out = append(out, p)
			}
		}
		prev2, prev = prev, d
		// Far from the swath: skip the steps at which the place cannot be
		// in it yet (the ground distance changes by less than MaxGroundKmS a
		// second); the samples stay on the same grid of Step, and the one
		// landed on is still outside.
		if k := int((d-half)/(MaxGroundKmS*Step.Seconds())) - 1; k >= 1 {
			t = t.Add(time.Duration(k) * Step)
			prev2, prev = math.Inf(1), math.Inf(1)
		}
	}
	return out, nil
}

// pass refines a pass found near t: the peak by golden-section search over
// t±Step, start and end by bisection of the swath's edge.
func (s Satellite) pass(lat, lon float64, t time.Time, half float64, dist func(time.Time) (float64, error)) (skygrid.Pass, error) {
	var ferr error
	f := func(t time.Time) float64 {
		d, err := dist(t)
		if err != nil && ferr == nil {
			ferr = err
		}
		return d
	}
	peak := minimise(f, t.Add(-Step), t.Add(Step))
	start := edge(f, half, peak, -1)
	end := edge(f, half, peak, +1)
	if ferr != nil {
		return skygrid.Pass{}, ferr
	}
	_, _, alt, err := s.SubPoint(peak)
	if err != nil {
		return skygrid.Pass{}, err
	}
	return skygrid.Pass{
		Satellite: s.Name, NORAD: s.NORAD,
		Start: start, Peak: peak, End: end,
		MaxElevation: math.Round(Elevation(f(peak), alt)*10) / 10,
		Night:        SunElevation(lat, lon, peak) < 0,
	}, nil
}

// minimise finds the time of the least f in [a, b] to the second (f has
// one minimum there).
func minimise(f func(time.Time) float64, a, b time.Time) time.Time {
	const r = 0.6180339887498949
	for b.Sub(a) > time.Second {
		span := b.Sub(a)
		c := b.Add(-time.Duration(float64(span) * r))
		d := a.Add(time.Duration(float64(span) * r))
		if f(c) < f(d) {
			b = d
		} else {
			a = c
		}
	}
	return a.Add(b.Sub(a) / 2).Round(time.Second)
}

// edge walks from the peak in direction dir (by Step) until f leaves
// [0, half], then bisects the crossing to the second.
func edge(f func(time.Time) float64, half float64, peak time.Time, dir int) time.Time {
	in := peak
	out := peak.Add(time.Duration(dir) * Step)
	for i := 0; f(out) <= half && i < 60; i++ {
		in, out = out, out.Add(time.Duration(dir)*Step)
	}
	for (out.Sub(in)).Abs() > time.Second {
		mid := in.Add(out.Sub(in) / 2)
		if f(mid) <= half {
			in = mid
		} else {
			out = mid
		}
	}
	return in.Round(time.Second)
}

// Predictor holds the fire satellites ready to propagate.
type Predictor struct {
	Sats []Satellite
}

// NewPredictor pairs each fire satellite with its elements in set; a
// satellite without elements is left out and named in missing.
func NewPredictor(set []TLE) (*Predictor, []string, error) {
	byNum := map[int]TLE{}
	for _, t := range set {
		if old, ok := byNum[t.NORAD]; !ok || t.Epoch.After(old.Epoch) {
			byNum[t.NORAD] = t
		}
	}
	p := &Predictor{}
	var missing []string
	for _, fs := range skygrid.FireSatellites {
		t, ok := byNum[fs.NORAD]
		if !ok {
			missing = append(missing, fs.Name)
			continue
		}
		prop, err := NewPropagator(t)
		if err != nil {
			return nil, nil, fmt.Errorf("satellite %s: %w", fs.Name, err)
		}
		p.Sats = append(p.Sats, Satellite{FireSatellite: fs, Propagator: prop})
	}
	return p, missing, nil
}

// Passes are every fire satellite's passes over a place with peaks in
// [from, to], by peak.
func (p *Predictor) Passes(lat, lon float64, from, to time.Time) ([]skygrid.Pass, error) {
	var all []skygrid.Pass
	for _, s := range p.Sats {
		ps, err := s.Passes(lat, lon, from, to)
		if err != nil {
			return nil, err
		}
		all = append(all, ps...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Peak.Before(all[j].Peak) })
	return all, nil
}

// Satellite finds a fire satellite by FIRMS code or name.
func (p *Predictor) Satellite(codeOrName string) (Satellite, bool) {
	for _, s := range p.Sats {
		if s.FIRMS == codeOrName || s.Name == codeOrName {
			return s, true
		}
	}
	return Satellite{}, false
}

// PassAt is the satellite's pass over a place whose peak is nearest at,
// within window (a detection carries the time of its scan line, so the
// pass that saw it peaks within minutes of it).
func (s Satellite) PassAt(lat, lon float64, at time.Time, window time.Duration) (skygrid.Pass, bool, error) {
	ps, err := s.Passes(lat, lon, at.Add(-window), at.Add(window))
	if err != nil || len(ps) == 0 {
		return skygrid.Pass{}, false, err
	}
	best := ps[0]
	for _, p := range ps[1:] {
		if p.Peak.Sub(at).Abs() < best.Peak.Sub(at).Abs() {
			best = p
		}
	}
	return best, true, nil
}
