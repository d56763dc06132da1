package geo_test

import (
	"fmt"

	"skygrid/geo"

	"github.com/paulmach/orb"
)

// An index of grid polygons answers which grid holds a point, and the
// nearest grid within a distance for a point just outside them all.
func ExampleIndex() {
	square := func(lon, lat, half float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{lon - half, lat - half}, {lon + half, lat - half}, {lon + half, lat + half}, {lon - half, lat + half}, {lon - half, lat - half}}}}
	}
	ix := geo.NewIndex()
	ix.Add("140225-001-001", square(113.70, 39.70, 0.005))
	ix.Add("140225-001-002", square(113.71, 39.70, 0.005))
	ix.Build()

	id, ok := ix.Locate(orb.Point{113.712, 39.701})
	fmt.Println(id, ok)
	_, ok = ix.Locate(orb.Point{113.72, 39.70})
	fmt.Println(ok)
	id, metres, ok := ix.Nearest(orb.Point{113.7160, 39.70}, 1000)
	fmt.Printf("%s %.0f m %v\n", id, metres, ok)
	// Output:
	// 140225-001-002 true
	// false
	// 140225-001-002 86 m true
}
