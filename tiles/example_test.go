package tiles_test

import (
	"context"
	"fmt"
	"time"

	"skygrid"
	"skygrid/tiles"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// The tile server is free of HTTP: a request names the layer, the tile
// and the format, and Get answers the encoded tile, drawn once and then
// served from its cache until the layer's data changes. Its source is
// anything that lists the layers' data (the SQLite store in skygrid
// serve; plain values here).
func ExampleServer_Get() {
	at := time.Date(2023, 10, 24, 5, 36, 0, 0, time.UTC)
	fire := orb.Point{113.71214, 39.70160}
	src := &memSource{versions: map[string]int64{skygrid.LayerHotspots: 1},
		hotspots: []*skygrid.Hotspot{{Point: fire, AcqTime: at, Satellite: "N20", Status: skygrid.StatusFire, Confidence: "n"}}}
	s, err := tiles.NewServer(src, tiles.Options{Now: func() time.Time { return at.Add(time.Hour) }})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	t := maptile.At(fire, 12)
	req := tiles.Request{Layer: skygrid.LayerHotspots, Z: int(t.Z), X: int(t.X), Y: int(t.Y), Format: "png"}
	tile, hit, err := s.Get(ctx, req)
	fmt.Println(tile.ContentType, tile.Empty, hit, err)
	_, hit, _ = s.Get(ctx, req)
	fmt.Println("again from the cache:", hit)
	away := maptile.At(orb.Point{112.5, 40.5}, 12)
	empty, _, _ := s.Get(ctx, tiles.Request{Layer: skygrid.LayerHotspots, Z: 12, X: int(away.X), Y: int(away.Y), Format: "mvt"})
	fmt.Println("no fire there:", empty.Empty, len(empty.Data))
	// Output:
	// image/png false false <nil>
	// again from the cache: true
	// no fire there: true 0
}
