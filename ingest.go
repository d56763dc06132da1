package skygrid

import (
	"context"
	"fmt"
	"time"

	"github.com/paulmach/orb"
)

// RowError is a row of an input file that could not be read.
type RowError struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

func (e RowError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s:%d: field %s: %s", e.File, e.Line, e.Field, e.Reason)
}

// IngestBatch records one ingested file (or one feed answer).
type IngestBatch struct {
	ID     int64  `json:"id"`
	File   string `json:"file"`
	Format string `json:"format"`
	// Rows read (data lines, including rejected ones).
	Rows       int `json:"rows"`
	New        int `json:"new"`
	Duplicates int `json:"duplicates"`
	Rejected   int `json:"rejected"`
	// Outside the area (imported regions plus margin): counted, not stored.
	Outside       int `json:"outside"`
	LowConfidence int `json:"low_confidence"`
	Static        int `json:"static"`
	EventsNew     int `json:"events_new"`
	EventsUpdated int `json:"events_updated"`
	TasksNew      int `json:"tasks_new"`
	// Of the new events: history (older than max_age: no task) and
	// cross-border (outside the city: no task).
	History     int `json:"history"`
	CrossBorder int `json:"cross_border"`
	// Errors holds the first row errors (at most MaxBatchErrors).
	Errors     []RowError `json:"errors,omitempty"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt time.Time  `json:"finished_at"`
	// ArrivedAt is when the file or answer arrived; LatencyMS the time
	// from then until its tasks were stored (at the batch's finish, in the
	// same transaction). Origin: cli, feed or watch.
	ArrivedAt time.Time `json:"arrived_at,omitzero"`
	LatencyMS *int64    `json:"latency_ms,omitempty"`
	Origin    string    `json:"origin,omitempty"`
}

// Latency is the batch's arrival-to-stored time in milliseconds, -1 when
// unknown (a nil batch included).
func (b *IngestBatch) Latency() int64 {
	if b == nil || b.LatencyMS == nil {
		return -1
	}
	return *b.LatencyMS
}

// AddCounts adds o's counts to b (totals over many files).
func (b *IngestBatch) AddCounts(o *IngestBatch) {
	b.Rows += o.Rows
	b.New += o.New
	b.Duplicates += o.Duplicates
	b.Rejected += o.Rejected
	b.Outside += o.Outside
	b.LowConfidence += o.LowConfidence
	b.Static += o.Static
	b.EventsNew += o.EventsNew
	b.EventsUpdated += o.EventsUpdated
	b.TasksNew += o.TasksNew
	b.History += o.History
	b.CrossBorder += o.CrossBorder
}

// MaxBatchErrors is how many row errors a batch keeps.
const MaxBatchErrors = 100

// AuditEntry is one line of the append-only audit log.
type AuditEntry struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	Entity   string    `json:"entity"`
	EntityID string    `json:"entity_id"`
	Before   string    `json:"before,omitempty"`
	After    string    `json:"after,omitempty"`
}

// AuditFilter selects audit log lines, newest first. Zero fields do not
// filter.
type AuditFilter struct {
	Entity, EntityID, Actor string
	// Action is an action ("task.close") or a prefix ending in a dot
	// ("task.").
	Action string
	// Since and Until bound the time [Since, Until); BeforeID pages back
	// from a line (the lines with a smaller id).
	Since, Until *time.Time
	BeforeID     int64
	Limit        int
}

// IngestTx is the unit of work of one ingest: everything it reads and
// writes goes through one transaction, so a file is stored whole or not at
// all. The store implements it.
type IngestTx interface {
	// CreateBatch stores the batch and sets its ID.
	CreateBatch(b *IngestBatch) error
	// FinishBatch stores the batch's final counts and errors.
	FinishBatch(b *IngestBatch) error
	// ExistingKeys returns the dedupe keys of stored hotspots acquired in
	// [since, until] within the bound.
	ExistingKeys(b orb.Bound, since, until time.Time) (map[Key]bool, error)
	// ReserveHotspotIDs prepares ids for hotspots acquired in [since,
	// until], so that PrepareHotspots for them runs no SQL.
	ReserveHotspotIDs(since, until time.Time) error
	// PrepareHotspots sets the hotspots' IDs and makes them ready for
	// InsertPrepared; after ReserveHotspotIDs it may run on another
	// goroutine than the one writing.
	PrepareHotspots(hs []*Hotspot) (PreparedHotspots, error)
	// InsertPrepared writes prepared hotspots; it returns how many.
	InsertPrepared(p PreparedHotspots) (int, error)
	// InsertHotspots stores new hotspots with their status and event and
	// sets their IDs (PrepareHotspots then InsertPrepared). The caller has removed duplicates (by Key, within
	// the batch and against ExistingKeys): the store does not check again.
	// It returns how many were stored.
	InsertHotspots(hs []*Hotspot) (int, error)
	// RecentHotspots returns stored hotspots in the bound acquired in
	// [since, until], of any status.
	RecentHotspots(b orb.Bound, since, until time.Time) ([]*Hotspot, error)
	// NextEventID is the id the next new event gets. (The transaction is
	// the only writer, so ids can be handed out before the rows exist.)
	NextEventID() (int64, error)
	// OpenEvents returns the open events in the bound last seen at or after since.
	OpenEvents(b orb.Bound, since time.Time) ([]*Event, error)
	// SaveEvents stores events, new (with ids from NextEventID) or not.
	SaveEvents(es []*Event) error
	// TaskByEvent returns the event's task or nil.
	TaskByEvent(eventID int64) (*Task, error)
	// CreateTasks stores new tasks and sets their IDs.
	CreateTasks(ts []*Task) error
	UpdateTask(t *Task) error
	// Supervisors returns every grid's supervisor by grid id.
	Supervisors() (map[string]*Supervisor, error)
	Audit(e *AuditEntry) error
}

// PreparedHotspots are hotspots made ready to write by an IngestTx.
type PreparedHotspots interface {
	Len() int
}

// IngestService runs fn in one transaction: committed if fn returns nil,
// rolled back otherwise.
type IngestService interface {
	InIngestTx(ctx context.Context, fn func(tx IngestTx) error) error
	FindBatches(ctx context.Context, limit int) ([]*IngestBatch, error)
}
