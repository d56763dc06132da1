package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"skygrid"
)

// PublicConfig is the [public] section as the store needs it: the limits
// of filing and the deadlines of an accepted report's task (zero: 30 and
// 60 minutes, the fire task's defaults).
type PublicConfig struct {
	Limits            skygrid.PublicLimits
	AckDue, ReportDue time.Duration
}

func (c PublicConfig) deadlines(now time.Time) (ack, report time.Time) {
	a, r := c.AckDue, c.ReportDue
	if a <= 0 {
		a = 30 * time.Minute
	}
	if r <= 0 {
		r = time.Hour
	}
	return now.Add(a), now.Add(r)
}

// publicReportCols are the columns scanPublicReport reads (alias r, the
// county c, the township w).
const publicReportCols = `r.id, r.receipt, r.kind, r.lon, r.lat, r.note, r.phone, r.address, COALESCE(r.grid_id, ''),
	COALESCE(r.township_id, ''), COALESCE(r.county_id, ''), COALESCE(c.name, ''), COALESCE(w.name, ''), r.assigned_by, r.state,
	COALESCE(r.moderated_by, 0), r.moderated_at, r.moderation_note, COALESCE(r.event_id, 0), COALESCE(r.task_id, 0),
	r.reward_yuan, r.rewarded_at, COALESCE(r.rewarded_by, 0), r.created_at`

const publicReportFrom = ` FROM public_reports r LEFT JOIN regions c ON c.id = r.county_id LEFT JOIN regions w ON w.id = r.township_id`

func scanPublicReport(rows interface{ Scan(...any) error }) (*skygrid.PublicReport, error) {
	r := &skygrid.PublicReport{}
	var moderated, rewarded, created string
	if err := rows.Scan(&r.ID, &r.Receipt, &r.Kind, &r.Lon, &r.Lat, &r.Note, &r.Phone, &r.Address, &r.GridID, &r.TownshipID,
		&r.CountyID, &r.CountyName, &r.TownshipName, &r.AssignedBy, &r.State, &r.ModeratedBy, &moderated, &r.ModerationNote,
		&r.EventID, &r.TaskID, &r.RewardYuan, &rewarded, &r.RewardedBy, &created); err != nil {
		return nil, fmt.Errorf("scan a public report: %w", err)
	}
	r.Point = [2]float64{r.Lon, r.Lat}
	r.ModeratedAt, r.RewardedAt, r.CreatedAt = parseTS(moderated), parseTS(rewarded), parseTS(created)
	r.KindName, r.PhoneMasked = skygrid.PublicReportKindNames[r.Kind], skygrid.MaskPhone(r.Phone)
	return r, nil
}

// FilePublicReport stores a new report with its photos and a receipt
// code made here, after the limits per address (an hour) and phone (a
// day), counted from the table in the same transaction: over them, a
// skygrid.PublicLimitError and nothing stored.
func (db *DB) FilePublicReport(ctx context.Context, r *skygrid.PublicReport, now time.Time) (*skygrid.PublicReport, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("file public report: begin: %w", err)
	}
	defer tx.Rollback()
	tx.now = now.UTC().Truncate(time.Second)
	if err := checkPublicLimits(ctx, tx, db.Public.Limits.OrDefault(), r.Address, r.Phone); err != nil {
		return nil, err
	}
	out := *r
	out.State, out.CreatedAt = skygrid.PublicReportPending, tx.now
	if out.AssignedBy == "" {
		out.AssignedBy = "none"
	}
	if err := insertPublicReport(ctx, tx, &out); err != nil {
		return nil, err
	}
	if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: "public", Action: "public_report.file", Entity: "public_report",
		EntityID: fmt.Sprint(out.ID), After: fmt.Sprintf("rule=%s region=%s grid=%s photos=%d",
			out.Kind, out.CountyID, out.GridID, len(out.PhotoFiles))}); err != nil {
		return nil, fmt.Errorf("file public report: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("file public report: commit: %w", err)
	}
	return &out, nil
}

// insertPublicReport inserts the report under a fresh receipt code (a
// code already taken is drawn again) and its photos.
func insertPublicReport(ctx context.Context, tx *Tx, r *skygrid.PublicReport) error {
	for try := 0; ; try++ {
		r.Receipt = skygrid.NewReceipt()
		err := tx.QueryRowContext(ctx, `INSERT INTO public_reports (receipt, kind, lon, lat, note, phone, address, grid_id,
			township_id, county_id, assigned_by, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (receipt) DO NOTHING RETURNING id`, r.Receipt, r.Kind, r.Point[0], r.Point[1], r.Note, r.Phone, r.Address,
			nullStr(r.GridID), nullStr(r.TownshipID), nullStr(r.CountyID), r.AssignedBy, r.State, ts(r.CreatedAt)).Scan(&r.ID)
		if err == nil {
			break
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("insert public report: %w", err)
		}
		if try >= 5 {
			return fmt.Errorf("insert public report: no free receipt code after %d tries", try+1)
		}
	}
	r.Photos = nil
	for _, p := range r.PhotoFiles {
		if _, err := tx.ExecContext(ctx, `INSERT INTO public_report_photos (report_id, sha256, stripped_sha, width, height, size)
			VALUES (?, ?, ?, ?, ?, ?)`, r.ID, p.SHA256, p.Stripped, p.Width, p.Height, p.Size); err != nil {
			return fmt.Errorf("insert public report %d photo: %w", r.ID, err)
		}
		r.Photos = append(r.Photos, p.Stripped)
	}
	return nil
}

// checkPublicLimits refuses a report beyond the limits of its address and
// phone (skygrid.PublicLimitError).
func checkPublicLimits(ctx context.Context, tx *Tx, lim skygrid.PublicLimits, address, phone string) error {
	perAddress, perPhone, err := publicReportCounts(ctx, tx, address, phone, tx.now)
	if err != nil {
		return err
	}
	if perAddress >= lim.PerAddressHour {
		return skygrid.PublicLimitErrorf("举报过于频繁：同一网络地址每小时最多提交 %d 条，请稍后再试", lim.PerAddressHour)
	}
	if phone != "" && perPhone >= lim.PerPhoneDay {
		return skygrid.PublicLimitErrorf("举报过于频繁：同一手机号每天最多提交 %d 条，请明天再试", lim.PerPhoneDay)
	}
	return nil
}

// PublicReportCounts are the reports of the address in the hour before
// now and of the phone ("" counts none) in the day before now.
func (db *DB) PublicReportCounts(ctx context.Context, address, phone string, now time.Time) (int, int, error) {
	tx, err := db.BeginTx(ctx, &readOnly)
	if err != nil {
		return 0, 0, fmt.Errorf("count public reports: begin: %w", err)
	}
	defer tx.Rollback()
	return publicReportCounts(ctx, tx, address, phone, now.UTC())
}

func publicReportCounts(ctx context.Context, tx *Tx, address, phone string, now time.Time) (perAddress, perPhone int, err error) {
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM public_reports WHERE address = ? AND created_at > ?`,
		address, ts(now.Add(-time.Hour))).Scan(&perAddress); err != nil {
		return 0, 0, fmt.Errorf("count public reports of an address: %w", err)
	}
	if phone == "" {
		return perAddress, 0, nil
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM public_reports WHERE phone = ? AND phone <> '' AND created_at > ?`,
		phone, ts(now.Add(-24*time.Hour))).Scan(&perPhone); err != nil {
		return 0, 0, fmt.Errorf("count public reports of a phone: %w", err)
	}
	return perAddress, perPhone, nil
}

// FindPublicReports lists the reports in the scope, oldest first (the
// queue is cleared in the order the reports came); state "" lists all.
func (db *DB) FindPublicReports(ctx context.Context, scope *skygrid.Scope, state string, limit int) ([]*skygrid.PublicReport, error) {
	tx, err := db.BeginTx(ctx, &readOnly)
	if err != nil {
		return nil, fmt.Errorf("find public reports: begin: %w", err)
	}
	defer tx.Rollback()
	var args []any
	var conds []string
	if c := scopeCond(scope, &args, "r.grid_id", "r.township_id", "r.county_id"); c != "" {
		conds = append(conds, c)
	}
	if state != "" {
		conds, args = append(conds, "r.state = ?"), append(args, state)
	}
	order := " ORDER BY r.created_at, r.id"
	if state != skygrid.PublicReportPending {
		order = " ORDER BY r.created_at DESC, r.id DESC"
	}
	return queryPublicReports(ctx, tx, `SELECT `+publicReportCols+publicReportFrom+where(conds)+order+limitOffset(limit, 0), args...)
}

// queryPublicReports reads the reports of a query with their photos.
func queryPublicReports(ctx context.Context, tx *Tx, q string, args ...any) ([]*skygrid.PublicReport, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find public reports: %w", err)
	}
	var out []*skygrid.PublicReport
	for rows.Next() {
		r, err := scanPublicReport(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("find public reports: %w", err)
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find public reports: %w", err)
	}
	for _, r := range out {
		if err := readPublicReportPhotos(ctx, tx, r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func readPublicReportPhotos(ctx context.Context, tx *Tx, r *skygrid.PublicReport) error {
	rows, err := tx.QueryContext(ctx, `SELECT sha256, stripped_sha, width, height, size FROM public_report_photos
		WHERE report_id = ? ORDER BY id`, r.ID)
	if err != nil {
		return fmt.Errorf("find the photos of public report %d: %w", r.ID, err)
	}
	defer rows.Close()
	r.Photos, r.PhotoFiles = nil, nil
	for rows.Next() {
		var p skygrid.PublicReportPhoto
		if err := rows.Scan(&p.SHA256, &p.Stripped, &p.Width, &p.Height, &p.Size); err != nil {
			return fmt.Errorf("find the photos of public report %d: scan: %w", r.ID, err)
		}
		r.Photos, r.PhotoFiles = append(r.Photos, p.Stripped), append(r.PhotoFiles, p)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find the photos of public report %d: %w", r.ID, err)
	}
	return nil
}

// FindPublicReport reads one report with its photos (ENOTFOUND).
func (db *DB) FindPublicReport(ctx context.Context, id int64) (*skygrid.PublicReport, error) {
	return db.readPublicReport(ctx, "r.id = ?", id)
}

// PublicReportByTask reads the report an accepted report's task came from
// (ENOTFOUND for any other task).
func (db *DB) PublicReportByTask(ctx context.Context, taskID int64) (*skygrid.PublicReport, error) {
	return db.readPublicReport(ctx, "r.task_id = ?", taskID)
}

func (db *DB) readPublicReport(ctx context.Context, cond string, arg any) (*skygrid.PublicReport, error) {
	tx, err := db.BeginTx(ctx, &readOnly)
	if err != nil {
		return nil, fmt.Errorf("find public report: begin: %w", err)
	}
	defer tx.Rollback()
	return findPublicReport(ctx, tx, cond, arg)
}

func findPublicReport(ctx context.Context, tx *Tx, cond string, arg any) (*skygrid.PublicReport, error) {
	rs, err := queryPublicReports(ctx, tx, `SELECT `+publicReportCols+publicReportFrom+` WHERE `+cond+` LIMIT 1`, arg)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, skygrid.Errorf(skygrid.ENOTFOUND, "public report %v not found", arg)
	}
	return rs[0], nil
}
