package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"skygrid"
	"skygrid/api"
	"skygrid/data"
	"skygrid/detect"
	"skygrid/dispatch"
	"skygrid/store"
)

// runDemo: skygrid demo [--addr 127.0.0.1:8080] [--db FILE]
func (m *Main) runDemo(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("demo", "Usage: skygrid demo [flags]\n\nBuilds a fresh database from the data embedded in the binary (Datong's ten counties, 3 km grids\nwith demo supervisors, Shanxi power plants, October 2023 NOAA-20 VIIRS detections), runs the\npipeline and serves it.", &c)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (port 0 picks a free port)")
	noServe := fs.Bool("no-serve", false, "build the database and exit")
	var mf mapFlags
	mf.register(fs, m.Getenv)
	if _, err := m.parse(fs, args); err != nil {
		return err
	}
	file := c.db
	if !flagSet(fs, "db") {
		dir, err := os.MkdirTemp("", "skygrid-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		file = filepath.Join(dir, "skygrid-demo.db")
	} else if _, err := os.Stat(file); err == nil {
		return fmt.Errorf("demo: %s exists; the demo builds a fresh database (remove it or choose another --db)", file)
	}
	db, p, err := m.openPipeline(file, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := BuildDemo(ctx, db, p, m.Stdout); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(m.Stdout, "database: %s\n", file)
	if *noServe {
		return nil
	}
	mf.configPath, mf.sets, mf.demo = c.config, c.sets, true
	if mf.login, err = demoLogin(ctx, db); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return m.serve(ctx, db, *addr, mf)
}

// BuildDemo loads the embedded data into db and runs the pipeline,
// printing what it loaded.
func BuildDemo(ctx context.Context, db *store.DB, p *dispatch.Pipeline, out io.Writer) error {
	open := func(name string) (fs.File, error) { return data.FS.Open(name) }

	// The city outline, then the ten counties under it.
	readRegions := func(name, level, parent string) ([]*skygrid.Region, error) {
		f, err := open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return dispatch.ReadRegions(f, name, dispatch.RegionImport{Level: level, IDProp: "district_adcode,city_adcode",
			NameProp: "district_name,city_name", ParentID: parent, CRS: "cgcs2000"})
	}
	city, err := readRegions(data.Outline, skygrid.LevelCity, "")
	if err != nil {
		return err
	}
	counties, err := readRegions(data.Districts, skygrid.LevelCounty, city[0].ID)
	if err != nil {
		return err
	}
	if err := db.ImportRegions(ctx, append(city, counties...)); err != nil {
		return err
	}
	fmt.Fprintf(out, "regions: %s %s and %d counties (Tianditu boundaries)\n", city[0].ID, city[0].Name, len(counties))

	grids, err := dispatch.GenerateGrids(ctx, db, 3000, nil)
	if err != nil {
		return err
	}
	for _, g := range grids {
		g.Demo = true
	}
	if err := db.ImportRegions(ctx, grids); err != nil {
		return err
	}
	sups := make([]*skygrid.Supervisor, len(grids))
	for i, g := range grids {
		sups[i] = &skygrid.Supervisor{GridID: g.ID, Name: fmt.Sprintf("示例网格员 %04d", i+1), Phone: fmt.Sprintf("100-0000-%04d", i+1), Demo: true}
	}
	if err := db.ImportSupervisors(ctx, sups); err != nil {
		return err
	}
	fmt.Fprintf(out, "grids: %d generated 3 km cells, each with a made-up demo supervisor (示例网格员)\n", len(grids))

	plants := 0
	for _, name := range []string{data.PowerPlantsWRI, data.PowerPlantsGEO, data.SteelPlants} {
		f, err := open(name)
		if err != nil {
			return err
		}
		res, err := detect.ReadHeatSources(f, path.Base(name))
		f.Close()
		if err != nil {
			return err
		}
		if _, err := db.ImportSites(ctx, res.Sites, nil); err != nil {
			return err
		}
		plants += len(res.Sites)
	}
	fmt.Fprintf(out, "heat sources: %d thermal power and steel plants in and around Shanxi (WRI GPPD, GEM)\n", plants)

	// The invented registries, before the fire data so that ingest
	// classifies against them.
	sites := dispatch.DemoSites(counties)
	if _, err := db.ImportSites(ctx, sites, nil); err != nil {
		return err
	}
	kinds := map[string]int{}
	violations := 0
	for _, s := range sites {
		kinds[s.Kind]++
		if s.Violation != "" {
			violations++
		}
	}
	fmt.Fprintf(out, "sites (示例, invented for the demo): %d construction sites, %d stockpiles, %d no-coal zone (平城区); %d break a rule\n",
		kinds[skygrid.SiteConstruction], kinds[skygrid.SiteStockpile], kinds[skygrid.SiteNoCoal], violations)

	names, err := fs.Glob(data.FS, data.FIRMSOctober+"/*.csv")
	if err != nil {
		return err
	}
	pctx, err := p.LoadContext(ctx)
	if err != nil {
		return err
	}
	var t skygrid.IngestBatch
	for _, name := range names {
		f, err := open(name)
		if err != nil {
			return err
		}
		b, err := p.Ingest(ctx, f, path.Base(name), dispatch.IngestOptions{Context: pctx})
		f.Close()
		if err != nil {
			return err
		}
		t.AddCounts(b)
	}
	fmt.Fprintf(out, "fire points: %d NASA FIRMS NOAA-20 VIIRS files, October 2023: %d rows, %d new, %d duplicates (overlapping days), %d outside the area\n",
		len(names), t.Rows, t.New, t.Duplicates, t.Outside)
	fmt.Fprintf(out, "detect: %d low confidence, %d static heat; %d events, %d tasks dispatched\n", t.LowConfidence, t.Static, t.EventsNew, t.TasksNew)
	return demoUsers(ctx, db, out)
}

// demoLogin tells whom to log in as: the demo users, the supervisor
// first (the phone's view), each with their role and area, and the
// password.
func demoLogin(ctx context.Context, db *store.DB) (string, error) {
	us, err := db.FindUsers(ctx)
	if err != nil {
		return "", err
	}
	var ids []string
	for _, u := range us {
		ids = append(ids, u.Regions...)
	}
	rs, _, err := db.FindRegions(ctx, skygrid.RegionFilter{IDs: ids})
	if err != nil {
		return "", err
	}
	names := map[string]string{}
	for _, r := range rs {
		names[r.ID] = r.Name
	}
	role := map[string]string{skygrid.RoleSupervisor: "grid supervisor of %s", skygrid.RoleOfficial: "official of %s",
		skygrid.RoleAuditor: "auditor", skygrid.RoleAdmin: "administrator"}
	order := map[string]int{skygrid.RoleSupervisor: 0, skygrid.RoleOfficial: 1, skygrid.RoleAuditor: 2, skygrid.RoleAdmin: 3}
	slices.SortStableFunc(us, func(a, b *skygrid.User) int { return order[a.Role] - order[b.Role] })
	var who []string
	for _, u := range us {
		area := ""
		if len(u.Regions) > 0 {
			area = cmp.Or(names[u.Regions[0]], u.Regions[0])
		}
		w := u.Name + " (" + u.Role + ")"
		if f, ok := role[u.Role]; ok {
			w = u.Name + " (" + strings.Replace(f, "%s", area, 1) + ")"
		}
		who = append(who, w)
	}
	if len(who) == 0 {
		return "", nil
	}
	list := strings.Join(who, ", ")
	if len(who) > 1 {
		list = strings.Join(who[:len(who)-1], ", ") + " or " + who[len(who)-1]
	}
	return fmt.Sprintf(" and log in as %s, password %s", list, DemoPassword), nil
}

// DemoPassword is the password of the demo users (demo only).
const DemoPassword = "skygrid-demo"

// demoUsers adds one user of each role: the official for 浑源县 and the
// supervisor of its grid with the most tasks.
func demoUsers(ctx context.Context, db *store.DB, out io.Writer) error {
	county := "140225"
	ts, _, err := db.FindTasks(ctx, skygrid.TaskFilter{CountyID: &county})
	if err != nil {
		return err
	}
	count := map[string]int{}
	best := ""
	for _, t := range ts {
		if t.GridID == "" {
			continue
		}
		count[t.GridID]++
		if best == "" || count[t.GridID] > count[best] || (count[t.GridID] == count[best] && t.GridID < best) {
			best = t.GridID
		}
	}
	hash, err := api.HashPassword(DemoPassword)
	if err != nil {
		return err
	}
	users := []*skygrid.User{
		{Name: "admin", Role: skygrid.RoleAdmin},
		{Name: "nongye", Role: skygrid.RoleAuditor},
		{Name: "hunyuan", Role: skygrid.RoleOfficial, Regions: []string{county}},
	}
	if best != "" {
		users = append(users, &skygrid.User{Name: "wangge", Role: skygrid.RoleSupervisor, Regions: []string{best}})
	}
	var names []string
	for _, u := range users {
		if err := db.CreateUser(ctx, u, hash); err != nil {
			return err
		}
		names = append(names, fmt.Sprintf("%s (%s%s)", u.Name, skygrid.RoleNames[u.Role], map[bool]string{true: " " + strings.Join(u.Regions, ","), false: ""}[len(u.Regions) > 0]))
	}
	fmt.Fprintf(out, "users (demo, password %q): %s\n", DemoPassword, strings.Join(names, ", "))
	return nil
}
