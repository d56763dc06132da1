package tiles

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // MBTiles basemaps hold JPEG or PNG
	"strings"

	"skygrid/geo"

	"github.com/disintegration/imaging"
	"github.com/paulmach/orb"
)

// prepared serves a basemap tile from the prepared basemap: as stored when
// the zoom and size match; deeper zooms cut from the deepest stored tile
// and @2x are resampled with imaging. nil when the basemap has no tile
// there (the drawn basemap is used instead).
func (s *Server) prepared(ctx context.Context, r Request) (*Tile, error) {
	bm := s.opt.Basemap
	z, x, y := r.Z, r.X, r.Y
	over := 0
	for z > bm.MaxZoom() {
		z, x, y, over = z-1, x/2, y/2, over+1
	}
	data, err := bm.BaseTile(ctx, z, x, y)
	if err != nil || data == nil {
		return nil, err
	}
	if over == 0 && r.Scale == 1 {
		// The format is the decoder's name for the stored tile (tiles
		// speak no HTTP: no sniffing of net/http's); other formats than
		// PNG and JPEG are encoded again below.
		img, format, err := image.DecodeConfig(bytes.NewReader(data))
		if err == nil && img.Width == 256 && (format == "png" || format == "jpeg") {
			return &Tile{Data: data, ContentType: "image/" + format, ETag: etag(data)}, nil
		}
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("basemap tile %d/%d/%d: %w", z, x, y, err)
	}
	if over > 0 {
		// The part of the stored tile under the requested one; more than
		// a pixel of it, else the drawn basemap is better.
		n := 1 << over
		w := img.Bounds().Dx() / n
		if w < 2 {
			return nil, nil
		}
		ox, oy := (r.X-x*n)*w, (r.Y-y*n)*w
		img = imaging.Crop(img, image.Rect(ox, oy, ox+w, oy+w).Add(img.Bounds().Min))
	}
	out := imaging.Resize(img, 256*r.Scale, 256*r.Scale, imaging.Lanczos)
	return encodePNG(out)
}

// Basemap is a basemap the browser can show: the offline one served here,
// or one served by someone else (Tianditu).
type Basemap struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Tiles       []string `json:"tiles"`            // XYZ URL templates
	Labels      []string `json:"labels,omitempty"` // an optional label layer drawn above
	Subdomains  string   `json:"subdomains,omitempty"`
	Attribution string   `json:"attribution"`
	MaxZoom     int      `json:"maxzoom"`
	// CRS says what the tiles are drawn in: overlays line up only with
	// WGS84/CGCS2000 basemaps.
	CRS     string `json:"crs"`
	Offline bool   `json:"offline"`
}

// Offline is the basemap drawn here from the stored boundaries (or read
// from the MBTiles file given).
var Offline = Basemap{ID: "offline", Name: "离线底图（本地边界）", Tiles: []string{"/tiles/base/{z}/{x}/{y}.png"},
	Attribution: "边界 © 天地图", MaxZoom: MaxZoom, CRS: "WGS84", Offline: true}

// Tianditu returns the Tianditu vector basemap (矢量, vec_w) with its
// labels (cva_w): Web Mercator tiles in CGCS2000, which lines up with
// WGS84 data to well under a metre. key is the Tianditu browser key (tk).
func Tianditu(key string) Basemap {
	return Basemap{ID: "tianditu", Name: "天地图矢量", Tiles: []string{tiandituURL("vec", key)}, Labels: []string{tiandituURL("cva", key)},
		Subdomains: "01234567", Attribution: "© 天地图 国家地理信息公共服务平台", MaxZoom: 18, CRS: "CGCS2000"}
}

// TiandituImagery returns Tianditu's imagery (影像, img_w) with its
// labels (cia_w), in the same grid and datum as Tianditu.
func TiandituImagery(key string) Basemap {
	return Basemap{ID: "tianditu-img", Name: "天地图影像", Tiles: []string{tiandituURL("img", key)}, Labels: []string{tiandituURL("cia", key)},
		Subdomains: "01234567", Attribution: "© 天地图 国家地理信息公共服务平台", MaxZoom: 18, CRS: "CGCS2000"}
}

// TiandituBasemaps are the Tianditu basemaps offered with a key: the
// vector map and the imagery.
func TiandituBasemaps(key string) []Basemap { return []Basemap{Tianditu(key), TiandituImagery(key)} }

// tiandituURL is the WMTS tile URL of a Tianditu layer (vec, cva, img,
// cia) in Web Mercator ("_w"), with {s} for the servers t0-t7.
func tiandituURL(layer, key string) string {
	return "https://t{s}.tianditu.gov.cn/" + layer + "_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=" + layer +
		"&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=" + key
}

// TileJSON describes a layer (TileJSON 3.0.0) for map clients.
type TileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name"`
	Description  string        `json:"description,omitempty"`
	Attribution  string        `json:"attribution,omitempty"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	Bounds       []float64     `json:"bounds,omitempty"`
	Center       []float64     `json:"center,omitempty"`
	Format       string        `json:"format"`
	Version      string        `json:"version"`
	VectorLayers []VectorLayer `json:"vector_layers,omitempty"`
	// Timed layers take since and until (RFC 3339 or YYYY-MM-DD) as query
	// parameters.
	TimeParams []string `json:"time_params,omitempty"`
}

// VectorLayer lists a vector layer's attributes.
type VectorLayer struct {
	ID     string            `json:"id"`
	Fields map[string]string `json:"fields"`
}

var vectorFields = map[string]map[string]string{
	"hotspots": {"acq_time": "Number (unix seconds)", "frp": "Number", "status": "String",
		"satellite": "String (zoom 13 and deeper)", "confidence": "String (zoom 13 and deeper)", "event_id": "Number (zoom 13 and deeper)",
		"count": "Number (below zoom 10: detections merged in one pixel)"},
	"events": {"id": "Number", "class": "String", "class_name": "String", "state": "String", "task_state": "String", "task_id": "Number",
		"hotspot_count": "Number", "max_frp": "Number", "first_seen": "String", "last_seen": "String", "grid_id": "String", "county_id": "String"},
	"regions": {"id": "String", "name": "String", "level": "String", "parent_id": "String"},
	"sites":   {"id": "Number", "name": "String", "kind": "String", "external_id": "String", "violation": "String", "area_m2": "Number"},
}

// TileJSON returns the description of a layer; base is the server's URL
// ("http://host:port"), bound the data's extent.
func (s *Server) TileJSON(ctx context.Context, layer, format, base string, bound orb.Bound) (*TileJSON, error) {
	r := Request{Layer: layer, Format: format}
	if err := Check(&r); err != nil {
		return nil, err
	}
	vs, err := s.src.LayerVersions(ctx)
	if err != nil {
		return nil, err
	}
	tj := &TileJSON{TileJSON: "3.0.0", Name: layer + " · " + LayerNames[layer], Scheme: "xyz", MinZoom: 0, MaxZoom: MaxZoom,
		Format: format, Version: fmt.Sprintf("1.0.%d", version(vs, layer)),
		Tiles:       []string{strings.TrimSuffix(base, "/") + "/tiles/" + layer + "/{z}/{x}/{y}." + format},
		Attribution: "skygrid; fire data NASA FIRMS; boundaries 天地图"}
	if bound != (orb.Bound{}) {
		// Hotspots are kept up to 5 km outside the regions: so are tiles.
		bound = geo.GrowBound(bound, 5000)
		tj.Bounds = []float64{bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1]}
		c := bound.Center()
		tj.Center = []float64{c[0], c[1], 9}
	}
	if Timed(layer) {
		tj.TimeParams = []string{"since", "until"}
	}
	if format == "mvt" {
		fields := vectorFields[layer]
		if fields == nil {
			fields = vectorFields["sites"]
		}
		tj.VectorLayers = []VectorLayer{{ID: layer, Fields: fields}}
	}
	return tj, nil
}
