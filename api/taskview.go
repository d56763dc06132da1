package api

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"skygrid"
	"skygrid/geo"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// TimelineEntry is one step of a task's history, from the audit log:
// dispatched, acknowledged, reported, returned, reassigned, escalated,
// closed, a reviewer's note; with who and when.
type TimelineEntry struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"` // the audit action without "task.": dispatch, acknowledge, report, ...
	Actor  string    `json:"actor"`
	// Finding (report), Note (the return's reason, the closing note, a
	// reviewer's note), FromGrid/ToGrid (reassign), Photos and Flagged
	// (report), Level (escalate).
	Finding  string `json:"finding,omitempty"`
	Note     string `json:"note,omitempty"`
	FromGrid string `json:"from_grid,omitempty"`
	ToGrid   string `json:"to_grid,omitempty"`
	// FromGridName/ToGridName name a reassignment's grids as people say
	// them (下韩村乡 9行7列), the code where the grid is gone.
	FromGridName string `json:"from_grid_name,omitempty"`
	ToGridName   string `json:"to_grid_name,omitempty"`
	Photos       string `json:"photos,omitempty"`
	Flagged      bool   `json:"flagged,omitempty"`
	Level        string `json:"level,omitempty"`
	// Assignee is who a dispatch went to: the supervisor's name, a grid
	// without supervisor, or the unassigned queue.
	Assignee string `json:"assignee,omitempty"`
}

// auditKeys are the keys of a task's audit lines (store.taskSummary and
// the pipeline's dispatch line).
var auditKeys = []string{"state", "grid", "version", "finding", "review", "escalation", "photos", "flagged",
	"event", "to", "ack_due", "report_due", "note"}

// auditFields reads "k=v k2="v 2" …": a quoted value (a reviewer's words)
// may hold anything; an unquoted one runs until the next " key=".
func auditFields(s string) map[string]string {
	out := map[string]string{}
	for rest := s; rest != ""; {
		k := ""
		for _, key := range auditKeys {
			if strings.HasPrefix(rest, key+"=") {
				k = key
				break
			}
		}
		if k == "" { // a word that is not a field ("to the auditors")
			i := strings.IndexByte(rest, ' ')
			if i < 0 {
				break
			}
			rest = rest[i+1:]
			continue
		}
		rest = rest[len(k)+1:]
		if q, err := strconv.QuotedPrefix(rest); err == nil {
			out[k], _ = strconv.Unquote(q)
			rest = strings.TrimLeft(rest[len(q):], " ")
			continue
		}
		end := len(rest)
		for _, key := range auditKeys {
			if j := strings.Index(rest, " "+key+"="); j >= 0 && j < end {
				end = j
			}
		}
		out[k], rest = rest[:end], strings.TrimLeft(rest[end:], " ")
	}
	return out
}

// timeline turns a task's audit lines (any order) into its history, oldest
// first (in the order they were written).
func timeline(lines []*skygrid.AuditEntry) []TimelineEntry {
	lines = slices.Clone(lines)
	slices.SortFunc(lines, func(a, b *skygrid.AuditEntry) int { return cmp.Compare(a.ID, b.ID) })
	out := make([]TimelineEntry, 0, len(lines))
	for _, l := range lines {
		action := strings.TrimPrefix(l.Action, "task.")
		if action == l.Action || action == "update" {
			continue // not a task action; new hotspots on the event
		}
		before, after := auditFields(l.Before), auditFields(l.After)
		e := TimelineEntry{At: l.At, Action: action, Actor: l.Actor}
		switch action {
		case skygrid.ActionReport:
			e.Finding, e.Photos, e.Flagged = after["finding"], after["photos"], after["flagged"] != ""
		case skygrid.ActionReturn, skygrid.ActionClose:
			e.Note = after["review"]
		case skygrid.ActionNote:
			e.Note = after["note"]
		case skygrid.ActionReassign:
			e.FromGrid, e.ToGrid = before["grid"], after["grid"]
		case "escalate":
			// "2 to the auditors": the level is the first word.
			if f := strings.Fields(after["escalation"]); len(f) > 0 {
				e.Level = f[0]
			}
		case "dispatch":
			e.Assignee = after["to"]
		}
		out = append(out, e)
	}
	return out
}

// nameGrids names the grids of the history's reassignments (one query):
// the grid with its township, as the reassignment list says it.
func (s *Server) nameGrids(ctx context.Context, tl []TimelineEntry) error {
	var ids []string
	for _, e := range tl {
		ids = append(ids, slices.DeleteFunc([]string{e.FromGrid, e.ToGrid}, func(id string) bool { return id == "" })...)
	}
	names, err := s.regionNamesAs(ctx, ids, func(r *skygrid.Region) string {
		if r.ParentName != "" && !strings.HasPrefix(r.Name, r.ParentName) {
			return r.ParentName + " " + r.Name
		}
		return r.Name
	})
	if err != nil {
		return fmt.Errorf("grid names: %w", err)
	}
	for i := range tl {
		tl[i].FromGridName, tl[i].ToGridName = names[tl[i].FromGrid], names[tl[i].ToGrid]
	}
	return nil
}

// ReportView is where a report was made and how far from the fire.
type ReportView struct {
	Lon       float64 `json:"lon"`
	Lat       float64 `json:"lat"`
	AccuracyM float64 `json:"accuracy_m,omitempty"`
	DistanceM float64 `json:"distance_m"`
	// Far: more than skygrid.PhotoMaxMetres (1 km) from the fire.
	Far bool `json:"far"`
}

// PersonView is someone to call: the reporting user.
type PersonView struct {
	Name  string `json:"name"`
	Phone string `json:"phone,omitempty"`
}

// reviewDetails adds what a reviewer decides on: the history, where the
// report was made, and who made it.
func (s *Server) reviewDetails(ctx context.Context, v *TaskView) error {
	t := v.Task
	if s.Audit != nil {
		lines, err := s.Audit.FindAuditLog(ctx, skygrid.AuditFilter{Entity: "task", EntityID: fmt.Sprint(t.ID), Limit: 500})
		if err != nil {
			return fmt.Errorf("task %d: history: %w", t.ID, err)
		}
		v.Timeline = timeline(lines)
		if err := s.nameGrids(ctx, v.Timeline); err != nil {
			return fmt.Errorf("task %d: history: %w", t.ID, err)
		}
	}
	if t.ReportPoint != nil {
		d := geo.DistanceMeters(*t.ReportPoint, orb.Point{t.Lon, t.Lat})
		v.Report = &ReportView{Lon: t.ReportPoint[0], Lat: t.ReportPoint[1], AccuracyM: t.ReportAccuracy, DistanceM: d, Far: d > skygrid.PhotoMaxMetres}
	}
	if t.ReportedBy != 0 && s.Users != nil {
		u, err := s.Users.FindUserByID(ctx, t.ReportedBy)
		if err != nil && skygrid.ErrorCode(err) != skygrid.ENOTFOUND {
			return fmt.Errorf("task %d: reporter: %w", t.ID, err)
		}
		if u != nil {
			v.Reporter = &PersonView{Name: u.Name, Phone: u.Phone}
		}
	}
	return nil
}

// Candidate is a grid a task can be reassigned to, with its supervisor.
type Candidate struct {
	GridID          string  `json:"grid_id"`
	GridName        string  `json:"grid_name"`
	ParentName      string  `json:"parent_name,omitempty"`
	SupervisorName  string  `json:"supervisor_name,omitempty"`
	SupervisorPhone string  `json:"supervisor_phone,omitempty"`
	DistanceM       float64 `json:"distance_m"`
	// Contains: the fire lies in this grid.
	Contains bool `json:"contains"`
	// Geometry (with ?geometry=true) to pick the grid on a map.
	Geometry any `json:"geometry,omitempty" ts:"GeoJSON.Geometry"`
}

// candidateRadius is how far around the fire grids are offered.
const candidateRadius = 20000

// GET /api/tasks/:id/candidates?limit=&geometry=true: the grids in the
// user's area a task can be reassigned to, nearest to the fire first,
// with their supervisors (reviewers).
func (s *Server) handleTaskCandidates(c echo.Context) error {
	t, err := s.visibleTask(c)
	if err != nil {
		return err
	}
	p := &params{c: c}
	limit := p.intv("limit", 30, 200)
	withGeom := c.QueryParam("geometry") == "true"
	if p.err != nil {
		return p.err
	}
	fire := orb.Point{t.Lon, t.Lat}
	level := skygrid.LevelGrid
	box := geo.GrowBound(orb.Bound{Min: fire, Max: fire}, candidateRadius)
	grids, _, err := s.Regions.FindRegions(c.Request().Context(), skygrid.RegionFilter{Scope: scopeOf(c), Level: &level, Bbox: &box, WithGeometry: true})
	if err != nil {
		return fmt.Errorf("task %d: candidate grids: %w", t.ID, err)
	}
	out := make([]Candidate, 0, len(grids))
	for _, g := range grids {
		if g.ID == t.GridID {
			continue
		}
		cd := Candidate{GridID: g.ID, GridName: g.Name, ParentName: g.ParentName, DistanceM: geo.DistanceMeters(fire, geo.Centroid(g.Geometry))}
		if cd.Contains = planar.MultiPolygonContains(g.Geometry, fire); cd.Contains {
			cd.DistanceM = 0
		}
		if g.Supervisor != nil {
			cd.SupervisorName, cd.SupervisorPhone = g.Supervisor.Name, g.Supervisor.Phone
		}
		if withGeom {
			cd.Geometry = geo.MarshalGeoJSONGeometry(g.Geometry)
		}
		out = append(out, cd)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].DistanceM < out[j].DistanceM })
	if len(out) > limit {
		out = out[:limit]
	}
	return c.JSON(http.StatusOK, CandidateList{Candidates: out})
}
