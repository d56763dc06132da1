// Package data embeds the real datasets that `skygrid demo` loads and the
// tests use. See README.md for sources and credits.
package data

import "embed"

// FS holds boundaries/, admin/, heat_sources/ and firms/.
//
//go:embed README.md boundaries admin heat_sources firms
var FS embed.FS

// Paths of the embedded files.
const (
	Districts      = "boundaries/datong_districts_tianditu_cgcs2000.geojson"
	Outline        = "boundaries/datong_outline_tianditu_cgcs2000.geojson"
	Townships      = "admin/datong_townships.csv"
	PowerPlantsWRI = "heat_sources/gppd_wri_china_shanxi_bbox.csv"
	PowerPlantsGEO = "heat_sources/gppd_geodb_china_shanxi_bbox.csv"
	SteelPlants    = "heat_sources/gem_steel_plants_shanxi.csv"
	FIRMSOctober   = "firms/viirs_noaa20_datong_2023-10"
)
