package skygrid

import (
	"context"
	"time"

	"github.com/paulmach/orb"
)

// Event classes, in the order classification tries them (first match wins).
const (
	ClassIndustrialHeat = "industrial_heat"
	ClassLooseCoal      = "loose_coal_burning"
	ClassConstruction   = "construction_site"
	ClassStockpile      = "stockpile"
	ClassStrawBurning   = "straw_burning"
	ClassOpenBurning    = "open_burning"
)

// Classes lists every class, for validation and help texts.
var Classes = []string{ClassIndustrialHeat, ClassLooseCoal, ClassConstruction, ClassStockpile, ClassStrawBurning, ClassOpenBurning}

// ClassNames are the Chinese names shown to users.
var ClassNames = map[string]string{
	ClassIndustrialHeat: "工业热源",
	ClassLooseCoal:      "疑似散煤燃烧",
	ClassConstruction:   "工地火点",
	ClassStockpile:      "堆场火点",
	ClassStrawBurning:   "疑似秸秆焚烧",
	ClassOpenBurning:    "露天焚烧",
}

// Event states.
const (
	EventOpen   = "open"
	EventClosed = "closed"
)

// Event is a group of hotspots that belong to one fire: the unit of work.
type Event struct {
	ID        int64     `json:"id"`
	Class     string    `json:"class"`
	State     string    `json:"state"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	// Point is the mean position of the event's hotspots.
	Point        orb.Point `json:"-"`
	Bound        orb.Bound `json:"-"`
	HotspotCount int       `json:"hotspot_count"`
	MaxFRP       float64   `json:"max_frp"`
	// GridID is "" when no grid holds the event or lies within the
	// tolerance: the event is then in the city's unassigned queue.
	GridID     string `json:"grid_id,omitempty"`
	TownshipID string `json:"township_id,omitempty"`
	CountyID   string `json:"county_id,omitempty"`
	// The names of the grid, township and county (filled by the store on
	// reads).
	GridName     string `json:"grid_name,omitempty"`
	TownshipName string `json:"township_name,omitempty"`
	CountyName   string `json:"county_name,omitempty"`
	// AssignedBy says how the grid was found: contains, nearest, none.
	AssignedBy string    `json:"assigned_by"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`

	// Filled by FindEventByID.
	Hotspots []*Hotspot `json:"hotspots,omitempty"`
	Task     *Task      `json:"task,omitempty"`
	Grid     *Region    `json:"grid,omitempty"`
}

// Dispatched reports whether events of this class become tasks.
func Dispatched(class string) bool { return class != ClassIndustrialHeat }

// EventFilter selects events. Zero fields do not filter.
type EventFilter struct {
	// Scope keeps the events a user may see (nil: all).
	Scope *Scope
	ID    *int64
	Bbox  *orb.Bound
	Since *time.Time // last seen at or after
	Until *time.Time // first seen before
	// FirstSince keeps events first seen at or after (the statistics'
	// "events of a period" are first seen in it).
	FirstSince *time.Time
	Class      *string
	State      *string
	// RegionID matches the event's grid, township or county.
	RegionID *string
	CountyID *string
	GridID   *string
	Offset   int
	Limit    int
}

// EventService reads events.
type EventService interface {
	// FindEventByID returns the event with its hotspots, grid (and
	// supervisor) and task, or ENOTFOUND.
	FindEventByID(ctx context.Context, id int64) (*Event, error)
	FindEvents(ctx context.Context, filter EventFilter) ([]*Event, int, error)
}
