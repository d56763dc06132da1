package skygrid

import (
	"context"
	"time"

	"github.com/paulmach/orb"
)

// ClassPublicReport is the event class of an accepted report from the
// public (群众举报): worked as a task like any other.
const ClassPublicReport = "public_report"

// What the public reports.
const (
	ReportStraw = "straw_burning" // 秸秆焚烧
	ReportDust  = "dust"          // 扬尘
	ReportCoal  = "loose_coal"    // 散煤燃烧
	ReportOther = "other"         // 其他
)

// PublicReportKinds lists the kinds, in the order the form shows them.
var PublicReportKinds = []string{ReportStraw, ReportDust, ReportCoal, ReportOther}

// PublicReportKindNames are the Chinese names shown to users.
var PublicReportKindNames = map[string]string{
	ReportStraw: "秸秆焚烧", ReportDust: "扬尘", ReportCoal: "散煤燃烧", ReportOther: "其他",
}

// Public report states: pending moderation, accepted (an event and task
// made), rejected (with a reason shown to the reporter).
const (
	PublicReportPending  = "pending"
	PublicReportAccepted = "accepted"
	PublicReportRejected = "rejected"
)

// PublicReport is one report from the public. Phone and Address are
// personal data: shown to the county's officials only, never on a public
// route. Receipt is the code the reporter looks it up with.
type PublicReport struct {
	ID      int64     `json:"id"`
	Receipt string    `json:"receipt"`
	Kind    string    `json:"kind"`
	Point   orb.Point `json:"-"`
	Note    string    `json:"note,omitempty"`
	// Phone is the optional number for the reward follow-up; Address the
	// client address it came from (for the limits).
	Phone   string `json:"phone,omitempty"`
	Address string `json:"-"`
	// Where it is (the county decides who moderates it).
	GridID     string `json:"grid_id,omitempty"`
	TownshipID string `json:"township_id,omitempty"`
	CountyID   string `json:"county_id,omitempty"`
	CountyName string `json:"county_name,omitempty"`
	State      string `json:"state"`
	// Moderation: who, when, the reason (shown to the reporter when
	// rejected).
	ModeratedBy    int64     `json:"moderated_by,omitempty"`
	ModeratedAt    time.Time `json:"moderated_at,omitzero"`
	ModerationNote string    `json:"moderation_note,omitempty"`
	EventID        int64     `json:"event_id,omitempty"`
	TaskID         int64     `json:"task_id,omitempty"`
	// Reward bookkeeping: amount in yuan, when and by whom marked.
	RewardYuan float64   `json:"reward_yuan,omitempty"`
	RewardedAt time.Time `json:"rewarded_at,omitzero"`
	RewardedBy int64     `json:"rewarded_by,omitempty"`
	// Photos are stored as report photos are (by SHA-256), EXIF stripped
	// from every copy shown.
	Photos    []string  `json:"photos,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// PublicReportOutcome is what the reporter sees with the receipt code:
// nothing personal, no supervisor, no exact position.
type PublicReportOutcome struct {
	Receipt   string    `json:"receipt"`
	Kind      string    `json:"kind"`
	State     string    `json:"state"`
	County    string    `json:"county,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// Reason of a rejection; the task's state and finding once accepted.
	Reason    string    `json:"reason,omitempty"`
	TaskState string    `json:"task_state,omitempty"`
	Finding   string    `json:"finding,omitempty"`
	ClosedAt  time.Time `json:"closed_at,omitzero"`
	Rewarded  bool      `json:"rewarded"`
}

// PublicReportService keeps the reports from the public: every change in
// one transaction with its audit line.
type PublicReportService interface {
	// FilePublicReport stores a new report (its receipt code made here)
	// after the limits per address and phone (ETOOMANY-like EINVALID
	// with a Chinese message when exceeded; nothing stored).
	FilePublicReport(ctx context.Context, r *PublicReport, now time.Time) (*PublicReport, error)
	// FindPublicReports lists reports in the scope (the moderation queue
	// with state pending).
	FindPublicReports(ctx context.Context, scope *Scope, state string, limit int) ([]*PublicReport, error)
	// AcceptPublicReport makes the event (ClassPublicReport) and the task
	// to the grid's supervisor; RejectPublicReport keeps the reason.
	AcceptPublicReport(ctx context.Context, id int64, by *User, note string, now time.Time) (*PublicReport, error)
	RejectPublicReport(ctx context.Context, id int64, by *User, reason string, now time.Time) (*PublicReport, error)
	RewardPublicReport(ctx context.Context, id int64, by *User, yuan float64, now time.Time) (*PublicReport, error)
	// PublicReportOutcome is what the receipt code shows (ENOTFOUND for
	// an unknown code).
	PublicReportOutcome(ctx context.Context, receipt string) (*PublicReportOutcome, error)
}
