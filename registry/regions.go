package registry

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"skygrid"
	"skygrid/geo"

	"github.com/paulmach/orb"
)

// RegionImport says how to read regions from a vector file.
type RegionImport struct {
	Level string
	// Property names for the id, the name and the parent id. A dotted
	// name reaches into objects ("parent.adcode" in DataV files); a
	// comma-separated list takes the first that a feature has.
	IDProp, NameProp, ParentProp string
	// ParentID is used when a feature has no parent property value.
	ParentID string
	// CRS of the file: wgs84, cgcs2000, gcj02 (converted to WGS84) or bd09.
	CRS string
}

// ImportError lists every refused feature of a file; nothing of the file
// was stored.
type ImportError struct {
	File   string
	Errors []error
	// Rows: the file is a table (CSV), so it has rows, not features.
	Rows bool
	// Total counts every refused row or feature, when Errors holds only
	// the first (0: Errors holds them all).
	Total int
}

// rowErrs collects the refused rows or features of a file: the first
// maxRowErrors, and a count of all (a file of a million bad rows must not
// make a million messages).
type rowErrs struct {
	list []error
	n    int
}

func (e *rowErrs) add(err error) {
	if e.n++; len(e.list) < maxRowErrors {
		e.list = append(e.list, err)
	}
}

func (e *ImportError) Error() string {
	var b strings.Builder
	unit := "features"
	if e.Rows {
		unit = "rows"
	}
	total := max(e.Total, len(e.Errors))
	fmt.Fprintf(&b, "%s: %d %s refused, nothing stored:", e.File, total, unit)
	for i, err := range e.Errors {
		if i == 20 {
			fmt.Fprintf(&b, "\n  ... and %d more", total-20)
			break
		}
		fmt.Fprintf(&b, "\n  %v", err)
	}
	return b.String()
}

// ReadRegions reads and validates regions from GeoJSON. Either every
// feature is good and all are returned, or an *ImportError lists the bad ones.
func ReadRegions(r io.Reader, name string, opt RegionImport) ([]*skygrid.Region, error) {
	if skygrid.LevelRank(opt.Level) < 0 {
		return nil, skygrid.Errorf(skygrid.EINVALID, "unknown level %q (city, county, township or grid)", opt.Level)
	}
	crs, err := geo.ParseCRS(opt.CRS)
	if err != nil {
		return nil, skygrid.Errorf(skygrid.EINVALID, "%v", err)
	}
	feats, ferrs, err := geo.ReadGeoJSON(r, name, geo.ReadOptions{CRS: crs})
	if err != nil {
		return nil, skygrid.Errorf(skygrid.EINVALID, "%v", err)
	}
	var regions []*skygrid.Region
	seen := map[string]int{}
	for _, f := range feats {
		mp := f.Geometry.(orb.MultiPolygon)
		reg := &skygrid.Region{
			ID:       firstProp(f.Properties, opt.IDProp),
			Name:     firstProp(f.Properties, opt.NameProp),
			Level:    opt.Level,
			ParentID: firstProp(f.Properties, opt.ParentProp),
			Geometry: mp,
			AreaKm2:  geo.AreaKm2(mp),
		}
		if opt.ParentProp == "" || reg.ParentID == "" {
			reg.ParentID = opt.ParentID
		}
		if reg.ID == "" {
			ferrs = append(ferrs, &geo.FeatureError{File: name, Index: f.Index, Reason: fmt.Sprintf("no id: property %q is empty (set --id-prop)", opt.IDProp)})
			continue
		}
		if reg.Name == "" {
			reg.Name = reg.ID
		}
		if reason := checkRegionText(reg); reason != "" {
			ferrs = append(ferrs, &geo.FeatureError{File: name, Index: f.Index, Reason: reason})
			continue
		}
		if prev, dup := seen[reg.ID]; dup {
			ferrs = append(ferrs, &geo.FeatureError{File: name, Index: f.Index, Reason: fmt.Sprintf("id %s already used by feature %d", reg.ID, prev)})
			continue
		}
		seen[reg.ID] = f.Index
		if reg.AreaKm2 <= 0 {
			ferrs = append(ferrs, &geo.FeatureError{File: name, Index: f.Index, Reason: "zero area"})
			continue
		}
		regions = append(regions, reg)
	}
	if len(ferrs) > 0 {
		return nil, &skygrid.Error{Code: skygrid.EINVALID, Message: (&ImportError{File: name, Errors: ferrs}).Error()}
	}
	if len(regions) == 0 {
		return nil, skygrid.Errorf(skygrid.EINVALID, "%s: no features", name)
	}
	return regions, nil
}

// checkRegionText checks a region's id, name and parent id against their
// limits: the reason one is refused, or "".
func checkRegionText(r *skygrid.Region) string {
	for _, f := range []struct {
		field, value string
		lim          skygrid.Limit
	}{{"id", r.ID, skygrid.LimitID}, {"name", r.Name, skygrid.LimitRegionName}, {"parent id", r.ParentID, skygrid.LimitID}} {
		if reason := f.lim.Check(f.value); reason != "" {
			return f.field + ": " + reason
		}
	}
	return ""
}

// firstProp returns the first non-empty property of a comma-separated list.
func firstProp(props map[string]any, keys string) string {
	for _, k := range strings.Split(keys, ",") {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		if v := geo.Prop(props, k); v != "" {
			return v
		}
	}
	return ""
}

// readCSVHeader reads a CSV file (UTF-8 or GBK, a BOM dropped) up to its
// header; rows of any length are read after it.
func readCSVHeader(r io.Reader, name string) (*csv.Reader, []string, error) {
	data, err := readText(r, name)
	if err != nil {
		return nil, nil, err
	}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, nil, skygrid.Errorf(skygrid.EINVALID, "%s: cannot read a CSV header: %v", name, err)
	}
	return cr, header, nil
}

// maxRowErrors is how many refused rows or features a refusal lists; it
// counts the others.
const maxRowErrors = 200

// ReadSupervisors reads a CSV with columns grid_id, name, phone (by header
// names; 网格编号/姓名/电话 are accepted too), in UTF-8 or GBK. Every row is
// checked (each field against its limit, skygrid.Limits); any refused row
// refuses the file, listing the rows with their line and field.
func ReadSupervisors(r io.Reader, name string) ([]*skygrid.Supervisor, error) {
	cr, header, err := readCSVHeader(r, name)
	if err != nil {
		return nil, err
	}
	idx := map[string]int{"grid": -1, "name": -1, "phone": -1}
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "grid_id", "grid", "网格编号", "网格":
			idx["grid"] = i
		case "name", "姓名":
			idx["name"] = i
		case "phone", "mobile", "电话", "手机":
			idx["phone"] = i
		}
	}
	for _, k := range []string{"grid", "name", "phone"} {
		if idx[k] < 0 {
			return nil, skygrid.Errorf(skygrid.EINVALID, "%s: the header has no %s column (want grid_id,name,phone)", name, map[string]string{"grid": "grid_id", "name": "name", "phone": "phone"}[k])
		}
	}
	var out []*skygrid.Supervisor
	var errs []string
	refused := 0
	refuse := func(format string, args ...any) {
		if refused++; len(errs) < maxRowErrors {
			errs = append(errs, fmt.Sprintf(format, args...))
		}
	}
	seen := map[string]int{}
	err = skygrid.EachCSVRow(cr, func(rec []string, line int) error {
		get := func(k string) string {
			if idx[k] >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[idx[k]])
		}
		s := &skygrid.Supervisor{GridID: get("grid"), Name: get("name"), Phone: get("phone")}
		if err := checkSupervisor(s); err != nil {
			refuse("%s:%d: %v", name, line, err)
			return nil
		}
		if prev, ok := seen[s.GridID]; ok {
			refuse("%s:%d: field grid_id: grid %s already has a supervisor on line %d", name, line, s.GridID, prev)
			return nil
		}
		seen[s.GridID] = line
		out = append(out, s)
		return nil
	}, func(line int, err error) { refuse("%s:%d: malformed CSV: %v", name, line, err) })
	if err != nil {
		return nil, err
	}
	if refused > 0 {
		if refused > len(errs) {
			errs = append(errs, fmt.Sprintf("... and %d more rows", refused-len(errs)))
		}
		return nil, skygrid.Errorf(skygrid.EINVALID, "%s: %d rows refused, nothing stored:\n  %s", name, refused, strings.Join(errs, "\n  "))
	}
	return out, nil
}

// checkSupervisor checks a supervisor row's fields: present, within their
// limits, no control characters.
func checkSupervisor(s *skygrid.Supervisor) error {
	for _, f := range []struct {
		field, value string
		lim          skygrid.Limit
	}{{"grid_id", s.GridID, skygrid.LimitID}, {"name", s.Name, skygrid.LimitPersonName}, {"phone", s.Phone, skygrid.LimitPhone}} {
		if f.value == "" {
			return fmt.Errorf("field %s: empty", f.field)
		}
		if err := checkText(f.lim, f.field, f.value); err != nil {
			return err
		}
	}
	return nil
}

// RegionFinder is the part of the region service grid generation reads.
type RegionFinder interface {
	FindRegions(ctx context.Context, filter skygrid.RegionFilter) ([]*skygrid.Region, int, error)
}

// GenerateGrids makes square grid cells clipped to each stored county (or
// the given counties) and returns them as grid regions whose parent is the
// county. Cells of neighbouring counties line up.
func GenerateGrids(ctx context.Context, regions RegionFinder, cellMetres float64, countyIDs []string) ([]*skygrid.Region, error) {
	level := skygrid.LevelCounty
	counties, _, err := regions.FindRegions(ctx, skygrid.RegionFilter{Level: &level, WithGeometry: true})
	if err != nil {
		return nil, err
	}
	if len(counties) == 0 {
		return nil, skygrid.Errorf(skygrid.EINVALID, "no counties imported: run `skygrid import regions FILE --level county` first")
	}
	want := map[string]bool{}
	for _, id := range countyIDs {
		want[id] = true
	}
	// One reference latitude for the whole set, so cells line up.
	var b orb.Bound
	for i, c := range counties {
		if i == 0 {
			b = c.Geometry.Bound()
		} else {
			b = b.Union(c.Geometry.Bound())
		}
	}
	refLat := b.Center()[1]
	var out []*skygrid.Region
	found := 0
	for _, c := range counties {
		if len(want) > 0 && !want[c.ID] {
			continue
		}
		found++
		cells, err := geo.GenerateGrid(c.ID, c.Geometry, geo.GridOptions{CellMetres: cellMetres, RefLat: refLat})
		if err != nil {
			return nil, err
		}
		for _, cell := range cells {
			out = append(out, &skygrid.Region{
				ID: cell.ID, Name: fmt.Sprintf("%s %d行%d列", c.Name, cell.Row+1, cell.Col+1), Level: skygrid.LevelGrid,
				ParentID: c.ID, Geometry: cell.Geometry, AreaKm2: geo.AreaKm2(cell.Geometry),
			})
		}
	}
	if len(want) > 0 && found < len(want) {
		return nil, skygrid.Errorf(skygrid.EINVALID, "only %d of the %d counties asked for are imported", found, len(want))
	}
	return out, nil
}
