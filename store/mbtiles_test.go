package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"skygrid/internal/storetest"
	"skygrid/store"
	"skygrid/tiles"
)

// quadrants are the colours of the test tile's quarters: top left, top
// right, bottom left, bottom right.
var quadrants = [4]color.NRGBA{{200, 30, 30, 255}, {30, 200, 30, 255}, {30, 30, 200, 255}, {200, 200, 30, 255}}

// writeMBTiles makes an MBTiles file holding one 256 px tile at z/x/y (XYZ
// numbering; the file stores TMS rows), its quarters in four colours.
func writeMBTiles(t *testing.T, z, x, y int) string {
	t.Helper()
	var buf bytes.Buffer
	png.Encode(&buf, quadrantTile())
	return writeMBTilesData(t, z, x, y, buf.Bytes(), "png")
}

// quadrantTile is a 256 px tile, its quarters in the four quadrants.
func quadrantTile() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 256, 256))
	for py := 0; py < 256; py++ {
		for px := 0; px < 256; px++ {
			img.SetNRGBA(px, py, quadrants[py/128*2+px/128])
		}
	}
	return img
}

// writeMBTilesData makes an MBTiles file holding one tile of the bytes
// given at z/x/y, with the format named in its metadata ("" for none).
func writeMBTilesData(t *testing.T, z, x, y int, data []byte, format string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "base.mbtiles")
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`CREATE TABLE metadata (name TEXT, value TEXT)`,
		`CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)`,
		`INSERT INTO metadata VALUES ('name', 'test basemap'), ('attribution', 'test')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if format != "" {
		if _, err := db.Exec(`INSERT INTO metadata VALUES ('format', ?)`, format); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO tiles VALUES (?, ?, ?, ?)`, z, x, (1<<z)-1-y, data); err != nil {
		t.Fatal(err)
	}
	return path
}

// basemapServer is a tile server over an empty store (the run's) with mb
// as its basemap.
func basemapServer(t *testing.T, mb *store.MBTiles) *tiles.Server {
	t.Helper()
	db := storetest.NewDB(t, "x.db")
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := tiles.NewServer(db, tiles.Options{Basemap: mb})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A basemap's tiles are told apart by their first bytes when the metadata
// names no format: PNG and JPEG are served as stored with their type,
// WebP and vector tiles are refused when the file is opened.
func TestMBTilesTileFormats(t *testing.T) {
	var pngBuf, jpegBuf bytes.Buffer
	png.Encode(&pngBuf, quadrantTile())
	jpeg.Encode(&jpegBuf, quadrantTile(), nil)
	webp := append([]byte("RIFF\x24\x00\x00\x00WEBPVP8 "), make([]byte, 32)...)
	gzipped := append([]byte{0x1f, 0x8b, 0x08, 0x00}, make([]byte, 32)...) // a gzipped vector tile
	for _, tc := range []struct {
		name string
		data []byte
		want string // the tile's content type, "" when refused
	}{
		{"PNG", pngBuf.Bytes(), "image/png"},
		{"JPEG", jpegBuf.Bytes(), "image/jpeg"},
		{"WebP", webp, ""},
		{"gzipped vector tile", gzipped, ""},
		{"text", []byte("<html>not a tile</html>"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mb, err := store.OpenMBTiles(writeMBTilesData(t, 3, 6, 3, tc.data, ""))
			if tc.want == "" {
				if err == nil || !strings.Contains(err.Error(), "must be raster PNG or JPEG") {
					t.Fatalf("opened: %v, want refused", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer mb.Close()
			tile, _, err := basemapServer(t, mb).Get(context.Background(), tiles.Request{Layer: tiles.LayerBase, Z: 3, X: 6, Y: 3, Scale: 1, Format: "png"})
			if err != nil {
				t.Fatal(err)
			}
			if tile.ContentType != tc.want || !bytes.Equal(tile.Data, tc.data) {
				t.Errorf("served %s (%d bytes), want %s as stored (%d bytes)", tile.ContentType, len(tile.Data), tc.want, len(tc.data))
			}
		})
	}
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
	path := writeMBTiles(t, 3, 6, 3)
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

	s := basemapServer(t, mb)
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
	// Deeper than the file: the part of the stored tile under the
	// requested one, resampled: each child of 3/6/3 at zoom 4 is one
	// quarter's colour, so are the grandchildren at zoom 5.
	for _, tc := range []struct {
		z, x, y, scale int
		quarter        int
	}{
		{4, 12, 6, 1, 0}, {4, 13, 6, 1, 1}, {4, 12, 7, 1, 2}, {4, 13, 7, 1, 3},
		{5, 24, 12, 1, 0}, {5, 27, 15, 1, 3}, {5, 26, 13, 2, 1}, {6, 55, 31, 2, 3},
	} {
		data := get(tc.z, tc.x, tc.y, tc.scale).Data
		n := 256 * tc.scale
		img, _ := png.Decode(bytes.NewReader(data))
		if img.Bounds().Dx() != n {
			t.Errorf("%+v: %d px", tc, img.Bounds().Dx())
		}
		for _, at := range [][2]int{{n / 2, n / 2}, {n / 8, n / 8}, {n - n/8, n - n/8}} {
			if c := colourAt(t, data, at[0], at[1]); c != quadrants[tc.quarter] {
				t.Errorf("%+v at %v: colour %v, want %v", tc, at, c, quadrants[tc.quarter])
			}
		}
	}
	// @2x of the stored tile keeps the quarters in place.
	big := get(3, 6, 3, 2).Data
	for q, at := range [][2]int{{100, 100}, {400, 100}, {100, 400}, {400, 400}} {
		if c := colourAt(t, big, at[0], at[1]); c != quadrants[q] {
			t.Errorf("@2x quarter %d: %v", q, c)
		}
	}
	// Where the file has nothing, and more than 7 zooms below its deepest
	// tile, the basemap drawn from the boundaries (here: none imported,
	// the plain background).
	for _, tl := range [][3]int{{3, 0, 0}, {12, 6 << 9, 3 << 9}} {
		if c := colourAt(t, get(tl[0], tl[1], tl[2], 1).Data, 10, 10); c != (color.NRGBA{0xdd, 0xe3, 0xe8, 255}) {
			t.Errorf("fallback %v colour %v", tl, c)
		}
	}
}

func TestMBTilesRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "x.mbtiles")
	os.WriteFile(notDB, []byte("hello"), 0o644)
	other := filepath.Join(dir, "skygrid.db") // a basemap is a file: skygrid's own SQLite file is not one, on either store
	db := store.NewDB(other)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	db.Close()
	webp := writeMBTiles(t, 1, 0, 0)
	w, _ := sql.Open("sqlite3", webp)
	if _, err := w.Exec(`UPDATE metadata SET value = 'webp' WHERE name = 'format'`); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if _, err := store.OpenMBTiles(webp); err == nil || !strings.Contains(err.Error(), "holds webp tiles") {
		t.Errorf("webp basemap: %v", err)
	}
	for _, p := range []string{notDB, other, filepath.Join(dir, "missing.mbtiles")} {
		_, err := store.OpenMBTiles(p)
		if err == nil || !strings.Contains(err.Error(), "basemap "+p) {
			t.Errorf("%s: %v", p, err)
		}
	}
}
