package api

import (
	"net/http"

	"skygrid"

	"github.com/labstack/echo/v4"
)

// TaskList is the body of GET /api/tasks.
type TaskList struct {
	Tasks []*skygrid.Task `json:"tasks"`
	Total int             `json:"total"`
}

// GET /api/tasks?since=&until=&county=&grid=&class=&state=&limit=&offset=
func (s *Server) handleTasks(c echo.Context) error {
	p := &params{c: c}
	f := skygrid.TaskFilter{
		Since: p.time("since"), Until: p.time("until"), CountyID: p.str("county"), GridID: p.str("grid"),
		Class: p.oneOf("class", skygrid.Classes),
		State: p.oneOf("state", []string{skygrid.TaskDispatched, skygrid.TaskAcknowledged, skygrid.TaskReported, skygrid.TaskClosed}),
		Limit: p.intv("limit", defaultLimit, maxLimit), Offset: p.intv("offset", 0, 0),
	}
	if p.err != nil {
		return p.err
	}
	ts, n, err := s.Tasks.FindTasks(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []*skygrid.Task{}
	}
	return c.JSON(http.StatusOK, TaskList{Tasks: ts, Total: n})
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
	return c.JSON(http.StatusOK, map[string]any{"batches": bs})
}
