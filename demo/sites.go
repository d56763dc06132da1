package demo

import (
	"fmt"
	"math/rand/v2"

	"skygrid"
	"skygrid/geo"

	"github.com/paulmach/orb"
)

// Source marks the invented registries: no public registry of Datong's
// construction sites, stockpiles or no-coal zones exists.
const Source = "示例 demo: invented, not a real registry"

// demoNoCoalCounty is 平城区, the demo no-coal zone.
const demoNoCoalCounty = "140213"

// Sites invents the demo registries inside the real counties, the same
// every run: 30 construction sites (areas on both sides of 5000 m², some
// with video, some without), 15 stockpiles and a no-coal zone covering
// 平城区. Every name starts with 示例.
func Sites(counties []*skygrid.Region) []*skygrid.Site {
	rng := rand.New(rand.NewPCG(2023, 10))
	ix := geo.NewIndex()
	var pingcheng *skygrid.Region
	bound := orb.Bound{Min: orb.Point{180, 90}, Max: orb.Point{-180, -90}}
	for _, c := range counties {
		ix.Add(c.ID, c.Geometry)
		bound = bound.Union(c.Geometry.Bound())
		if c.ID == demoNoCoalCounty {
			pingcheng = c
		}
	}
	// inside returns a random point inside a county, 200 m or more from
	// its edge, so the sites around it are inside too.
	inside := func() orb.Point {
		for {
			p := orb.Point{bound.Min[0] + rng.Float64()*(bound.Max[0]-bound.Min[0]), bound.Min[1] + rng.Float64()*(bound.Max[1]-bound.Min[1])}
			id, ok := ix.Locate(p)
			for _, q := range geo.Rect(p, 400, 400)[0][0] {
				other, in := ix.Locate(q)
				ok = ok && in && other == id
			}
			if ok {
				return p
			}
		}
	}
	var out []*skygrid.Site
	for i := 1; i <= 30; i++ {
		// Sides from 40 to 160 m: areas from 2,000 to 20,000 m².
		w, h := 40+rng.Float64()*120, 40+rng.Float64()*80
		attrs := map[string]string{
			skygrid.AttrPermit:    fmt.Sprintf("示例-1402-2023-%03d", i),
			skygrid.AttrBuilder:   fmt.Sprintf("示例建设公司%d", 1+rng.IntN(8)),
			skygrid.AttrStartDate: fmt.Sprintf("2023-%02d-%02d", 1+rng.IntN(9), 1+rng.IntN(28)),
			skygrid.AttrEndDate:   fmt.Sprintf("2024-%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28)),
			skygrid.AttrVideo:     "no",
		}
		switch r := rng.IntN(10); {
		case r < 6:
			attrs[skygrid.AttrVideo] = "yes"
			attrs[skygrid.AttrPlatformID] = fmt.Sprintf("DT-VID-%04d", i)
		case r < 7:
			attrs[skygrid.AttrVideo] = "yes" // installed, not connected
		}
		mp := geo.Rect(inside(), w, h)
		out = append(out, &skygrid.Site{Kind: skygrid.SiteConstruction, ExternalID: fmt.Sprintf("DEMO-C%02d", i),
			Name: fmt.Sprintf("示例工地%02d", i), Geometry: mp, AreaM2: geo.AreaM2(mp), Attrs: attrs, Source: Source})
	}
	for i := 1; i <= 15; i++ {
		attrs := map[string]string{
			skygrid.AttrMaterial:    skygrid.Materials[rng.IntN(len(skygrid.Materials))],
			skygrid.AttrSuppression: skygrid.Suppressions[rng.IntN(len(skygrid.Suppressions))],
		}
		var g orb.Geometry = inside()
		area := 0.0
		if i%3 != 0 { // two in three drawn as polygons, the rest as points
			mp := geo.Rect(g.(orb.Point), 30+rng.Float64()*60, 30+rng.Float64()*60)
			g, area = mp, geo.AreaM2(mp)
		}
		out = append(out, &skygrid.Site{Kind: skygrid.SiteStockpile, ExternalID: fmt.Sprintf("DEMO-S%02d", i),
			Name: fmt.Sprintf("示例堆场%02d", i), Geometry: g, AreaM2: area, Attrs: attrs, Source: Source})
	}
	if pingcheng != nil {
		out = append(out, &skygrid.Site{Kind: skygrid.SiteNoCoal, ExternalID: "DEMO-N01", Name: "示例禁煤区（平城区全域）",
			Geometry: pingcheng.Geometry, AreaM2: geo.AreaM2(pingcheng.Geometry),
			Attrs: map[string]string{skygrid.AttrEffective: "2023-10-01"}, Source: Source})
	}
	return out
}
