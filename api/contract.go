package api

//go:generate go run ../cmd/tsgen -o ../frontend/src/api/types.gen.ts

import (
	"io"
	"time"

	"skygrid"
	"skygrid/aqi"
	"skygrid/internal/tsgen"
	"skygrid/report"
	"skygrid/tiles"
)

// The typed contract of the web app: every JSON answer is a Go type here
// or in the root package, and frontend/src/api/types.gen.ts holds their
// TypeScript interfaces, written by WriteTypes (make types, go generate
// ./api). The answers that were maps are named types whose fields are in
// the order of their JSON names, so the bytes are as before.

// TokenList is the body of GET /api/tokens.
type TokenList struct {
	Tokens []*skygrid.Token `json:"tokens"`
}

// AuditPage is the body of GET /api/audit: the lines and the names of the
// regions they mention, by id.
type AuditPage struct {
	Entries []*skygrid.AuditEntry `json:"entries"`
	Regions map[string]string     `json:"regions"`
}

// UserList is the body of GET /api/users: the users (phones masked) and
// the names of their regions, by id.
type UserList struct {
	Regions map[string]string `json:"regions"`
	Users   []*skygrid.User   `json:"users"`
	// Total is how many users the search finds (all of them: len(users)).
	Total int `json:"total"`
}

// OutboxList is the body of GET /api/outbox.
type OutboxList struct {
	Messages []*skygrid.OutboxMessage `json:"messages"`
}

// FeedList is the body of GET /api/feeds: the live feeds' health and how
// long without success makes a feed failing (absent with no feeds).
type FeedList struct {
	FailingAfter string                `json:"failing_after,omitempty"`
	Feeds        []*skygrid.FeedStatus `json:"feeds"`
}

// BatchList is the body of GET /api/batches.
type BatchList struct {
	Batches []*skygrid.IngestBatch `json:"batches"`
}

// ClosedTasks is the body of POST /api/tasks/close.
type ClosedTasks struct {
	Closed int             `json:"closed"`
	Tasks  []*skygrid.Task `json:"tasks"`
}

// CandidateList is the body of GET /api/tasks/:id/candidates.
type CandidateList struct {
	Candidates []Candidate `json:"candidates"`
}

// BasemapList is the body of GET /api/basemaps: the offline basemap
// first; tianditu says a 天地图 key is set; key_hint whether to say how
// to set one.
type BasemapList struct {
	Basemaps []tiles.Basemap `json:"basemaps"`
	KeyHint  bool            `json:"key_hint"`
	Tianditu bool            `json:"tianditu"`
}

// LayerList is the body of GET /api/layers.
type LayerList struct {
	Layers []LayerInfo `json:"layers"`
}

// Health is the body of GET /healthz: 200 with status and store "ok",
// or 503 with status "unavailable", store "failing" and the reason.
type Health struct {
	Status string `json:"status"`
	// Store is "ok" when a trivial query answered within 2 s, "failing"
	// when not (omitted by a server without a store check).
	Store string `json:"store,omitempty"`
	// Reason says why the store is failing.
	Reason string `json:"reason,omitempty"`
}

// StatsAnswer is the body of GET /api/stats (format=json).
type StatsAnswer struct {
	Period string     `json:"period"`
	Since  time.Time  `json:"since"`
	Stats  *StatsView `json:"stats" ts:"StatsView"`
	Until  time.Time  `json:"until"`
	// Dust is the dust section: alarms, exceedance hours and days, data
	// capture, offline monitors, top sites, dust tasks (omitted when the
	// store does not compute them).
	Dust *skygrid.DustStats `json:"dust,omitempty" ts:"DustStats"`
	// PublicReports are the reports from the public filed in the period:
	// by state, rewarded and the total reward (omitted without them).
	PublicReports *skygrid.PublicReportFigures `json:"public_reports,omitempty" ts:"PublicReportFigures"`
}

// StatsView is skygrid.Stats with its query in snake_case beside the old
// names (Since, Until, By, Region, Class, Scope: kept for scripts that
// read them), and the year-ago figures the same way.
type StatsView struct {
	*skygrid.Stats
	Query   QueryView  `json:"query"`
	YearAgo *StatsView `json:"year_ago,omitempty"`
}

// QueryView is a statistics query: the old names (skygrid.StatsQuery has
// no JSON tags) and the snake_case ones to use.
type QueryView struct {
	skygrid.StatsQuery
	SinceAt  time.Time  `json:"since"`
	UntilAt  time.Time  `json:"until"`
	GroupBy  string     `json:"by"`
	RegionID string     `json:"region"`
	ClassOf  string     `json:"class"`
	ScopeOf  *ScopeView `json:"scope"`
}

// ScopeView is a user's scope in snake_case: all (city-wide) or regions.
type ScopeView struct {
	All     bool     `json:"all"`
	Regions []string `json:"regions"`
}

func statsView(st *skygrid.Stats) *StatsView {
	if st == nil {
		return nil
	}
	q := st.Query
	v := &StatsView{Stats: st, Query: QueryView{StatsQuery: q, SinceAt: q.Since, UntilAt: q.Until, GroupBy: q.By,
		RegionID: q.Region, ClassOf: q.Class}, YearAgo: statsView(st.YearAgo)}
	if q.Scope != nil {
		v.Query.ScopeOf = &ScopeView{All: q.Scope.All, Regions: q.Scope.Regions}
	}
	return v
}

// RankingAnswer is the body of GET /api/stats/ranking.
type RankingAnswer struct {
	Period string `json:"period"`
	// By is the level ranked: the one asked for (county by default), or
	// a finer one when the region asked for or the user's area is finer
	// (a township official's ranking is of townships).
	By      string     `json:"by"`
	Ranking []RankView `json:"ranking"`
}

// RankView is a county's rank: report.Rank's old names (Rank, RegionID,
// RegionName, Score, Stats, Reason: it has no JSON tags; kept for the
// scripts that read them) and the snake_case ones to use (rank,
// region_id, region_name, score, stats, reason).
type RankView struct {
	report.Rank
	rankFields
}

type rankFields struct {
	Rank       int                `json:"rank"`
	RegionID   string             `json:"region_id"`
	RegionName string             `json:"region_name"`
	Score      float64            `json:"score"`
	Stats      *skygrid.AreaStats `json:"stats"`
	Reason     string             `json:"reason"`
}

func rankViews(rs []report.Rank) []RankView {
	out := make([]RankView, len(rs))
	for i, r := range rs {
		out[i] = RankView{Rank: r, rankFields: rankFields{Rank: r.Rank, RegionID: r.RegionID, RegionName: r.RegionName,
			Score: r.Score, Stats: r.Stats, Reason: r.Reason}}
	}
	return out
}

// The GeoJSON answers, described for the contract: the handlers write
// orb's geojson.Feature with the properties below as a map (a test
// compares real answers with these types).

// geoFeature is what every Feature has besides its geometry and
// properties (orb's geojson.Feature).
type geoFeature struct {
	ID   any       `json:"id,omitempty" ts:"number | string"`
	Type string    `json:"type" ts:"'Feature'"`
	BBox []float64 `json:"bbox,omitempty" ts:"[number, number, number, number]"`
}

// EventFeature is an event (GET /api/events, /api/events/:id).
type EventFeature struct {
	geoFeature
	Geometry   any             `json:"geometry" ts:"GeoJSON.Point"`
	Properties EventProperties `json:"properties"`
}

// eventProps are an event's properties in both forms of the list.
type eventProps struct {
	ID           int64      `json:"id"`
	Class        string     `json:"class"`
	ClassName    string     `json:"class_name"`
	State        string     `json:"state"`
	FirstSeen    time.Time  `json:"first_seen"`
	LastSeen     time.Time  `json:"last_seen"`
	HotspotCount int        `json:"hotspot_count"`
	MaxFRP       float64    `json:"max_frp"`
	GridID       string     `json:"grid_id"`
	TownshipID   string     `json:"township_id"`
	CountyID     string     `json:"county_id"`
	AssignedBy   string     `json:"assigned_by"`
	BBox         [4]float64 `json:"bbox"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	History      bool       `json:"history"`
	CrossBorder  bool       `json:"cross_border"`
	// A cross-border event's: where it is from the nearest county.
	BorderNote    string  `json:"border_note,omitempty"`
	NearCountyID  string  `json:"near_county_id,omitempty"`
	NearMetres    float64 `json:"near_metres,omitempty"`
	NearDirection string  `json:"near_direction,omitempty"`
	NeighbourID   string  `json:"neighbour_id,omitempty"`
}

// EventProperties are an event's properties; hotspots, grid and
// supervisor come with GET /api/events/:id.
type EventProperties struct {
	eventProps
	GridName       string              `json:"grid_name"`
	TownshipName   string              `json:"township_name"`
	CountyName     string              `json:"county_name"`
	NearCountyName string              `json:"near_county_name,omitempty"`
	NeighbourName  string              `json:"neighbour_name,omitempty"`
	Task           *skygrid.Task       `json:"task,omitempty"`
	Hotspots       *HotspotCollection  `json:"hotspots,omitempty"`
	Grid           *skygrid.Region     `json:"grid,omitempty"`
	Supervisor     *skygrid.Supervisor `json:"supervisor,omitempty"`
	// Pass: the satellite pass that saw the first detection (detail only).
	Pass *skygrid.Pass `json:"pass,omitempty"`
}

// CompactEventProperties are a compact page's event (the names in the
// page's places).
type CompactEventProperties struct {
	eventProps
	Task *EventTask `json:"task,omitempty"`
}

// CompactEventFeature is an event of a compact page.
type CompactEventFeature struct {
	geoFeature
	Geometry   any                    `json:"geometry" ts:"GeoJSON.Point"`
	Properties CompactEventProperties `json:"properties"`
}

// HotspotProperties are a detection's properties: skygrid.Hotspot with
// status_reason and event_id always there.
type HotspotProperties struct {
	skygrid.Hotspot
	StatusReason string `json:"status_reason"`
	EventID      int64  `json:"event_id"`
}

// HotspotFeature is a detection (GET /api/hotspots).
type HotspotFeature struct {
	geoFeature
	Geometry   any               `json:"geometry" ts:"GeoJSON.Point"`
	Properties HotspotProperties `json:"properties"`
}

// RegionProperties are a region's properties (label_point with
// labels=true).
type RegionProperties struct {
	ID         string              `json:"id"`
	Name       string              `json:"name"`
	Level      string              `json:"level"`
	ParentID   string              `json:"parent_id"`
	AreaKm2    float64             `json:"area_km2"`
	ParentName string              `json:"parent_name,omitempty"`
	Supervisor *skygrid.Supervisor `json:"supervisor,omitempty"`
	Demo       bool                `json:"demo,omitempty"`
	LabelPoint []float64           `json:"label_point,omitempty" ts:"[number, number]"`
}

// RegionFeature is a region (GET /api/regions, /api/regions/:id); no
// geometry with geometry=false.
type RegionFeature struct {
	geoFeature
	Geometry   any              `json:"geometry" ts:"GeoJSON.Geometry | null"`
	Properties RegionProperties `json:"properties"`
}

// SiteProperties are a registered site's properties.
type SiteProperties struct {
	ID            int64             `json:"id"`
	Kind          string            `json:"kind"`
	KindName      string            `json:"kind_name"`
	ExternalID    string            `json:"external_id"`
	Name          string            `json:"name"`
	Violation     string            `json:"violation"`
	Source        string            `json:"source"`
	AreaM2        float64           `json:"area_m2,omitempty"`
	ViolationName string            `json:"violation_name,omitempty"`
	Attrs         map[string]string `json:"attrs,omitempty"`
	Props         map[string]string `json:"props,omitempty"`
	CountyID      string            `json:"county_id,omitempty"`
	CountyName    string            `json:"county_name,omitempty"`
}

// SiteFeature is a site (GET /api/sites, /api/sites/:id).
type SiteFeature struct {
	geoFeature
	Geometry   any            `json:"geometry" ts:"GeoJSON.Geometry"`
	Properties SiteProperties `json:"properties"`
}

// The collections: collection's fields and typed features.

// EventCollection is the body of GET /api/events.
type EventCollection struct {
	collection
	Features []EventFeature `json:"features"`
}

// CompactEventCollection is the body of GET /api/events?compact=true.
type CompactEventCollection struct {
	compactCollection
	Features []CompactEventFeature `json:"features"`
}

// PassCoverage is the body of GET /api/passes/coverage: each fire
// satellite's last pass over the area as its ground swath, and the
// orbital elements' age.
type PassCoverage struct {
	Type       string             `json:"type" ts:"'FeatureCollection'"`
	Features   []PassSwathFeature `json:"features"`
	Lon        float64            `json:"lon"`
	Lat        float64            `json:"lat"`
	TLEEpoch   time.Time          `json:"tle_epoch"`
	TLESource  string             `json:"tle_source"`
	TLEAgeDays int                `json:"tle_age_days"`
}

// PassSwathFeature is one pass's swath.
type PassSwathFeature struct {
	geoFeature
	Geometry   any          `json:"geometry" ts:"GeoJSON.Polygon"`
	Properties skygrid.Pass `json:"properties"`
}

// HotspotCollection is the body of GET /api/hotspots and an event's
// hotspots.
type HotspotCollection struct {
	collection
	Features []HotspotFeature `json:"features"`
}

// RegionCollection is the body of GET /api/regions.
type RegionCollection struct {
	collection
	Features []RegionFeature `json:"features"`
}

// SiteCollection is the body of GET /api/sites.
type SiteCollection struct {
	collection
	Features []SiteFeature `json:"features"`
}

// AirStationList is the body of GET /api/air/stations.
type AirStationList struct {
	Stations []AirStationView `json:"stations"`
}

// AirStationView is a station with its latest hour and that hour's AQI
// (HJ 633-2012 real-time, as CNEMC computes it; absent without values).
type AirStationView struct {
	*skygrid.AirStationLatest
	AQI *AirIndex `json:"aqi,omitempty"`
}

// AirIndex is an AQI with the primary pollutants' Chinese names.
type AirIndex struct {
	aqi.Result
	PrimaryNames []string `json:"primary_names"`
}

// AmbientSeries is the body of GET /api/air/ambient.
type AmbientSeries struct {
	County    string            `json:"county"`
	From      time.Time         `json:"from"`
	Hours     []skygrid.Ambient `json:"hours"`
	NearestKm float64           `json:"nearest_km"`
	To        time.Time         `json:"to"`
}

// AirRankingAnswer is the body of GET /api/air/ranking and GET
// /public/api/ranking: the month (YYYY-MM, Beijing) and its counties by
// rank (HJ 663-2013).
type AirRankingAnswer struct {
	Counties []*skygrid.CountyAir `json:"counties"`
	// Demo: the figures come from the demo's invented hours (示例).
	Demo  bool   `json:"demo,omitempty"`
	Month string `json:"month"`
}

// Answer is a route and the type of its JSON answer.
type Answer struct {
	Route string
	Type  any
}

// Answers are the JSON answers of every route, the contract's list.
var Answers = []Answer{
	{"GET /healthz", Health{}},
	{"POST /api/login", Me{}},
	{"GET /api/me", Me{}},
	{"GET /api/hotspots", HotspotCollection{}},
	{"GET /api/events", EventCollection{}},
	{"GET /api/events?compact=true", CompactEventCollection{}},
	{"GET /api/events/:id", EventFeature{}},
	{"GET /api/regions", RegionCollection{}},
	{"GET /api/regions/:id", RegionFeature{}},
	{"GET /api/search", SearchResults{}},
	{"GET /api/tasks", TaskList{}},
	{"GET /api/tasks?compact=true", CompactTaskList{}},
	{"POST /api/tasks/close", ClosedTasks{}},
	{"GET /api/tasks/:id", TaskView{}},
	{"POST /api/tasks/:id/:action", TaskView{}},
	{"GET /api/tasks/:id/candidates", CandidateList{}},
	{"GET /api/sites", SiteCollection{}},
	{"GET /api/sites/:id", SiteFeature{}},
	{"GET /api/air/stations", AirStationList{}},
	{"GET /api/air/ambient", AmbientSeries{}},
	{"GET /api/air/ranking", AirRankingAnswer{}},
	{"GET /public/api/ranking", AirRankingAnswer{}},
	{"GET /api/layers", LayerList{}},
	{"GET /api/basemaps", BasemapList{}},
	{"GET /tiles/:name", tiles.TileJSON{}},
	{"GET /api/batches", BatchList{}},
	{"GET /api/audit", AuditPage{}},
	{"GET /api/users", UserList{}},
	{"POST /api/users", skygrid.User{}},
	{"POST /api/users/:id/disable", skygrid.User{}},
	{"POST /api/users/:id/enable", skygrid.User{}},
	{"POST /api/users/:id/password", PasswordChanged{}},
	{"GET /api/tokens", TokenList{}},
	{"POST /api/tokens/:id/revoke", skygrid.Token{}},
	{"POST /api/me/password", PasswordChanged{}},
	{"GET /api/outbox", OutboxList{}},
	{"POST /api/imports/:kind", skygrid.ImportReport{}},
	{"GET /api/feeds", FeedList{}},
	{"GET /api/stats", StatsAnswer{}},
	{"GET /api/stats/ranking", RankingAnswer{}},
	{"GET /api/stats/series", SeriesView{}},
	{"GET /api/monitors", MonitorList{}},
	{"GET /api/monitors/:id", skygrid.MonitorItem{}},
	{"GET /api/monitors/:id/readings", MonitorSeries{}},
	{"POST /api/readings", skygrid.ReadingsResult{}},
	{"GET /api/admin/packet-rejects", PacketRejectList{}},
	{"GET /api/sites/:id/dust", SiteDust{}},
	{"GET /api/tasks/:id/dust", SiteDust{}},
	{"GET /public/api/fires", PublicFires{}},
	{"GET /public/api/counties", PublicCountyList{}},
	{"GET /public/api/violations", PublicViolations{}},
	{"GET /public/api/reports", PublishedReportList{}},
	{"POST /public/api/reports", PublicReceipt{}},
	{"POST /api/reports/monthly/publish", PublishRequest{}},
	{"GET /api/warnings", WarningList{}},
	{"GET /api/warnings/:id", skygrid.WarningFigures{}},
	{"POST /api/warnings", skygrid.Warning{}},
	{"POST /api/warnings/:id/:action", skygrid.Warning{}},
	{"GET /api/emergency-list", EmergencyList{}},
	{"GET /public/api/warning", PublicWarningList{}},
	{"GET /api/passes", skygrid.PassList{}},
	{"GET /public/api/passes", skygrid.PassList{}},
	{"GET /api/passes/coverage", PassCoverage{}},
	{"GET /api/reports/warning/:id?format=json", skygrid.WarningFigures{}},
	{"every error", ErrorResponse{}},
}

// TypesHeader starts types.gen.ts.
const TypesHeader = `Code generated by cmd/tsgen (internal/tsgen over api.Answers) from the Go
types of the API's JSON answers; DO NOT EDIT. Run: make types (or go generate ./api).`

// WriteTypes writes the TypeScript interfaces of every answer, and
// ApiAnswers, each route's answer type, after TypesHeader.
func WriteTypes(w io.Writer) error {
	g := tsgen.New()
	for _, a := range Answers {
		g.Add(a.Type)
	}
	if err := g.Write(w, TypesHeader); err != nil {
		return err
	}
	return writeRoutes(w, g)
}

func writeRoutes(w io.Writer, g *tsgen.Generator) error {
	b := []byte("\n/** The type of each route's JSON answer. */\nexport interface ApiAnswers {\n")
	for _, a := range Answers {
		b = append(b, "  '"+a.Route+"': "+g.Name(a.Type)+";\n"...)
	}
	b = append(b, "}\n"...)
	_, err := w.Write(b)
	return err
}
