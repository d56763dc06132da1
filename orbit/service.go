package orbit

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"skygrid"

	"github.com/paulmach/orb"
)

var _ skygrid.PassService = (*Service)(nil)

// SwathHalf is how long before and after its peak a pass's swath is drawn
// (the coverage map): about 2000 km of ground track each way.
const SwathHalf = 5 * time.Minute

// Service predicts passes from the embedded elements and the last
// fetched set (Store): per satellite the elements whose epoch is nearest
// the time asked, which for now and later is the newest of fetched and
// embedded. It keeps the predictors and the passes of an hour per place.
type Service struct {
	Store skygrid.TLEService // nil: the embedded sets only

	mu      sync.Mutex
	loaded  bool
	fetched time.Time // FetchedAt of the fetched set in elems
	elems   []TLE
	isFetch map[string]bool // line 1 of the fetched elements
	preds   map[string]*Predictor
	cache   map[string][]skygrid.Pass
}

// predictor is the predictor of the elements nearest at and what it says
// of them (epoch, source).
func (s *Service) predictor(ctx context.Context, at time.Time) (*Predictor, skygrid.PassList, error) {
	var set *skygrid.TLESet
	if s.Store != nil {
		var err error
		if set, err = s.Store.LatestTLESet(ctx); err != nil {
			return nil, skygrid.PassList{}, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loaded || (set != nil && !set.FetchedAt.Equal(s.fetched)) {
		s.load(set)
	}
	chosen := Select(s.elems, at)
	info := skygrid.PassList{TLEEpoch: Newest(chosen), TLESource: skygrid.TLEEmbedded}
	var key strings.Builder
	for _, t := range chosen {
		key.WriteString(t.Line1)
		if s.isFetch[t.Line1] {
			info.TLESource = skygrid.TLEFetched
		}
	}
	if p, ok := s.preds[key.String()]; ok {
		return p, info, nil
	}
	p, _, err := NewPredictor(chosen)
	if err != nil {
		return nil, info, err
	}
	if len(s.preds) >= 64 {
		s.preds = map[string]*Predictor{}
	}
	s.preds[key.String()] = p
	return p, info, nil
}

// load takes the embedded elements and the fetched set (a fetched set
// that does not parse is left out: the embedded ones stay).
func (s *Service) load(set *skygrid.TLESet) {
	s.loaded, s.elems, s.isFetch = true, Fallback(), map[string]bool{}
	s.preds, s.cache = map[string]*Predictor{}, map[string][]skygrid.Pass{}
	if set == nil {
		return
	}
	s.fetched = set.FetchedAt
	got, err := ParseTLEs(strings.NewReader(set.Text), "fetched "+set.URL)
	if err != nil {
		return
	}
	for _, t := range got {
		s.isFetch[t.Line1] = true
	}
	s.elems = append(s.elems, got...)
}

// Passes over a place with peaks in [from, to] (computed by the hour and
// kept).
func (s *Service) Passes(ctx context.Context, place orb.Point, from, to time.Time) (*skygrid.PassList, error) {
	p, info, err := s.predictor(ctx, from)
	if err != nil {
		return nil, err
	}
	start, end := from.UTC().Truncate(time.Hour), to.UTC().Truncate(time.Hour).Add(time.Hour)
	key := fmt.Sprintf("%.4f,%.4f,%s,%s,%s", place[0], place[1], start.Format(time.RFC3339), end.Format(time.RFC3339), info.TLEEpoch)
	s.mu.Lock()
	all, ok := s.cache[key]
	s.mu.Unlock()
	if !ok {
		if all, err = p.Passes(place[1], place[0], start, end); err != nil {
			return nil, err
		}
		s.mu.Lock()
		if len(s.cache) >= 512 {
			s.cache = map[string][]skygrid.Pass{}
		}
		s.cache[key] = all
		s.mu.Unlock()
	}
	out := info
	out.Lon, out.Lat = place[0], place[1]
	out.Passes = []skygrid.Pass{}
	for _, ps := range all {
		if !ps.Peak.Before(from) && !ps.Peak.After(to) {
			out.Passes = append(out.Passes, ps)
		}
	}
	out.TLEAgeDays = int(math.Floor(from.Sub(info.TLEEpoch).Hours() / 24))
	return &out, nil
}

// LastPasses are each satellite's last pass over a place in the day
// before now, with its swath.
func (s *Service) LastPasses(ctx context.Context, place orb.Point, now time.Time) ([]skygrid.PassSwath, *skygrid.PassList, error) {
	list, err := s.Passes(ctx, place, now.Add(-24*time.Hour), now)
	if err != nil {
		return nil, nil, err
	}
	p, _, err := s.predictor(ctx, now)
	if err != nil {
		return nil, nil, err
	}
	last := map[int]skygrid.Pass{}
	for _, ps := range list.Passes {
		last[ps.NORAD] = ps // by peak: the last one stays
	}
	var out []skygrid.PassSwath
	for _, sat := range p.Sats {
		ps, ok := last[sat.NORAD]
		if !ok {
			continue
		}
		poly, err := sat.Swath(ps.Peak, SwathHalf)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, skygrid.PassSwath{Pass: ps, Swath: poly})
	}
	list.Passes = nil
	list.TLEAgeDays = int(math.Floor(now.Sub(list.TLEEpoch).Hours() / 24))
	return out, list, nil
}

// PassOf is the pass of a satellite (a hotspot's satellite code) over a
// place whose peak is nearest at, within skygrid.PassWindow; nil when the
// satellite is not a fire satellite or no pass is that near.
func (s *Service) PassOf(ctx context.Context, satellite string, place orb.Point, at time.Time) (*skygrid.Pass, error) {
	fs, ok := skygrid.FireSatelliteOf(satellite)
	if !ok {
		return nil, nil
	}
	p, _, err := s.predictor(ctx, at)
	if err != nil {
		return nil, err
	}
	sat, ok := p.Satellite(fs.Name)
	if !ok {
		return nil, nil
	}
	ps, ok, err := sat.PassAt(place[1], place[0], at, skygrid.PassWindow)
	if err != nil || !ok {
		return nil, err
	}
	return &ps, nil
}
