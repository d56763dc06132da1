package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"skygrid"
)

// publicReportInScope reads a report inside tx when the user's scope
// holds it: EFORBIDDEN when it does not (or it does not exist: nothing
// leaks to a scoped user), ENOTFOUND for a city-wide user.
func publicReportInScope(ctx context.Context, tx *Tx, id int64, by *skygrid.User) (*skygrid.PublicReport, error) {
	scope := skygrid.ScopeOf(by)
	args := []any{id}
	cond := "r.id = ?"
	if c := scopeCond(&scope, &args, "r.grid_id", "r.township_id", "r.county_id"); c != "" {
		cond += " AND " + c
	}
	rs, err := queryPublicReports(ctx, tx, `SELECT `+publicReportCols+publicReportFrom+` WHERE `+cond, args...)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 && !scope.All {
		return nil, skygrid.Errorf(skygrid.EFORBIDDEN, "public report %d is not in your area", id)
	} else if len(rs) == 0 {
		return nil, skygrid.Errorf(skygrid.ENOTFOUND, "public report %d not found", id)
	}
	return rs[0], nil
}

// moderate runs one change of a report in a transaction at now: read in
// the user's scope, changed by fn (which writes its row and returns the
// audit line), audited, committed, read again.
func (db *DB) moderate(ctx context.Context, id int64, by *skygrid.User, now time.Time, what string,
	fn func(tx *Tx, r *skygrid.PublicReport) (*skygrid.AuditEntry, error)) (*skygrid.PublicReport, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("%s public report %d: begin: %w", what, id, err)
	}
	defer tx.Rollback()
	tx.now = now.UTC().Truncate(time.Second)
	r, err := publicReportInScope(ctx, tx, id, by)
	if err != nil {
		return nil, err
	}
	a, err := fn(tx, r)
	if err != nil {
		return nil, err
	}
	a.Actor, a.Entity, a.EntityID = by.Name, "public_report", fmt.Sprint(id)
	if err := insertAudit(ctx, tx, a); err != nil {
		return nil, fmt.Errorf("%s public report %d: %w", what, id, err)
	}
	if r, err = findPublicReport(ctx, tx, "r.id = ?", id); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("%s public report %d: commit: %w", what, id, err)
	}
	return r, nil
}

func pendingOnly(r *skygrid.PublicReport) error {
	if r.State != skygrid.PublicReportPending {
		return skygrid.Errorf(skygrid.ECONFLICT, "public report %d is already %s", r.ID, r.State)
	}
	return nil
}

// AcceptPublicReport makes the report's event (class public_report, at its
// point, in its grid, rule its kind) and the task to the grid's supervisor
// with the deadlines of db.Public, the task's notifications and the audit
// lines, in one transaction.
func (db *DB) AcceptPublicReport(ctx context.Context, id int64, by *skygrid.User, note string, now time.Time) (*skygrid.PublicReport, error) {
	return db.moderate(ctx, id, by, now, "accept", func(tx *Tx, r *skygrid.PublicReport) (*skygrid.AuditEntry, error) {
		if err := pendingOnly(r); err != nil {
			return nil, err
		}
		ack, due := db.Public.deadlines(tx.now)
		alarm := skygrid.DustAlarm{Rule: r.Kind, Class: skygrid.ClassPublicReport, Start: r.CreatedAt, End: r.CreatedAt,
			Detail: r.Note, Point: r.Point, GridID: r.GridID, TownshipID: r.TownshipID, CountyID: r.CountyID,
			AssignedBy: r.AssignedBy, AckDue: ack, ReportDue: due}
		var res skygrid.DustRecorded
		eventID, err := newDustEvent(ctx, tx, &alarm, by.Name, &res)
		if err != nil {
			return nil, fmt.Errorf("accept public report %d: %w", id, err)
		}
		if err := bumpLayers(ctx, tx, skygrid.LayerEvents); err != nil {
			return nil, fmt.Errorf("accept public report %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE public_reports SET state = 'accepted', moderated_by = ?, moderated_at = ?,
			moderation_note = ?, event_id = ?, task_id = ? WHERE id = ?`, by.ID, ts(tx.now), note, eventID, res.TaskIDs[0], id); err != nil {
			return nil, fmt.Errorf("accept public report %d: %w", id, err)
		}
		return &skygrid.AuditEntry{Action: "public_report.accept", Before: "state=pending",
			After: fmt.Sprintf("state=accepted event=%d task=%d note=%q", eventID, res.TaskIDs[0], note)}, nil
	})
}

// RejectPublicReport keeps the reason (shown to the reporter).
func (db *DB) RejectPublicReport(ctx context.Context, id int64, by *skygrid.User, reason string, now time.Time) (*skygrid.PublicReport, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, skygrid.Errorf(skygrid.EINVALID, "rejecting a public report needs a reason (shown to the reporter)")
	}
	return db.moderate(ctx, id, by, now, "reject", func(tx *Tx, r *skygrid.PublicReport) (*skygrid.AuditEntry, error) {
		if err := pendingOnly(r); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE public_reports SET state = 'rejected', moderated_by = ?, moderated_at = ?,
			moderation_note = ? WHERE id = ?`, by.ID, ts(tx.now), reason, id); err != nil {
			return nil, fmt.Errorf("reject public report %d: %w", id, err)
		}
		return &skygrid.AuditEntry{Action: "public_report.reject", Before: "state=pending",
			After: fmt.Sprintf("state=rejected reason=%q", reason)}, nil
	})
}

// MaxRewardYuan is the largest reward one report may be marked with.
const MaxRewardYuan = 100000

// RewardPublicReport marks an accepted report rewarded with an amount in
// yuan (once: ECONFLICT after).
func (db *DB) RewardPublicReport(ctx context.Context, id int64, by *skygrid.User, yuan float64, now time.Time) (*skygrid.PublicReport, error) {
	if !(yuan > 0 && yuan <= MaxRewardYuan) || math.Round(yuan*100) != yuan*100 {
		return nil, skygrid.Errorf(skygrid.EINVALID, "yuan %v: want an amount above 0 and at most %d, in fen at most", yuan, MaxRewardYuan)
	}
	return db.moderate(ctx, id, by, now, "reward", func(tx *Tx, r *skygrid.PublicReport) (*skygrid.AuditEntry, error) {
		if r.State != skygrid.PublicReportAccepted {
			return nil, skygrid.Errorf(skygrid.ECONFLICT, "public report %d is %s: only an accepted report is rewarded", id, r.State)
		}
		if !r.RewardedAt.IsZero() {
			return nil, skygrid.Errorf(skygrid.ECONFLICT, "public report %d was already rewarded %.2f yuan", id, r.RewardYuan)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE public_reports SET reward_yuan = ?, rewarded_at = ?, rewarded_by = ? WHERE id = ?`,
			yuan, ts(tx.now), by.ID, id); err != nil {
			return nil, fmt.Errorf("reward public report %d: %w", id, err)
		}
		return &skygrid.AuditEntry{Action: "public_report.reward", After: fmt.Sprintf("reward_yuan=%.2f", yuan)}, nil
	})
}

// PublicReportOutcome is what the receipt code shows: no phone, no
// supervisor, no exact position (ENOTFOUND for an unknown code).
func (db *DB) PublicReportOutcome(ctx context.Context, receipt string) (*skygrid.PublicReportOutcome, error) {
	code, ok := skygrid.NormalizeReceipt(receipt)
	if !ok {
		return nil, skygrid.Errorf(skygrid.ENOTFOUND, "查询码 %s 不存在，请检查后重试", skygrid.Clip(receipt))
	}
	o := &skygrid.PublicReportOutcome{}
	var created, closed, rewarded string
	err := db.rdb.QueryRowContext(ctx, `SELECT r.receipt, r.kind, r.state, COALESCE(c.name, ''), r.created_at,
		CASE r.state WHEN 'rejected' THEN r.moderation_note ELSE '' END, COALESCE(t.state, ''), COALESCE(t.finding, ''),
		COALESCE(t.closed_at, ''), r.rewarded_at FROM public_reports r LEFT JOIN regions c ON c.id = r.county_id
		LEFT JOIN tasks t ON t.id = r.task_id WHERE r.receipt = ?`, code).Scan(&o.Receipt, &o.Kind, &o.State, &o.County,
		&created, &o.Reason, &o.TaskState, &o.Finding, &closed, &rewarded)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, skygrid.Errorf(skygrid.ENOTFOUND, "查询码 %s 不存在，请检查后重试", skygrid.FormatReceipt(code))
	} else if err != nil {
		return nil, fmt.Errorf("public report outcome: %w", err)
	}
	o.Receipt = skygrid.FormatReceipt(o.Receipt)
	o.CreatedAt, o.ClosedAt, o.Rewarded = parseTS(created), parseTS(closed), rewarded != ""
	if o.TaskState != skygrid.TaskClosed {
		o.Finding, o.ClosedAt = "", time.Time{} // a finding counts once the official closed the task
	}
	return o, nil
}

// PublicReportFigures counts the reports filed in [since, until) in the
// region ("" the city) and scope: by state, rewarded, and the total
// reward (the audit page's figures).
func (db *DB) PublicReportFigures(ctx context.Context, since, until time.Time, region string, scope *skygrid.Scope) (*skygrid.PublicReportFigures, error) {
	conds := []string{"r.created_at >= ?", "r.created_at < ?"}
	args := []any{ts(since), ts(until)}
	if region != "" {
		conds = append(conds, regionCond(region, &args, "r.county_id", "r.township_id", "r.grid_id"))
	}
	if c := scopeCond(scope, &args, "r.grid_id", "r.township_id", "r.county_id"); c != "" {
		conds = append(conds, c)
	}
	f := &skygrid.PublicReportFigures{}
	err := db.rdb.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(*) FILTER (WHERE r.state = 'pending'),
		COUNT(*) FILTER (WHERE r.state = 'accepted'), COUNT(*) FILTER (WHERE r.state = 'rejected'),
		COUNT(*) FILTER (WHERE r.rewarded_at <> ''), COALESCE(SUM(r.reward_yuan), 0) FROM public_reports r`+where(conds), args...).Scan(
		&f.Reports, &f.Pending, &f.Accepted, &f.Rejected, &f.Rewarded, &f.RewardYuan)
	if err != nil {
		return nil, fmt.Errorf("public report figures: %w", err)
	}
	return f, nil
}
