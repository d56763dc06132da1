package dispatch

import (
	"context"

	"github.com/paulmach/orb"

	"skygrid"
)

// Locator places a point as the pipeline places an event (grid containing
// it, else the nearest within the tolerance; township; county; outside
// the city: cross-border), for reports from the public. The regions are
// read again when they change (Pipeline.Places).
type Locator struct {
	Pipeline *Pipeline
}

// Locate returns an event at p with its grid, township and county set,
// or CrossBorder when p lies outside the city's counties.
func (l *Locator) Locate(ctx context.Context, p orb.Point) (skygrid.Event, error) {
	c, err := l.Pipeline.Places(ctx)
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
