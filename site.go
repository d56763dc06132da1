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

// SiteKindNames are the Chinese names shown to users.
var SiteKindNames = map[string]string{
	SiteConstruction: "工地",
	SiteStockpile:    "堆场",
	SiteNoCoal:       "禁煤区",
	SiteCropland:     "耕地",
	SiteIndustrial:   "工业热源",
}

// Site attributes (Site.Attrs keys), by kind.
const (
	// Construction sites.
	AttrPermit     = "permit"      // 施工许可证号
	AttrBuilder    = "builder"     // 建设单位
	AttrStartDate  = "start_date"  // YYYY-MM-DD
	AttrEndDate    = "end_date"    // YYYY-MM-DD
	AttrVideo      = "video"       // "yes" or "no"
	AttrPlatformID = "platform_id" // id on the supervision platform
	// Stockpiles.
	AttrMaterial    = "material"    // coal, ore, sand, other
	AttrSuppression = "suppression" // covered, sprinklers, enclosed, none
	// No-coal zones.
	AttrEffective = "effective_date" // YYYY-MM-DD
)

// AttrNames are the Chinese names of the attributes (column headers).
var AttrNames = map[string]string{
	AttrPermit: "施工许可证", AttrBuilder: "建设单位", AttrStartDate: "开工日期", AttrEndDate: "计划完工日期",
	AttrVideo: "视频监控", AttrPlatformID: "监管平台编号", AttrMaterial: "物料", AttrSuppression: "抑尘措施",
	AttrEffective: "生效日期",
}

// AttrValueNames are the Chinese names of the coded attribute values.
var AttrValueNames = map[string]map[string]string{
	AttrVideo:       {"yes": "已安装", "no": "未安装"},
	AttrMaterial:    {"coal": "煤", "ore": "矿石", "sand": "砂石", "other": "其他"},
	AttrSuppression: {"covered": "苫盖", "sprinklers": "喷淋", "enclosed": "封闭", "none": "无"},
}

// KindAttrs are the attributes of each kind, in the order shown.
var KindAttrs = map[string][]string{
	SiteConstruction: {AttrPermit, AttrBuilder, AttrStartDate, AttrEndDate, AttrVideo, AttrPlatformID},
	SiteStockpile:    {AttrMaterial, AttrSuppression},
	SiteNoCoal:       {AttrEffective},
}

// Stockpile materials and dust suppression.
var (
	Materials    = []string{"coal", "ore", "sand", "other"}
	Suppressions = []string{"covered", "sprinklers", "enclosed", "none"}
)

// VideoAreaM2 is the area from which a construction site must have video
// monitoring connected to the supervision platform.
const VideoAreaM2 = 5000

// Violations of the dust rules (Site.Violation).
const (
	ViolationNoVideo       = "no_video"       // ≥5000 m², no video monitoring
	ViolationVideoOffline  = "video_offline"  // ≥5000 m², video not connected to the platform
	ViolationUncoveredPile = "uncovered_pile" // coal or ore pile without dust suppression
)

// ViolationNames are the Chinese names shown to users.
var ViolationNames = map[string]string{
	ViolationNoVideo:       "5,000 m² 以上工地未安装视频监控",
	ViolationVideoOffline:  "5,000 m² 以上工地视频未接入监管平台",
	ViolationUncoveredPile: "煤/矿堆场未苫盖或抑尘",
}

// Site is a registered layer feature. Geometry is WGS84: a Point or a
// MultiPolygon.
type Site struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	ExternalID string `json:"external_id,omitempty"`
	Name       string `json:"name"`
	// Geometry is an orb.Point or an orb.MultiPolygon.
	Geometry orb.Geometry `json:"-"`
	// AreaM2 is the geodesic area of a polygon site, computed at import.
	AreaM2 float64 `json:"area_m2,omitempty"`
	// Attrs are the kind's attributes (Attr* keys), normalised at import.
	Attrs map[string]string `json:"attrs,omitempty"`
	// Violation is the rule the site breaks (Violation*), or "".
	Violation string `json:"violation,omitempty"`
	// Props are the other properties of the imported feature.
	Props  map[string]string `json:"props,omitempty"`
	Source string            `json:"source,omitempty"`
	// CountyID and CountyName are the county holding the centre of the
	// site's bounds (filled on reads with SiteFilter.WithCounty; "" when
	// outside every county).
	CountyID   string `json:"county_id,omitempty"`
	CountyName string `json:"county_name,omitempty"`
}

// SiteRules are the configurable figures of the dust rules (the [sites]
// section of the configuration).
type SiteRules struct {
	// VideoAreaM2: a construction site of this area or more needs video
	// monitoring connected to the supervision platform.
	VideoAreaM2 float64
}

// DefaultSiteRules are Datong's rules: video from VideoAreaM2.
func DefaultSiteRules() SiteRules { return SiteRules{VideoAreaM2: VideoAreaM2} }

// CheckRules returns the dust rule the site breaks under the default
// rules (DefaultSiteRules), or "".
func (s *Site) CheckRules() string { return DefaultSiteRules().Check(s) }

// Check returns the dust rule the site breaks, or "": a construction
// site of r.VideoAreaM2 or more needs video connected to the platform
// (video "yes" and a platform id); a coal or ore pile needs dust
// suppression.
func (r SiteRules) Check(s *Site) string {
	switch s.Kind {
	case SiteConstruction:
		if s.AreaM2 < r.VideoAreaM2 {
			return ""
		}
		if s.Attrs[AttrVideo] != "yes" {
			return ViolationNoVideo
		}
		if s.Attrs[AttrPlatformID] == "" {
			return ViolationVideoOffline
		}
	case SiteStockpile:
		m := s.Attrs[AttrMaterial]
		if (m == "coal" || m == "ore") && s.Attrs[AttrSuppression] == "none" {
			return ViolationUncoveredPile
		}
	}
	return ""
}

// SiteFilter selects sites. Zero fields do not filter.
type SiteFilter struct {
	ID   *int64
	Kind *string
	Bbox *orb.Bound
	// Search keeps sites whose name or external id holds the text (ASCII
	// letters without case) and orders them best match first (MatchRank).
	Search *string
	// Violation: true keeps sites that break a rule, false those that don't.
	Violation *bool
	// Scope keeps the sites in a user's area (nil or All: every site):
	// those whose bounds' centre lies in one of its regions, as sites
	// carry no region. Paging and the total apply to those.
	Scope *Scope
	// WithCounty fills each site's CountyID and CountyName (the county
	// regions are read once for the whole list).
	WithCounty bool
	Offset     int
	Limit      int
}

// EventClassChange is an event whose class a new site layer changes.
type EventClassChange struct {
	EventID int64  `json:"event_id"`
	From    string `json:"from"`
	To      string `json:"to"`
	Site    string `json:"site"` // the site that decides the new class
}

// SiteService reads and writes the registries.
type SiteService interface {
	FindSites(ctx context.Context, filter SiteFilter) ([]*Site, int, error)
	// FindSiteByID returns the site, or ENOTFOUND.
	FindSiteByID(ctx context.Context, id int64) (*Site, error)
	// ImportSites stores sites in one transaction, replacing sites of the
	// same kind and external id, and applies the class changes of events
	// that the new layer causes, in the same transaction. Either all or
	// none. It returns how many sites were new.
	ImportSites(ctx context.Context, sites []*Site, changes []EventClassChange) (int, error)
}

// Map layers: the tile layers and what their version counts.
const (
	LayerHotspots     = "hotspots"
	LayerEvents       = "events"
	LayerRegions      = "regions"
	LayerConstruction = "construction"
	LayerStockpiles   = "stockpiles"
	LayerNoCoal       = "nocoal"
	LayerCropland     = "cropland"
	LayerIndustrial   = "industrial"
)

// SiteLayer maps a site kind to its map layer.
var SiteLayer = map[string]string{
	SiteConstruction: LayerConstruction,
	SiteStockpile:    LayerStockpiles,
	SiteNoCoal:       LayerNoCoal,
	SiteCropland:     LayerCropland,
	SiteIndustrial:   LayerIndustrial,
}

// LayerService tells what version each map layer's data has: every write
// transaction that changes a layer's data raises its version, so caches
// keyed by version are invalidated exactly when that layer changes.
type LayerService interface {
	LayerVersions(ctx context.Context) (map[string]int64, error)
}
