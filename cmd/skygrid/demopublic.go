package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"skygrid"
	"skygrid/demo"
	"skygrid/evidence"
	"skygrid/internal/hj212sim"
	"skygrid/password"
	"skygrid/store"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// demoViolation invents (示例) one confirmed dust violation at the first
// demo monitor's site, a day and a half before the demo's clock, for the
// public page's list of violators: worked by the grid's supervisor (wg
// and the grid id, made as the replay makes them) and closed by the
// county's official.
func demoViolation(ctx context.Context, db *store.DB, devs []hj212sim.Device, photoDir string, out io.Writer) error {
	if len(devs) == 0 {
		return nil
	}
	m, err := db.MonitorByMN(ctx, devs[0].MN)
	if err != nil {
		return err
	}
	pt := orb.Point{m.Lon, m.Lat}
	grid, err := demoGridAt(ctx, db, pt)
	if err != nil {
		return err
	}
	sup, official, err := demoWorkers(ctx, db, grid)
	if err != nil {
		return err
	}
	start := demo.Start.Add(-36 * time.Hour).Truncate(time.Hour)
	a := skygrid.DustAlarm{MonitorID: m.ID, SiteID: m.SiteID, Rule: "datong_default", Class: skygrid.ClassDustExceedance,
		Start: start, End: start.Add(time.Hour), Value: 186, Limit: 80, Detail: "示例：PM10 小时均值超过限值", Point: pt,
		GridID: grid.ID, TownshipID: grid.ParentID, CountyID: grid.ID[:6], AssignedBy: "contains",
		AckDue: start.Add(90 * time.Minute), ReportDue: start.Add(2 * time.Hour)}
	id, err := demo.DustViolation(ctx, db, evidence.Files{Dir: photoDir, NoSync: true}, a, sup, official,
		func(t time.Time) { db.Now = func() time.Time { return t } })
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "public page (示例): task %d, a dust exceedance at %s worked by %s (停工整改) and closed by %s, is the confirmed violation the public list shows\n",
		id, m.Name, sup.Name, official.Name)
	return nil
}

// demoGridAt is the grid holding a point.
func demoGridAt(ctx context.Context, db *store.DB, pt orb.Point) (*skygrid.Region, error) {
	level, b := skygrid.LevelGrid, pt.Bound().Pad(0.0001)
	grids, _, err := db.FindRegions(ctx, skygrid.RegionFilter{Level: &level, Bbox: &b, WithGeometry: true})
	if err != nil {
		return nil, err
	}
	for _, g := range grids {
		if planar.MultiPolygonContains(g.Geometry, pt) {
			return g, nil
		}
	}
	return nil, fmt.Errorf("demo violation: no grid holds %v", pt)
}

// demoWorkers are the grid's supervisor user (made when the replay has
// not) and the county's official.
func demoWorkers(ctx context.Context, db *store.DB, grid *skygrid.Region) (sup, official *skygrid.User, err error) {
	users, err := db.FindUsers(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, u := range users {
		if u.Role == skygrid.RoleSupervisor && slices.Contains(u.Regions, grid.ID) && sup == nil {
			sup = u
		}
		if u.Role == skygrid.RoleOfficial && slices.Contains(u.Regions, grid.ID[:6]) && official == nil {
			official = u
		}
	}
	if official == nil {
		return nil, nil, fmt.Errorf("demo violation: no official of %s", grid.ID[:6])
	}
	if sup == nil {
		sup = &skygrid.User{Name: "wg" + grid.ID, Role: skygrid.RoleSupervisor, Regions: []string{grid.ID}}
		hash, err := password.Hash(DemoPassword)
		if err != nil {
			return nil, nil, err
		}
		if err := db.CreateUser(ctx, sup, hash); err != nil {
			return nil, nil, err
		}
	}
	return sup, official, nil
}
