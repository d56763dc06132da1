package tiles_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"skygrid"
	"skygrid/tiles"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
)

// TestVectorTilesAsOrb: the vector tiles written by tiles' own encoder
// (issue 17) decode, with orb's decoder, to the same features as orb's
// encoder made from the same data (tiles.ReferenceMVT): ids, geometry to
// the unit, every attribute; over every layer and zooms 7 to 15, where
// hotspots merge (below 10), carry their detail (13 up), and polygons are
// clipped and simplified.
func TestVectorTilesAsOrb(t *testing.T) {
	src := manyPoints(t, 20_000)
	s := newServer(t, src, tiles.Options{CacheTiles: -1})
	ctx := context.Background()
	places := []orb.Point{cityCentre, hunyuan, src.sites[0].Geometry.Bound().Center(), src.hotspots[0].Point}
	compared := 0
	for _, layer := range []string{skygrid.LayerHotspots, skygrid.LayerEvents, skygrid.LayerRegions, skygrid.LayerConstruction,
		skygrid.LayerStockpiles, skygrid.LayerNoCoal, skygrid.LayerIndustrial} {
		for _, z := range []int{7, 9, 10, 12, 13, 15} {
			for pi, p := range places {
				tl := maptile.At(p, maptile.Zoom(z))
				t.Run(fmt.Sprintf("%s/z%d/place%d", layer, z, pi), func(t *testing.T) {
					r := req(layer, tl, "mvt")
					got, _, err := s.Get(ctx, r)
					if err != nil {
						t.Fatal(err)
					}
					want, err := tiles.ReferenceMVT(ctx, s, r)
					if err != nil {
						t.Fatal(err)
					}
					if got.Empty != (want == nil) {
						t.Fatalf("empty %v, orb's: %d bytes", got.Empty, len(want))
					}
					if want == nil {
						return
					}
					compared++
					sameLayers(t, got.Data, want)
				})
			}
		}
	}
	if compared < 60 {
		t.Errorf("only %d tiles with features compared", compared)
	}
}

// sameLayers decodes two tiles and compares them feature by feature.
func sameLayers(t *testing.T, got, want []byte) {
	t.Helper()
	g, err := mvt.Unmarshal(got)
	if err != nil {
		t.Fatalf("ours does not decode: %v", err)
	}
	w, err := mvt.Unmarshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if len(g) != len(w) || g[0].Name != w[0].Name || g[0].Extent != w[0].Extent {
		t.Fatalf("layers %d %q extent %d, want %d %q %d", len(g), g[0].Name, g[0].Extent, len(w), w[0].Name, w[0].Extent)
	}
	gf, wf := g[0].Features, w[0].Features
	if len(gf) != len(wf) {
		t.Fatalf("%d features, orb's %d", len(gf), len(wf))
	}
	for i := range gf {
		if !reflect.DeepEqual(gf[i].ID, wf[i].ID) || !orb.Equal(gf[i].Geometry, wf[i].Geometry) || !reflect.DeepEqual(gf[i].Properties, wf[i].Properties) {
			t.Fatalf("feature %d:\n ours %v %v %v\n orb's %v %v %v", i, gf[i].ID, gf[i].Geometry, gf[i].Properties, wf[i].ID, wf[i].Geometry, wf[i].Properties)
		}
	}
}

// TestSeveralLayersInOneTile: "regions,hotspots" is one vector tile of
// both layers (as tegola serves a map), each as its own tile has it; PNG,
// the basemap and a layer named twice are refused.
func TestSeveralLayersInOneTile(t *testing.T) {
	src := sharedDatong(t)
	s := newServer(t, src, tiles.Options{})
	ctx := context.Background()
	tl := tileAt(hunyuan, 12)
	both := get(t, s, req("regions,hotspots", tl, "mvt"))
	layers, err := mvt.Unmarshal(both.Data)
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 2 || layers[0].Name != "regions" || layers[1].Name != "hotspots" {
		t.Fatalf("layers %v", layers)
	}
	for i, name := range []string{skygrid.LayerRegions, skygrid.LayerHotspots} {
		one := get(t, s, req(name, tl, "mvt"))
		l, err := mvt.Unmarshal(one.Data)
		if err != nil || len(l[0].Features) == 0 || len(l[0].Features) != len(layers[i].Features) {
			t.Errorf("%s: %d features alone, %d together (%v)", name, len(l[0].Features), len(layers[i].Features), err)
		}
	}
	if _, st, err := s.Fetch(ctx, req("regions,hotspots", tl, "mvt")); err != nil || st != tiles.CacheHit {
		t.Errorf("again: %q %v, want a hit", st, err)
	}
	for _, tc := range []struct{ name, layers, format string }{
		{"png", "regions,hotspots", "png"},
		{"basemap", "regions,base", "mvt"},
		{"twice", "hotspots,hotspots", "mvt"},
		{"unknown", "regions,roads", "mvt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := s.Fetch(ctx, req(tc.layers, tl, tc.format))
			if c := skygrid.ErrorCode(err); c != skygrid.EINVALID && c != skygrid.ENOTFOUND {
				t.Errorf("%s.%s: %v, want refused", tc.layers, tc.format, err)
			}
		})
	}
}
