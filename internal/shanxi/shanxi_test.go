package shanxi_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"skygrid/geo"
	"skygrid/internal/shanxi"
	"skygrid/registry"

	"github.com/paulmach/orb/planar"
)

// The province has the sizes it promises, its levels nest (each region's
// outline is one polygon of its children's area), the files read back
// with skygrid's own readers, and the same seed writes the same bytes.
func TestProvince(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	p, err := shanxi.Write(a, 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := shanxi.Write(b, 1, 1000); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name      string
		got, want int
	}{
		{"cities", len(p.Cities), 11}, {"counties", len(p.Counties), 120},
		{"townships", len(p.Townships), 1200}, {"grids", len(p.Grids), 50000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("%d, want %d", tt.got, tt.want)
			}
		})
	}
	t.Run("levels nest", func(t *testing.T) { checkNesting(t, p) })
	for _, f := range []string{"cities.geojson", "counties.geojson", "townships.geojson", "grids.geojson", "supervisors.csv", "monitors.csv", "points.csv"} {
		t.Run("same seed, same "+f, func(t *testing.T) {
			x, _ := os.ReadFile(filepath.Join(a, f))
			y, _ := os.ReadFile(filepath.Join(b, f))
			if len(x) == 0 || !bytes.Equal(x, y) {
				t.Errorf("%d and %d bytes, not the same", len(x), len(y))
			}
		})
	}
	t.Run("the readers take the files", func(t *testing.T) { checkReaders(t, a) })
}

func checkNesting(t *testing.T, p *shanxi.Province) {
	area := map[string]float64{}
	kids := map[string]float64{}
	for _, r := range append(append(append([]shanxi.Region{}, p.Cities...), p.Counties...), p.Townships...) {
		if len(r.Geometry) != 1 || len(r.Geometry[0]) != 1 {
			t.Fatalf("%s: %d parts, want one polygon without holes", r.ID, len(r.Geometry))
		}
		if !strings.Contains(r.Name, "示例") {
			t.Errorf("%s: name %q does not say 示例", r.ID, r.Name)
		}
		area[r.ID] = planar.Area(r.Geometry)
		kids[r.ParentID] += area[r.ID]
	}
	for i, g := range p.Grids {
		kids[p.Townships[p.GridTownship[i]].ID] += planar.Area(shanxi.Polygon(g))
	}
	for id, a := range area {
		if math.Abs(kids[id]-a) > 1e-9*a {
			t.Errorf("%s: area %.9f, its children's %.9f", id, a, kids[id])
		}
	}
}

func checkReaders(t *testing.T, dir string) {
	open := func(name string) *os.File {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	regs, err := registry.ReadRegions(open("counties.geojson"), "counties.geojson", registry.RegionImport{Level: "county",
		IDProp: registry.DefaultRegionIDProps, NameProp: registry.DefaultRegionNameProps, ParentProp: registry.DefaultRegionParentProps, CRS: geo.WGS84})
	if err != nil || len(regs) != 120 {
		t.Fatalf("counties: %d, %v", len(regs), err)
	}
	sups, err := registry.ReadSupervisors(open("supervisors.csv"), "supervisors.csv")
	if err != nil || len(sups) != 50000 {
		t.Fatalf("supervisors: %d, %v", len(sups), err)
	}
	mons, err := registry.ReadMonitors(open("monitors.csv"), "monitors.csv", geo.WGS84)
	if err != nil || len(mons) != shanxi.Monitors {
		t.Fatalf("monitors: %d, %v", len(mons), err)
	}
}
