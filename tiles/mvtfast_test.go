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
