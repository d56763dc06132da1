package tiles

// The vector tiles as orb's encoder made them before issue 17: the
// reference the encoder in mvtfast.go is compared with
// (TestVectorTilesAsOrb).

import (
	"context"
	"math"

	"skygrid"
	"skygrid/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/simplify"
)

// mvtHotspots builds the hotspots of a tile as features. Below zoom 10
// detections that fall in the same 1/256 of the tile are merged into one
// feature with a count (the newest one's attributes, the largest FRP), so a
// city-wide tile stays small.
func mvtHotspots(c *canvas, p *points, w window, buf []int32) (*geojson.FeatureCollection, []int32) {
	fc := geojson.NewFeatureCollection()
	idx := p.grid.search(c.mvtBound, buf[:0]) // the vector tiles' buffer (c.bound before issue 17)
	merge := c.z < 10
	detail := c.z >= detailZoom
	type cell struct{ x, y int }
	var merged map[cell]*geojson.Feature
	if merge {
		merged = map[cell]*geojson.Feature{}
	}
	for _, i := range idx {
		lon, lat := p.lon[i], p.lat[i]
		if lon < c.mvtBound.Min[0] || lon > c.mvtBound.Max[0] || lat < c.mvtBound.Min[1] || lat > c.mvtBound.Max[1] {
			continue
		}
		if t := p.t[i]; (w.since != 0 && t < w.since) || (w.until != 0 && t >= w.until) {
			continue
		}
		if c.scope != nil && !c.keepPoint(orb.Point{lon, lat}) {
			continue
		}
		var k cell
		if merge {
			x, y := c.project(orb.Point{lon, lat})
			k = cell{int(math.Floor(x)), int(math.Floor(y))} // floored (int(x) before issue 17)
			if f := merged[k]; f != nil {
				n, _ := f.Properties["count"].(int)
				f.Properties["count"] = max(n, 1) + 1
				frp := f.Properties["frp"].(float64)
				// The newest by time, then id, where it is (issue 17; the
				// first one's place, and the last in row order, before).
				if t := f.Properties["acq_time"].(int64); p.t[i] > t || (p.t[i] == t && p.id[i] > f.ID.(int64)) {
					setHotspotProps(f, p, i, detail)
					f.Geometry = orb.Point{lon, lat}
				}
				f.Properties["frp"] = max(frp, float64(p.frp[i]))
				continue
			}
		}
		f := &geojson.Feature{Type: "Feature", Geometry: orb.Point{lon, lat}, Properties: make(geojson.Properties, 7)}
		setHotspotProps(f, p, i, detail)
		if merge {
			merged[k] = f
		}
		fc.Features = append(fc.Features, f)
	}
	return fc, idx
}

// setHotspotProps writes a detection's attributes: acq_time in unix
// seconds (the browser formats it in Asia/Shanghai), frp and status; with
// detail also satellite, confidence and event_id.
func setHotspotProps(f *geojson.Feature, p *points, i int32, detail bool) {
	f.ID = p.id[i]
	f.Properties["acq_time"] = p.t[i]
	f.Properties["frp"] = float64(p.frp[i])
	f.Properties["status"] = statusName[p.status[i]]
	if !detail {
		return
	}
	f.Properties["satellite"] = p.str(p.sat[i])
	f.Properties["confidence"] = p.str(p.conf[i])
	if p.event[i] != 0 {
		f.Properties["event_id"] = p.event[i]
	} else {
		delete(f.Properties, "event_id")
	}
}

// mvtFeatures builds the features of another layer in a tile; geometries
// are copied, since projecting works in place.
func mvtFeatures(c *canvas, f *features, w window, timed bool) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	f.search(c.mvtBound, func(ft *feature) {
		if (timed && !w.holds(ft.first, ft.last)) || !c.keepFeature(ft) {
			return
		}
		g := ft.geom
		if _, ok := g.(orb.Point); !ok {
			g = orb.Clone(g)
			geo.Wind(g) // data imported before the importer wound it may have either
		}
		out := geojson.NewFeature(g)
		out.ID = ft.id
		out.Properties = make(geojson.Properties, len(ft.props))
		for k, v := range ft.props {
			out.Properties[k] = v
		}
		fc.Append(out)
	})
	return fc
}

// encodeMVT projects, clips, simplifies and encodes one layer; nil when
// nothing is left.
func encodeMVT(name string, t maptile.Tile, fc *geojson.FeatureCollection) ([]byte, error) {
	if len(fc.Features) == 0 {
		return nil, nil
	}
	layers := mvt.NewLayers(map[string]*geojson.FeatureCollection{name: fc})
	layers.ProjectToTile(t)
	layers.Clip(mvtClip)
	layers.Simplify(simplify.DouglasPeucker(1.0))
	layers.RemoveEmpty(1.0, 1.0)
	if len(layers[0].Features) == 0 {
		return nil, nil
	}
	return mvt.Marshal(layers)
}

// ReferenceMVT draws a vector tile through orb's encoder, as the server
// did before issue 17.
func ReferenceMVT(ctx context.Context, s *Server, r Request) ([]byte, error) {
	if err := Check(&r); err != nil {
		return nil, err
	}
	vs, err := s.src.LayerVersions(ctx)
	if err != nil {
		return nil, err
	}
	snap, err := s.snaps.get(ctx, r.Layer, vs[r.Layer])
	if err != nil {
		return nil, err
	}
	w := s.window(&r, snap)
	t := maptile.New(uint32(r.X), uint32(r.Y), maptile.Zoom(r.Z))
	c := newCanvas(t, 1)
	defer c.release()
	var fc *geojson.FeatureCollection
	if r.Layer == skygrid.LayerHotspots {
		fc, _ = mvtHotspots(c, snap.pts, w, nil)
	} else {
		c.parent = snap.fs.parent
		fc = mvtFeatures(c, snap.fs, w, Timed(r.Layer))
	}
	return encodeMVT(r.Layer, t, fc)
}
