package demo_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"math"
	"path"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/data"
	"skygrid/demo"
	"skygrid/dispatch/dispatchtest"
	"skygrid/geo"
	"skygrid/registry"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func readTownships(t *testing.T) ([]demo.Township, map[string]string) {
	t.Helper()
	f, err := data.FS.Open(data.Townships)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	towns, pinyin, err := demo.ReadTownships(f, data.Townships)
	if err != nil {
		t.Fatal(err)
	}
	return towns, pinyin
}

// The embedded list: 90 township-level units in the ten counties, and the
// counties' pinyin (the demo officials' names).
func TestReadTownships(t *testing.T) {
	towns, pinyin := readTownships(t)
	byCounty := map[string]int{}
	for _, tw := range towns {
		byCounty[tw.CountyID]++
	}
	if len(towns) != 90 || len(byCounty) != 10 || byCounty["140225"] != 16 || pinyin["140225"] != "hunyuan" || pinyin["140213"] != "pingcheng" {
		t.Errorf("%d townships in %d counties (%v), pinyin %v", len(towns), len(byCounty), byCounty, pinyin)
	}
	if _, _, err := demo.ReadTownships(strings.NewReader("id,name\n1,x\n"), "bad.csv"); err == nil || !strings.Contains(err.Error(), `no column "pid"`) {
		t.Errorf("a file without the columns: %v", err)
	}
}

// Each county's generated cells go to its real townships in contiguous
// groups (a group's other pieces are islands of the county's cells), the
// same every run; a township's outline is the union of its cells.
func TestDemoTownships(t *testing.T) {
	db := dispatchtest.OpenDB(t, dispatchtest.Fixed)
	counties := dispatchtest.ImportDatong(t, db, false)
	towns, _ := readTownships(t)
	assign := func() (map[string]string, []*skygrid.Region, []*skygrid.Region) {
		grids, err := registry.GenerateGrids(context.Background(), db, 3000, nil)
		if err != nil {
			t.Fatal(err)
		}
		regions := demo.Townships(counties, grids, towns)
		owner := map[string]string{}
		for _, g := range grids {
			owner[g.ID] = g.ParentID
		}
		return owner, regions, grids
	}
	owner, regions, grids := assign()
	again, _, _ := assign()
	if fmt.Sprint(owner) != fmt.Sprint(again) {
		t.Error("two runs give different townships")
	}
	if len(regions) != 90 {
		t.Fatalf("%d townships", len(regions))
	}
	area := map[string]float64{}
	cells := map[string][]string{}
	for _, g := range grids {
		area[g.ParentID] += g.AreaKm2
		cells[g.ParentID] = append(cells[g.ParentID], g.ID)
		if len(g.ParentID) != 9 || g.ParentID[:6] != g.ID[:6] {
			t.Fatalf("grid %s in %q", g.ID, g.ParentID)
		}
	}
	countyCells := map[string][]string{}
	for _, g := range grids {
		countyCells[g.ID[:6]] = append(countyCells[g.ID[:6]], g.ID)
	}
	for _, r := range regions {
		if !r.Demo || r.Level != skygrid.LevelTownship || r.ParentID != r.ID[:6] || len(cells[r.ID]) == 0 {
			t.Errorf("township %+v with %d cells", r, len(cells[r.ID]))
			continue
		}
		if got := geo.AreaKm2(r.Geometry); math.Abs(got-area[r.ID]) > 0.001*area[r.ID] {
			t.Errorf("%s %s: outline %.2f km², its cells %.2f km²", r.ID, r.Name, got, area[r.ID])
		}
		islands := components(countyCells[r.ParentID])
		parts := components(cells[r.ID])
		for _, p := range parts[1:] {
			if !isComponent(p, islands) {
				t.Errorf("%s %s: %d pieces, %v is not an island of the county", r.ID, r.Name, len(parts), p)
			}
		}
	}
}

// components splits generated cell ids into groups joined by sides,
// largest first.
func components(ids []string) [][]string {
	at := map[[2]int]string{}
	pos := map[string][2]int{}
	for _, id := range ids {
		var c string
		var r, k int
		fmt.Sscanf(strings.ReplaceAll(id, "-", " "), "%s %d %d", &c, &r, &k)
		at[[2]int{r, k}], pos[id] = id, [2]int{r, k}
	}
	seen := map[string]bool{}
	var out [][]string
	for _, id := range ids {
		if seen[id] {
			continue
		}
		comp, stack := []string{}, []string{id}
		seen[id] = true
		for len(stack) > 0 {
			cur := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			comp = append(comp, cur)
			p := pos[cur]
			for _, d := range [][2]int{{-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
				if n, ok := at[[2]int{p[0] + d[0], p[1] + d[1]}]; ok && !seen[n] {
					seen[n] = true
					stack = append(stack, n)
				}
			}
		}
		out = append(out, comp)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j]) > len(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func isComponent(part []string, of [][]string) bool {
	for _, c := range of {
		if len(c) == len(part) && fmt.Sprint(sorted(c)) == fmt.Sprint(sorted(part)) {
			return true
		}
	}
	return false
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// The invented cropland: the same every run, a quarter to a third of each
// county (平城区 less: its urban core has none), every block inside its
// county, marked 示例.
func TestDemoCropland(t *testing.T) {
	db := dispatchtest.OpenDB(t, dispatchtest.Fixed)
	counties := dispatchtest.ImportDatong(t, db, false)
	a, b := demo.Cropland(counties), demo.Cropland(counties)
	if len(a) != len(b) || len(a) < 500 {
		t.Fatalf("%d and %d blocks", len(a), len(b))
	}
	var centre = geo.Centroid(counties[0].Geometry)
	byID := map[string]*skygrid.Region{}
	for _, c := range counties {
		byID[c.ID] = c
		if c.ID == "140213" {
			centre = geo.Centroid(c.Geometry)
		}
	}
	share := map[string]float64{}
	for i, s := range a {
		if fmt.Sprint(s.Geometry) != fmt.Sprint(b[i].Geometry) || s.ExternalID != b[i].ExternalID {
			t.Fatalf("block %d differs between runs", i)
		}
		c := byID[strings.Split(strings.TrimPrefix(s.ExternalID, "DEMO-F"), "-")[0]]
		if s.Kind != skygrid.SiteCropland || !strings.HasPrefix(s.Name, "示例耕地"+c.Name) || s.Source != demo.Source {
			t.Fatalf("block %+v", s)
		}
		mp := s.Geometry.Bound()
		for _, p := range []orb.Point{mp.Min, mp.Max, {mp.Min[0], mp.Max[1]}, {mp.Max[0], mp.Min[1]}} {
			if !planar.MultiPolygonContains(c.Geometry, p) {
				t.Fatalf("%s: corner %v outside %s", s.ExternalID, p, c.Name)
			}
		}
		if geo.DistanceMeters(mp.Center(), centre) < 6000 {
			t.Errorf("%s in 平城区's urban core", s.ExternalID)
		}
		share[c.ID] += s.AreaM2 / 1e6 / c.AreaKm2
	}
	for id, f := range share {
		if f < 0.22 && id != "140213" || f > 0.36 || f < 0.05 {
			t.Errorf("%s %s: %.0f%% cropland", id, byID[id].Name, 100*f)
		}
	}
}

// A daily file cut into its passes: every row in exactly one part, each
// part one pass arriving 3 h after its newest detection, in order.
func TestSplitPasses(t *testing.T) {
	names, _ := fs.Glob(data.FS, data.FIRMSOctober+"/*.csv")
	total := 0
	for _, name := range names {
		b, _ := fs.ReadFile(data.FS, name)
		parts, err := demo.SplitPasses(b, path.Base(name), 3*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		header := b[:bytes.IndexByte(b, '\n')+1]
		rows := 0
		var last time.Time
		for _, p := range parts {
			if !bytes.HasPrefix(p.Data, header) || p.Arrival.Before(last) {
				t.Fatalf("%s: a part without the header or out of order", name)
			}
			last = p.Arrival
			newest, err := demo.ArrivalOf(bytes.NewReader(p.Data), p.Name, 0)
			if err != nil || !p.Arrival.Equal(newest.Add(3*time.Hour)) {
				t.Errorf("%s: arrives %s, newest detection %s (%v)", name, p.Arrival, newest, err)
			}
			oldest := oldestOf(t, p.Data)
			if newest.Sub(oldest) > time.Hour {
				t.Errorf("%s: a part spans %s to %s", name, oldest, newest)
			}
			rows += bytes.Count(p.Data, []byte{'\n'}) - 1
		}
		if want := bytes.Count(bytes.TrimRight(b, "\n"), []byte{'\n'}); rows != want {
			t.Errorf("%s: %d rows in the parts, %d in the file", name, rows, want)
		}
		total += len(parts)
	}
	if total <= len(names) {
		t.Errorf("%d parts of %d files", total, len(names))
	}
	// A row that cannot be read: the file stays whole.
	bad := dispatchtest.VIIRSHeader + row(39.70, 113.70, "2023-10-24", "0530") + row(39.70, 113.70, "2023-10-24", "1930") + "x,y\n"
	whole, err := demo.SplitPasses([]byte(bad), "bad.csv", time.Hour)
	if err != nil || len(whole) != 1 || string(whole[0].Data) != bad || !whole[0].Arrival.Equal(time.Date(2023, 10, 24, 20, 30, 0, 0, time.UTC)) {
		t.Errorf("a file that cannot be cut: %v, %+v", err, whole)
	}
	two, err := demo.SplitPasses([]byte(bad[:len(bad)-4]), "two.csv", time.Hour)
	if err != nil || len(two) != 2 || !two[0].Arrival.Equal(time.Date(2023, 10, 24, 6, 30, 0, 0, time.UTC)) {
		t.Errorf("two passes: %v, %+v", err, two)
	}
}

func oldestOf(t *testing.T, b []byte) time.Time {
	t.Helper()
	newest, _ := demo.ArrivalOf(bytes.NewReader(b), "x.csv", 0)
	oldest := newest
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for _, l := range lines[1:] {
		one, err := demo.ArrivalOf(strings.NewReader(lines[0]+"\n"+l+"\n"), "x.csv", 0)
		if err == nil && one.Before(oldest) {
			oldest = one
		}
	}
	return oldest
}

func row(lat, lon float64, date, hhmm string) string { return dispatchtest.Row(lat, lon, date, hhmm) }
