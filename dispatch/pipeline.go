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
	"strings"
	"time"

	"skygrid"
	"skygrid/detect"
	"skygrid/geo"
)

// Store is what the pipeline needs from the store.
type Store interface {
	skygrid.IngestService
	skygrid.RegionService
	skygrid.SiteService
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
}

// New returns a pipeline with the given configuration.
func New(s Store, cfg Config) (*Pipeline, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Pipeline{Store: s, Config: cfg, Now: time.Now, Actor: "cli"}, nil
}

// Context is what the pipeline reads from the regions and layers once per
// run: the area, the grid, township and county indexes and the detector.
type Context struct {
	// Area is nil when no region is imported: every detection is kept.
	Area      *geo.Index
	Grids     *geo.Index
	Townships *geo.Index
	Counties  *geo.Index
	Detector  *detect.Detector
	// parents maps grid and township ids to their parent.
	parents map[string]string
	levels  map[string]string
}

// LoadContext reads regions and sites from the store and indexes them.
func (p *Pipeline) LoadContext(ctx context.Context) (*Context, error) {
	regions, _, err := p.Store.FindRegions(ctx, skygrid.RegionFilter{WithGeometry: true})
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
	c := &Context{Grids: geo.NewIndex(), Townships: geo.NewIndex(), Counties: geo.NewIndex(), Detector: det,
		parents: map[string]string{}, levels: map[string]string{}}
	byLevel := map[string][]*skygrid.Region{}
	for _, r := range regions {
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
		}
	}
	// The area: the largest level imported (city, else counties, ...).
	for _, l := range []string{skygrid.LevelCity, skygrid.LevelCounty, skygrid.LevelTownship, skygrid.LevelGrid} {
		if len(byLevel[l]) == 0 {
			continue
		}
		c.Area = geo.NewIndex()
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
}

// IngestFile opens and ingests one file.
func (p *Pipeline) IngestFile(ctx context.Context, path string, opt IngestOptions) (*skygrid.IngestBatch, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ingest %s: %w", path, err)
	}
	defer f.Close()
	return p.Ingest(ctx, f, filepath.Base(path), opt)
}

// chunk is how many rows are inserted between progress reports.
const chunk = 4096

// Ingest reads one fire file and runs it through the pipeline in one
// transaction. A row that cannot be read is counted and reported, and the
// rest goes in; a file that is not a fire file, or that fails to read, is
// refused whole and nothing of it is stored.
func (p *Pipeline) Ingest(ctx context.Context, r io.Reader, name string, opt IngestOptions) (*skygrid.IngestBatch, error) {
	rd, err := detect.Open(r, name)
	if err != nil {
		if errors.Is(err, detect.ErrNotFireFile) {
			return nil, &skygrid.Error{Code: skygrid.EINVALID, Message: err.Error()}
		}
		return nil, err
	}
	c := opt.Context
	if c == nil {
		if c, err = p.LoadContext(ctx); err != nil {
			return nil, err
		}
	}
	batch := &skygrid.IngestBatch{File: name, Format: rd.Format()}
	margin := p.Config.AreaMarginMetres
	err = p.Store.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
		if err := tx.CreateBatch(batch); err != nil {
			return err
		}
		var fresh []*skygrid.Hotspot
		buf := make([]*skygrid.Hotspot, 0, chunk)
		flush := func() error {
			if len(buf) == 0 {
				return nil
			}
			n, err := tx.InsertHotspots(buf)
			if err != nil {
				return err
			}
			batch.New += n
			batch.Duplicates += len(buf) - n
			for _, h := range buf {
				if h.ID > 0 {
					fresh = append(fresh, h)
				}
			}
			buf = buf[:0]
			if opt.Progress != nil {
				opt.Progress(rd.BytesRead())
			}
			return ctx.Err()
		}
		for {
			h, err := rd.Next()
			if err == io.EOF {
				break
			}
			var rowErr *skygrid.RowError
			if errors.As(err, &rowErr) {
				batch.Rows++
				batch.Rejected++
				if len(batch.Errors) < skygrid.MaxBatchErrors {
					batch.Errors = append(batch.Errors, *rowErr)
				}
				continue
			} else if err != nil {
				return err
			}
			batch.Rows++
			if c.Area != nil && !c.Area.Covers(h.Point, margin) {
				batch.Outside++
				continue
			}
			h.BatchID = batch.ID
			buf = append(buf, h)
			if len(buf) == chunk {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		batch.Format = rd.Format()
		if err := p.process(tx, c, batch, fresh); err != nil {
			return err
		}
		if err := tx.FinishBatch(batch); err != nil {
			return err
		}
		return tx.Audit(&skygrid.AuditEntry{Actor: p.Actor, Action: "ingest", Entity: "batch", EntityID: fmt.Sprint(batch.ID),
			After: fmt.Sprintf("%s: %d rows, %d new, %d duplicates, %d rejected, %d outside; %d new events, %d new tasks",
				name, batch.Rows, batch.New, batch.Duplicates, batch.Rejected, batch.Outside, batch.EventsNew, batch.TasksNew)})
	})
	if err != nil {
		return nil, fmt.Errorf("ingest %s: %w", name, err)
	}
	return batch, nil
}

// process runs detect and dispatch on the hotspots a batch added.
func (p *Pipeline) process(tx skygrid.IngestTx, c *Context, batch *skygrid.IngestBatch, fresh []*skygrid.Hotspot) error {
	if len(fresh) == 0 {
		return nil
	}
	cfg := p.Config.Detect
	det := c.Detector
	sort.SliceStable(fresh, func(i, j int) bool {
		if !fresh[i].AcqTime.Equal(fresh[j].AcqTime) {
			return fresh[i].AcqTime.Before(fresh[j].AcqTime)
		}
		return fresh[i].ID < fresh[j].ID
	})
	bound := fresh[0].Point.Bound()
	for _, h := range fresh {
		bound = bound.Extend(h.Point)
	}
	tMin, tMax := fresh[0].AcqTime, fresh[len(fresh)-1].AcqTime
	reach := math.Max(cfg.ClusterMetres, cfg.PersistMetres)
	grown := geo.GrowBound(bound, reach)
	refLat := math.Max(math.Abs(grown.Min[1]), math.Abs(grown.Max[1]))

	// History for persistence: every stored detection of the trailing
	// window around the batch (this batch's are already stored).
	recent, err := tx.RecentHotspots(grown, tMin.Add(-cfg.PersistWindow.Duration), tMax)
	if err != nil {
		return err
	}
	hist := detect.NewHistory(cfg, refLat)
	for _, h := range recent {
		hist.Add(h.ID, h.Point, h.AcqTime)
	}

	// Open events that the batch may join, with their hotspots.
	cl := detect.NewClusterer(cfg, refLat)
	open, err := tx.OpenEvents(grown, tMin.Add(-cfg.ClusterGap.Duration))
	if err != nil {
		return err
	}
	eventIdx := map[int64]int{}
	for _, e := range open {
		eventIdx[e.ID] = cl.AddEvent(e)
	}
	for _, h := range recent {
		if ei, ok := eventIdx[h.EventID]; ok && h.EventID > 0 {
			cl.AddMember(ei, h.Point)
		}
	}
	touched := map[int]bool{}
	isNew := map[int]bool{}
	members := map[int][]*skygrid.Hotspot{}

	for _, h := range fresh {
		if reason := det.ConfidenceReason(h); reason != "" {
			h.Status, h.StatusReason = skygrid.StatusLowConfidence, reason
			batch.LowConfidence++
			continue
		}
		static := false
		if reason := det.StaticReason(h, hist); reason != "" {
			h.Status, h.StatusReason = skygrid.StatusStatic, reason
			batch.Static++
			static = true
		} else {
			h.Status, h.StatusReason = skygrid.StatusFire, ""
		}
		ei := cl.Match(h, static)
		if ei < 0 {
			e := &skygrid.Event{State: skygrid.EventOpen}
			if static {
				e.Class = skygrid.ClassIndustrialHeat
			} else {
				e.Class, _ = det.Classify(h.Point, h.AcqTime)
			}
			ei = cl.AddEvent(e)
			isNew[ei] = true
		}
		e := cl.Event(ei)
		detect.Join(e, h)
		cl.AddMember(ei, h.Point)
		touched[ei] = true
		members[ei] = append(members[ei], h)
	}

	// Store events in creation order, then tasks.
	order := make([]int, 0, len(touched))
	for ei := range touched {
		order = append(order, ei)
	}
	sort.Ints(order)
	sups, err := tx.Supervisors()
	if err != nil {
		return err
	}
	now := p.Now().UTC().Truncate(time.Second)
	for _, ei := range order {
		e := cl.Event(ei)
		if isNew[ei] {
			p.assign(c, e)
			if err := tx.CreateEvent(e); err != nil {
				return err
			}
			batch.EventsNew++
			if err := tx.Audit(&skygrid.AuditEntry{Actor: p.Actor, Action: "event.create", Entity: "event", EntityID: fmt.Sprint(e.ID),
				After: fmt.Sprintf("class=%s grid=%s assigned_by=%s hotspots=%d", e.Class, e.GridID, e.AssignedBy, e.HotspotCount)}); err != nil {
				return err
			}
		} else {
			if err := tx.UpdateEvent(e); err != nil {
				return err
			}
			batch.EventsUpdated++
		}
		for _, h := range members[ei] {
			h.EventID = e.ID
		}
		if !skygrid.Dispatched(e.Class) {
			continue
		}
		if isNew[ei] {
			t := &skygrid.Task{EventID: e.ID, GridID: e.GridID, State: skygrid.TaskDispatched}
			if s := sups[e.GridID]; s != nil && e.GridID != "" {
				t.SupervisorID, t.SupervisorName = s.ID, s.Name
			}
			t.AckDue, t.ReportDue = p.Config.dueTimes(e.Class, now)
			if err := tx.CreateTask(t); err != nil {
				return err
			}
			batch.TasksNew++
			who := t.SupervisorName
			if e.GridID == "" {
				who = "unassigned queue"
			} else if who == "" {
				who = "grid " + e.GridID + " (no supervisor)"
			}
			if err := tx.Audit(&skygrid.AuditEntry{Actor: p.Actor, Action: "task.dispatch", Entity: "task", EntityID: fmt.Sprint(t.ID),
				After: fmt.Sprintf("event=%d to=%s ack_due=%s report_due=%s", e.ID, who, t.AckDue.Format(time.RFC3339), t.ReportDue.Format(time.RFC3339))}); err != nil {
				return err
			}
		} else {
			// New hotspots on an open event update its task, never a second task.
			t, err := tx.TaskByEvent(e.ID)
			if err != nil {
				return err
			}
			if t != nil {
				if err := tx.UpdateTask(t); err != nil {
					return err
				}
				if err := tx.Audit(&skygrid.AuditEntry{Actor: p.Actor, Action: "task.update", Entity: "task", EntityID: fmt.Sprint(t.ID),
					After: fmt.Sprintf("event=%d now %d hotspots, last seen %s", e.ID, e.HotspotCount, e.LastSeen.Format(time.RFC3339))}); err != nil {
					return err
				}
			}
		}
	}
	return tx.UpdateHotspots(fresh)
}

// assign sets the event's grid (containing, else nearest within the
// tolerance, else none: the city's unassigned queue), township and county.
func (p *Pipeline) assign(c *Context, e *skygrid.Event) {
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
