package registry

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"skygrid"
	"skygrid/geo"

	"github.com/paulmach/orb"
)

// SiteImport says how to read a site registry.
type SiteImport struct {
	Kind string
	// IDProp and NameProp name the id and name properties (GeoJSON) or
	// columns (CSV); comma-separated lists take the first that is set.
	IDProp, NameProp string
	// Props maps an attribute (skygrid.Attr*, or "area_m2") to the property
	// or column holding it, over the defaults in SiteAttrProps.
	Props map[string]string
	// CSV only: the WKT column, or the lon and lat columns.
	WKTCol, LonCol, LatCol string
	// CRS of the file: wgs84, cgcs2000, gcj02 or bd09.
	CRS    string
	Source string
	// fixedColumns: the command reading the file takes no --wkt-col or
	// --lon-col/--lat-col (a monitors file), so its errors offer none.
	fixedColumns bool
}

// SiteAttrProps are the property names tried for each attribute, English
// and Chinese, first found wins.
var SiteAttrProps = map[string]string{
	skygrid.AttrPermit:      "permit,permit_no,施工许可证号,许可证号",
	skygrid.AttrBuilder:     "builder,建设单位,施工单位",
	skygrid.AttrStartDate:   "start_date,start,开工日期",
	skygrid.AttrEndDate:     "end_date,end,竣工日期,完工日期",
	skygrid.AttrVideo:       "video,视频监控,是否安装视频监控",
	skygrid.AttrPlatformID:  "platform_id,video_platform_id,平台编号,视频平台编号",
	skygrid.AttrMaterial:    "material,物料,物料类型",
	skygrid.AttrSuppression: "suppression,抑尘措施,防尘措施",
	skygrid.AttrEffective:   "effective_date,effective,生效日期",
	"area_m2":               "area_m2,area,占地面积,面积",
}

// kindAttrs lists the attributes each kind keeps, and which are required.
var kindAttrs = map[string][]struct {
	attr     string
	required bool
}{
	skygrid.SiteConstruction: {{skygrid.AttrPermit, false}, {skygrid.AttrBuilder, false}, {skygrid.AttrStartDate, false},
		{skygrid.AttrEndDate, false}, {skygrid.AttrVideo, true}, {skygrid.AttrPlatformID, false}},
	skygrid.SiteStockpile: {{skygrid.AttrMaterial, true}, {skygrid.AttrSuppression, true}},
	skygrid.SiteNoCoal:    {{skygrid.AttrEffective, false}},
}

// Defaults for the site id and name properties.
const (
	DefaultSiteIDProps   = "id,external_id,编号,code"
	DefaultSiteNameProps = "name,名称,NAME"
)

// SiteRecord is one feature or row as read, before its attributes are
// checked.
type siteRecord struct {
	where string // "feature 3" or "line 4"
	geom  orb.Geometry
	get   func(keys string) (value, key string)
	props map[string]string
}

// ReadSites reads a registry from GeoJSON or CSV (a WKT column, or lon and
// lat columns), checks every feature and returns all or, in an error, every
// refused feature with its index or line and field.
func ReadSites(r io.Reader, name string, opt SiteImport) ([]*skygrid.Site, error) {
	opt, err := opt.checked()
	if err != nil {
		return nil, err
	}
	points := opt.Kind != skygrid.SiteNoCoal && opt.Kind != skygrid.SiteCropland
	var errs rowErrs
	recs, isGeoJSON, err := readRecords(r, name, opt, points, &errs)
	if err != nil {
		return nil, err
	}
	sites := sitesFrom(recs, name, opt, &errs)
	if err := refusedRows(name, &errs, isGeoJSON); err != nil {
		return nil, err
	}
	if len(sites) == 0 {
		return nil, skygrid.Errorf(skygrid.EINVALID, "%s: no features", name)
	}
	return sites, nil
}

// readRecords reads a GeoJSON or CSV file's features or rows as records
// (points only when points); refused ones are added to errs.
func readRecords(r io.Reader, name string, opt SiteImport, points bool, errs *rowErrs) ([]siteRecord, bool, error) {
	// Excel and WPS on Chinese Windows save CSV as GBK (GB18030).
	data, err := readText(r, name)
	if err != nil {
		return nil, false, err
	}
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\ufeff")), " \t\r\n")
	isGeoJSON := len(trimmed) > 0 && trimmed[0] == '{'
	var recs []siteRecord
	if isGeoJSON {
		recs, err = readSiteGeoJSON(trimmed, name, opt.CRS, points, errs)
	} else {
		recs, err = readSiteCSV(data, name, opt, points, errs)
	}
	return recs, isGeoJSON, err
}

// refusedRows is the error of a file with refused rows or features (nil
// when none), listing them in the file's order: geometry is checked while
// reading, attributes after.
func refusedRows(name string, errs *rowErrs, isGeoJSON bool) error {
	if errs.n == 0 {
		return nil
	}
	list := errs.list
	sort.SliceStable(list, func(i, j int) bool { return errPos(list[i], name) < errPos(list[j], name) })
	return &skygrid.Error{Code: skygrid.EINVALID, Message: (&ImportError{File: name, Errors: list, Rows: !isGeoJSON, Total: errs.n}).Error()}
}

// checked refuses an unknown kind, projection or attribute and fills in
// the default id and name columns.
func (opt SiteImport) checked() (SiteImport, error) {
	if _, ok := skygrid.SiteLayer[opt.Kind]; !ok {
		return opt, skygrid.Errorf(skygrid.EINVALID, "unknown kind %q (want %s)", opt.Kind, strings.Join(skygrid.SiteKinds, ", "))
	}
	crs, err := geo.ParseCRS(opt.CRS)
	if err != nil {
		return opt, skygrid.Errorf(skygrid.EINVALID, "%v", err)
	}
	opt.CRS = crs
	if opt.IDProp == "" {
		opt.IDProp = DefaultSiteIDProps
	}
	if opt.NameProp == "" {
		opt.NameProp = DefaultSiteNameProps
	}
	for a := range opt.Props {
		if _, ok := SiteAttrProps[a]; !ok {
			return opt, skygrid.Errorf(skygrid.EINVALID, "--prop %s: unknown attribute (want one of %s)", a, strings.Join(attrNames(), ", "))
		}
	}
	return opt, nil
}

// readSiteGeoJSON reads a FeatureCollection's features as site records;
// refused features are added to errs.
func readSiteGeoJSON(data []byte, name, crs string, points bool, errs *rowErrs) ([]siteRecord, error) {
	feats, ferrs, err := geo.ReadGeoJSON(bytes.NewReader(data), name, geo.ReadOptions{CRS: crs, Points: points})
	if err != nil {
		return nil, skygrid.Errorf(skygrid.EINVALID, "%v", err)
	}
	for _, e := range ferrs {
		errs.add(e)
	}
	recs := make([]siteRecord, 0, len(feats))
	for _, f := range feats {
		props := f.Properties
		rec := siteRecord{where: fmt.Sprintf("feature %d", f.Index), geom: f.Geometry, props: map[string]string{}}
		rec.get = func(keys string) (string, string) {
			for _, k := range strings.Split(keys, ",") {
				if k = strings.TrimSpace(k); k != "" {
					if v := strings.TrimSpace(geo.Prop(props, k)); v != "" {
						return v, k
					}
				}
			}
			return "", ""
		}
		for k := range props {
			if v := geo.Prop(props, k); v != "" {
				rec.props[k] = v
			}
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

// sitesFrom makes sites of the records: refused ones and a second use of
// an id are added to errs.
func sitesFrom(recs []siteRecord, name string, opt SiteImport, errs *rowErrs) []*skygrid.Site {
	return uniqueFrom(recs, name, errs, "id", func(rec siteRecord) (*skygrid.Site, string, error) {
		s, err := siteFrom(rec, opt)
		if err != nil {
			return nil, "", err
		}
		return s, s.ExternalID, nil
	})
}

// uniqueFrom makes an item of each record with make, which also gives
// its key; records it refuses, and a second use of a key (named by
// keyField), are added to errs.
func uniqueFrom[T any](recs []siteRecord, name string, errs *rowErrs, keyField string, make func(siteRecord) (T, string, error)) []T {
	var out []T
	seen := map[string]string{}
	for _, rec := range recs {
		v, key, err := make(rec)
		if err != nil {
			errs.add(fmt.Errorf("%s: %s: %w", name, rec.where, err))
			continue
		}
		if prev, dup := seen[key]; dup {
			errs.add(fmt.Errorf("%s: %s: %s %s already used by %s", name, rec.where, keyField, key, prev))
			continue
		}
		seen[key] = rec.where
		out = append(out, v)
	}
	return out
}

// errPos is the line or feature number a row error names.
func errPos(err error, name string) int {
	var n int
	rest := strings.TrimPrefix(err.Error(), name+": ")
	if _, e := fmt.Sscanf(rest, "line %d", &n); e == nil {
		return n
	}
	if _, e := fmt.Sscanf(rest, "feature %d", &n); e == nil {
		return n
	}
	return math.MaxInt
}

func attrNames() []string {
	var out []string
	for a := range SiteAttrProps {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// readSiteCSV reads rows with a WKT column or lon and lat columns.
func readSiteCSV(data []byte, name string, opt SiteImport, points bool, errs *rowErrs) ([]siteRecord, error) {
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, skygrid.Errorf(skygrid.EINVALID, "%s: neither GeoJSON nor a CSV with a header: %v", name, err)
	}
	sc, err := newSiteCSV(header, name, opt, points)
	if err != nil {
		return nil, err
	}
	var recs []siteRecord
	err = skygrid.EachCSVRow(cr, func(row []string, line int) error {
		rec, err := sc.record(row, line)
		if err != nil {
			errs.add(err)
		} else {
			recs = append(recs, rec)
		}
		return nil
	}, func(line int, err error) { errs.add(fmt.Errorf("%s: line %d: malformed CSV: %v", name, line, err)) })
	if err != nil {
		return nil, err
	}
	return recs, nil
}

// siteCSV is a site CSV's header: where the geometry is and the columns by
// their lower-case names.
type siteCSV struct {
	name                   string
	header                 []string
	col                    map[string]int
	wktCol, lonCol, latCol int
	crs                    string
	points                 bool
}

// noGeometryColumns says why a CSV header gives no place: a header split
// by semicolons (a European Excel's CSV), or which columns it needs.
func noGeometryColumns(header []string, name string, opt SiteImport) error {
	if len(header) == 1 && strings.Contains(header[0], ";") {
		return skygrid.Errorf(skygrid.EINVALID, "%s: line 1: the header is separated by semicolons: save the file as CSV with commas (逗号分隔)", name)
	}
	flags := " (or name yours with --wkt-col or --lon-col/--lat-col)"
	if opt.fixedColumns {
		flags = ""
	}
	return skygrid.Errorf(skygrid.EINVALID, "%s: the CSV header has no WKT column (wkt, geometry) nor lon and lat columns "+
		"(lon, lng, longitude, 经度 and lat, latitude, 纬度)%s", name, flags)
}

// newSiteCSV finds the geometry columns (WKT, or lon and lat for point
// kinds), given or by their usual names.
func newSiteCSV(header []string, name string, opt SiteImport, points bool) (*siteCSV, error) {
	sc := &siteCSV{name: name, header: header, col: map[string]int{}, crs: opt.CRS, points: points}
	for i, h := range header {
		sc.col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	find := func(given, defaults string) int {
		keys := defaults
		if given != "" {
			keys = given
		}
		for _, k := range strings.Split(keys, ",") {
			if i, ok := sc.col[strings.ToLower(strings.TrimSpace(k))]; ok {
				return i
			}
		}
		return -1
	}
	sc.wktCol = find(opt.WKTCol, "wkt,geometry,geom,the_geom,几何")
	sc.lonCol = find(opt.LonCol, "lon,lng,longitude,x,经度")
	sc.latCol = find(opt.LatCol, "lat,latitude,y,纬度")
	if sc.wktCol < 0 && (sc.lonCol < 0 || sc.latCol < 0) {
		return nil, noGeometryColumns(header, name, opt)
	}
	if sc.wktCol < 0 && !points {
		return nil, skygrid.Errorf(skygrid.EINVALID, "%s: %s sites need polygons: the CSV needs a WKT column", name, opt.Kind)
	}
	return sc, nil
}

// record reads one row: its geometry (refused naming line and field) and
// its other columns as properties.
func (sc *siteCSV) record(row []string, line int) (siteRecord, error) {
	field := func(i int) string {
		if i < 0 || i >= len(row) {
			return ""
		}
		return strings.TrimSpace(row[i])
	}
	rec := siteRecord{where: fmt.Sprintf("line %d", line), props: map[string]string{}}
	var err error
	if rec.geom, err = sc.geometry(field, line); err != nil {
		return rec, err
	}
	for i, h := range sc.header {
		if i != sc.wktCol && i != sc.lonCol && i != sc.latCol && field(i) != "" {
			rec.props[strings.TrimSpace(h)] = field(i)
		}
	}
	rec.get = func(keys string) (string, string) {
		for _, k := range strings.Split(keys, ",") {
			if i, ok := sc.col[strings.ToLower(strings.TrimSpace(k))]; ok && field(i) != "" {
				return field(i), sc.header[i]
			}
		}
		return "", ""
	}
	return rec, nil
}

// geometry reads a row's WKT, or its lon and lat.
func (sc *siteCSV) geometry(field func(int) string, line int) (orb.Geometry, error) {
	at := func(cols, reason string) error {
		return fmt.Errorf("%s: line %d: %s: %s", sc.name, line, cols, reason)
	}
	if sc.wktCol >= 0 {
		g, reason := geo.ParseWKT(field(sc.wktCol), sc.crs, sc.points)
		if reason != "" {
			return nil, at("field "+skygrid.ClipName(sc.header[sc.wktCol]), reason)
		}
		return g, nil
	}
	lonName, latName := skygrid.ClipName(sc.header[sc.lonCol]), skygrid.ClipName(sc.header[sc.latCol])
	lon, reason := skygrid.RangeLon.ParseNumber(field(sc.lonCol))
	if reason != "" {
		return nil, at("field "+lonName, reason)
	}
	lat, reason := skygrid.RangeLat.ParseNumber(field(sc.latCol))
	if reason != "" {
		return nil, at("field "+latName, reason)
	}
	g, reason := geo.CheckPoint(lon, lat, sc.crs)
	if reason != "" {
		return nil, at("fields "+lonName+","+latName, reason)
	}
	return g, nil
}

// siteFrom builds a site from a record: id, name, normalised attributes,
// geodesic area and the rule check.
func siteFrom(rec siteRecord, opt SiteImport) (*skygrid.Site, error) {
	s := &skygrid.Site{Kind: opt.Kind, Geometry: rec.geom, Attrs: map[string]string{}, Props: rec.props, Source: opt.Source}
	s.ExternalID, _ = rec.get(opt.IDProp)
	s.Name, _ = rec.get(opt.NameProp)
	if s.ExternalID == "" {
		return nil, fmt.Errorf("no id: property %q is empty (set --id-prop)", opt.IDProp)
	}
	if s.Name == "" {
		s.Name = s.ExternalID
	}
	if err := checkSiteText(s); err != nil {
		return nil, err
	}
	keysFor := func(attr string) string {
		if k := opt.Props[attr]; k != "" {
			return k
		}
		return SiteAttrProps[attr]
	}
	for _, a := range kindAttrs[opt.Kind] {
		v, key := rec.get(keysFor(a.attr))
		if key == "" {
			key = a.attr
		}
		if v == "" {
			if a.required {
				return nil, fmt.Errorf("field %s: empty (%s sites need %s: %s)", strings.Split(keysFor(a.attr), ",")[0], opt.Kind, a.attr, attrHelp(a.attr))
			}
			continue
		}
		norm, err := normaliseAttr(a.attr, v)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", key, err)
		}
		s.Attrs[a.attr] = norm
		delete(s.Props, key)
	}
	switch g := rec.geom.(type) {
	case orb.MultiPolygon:
		s.AreaM2 = geo.AreaM2(g)
		if s.AreaM2 <= 0 {
			return nil, fmt.Errorf("zero area")
		}
	case orb.Point:
		if v, key := rec.get(keysFor("area_m2")); v != "" {
			a, reason := skygrid.RangeArea.ParseNumber(strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(v, "㎡"), "m2")))
			if reason != "" {
				return nil, fmt.Errorf("field %s: not an area in m²: %s", skygrid.ClipName(key), reason)
			}
			s.AreaM2 = a
			delete(s.Props, key)
		} else if opt.Kind == skygrid.SiteConstruction {
			return nil, fmt.Errorf("a construction site given as a point needs its area (column area_m2 or 占地面积), or give its polygon")
		}
	}
	if len(s.Attrs) == 0 {
		s.Attrs = nil
	}
	if len(s.Props) == 0 {
		s.Props = nil
	}
	s.Violation = s.CheckRules()
	return s, nil
}

// checkSiteText checks a site's id, name, and the names and values of the
// properties it keeps against their limits (attributes are checked when
// normalised).
func checkSiteText(s *skygrid.Site) error {
	if err := checkText(skygrid.LimitID, "id", s.ExternalID); err != nil {
		return err
	}
	if err := checkText(skygrid.LimitSiteName, "name", s.Name); err != nil {
		return err
	}
	keys := make([]string, 0, len(s.Props))
	for k := range s.Props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if reason := skygrid.LimitPropName.Check(k); reason != "" {
			return fmt.Errorf("a property name: %s", reason)
		}
		if err := checkText(skygrid.LimitPropValue, k, s.Props[k]); err != nil {
			return err
		}
	}
	return nil
}

func attrHelp(attr string) string {
	switch attr {
	case skygrid.AttrVideo:
		return "yes or no (是/否)"
	case skygrid.AttrMaterial:
		return strings.Join(skygrid.Materials, ", ")
	case skygrid.AttrSuppression:
		return strings.Join(skygrid.Suppressions, ", ")
	}
	return "YYYY-MM-DD"
}

var attrWords = map[string]map[string]string{
	skygrid.AttrVideo: {"yes": "yes", "y": "yes", "true": "yes", "1": "yes", "是": "yes", "有": "yes", "已安装": "yes",
		"no": "no", "n": "no", "false": "no", "0": "no", "否": "no", "无": "no", "未安装": "no"},
	skygrid.AttrMaterial: {"coal": "coal", "煤": "coal", "煤炭": "coal", "ore": "ore", "矿": "ore", "矿石": "ore", "矿粉": "ore",
		"sand": "sand", "砂": "sand", "沙": "sand", "砂石": "sand", "other": "other", "其他": "other"},
	skygrid.AttrSuppression: {"covered": "covered", "苫盖": "covered", "覆盖": "covered", "sprinklers": "sprinklers", "sprinkler": "sprinklers",
		"喷淋": "sprinklers", "洒水": "sprinklers", "enclosed": "enclosed", "封闭": "enclosed", "密闭": "enclosed", "none": "none", "无": "none"},
}

func normaliseAttr(attr, v string) (string, error) {
	if words, ok := attrWords[attr]; ok {
		if n, ok := words[strings.ToLower(v)]; ok {
			return n, nil
		}
		return "", fmt.Errorf("%q: want %s", v, attrHelp(attr))
	}
	switch attr {
	case skygrid.AttrStartDate, skygrid.AttrEndDate, skygrid.AttrEffective:
		for _, layout := range []string{"2006-01-02", "2006/1/2", "2006-1-2", "2006年1月2日", "20060102"} {
			if t, err := time.Parse(layout, v); err == nil {
				return t.Format("2006-01-02"), nil
			}
		}
		return "", fmt.Errorf("%q: not a date (YYYY-MM-DD)", v)
	}
	return v, nil
}
