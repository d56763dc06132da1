package api

import (
	"strconv"
	"time"

	"skygrid"

	"github.com/paulmach/orb/geojson"
)

// The compact form of the task and event lists (compact=true): the names
// of places and supervisors, the same on many rows, come once per page in
// places and supervisors instead of on every row; a listed event's task
// leaves out what its event says (README, "Lists").

// Names is what a compact page names once: places (grids, townships,
// counties) by id, and supervisors by id.
type Names struct {
	Places      map[string]string           `json:"places"`
	Supervisors map[string]SupervisorInPage `json:"supervisors"`
}

// SupervisorInPage is a grid supervisor named by a compact page.
type SupervisorInPage struct {
	Name  string `json:"name"`
	Phone string `json:"phone,omitempty"`
}

func newNames() Names {
	return Names{Places: map[string]string{}, Supervisors: map[string]SupervisorInPage{}}
}

func (n Names) place(id, name string) {
	if id != "" && name != "" {
		n.Places[id] = name
	}
}

// task takes a task's names into n.
func (n Names) task(t *skygrid.Task) {
	n.place(t.GridID, t.GridName)
	n.place(t.TownshipID, t.TownshipName)
	n.place(t.CountyID, t.CountyName)
	if t.SupervisorID != 0 {
		n.Supervisors[strconv.FormatInt(t.SupervisorID, 10)] = SupervisorInPage{t.SupervisorName, t.SupervisorPhone}
	}
}

// CompactTaskList is the body of GET /api/tasks?compact=true: TaskList
// with the names once.
type CompactTaskList struct {
	Tasks []CompactTask `json:"tasks"`
	Names
	Total      int       `json:"total"`
	TotalExact bool      `json:"total_exact"`
	NextCursor string    `json:"next_cursor,omitempty"`
	PrevCursor string    `json:"prev_cursor,omitempty"`
	Now        time.Time `json:"now"`
}

// CompactTask is a listed task without its names (its grid's, township's,
// county's and supervisor's are in the page's places and supervisors, by
// grid_id, township_id, county_id and supervisor_id). The empty fields
// hide the task's own of the same JSON names.
type CompactTask struct {
	*skygrid.Task
	Overdue         bool   `json:"overdue"`
	GridName        string `json:"grid_name,omitempty"`
	TownshipName    string `json:"township_name,omitempty"`
	CountyName      string `json:"county_name,omitempty"`
	SupervisorName  string `json:"supervisor_name,omitempty"`
	SupervisorPhone string `json:"supervisor_phone,omitempty"`
}

func compactTaskList(l TaskList) CompactTaskList {
	out := CompactTaskList{Tasks: make([]CompactTask, len(l.Tasks)), Names: newNames(), Total: l.Total, TotalExact: l.TotalExact,
		NextCursor: l.NextCursor, PrevCursor: l.PrevCursor, Now: l.Now}
	for i, it := range l.Tasks {
		out.Names.task(it.Task)
		out.Tasks[i] = CompactTask{Task: it.Task, Overdue: it.Overdue}
	}
	return out
}

// EventTask is the task of a compact listed event: CompactTask without
// what the event says (its id, class, position and first sight).
type EventTask struct {
	CompactTask
	Overdue    bool      `json:"overdue,omitempty"`
	EventID    int64     `json:"event_id,omitempty"`
	EventClass string    `json:"event_class,omitempty"`
	Lon        float64   `json:"lon,omitempty"`
	Lat        float64   `json:"lat,omitempty"`
	FirstSeen  time.Time `json:"first_seen,omitzero"`
}

// compactCollection is a page of events (compact=true): the places'
// names once, in places, not in each event's properties; each task as
// EventTask.
type compactCollection struct {
	*collection
	Names
}

// eventNameProps are the event properties the compact form names once.
var eventNameProps = map[string]string{"grid_name": "grid_id", "township_name": "township_id", "county_name": "county_id",
	"near_county_name": "near_county_id", "neighbour_name": "neighbour_id"}

func compactEvents(c *collection, es []*skygrid.Event) compactCollection {
	out := compactCollection{collection: c, Names: newNames()}
	for i, f := range c.Features {
		compactEvent(f, out.Names)
		if t := es[i].Task; t != nil {
			out.Names.task(t)
			f.Properties["task"] = EventTask{CompactTask: CompactTask{Task: t}}
		}
	}
	return out
}

func compactEvent(f *geojson.Feature, n Names) {
	for prop, idProp := range eventNameProps {
		name, _ := f.Properties[prop].(string)
		id, _ := f.Properties[idProp].(string)
		n.place(id, name)
		delete(f.Properties, prop)
	}
}
