package skygrid

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
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
	SupervisorID   int64  `json:"supervisor_id,omitempty"`
	SupervisorName string `json:"supervisor_name,omitempty"`
	// SupervisorPhone is the grid supervisor's phone (from the grid's
	// registered supervisor), to call them.
	SupervisorPhone string    `json:"supervisor_phone,omitempty"`
	State           string    `json:"state"`
	AckDue          time.Time `json:"ack_due"`
	ReportDue       time.Time `json:"report_due"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`

	// Filled by FindTasks for listings: the event's class, where it is
	// (WGS84) and when the satellite first saw it.
	EventClass string    `json:"event_class,omitempty"`
	Lon        float64   `json:"lon"`
	Lat        float64   `json:"lat"`
	FirstSeen  time.Time `json:"first_seen,omitzero"`
	CountyID   string    `json:"county_id,omitempty"`
	TownshipID string    `json:"township_id,omitempty"`
	// An emergency inspection's listed site or enterprise (应急减排清单),
	// filled by the store on reads: its name as listed, and the entry's
	// contact person and phone for the supervisor to call, as the list
	// said when the task was opened. Staff only: never public.
	ListedName    string `json:"listed_name,omitempty"`
	ListedContact string `json:"listed_contact,omitempty"`
	ListedPhone   string `json:"listed_phone,omitempty"`
	// The names of the task's grid, township and county (filled by the
	// store on reads).
	GridName     string `json:"grid_name,omitempty"`
	TownshipName string `json:"township_name,omitempty"`
	CountyName   string `json:"county_name,omitempty"`

	// The lifecycle. Version rises with every transition: a change made
	// against an older version is refused (two reports, one wins).
	Version        int64      `json:"version"`
	AcknowledgedAt time.Time  `json:"acknowledged_at,omitzero"`
	Finding        string     `json:"finding,omitempty"`
	Notes          string     `json:"notes,omitempty"`
	ReportedAt     time.Time  `json:"reported_at,omitzero"`
	ReportedBy     int64      `json:"reported_by,omitempty"`
	ReportPoint    *orb.Point `json:"-"`
	ReportAccuracy float64    `json:"report_accuracy_m,omitempty"`
	Reports        int        `json:"reports"`
	ClosedAt       time.Time  `json:"closed_at,omitzero"`
	ClosedBy       int64      `json:"closed_by,omitempty"`
	ReviewNote     string     `json:"review_note,omitempty"`
	// DispatchedAt is when a reassigned task was dispatched again (its
	// deadlines count from it); zero: CreatedAt.
	DispatchedAt time.Time `json:"dispatched_at,omitzero"`
	// Escalation: 0 none, 1 to the area's official, 2 to the auditors.
	Escalation  int       `json:"escalation"`
	EscalatedAt time.Time `json:"escalated_at,omitzero"`

	// Filled by FindTaskByID.
	Photos []*Photo `json:"photos,omitempty"`
	// Checklist is an emergency inspection's measures (filled by
	// FindTaskByID): as the latest report answered them, or as listed
	// (InPlace nil) before a report.
	Checklist []ChecklistItem `json:"checklist,omitempty"`
}

// Findings of an on-site check.
const (
	FindingStrawBurning   = "straw_burning"   // 秸秆焚烧
	FindingOpenBurning    = "open_burning"    // 其他露天焚烧
	FindingIndustrialHeat = "industrial_heat" // 工业热源
	FindingFalseAlarm     = "false_alarm"     // 误报
	FindingNotFound       = "not_found"       // 现场未发现
)

// Findings lists every finding.
var Findings = []string{FindingStrawBurning, FindingOpenBurning, FindingIndustrialHeat, FindingFalseAlarm, FindingNotFound}

// FindingNames are the Chinese names shown to users.
var FindingNames = map[string]string{
	FindingStrawBurning: "秸秆焚烧", FindingOpenBurning: "其他露天焚烧", FindingIndustrialHeat: "工业热源",
	FindingFalseAlarm: "误报", FindingNotFound: "现场未发现",
	// Dust findings (dust.go).
	FindingRectified: "已整改（洒水、覆盖）", FindingStopWork: "停工整改", FindingDeviceFault: "设备故障",
}

// Task actions.
const (
	ActionAcknowledge = "acknowledge" // 签收: the supervisor is on the way
	ActionReport      = "report"      // 上报: finding, notes, photos, position
	ActionClose       = "close"       // 办结: an official accepts the report
	ActionReturn      = "return"      // 退回: an official sends it back for rework
	ActionReassign    = "reassign"    // 改派: to another grid in the official's area
	ActionNote        = "note"        // 审核备注: a reviewer's note, in any state; changes nothing else
)

// MaxNoteBytes bounds a report's notes and a reviewer's note.
const MaxNoteBytes = 4000

// MaxPhotos is how many photos one report takes.
const MaxPhotos = 5

// TaskChange is what an action brings besides who does it.
type TaskChange struct {
	Finding  string
	Notes    string
	Reason   string // return: why; required
	GridID   string // reassign: the new grid
	Point    *orb.Point
	Accuracy float64
	Photos   int
	// Checklist: a report of an emergency inspection answers every
	// measure (ChecklistItem.PhotoIndex into the report's photos).
	Checklist []ChecklistItem
}

// CheckVersion refuses an action taken on a task as the user saw it at
// version seen (0: any) when the task has changed since: ECONFLICT.
func (t *Task) CheckVersion(seen int64) error {
	if seen != 0 && t.Version != seen {
		return Errorf(ECONFLICT, "task %d changed since you loaded it (version %d, now %d: %s); load it again", t.ID, seen, t.Version, t.State)
	}
	return nil
}

// Transition checks that user u may apply action to the task now and
// applies it: EFORBIDDEN when the role may not, ECONFLICT (with the
// reason) when the state does not allow it, EINVALID for bad input. Scope
// is checked by the caller (the task must be in the user's scope), and so
// is that a reassignment's grid_id names a grid of the user's area.
func (t *Task) Transition(action string, u *User, c TaskChange, now time.Time) error {
	tr, ok := transitions[action]
	if !ok {
		return Errorf(EINVALID, "unknown action %q", action)
	}
	may := u.Role == RoleAdmin
	if tr.reviewer {
		may = may || u.Role == RoleOfficial || u.Role == RoleAuditor
	} else {
		may = may || u.Role == RoleSupervisor
	}
	if !may {
		return Errorf(EFORBIDDEN, "%s", tr.forbidden)
	}
	if tr.from != nil && !slices.Contains(tr.from, t.State) {
		return Errorf(ECONFLICT, "task %d is %s (%s); %s needs it %s", t.ID, t.State, TaskStateNames[t.State], action, strings.Join(tr.from, " or "))
	}
	if err := tr.apply(t, u, c, now); err != nil {
		return err
	}
	if tr.from != nil { // a note is not a transition: its version stays
		t.Version++
	}
	t.UpdatedAt = now
	return nil
}

// transition is one action's rule: who may (reviewers are officials,
// auditors and admins; field workers are supervisors and admins), from
// which states (nil: any, and the version stays), and what it changes.
type transition struct {
	reviewer  bool
	forbidden string
	from      []string
	apply     func(t *Task, u *User, c TaskChange, now time.Time) error
}

var transitions = map[string]transition{
	ActionAcknowledge: {false, "only the grid supervisor acknowledges a task", []string{TaskDispatched},
		func(t *Task, _ *User, _ TaskChange, now time.Time) error {
			t.State, t.AcknowledgedAt = TaskAcknowledged, now
			return nil
		}},
	ActionReport: {false, "only the grid supervisor reports on a task", []string{TaskAcknowledged}, (*Task).report},
	ActionClose: {true, "only an official, an auditor or an admin closes a task", []string{TaskReported},
		func(t *Task, u *User, c TaskChange, now time.Time) error {
			if len(c.Notes) > 4000 {
				return Errorf(EINVALID, "notes longer than 4000 bytes")
			}
			if err := CloseNeedsReason(t.EventClass, c.Notes); err != nil {
				return err
			}
			t.State, t.ClosedAt, t.ClosedBy, t.ReviewNote = TaskClosed, now, u.ID, c.Notes
			return nil
		}},
	ActionReturn: {true, "only an official, an auditor or an admin returns a task", []string{TaskReported},
		func(t *Task, _ *User, c TaskChange, _ time.Time) error {
			if strings.TrimSpace(c.Reason) == "" {
				return Errorf(EINVALID, "returning a task needs a reason")
			}
			// The rejected report stays in the audit log and its photos; the
			// task waits for a new one.
			t.State, t.ReviewNote = TaskAcknowledged, c.Reason
			t.Finding, t.Notes, t.ReportedAt, t.ReportedBy, t.ReportPoint, t.ReportAccuracy = "", "", time.Time{}, 0, nil, 0
			return nil
		}},
	ActionReassign: {true, "only an official, an auditor or an admin reassigns a task", []string{TaskDispatched, TaskAcknowledged}, (*Task).reassign},
	ActionNote: {true, "only an official, an auditor or an admin writes a review note", nil,
		func(_ *Task, _ *User, c TaskChange, _ time.Time) error {
			if strings.TrimSpace(c.Notes) == "" || len(c.Notes) > MaxNoteBytes {
				return Errorf(EINVALID, "a note needs 1 to %d bytes of text", MaxNoteBytes)
			}
			return nil
		}},
}

// report takes a supervisor's on-site report.
func (t *Task) report(u *User, c TaskChange, now time.Time) error {
	if fs := FindingsFor(t.EventClass); !slices.Contains(fs, c.Finding) {
		return Errorf(EINVALID, "finding %q: want one of %s", c.Finding, strings.Join(fs, ", "))
	}
	if c.Photos < 1 || c.Photos > MaxPhotos {
		return Errorf(EINVALID, "a report needs 1 to %d photos, got %d", MaxPhotos, c.Photos)
	}
	if len(c.Notes) > MaxNoteBytes {
		return Errorf(EINVALID, "notes longer than %d bytes", MaxNoteBytes)
	}
	t.State, t.Finding, t.Notes, t.ReportedAt, t.ReportedBy = TaskReported, c.Finding, c.Notes, now, u.ID
	t.ReportPoint, t.ReportAccuracy = c.Point, c.Accuracy
	t.Reports++
	return nil
}

// reassign moves the task to another grid. A new supervisor gets the same
// time as the first had, from now, and the escalation starts again.
func (t *Task) reassign(_ *User, c TaskChange, now time.Time) error {
	if c.GridID == "" || c.GridID == t.GridID {
		return Errorf(EINVALID, "reassign needs another grid (the task is in %q)", t.GridID)
	}
	from := t.dispatched()
	ack, rep := t.AckDue.Sub(from), t.ReportDue.Sub(from)
	t.State, t.GridID, t.AcknowledgedAt = TaskDispatched, c.GridID, time.Time{}
	t.DispatchedAt, t.AckDue, t.ReportDue = now, now.Add(ack), now.Add(rep)
	t.Escalation, t.EscalatedAt = 0, time.Time{}
	return nil
}

// TaskStateNames are the Chinese names shown to users.
var TaskStateNames = map[string]string{TaskDispatched: "待签收", TaskAcknowledged: "处置中", TaskReported: "待审核", TaskClosed: "已办结"}

// dispatched is when the task was (last) dispatched.
func (t *Task) dispatched() time.Time {
	if !t.DispatchedAt.IsZero() {
		return t.DispatchedAt
	}
	return t.CreatedAt
}

// Overdue reports whether the task is past a deadline it has not met.
func (t *Task) Overdue(now time.Time) bool {
	switch t.State {
	case TaskDispatched:
		return now.After(t.AckDue) || now.After(t.ReportDue)
	case TaskAcknowledged:
		return now.After(t.ReportDue)
	}
	return false
}

// EscalationPolicy says when an overdue task is escalated (the
// [escalation] section of the configuration).
type EscalationPolicy struct {
	// OfficialAfter: level 1 (the area's officials) once a deadline is
	// this far behind (0: as soon as the task is overdue).
	OfficialAfter time.Duration
	// AuditorsRatio: level 2 (the auditors) once the report is late by
	// this many times the time the task was given for it.
	AuditorsRatio float64
}

// DefaultEscalation: the officials when overdue, the auditors when late
// by as long again as the task was given.
func DefaultEscalation() EscalationPolicy { return EscalationPolicy{AuditorsRatio: 1} }

// EscalationDue is the escalation level the task should be at now under
// the default policy (DefaultEscalation).
func (t *Task) EscalationDue(now time.Time) int { return DefaultEscalation().Level(t, now) }

// Level is the escalation level t should be at now: 1 when overdue by
// OfficialAfter (to the area's official), 2 when its report is late by
// AuditorsRatio times the time it was given (to the auditors), else 0.
func (p EscalationPolicy) Level(t *Task, now time.Time) int {
	if !t.Overdue(now.Add(-p.OfficialAfter)) {
		return 0
	}
	given := t.ReportDue.Sub(t.dispatched())
	if now.After(t.ReportDue.Add(time.Duration(float64(given) * p.AuditorsRatio))) {
		return 2
	}
	return 1
}

// TaskFilter selects tasks. Zero fields do not filter.
type TaskFilter struct {
	ID *int64
	// Scope keeps the tasks a user may see (nil: all).
	Scope *Scope
	// Overdue keeps open tasks past a deadline at this time.
	Overdue *time.Time
	// Since and Until bound the task's creation, or its fire's first
	// detection when DateField is TaskDateFirstSeen.
	Since     *time.Time // at or after
	Until     *time.Time // before
	DateField string
	// CountyID, TownshipID and GridID keep the tasks of an area: a task's
	// area is its grid's (once reassigned, the new grid's), or for the
	// city's unassigned queue its event's.
	CountyID   *string
	TownshipID *string
	GridID     *string
	// CityID keeps the tasks of a province's city: those of its counties.
	CityID *string
	Class  *string
	// Classes keeps the tasks of any of these classes (the dust alarms:
	// DustClasses).
	Classes []string
	// State and States keep tasks in any of the states given.
	State  *string
	States []string
	// Query keeps the tasks found by id or place: "#123" is the task 123;
	// digits alone the task with that id or a place with exactly that id;
	// any other text a county, township or grid whose name or id holds it.
	Query string
	// Sort is one of TaskSorts ("": newest task first); Desc reverses it.
	// Ties are broken by id, in the same direction.
	Sort string
	Desc bool
	// MaxEscalation keeps the tasks escalated at most this far (0, 1).
	MaxEscalation *int
	Offset        int
	Limit         int
	// Cursor continues a list from a page's Next or Prev cursor (made
	// for the same sort and order), instead of Offset.
	Cursor string
}

// What TaskFilter.Since and Until bound.
const (
	TaskDateCreated   = "created"
	TaskDateFirstSeen = "first_seen"
)

// Task list orders.
const (
	TaskSortDeadline  = "deadline"   // the deadline that counts now (acknowledge, then report); tasks with none last
	TaskSortCreated   = "created"    // when the task was dispatched
	TaskSortFirstSeen = "first_seen" // when the fire was first seen
	TaskSortState     = "state"      // in lifecycle order: dispatched, acknowledged, reported, closed
	TaskSortPlace     = "place"      // by county, township and grid id (administrative codes)
)

// TaskSorts lists every order of a task list.
var TaskSorts = []string{TaskSortDeadline, TaskSortCreated, TaskSortFirstSeen, TaskSortState, TaskSortPlace}

// TaskStates lists every task state in lifecycle order.
var TaskStates = []string{TaskDispatched, TaskAcknowledged, TaskReported, TaskClosed}

// TaskRef names a task at the version a user saw.
type TaskRef struct {
	ID      int64 `json:"id"`
	Version int64 `json:"version"`
}

// MaxBulk is how many tasks one bulk action takes.
const MaxBulk = 200

// TaskRefusal is why one task of a bulk action was refused: Code is
// EFORBIDDEN (not in the user's area), ENOTFOUND or ECONFLICT (it changed:
// its version and state now).
type TaskRefusal struct {
	ID      int64  `json:"id"`
	Code    string `json:"code"`
	Version int64  `json:"version,omitempty"`
	State   string `json:"state,omitempty"`
	Message string `json:"message"`
}

// TasksError refuses a bulk action: Err carries the code and message (a
// 403 when any task is out of the user's area, else a 409), Tasks every
// task refused and why.
type TasksError struct {
	Err   *Error
	Tasks []TaskRefusal
}

func (e *TasksError) Error() string { return e.Err.Error() }
func (e *TasksError) Unwrap() error { return e.Err }

// RefuseTasks is the error refusing a bulk action of n tasks for the
// refusals given, named in its message: EFORBIDDEN when any task is out of
// the user's area, else ENOTFOUND when any does not exist, else ECONFLICT
// (each task that changed, with its state and version now). done says
// what did not happen ("closed").
func RefuseTasks(refused []TaskRefusal, n int, done string) *TasksError {
	code := ECONFLICT
	for _, c := range []string{ENOTFOUND, EFORBIDDEN} {
		if slices.ContainsFunc(refused, func(r TaskRefusal) bool { return r.Code == c }) {
			code = c
		}
	}
	var ids []string
	for _, r := range refused {
		switch {
		case r.Code != code:
		case r.State != "":
			ids = append(ids, fmt.Sprintf("#%d (now %s, version %d)", r.ID, r.State, r.Version))
		default:
			ids = append(ids, fmt.Sprintf("#%d", r.ID))
		}
	}
	why := map[string]string{EFORBIDDEN: "are not in your area", ENOTFOUND: "do not exist", ECONFLICT: "changed meanwhile"}[code]
	return &TasksError{Err: Errorf(code, "%d of %d tasks %s: %s; none was %s", len(ids), n, why, strings.Join(ids, ", "), done), Tasks: refused}
}

// CheckTaskRefs checks the tasks of a bulk action: 1 to MaxBulk, each
// once, each with the version the user saw.
func CheckTaskRefs(refs []TaskRef) error {
	if len(refs) == 0 || len(refs) > MaxBulk {
		return Errorf(EINVALID, "tasks: want 1 to %d tasks, got %d", MaxBulk, len(refs))
	}
	seen := map[int64]bool{}
	for i, r := range refs {
		if r.ID <= 0 || r.Version <= 0 {
			return Errorf(EINVALID, "tasks[%d]: want a task id and the version you saw, got id %d version %d", i, r.ID, r.Version)
		}
		if seen[r.ID] {
			return Errorf(EINVALID, "tasks[%d]: task %d given twice", i, r.ID)
		}
		seen[r.ID] = true
	}
	return nil
}

// TaskService reads tasks and applies the lifecycle.
type TaskService interface {
	FindTasks(ctx context.Context, filter TaskFilter) ([]*Task, int, error)
	// FindTaskPage returns a page of tasks (Limit, Offset or Cursor) and
	// what the page says: the total, whether it is exact, and the cursors
	// of the pages before and after it.
	FindTaskPage(ctx context.Context, filter TaskFilter) ([]*Task, Page, error)
	// FindTaskByID returns a task with its photos, or ENOTFOUND.
	FindTaskByID(ctx context.Context, id int64) (*Task, error)
	// FindTaskInScope returns a task with its photos when FindTasks with
	// the scope lists it (the same condition: a task is opened, acted on
	// and its photos shown exactly when it is listed); for a scoped user
	// EFORBIDDEN when it is not in their area or does not exist alike,
	// else ENOTFOUND.
	FindTaskInScope(ctx context.Context, id int64, scope Scope) (*Task, error)
	// UpdateTask applies an action in one transaction: it loads the task,
	// checks the version the caller saw (0: any) and the user's scope,
	// runs Transition, stores the task and the photos, writes the audit
	// log (who, what, before, after) and the notifications. ECONFLICT when
	// another change came first.
	UpdateTask(ctx context.Context, id int64, version int64, action string, u *User, c TaskChange, photos []*Photo) (*Task, error)
	// CloseTasks closes reported tasks with one note, all or nothing, in
	// one transaction: each task through UpdateTask's close, with its audit
	// line and notifications. A *TasksError names every task refused: out
	// of the user's area (EFORBIDDEN), or no longer reported at the version
	// given (ECONFLICT); then nothing is closed.
	CloseTasks(ctx context.Context, refs []TaskRef, notes string, u *User) ([]*Task, error)
	// EscalateTask raises a task to an escalation level (1: the area's
	// officials, 2: the auditors) at now in one transaction with its audit
	// line and notifications, when it is still due then; it says whether
	// it did. Errors: ENOTFOUND when the task does not exist. The clock
	// that raises every overdue task level by level is dispatch.Escalate.
	EscalateTask(ctx context.Context, id int64, level int, now time.Time) (bool, error)
}

// PlaceName is the task's place, largest first: "浑源县 永安镇 6行10列".
// A grid's name that repeats its township's or county's is shortened;
// without names, the grid's id.
func (t *Task) PlaceName() string {
	var parts []string
	for _, n := range []string{t.CountyName, t.TownshipName} {
		if n != "" {
			parts = append(parts, n)
		}
	}
	grid := strings.TrimSpace(t.GridName)
	for _, prefix := range []string{t.TownshipName, t.CountyName} {
		if prefix != "" && len(grid) > len(prefix) && strings.HasPrefix(grid, prefix) {
			grid = strings.TrimSpace(grid[len(prefix):])
		}
	}
	if grid == "" {
		grid = t.GridID
	}
	if grid != "" {
		parts = append(parts, grid)
	}
	return strings.Join(parts, " ")
}
