package detect

import (
	"fmt"
	"strconv"
	"time"

	"skygrid"
	"skygrid/geo"

	"github.com/paulmach/orb"
)

// Layers are the site layers that filters and classification test against.
type Layers struct {
	kinds map[string]*siteLayer
}

type siteLayer struct {
	polys *geo.Index
	pts   geo.PointIndex
}

// NewLayers indexes the sites by kind.
func NewLayers(sites []*skygrid.Site) *Layers {
	l := &Layers{kinds: map[string]*siteLayer{}}
	for _, s := range sites {
		sl := l.kinds[s.Kind]
		if sl == nil {
			sl = &siteLayer{polys: geo.NewIndex()}
			l.kinds[s.Kind] = sl
		}
		name := s.Name
		if name == "" {
			name = s.ExternalID
		}
		switch g := s.Geometry.(type) {
		case orb.Point:
			sl.pts.Add(name, g)
		case orb.MultiPolygon:
			sl.polys.Add(name, g)
		case orb.Polygon:
			sl.polys.Add(name, orb.MultiPolygon{g})
		}
	}
	return l
}

// near returns the name of a site of kind near p: a polygon within
// polyMetres of p (0: holding p), or a point site within pointMetres.
func (l *Layers) near(kind string, p orb.Point, polyMetres, pointMetres float64) (string, bool) {
	sl := l.kinds[kind]
	if sl == nil {
		return "", false
	}
	metres := polyMetres
	if metres <= 0 {
		if id, ok := sl.polys.Locate(p); ok {
			return id, true
		}
	} else if id, _, ok := sl.polys.Nearest(p, metres); ok {
		return id, true
	}
	id, _, ok := sl.pts.Nearest(p, pointMetres)
	return id, ok
}

// Detector applies the false-alarm filters and the classification.
type Detector struct {
	Config Config
	Layers *Layers
	loc    *time.Location

	seasonStart, seasonEnd int // month*100+day
}

// New checks the configuration and returns a detector.
func New(cfg Config, layers *Layers) (*Detector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	loc, _ := time.LoadLocation(cfg.TimeZone)
	if layers == nil {
		layers = NewLayers(nil)
	}
	sm, sd, _ := parseMonthDay(cfg.HeatingSeasonStart)
	em, ed, _ := parseMonthDay(cfg.HeatingSeasonEnd)
	return &Detector{Config: cfg, Layers: layers, loc: loc, seasonStart: int(sm)*100 + sd, seasonEnd: int(em)*100 + ed}, nil
}

// Location is the time zone days are counted in.
func (d *Detector) Location() *time.Location { return d.loc }

// viirsRank orders VIIRS confidence; -1 for a value without one.
func viirsRank(c string) int {
	switch c {
	case "l":
		return 0
	case "n":
		return 1
	case "h":
		return 2
	}
	return -1
}

// ConfidenceReason returns why h fails the confidence filter, or "".
func (d *Detector) ConfidenceReason(h *skygrid.Hotspot) string {
	switch h.Source {
	case skygrid.SourceVIIRS:
		r := viirsRank(h.Confidence)
		if r < 0 {
			return ""
		}
		if r < viirsRank(d.Config.VIIRSMinConfidence) {
			return fmt.Sprintf("VIIRS confidence %s below %s", h.Confidence, d.Config.VIIRSMinConfidence)
		}
	case skygrid.SourceMODIS:
		v, err := strconv.Atoi(h.Confidence)
		if err == nil && v < d.Config.MODISMinConfidence {
			return fmt.Sprintf("MODIS confidence %d below %d", v, d.Config.MODISMinConfidence)
		}
	case skygrid.SourceHimawari:
		v, err := strconv.Atoi(h.Confidence)
		if err == nil && v < d.Config.HimawariMinReliability {
			return fmt.Sprintf("Himawari reliability %d below %d", v, d.Config.HimawariMinReliability)
		}
	}
	return ""
}

// StaticReason returns why h is a static heat source rather than a fire, or
// "": FIRMS type 2, a known industrial source nearby, or persistent heat
// (hist must already hold h and the trailing window around it).
func (d *Detector) StaticReason(h *skygrid.Hotspot, hist *History) string {
	if d.Config.StaticType2 && h.Type == 2 {
		return "FIRMS type 2 (static land source)"
	}
	if name, ok := d.Layers.near(skygrid.SiteIndustrial, h.Point, d.Config.HeatSourceMetres, d.Config.HeatSourceMetres); ok {
		return fmt.Sprintf("within %.0f m of known heat source %s", d.Config.HeatSourceMetres, name)
	}
	if hist != nil {
		n, days := hist.Count(h.Point, h.AcqTime.Add(-d.Config.PersistWindow.Duration), h.AcqTime)
		if n >= d.Config.PersistMinDetections && days >= d.Config.PersistMinDays {
			return fmt.Sprintf("persistent heat: %d detections on %d days within %.0f m in %s",
				n, days, d.Config.PersistMetres, fmtWindow(d.Config.PersistWindow.Duration))
		}
	}
	return ""
}

func fmtWindow(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}

// InHeatingSeason reports whether t falls in the heating season.
func (d *Detector) InHeatingSeason(t time.Time) bool {
	_, m, day := t.In(d.loc).Date()
	md := int(m)*100 + day
	if d.seasonStart <= d.seasonEnd {
		return md >= d.seasonStart && md <= d.seasonEnd
	}
	return md >= d.seasonStart || md <= d.seasonEnd
}

// Classify returns the class of a fire at p seen at t, first match wins:
// no-coal zone in the heating season, construction site, stockpile,
// cropland, otherwise open burning. (Industrial heat is decided by
// StaticReason before.) The second value names the matching site.
func (d *Detector) Classify(p orb.Point, t time.Time) (class, site string) {
	if d.InHeatingSeason(t) {
		if name, ok := d.Layers.near(skygrid.SiteNoCoal, p, 0, d.Config.SiteMetres); ok {
			return skygrid.ClassLooseCoal, name
		}
	}
	if name, ok := d.Layers.near(skygrid.SiteConstruction, p, 0, d.Config.SiteMetres); ok {
		return skygrid.ClassConstruction, name
	}
	if name, ok := d.Layers.near(skygrid.SiteStockpile, p, 0, d.Config.SiteMetres); ok {
		return skygrid.ClassStockpile, name
	}
	if name, ok := d.Layers.near(skygrid.SiteCropland, p, 0, d.Config.SiteMetres); ok {
		return skygrid.ClassStrawBurning, name
	}
	return skygrid.ClassOpenBurning, ""
}

// EventClass classifies an event again when layers change: a known
// industrial source within HeatSourceMetres makes it industrial heat,
// otherwise Classify decides.
func (d *Detector) EventClass(p orb.Point, firstSeen time.Time) (class, site string) {
	if name, ok := d.Layers.near(skygrid.SiteIndustrial, p, d.Config.HeatSourceMetres, d.Config.HeatSourceMetres); ok {
		return skygrid.ClassIndustrialHeat, name
	}
	return d.Classify(p, firstSeen)
}
