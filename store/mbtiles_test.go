package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"skygrid/store"
	"skygrid/tiles"
)

// writeMBTiles makes an MBTiles file holding one 256 px tile of one colour
// at z/x/y (XYZ numbering; the file stores TMS rows).
func writeMBTiles(t *testing.T, z, x, y int, col color.NRGBA) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "base.mbtiles")
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	img := image.NewNRGBA(image.Rect(0, 0, 256, 256))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = col.R, col.G, col.B, col.A
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	for _, q := range []string{
		`CREATE TABLE metadata (name TEXT, value TEXT)`,
		`CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)`,
		`INSERT INTO metadata VALUES ('name', 'test basemap'), ('format', 'png'), ('attribution', 'test')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO tiles VALUES (?, ?, ?, ?)`, z, x, (1<<z)-1-y, buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	return path
}

func colourAt(t *testing.T, data []byte, x, y int) color.NRGBA {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
}

func TestMBTilesBasemap(t *testing.T) {
	red := color.NRGBA{200, 30, 30, 255}
	path := writeMBTiles(t, 3, 6, 3, red)
	mb, err := store.OpenMBTiles(path)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	if mb.MaxZoom() != 3 || mb.Name != "test basemap" {
		t.Errorf("maxzoom %d, name %q", mb.MaxZoom(), mb.Name)
	}
	ctx := context.Background()
	raw, err := mb.BaseTile(ctx, 3, 6, 3)
	if err != nil || raw == nil {
		t.Fatalf("tile 3/6/3: %v", err)
	}
	if none, err := mb.BaseTile(ctx, 3, 0, 0); none != nil || err != nil {
		t.Errorf("absent tile: %d bytes, %v", len(none), err)
	}

	db := store.NewDB(filepath.Join(t.TempDir(), "x.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := tiles.NewServer(db, tiles.Options{Basemap: mb})
	if err != nil {
		t.Fatal(err)
	}
	get := func(z, x, y, scale int) *tiles.Tile {
		tile, _, err := s.Get(ctx, tiles.Request{Layer: tiles.LayerBase, Z: z, X: x, Y: y, Scale: scale, Format: "png"})
		if err != nil {
			t.Fatal(err)
		}
		return tile
	}
	if tile := get(3, 6, 3, 1); !bytes.Equal(tile.Data, raw) {
		t.Error("a stored tile is not served as stored")
	}
	// Deeper than the file: cut from the stored tile and resampled.
	for _, tc := range []struct{ z, x, y, scale int }{{5, 24, 12, 1}, {5, 27, 15, 1}, {3, 6, 3, 2}, {6, 55, 31, 2}} {
		data := get(tc.z, tc.x, tc.y, tc.scale).Data
		n := 256 * tc.scale
		img, _ := png.Decode(bytes.NewReader(data))
		if img.Bounds().Dx() != n {
			t.Errorf("%+v: %d px", tc, img.Bounds().Dx())
		}
		if c := colourAt(t, data, n/2, n/2); c != red {
			t.Errorf("%+v: colour %v, want %v", tc, c, red)
		}
	}
	// Where the file has nothing, the basemap drawn from the boundaries
	// (here: none imported, the plain background).
	if c := colourAt(t, get(3, 0, 0, 1).Data, 10, 10); c == red || c.A != 255 {
		t.Errorf("fallback colour %v", c)
	}
}

func TestMBTilesRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "x.mbtiles")
	os.WriteFile(notDB, []byte("hello"), 0o644)
	other := filepath.Join(dir, "skygrid.db")
	db := store.NewDB(other)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, p := range []string{notDB, other, filepath.Join(dir, "missing.mbtiles")} {
		_, err := store.OpenMBTiles(p)
		if err == nil || !strings.Contains(err.Error(), "basemap "+p) {
			t.Errorf("%s: %v", p, err)
		}
	}
}
