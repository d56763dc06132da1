package skygrid

import (
	"context"

	"github.com/paulmach/orb"
)

// Region levels, from the largest to the smallest.
const (
	LevelCity     = "city"
	LevelCounty   = "county"
	LevelTownship = "township"
	LevelGrid     = "grid"
)

// LevelNames are the levels' Chinese names (区县), as figures, tables and
// reports word them.
var LevelNames = map[string]string{LevelCity: "地市", LevelCounty: "区县", LevelTownship: "乡镇", LevelGrid: "网格"}

// LevelRank orders the levels: city 0 ... grid 3; -1 for an unknown level.
func LevelRank(level string) int {
	switch level {
	case LevelCity:
		return 0
	case LevelCounty:
		return 1
	case LevelTownship:
		return 2
	case LevelGrid:
		return 3
	}
	return -1
}

// Region is a polygon in the hierarchy city > county > township > grid.
// Geometry is WGS84.
type Region struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Level    string `json:"level"`
	ParentID string `json:"parent_id,omitempty"`
	// ParentName is the parent's name (filled by the store on reads).
	ParentName string           `json:"parent_name,omitempty"`
	Geometry   orb.MultiPolygon `json:"-"`
	Bound      orb.Bound        `json:"-"`
	// AreaKm2 is the geodesic area.
	AreaKm2 float64 `json:"area_km2"`
	// Supervisor is set on grids that have one (filled by the store on reads).
	Supervisor *Supervisor `json:"supervisor,omitempty"`
	// Demo marks regions made up for the demo (their boundaries; a demo
	// township's name and code may be real).
	Demo bool `json:"demo,omitempty"`
	// Neighbour marks a county of a neighbouring city, imported only to
	// name where a cross-border fire burns: not part of the area, no
	// grids, not listed with the city's regions.
	Neighbour bool `json:"neighbour,omitempty"`
}

// Validate checks the fields that do not depend on other regions.
func (r *Region) Validate() error {
	if r.ID == "" {
		return Errorf(EINVALID, "region id required")
	} else if LevelRank(r.Level) < 0 {
		return Errorf(EINVALID, "region %s: unknown level %q (city, county, township or grid)", r.ID, r.Level)
	} else if len(r.Geometry) == 0 {
		return Errorf(EINVALID, "region %s: empty geometry", r.ID)
	} else if r.Neighbour && r.Level != LevelCounty {
		return Errorf(EINVALID, "region %s: a neighbouring region is a county, not a %s", r.ID, r.Level)
	}
	return nil
}

// RegionFilter selects regions. Zero fields do not filter.
type RegionFilter struct {
	// Scope keeps the regions in a user's scope and below (nil: all).
	Scope *Scope
	ID    *string
	// IDs keeps the regions of these ids (nil: any; empty: none).
	IDs      []string
	Level    *string
	ParentID *string
	Bbox     *orb.Bound
	// Search keeps regions whose name or id holds the text (ASCII letters
	// without case) and orders them best match first (MatchRank: exact,
	// prefix, then contains), then by level, larger first.
	Search *string
	// WithGeometry loads the polygons, which lists usually do not need.
	WithGeometry bool
	// Neighbours lists the neighbouring cities' counties too (by ID they
	// are always found).
	Neighbours bool
	Offset     int
	Limit      int
}

// Supervisor is the grid supervisor (网格员) responsible for one grid.
type Supervisor struct {
	ID     int64  `json:"id"`
	GridID string `json:"grid_id"`
	Name   string `json:"name"`
	Phone  string `json:"phone"`
	Demo   bool   `json:"demo,omitempty"`
}

// RegionService reads and writes regions and supervisors.
type RegionService interface {
	// FindRegionByID returns a region with its geometry and supervisor, or ENOTFOUND.
	FindRegionByID(ctx context.Context, id string) (*Region, error)
	// FindRegions returns the matching regions and the total count before paging.
	FindRegions(ctx context.Context, filter RegionFilter) ([]*Region, int, error)
	// ImportRegions stores all regions in one transaction, replacing regions
	// with the same id. Either all are stored or none.
	ImportRegions(ctx context.Context, regions []*Region) error
	// ImportSupervisors assigns supervisors to grids in one transaction,
	// replacing each grid's previous supervisor. Either all or none.
	ImportSupervisors(ctx context.Context, sups []*Supervisor) error
}
