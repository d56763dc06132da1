package report

import (
	"io"
	"slices"

	"skygrid"
)

// WriteSitesCSV writes the registries as the registries page lists them:
// one row per site with Chinese headers and values (the kind, the county,
// the area in m², each kind's attributes, the rule broken and the centre),
// UTF-8 with a BOM for Excel. Only the attribute columns of the kinds
// present are written.
func WriteSitesCSV(w io.Writer, sites []*skygrid.Site) error {
	cols := []column{
		{key: "external_id", head: "编号"},
		{key: "name", head: "名称"},
		{key: "kind_name", head: "类型"},
		{key: "county_name", head: "所在区县"},
		{key: "area_m2", head: "面积（m²）", kind: kInt},
	}
	var attrs []string
	for _, k := range skygrid.SiteKinds {
		if slices.ContainsFunc(sites, func(s *skygrid.Site) bool { return s.Kind == k }) {
			attrs = append(attrs, skygrid.KindAttrs[k]...)
		}
	}
	for _, a := range attrs {
		cols = append(cols, column{key: a, head: skygrid.AttrNames[a]})
	}
	cols = append(cols,
		column{key: "violation_name", head: "违规情况"},
		column{key: "lon", head: "中心经度", kind: kFloat, prec: 6},
		column{key: "lat", head: "中心纬度", kind: kFloat, prec: 6},
	)
	rows := make([]row, 0, len(sites))
	for _, s := range sites {
		var area any
		if s.AreaM2 > 0 {
			area = int(s.AreaM2 + 0.5)
		}
		violation := "符合要求"
		if s.Violation != "" {
			violation = name(skygrid.ViolationNames, s.Violation)
		}
		c := s.Geometry.Bound().Center()
		r := row{s.ExternalID, s.Name, name(skygrid.SiteKindNames, s.Kind), s.CountyName, area}
		for _, a := range attrs {
			v := s.Attrs[a]
			if names := skygrid.AttrValueNames[a]; names != nil && v != "" {
				v = name(names, v)
			}
			r = append(r, v)
		}
		rows = append(rows, append(r, violation, c.Lon(), c.Lat()))
	}
	return writeCSV(w, true, cols, rows)
}
