package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"skygrid"
	"skygrid/demo"
	"skygrid/internal/hj212sim"
	"skygrid/store"
)

// Demo monitors' history: hourly readings for demoHistoryDays, of which
// the last demoMinuteDays as minute readings (30 days of minutes for 30
// monitors is 1.3 million rows: too slow for a demo's start).
const (
	demoHistoryDays = 30
	demoMinuteDays  = 2
)

// demoMonitors registers a monitor (示例) for each demo construction site
// from hj212sim's demo scenario, the Modbus one marked lenient, and
// backfills their history up to end through StoreReadings, the store
// path of the receiver. It returns the devices.
func demoMonitors(ctx context.Context, db *store.DB, out io.Writer, end time.Time) ([]hj212sim.Device, error) {
	kind := skygrid.SiteConstruction
	sites, _, err := db.FindSites(ctx, skygrid.SiteFilter{Kind: &kind})
	if err != nil {
		return nil, err
	}
	devs := hj212sim.DemoScenario(sites)
	if _, err := db.ImportMonitors(ctx, demoMonitorImports(devs, "")); err != nil {
		return nil, err
	}
	air, err := hj212sim.DatongAir()
	if err != nil {
		return nil, err
	}
	minutesFrom := end.Add(-demoMinuteDays * 24 * time.Hour).Truncate(time.Hour)
	stored := 0
	for i := range devs {
		d := &devs[i]
		m, err := db.MonitorByMN(ctx, d.MN)
		if err != nil {
			return nil, err
		}
		rs := d.Backfill(air, 0, end.Add(-demoHistoryDays*24*time.Hour), minutesFrom, time.Hour, skygrid.ReadingHour)
		rs = append(rs, d.Backfill(air, 0, minutesFrom, end.Truncate(time.Minute), time.Minute, skygrid.ReadingMinute)...)
		for k := range rs {
			rs[k].MonitorID, rs[k].ReceivedAt = m.ID, end
		}
		n, err := db.StoreReadings(ctx, rs)
		if err != nil {
			return nil, fmt.Errorf("demo monitor %s: history: %w", d.MN, err)
		}
		stored += n
	}
	fmt.Fprintf(out, "dust monitors: %d (示例, one per construction site, invented MN DEMOCxx): %s; history %d readings (hourly for %d days, the last %d days by minute)\n",
		len(devs), demoRoles(devs), stored, demoHistoryDays, demoMinuteDays)
	return devs, nil
}

// demoMonitorImports are the devices as monitors; with base (the HTTP
// server's URL) each gets the demo's snapshot URL, and the first two
// construction sites the demo's HLS stream.
func demoMonitorImports(devs []hj212sim.Device, base string) []skygrid.MonitorImport {
	ms := make([]skygrid.MonitorImport, len(devs))
	for i, d := range devs {
		m := skygrid.Monitor{MN: d.MN, Password: d.PW, Name: d.Name, Kind: skygrid.MonitorDust, Lon: d.Lon, Lat: d.Lat,
			Lenient: d.Lenient, Demo: true}
		if base != "" {
			m.SnapshotURL = base + "/demo/snapshots/" + d.MN
			if i < 2 {
				m.VideoURL = base + "/demo/hls/site/index.m3u8"
			}
		}
		ms[i] = skygrid.MonitorImport{Monitor: m, SiteRef: d.Site, Where: fmt.Sprintf("demo monitor %d", i+1)}
	}
	return ms
}

func demoRoles(devs []hj212sim.Device) string {
	var parts []string
	for _, d := range devs {
		if d.Role != "" {
			parts = append(parts, d.MN+" "+d.Role)
		}
	}
	return strings.Join(parts, ", ")
}

// demoFleet is what the demo runs once serving: the monitors get their
// snapshot and video URLs on the server's address, and the simulated
// fleet sends a minute packet a minute per device to the receiver, on the
// demo's clock, until ctx ends: the first minute of every device at once
// (every monitor current as the demo opens), the later ones spread over
// the minute.
func (m *Main) demoFleet(db *store.DB, devs []hj212sim.Device, clock func() time.Time) func(ctx context.Context, url, hj212 string) error {
	return func(ctx context.Context, url, hj212 string) error {
		if _, err := db.ImportMonitors(ctx, demoMonitorImports(devs, url)); err != nil {
			return fmt.Errorf("demo monitors: %w", err)
		}
		f := &hj212sim.Fleet{Addr: hj212, Devices: devs, Clock: hj212sim.Clock{Start: clock()}, Heartbeat: -1, FirstTogether: true}
		go func() {
			if err := f.Run(ctx); err != nil && ctx.Err() == nil {
				m.Logger.Error("demo fleet", "err", err)
			}
		}()
		fmt.Fprintf(m.Stdout, "demo fleet: %d simulated monitors (示例) sending HJ 212 minute data to %s\n", len(devs), hj212)
		return nil
	}
}

// demoSnapshots draws the snapshots of the demo's monitors (示例); the
// silent monitor's camera is down too (404), so that its site's video
// goes offline from the live state.
func demoSnapshots(db *store.DB, devs []hj212sim.Device) func(mn string, at time.Time) ([]byte, error) {
	roles := map[string]string{}
	for _, d := range devs {
		roles[d.MN] = d.Role
	}
	return func(mn string, at time.Time) ([]byte, error) {
		role, ok := roles[mn]
		if !ok || role == hj212sim.RoleSilent {
			return nil, skygrid.Errorf(skygrid.ENOTFOUND, "no demo camera %q", mn)
		}
		m, err := db.MonitorByMN(context.Background(), mn)
		if err != nil {
			return nil, err
		}
		return demo.Snapshot(m.Name, at, role == hj212sim.RoleExceed)
	}
}

// demoHLS is the demo's stream folder.
func demoHLS() fs.FS {
	sub, _ := fs.Sub(demo.HLS, "hls")
	return sub
}
