package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"skygrid"
	"skygrid/config"
	"skygrid/registry"
	"skygrid/store"
)

// ImportCommand is skygrid import: regions, supervisors, sites and heat
// sources, through the importer the web app uses too.
type ImportCommand struct{ *Main }

// Usage of skygrid import.
func (m *ImportCommand) Usage() string {
	return `Usage: skygrid import regions|supervisors|sites|heat-sources FILE [flags]

  import regions FILE.geojson --level city|county|township|grid [--parent ID] [--crs wgs84|cgcs2000|gcj02] [--neighbour]
  import supervisors FILE.csv          columns grid_id, name, phone
  import sites FILE.geojson|FILE.csv --kind construction|stockpile|nocoal|cropland|industrial [--prop attr=column]
  import heat-sources FILE.csv...      Global Power Plant Database or GEM steel plant tracker
  import stations FILE.csv             air-quality stations (code, name, city, lon, lat; CNEMC's Chinese headers too)
  import monitors FILE.csv|FILE.geojson dust monitors and air stations (MN/设备编号, PW/访问密码, lon, lat, site/所属工地, ...)
  import emergency FILE.csv|FILE.xlsx  the emergency list (应急减排清单): 名称, 编号, 区县, 预警级别, 减排措施, 联系人, 联系电话

A bad feature or row refuses the whole file, naming its line and field.
Run 'skygrid import KIND -h' for the flags.

Examples:
  skygrid import regions datong_counties.geojson --level county
  skygrid import regions grids.geojson --level grid --crs gcj02
  skygrid import supervisors supervisors.csv
  skygrid import sites sites.csv --kind construction --prop permit=许可证号
  skygrid import heat-sources global_power_plant_database.csv
  skygrid import stations datong_stations.csv
  skygrid import monitors monitors.csv
  skygrid import emergency 应急减排清单.xlsx
`
}

// Run imports one kind of file.
func (m *ImportCommand) Run(ctx context.Context, args []string) error {
	if len(args) > 0 && isHelp(args[0]) {
		return m.commandHelp(m)
	}
	if len(args) == 0 {
		return fmt.Errorf("import: want regions, supervisors, sites or heat-sources")
	}
	switch args[0] {
	case "regions":
		return m.regions(ctx, args[1:])
	case "supervisors":
		return m.supervisors(ctx, args[1:])
	case "sites":
		return m.sites(ctx, args[1:])
	case "heat-sources":
		return m.heatSources(ctx, args[1:])
	case "stations":
		return m.importStations(ctx, args[1:])
	case "monitors":
		return m.monitors(ctx, args[1:])
	case "emergency":
		return m.emergency(ctx, args[1:])
	}
	return fmt.Errorf("import: unknown kind %q (want regions, supervisors, sites or heat-sources)", args[0])
}

func (m *ImportCommand) regions(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("import regions", "Usage: skygrid import regions FILE.geojson --level county|township|grid [flags]\n\nPolygon and MultiPolygon features (holes kept). A bad feature refuses the whole file.", &c)
	level := fs.String("level", "", "level of every feature: city, county, township or grid (required)")
	idProp := fs.String("id-prop", registry.DefaultRegionIDProps, "property holding the region id (comma-separated: first found)")
	nameProp := fs.String("name-prop", registry.DefaultRegionNameProps, "property holding the name")
	parentProp := fs.String("parent-prop", registry.DefaultRegionParentProps, "property holding the parent region id")
	parent := fs.String("parent", "", "parent region id for features without a parent property")
	crs := fs.String("crs", "wgs84", "coordinate system of the file: wgs84, cgcs2000 or gcj02 (converted to WGS84)")
	neighbour := fs.Bool("neighbour", false, "the file holds counties of a neighbouring city (--level county): kept only to name where a cross-border fire burns")
	files, err := m.parseFiles(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if *level == "" {
		return fmt.Errorf("import regions: --level is required (county, township or grid)")
	}
	req := skygrid.ImportRequest{Kind: skygrid.ImportRegions, Level: *level, IDProp: *idProp, NameProp: *nameProp, ParentID: *parent, CRS: *crs,
		Neighbour: *neighbour}
	if flagSet(fs, "parent-prop") {
		// Given on purpose: parents are kept as the file names them.
		req.ParentProp = *parentProp
	}
	return m.importFile(ctx, &c, files[0], req)
}

// importFile runs one import through the importer the web uses too and
// prints its summary (notes on stderr).
func (m *ImportCommand) importFile(ctx context.Context, c *common, path string, req skygrid.ImportRequest) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	db, p, cfg, err := m.openPipeline(c)
	if err != nil {
		return err
	}
	defer db.Close()
	req.Name, req.Body = path, f
	rep, err := registry.Importer{Pipeline: p}.Import(ctx, req)
	if err != nil {
		return err
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(m.Stderr, "note: %s\n", n)
	}
	fmt.Fprint(m.Stdout, rep.Text)
	if req.Kind == skygrid.ImportSites {
		return m.inspectSites(ctx, db, cfg)
	}
	return nil
}

// inspectSites opens an inspection task for each registry violation
// that has none being worked (the schedule of serve does it too).
func (m *ImportCommand) inspectSites(ctx context.Context, db *store.DB, cfg config.Config) error {
	sink, err := m.readingSink(db, cfg)
	if err != nil {
		return err
	}
	res, err := sink.Inspect(ctx)
	if err != nil {
		return err
	}
	if res.EventsNew > 0 {
		fmt.Fprintf(m.Stderr, "note: %d inspection tasks opened for sites breaking a rule\n", res.EventsNew)
	}
	return nil
}

// flagSet reports whether the flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func (m *ImportCommand) supervisors(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("import supervisors", "Usage: skygrid import supervisors FILE.csv [flags]\n\nColumns (by header): grid_id, name, phone. A grid's previous supervisor is replaced.", &c)
	files, err := m.parseFiles(fs, args, 1, 1)
	if err != nil {
		return err
	}
	return m.importFile(ctx, &c, files[0], skygrid.ImportRequest{Kind: skygrid.ImportSupervisors})
}

func (m *ImportCommand) heatSources(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("import heat-sources", "Usage: skygrid import heat-sources FILE.csv... [flags]\n\nGlobal Power Plant Database CSV (thermal plants kept: coal, gas, oil, biomass, waste, coal mine methane) or GEM steel plant tracker CSV.", &c)
	files, err := m.parseFiles(fs, args, 1, -1)
	if err != nil {
		return err
	}
	for _, path := range files {
		if err := m.importFile(ctx, &c, path, skygrid.ImportRequest{Kind: skygrid.ImportHeatSources}); err != nil {
			return err
		}
	}
	return nil
}

// propFlags collects repeated --prop attr=name flags.
type propFlags map[string]string

func (p propFlags) String() string { return fmt.Sprint(map[string]string(p)) }

func (p propFlags) Set(v string) error {
	attr, name, err := skygrid.ParseProp(v)
	if err != nil {
		return err
	}
	p[attr] = name
	return nil
}

func (m *ImportCommand) sites(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("import sites", `Usage: skygrid import sites FILE.geojson|FILE.csv --kind construction|stockpile|nocoal|cropland|industrial [flags]

GeoJSON features, or CSV rows with a WKT column (wkt, geometry) or lon and lat
columns. Attributes are found by English or Chinese names; --prop maps others:
  construction  permit, builder, start_date, end_date, video (yes/no, required),
                platform_id; area_m2 for point sites (polygons are measured)
  stockpile     material (coal, ore, sand, other), suppression (covered,
                sprinklers, enclosed, none): both required
  nocoal        effective_date (polygons only); cropland: polygons only
  industrial    points or polygons
A bad feature refuses the whole file. Open events are reclassified where the
new layer changes their class, in the same transaction.`, &c)
	kind := fs.String("kind", "", "what the file holds: "+strings.Join(skygrid.SiteKinds, ", ")+" (required)")
	idProp := fs.String("id-prop", registry.DefaultSiteIDProps, "property or column holding the site id (comma-separated: first found)")
	nameProp := fs.String("name-prop", registry.DefaultSiteNameProps, "property or column holding the name")
	props := propFlags{}
	fs.Var(props, "prop", "attribute=property: where an attribute is, e.g. --prop permit=许可证号 (repeatable)")
	wktCol := fs.String("wkt-col", "", "CSV: the WKT geometry column (default: wkt, geometry, geom)")
	lonCol := fs.String("lon-col", "", "CSV: the longitude column (default: lon, lng, longitude, 经度)")
	latCol := fs.String("lat-col", "", "CSV: the latitude column (default: lat, latitude, 纬度)")
	crs := fs.String("crs", "wgs84", "coordinate system of the file: wgs84, cgcs2000, gcj02 or bd09 (converted to WGS84)")
	files, err := m.parseFiles(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if *kind == "" {
		return fmt.Errorf("import sites: --kind is required (%s)", strings.Join(skygrid.SiteKinds, ", "))
	}
	return m.importFile(ctx, &c, files[0], skygrid.ImportRequest{Kind: skygrid.ImportSites, SiteKind: *kind, IDProp: *idProp,
		NameProp: *nameProp, Props: props, WKTCol: *wktCol, LonCol: *lonCol, LatCol: *latCol, CRS: *crs})
}

func (m *ImportCommand) emergency(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("import emergency", `Usage: skygrid import emergency FILE.csv|FILE.xlsx [flags]

The emergency list (应急减排清单) of heavy-pollution warnings: one row per site
or enterprise and level, CSV (UTF-8 or GBK) or XLSX (the first sheet), with
Chinese or English headers: 名称/name, 编号/external_id (the registry's site
id, optional), 区县/county (id or name), 预警级别/level (黄色, 橙色, 红色, 蓝色),
减排措施/measures (separated by ；;、|), 联系人/contact, 联系电话/phone.
The list replaces the stored one. Rows matching no registry site are kept
and listed. A bad row refuses the whole file, naming its line and field.`, &c)
	files, err := m.parseFiles(fs, args, 1, 1)
	if err != nil {
		return err
	}
	return m.importFile(ctx, &c, files[0], skygrid.ImportRequest{Kind: skygrid.ImportEmergency})
}
