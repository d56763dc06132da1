package demo

import (
	"fmt"

	"skygrid"
)

// EmergencyList invents the demo's emergency list (应急减排清单, 示例) for
// the demo registries: every construction site and stockpile has a 黄色
// and an 橙色 row (the lists give measures per level), one site in five a
// 红色 row too, and two invented plants that are in no registry (unmatched,
// placed by their county) have rows at each level with output limits.
// The same every run; contacts are invented names, no phone numbers.
func EmergencyList(sites []*skygrid.Site) []*skygrid.EmergencyEntry {
	m := func(cells string) []skygrid.Measure {
		ms, _ := skygrid.ParseMeasures(cells)
		return ms
	}
	var out []*skygrid.EmergencyEntry
	add := func(e skygrid.EmergencyEntry, level, measures string) {
		e.Level, e.Measures = level, m(measures)
		e.Source = fmt.Sprintf("%s:row %d", Source, len(out)+2)
		out = append(out, &e)
	}
	n := 0
	for _, s := range sites {
		base := skygrid.EmergencyEntry{Name: s.Name, ExternalID: s.ExternalID, Contact: fmt.Sprintf("示例联系人%02d", n%20+1)}
		switch s.Kind {
		case skygrid.SiteConstruction:
			n++
			add(base, skygrid.WarningYellow, "增加洒水降尘频次；物料堆场覆盖")
			add(base, skygrid.WarningOrange, "停止土石方作业；停止拆除作业；停止渣土运输；物料堆场覆盖")
			if n%5 == 0 {
				add(base, skygrid.WarningRed, "停止土石方作业；停止拆除作业；停止渣土运输；物料堆场覆盖；全面停工（示例）")
			}
		case skygrid.SiteStockpile:
			n++
			add(base, skygrid.WarningYellow, "物料堆场覆盖；增加洒水降尘频次")
			add(base, skygrid.WarningOrange, "物料堆场覆盖；增加洒水降尘频次；停止渣土运输")
		}
	}
	for _, p := range []struct{ name, county string }{{"示例水泥厂（未入台账）", "140213"}, {"示例搅拌站（未入台账）", "140225"}} {
		base := skygrid.EmergencyEntry{Name: p.name, CountyID: p.county, Contact: "示例联系人"}
		add(base, skygrid.WarningYellow, "限产30%")
		add(base, skygrid.WarningOrange, "限产50%；物料堆场覆盖")
		add(base, skygrid.WarningRed, "停产")
	}
	return out
}
