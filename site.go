package skygrid

import (
	"context"

	"github.com/paulmach/orb"
)

// Site kinds: the registered map layers.
const (
	SiteConstruction = "construction" // 工地
	SiteStockpile    = "stockpile"    // 堆场
	SiteNoCoal       = "nocoal"       // 禁煤区
	SiteCropland     = "cropland"     // 耕地
	SiteIndustrial   = "industrial"   // 工业热源
)

// SiteKinds lists every kind.
var SiteKinds = []string{SiteConstruction, SiteStockpile, SiteNoCoal, SiteCropland, SiteIndustrial}

// Site is a registered layer feature. Geometry is WGS84: a Point or a
// MultiPolygon.
type Site struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	ExternalID string `json:"external_id,omitempty"`
	Name       string `json:"name"`
	// Geometry is an orb.Point or an orb.MultiPolygon.
	Geometry orb.Geometry      `json:"-"`
	Props    map[string]string `json:"props,omitempty"`
	Source   string            `json:"source,omitempty"`
}

// SiteFilter selects sites. Zero fields do not filter.
type SiteFilter struct {
	Kind   *string
	Bbox   *orb.Bound
	Offset int
	Limit  int
}

// SiteService reads and writes the registries.
type SiteService interface {
	FindSites(ctx context.Context, filter SiteFilter) ([]*Site, int, error)
	// ImportSites stores sites in one transaction, replacing sites of the
	// same kind and external id. Either all or none.
	ImportSites(ctx context.Context, sites []*Site) (int, error)
}
