package main

import (
	"context"
	"fmt"
	"math"
	"skygrid/registry"
	"strconv"
	"strings"

	"skygrid"
)

// GridCommand is skygrid grid generate: square grid cells.
type GridCommand struct{ *Main }

// Usage of skygrid grid.
func (m *GridCommand) Usage() string {
	return `Usage: skygrid grid generate --cell 3km [--county ID[,ID...]] [flags]

Generates square grid cells clipped to each imported county, ids
COUNTY-ROW-COL (row 0 in the north), for a city whose grids are not yet
drawn; import the real grids with import regions --level grid instead.

Examples:
  skygrid grid generate --cell 3km
  skygrid grid generate --cell 1500m --county 140225,140226
`
}

// Run generates the grid cells.
func (m *GridCommand) Run(ctx context.Context, args []string) error {
	if len(args) > 0 && isHelp(args[0]) {
		return m.commandHelp(m)
	}
	if len(args) == 0 || args[0] != "generate" {
		return fmt.Errorf("grid: want 'grid generate --cell 3km'")
	}
	var c common
	fs := m.newFlags("grid generate", "Usage: skygrid grid generate --cell 3km [flags]\n\nSquare cells clipped to each county, ids COUNTY-ROW-COL (row 0 in the north).", &c)
	cell := fs.String("cell", "3km", "cell size: 3km, 1500m, ...")
	counties := fs.String("county", "", "comma-separated county ids (default: every county)")
	if _, err := m.parse(fs, args[1:]); err != nil {
		return err
	}
	metres, err := parseLength(*cell)
	if err != nil {
		return fmt.Errorf("grid generate: --cell: %w", err)
	}
	db, _, err := m.open(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	var ids []string
	if *counties != "" {
		ids = strings.Split(*counties, ",")
	}
	cells, err := registry.GenerateGrids(ctx, db, metres, ids)
	if err != nil {
		return err
	}
	if err := db.ImportRegions(ctx, cells); err != nil {
		return err
	}
	per := map[string]int{}
	for _, r := range cells {
		per[r.ParentID]++
	}
	fmt.Fprintf(m.Stdout, "generated %d grid cells of %s in %d counties\n", len(cells), *cell, len(per))
	return nil
}

// The grid cells' size: a 100 m cell makes 1.4 million cells of Datong.
const minCell, maxCell = 100.0, 100000.0

// parseLength reads "3km", "3000m" or "3000".
func parseLength(s string) (float64, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "km"):
		s, mult = strings.TrimSuffix(s, "km"), 1000
	case strings.HasSuffix(s, "m"):
		s = strings.TrimSuffix(s, "m")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || v*mult < minCell || v*mult > maxCell {
		return 0, fmt.Errorf("want a length like 3km or 1500m, from %.0fm to %.0fkm, got %s", minCell, maxCell/1000, skygrid.Clip(s))
	}
	return v * mult, nil
}
