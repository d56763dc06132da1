package dispatch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"skygrid"
	"skygrid/detect"
	"skygrid/geo"

	"github.com/paulmach/orb"
)

// Store is what the pipeline needs from the store.
type Store interface {
	skygrid.IngestService
	skygrid.RegionService
	skygrid.SiteService
	skygrid.EventService
}

// Pipeline ingests fire files: read, keep the area, dedupe, store, detect,
// cluster, classify, assign a grid and dispatch a task. One file is one
// transaction.
type Pipeline struct {
	Store  Store
	Config Config
	// Now is the clock (task deadlines); tests replace it.
	Now func() time.Time
	// Actor is written to the audit log ("cli", "feed", a user name).
	Actor string
	// Warnings are the heavy-pollution warnings: a fire task created in a
	// county under one gets the deadlines of WarningConfig (nil: none).
	Warnings      *WarningCache
	WarningConfig WarningConfig
	// places is the context Place reads (New makes it; copies share it).
	places *ContextCache
}

// New returns a pipeline with the given configuration.
func New(s Store, cfg Config) (*Pipeline, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Pipeline{Store: s, Config: cfg, Now: time.Now, Actor: "cli", places: &ContextCache{}}, nil
}

// Context is what the pipeline reads from the regions and layers once per
// run: the area, the grid, township and county indexes and the detector.
type Context struct {
	// Area is nil when no region is imported: every detection is kept.
	Area      *geo.Index
	Grids     *geo.Index
	Townships *geo.Index
	Counties  *geo.Index
	// Neighbours holds the neighbouring cities' counties (name where a
	// cross-border fire burns); empty when none are imported.
	Neighbours *geo.Index
	Detector   *detect.Detector
	// parents maps grid and township ids to their parent.
	parents map[string]string
	levels  map[string]string
	// areaLevel is the level of the area's regions; counties the county
	// polygons (the nearest one to a cross-border fire).
	areaLevel string
	counties  map[string]orb.MultiPolygon
}

// LoadContext reads regions and sites from the store and indexes them.
func (p *Pipeline) LoadContext(ctx context.Context) (*Context, error) {
	regions, _, err := p.Store.FindRegions(ctx, skygrid.RegionFilter{WithGeometry: true, Neighbours: true})
	if err != nil {
		return nil, fmt.Errorf("load regions: %w", err)
	}
	sites, _, err := p.Store.FindSites(ctx, skygrid.SiteFilter{})
	if err != nil {
		return nil, fmt.Errorf("load sites: %w", err)
	}
	det, err := detect.New(p.Config.Detect, detect.NewLayers(sites))
	if err != nil {
		return nil, err
	}
	c := &Context{Grids: geo.NewIndex(), Townships: geo.NewIndex(), Counties: geo.NewIndex(), Neighbours: geo.NewIndex(), Detector: det,
		parents: map[string]string{}, levels: map[string]string{}, counties: map[string]orb.MultiPolygon{}}
	byLevel := map[string][]*skygrid.Region{}
	for _, r := range regions {
		if r.Neighbour {
			c.Neighbours.Add(r.ID, r.Geometry)
			continue
		}
		byLevel[r.Level] = append(byLevel[r.Level], r)
		c.parents[r.ID] = r.ParentID
		c.levels[r.ID] = r.Level
		switch r.Level {
		case skygrid.LevelGrid:
			c.Grids.Add(r.ID, r.Geometry)
		case skygrid.LevelTownship:
			c.Townships.Add(r.ID, r.Geometry)
		case skygrid.LevelCounty:
			c.Counties.Add(r.ID, r.Geometry)
			c.counties[r.ID] = r.Geometry
		}
	}
	// The area: the largest level imported (city, else counties, ...).
	for _, l := range []string{skygrid.LevelCity, skygrid.LevelCounty, skygrid.LevelTownship, skygrid.LevelGrid} {
		if len(byLevel[l]) == 0 {
			continue
		}
		c.Area, c.areaLevel = geo.NewIndex(), l
		for _, r := range byLevel[l] {
			c.Area.Add(r.ID, r.Geometry)
		}
		break
	}
	return c, nil
}

// ancestor returns the ancestor of id at level, or "".
func (c *Context) ancestor(id, level string) string {
	for i := 0; id != "" && i < 4; i++ {
		if c.levels[id] == level {
			return id
		}
		id = c.parents[id]
	}
	return ""
}

// IngestOptions tunes one ingest.
type IngestOptions struct {
	// Progress, when set, is called now and then with the bytes read.
	Progress func(bytesRead int64)
	// Context reuses an already loaded context (many files in a row).
	Context *Context
	// ArrivedAt is when the file or feed answer arrived (zero: when the
	// ingest started); the batch records the latency from it to the
	// tasks being stored. Origin says where it came from: cli (default),
	// feed or watch.
	ArrivedAt time.Time
	Origin    string
}

// IngestFile opens and ingests one file. A large file is read by two
// workers (detect.ReadFile), each taking one half (cut at a line end).
func (p *Pipeline) IngestFile(ctx context.Context, path string, opt IngestOptions) (*skygrid.IngestBatch, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ingest %s: %w", path, err)
	}
	defer f.Close()
	name := filepath.Base(path)
	c, err := p.context(ctx, opt)
	if err != nil {
		return nil, err
	}
	batch := p.newBatch(name, opt)
	rows, sum, err := detect.ReadFile(ctx, f, name, p.readOptions(c, opt))
	if err != nil {
		return nil, readErr(name, err)
	}
	return p.store(ctx, c, batch, rows, sum)
}

// insertChunk is how many decided hotspots go to the store at once.
const insertChunk = 2000

// progressRows is how often (in rows) deciding checks the context.
const progressRows = 8192

func (p *Pipeline) context(ctx context.Context, opt IngestOptions) (*Context, error) {
	if opt.Context != nil {
		return opt.Context, nil
	}
	return p.LoadContext(ctx)
}

// Ingest reads one fire file and runs it through the pipeline in one
// transaction. A row that cannot be read is counted and reported, and the
// rest goes in; a file that is not a fire file, or that fails to read, is
// refused whole and nothing of it is stored.
func (p *Pipeline) Ingest(ctx context.Context, r io.Reader, name string, opt IngestOptions) (*skygrid.IngestBatch, error) {
	c, err := p.context(ctx, opt)
	if err != nil {
		return nil, err
	}
	batch := p.newBatch(name, opt)
	rows, sum, err := detect.Read(ctx, r, name, p.readOptions(c, opt))
	if err != nil {
		return nil, readErr(name, err)
	}
	return p.store(ctx, c, batch, rows, sum)
}

func (p *Pipeline) newBatch(name string, opt IngestOptions) *skygrid.IngestBatch {
	return &skygrid.IngestBatch{File: name, StartedAt: p.Now().UTC(), ArrivedAt: opt.ArrivedAt, Origin: opt.Origin}
}

// readOptions keeps the rows in the area (imported regions plus margin);
// nothing is stored while reading, so a file that fails to read leaves
// nothing behind.
func (p *Pipeline) readOptions(c *Context, opt IngestOptions) detect.ReadOptions {
	o := detect.ReadOptions{Progress: opt.Progress, Workers: 2}
	if c.Area != nil {
		margin := p.Config.AreaMarginMetres
		o.Keep = func(h *skygrid.Hotspot) bool { return c.Area.Covers(h.Point, margin) }
	}
	return o
}

// readErr names the file in a reading error; an input error (no fire
// file) already does.
func readErr(name string, err error) error {
	var e *skygrid.Error
	if errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("ingest %s: %w", name, err)
}

// OpenReader opens a fire file for reading; a file that is no fire file is
// an input error (EINVALID) naming it.
func OpenReader(r io.Reader, name string) (*detect.Reader, error) {
	rd, err := detect.OpenChecked(r, name)
	if err != nil {
		return nil, readErr(name, err)
	}
	return rd, nil
}

// eventSummary is an event.create audit line.
func eventSummary(e *skygrid.Event) string {
	s := "class=" + e.Class + " grid=" + e.GridID + " assigned_by=" + e.AssignedBy + " hotspots=" + strconv.Itoa(e.HotspotCount)
	if e.History {
		s += " history=older_than_max_age" // no task
	}
	if e.CrossBorder {
		s += " cross_border=outside_the_city near=" + e.NearCountyID + " where=" + strconv.Quote(e.BorderNote()) // no task
	}
	return s
}

// assign sets the event's grid (containing, else nearest within the
// tolerance, else none: the city's unassigned queue), township and
// county; an event outside the city (or its counties) by more than the
// tolerance is cross-border (see crossBorder).
func (p *Pipeline) assign(c *Context, e *skygrid.Event) {
	tol := p.Config.AssignToleranceMetres
	if (c.areaLevel == skygrid.LevelCity || c.areaLevel == skygrid.LevelCounty) && !c.Area.Covers(e.Point, tol) {
		p.crossBorder(c, e)
		return
	}
	e.GridID, e.AssignedBy = c.Grids.Assign(e.Point, p.Config.AssignToleranceMetres)
	if e.GridID != "" {
		e.TownshipID = c.ancestor(e.GridID, skygrid.LevelTownship)
		e.CountyID = c.ancestor(e.GridID, skygrid.LevelCounty)
	}
	if e.TownshipID == "" {
		e.TownshipID, _ = c.Townships.Assign(e.Point, p.Config.AssignToleranceMetres)
	}
	if e.CountyID == "" {
		if e.TownshipID != "" {
			e.CountyID = c.ancestor(e.TownshipID, skygrid.LevelCounty)
		}
		if e.CountyID == "" {
			e.CountyID, _ = c.Counties.Assign(e.Point, p.Config.AssignToleranceMetres)
		}
	}
}

// crossBorder marks an event outside the city: no grid, township or
// county, and where it is: the nearest of the city's counties with the
// distance and direction from it, and the neighbouring county holding it
// (within the tolerance) where neighbours are imported.
func (p *Pipeline) crossBorder(c *Context, e *skygrid.Event) {
	e.CrossBorder, e.AssignedBy = true, geo.AssignNone
	e.GridID, e.TownshipID, e.CountyID = "", "", ""
	reach := p.Config.AreaMarginMetres + p.Config.AssignToleranceMetres + 20000
	if id, _, ok := c.Counties.Nearest(e.Point, reach); ok {
		_, m, bearing := geo.NearestOn(e.Point, c.counties[id])
		e.NearCountyID, e.NearMetres, e.NearDirection = id, math.Round(m), skygrid.DirectionOf(bearing)
	}
	if c.Neighbours.Len() > 0 {
		e.NeighbourID, _ = c.Neighbours.Assign(e.Point, p.Config.AssignToleranceMetres)
	}
}

// ErrNoFiles is returned by ExpandPaths for a folder with no fire files.
var ErrNoFiles = errors.New("no files")

// ExpandPaths expands directories (their *.csv and *.txt files, sorted) and
// keeps files as given, so `ingest dir/` takes a folder of daily files in order.
func ExpandPaths(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			out = append(out, a)
			continue
		}
		ents, err := os.ReadDir(a)
		if err != nil {
			return nil, err
		}
		var names []string
		for _, e := range ents {
			n := strings.ToLower(e.Name())
			if !e.IsDir() && (strings.HasSuffix(n, ".csv") || strings.HasSuffix(n, ".txt")) {
				names = append(names, filepath.Join(a, e.Name()))
			}
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("%s: %w (no .csv or .txt files)", a, ErrNoFiles)
		}
		sort.Strings(names)
		out = append(out, names...)
	}
	return out, nil
}
