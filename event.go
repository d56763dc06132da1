package skygrid

import (
	"context"
	"fmt"
	"math"
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
	// Dust classes (dust.go).
	ClassDustExceedance: "扬尘超标",
	ClassMonitorOffline: "监测设备离线或数据异常",
	ClassSiteInspection: "工地堆场检查",
	// A warning's inspection of a listed site (warning.go).
	ClassEmergencyInspection: "应急减排检查",
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

	// History: opened from detections older than the pipeline's max_age
	// when they arrived (a back-filled archive): recorded, not worked (no
	// task, deadline or notification). A fresh detection makes it live.
	History bool `json:"history"`
	// CrossBorder: outside every county of the city, in the area margin
	// (联防联控): no task, counted apart from the city's figures. Near*
	// say where it is from the nearest of our counties (its id and name,
	// metres and direction, e.g. 东 for east of it); Neighbour* name the
	// neighbouring county holding it, where neighbours are imported.
	CrossBorder   bool    `json:"cross_border"`
	NearCountyID  string  `json:"near_county_id,omitempty"`
	NearCounty    string  `json:"near_county_name,omitempty"`
	NearMetres    float64 `json:"near_metres,omitempty"`
	NearDirection string  `json:"near_direction,omitempty"`
	NeighbourID   string  `json:"neighbour_id,omitempty"`
	Neighbour     string  `json:"neighbour_name,omitempty"`

	// Dust events: the site and monitor the event is about, how many
	// alarms it has taken while its task was worked, and the rule of the
	// first (a dust rule, or the registry violation of an inspection).
	SiteID     *int64 `json:"site_id,omitempty"`
	MonitorID  *int64 `json:"monitor_id,omitempty"`
	AlarmCount int    `json:"alarm_count,omitempty"`
	Rule       string `json:"rule,omitempty"`

	// Filled by FindEventByID.
	Hotspots []*Hotspot `json:"hotspots,omitempty"`
	Task     *Task      `json:"task,omitempty"`
	Grid     *Region    `json:"grid,omitempty"`
}

// Dispatched reports whether events of this class become tasks.
func Dispatched(class string) bool { return class != ClassIndustrialHeat }

// Live reports whether the event gets a task: a dispatched class, in the
// city (not cross-border) and not history.
func (e *Event) Live() bool { return Dispatched(e.Class) && !e.CrossBorder && !e.History }

// BorderNote says where a cross-border event burns, in Chinese: the
// neighbouring county where known, and the nearest of the city's counties
// with distance and direction ("浑源县以东约2.1公里，市外"); "" for an event
// in the city.
func (e *Event) BorderNote() string {
	if !e.CrossBorder {
		return ""
	}
	near := "市外"
	if e.NearCounty != "" && e.NearDirection != "" {
		dir := "以" + e.NearDirection
		if len([]rune(e.NearDirection)) > 1 {
			dir = e.NearDirection + "方"
		}
		near = fmt.Sprintf("%s%s约%.1f公里，市外", e.NearCounty, dir, e.NearMetres/1000)
	}
	if e.Neighbour != "" {
		return e.Neighbour + "（" + near + "）"
	}
	return near
}

// Directions are the eight compass points in Chinese, clockwise from north.
var Directions = []string{"北", "东北", "东", "东南", "南", "西南", "西", "西北"}

// DirectionOf is the compass point (Directions) of a bearing in degrees
// clockwise from north.
func DirectionOf(bearing float64) string {
	b := math.Mod(bearing, 360)
	if b < 0 {
		b += 360
	}
	return Directions[int(math.Floor((b+22.5)/45))%8]
}

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
	// History and CrossBorder keep events with (true) or without (false)
	// the flag.
	History     *bool
	CrossBorder *bool
	// Brief reads only what a map draws (every event at once): no place
	// names, and a Task with only its ID, State and GridID.
	Brief  bool
	Offset int
	Limit  int
	// Cursor continues a list from a page's Next or Prev cursor, instead
	// of Offset.
	Cursor string
}

// EventService reads events.
type EventService interface {
	// FindEventByID returns the event with its hotspots, grid (and
	// supervisor) and task, or ENOTFOUND.
	FindEventByID(ctx context.Context, id int64) (*Event, error)
	FindEvents(ctx context.Context, filter EventFilter) ([]*Event, int, error)
	// FindEventPage returns a page of events, most recent first, and what
	// the page says (see Page).
	FindEventPage(ctx context.Context, filter EventFilter) ([]*Event, Page, error)
}
