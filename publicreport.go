package skygrid

import (
	"context"
	"crypto/rand"
	"strings"
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
	// PhotoFiles are the photos with their upload's SHA-256 (filing
	// takes them; reads fill Photos).
	PhotoFiles []PublicReportPhoto `json:"-"`
	// KindName is the kind in Chinese; PhoneMasked the phone as 138****5678.
	KindName    string `json:"kind_name,omitempty"`
	PhoneMasked string `json:"phone_masked,omitempty"`
	// Lon and Lat are Point for JSON (officials only).
	Lon          float64 `json:"lon"`
	Lat          float64 `json:"lat"`
	TownshipName string  `json:"township_name,omitempty"`
	// AssignedBy says how the grid was found (as an event's).
	AssignedBy string `json:"-"`
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

// Added by r5 (the reports themselves).

// PublicReportFindings are the findings a public report's task takes,
// whatever the report's kind (kept simple: one list for the class): the
// fire findings of a burning and the dust findings of a site put right or
// stopped, then false alarm and not found.
var PublicReportFindings = []string{FindingStrawBurning, FindingOpenBurning, FindingRectified, FindingStopWork,
	FindingFalseAlarm, FindingNotFound}

// PublicReportPhoto is one photo of a report: SHA256 is the upload's (the
// original file is not kept), Stripped the copy re-encoded without EXIF
// that is stored and shown.
type PublicReportPhoto struct {
	SHA256   string `json:"-"`
	Stripped string `json:"sha256"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	Size     int64  `json:"size"`
}

// PublicLimits bound the reports of one client address an hour and of
// one phone a day ([public] reports_per_address_hour,
// reports_per_phone_day); 0 takes the default.
type PublicLimits struct {
	PerAddressHour int
	PerPhoneDay    int
}

// DefaultPublicLimits: 20 reports an hour from an address, 5 a day from a
// phone.
var DefaultPublicLimits = PublicLimits{PerAddressHour: 20, PerPhoneDay: 5}

// OrDefault fills the zero limits with the defaults.
func (l PublicLimits) OrDefault() PublicLimits {
	if l.PerAddressHour <= 0 {
		l.PerAddressHour = DefaultPublicLimits.PerAddressHour
	}
	if l.PerPhoneDay <= 0 {
		l.PerPhoneDay = DefaultPublicLimits.PerPhoneDay
	}
	return l
}

// PublicLimitError refuses a report over the limits (HTTP 429): its Err
// is an EINVALID with a Chinese message.
type PublicLimitError struct{ Err *Error }

func (e *PublicLimitError) Error() string { return e.Err.Error() }
func (e *PublicLimitError) Unwrap() error { return e.Err }

// PublicLimitErrorf makes a PublicLimitError.
func PublicLimitErrorf(format string, args ...any) error {
	return &PublicLimitError{Err: Errorf(EINVALID, format, args...)}
}

// PublicReportFigures are the audit page's figures of the reports first
// filed in a period: counts by state, rewarded and the total reward.
type PublicReportFigures struct {
	Reports    int     `json:"reports"`
	Pending    int     `json:"pending"`
	Accepted   int     `json:"accepted"`
	Rejected   int     `json:"rejected"`
	Rewarded   int     `json:"rewarded"`
	RewardYuan float64 `json:"reward_yuan"`
}

// PublicReportStats reads the audit page's figures (a PublicReportService
// may implement it): reports filed in [since, until) in the region ("" the
// city) and the scope.
type PublicReportStats interface {
	PublicReportFigures(ctx context.Context, since, until time.Time, region string, scope *Scope) (*PublicReportFigures, error)
}

// PublicReportPhotos finds a report's photos by the stripped copy's
// SHA-256 (who may see them: the report's officials, its task's people).
type PublicReportPhotos interface {
	FindPublicReport(ctx context.Context, id int64) (*PublicReport, error)
	PublicReportByTask(ctx context.Context, taskID int64) (*PublicReport, error)
	// PublicReportCounts are the reports of the address in the hour and
	// of the phone in the day before now (the limits' figures).
	PublicReportCounts(ctx context.Context, address, phone string, now time.Time) (perAddress, perPhone int, err error)
}

// ReceiptAlphabet is the receipt code's alphabet: digits and capitals
// without 0, O, 1 and I, which are read and typed wrong.
const ReceiptAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// ReceiptLen is the receipt code's length: 50 random bits.
const ReceiptLen = 10

// NewReceipt returns a receipt code from crypto/rand.
func NewReceipt() string {
	var b [ReceiptLen]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = ReceiptAlphabet[b[i]&31] // 256 is a multiple of 32: uniform
	}
	return string(b[:])
}

// FormatReceipt groups a receipt code to be read aloud: "K7PM3-XQ9RT".
func FormatReceipt(r string) string {
	if len(r) != ReceiptLen {
		return r
	}
	return r[:5] + "-" + r[5:]
}

// NormalizeReceipt reads a receipt code as typed (any case, spaces and
// dashes): the code, or false when it cannot be one.
func NormalizeReceipt(s string) (string, bool) {
	var b strings.Builder
	for _, c := range strings.ToUpper(s) {
		switch {
		case c == ' ' || c == '-' || c == '\u3000':
			continue
		case c < 128 && strings.ContainsRune(ReceiptAlphabet, c):
			b.WriteRune(c)
		default:
			return "", false
		}
	}
	return b.String(), b.Len() == ReceiptLen
}
