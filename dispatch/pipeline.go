package dispatch

import (
	"bytes"
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
	"sync"
	"sync/atomic"
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
// goroutines, each taking one half (cut at a line end).
func (p *Pipeline) IngestFile(ctx context.Context, path string, opt IngestOptions) (*skygrid.IngestBatch, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ingest %s: %w", path, err)
	}
	defer f.Close()
	name := filepath.Base(path)
	fi, err := f.Stat()
	if err != nil || fi.Size() < parallelReadMin {
		return p.Ingest(ctx, f, name, opt)
	}
	c, err := p.context(ctx, opt)
	if err != nil {
		return nil, err
	}
	batch := &skygrid.IngestBatch{File: name, StartedAt: p.Now().UTC(), ArrivedAt: opt.ArrivedAt, Origin: opt.Origin}
	rows, err := p.readHalves(ctx, f, fi.Size(), name, c, batch, opt)
	if err != nil {
		return nil, err
	}
	return p.store(ctx, c, batch, rows)
}

// parallelReadMin is the file size from which IngestFile reads in two halves.
const parallelReadMin = 16 << 20

// progressRows is how often (in rows) Progress is called.
const progressRows = 8192

// insertChunk is how many decided hotspots go to the store at once.
const insertChunk = 2000

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
	batch := &skygrid.IngestBatch{File: name, StartedAt: p.Now().UTC(), ArrivedAt: opt.ArrivedAt, Origin: opt.Origin}
	rd, err := OpenReader(r, name)
	if err != nil {
		return nil, err
	}
	rows, err := p.readRows(ctx, rd, c, batch, opt.Progress, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("ingest %s: %w", name, err)
	}
	return p.store(ctx, c, batch, rows)
}

// OpenReader opens a fire file for reading; a file that is no fire file is
// an input error (EINVALID) naming it.
func OpenReader(r io.Reader, name string) (*detect.Reader, error) {
	rd, err := detect.Open(r, name)
	if err != nil {
		if errors.Is(err, detect.ErrNotFireFile) {
			return nil, &skygrid.Error{Code: skygrid.EINVALID, Message: err.Error()}
		}
		return nil, fmt.Errorf("ingest %s: %w", name, err)
	}
	return rd, nil
}

// readRows reads every row, keeping those in the area and counting the
// rest in batch. Nothing is stored yet, so a file that fails to read leaves
// nothing behind. lineOffset is added to the line numbers of row errors.
func (p *Pipeline) readRows(ctx context.Context, rd *detect.Reader, c *Context, batch *skygrid.IngestBatch, progress func(int64), lineOffset, capHint int) (*rowSet, error) {
	margin := p.Config.AreaMarginMetres
	rs := newRowSet()
	rs.rows = make([]row, 0, capHint)
	var h skygrid.Hotspot
	for {
		err := rd.NextInto(&h)
		if err == io.EOF {
			break
		}
		var rowErr *skygrid.RowError
		if errors.As(err, &rowErr) {
			batch.Rows++
			batch.Rejected++
			if len(batch.Errors) < skygrid.MaxBatchErrors {
				e := *rowErr
				e.Line += lineOffset
				batch.Errors = append(batch.Errors, e)
			}
			continue
		} else if err != nil {
			return nil, err
		}
		batch.Rows++
		if batch.Rows%progressRows == 0 {
			if progress != nil {
				progress(rd.BytesRead())
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if c.Area != nil && !c.Area.Covers(h.Point, margin) {
			batch.Outside++
			continue
		}
		rs.add(&h)
	}
	if progress != nil {
		progress(rd.BytesRead())
	}
	batch.Format = rd.Format()
	return rs, nil
}

// readHalves reads a large file in two goroutines: the first half, and the
// header followed by the second half (from the first line end after the
// middle). Rows keep file order; row errors keep their file line numbers.
func (p *Pipeline) readHalves(ctx context.Context, f *os.File, size int64, name string, c *Context, batch *skygrid.IngestBatch, opt IngestOptions) (*rowSet, error) {
	head := make([]byte, 64<<10)
	n, err := f.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("ingest %s: %w", name, err)
	}
	head = head[:n]
	hdrEnd := headerEnd(head)
	mid, err := lineStartAfter(f, size/2)
	if err != nil {
		return nil, fmt.Errorf("ingest %s: %w", name, err)
	}
	if hdrEnd <= 0 || mid <= int64(hdrEnd) || mid >= size {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		rd, err := OpenReader(f, name)
		if err != nil {
			return nil, err
		}
		rows, err := p.readRows(ctx, rd, c, batch, opt.Progress, 0, 0)
		if err != nil {
			return nil, fmt.Errorf("ingest %s: %w", name, err)
		}
		return rows, nil
	}
	// Lines before the second half, to number its row errors.
	linesBefore, err := countLines(io.NewSectionReader(f, 0, mid))
	if err != nil {
		return nil, fmt.Errorf("ingest %s: %w", name, err)
	}
	headerLines := bytes.Count(head[:hdrEnd], []byte{'\n'})
	// Room for the rows of each half, from the line length in the sample
	// (with regions imported most rows are left out, so no hint then).
	capHint := 0
	if c.Area == nil {
		if n := bytes.Count(head[hdrEnd:], []byte{'\n'}); n > 0 {
			capHint = int(float64(size/2) / (float64(len(head)-hdrEnd) / float64(n)) * 1.05)
		}
	}
	var progress [2]atomic.Int64
	var progressMu sync.Mutex
	report := func(i int) func(int64) {
		if opt.Progress == nil {
			return nil
		}
		return func(b int64) {
			progress[i].Store(b)
			progressMu.Lock() // the callback need not be safe for concurrent use
			defer progressMu.Unlock()
			opt.Progress(progress[0].Load() + progress[1].Load())
		}
	}
	type half struct {
		rows  *rowSet
		batch skygrid.IngestBatch
		err   error
	}
	var halves [2]half
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var in io.Reader = io.NewSectionReader(f, 0, mid)
			offset := 0
			if i == 1 {
				in = io.MultiReader(bytes.NewReader(head[:hdrEnd]), io.NewSectionReader(f, mid, size-mid))
				offset = linesBefore - headerLines
			}
			rd, err := OpenReader(in, name)
			if err != nil {
				halves[i].err = err
				return
			}
			halves[i].rows, err = p.readRows(ctx, rd, c, &halves[i].batch, report(i), offset, capHint)
			if err != nil {
				halves[i].err = fmt.Errorf("ingest %s: %w", name, err)
			}
		}(i)
	}
	wg.Wait()
	for i := range halves {
		if halves[i].err != nil {
			return nil, halves[i].err // openReader's already names the file
		}
	}
	a, b := &halves[0].batch, &halves[1].batch
	batch.Format = a.Format
	batch.AddCounts(a)
	batch.AddCounts(b)
	batch.Errors = append(a.Errors, b.Errors...)
	if len(batch.Errors) > skygrid.MaxBatchErrors {
		batch.Errors = batch.Errors[:skygrid.MaxBatchErrors]
	}
	halves[0].rows.merge(halves[1].rows)
	return halves[0].rows, nil
}

// headerEnd is the length of a fire file's header: its leading '#' lines
// (Himawari) or its first line (FIRMS); 0 when not found in head.
func headerEnd(head []byte) int {
	pos := 0
	comment := false
	for pos < len(head) && head[pos] == '#' {
		i := bytes.IndexByte(head[pos:], '\n')
		if i < 0 {
			return 0
		}
		pos += i + 1
		comment = true
	}
	if comment {
		return pos
	}
	i := bytes.IndexByte(head, '\n')
	if i < 0 {
		return 0
	}
	return i + 1
}

// lineStartAfter returns the offset just after the first newline at or
// after off.
func lineStartAfter(f *os.File, off int64) (int64, error) {
	buf := make([]byte, 64<<10)
	for {
		n, err := f.ReadAt(buf, off)
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			return off + int64(i) + 1, nil
		}
		if err != nil {
			if err == io.EOF {
				return off + int64(n), nil
			}
			return 0, err
		}
		off += int64(n)
	}
}

func countLines(r io.Reader) (int, error) {
	buf := make([]byte, 1<<20)
	n := 0
	for {
		k, err := r.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if err == io.EOF {
			return n, nil
		} else if err != nil {
			return 0, err
		}
	}
}

// store dedupes the rows read and runs them through detect and dispatch in
// one transaction.
func (p *Pipeline) store(ctx context.Context, c *Context, batch *skygrid.IngestBatch, rs *rowSet) (*skygrid.IngestBatch, error) {
	name := batch.File
	// Order by dedupe key (so by minute) and drop repeats in the file.
	rs.sortDedupe(&batch.Duplicates)

	err := p.Store.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
		if err := tx.CreateBatch(batch); err != nil {
			return err
		}
		// Drop detections stored by earlier files.
		if n := len(rs.rows); n > 0 {
			stored, err := tx.ExistingKeys(rs.bound(), unixUTC(rs.rows[0].acq), unixUTC(rs.rows[n-1].acq))
			if err != nil {
				return err
			}
			if len(stored) > 0 {
				kept := rs.rows[:0]
				for i := range rs.rows {
					if stored[rs.key(i)] {
						batch.Duplicates++
						continue
					}
					kept = append(kept, rs.rows[i])
				}
				rs.rows = kept
			}
		}
		// Detect, cluster, dispatch; store the hotspots.
		if err := p.process(ctx, tx, c, batch, rs); err != nil {
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

func unixUTC(s int64) time.Time { return time.Unix(s, 0).UTC() }

// process runs detect and dispatch on the new hotspots of a batch (in key
// order) and stores them, their events and tasks. The hotspots go to the
// store from a second goroutine while detect decides the next ones.
func (p *Pipeline) process(ctx context.Context, tx skygrid.IngestTx, c *Context, batch *skygrid.IngestBatch, rs *rowSet) error {
	fresh := rs.rows
	if len(fresh) == 0 {
		return nil
	}
	cfg := p.Config.Detect
	det := c.Detector
	tMin, tMax := unixUTC(fresh[0].acq), unixUTC(fresh[len(fresh)-1].acq)
	reach := math.Max(cfg.ClusterMetres, cfg.PersistMetres)
	grown := geo.GrowBound(rs.bound(), reach)
	refLat := math.Max(math.Abs(grown.Min[1]), math.Abs(grown.Max[1]))

	// History for persistence: stored detections of the trailing window
	// around the batch, and the batch's own.
	recent, err := tx.RecentHotspots(grown, tMin.Add(-cfg.PersistWindow.Duration), tMax)
	if err != nil {
		return err
	}
	hist := detect.NewHistory(cfg, refLat, det.Location())
	for _, h := range recent {
		hist.Add(h.Point, h.AcqTime)
	}
	// The batch's own detections join the history a minute at a time, as
	// detect reaches them (it only counts detections up to the one checked).
	histUpTo := 0

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
	recent = nil
	nextID, err := tx.NextEventID()
	if err != nil {
		return err
	}

	// The store takes decided hotspots while detect goes on. Events are
	// written at the end with their final figures (their ids are handed
	// out now: the transaction is the only writer).
	// Ids for the batch's minutes are read now, so detect's goroutine can
	// prepare each chunk (ids, statement arguments) without SQL.
	if err := tx.ReserveHotspotIDs(tMin, tMax); err != nil {
		return err
	}
	chunks := make(chan skygrid.PreparedHotspots, 4)
	inserted := make(chan error, 1)
	go func() {
		var err error
		for p := range chunks {
			if err != nil {
				continue // drain
			}
			var n int
			n, err = tx.InsertPrepared(p)
			batch.New += n
			if err == nil && n != p.Len() {
				err = fmt.Errorf("%d of %d hotspots stored", n, p.Len())
			}
		}
		inserted <- err
	}()
	send := func(hs []*skygrid.Hotspot) error {
		p, err := tx.PrepareHotspots(hs)
		if err != nil {
			return err
		}
		chunks <- p
		return nil
	}
	touched := map[int]bool{}
	isNew := map[int]bool{}
	// One buffer of hotspots serves every chunk: PrepareHotspots copies
	// what the writer needs.
	buf := make([]skygrid.Hotspot, insertChunk)
	cur := make([]*skygrid.Hotspot, 0, insertChunk)
	var loopErr error
	for i := range fresh {
		if i == histUpTo {
			m := fresh[i].acq / 60
			for histUpTo < len(fresh) && fresh[histUpTo].acq/60 == m {
				hist.Add(orb.Point{fresh[histUpTo].lon, fresh[histUpTo].lat}, unixUTC(fresh[histUpTo].acq))
				histUpTo++
			}
		}
		h := &buf[len(cur)]
		rs.fill(i, h, batch.ID)
		if i%progressRows == 0 {
			if loopErr = ctx.Err(); loopErr != nil {
				break
			}
		}
		if reason := det.ConfidenceReason(h); reason != "" {
			h.Status, h.StatusReason = skygrid.StatusLowConfidence, reason
			batch.LowConfidence++
		} else {
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
				e := &skygrid.Event{ID: nextID, State: skygrid.EventOpen}
				nextID++
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
			h.EventID = e.ID
		}
		cur = append(cur, h)
		if len(cur) == insertChunk {
			if loopErr = send(cur); loopErr != nil {
				break
			}
			cur = cur[:0]
		}
	}
	if len(cur) > 0 && loopErr == nil {
		loopErr = send(cur)
	}
	close(chunks)
	if err := <-inserted; err != nil {
		return err
	}
	if loopErr != nil {
		return loopErr
	}

	// Store events in creation order, then tasks, then the audit lines.
	order := make([]int, 0, len(touched))
	for ei := range touched {
		order = append(order, ei)
	}
	sort.Ints(order)
	now := p.Now().UTC().Truncate(time.Second)
	events := make([]*skygrid.Event, 0, len(order))
	tasks, updated, woken, err := p.decide(tx, c, cl, order, isNew, now, batch)
	if err != nil {
		return err
	}
	for _, ei := range order {
		events = append(events, cl.Event(ei))
	}
	if err := tx.SaveEvents(events); err != nil {
		return err
	}
	if err := tx.CreateTasks(tasks); err != nil {
		return err
	}
	for _, ei := range order {
		if e := cl.Event(ei); isNew[ei] {
			if err := tx.Audit(&skygrid.AuditEntry{Actor: p.Actor, Action: "event.create", Entity: "event", EntityID: fmt.Sprint(e.ID),
				After: eventSummary(e)}); err != nil {
				return err
			}
		}
	}
	for _, e := range woken {
		if err := tx.Audit(&skygrid.AuditEntry{Actor: p.Actor, Action: "event.live", Entity: "event", EntityID: fmt.Sprint(e.ID),
			Before: "history=older_than_max_age", After: "live_from=" + e.LastSeen.Format(time.RFC3339)}); err != nil {
			return err
		}
	}
	for _, t := range tasks {
		who := t.SupervisorName
		if t.GridID == "" {
			who = "unassigned queue"
		} else if who == "" {
			who = "grid " + t.GridID + " (no supervisor)"
		}
		if err := tx.Audit(&skygrid.AuditEntry{Actor: p.Actor, Action: "task.dispatch", Entity: "task", EntityID: fmt.Sprint(t.ID),
			After: fmt.Sprintf("event=%d to=%s ack_due=%s report_due=%s", t.EventID, who, t.AckDue.Format(time.RFC3339), t.ReportDue.Format(time.RFC3339))}); err != nil {
			return err
		}
	}
	batch.TasksNew = len(tasks)
	// New hotspots on an open event update its task, never a second task.
	for _, e := range updated {
		t, err := tx.TaskByEvent(e.ID)
		if err != nil {
			return err
		}
		if t == nil {
			continue
		}
		if err := tx.UpdateTask(t); err != nil {
			return err
		}
		if err := tx.Audit(&skygrid.AuditEntry{Actor: p.Actor, Action: "task.update", Entity: "task", EntityID: fmt.Sprint(t.ID),
			After: fmt.Sprintf("event=%d now %d hotspots, last seen %s", e.ID, e.HotspotCount, e.LastSeen.Format(time.RFC3339))}); err != nil {
			return err
		}
	}
	return nil
}

// decide places the new events of a batch and makes the tasks of the
// live ones, and of history events a fresh detection wakes; updated are
// the other touched events of dispatched classes (their tasks are
// updated). The rule of max_age: an event whose newest detection is older
// than max_age at now is history (no task).
func (p *Pipeline) decide(tx skygrid.IngestTx, c *Context, cl *detect.Clusterer, order []int, isNew map[int]bool, now time.Time,
	batch *skygrid.IngestBatch) (tasks []*skygrid.Task, updated, woken []*skygrid.Event, err error) {
	sups, err := tx.Supervisors()
	if err != nil {
		return nil, nil, nil, err
	}
	stale := now.Add(-p.Config.Dispatch.MaxAge.Duration)
	for _, ei := range order {
		e := cl.Event(ei)
		switch {
		case isNew[ei]:
			p.assign(c, e)
			e.History = e.LastSeen.Before(stale)
			batch.EventsNew++
			if e.History {
				batch.History++
			}
			if e.CrossBorder {
				batch.CrossBorder++
			}
		case e.History && !e.LastSeen.Before(stale):
			// A history event seen again within max_age becomes live.
			batch.EventsUpdated++
			e.History = false
			woken = append(woken, e)
			if t, err := tx.TaskByEvent(e.ID); err != nil {
				return nil, nil, nil, err
			} else if t != nil {
				continue
			}
		default:
			batch.EventsUpdated++
			if skygrid.Dispatched(e.Class) && !e.History {
				updated = append(updated, e)
			}
			continue
		}
		if e.Live() {
			t := &skygrid.Task{EventID: e.ID, GridID: e.GridID, State: skygrid.TaskDispatched}
			if s := sups[e.GridID]; s != nil && e.GridID != "" {
				t.SupervisorID, t.SupervisorName = s.ID, s.Name
			}
			t.AckDue, t.ReportDue = p.Config.dueTimes(e.Class, now)
			tasks = append(tasks, t)
		}
	}
	return tasks, updated, woken, nil
}

// eventSummary is an event.create audit line.
func eventSummary(e *skygrid.Event) string {
	s := fmt.Sprintf("class=%s grid=%s assigned_by=%s hotspots=%d", e.Class, e.GridID, e.AssignedBy, e.HotspotCount)
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
