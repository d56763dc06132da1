package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"skygrid"
	"skygrid/geo"
	"skygrid/taskflow"

	"github.com/labstack/echo/v4"
)

// TaskList is the body of GET /api/tasks.
type TaskList struct {
	Tasks []TaskItem `json:"tasks"`
	// Total counts every match, of every page. TotalExact is false when
	// it is the count from before the data last changed (a new count is
	// on its way); see skygrid.Page.
	Total      int  `json:"total"`
	TotalExact bool `json:"total_exact"`
	// NextCursor and PrevCursor ask for the pages after and before this
	// one (cursor=), in the same sort and order ("" for none).
	NextCursor string `json:"next_cursor,omitempty"`
	PrevCursor string `json:"prev_cursor,omitempty"`
	// Now is the server's clock, which overdue is judged by.
	Now time.Time `json:"now"`
}

// TaskItem is a task of a list, with whether it is overdue at the
// server's clock (the task carries where and when its fire was seen).
type TaskItem struct {
	*skygrid.Task
	Overdue bool `json:"overdue"`
}

// taskStates are the states a list may ask for; "open" is every state
// but closed.
var taskStates = append(slices.Clone(skygrid.TaskStates), "open")

// ClassDust is the class= value of every dust class (扬尘告警).
const ClassDust = "dust"

// taskClasses are the class= values of GET /api/tasks: a fire class, a
// dust class, or dust for all of them.
var taskClasses = slices.Concat(skygrid.Classes, skygrid.DustClasses, []string{ClassDust, skygrid.ClassPublicReport})

// GET /api/tasks?since=&until=&date=created|first_seen&city=&county=&township=&grid=&class=&state=&overdue=&q=&sort=&order=&limit=&offset=|cursor=&compact=
func (s *Server) handleTasks(c echo.Context) error {
	p := &params{c: c}
	now := s.now()
	f := skygrid.TaskFilter{
		Since: p.time("since"), Until: p.time("until"), CountyID: p.str("county"), TownshipID: p.str("township"), GridID: p.str("grid"), CityID: p.str("city"),
		Class: p.oneOf("class", taskClasses), Scope: scopeOf(c), States: taskStatesParam(p),
		Query: strings.TrimSpace(c.QueryParam("q")), Sort: deref(p.oneOf("sort", skygrid.TaskSorts)),
		DateField: deref(p.oneOf("date", []string{skygrid.TaskDateCreated, skygrid.TaskDateFirstSeen})),
		Limit:     p.intv("limit", defaultLimit, maxLimit), Offset: p.intv("offset", 0, 0),
	}
	if p.boolv("overdue", false) {
		f.Overdue = &now
	}
	if f.Class != nil && *f.Class == ClassDust {
		f.Class, f.Classes = nil, skygrid.DustClasses
	}
	// Newest first by default for times, else ascending.
	f.Desc = f.Sort == skygrid.TaskSortCreated || f.Sort == skygrid.TaskSortFirstSeen
	if o := p.oneOf("order", []string{"asc", "desc"}); o != nil {
		f.Desc = *o == "desc"
	}
	if reason := skygrid.LimitQuery.Check(f.Query); reason != "" {
		p.fail("q", "%s", reason)
	}
	f.Cursor = p.cursor(f.Offset)
	compact := p.boolv("compact", false)
	if p.err != nil {
		return p.err
	}
	ts, page, err := s.Tasks.FindTaskPage(c.Request().Context(), f)
	if err != nil {
		return err
	}
	items := make([]TaskItem, len(ts))
	for i, t := range ts {
		items[i] = TaskItem{Task: t, Overdue: t.Overdue(now)}
	}
	l := TaskList{Tasks: items, Total: page.Total, TotalExact: page.TotalExact, NextCursor: page.Next, PrevCursor: page.Prev, Now: now.UTC()}
	if compact {
		return c.JSON(http.StatusOK, compactTaskList(l))
	}
	return c.JSON(http.StatusOK, l)
}

// taskStatesParam reads state: one state, several separated by commas or
// given again, or "open".
func taskStatesParam(p *params) []string {
	var out []string
	for _, v := range p.c.QueryParams()["state"] {
		for _, st := range strings.Split(v, ",") {
			st = strings.TrimSpace(st)
			switch {
			case st == "":
			case st == "open":
				out = append(out, skygrid.TaskDispatched, skygrid.TaskAcknowledged, skygrid.TaskReported)
			case slices.Contains(taskStates, st):
				out = append(out, st)
			default:
				p.fail("state", "want one or more of %s, got %q", strings.Join(taskStates, ", "), st)
			}
		}
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// CloseRequest is the body of POST /api/tasks/close.
type CloseRequest struct {
	// Tasks are the tasks to close, each at the version the user saw.
	Tasks []skygrid.TaskRef `json:"tasks"`
	Notes string            `json:"notes"`
}

// POST /api/tasks/close: close reported tasks with one note, all or
// nothing. 403 when any is not in the user's area, 409 when any changed
// meanwhile; the error's tasks name each refused task and why.
func (s *Server) handleCloseTasks(c echo.Context) error {
	var req CloseRequest
	if err := bindJSON(c, &req, `{"tasks": [{"id", "version"}], "notes"}`); err != nil {
		return err
	}
	if err := skygrid.LimitNotes.CheckField("notes", req.Notes); err != nil {
		return err
	}
	ts, err := s.Tasks.CloseTasks(c.Request().Context(), req.Tasks, req.Notes, userOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ClosedTasks{Closed: len(ts), Tasks: ts})
}

// GET /api/batches?limit=
func (s *Server) handleBatches(c echo.Context) error {
	p := &params{c: c}
	limit := p.intv("limit", 100, 1000)
	if p.err != nil {
		return p.err
	}
	bs, err := s.Ingest.FindBatches(c.Request().Context(), limit)
	if err != nil {
		return err
	}
	if bs == nil {
		bs = []*skygrid.IngestBatch{}
	}
	return c.JSON(http.StatusOK, BatchList{Batches: bs})
}

// scopeOf is the logged-in user's scope.
func scopeOf(c echo.Context) *skygrid.Scope {
	sc := skygrid.ScopeOf(userOf(c))
	return &sc
}

// forbidden is what a scoped user gets for what is not theirs, whether
// it exists or not: nothing leaks.
func forbidden(what string) error {
	return skygrid.Errorf(skygrid.EFORBIDDEN, "%s is not in your area", what)
}

// TaskView is a task with its event's place and the navigation links, and
// what a reviewer decides on: its history, where the report was made and
// who made it.
type TaskView struct {
	*skygrid.Task
	Navigation geo.NavLinks    `json:"navigation"`
	Photos     []PhotoView     `json:"photos,omitempty"`
	Event      *eventSummary   `json:"event,omitempty"`
	Timeline   []TimelineEntry `json:"timeline"`
	Report     *ReportView     `json:"report,omitempty"`
	Reporter   *PersonView     `json:"reporter,omitempty"`
	// Pass is the satellite pass that saw the event's first detection
	// (absent: not a satellite detection, or no pass near its time).
	Pass *skygrid.Pass `json:"pass,omitempty"`
}

type eventSummary struct {
	ID        int64     `json:"id"`
	Class     string    `json:"class"`
	ClassName string    `json:"class_name"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Hotspots  int       `json:"hotspot_count"`
}

// PhotoView is a photo with its URLs and the flags in Chinese. URL is the
// file as uploaded; StampedURL the copy stamped with the task number, time
// and place (photos stored before stamps were made have none).
type PhotoView struct {
	*skygrid.Photo
	URL        string   `json:"url"`
	ThumbURL   string   `json:"thumb_url"`
	StampedURL string   `json:"stamped_url"`
	Lon        *float64 `json:"lon,omitempty"`
	Lat        *float64 `json:"lat,omitempty"`
	FlagNames  []string `json:"flag_names,omitempty"`
}

func (s *Server) taskView(c echo.Context, t *skygrid.Task) (*TaskView, error) {
	e, err := s.Events.FindEventByID(c.Request().Context(), t.EventID)
	if err != nil {
		return nil, err
	}
	v := &TaskView{Task: t, Navigation: geo.Navigation(e.Point, fmt.Sprintf("%s%d", skygrid.TaskNoun(e.Class), t.ID)),
		Event: &eventSummary{ID: e.ID, Class: e.Class, ClassName: skygrid.ClassNames[e.Class], FirstSeen: e.FirstSeen,
			LastSeen: e.LastSeen, Hotspots: e.HotspotCount}}
	if err := s.reviewDetails(c.Request().Context(), v); err != nil {
		return nil, err
	}
	if v.Pass, err = s.firstPass(c.Request().Context(), e.Hotspots); err != nil {
		return nil, err
	}
	for _, p := range t.Photos {
		pv := PhotoView{Photo: p, URL: "/api/photos/" + p.SHA256, ThumbURL: "/api/photos/" + p.SHA256 + "?thumb=1"}
		if s.Evidence != nil {
			pv.StampedURL = fmt.Sprintf("/api/photos/%s?task=%d", p.SHA256, t.ID)
		}
		if p.Point != nil {
			lon, lat := p.Point[0], p.Point[1]
			pv.Lon, pv.Lat = &lon, &lat
		}
		for _, f := range p.Flags {
			pv.FlagNames = append(pv.FlagNames, skygrid.PhotoFlagName(f, t.EventClass))
		}
		v.Photos = append(v.Photos, pv)
	}
	return v, nil
}

// visibleTask loads a task the user may see: a scoped user gets 403 for
// tasks of other areas and for ids that do not exist alike.
func (s *Server) visibleTask(c echo.Context) (*skygrid.Task, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, skygrid.Errorf(skygrid.EINVALID, "task id must be a positive whole number, got %q", c.Param("id"))
	}
	// The list's own scope condition: opened exactly when listed.
	return s.Tasks.FindTaskInScope(c.Request().Context(), id, *scopeOf(c))
}

// GET /api/tasks/:id: the task with its photos, place and navigation links.
func (s *Server) handleTask(c echo.Context) error {
	t, err := s.visibleTask(c)
	if err != nil {
		return err
	}
	return s.respondTask(c, t)
}

// respondTask answers with the task's view.
func (s *Server) respondTask(c echo.Context, t *skygrid.Task) error {
	v, err := s.taskView(c, t)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// ActionRequest is the JSON body of a task action (a report is multipart:
// the same fields as form values, and photo files).
type ActionRequest struct {
	// Version is the task version the user saw: a change made meanwhile
	// makes this one a 409.
	Version  int64    `json:"version" form:"version"`
	Finding  string   `json:"finding" form:"finding"`
	Notes    string   `json:"notes" form:"notes"`
	Reason   string   `json:"reason" form:"reason"`
	GridID   string   `json:"grid_id" form:"grid_id"`
	Lon      *float64 `json:"lon" form:"lon"`
	Lat      *float64 `json:"lat" form:"lat"`
	Accuracy float64  `json:"accuracy" form:"accuracy"`
	// Checklist: an emergency inspection's report answers each measure
	// (a JSON array of skygrid.ChecklistItem; in a multipart report, the
	// array as the text of the form field).
	Checklist Checklist `json:"checklist" form:"checklist"`
}

// uploadWait is how long the user must wait before n more photos.
func (s *Server) uploadWait(user int64, n int) time.Duration {
	if s.Evidence == nil {
		return 0
	}
	return s.Evidence.UploadWait(user, n, s.now())
}

// maxUpload bounds a whole report request: MaxPhotos photos of 15 MiB.
const maxUpload = skygrid.MaxPhotos*15<<20 + 1<<20

// POST /api/tasks/:id/acknowledge|report|close|return|reassign|note: the
// body is JSON, or a multipart report with its photos (taskflow.Do).
func (s *Server) handleTaskAction(c echo.Context) error {
	action := c.Param("action")
	if !slices.Contains(taskActions, action) {
		return skygrid.Errorf(skygrid.ENOTFOUND, "no task action %q (%s)", action, strings.Join(taskActions, ", "))
	}
	t, err := s.visibleTask(c)
	if err != nil {
		return err
	}
	a, err := s.readAction(c, action)
	if err == nil {
		t, err = s.flow.Do(c.Request().Context(), userOf(c), t, a)
	}
	var th *taskflow.Throttled
	if errors.As(err, &th) {
		return photosThrottled(c, th.Wait)
	} else if err != nil {
		return err
	}
	return s.respondTask(c, t)
}

// taskActions are the actions of POST /api/tasks/:id/ACTION.
var taskActions = []string{skygrid.ActionAcknowledge, skygrid.ActionReport, skygrid.ActionClose, skygrid.ActionReturn,
	skygrid.ActionReassign, skygrid.ActionNote}

// readAction reads a task action's body: JSON, or a multipart form whose
// photos are staged as they arrive (a user over their photo rate is
// refused before the body is read). The stage is discarded when the form
// cannot be bound.
func (s *Server) readAction(c echo.Context, action string) (taskflow.Action, error) {
	a := taskflow.Action{Name: action}
	multipart := strings.HasPrefix(c.Request().Header.Get("Content-Type"), "multipart/form-data")
	if multipart {
		if wait := s.uploadWait(userOf(c).ID, 1); action == skygrid.ActionReport && wait > 0 {
			return a, &taskflow.Throttled{Wait: wait}
		}
		stage, err := s.receiveReport(c)
		if err != nil {
			return a, err
		}
		a.Photos = stage
	}
	req, change, err := bindAction(c, multipart)
	if err != nil && a.Photos != nil {
		a.Photos.Discard()
	}
	a.Version, a.Change = req.Version, change
	return a, err
}

// GET /api/photos/:sha[?thumb=1|?task=ID]: only to users who may see its
// task; ?task=ID is the copy stamped for that task.
func (s *Server) handlePhoto(c echo.Context) error {
	sha := c.Param("sha")
	if s.Photos == nil || s.Evidence == nil {
		return skygrid.Errorf(skygrid.ENOTFOUND, "no photos here")
	}
	p := &params{c: c}
	task := p.intv("task", 0, 0)
	if p.err != nil {
		return p.err
	}
	sc := scopeOf(c)
	ts, err := s.Photos.PhotoTasks(c.Request().Context(), sha)
	if err != nil && (sc.All || skygrid.ErrorCode(err) != skygrid.ENOTFOUND) {
		return err
	}
	// A photo is shown to those who may open one of its tasks.
	i := -1
	for j, t := range ts {
		if task != 0 && t.ID != int64(task) {
			continue
		}
		if _, err := s.Tasks.FindTaskInScope(c.Request().Context(), t.ID, *sc); err == nil {
			i = j
			break
		} else if code := skygrid.ErrorCode(err); code != skygrid.EFORBIDDEN && code != skygrid.ENOTFOUND {
			return err
		}
	}
	if i < 0 {
		return forbidden("this photo")
	}
	var path, mime string
	if task > 0 {
		mime = "image/jpeg"
		path, err = s.Evidence.StampedPath(c.Request().Context(), sha, photoStamp(ts[i], sha))
	} else {
		path, mime, err = s.Evidence.Path(sha, c.QueryParam("thumb") != "")
	}
	if skygrid.ErrorCode(err) == skygrid.ENOTFOUND {
		// A task holds it: the file is lost, or this server keeps its
		// photos in another folder than the one it was stored in.
		s.Logger.ErrorContext(c.Request().Context(), "photo file missing: a task holds the photo but this server's photo folder has no file for it "+
			"(every server on one database must share one --data folder; skygrid migrate sqlite-to-postgres copies a city's photos into it)",
			"sha256", sha, "task", ts[i].ID, "err", err)
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, max-age=86400")
	c.Response().Header().Set("Content-Type", mime)
	return c.File(path)
}

// photoStamp is what the stamped copy of a task's stored photo says.
func photoStamp(t *skygrid.Task, sha string) skygrid.PhotoStamp {
	s := skygrid.PhotoStamp{TaskID: t.ID, Place: t.PlaceName(), GridID: t.GridID, Class: t.EventClass}
	for _, p := range t.Photos {
		if p.SHA256 == sha {
			s.TakenAt, s.UploadedAt, s.Point, s.DistanceM = p.TakenAt, p.CreatedAt, p.Point, p.DistanceM
			break
		}
	}
	return s
}
