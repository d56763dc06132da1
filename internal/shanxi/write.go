package shanxi

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"skygrid/internal/perfgen"

	"github.com/paulmach/orb"
)

// Monitors is how many dust monitors the province has.
const Monitors = 5000

// Readme is written beside the files: what they are and how to import them.
const Readme = `SYNTHETIC Shanxi province (skygrid internal/shanxi; invented for benchmarks)
Shanxi's real bounding box (110.2-114.6 E, 34.6-40.7 N) and its cities' names;
everything else is invented: shapes, counties, townships, grids, supervisors,
monitors, detections. Every name says 示例; every id starts with SX.

  skygrid import regions cities.geojson --level city
  skygrid import regions counties.geojson --level county
  skygrid import regions townships.geojson --level township
  skygrid import regions grids.geojson --level grid
  skygrid import supervisors supervisors.csv
  skygrid import monitors monitors.csv
  skygrid ingest points.csv
`

// Write generates the province for seed and writes its files into dir,
// with points detections (perfgen.ShanxiPoints for the full season).
func Write(dir string, seed uint64, points int) (*Province, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	p := Generate(seed)
	grids := make([]Region, len(p.Grids))
	for i, g := range p.Grids {
		grids[i] = Region{ID: g.ID, Name: "示例网格" + g.ID[len(perfgen.ShanxiPrefix):], ParentID: p.Townships[p.GridTownship[i]].ID,
			Geometry: orb.MultiPolygon{Polygon(g)}}
	}
	files := []struct {
		name string
		fill func(w io.Writer) error
	}{
		{"cities.geojson", func(w io.Writer) error { return writeRegions(w, "shanxi_cities", p.Cities) }},
		{"counties.geojson", func(w io.Writer) error { return writeRegions(w, "shanxi_counties", p.Counties) }},
		{"townships.geojson", func(w io.Writer) error { return writeRegions(w, "shanxi_townships", p.Townships) }},
		{"grids.geojson", func(w io.Writer) error { return writeRegions(w, "shanxi_grids", grids) }},
		{"supervisors.csv", func(w io.Writer) error { return writeSupervisors(w, p.Grids) }},
		{"monitors.csv", func(w io.Writer) error { return writeMonitors(w, seed) }},
		{"points.csv", func(w io.Writer) error {
			_, _, err := perfgen.WritePoints(w, points, seed, perfgen.Shanxi, perfgen.ShanxiClusters)
			return err
		}},
		{"README.txt", func(w io.Writer) error { _, err := io.WriteString(w, Readme); return err }},
	}
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, f.name), f.fill); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func writeFile(path string, fill func(w io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := fill(bw); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// writeRegions writes a FeatureCollection of MultiPolygons with
// properties id, name and parent_id (one feature a line).
func writeRegions(w io.Writer, name string, rs []Region) error {
	fmt.Fprintf(w, "{\"type\":\"FeatureCollection\",\"name\":%q,\"features\":[\n", name)
	buf := make([]byte, 0, 1<<16)
	for i, r := range rs {
		buf = buf[:0]
		if i > 0 {
			buf = append(buf, ",\n"...)
		}
		props := map[string]string{"id": r.ID, "name": r.Name}
		if r.ParentID != "" {
			props["parent_id"] = r.ParentID
		}
		pj, _ := json.Marshal(props)
		buf = fmt.Appendf(buf, `{"type":"Feature","properties":%s,"geometry":{"type":"MultiPolygon","coordinates":[`, pj)
		for k, poly := range r.Geometry {
			buf = appendSep(buf, k)
			buf = append(buf, '[')
			for j, ring := range poly {
				buf = appendSep(buf, j)
				buf = append(buf, '[')
				for q, pt := range ring {
					buf = appendSep(buf, q)
					buf = append(buf, '[')
					buf = strconv.AppendFloat(buf, pt[0], 'f', -1, 64)
					buf = append(buf, ',')
					buf = strconv.AppendFloat(buf, pt[1], 'f', -1, 64)
					buf = append(buf, ']')
				}
				buf = append(buf, ']')
			}
			buf = append(buf, ']')
		}
		buf = append(buf, "]}}"...)
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "\n]}\n")
	return err
}

func appendSep(buf []byte, i int) []byte {
	if i > 0 {
		return append(buf, ',')
	}
	return buf
}

// writeSupervisors writes grid_id,name,phone: one invented supervisor
// per grid, phones in the 19900000000 block.
func writeSupervisors(w io.Writer, grids []perfgen.Grid) error {
	io.WriteString(w, "grid_id,name,phone\n")
	for i, g := range grids {
		if _, err := fmt.Fprintf(w, "%s,示例网格员%05d,199%08d\n", g.ID, i+1, i+1); err != nil {
			return err
		}
	}
	return nil
}

// writeMonitors writes mn,pw,name,lon,lat,kind: Monitors invented dust
// monitors spread uniformly over the box.
func writeMonitors(w io.Writer, seed uint64) error {
	io.WriteString(w, "mn,pw,name,lon,lat,kind\n")
	b := perfgen.Shanxi
	pts := perfgen.Uniform(Monitors, seed+7, b)
	for i, pt := range pts {
		if _, err := fmt.Fprintf(w, "SXM%08d,123456,示例扬尘监测仪%04d,%.6f,%.6f,dust\n", i+1, i+1, pt[0], pt[1]); err != nil {
			return err
		}
	}
	return nil
}
