package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"skygrid"
	"skygrid/registry"
	"skygrid/store"
)

// monitors is skygrid import monitors: dust monitors and air stations.
func (m *ImportCommand) monitors(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("import monitors", `Usage: skygrid import monitors FILE.csv|FILE.geojson [flags]

GeoJSON points, or CSV rows with lon/经度 and lat/纬度 columns. Columns (English
or Chinese): mn/设备编号 (the HJ 212 device number, required), pw/访问密码,
name/名称, site/所属工地 (a construction site's or stockpile's id; empty: the
one whose polygon holds the monitor, if any), kind/类型 (dust|扬尘监测仪,
station|空气质量站; default dust), video_url/视频流地址, snapshot_url/快照地址,
lenient/兼容协议偏差 (length_counts_trailer, modbus_crc, lowercase_hex
separated by | or ;). A monitor already imported (same MN) is updated.
A bad row, or an MN on two rows, refuses the whole file, naming its line and field.`, &c)
	crs := fs.String("crs", "wgs84", "coordinate system of the file: wgs84, cgcs2000, gcj02 or bd09 (converted to WGS84)")
	files, err := m.parseFiles(fs, args, 1, 1)
	if err != nil {
		return err
	}
	var ms []skygrid.MonitorImport
	db, err := m.readThenOpen(&c, files[0], func(f io.Reader) (err error) {
		ms, err = registry.ReadMonitors(f, files[0], *crs)
		return err
	})
	if err != nil {
		return err
	}
	defer db.Close()
	created, err := db.ImportMonitors(ctx, ms)
	if err != nil {
		return err
	}
	onSite := 0
	for _, mi := range ms {
		if mi.SiteID != nil {
			onSite++
		}
	}
	fmt.Fprintf(m.Stdout, "%s: imported %d monitors (%d new, %d updated), %d on a site\n", files[0], len(ms), created, len(ms)-created, onSite)
	return nil
}

// readThenOpen reads the file at path with read, then opens the database:
// a file refused does not touch it.
func (m *Main) readThenOpen(c *common, path string, read func(io.Reader) error) (*store.DB, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	err = read(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	db, _, err := m.open(c)
	return db, err
}
