package hj212sim

import (
	"skygrid"
	"skygrid/data"
	"skygrid/demo"
	"skygrid/registry"
)

// DemoSites are the demo's sites as `skygrid demo` builds them (demo.Sites
// in the embedded Tianditu counties), for DemoScenario outside the demo.
func DemoSites() ([]*skygrid.Site, error) {
	f, err := data.FS.Open(data.Districts)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	counties, err := registry.ReadRegions(f, data.Districts, registry.RegionImport{Level: skygrid.LevelCounty,
		IDProp: "district_adcode", NameProp: "district_name", ParentID: "140200", CRS: "cgcs2000"})
	if err != nil {
		return nil, err
	}
	return demo.Sites(counties), nil
}
