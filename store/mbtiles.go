package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // the basemap tiles decoded: JPEG
	_ "image/png"  // and PNG
	"os"
)

// MBTiles is a raster basemap in an MBTiles file (SQLite; rows in TMS
// numbering), opened read-only.
type MBTiles struct {
	db      *sql.DB
	path    string
	maxZoom int
	stmt    *sql.Stmt
	// Name and Attribution from the metadata table, if given.
	Name, Attribution, Format string
}

// OpenMBTiles opens an MBTiles file and checks it holds raster tiles.
func OpenMBTiles(path string) (*MBTiles, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("basemap %s: %w", path, err)
	}
	db, err := sql.Open("sqlite3", fileURI(path)+"?mode=ro&_query_only=1")
	if err != nil {
		return nil, fmt.Errorf("basemap %s: %w", path, err)
	}
	m := &MBTiles{db: db, path: path}
	fail := func(err error) (*MBTiles, error) {
		db.Close()
		return nil, fmt.Errorf("basemap %s: not an MBTiles file: %w", path, err)
	}
	var maxZ sql.NullInt64
	if err := db.QueryRow(`SELECT MAX(zoom_level) FROM tiles`).Scan(&maxZ); err != nil {
		return fail(err)
	}
	if !maxZ.Valid {
		return fail(errors.New("the tiles table is empty"))
	}
	m.maxZoom = int(maxZ.Int64)
	rows, err := db.Query(`SELECT name, value FROM metadata`)
	if err == nil {
		for rows.Next() {
			var k, v string
			if rows.Scan(&k, &v) == nil {
				switch k {
				case "name":
					m.Name = v
				case "attribution":
					m.Attribution = v
				case "format":
					m.Format = v
				}
			}
		}
		rows.Close()
	}
	switch m.Format {
	case "", "png", "jpg", "jpeg":
	default:
		return fail(fmt.Errorf("it holds %s tiles; the basemap must be raster PNG or JPEG", m.Format))
	}
	// The metadata may be missing or wrong: look at a tile.
	var sample []byte
	if err := db.QueryRow(`SELECT tile_data FROM tiles LIMIT 1`).Scan(&sample); err != nil {
		return fail(err)
	}
	// Only PNG and JPEG decoders are registered here: WebP, vector tiles
	// and the rest are refused by their first bytes.
	if _, _, err := image.DecodeConfig(bytes.NewReader(sample)); err != nil {
		return fail(fmt.Errorf("its tiles are not PNG or JPEG (%v); the basemap must be raster PNG or JPEG", err))
	}
	if m.stmt, err = db.Prepare(`SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?`); err != nil {
		return fail(err)
	}
	return m, nil
}

// MaxZoom is the deepest zoom in the file.
func (m *MBTiles) MaxZoom() int { return m.maxZoom }

// BaseTile returns the tile at z/x/y (XYZ numbering), nil if absent.
func (m *MBTiles) BaseTile(ctx context.Context, z, x, y int) ([]byte, error) {
	var data []byte
	err := m.stmt.QueryRowContext(ctx, z, x, (1<<z)-1-y).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("basemap %s: %w", m.path, err)
	}
	return data, nil
}

// Close closes the file.
func (m *MBTiles) Close() error {
	m.stmt.Close()
	return m.db.Close()
}
