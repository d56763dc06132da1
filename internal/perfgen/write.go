package perfgen

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
)

// WriteGeoJSON writes grids as a FeatureCollection named name, properties
// grid_id, township and supervisor (one feature a line).
func WriteGeoJSON(w io.Writer, name string, grids []Grid) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintf(bw, "{\"type\":\"FeatureCollection\",\"name\":%q,\"features\":[\n", name)
	buf := make([]byte, 0, 8192)
	for i, g := range grids {
		buf = buf[:0]
		if i > 0 {
			buf = append(buf, ",\n"...)
		}
		props, _ := json.Marshal(map[string]string{"grid_id": g.ID, "township": g.Township, "supervisor": g.Supervisor})
		buf = fmt.Appendf(buf, "{\"type\":\"Feature\",\"id\":%d,\"properties\":%s,\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[", i+1, props)
		buf = appendRing(buf, g.Ring)
		buf = append(buf, "]]}}"...)
		bw.Write(buf)
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}

// appendRing appends a ring's positions, shortest decimals.
func appendRing(buf []byte, ring [][2]float64) []byte {
	for j, p := range ring {
		if j > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '[')
		buf = strconv.AppendFloat(buf, p[0], 'f', -1, 64)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, p[1], 'f', -1, 64)
		buf = append(buf, ']')
	}
	return buf
}

// writeFile creates path and writes it with fill.
func writeFile(path string, fill func(w io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fill(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// writeCounts writes grid_id,count: how many points each grid holds.
func writeCounts(path string, grids []Grid, res []int32) error {
	counts := make([]int, len(grids))
	for _, gi := range res {
		if gi >= 0 {
			counts[gi]++
		}
	}
	return writeFile(path, func(f io.Writer) error {
		w := bufio.NewWriter(f)
		w.WriteString("grid_id,count\n")
		for i, g := range grids {
			fmt.Fprintf(w, "%s,%d\n", g.ID, counts[i])
		}
		return w.Flush()
	})
}

// writeAssign writes id,grid_id for every point (id: 1-based data row).
func writeAssign(path string, grids []Grid, res []int32) error {
	return writeFile(path, func(f io.Writer) error {
		w := bufio.NewWriterSize(f, 1<<20)
		w.WriteString("id,grid_id\n")
		for i, gi := range res {
			id := ""
			if gi >= 0 {
				id = grids[gi].ID
			}
			fmt.Fprintf(w, "%d,%s\n", i+1, id)
		}
		return w.Flush()
	})
}

func sha(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "error: " + err.Error()
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil))
}
