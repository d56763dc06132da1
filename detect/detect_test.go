package detect_test

import (
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/detect"

	"github.com/paulmach/orb"
)

func mustDetector(t testing.TB, sites []*skygrid.Site) *detect.Detector {
	t.Helper()
	d, err := detect.New(detect.DefaultConfig(), detect.NewLayers(sites))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestConfidenceReason(t *testing.T) {
	d := mustDetector(t, nil)
	for _, tt := range []struct {
		name   string
		source string
		conf   string
		keep   bool
	}{
		{"VIIRS low dropped", skygrid.SourceVIIRS, "l", false},
		{"VIIRS nominal kept", skygrid.SourceVIIRS, "n", true},
		{"VIIRS high kept", skygrid.SourceVIIRS, "h", true},
		{"MODIS 29 dropped", skygrid.SourceMODIS, "29", false},
		{"MODIS 30 kept", skygrid.SourceMODIS, "30", true},
		{"MODIS 100 kept", skygrid.SourceMODIS, "100", true},
		{"Himawari kept by default", skygrid.SourceHimawari, "1", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reason := d.ConfidenceReason(&skygrid.Hotspot{Source: tt.source, Confidence: tt.conf})
			if (reason == "") != tt.keep {
				t.Errorf("reason %q, keep %v", reason, tt.keep)
			}
		})
	}
}

// Tongmei Tashan power station, as in the Global Power Plant Database.
var tashan = &skygrid.Site{Kind: skygrid.SiteIndustrial, ExternalID: "1075743", Name: "Tongmei Tashan power station", Geometry: orb.Point{113.1887484, 39.9792083}}

func TestStaticReason(t *testing.T) {
	d := mustDetector(t, []*skygrid.Site{tashan})
	t0 := time.Date(2023, 10, 10, 18, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		h    *skygrid.Hotspot
		want string
	}{
		{"900 m from the plant", &skygrid.Hotspot{Point: orb.Point{113.1887, 39.9873}, AcqTime: t0, Type: -1}, "known heat source Tongmei Tashan"},
		{"1100 m from the plant", &skygrid.Hotspot{Point: orb.Point{113.2016, 39.9792}, AcqTime: t0, Type: -1}, ""},
		{"FIRMS type 2", &skygrid.Hotspot{Point: orb.Point{112, 39}, AcqTime: t0, Type: 2}, "FIRMS type 2"},
		{"type 0 far away", &skygrid.Hotspot{Point: orb.Point{112, 39}, AcqTime: t0, Type: 0}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := d.StaticReason(tt.h, nil)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPersistence(t *testing.T) {
	d := mustDetector(t, nil)
	cfg := detect.DefaultConfig()
	p := orb.Point{113.116, 39.984}
	day := func(n int) time.Time { return time.Date(2023, 10, n, 18, 30, 0, 0, time.UTC) }
	for _, tt := range []struct {
		name  string
		times []time.Time
		// the last time is the one checked
		persistent bool
	}{
		{"5 detections on 3 days", []time.Time{day(1), day(1).Add(time.Hour), day(2), day(2).Add(time.Hour), day(3)}, true},
		{"4 detections on 4 days", []time.Time{day(1), day(2), day(3), day(4)}, false},
		{"6 detections on 2 days", []time.Time{day(1), day(1), day(1), day(2), day(2), day(2)}, false},
		{"old ones outside 30 days", []time.Time{day(1).Add(-40 * 24 * time.Hour), day(1).Add(-39 * 24 * time.Hour), day(1), day(2), day(3)}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hist := detect.NewHistory(cfg, 40, d.Location())
			for i, at := range tt.times {
				hist.Add(orb.Point{p[0] + float64(i)*0.0003, p[1]}, at)
			}
			// A far point never counts.
			hist.Add(orb.Point{113.2, 39.984}, day(3))
			last := tt.times[len(tt.times)-1]
			got := d.StaticReason(&skygrid.Hotspot{Point: p, AcqTime: last, Type: -1}, hist)
			if (got != "") != tt.persistent {
				t.Errorf("got %q, want persistent=%v", got, tt.persistent)
			}
		})
	}
}

func square(lon, lat, half float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{lon - half, lat - half}, {lon + half, lat - half}, {lon + half, lat + half}, {lon - half, lat + half}, {lon - half, lat - half}}}}
}

func TestClassify(t *testing.T) {
	sites := []*skygrid.Site{
		{Kind: skygrid.SiteNoCoal, ExternalID: "nc", Name: "城区禁煤区", Geometry: square(113.30, 40.08, 0.02)},
		{Kind: skygrid.SiteConstruction, ExternalID: "c", Name: "工地", Geometry: square(113.40, 40.08, 0.005)},
		{Kind: skygrid.SiteStockpile, ExternalID: "s", Name: "煤场", Geometry: orb.Point{113.50, 40.08}},
		{Kind: skygrid.SiteCropland, ExternalID: "f", Name: "耕地", Geometry: square(113.60, 40.08, 0.05)},
		// A construction site inside cropland wins: first match.
		{Kind: skygrid.SiteConstruction, ExternalID: "c2", Name: "田间工地", Geometry: square(113.62, 40.08, 0.005)},
	}
	d := mustDetector(t, sites)
	winter := time.Date(2023, 11, 20, 5, 0, 0, 0, time.UTC)
	autumn := time.Date(2023, 10, 10, 5, 0, 0, 0, time.UTC)
	// 14 Oct 17:00 UTC is already 15 Oct in Asia/Shanghai: the season has begun.
	firstDay := time.Date(2023, 10, 14, 17, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		p    orb.Point
		t    time.Time
		want string
	}{
		{"no-coal zone in the heating season", orb.Point{113.30, 40.08}, winter, skygrid.ClassLooseCoal},
		{"no-coal zone on the season's first local day", orb.Point{113.30, 40.08}, firstDay, skygrid.ClassLooseCoal},
		{"no-coal zone before the season", orb.Point{113.30, 40.08}, autumn, skygrid.ClassOpenBurning},
		{"construction site", orb.Point{113.40, 40.08}, autumn, skygrid.ClassConstruction},
		{"150 m from a stockpile point", orb.Point{113.50, 40.0813}, autumn, skygrid.ClassStockpile},
		{"cropland", orb.Point{113.58, 40.08}, autumn, skygrid.ClassStrawBurning},
		{"construction site in cropland", orb.Point{113.62, 40.08}, autumn, skygrid.ClassConstruction},
		{"nothing", orb.Point{114.0, 40.5}, autumn, skygrid.ClassOpenBurning},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := d.Classify(tt.p, tt.t); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestClusterer(t *testing.T) {
	cfg := detect.DefaultConfig()
	t0 := time.Date(2023, 10, 24, 5, 0, 0, 0, time.UTC)
	mk := func(lon, lat float64, dt time.Duration) *skygrid.Hotspot {
		return &skygrid.Hotspot{Point: orb.Point{lon, lat}, AcqTime: t0.Add(dt)}
	}
	c := detect.NewClusterer(cfg, 41)
	e := &skygrid.Event{State: skygrid.EventOpen, Class: skygrid.ClassOpenBurning}
	ei := c.AddEvent(e)
	first := mk(113.0, 40.0, 0)
	detect.Join(e, first)
	c.AddMember(ei, first.Point)
	// A chain: each 900 m from the previous joins, though 1.8 km from the first.
	second := mk(113.0, 40.0081, time.Hour)
	if got := c.Match(second, false); got != ei {
		t.Fatalf("900 m, 1 h: got %d, want %d", got, ei)
	}
	detect.Join(e, second)
	c.AddMember(ei, second.Point)
	for _, tt := range []struct {
		name   string
		h      *skygrid.Hotspot
		static bool
		want   int
	}{
		{"chained 900 m further", mk(113.0, 40.0162, 2*time.Hour), false, ei},
		{"1.2 km away", mk(113.0, 39.989, time.Hour), false, -1},
		{"13 h after the last detection", mk(113.0, 40.0, 14*time.Hour), false, -1},
		{"11 h after the last detection", mk(113.0, 40.0, 12*time.Hour), false, ei},
		{"static heat never joins a fire", mk(113.0, 40.0, time.Hour), true, -1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Match(tt.h, tt.static); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
	if e.HotspotCount != 2 || !e.LastSeen.Equal(t0.Add(time.Hour)) || e.Point[1] != 40.00405 {
		t.Errorf("event figures: %+v", e)
	}
}
