package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"skygrid"
	"skygrid/data"
	"skygrid/demo"
	"skygrid/detect"
	"skygrid/dispatch"
	"skygrid/evidence"
	"skygrid/password"
	"skygrid/registry"
	"skygrid/store"
)

// DemoCommand is skygrid demo: a fresh database from the embedded
// Datong data, October 2023 replayed, served.
type DemoCommand struct{ *Main }

// Usage of skygrid demo.
func (m *DemoCommand) Usage() string {
	return `Usage: skygrid demo [--addr 127.0.0.1:8080] [--db FILE] [--no-serve] [serve's flags]

Builds a fresh database from the data embedded in the binary (Datong's ten
counties, 3 km grids with demo supervisors (示例), Shanxi power plants,
October 2023 NOAA-20 VIIRS detections), replays the month through the
pipeline and serves it on the demo's clock; it prints whom to log in as.
Without --db the database lives in a temporary folder, removed at the end.
--db postgres://user@host/db builds the demo in that PostgreSQL database,
which must be empty (freshly created: no regions, users, sites or
detections); a database holding anything is refused, never added to.

Examples:
  skygrid demo
  skygrid demo --addr 127.0.0.1:0 --db demo.db
  skygrid demo --no-serve --db demo.db && skygrid events --db demo.db --limit 10
`
}

// Run builds the demo database and serves it until ctx ends.
func (m *DemoCommand) Run(ctx context.Context, args []string) error {
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
	} else if _, err := os.Stat(file); err == nil && !store.IsPostgres(file) {
		return fmt.Errorf("demo: %s exists; the demo builds a fresh database (remove it or choose another --db)", file)
	}
	// The demo's database is --db or a temporary one, never [store] dsn.
	c.db, c.dbGiven = file, true
	db, p, cfg, err := m.openPipeline(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := demoEmpty(ctx, db); err != nil {
		return fmt.Errorf("demo: %s: %w", store.RedactDSN(file), err)
	}
	dataDir := mf.dataDir
	if dataDir == "" {
		dataDir = defaultDataDir(file)
	}
	if err := BuildDemo(ctx, db, p, m.Stdout, filepath.Join(dataDir, "photos")); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	devs, err := demoMonitors(ctx, db, m.Stdout, demo.Start)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := demoViolation(ctx, db, devs, filepath.Join(dataDir, "photos"), m.Stdout); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := demoAir(ctx, db, m.Stdout, demo.Start); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	// The demo's clock starts where the replay stopped and runs on with
	// real time; serve keeps the real clock.
	wall := m.Now()
	clock := func() time.Time { return demo.Start.Add(m.Now().Sub(wall)) }
	db.Now, p.Now = clock, clock
	fmt.Fprintf(m.Stdout, "database: %s\n", store.RedactDSN(file))
	fmt.Fprintf(m.Stdout, "clock: the demo's clock starts at %s Beijing time (the end of October 2023) and runs on with real time\n",
		demo.Start.In(skygrid.Beijing).Format("2006-01-02 15:04"))
	if *noServe {
		return nil
	}
	mf.demo, mf.clock = true, clock
	if mf.hj212 == "" {
		mf.hj212 = "127.0.0.1:0"
	}
	mf.started, mf.demoSnapshot, mf.demoHLS = m.demoFleet(db, devs, clock), demoSnapshots(db, devs), demoHLS()
	if mf.login, err = demoLogin(ctx, db); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return m.serve(ctx, db, cfg, *addr, mf)
}

// demoEmpty refuses a database that holds regions, users, sites or
// detections: the demo is built in a fresh database only (a new SQLite
// file is, a PostgreSQL database given by --db may not be).
func demoEmpty(ctx context.Context, db *store.DB) error {
	_, regions, err := db.FindRegions(ctx, skygrid.RegionFilter{Limit: 1})
	if err != nil {
		return err
	}
	users, err := db.FindUsers(ctx)
	if err != nil {
		return err
	}
	_, sites, err := db.FindSites(ctx, skygrid.SiteFilter{Limit: 1})
	if err != nil {
		return err
	}
	_, hotspots, err := db.FindHotspots(ctx, skygrid.HotspotFilter{Limit: 1})
	if err != nil {
		return err
	}
	if regions+len(users)+sites+hotspots > 0 {
		return fmt.Errorf("not empty (%d regions, %d users, %d sites, %d detections); the demo builds a fresh database (create an empty one or choose another --db)",
			regions, len(users), sites, hotspots)
	}
	return nil
}

// demoWanggeGrid is the grid of the demo supervisor wangge: 浑源县's
// busiest grid (the most tasks in October 2023; a test checks it).
const demoWanggeGrid = "140225-008-006"

// demoTownshipOfficial is the demo's official of demoWanggeGrid's
// township (下韩村乡).
const demoTownshipOfficial = "xiahancun"

// BuildDemo loads the embedded data into db and replays October 2023 on
// the demo's own clock (db.Now and p.Now are set to it and left at
// demo.Start): the regions, invented townships' boundaries,
// grids, registries and cropland are set up on demo.Setup, each
// daily fire file is ingested when it would have arrived, and the tasks
// get an invented history (示例) through the task service. Report photos
// are written under photoDir. It prints what it loaded and invented.
func BuildDemo(ctx context.Context, db *store.DB, p *dispatch.Pipeline, out io.Writer, photoDir string) error {
	clock := demo.Setup.UTC()
	db.Now = func() time.Time { return clock }
	p.Now = db.Now
	counties, sups, err := demoRegions(ctx, db, out)
	if err != nil {
		return err
	}
	if err := demoLayers(ctx, db, counties, out); err != nil {
		return err
	}
	hash, err := password.Hash(DemoPassword)
	if err != nil {
		return err
	}
	officials, wangge, err := demoUsers(ctx, db, hash, out)
	if err != nil {
		return err
	}
	files, nfiles, err := demoFiles()
	if err != nil {
		return err
	}
	r := &demo.Replay{Pipeline: p, Store: db, SetClock: func(t time.Time) { clock = t.UTC() }, Photos: evidence.Files{Dir: photoDir, NoSync: true},
		Until: demo.Start, Officials: officials, Wangge: wangge, WanggeGrid: demoWanggeGrid, Supervisors: sups, PasswordHash: hash}
	res, err := r.Run(ctx, files)
	if err != nil {
		return err
	}
	t := res.Batch
	fmt.Fprintf(out, "fire points: %d NASA FIRMS NOAA-20 VIIRS files, October 2023, replayed pass by pass (%d passes, each ingested %s after it was seen, as the near-real-time feed delivers): %d rows, %d new, %d duplicates (overlapping days), %d outside the area\n",
		nfiles, len(files), demo.ArrivalDelay, t.Rows, t.New, t.Duplicates, t.Outside)
	fmt.Fprintf(out, "detect: %d low confidence, %d static heat; %d events (%d cross-border, outside the city: no task; %d history), %d tasks dispatched\n",
		t.LowConfidence, t.Static, t.EventsNew, t.CrossBorder, t.History, t.TasksNew)
	return demoSummary(ctx, db, res, out)
}

// demoRegions imports the city, its ten counties, the townships (real
// names and codes, invented boundaries) and the generated 3 km grids with
// made-up supervisors.
func demoRegions(ctx context.Context, db *store.DB, out io.Writer) ([]*skygrid.Region, map[string]*skygrid.Supervisor, error) {
	readRegions := func(name, level, parent string) ([]*skygrid.Region, error) {
		f, err := data.FS.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return registry.ReadRegions(f, name, registry.RegionImport{Level: level, IDProp: "district_adcode,city_adcode",
			NameProp: "district_name,city_name", ParentID: parent, CRS: "cgcs2000"})
	}
	city, err := readRegions(data.Outline, skygrid.LevelCity, "")
	if err != nil {
		return nil, nil, err
	}
	counties, err := readRegions(data.Districts, skygrid.LevelCounty, city[0].ID)
	if err != nil {
		return nil, nil, err
	}
	if err := db.ImportRegions(ctx, append(city, counties...)); err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(out, "regions: %s %s and %d counties (Tianditu boundaries)\n", city[0].ID, city[0].Name, len(counties))
	grids, err := registry.GenerateGrids(ctx, db, 3000, nil)
	if err != nil {
		return nil, nil, err
	}
	f, err := data.FS.Open(data.Townships)
	if err != nil {
		return nil, nil, err
	}
	towns, _, err := demo.ReadTownships(f, data.Townships)
	f.Close()
	if err != nil {
		return nil, nil, err
	}
	townships := demo.Townships(counties, grids, towns)
	for _, g := range grids {
		g.Demo = true
	}
	if err := db.ImportRegions(ctx, append(townships, grids...)); err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(out, "townships: %d, real names and codes (data/admin); their boundaries are invented for the demo (示例: groups of grid cells)\n", len(townships))
	sups := map[string]*skygrid.Supervisor{}
	list := make([]*skygrid.Supervisor, len(grids))
	for i, g := range grids {
		list[i] = &skygrid.Supervisor{GridID: g.ID, Name: fmt.Sprintf("示例网格员 %04d", i+1), Phone: fmt.Sprintf("100-0000-%04d", i+1), Demo: true}
		sups[g.ID] = list[i]
	}
	if err := db.ImportSupervisors(ctx, list); err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(out, "grids: %d generated 3 km cells in the townships, each with a made-up demo supervisor (示例网格员)\n", len(grids))
	return counties, sups, nil
}

// demoLayers imports the heat sources (real) and the invented registries
// and cropland (示例), before the fire data so that ingest classifies
// against them.
func demoLayers(ctx context.Context, db *store.DB, counties []*skygrid.Region, out io.Writer) error {
	plants := 0
	for _, name := range []string{data.PowerPlantsWRI, data.PowerPlantsGEO, data.SteelPlants} {
		f, err := data.FS.Open(name)
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
	sites := demo.Sites(counties)
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
	list, err := db.ImportEmergencyList(ctx, demo.EmergencyList(sites), 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "emergency list (示例, invented for the demo): %d rows, %d matched to the demo sites, %d unmatched; no warning issued\n",
		list.Rows, list.Matched, len(list.Unmatched))
	crop := demo.Cropland(counties)
	if _, err := db.ImportSites(ctx, crop, nil); err != nil {
		return err
	}
	cropKm2, cityKm2 := 0.0, 0.0
	for _, s := range crop {
		cropKm2 += s.AreaM2 / 1e6
	}
	for _, c := range counties {
		cityKm2 += c.AreaKm2
	}
	fmt.Fprintf(out, "cropland (示例, invented for the demo): %d field blocks, %.0f km² (%.0f%% of the city), none in 平城区's urban core\n",
		len(crop), cropKm2, 100*cropKm2/cityKm2)
	return nil
}

// demoFiles reads the embedded October files, cut into their satellite
// passes, each arriving as the near-real-time feed would have delivered
// it (demo.ArrivalDelay after the pass), in arrival order; and
// how many files they came from.
func demoFiles() ([]demo.File, int, error) {
	names, err := fs.Glob(data.FS, data.FIRMSOctober+"/*.csv")
	if err != nil {
		return nil, 0, err
	}
	var files []demo.File
	for _, name := range names {
		b, err := fs.ReadFile(data.FS, name)
		if err != nil {
			return nil, 0, err
		}
		parts, err := demo.SplitPasses(b, path.Base(name), demo.ArrivalDelay)
		if err != nil {
			return nil, 0, err
		}
		files = append(files, parts...)
	}
	slices.SortStableFunc(files, func(a, b demo.File) int { return a.Arrival.Compare(b.Arrival) })
	return files, len(names), nil
}

// demoLogin tells whom to log in as: the demo users, the supervisor
// first (the phone's view), each with their role and area, and the
// password.
func demoLogin(ctx context.Context, db *store.DB) (string, error) {
	us, err := db.FindUsers(ctx)
	if err != nil {
		return "", err
	}
	// The four users the README names; the other counties' officials and
	// the supervisors who acted in the invented history are listed above.
	byName := map[string]*skygrid.User{}
	for _, u := range us {
		byName[u.Name] = u
	}
	var who []string
	for _, name := range []string{"wangge", "hunyuan", "nongye", "admin"} {
		u := byName[name]
		if u == nil {
			continue
		}
		w := u.Name + " (" + map[string]string{skygrid.RoleAuditor: "auditor", skygrid.RoleAdmin: "administrator"}[u.Role] + ")"
		if len(u.Regions) > 0 {
			place, err := placeOf(ctx, db, u.Regions[0])
			if err != nil {
				return "", err
			}
			w = fmt.Sprintf("%s (%s of %s)", u.Name, map[string]string{skygrid.RoleSupervisor: "grid supervisor"}[u.Role], place)
			if u.Role == skygrid.RoleOfficial {
				w = fmt.Sprintf("%s (official of %s)", u.Name, place)
			}
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

// placeOf names a region with its county first: "浑源县 下韩村乡 9行7列".
func placeOf(ctx context.Context, db *store.DB, id string) (string, error) {
	var names []string
	for id != "" {
		rs, _, err := db.FindRegions(ctx, skygrid.RegionFilter{IDs: []string{id}})
		if err != nil {
			return "", fmt.Errorf("demo: region %s: %w", id, err)
		}
		if len(rs) == 0 || rs[0].Level == skygrid.LevelCity {
			break
		}
		// A grid's name holds its township's ("下韩村乡 9行7列"): said once.
		if len(names) == 0 || !strings.HasPrefix(names[0], rs[0].Name+" ") {
			names = append([]string{rs[0].Name}, names...)
		}
		id = rs[0].ParentID
	}
	return strings.Join(names, " "), nil
}

// DemoPassword is the password of the demo users (demo only).
const DemoPassword = "skygrid-demo"

// demoUsers adds one user of each role (the official for 浑源县, the
// supervisor of its busiest grid), an official for each other county,
// who review the invented history, and the official of that grid's
// township (xiahancun, 下韩村乡: a township's figures and tasks).
func demoUsers(ctx context.Context, db *store.DB, hash string, out io.Writer) (map[string]*skygrid.User, *skygrid.User, error) {
	f, err := data.FS.Open(data.Townships)
	if err != nil {
		return nil, nil, err
	}
	_, pinyin, err := demo.ReadTownships(f, data.Townships)
	f.Close()
	if err != nil {
		return nil, nil, err
	}
	county := "140225"
	wangge := &skygrid.User{Name: "wangge", Role: skygrid.RoleSupervisor, Regions: []string{demoWanggeGrid}}
	users := []*skygrid.User{
		{Name: "admin", Role: skygrid.RoleAdmin},
		{Name: "nongye", Role: skygrid.RoleAuditor},
		{Name: pinyin[county], Role: skygrid.RoleOfficial, Regions: []string{county}},
		wangge,
	}
	officials := map[string]*skygrid.User{county: users[2]}
	level := skygrid.LevelCounty
	counties, _, err := db.FindRegions(ctx, skygrid.RegionFilter{Level: &level})
	if err != nil {
		return nil, nil, err
	}
	var others []string
	for _, c := range counties {
		if c.ID == county || pinyin[c.ID] == "" {
			continue
		}
		u := &skygrid.User{Name: pinyin[c.ID], Role: skygrid.RoleOfficial, Regions: []string{c.ID}}
		users = append(users, u)
		officials[c.ID] = u
		others = append(others, fmt.Sprintf("%s (%s)", u.Name, c.Name))
	}
	grid, err := db.FindRegionByID(ctx, demoWanggeGrid)
	if err != nil {
		return nil, nil, fmt.Errorf("the demo's township official: %w", err)
	}
	xiahan := &skygrid.User{Name: demoTownshipOfficial, Role: skygrid.RoleOfficial, Regions: []string{grid.ParentID}}
	township, err := placeOf(ctx, db, grid.ParentID)
	if err != nil {
		return nil, nil, err
	}
	users = append(users, xiahan)
	var names []string
	for i, u := range users {
		if err := db.CreateUser(ctx, u, hash); err != nil {
			return nil, nil, err
		}
		if i < 4 {
			names = append(names, fmt.Sprintf("%s (%s%s)", u.Name, skygrid.RoleNames[u.Role], map[bool]string{true: " " + strings.Join(u.Regions, ","), false: ""}[len(u.Regions) > 0]))
		}
	}
	fmt.Fprintf(out, "users (demo, password %q): %s\n", DemoPassword, strings.Join(names, ", "))
	fmt.Fprintf(out, "  and the other counties' officials: %s\n", strings.Join(others, ", "))
	fmt.Fprintf(out, "  and %s's official: %s (%s %s)\n", township, xiahan.Name, skygrid.RoleNames[xiahan.Role], grid.ParentID)
	return officials, wangge, nil
}

// demoSummary prints the invented history and the state at the demo's
// clock.
func demoSummary(ctx context.Context, db *store.DB, res *demo.Result, out io.Writer) error {
	a := res.Actions
	fmt.Fprintf(out, "history (示例, invented for the demo): %d acknowledged, %d reports (%d invented photos), %d returned, %d closed, %d reassigned, %d escalations; %d demo supervisors acted (users wg<grid>, same password)\n",
		a[skygrid.ActionAcknowledge], a[skygrid.ActionReport], res.Photos, a[skygrid.ActionReturn], a[skygrid.ActionClose], a[skygrid.ActionReassign],
		res.Escalations, res.Users)
	ts, _, err := db.FindTasks(ctx, skygrid.TaskFilter{})
	if err != nil {
		return err
	}
	now := demo.Start
	by, overdue := map[string]int{}, 0
	for _, t := range ts {
		by[t.State]++
		if t.Overdue(now) {
			overdue++
		}
	}
	fmt.Fprintf(out, "tasks at %s: %d dispatched (待签收), %d acknowledged (处置中), %d reported (待审核), %d closed (已办结); %d overdue\n",
		now.In(skygrid.Beijing).Format("2006-01-02 15:04"), by[skygrid.TaskDispatched], by[skygrid.TaskAcknowledged], by[skygrid.TaskReported],
		by[skygrid.TaskClosed], overdue)
	return nil
}
