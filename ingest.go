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
// all (IngestService.InIngestTx commits it or rolls it back). The store
// implements it; how it hands out ids, batches statements or defers
// writes until commit is its own business. A transaction has one user
// at a time: its methods are not called concurrently (the HotspotWriter
// it returns says what may overlap). Errors: ctx's error when it ends;
// EINVALID for values the store cannot hold (named in the message);
// any other error is the store failing, wrapped with what it was doing.
type IngestTx interface {
	// BeginBatch stores the batch record (file, format, StartedAt, set
	// to the transaction's time when zero) and sets b.ID.
	BeginBatch(ctx context.Context, b *IngestBatch) error
	// StoredKeys returns the dedupe keys of stored hotspots acquired in
	// [since, until] (whole minutes) whose position lies in the bound:
	// the caller drops the rows of its batch found there.
	StoredKeys(ctx context.Context, b orb.Bound, since, until time.Time) (map[Key]bool, error)
	// LoadState returns what a batch is decided against (see
	// IngestQuery and IngestState).
	LoadState(ctx context.Context, q IngestQuery) (*IngestState, error)
	// NewEventID hands out the id of a new event, unused by any event
	// stored or handed out before; the event row itself is written by
	// SaveResult, later in the same transaction (hotspots written before
	// then may already name it).
	NewEventID(ctx context.Context) (int64, error)
	// WriteHotspots returns a writer for the batch's new hotspots, all
	// acquired in [since, until]. The caller has removed duplicates (by
	// Key, within the batch and against StoredKeys): the store does not
	// check again.
	WriteHotspots(ctx context.Context, since, until time.Time) (HotspotWriter, error)
	// TaskByEvent returns the event's task, or nil when it has none.
	TaskByEvent(ctx context.Context, eventID int64) (*Task, error)
	// SaveResult stores a batch's result: its events (new, with ids
	// from NewEventID, or changed), its new tasks (setting their IDs and
	// queueing their task.created notifications) and the tasks it
	// touched (stored again: new updated time and version).
	SaveResult(ctx context.Context, r *IngestResult) error
	// Audit records audit lines (At set to the transaction's time when
	// zero) in the given order; they are written before commit.
	Audit(ctx context.Context, es ...*AuditEntry) error
	// FinishBatch stores the batch's final counts and errors, setting
	// FinishedAt (when zero), ArrivedAt (StartedAt when zero), LatencyMS
	// and Origin ("cli" when empty).
	FinishBatch(ctx context.Context, b *IngestBatch) error
}

// IngestQuery says what of the stored state a batch is decided against:
// the hotspots and open events near the batch (in Bound, the batch's
// bound grown by the clustering and persistence distances).
type IngestQuery struct {
	Bound orb.Bound
	// Hotspots acquired in [HotspotsSince, Until], of any status: the
	// persistence history and the open events' members.
	HotspotsSince, Until time.Time
	// Open events last seen at or after EventsSince.
	EventsSince time.Time
}

// IngestState is the stored state a batch is decided against.
type IngestState struct {
	// Hotspots in acquisition order, Events (open) in id order.
	Hotspots []*Hotspot
	Events   []*Event
	// Supervisors holds every grid's supervisor by grid id.
	Supervisors map[string]*Supervisor
}

// IngestResult is what a batch changed besides its hotspots.
type IngestResult struct {
	// Events are stored in this order; new ones (ids from NewEventID)
	// are created, the others updated.
	Events []*Event
	// NewTasks get their IDs; Touched tasks are stored again.
	NewTasks []*Task
	Touched  []*Task
}

// HotspotWriter stores one batch's new hotspots (their status, reason
// and event set) in its transaction.
type HotspotWriter interface {
	// Write sets the hotspots' IDs and takes them to be stored: it
	// copies what it needs before it returns, so the caller may reuse
	// hs. The rows may be written later, on another goroutine, until
	// Close; Write may be called while an earlier Write's rows are being
	// written. EINVALID when an ID cannot be given (too many detections
	// in one minute).
	Write(ctx context.Context, hs []*Hotspot) error
	// Close waits until every hotspot taken is stored and returns how
	// many were, or the first error of writing them; a second Close
	// returns the same. While a writer is open, only Write and
	// NewEventID may be called on its transaction.
	Close(ctx context.Context) (int, error)
}

// IngestService runs fn in one transaction: committed if fn returns nil,
// rolled back otherwise.
type IngestService interface {
	InIngestTx(ctx context.Context, fn func(tx IngestTx) error) error
	FindBatches(ctx context.Context, limit int) ([]*IngestBatch, error)
}

// WriteHotspots writes hotspots in tx at once (a HotspotWriter opened for
// their acquisition times, written and closed) and returns how many were
// stored.
func WriteHotspots(ctx context.Context, tx IngestTx, hs []*Hotspot) (int, error) {
	if len(hs) == 0 {
		return 0, nil
	}
	since, until := hs[0].AcqTime, hs[0].AcqTime
	for _, h := range hs[1:] {
		if h.AcqTime.Before(since) {
			since = h.AcqTime
		}
		if h.AcqTime.After(until) {
			until = h.AcqTime
		}
	}
	w, err := tx.WriteHotspots(ctx, since, until)
	if err != nil {
		return 0, err
	}
	werr := w.Write(ctx, hs)
	n, err := w.Close(ctx)
	if werr != nil {
		return n, werr
	}
	return n, err
}
