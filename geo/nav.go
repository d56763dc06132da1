package geo

import (
	"fmt"
	"net/url"

	"github.com/paulmach/orb"
)

// NavLinks are links that open a navigation app at a WGS84 point, each in
// the coordinate system of its map: Amap (高德) takes GCJ-02, Baidu BD-09,
// Tianditu (天地图) WGS84/CGCS2000; geo: (RFC 5870, WGS84) opens the
// phone's default map app.
type NavLinks struct {
	Amap     string `json:"amap"`
	Baidu    string `json:"baidu"`
	Tianditu string `json:"tianditu"`
	Geo      string `json:"geo"`
	// The converted coordinates, lon/lat, for the record.
	GCJ02 [2]float64 `json:"gcj02"`
	BD09  [2]float64 `json:"bd09"`
}

// Navigation returns the links for point p (WGS84) named name.
func Navigation(p orb.Point, name string) NavLinks {
	g := WGS84ToGCJ02(p)
	b := WGS84ToBD09(p)
	q := url.QueryEscape(name)
	return NavLinks{
		Amap: fmt.Sprintf("https://uri.amap.com/marker?position=%.6f,%.6f&name=%s&src=skygrid&coordinate=gaode&callnative=1", g[0], g[1], q),
		Baidu: fmt.Sprintf("https://api.map.baidu.com/marker?location=%.6f,%.6f&title=%s&content=%s&output=html&coord_type=bd09ll&src=skygrid",
			b[1], b[0], q, q),
		Tianditu: fmt.Sprintf("https://map.tianditu.gov.cn/?lng=%.6f&lat=%.6f&zoom=16", p[0], p[1]),
		Geo:      fmt.Sprintf("geo:%.6f,%.6f?q=%.6f,%.6f(%s)", p[1], p[0], p[1], p[0], q),
		GCJ02:    [2]float64{g[0], g[1]},
		BD09:     [2]float64{b[0], b[1]},
	}
}
