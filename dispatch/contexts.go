package dispatch

import (
	"context"
	"sync"

	"skygrid"
)

// ContextCache keeps a loaded pipeline context and loads it again when
// the regions or a site layer change (their versions move).
type ContextCache struct {
	mu       sync.Mutex
	ctx      *Context
	versions map[string]int64
}

// contextLayers are the layers a pipeline context is built from.
var contextLayers = []string{skygrid.LayerRegions, skygrid.LayerConstruction, skygrid.LayerStockpiles,
	skygrid.LayerNoCoal, skygrid.LayerCropland, skygrid.LayerIndustrial}

// Get returns the context, loading it when it is missing or stale.
func (c *ContextCache) Get(ctx context.Context, p *Pipeline) (*Context, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var vs map[string]int64
	if ls, ok := p.Store.(skygrid.LayerService); ok {
		var err error
		if vs, err = ls.LayerVersions(ctx); err != nil {
			return nil, err
		}
	}
	if c.ctx != nil && vs != nil {
		same := true
		for _, l := range contextLayers {
			same = same && vs[l] == c.versions[l]
		}
		if same {
			return c.ctx, nil
		}
	}
	pc, err := p.LoadContext(ctx)
	if err != nil {
		return nil, err
	}
	c.ctx, c.versions = pc, vs
	return pc, nil
}

// Places is the pipeline's context, one for the pipeline and all its
// copies (New makes it), loaded again when the regions or a site layer
// change: the watch, the feed, the dust checks, the public's reports and
// the warnings' inspections of one server share it. A province's 50,000
// grids make it 0.4-0.7 GB and 7 s to build; each of them kept its own.
// A pipeline made without New loads a context at every call.
func (p *Pipeline) Places(ctx context.Context) (*Context, error) {
	if p.places == nil {
		return p.LoadContext(ctx)
	}
	return p.places.Get(ctx, p)
}
