package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"skygrid"
	"skygrid/detect"
	"skygrid/dispatch"
	"skygrid/store"
)

// runImport: skygrid import regions|supervisors|sites|heat-sources FILE [flags]
func (m *Main) runImport(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("import: want regions, supervisors, sites or heat-sources")
	}
	switch args[0] {
	case "regions":
		return m.runImportRegions(ctx, args[1:])
	case "supervisors":
		return m.runImportSupervisors(ctx, args[1:])
	case "sites":
		return m.runImportSites(ctx, args[1:])
	case "heat-sources":
		return m.runImportHeatSources(ctx, args[1:])
	}
	return fmt.Errorf("import: unknown kind %q (want regions, supervisors, sites or heat-sources)", args[0])
}

// Default property names: Tianditu (district_*), DataV (adcode, name,
// parent.adcode) and plain GeoJSON (id, name, parent_id).
const (
	defaultIDProps     = "id,district_adcode,adcode,code"
	defaultNameProps   = "name,district_name,NAME"
	defaultParentProps = "parent_id,parent.adcode"
)

func (m *Main) runImportRegions(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("import regions", "Usage: skygrid import regions FILE.geojson --level county|township|grid [flags]\n\nPolygon and MultiPolygon features (holes kept). A bad feature refuses the whole file.", &c)
	level := fs.String("level", "", "level of every feature: city, county, township or grid (required)")
	idProp := fs.String("id-prop", defaultIDProps, "property holding the region id (comma-separated: first found)")
	nameProp := fs.String("name-prop", defaultNameProps, "property holding the name")
	parentProp := fs.String("parent-prop", defaultParentProps, "property holding the parent region id")
	parent := fs.String("parent", "", "parent region id for features without a parent property")
	crs := fs.String("crs", "wgs84", "coordinate system of the file: wgs84, cgcs2000 or gcj02 (converted to WGS84)")
	files, err := m.parseFiles(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if *level == "" {
		return fmt.Errorf("import regions: --level is required (county, township or grid)")
	}
	// Counties imported without a parent hang under the city when there is one.
	f, err := os.Open(files[0])
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := m.openDB(c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	if *parent == "" && *level == skygrid.LevelCounty {
		city := skygrid.LevelCity
		if cs, _, err := db.FindRegions(ctx, skygrid.RegionFilter{Level: &city}); err == nil && len(cs) == 1 {
			*parent = cs[0].ID
		}
	}
	regions, err := dispatch.ReadRegions(f, files[0], dispatch.RegionImport{Level: *level, IDProp: *idProp, NameProp: *nameProp,
		ParentProp: *parentProp, ParentID: *parent, CRS: *crs})
	if err != nil {
		return err
	}
	if !flagSet(fs, "parent-prop") {
		// Default parent properties are a guess: keep a parent only if it
		// is imported (DataV counties name the city 140200 as parent).
		m.dropMissingParents(ctx, db, regions, *parent)
	}
	if err := db.ImportRegions(ctx, regions); err != nil {
		return fmt.Errorf("import regions %s: %w", files[0], err)
	}
	var area float64
	for _, r := range regions {
		area += r.AreaKm2
	}
	fmt.Fprintf(m.Stdout, "%s: imported %d %s regions (%.0f km²)\n", files[0], len(regions), *level, area)
	for i, r := range regions {
		if i == 12 {
			fmt.Fprintf(m.Stdout, "  ... and %d more\n", len(regions)-12)
			break
		}
		fmt.Fprintf(m.Stdout, "  %s %s parent=%s %.1f km²\n", r.ID, r.Name, r.ParentID, r.AreaKm2)
	}
	return nil
}

// dropMissingParents replaces parents that are not imported by def.
func (m *Main) dropMissingParents(ctx context.Context, db *store.DB, regions []*skygrid.Region, def string) {
	incoming := map[string]bool{}
	for _, r := range regions {
		incoming[r.ID] = true
	}
	known := map[string]bool{}
	for _, r := range regions {
		if r.ParentID == "" || incoming[r.ParentID] {
			continue
		}
		ok, seen := known[r.ParentID]
		if !seen {
			_, err := db.FindRegionByID(ctx, r.ParentID)
			ok = err == nil
			known[r.ParentID] = ok
			if !ok {
				fmt.Fprintf(m.Stderr, "note: parent %s is not imported; regions that name it get parent %q\n", r.ParentID, def)
			}
		}
		if !ok {
			r.ParentID = def
		}
	}
}

// flagSet reports whether the flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func (m *Main) runImportSupervisors(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("import supervisors", "Usage: skygrid import supervisors FILE.csv [flags]\n\nColumns (by header): grid_id, name, phone. A grid's previous supervisor is replaced.", &c)
	files, err := m.parseFiles(fs, args, 1, 1)
	if err != nil {
		return err
	}
	f, err := os.Open(files[0])
	if err != nil {
		return err
	}
	defer f.Close()
	sups, err := dispatch.ReadSupervisors(f, files[0])
	if err != nil {
		return err
	}
	db, err := m.openDB(c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.ImportSupervisors(ctx, sups); err != nil {
		return fmt.Errorf("import supervisors %s: %w", files[0], err)
	}
	fmt.Fprintf(m.Stdout, "%s: assigned %d supervisors\n", files[0], len(sups))
	return nil
}

func (m *Main) runImportHeatSources(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("import heat-sources", "Usage: skygrid import heat-sources FILE.csv... [flags]\n\nGlobal Power Plant Database CSV (thermal plants kept: coal, gas, oil, biomass, waste, coal mine methane) or GEM steel plant tracker CSV.", &c)
	files, err := m.parseFiles(fs, args, 1, -1)
	if err != nil {
		return err
	}
	db, p, err := m.openPipeline(c.db, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		res, err := detect.ReadHeatSources(f, path)
		f.Close()
		if err != nil {
			return err
		}
		if len(res.Errors) > 0 {
			var lines []string
			for _, e := range res.Errors {
				lines = append(lines, e.Error())
			}
			return fmt.Errorf("import heat-sources: %d rows refused, nothing stored:\n  %s", len(res.Errors), strings.Join(lines, "\n  "))
		}
		created, changes, err := p.ImportSites(ctx, res.Sites)
		if err != nil {
			return fmt.Errorf("import heat-sources %s: %w", path, err)
		}
		fmt.Fprintf(m.Stdout, "%s (%s): %d heat sources (%d new)%s\n", path, res.Layout, len(res.Sites), created, skippedText(res.Skipped))
		m.printReclassified(changes)
	}
	return nil
}

func skippedText(skipped map[string]int) string {
	if len(skipped) == 0 {
		return ""
	}
	var keys []string
	n := 0
	for k, v := range skipped {
		keys = append(keys, fmt.Sprintf("%d %s", v, k))
		n += v
	}
	sort.Strings(keys)
	return fmt.Sprintf("; %d not thermal, left out (%s)", n, strings.Join(keys, ", "))
}

// propFlags collects repeated --prop attr=name flags.
type propFlags map[string]string

func (p propFlags) String() string { return fmt.Sprint(map[string]string(p)) }

func (p propFlags) Set(v string) error {
	attr, name, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(attr) == "" || strings.TrimSpace(name) == "" {
		return fmt.Errorf("want attribute=property, e.g. permit=许可证号")
	}
	p[strings.TrimSpace(attr)] = strings.TrimSpace(name)
	return nil
}

func (m *Main) runImportSites(ctx context.Context, args []string) error {
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
	idProp := fs.String("id-prop", dispatch.DefaultSiteIDProps, "property or column holding the site id (comma-separated: first found)")
	nameProp := fs.String("name-prop", dispatch.DefaultSiteNameProps, "property or column holding the name")
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
	f, err := os.Open(files[0])
	if err != nil {
		return err
	}
	defer f.Close()
	sites, err := dispatch.ReadSites(f, files[0], dispatch.SiteImport{Kind: *kind, IDProp: *idProp, NameProp: *nameProp,
		Props: props, WKTCol: *wktCol, LonCol: *lonCol, LatCol: *latCol, CRS: *crs, Source: filepath.Base(files[0])})
	if err != nil {
		return err
	}
	db, p, err := m.openPipeline(c.db, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	created, changes, err := p.ImportSites(ctx, sites)
	if err != nil {
		return fmt.Errorf("import sites %s: %w", files[0], err)
	}
	violations := 0
	for _, s := range sites {
		if s.Violation != "" {
			violations++
		}
	}
	fmt.Fprintf(m.Stdout, "%s: imported %d %s sites (%d new), %d breaking a rule\n", files[0], len(sites), *kind, created, violations)
	for i, s := range sites {
		if i == 12 {
			fmt.Fprintf(m.Stdout, "  ... and %d more\n", len(sites)-12)
			break
		}
		line := fmt.Sprintf("  %s %s", s.ExternalID, s.Name)
		if s.AreaM2 > 0 {
			line += fmt.Sprintf(" %.0f m²", s.AreaM2)
		}
		if s.Violation != "" {
			line += " 违规: " + skygrid.ViolationNames[s.Violation]
		}
		fmt.Fprintln(m.Stdout, line)
	}
	m.printReclassified(changes)
	return nil
}

// printReclassified reports the events a site import reclassified.
func (m *Main) printReclassified(changes []skygrid.EventClassChange) {
	if len(changes) == 0 {
		return
	}
	fmt.Fprintf(m.Stdout, "%d open events reclassified:\n", len(changes))
	for i, c := range changes {
		if i == 12 {
			fmt.Fprintf(m.Stdout, "  ... and %d more\n", len(changes)-12)
			break
		}
		fmt.Fprintf(m.Stdout, "  event %d: %s -> %s (%s)\n", c.EventID, c.From, c.To, c.Site)
	}
}
