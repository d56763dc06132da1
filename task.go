package skygrid

import (
	"context"
	"time"
)

// Task states.
const (
	TaskDispatched   = "dispatched"
	TaskAcknowledged = "acknowledged"
	TaskReported     = "reported"
	TaskClosed       = "closed"
)

// Task is an event dispatched to a grid supervisor.
type Task struct {
	ID      int64  `json:"id"`
	EventID int64  `json:"event_id"`
	GridID  string `json:"grid_id,omitempty"`
	// SupervisorID is 0 when the grid has no supervisor or the event is in
	// the city's unassigned queue.
	SupervisorID   int64     `json:"supervisor_id,omitempty"`
	SupervisorName string    `json:"supervisor_name,omitempty"`
	State          string    `json:"state"`
	AckDue         time.Time `json:"ack_due"`
	ReportDue      time.Time `json:"report_due"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`

	// Filled by FindTasks for listings.
	EventClass string `json:"event_class,omitempty"`
	CountyID   string `json:"county_id,omitempty"`
}

// TaskFilter selects tasks. Zero fields do not filter.
type TaskFilter struct {
	Since    *time.Time // created at or after
	Until    *time.Time // created before
	CountyID *string
	GridID   *string
	Class    *string
	State    *string
	Offset   int
	Limit    int
}

// TaskService reads tasks.
type TaskService interface {
	FindTasks(ctx context.Context, filter TaskFilter) ([]*Task, int, error)
}
