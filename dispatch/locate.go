package dispatch

import (
	"context"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"skygrid"
)

// Locator places a point as the pipeline places an event (grid containing
// it, else the nearest within the tolerance; township; county; outside
// the city: cross-border), for reports from the public. The regions are
// read once and again after Every (0: five minutes).
type Locator struct {
	Pipeline *Pipeline
	Every    time.Duration
	mu       sync.Mutex
	place    *Context
	at       time.Time
}

// Locate returns an event at p with its grid, township and county set,
// or CrossBorder when p lies outside the city's counties.
func (l *Locator) Locate(ctx context.Context, p orb.Point) (skygrid.Event, error) {
	c, err := l.context(ctx)
	if err != nil {
		return skygrid.Event{}, err
	}
	e := skygrid.Event{Point: p}
	l.Pipeline.assign(c, &e)
	if e.CountyID == "" && !e.CrossBorder {
		e.CrossBorder = true // in no county at all (no area imported)
	}
	return e, nil
}

func (l *Locator) context(ctx context.Context) (*Context, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	every := l.Every
	if every <= 0 {
		every = 5 * time.Minute
	}
	if l.place != nil && time.Since(l.at) < every {
		return l.place, nil
	}
	c, err := l.Pipeline.LoadContext(ctx)
	if err != nil {
		return nil, err
	}
	l.place, l.at = c, time.Now()
	return c, nil
}
