package geo

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"skygrid"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/paulmach/orb/geojson"
)

// Feature is one feature of a vector file, validated and in WGS84.
type Feature struct {
	// Index is the feature's 0-based position in the file.
	Index      int
	Geometry   orb.Geometry
	Properties map[string]any
}

// FeatureError says which feature was refused and why.
type FeatureError struct {
	File   string
	Index  int
	Reason string
}

func (e *FeatureError) Error() string {
	return fmt.Sprintf("%s: feature %d: %s", e.File, e.Index, e.Reason)
}

// ReadOptions configures ReadGeoJSON.
type ReadOptions struct {
	// CRS of the input; points are converted to WGS84.
	CRS string
	// Points accepts Point features (sites); regions take polygons only.
	Points bool
}

// ReadGeoJSON reads a FeatureCollection, a Feature or a bare geometry. Every
// feature is checked (type, empty, ring closed and long enough, coordinates
// in range) and the first failures are returned with the feature index;
// callers store nothing when any feature fails.
func ReadGeoJSON(r io.Reader, name string, opt ReadOptions) ([]Feature, []error, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if line, col := skygrid.InvalidUTF8Line(data); line > 0 {
		// encoding/json would read it as U+FFFD: what the file said is lost.
		return nil, nil, fmt.Errorf("%s: line %d: invalid UTF-8 at byte %d of the line (GeoJSON is UTF-8)", name, line, col)
	}
	var head struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, nil, fmt.Errorf("%s: not GeoJSON: %v", name, err)
	}
	var raws []json.RawMessage
	switch head.Type {
	case "FeatureCollection":
		raws = head.Features
	case "Feature":
		raws = []json.RawMessage{data}
	case "Polygon", "MultiPolygon", "Point":
		raws = []json.RawMessage{[]byte(`{"type":"Feature","properties":{},"geometry":` + string(data) + `}`)}
	default:
		return nil, nil, fmt.Errorf("%s: not GeoJSON: type %q (want FeatureCollection, Feature or a geometry)", name, head.Type)
	}
	conv := ToWGS84(opt.CRS)
	var feats []Feature
	var errs []error
	for i, raw := range raws {
		f, reason := readFeature(raw, opt, conv)
		if reason != "" {
			errs = append(errs, &FeatureError{File: name, Index: i, Reason: reason})
			continue
		}
		f.Index = i
		feats = append(feats, f)
	}
	return feats, errs, nil
}

// rawGeometry keeps coordinates as raw JSON so that validation sees what the
// file says (orb's decoder would silently accept some broken shapes).
type rawGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

func readFeature(raw json.RawMessage, opt ReadOptions, conv func(orb.Point) orb.Point) (Feature, string) {
	var f struct {
		Type       string          `json:"type"`
		Geometry   *rawGeometry    `json:"geometry"`
		Properties map[string]any  `json:"properties"`
		ID         json.RawMessage `json:"id"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return Feature{}, "not a feature: " + err.Error()
	}
	if f.Geometry == nil || f.Geometry.Type == "" {
		return Feature{}, "empty geometry"
	}
	if f.Properties == nil {
		f.Properties = map[string]any{}
	}
	if len(f.ID) > 0 {
		var id any
		if json.Unmarshal(f.ID, &id) == nil && id != nil {
			if _, ok := f.Properties["id"]; !ok {
				f.Properties["id"] = id
			}
		}
	}
	var geom orb.Geometry
	switch f.Geometry.Type {
	case "Polygon":
		var coords [][][]float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &coords); err != nil {
			return Feature{}, "Polygon coordinates: " + err.Error()
		}
		poly, reason := polygon(coords, conv)
		if reason != "" {
			return Feature{}, reason
		}
		geom = orb.MultiPolygon{poly}
	case "MultiPolygon":
		var coords [][][][]float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &coords); err != nil {
			return Feature{}, "MultiPolygon coordinates: " + err.Error()
		}
		if len(coords) == 0 {
			return Feature{}, "empty geometry"
		}
		mp := make(orb.MultiPolygon, 0, len(coords))
		for j, pc := range coords {
			poly, reason := polygon(pc, conv)
			if reason != "" {
				return Feature{}, fmt.Sprintf("polygon %d: %s", j, reason)
			}
			mp = append(mp, poly)
		}
		geom = mp
	case "Point":
		if !opt.Points {
			return Feature{}, "geometry type Point: a region must be a Polygon or MultiPolygon"
		}
		var c []float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &c); err != nil {
			return Feature{}, "Point coordinates: " + err.Error()
		}
		p, reason := position(c)
		if reason != "" {
			return Feature{}, reason
		}
		geom = conv(p)
	default:
		want := "Polygon or MultiPolygon"
		if opt.Points {
			want = "Point, Polygon or MultiPolygon"
		}
		return Feature{}, fmt.Sprintf("geometry type %s: want %s", f.Geometry.Type, want)
	}
	return Feature{Geometry: geom, Properties: f.Properties}, ""
}

func position(c []float64) (orb.Point, string) {
	if len(c) < 2 {
		return orb.Point{}, fmt.Sprintf("position with %d coordinates", len(c))
	}
	lon, lat := c[0], c[1]
	if math.IsNaN(lon) || math.IsNaN(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
		return orb.Point{}, fmt.Sprintf("coordinates out of range: %v, %v (lon -180..180, lat -90..90)", lon, lat)
	}
	return orb.Point{lon, lat}, ""
}

func polygon(coords [][][]float64, conv func(orb.Point) orb.Point) (orb.Polygon, string) {
	if len(coords) == 0 {
		return nil, "empty geometry"
	}
	poly := make(orb.Polygon, 0, len(coords))
	for i, rc := range coords {
		which := "outer ring"
		if i > 0 {
			which = fmt.Sprintf("hole %d", i)
		}
		if len(rc) == 0 {
			return nil, which + " is empty"
		}
		ring := make(orb.Ring, 0, len(rc))
		for j, c := range rc {
			p, reason := position(c)
			if reason != "" {
				return nil, fmt.Sprintf("%s, point %d: %s", which, j, reason)
			}
			ring = append(ring, p)
		}
		if !ring[0].Equal(ring[len(ring)-1]) {
			return nil, fmt.Sprintf("%s is not closed: first point %v, last point %v", which, ring[0], ring[len(ring)-1])
		}
		if len(ring) < 4 {
			return nil, fmt.Sprintf("%s has %d points; a closed ring needs at least 4", which, len(ring))
		}
		for j := range ring {
			ring[j] = conv(ring[j])
		}
		poly = append(poly, ring)
	}
	Wind(poly)
	return poly, ""
}

// Wind gives the rings of a polygon or multipolygon the RFC 7946 winding,
// in place: exteriors counter-clockwise, holes clockwise. Shapefile exports
// often have it the other way, and vector tiles take their exterior/hole
// meaning from it (projected with y down, counter-clockwise becomes the
// clockwise exterior the MVT spec wants).
func Wind(g orb.Geometry) {
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	}
	for _, p := range polys {
		for i, r := range p {
			want := orb.CW
			if i == 0 {
				want = orb.CCW
			}
			if r.Orientation() != want {
				r.Reverse()
			}
		}
	}
}

// Prop returns a property as a string; a dotted key reaches into objects
// ("parent.adcode"). Numbers print without a decimal point when whole.
func Prop(props map[string]any, key string) string {
	var v any = props
	for _, k := range strings.Split(key, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(x)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// MarshalGeoJSONGeometry encodes a geometry as GeoJSON.
func MarshalGeoJSONGeometry(g orb.Geometry) json.RawMessage {
	b, _ := json.Marshal(geojson.NewGeometry(g))
	return b
}

// ParseWKT reads a POINT, POLYGON or MULTIPOLYGON in WKT (from a CSV
// column), checks it like a GeoJSON geometry and converts it from crs to
// WGS84. A polygon comes back as an orb.MultiPolygon. The string is the
// reason it was refused, or "".
func ParseWKT(s, crs string, points bool) (orb.Geometry, string) {
	g, err := wkt.Unmarshal(strings.TrimSpace(s))
	if err != nil {
		return nil, "not WKT: " + err.Error()
	}
	conv := ToWGS84(crs)
	rings := func(p orb.Polygon) [][][]float64 {
		out := make([][][]float64, len(p))
		for i, r := range p {
			out[i] = make([][]float64, len(r))
			for j, q := range r {
				out[i][j] = []float64{q[0], q[1]}
			}
		}
		return out
	}
	switch g := g.(type) {
	case orb.Point:
		if !points {
			return nil, "geometry type POINT: want POLYGON or MULTIPOLYGON"
		}
		p, reason := position([]float64{g[0], g[1]})
		if reason != "" {
			return nil, reason
		}
		return conv(p), ""
	case orb.Polygon:
		poly, reason := polygon(rings(g), conv)
		if reason != "" {
			return nil, reason
		}
		return orb.MultiPolygon{poly}, ""
	case orb.MultiPolygon:
		if len(g) == 0 {
			return nil, "empty geometry"
		}
		mp := make(orb.MultiPolygon, 0, len(g))
		for i, p := range g {
			poly, reason := polygon(rings(p), conv)
			if reason != "" {
				return nil, fmt.Sprintf("polygon %d: %s", i, reason)
			}
			mp = append(mp, poly)
		}
		return mp, ""
	}
	return nil, fmt.Sprintf("geometry type %s: want POINT, POLYGON or MULTIPOLYGON", g.GeoJSONType())
}

// CheckPoint checks a lon/lat pair (from CSV columns) and converts it from
// crs to WGS84.
func CheckPoint(lon, lat float64, crs string) (orb.Point, string) {
	p, reason := position([]float64{lon, lat})
	if reason != "" {
		return p, reason
	}
	return ToWGS84(crs)(p), ""
}
