package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"skygrid"
	"skygrid/store"
)

// publicReportDB is sitesDB with an official of each county and an admin.
func publicReportDB(t *testing.T) (*store.DB, map[string]*skygrid.User) {
	t.Helper()
	db, _ := sitesDB(t)
	users := map[string]*skygrid.User{
		"x":     {Name: "x-official", Role: skygrid.RoleOfficial, Regions: []string{"140201"}},
		"y":     {Name: "y-official", Role: skygrid.RoleOfficial, Regions: []string{"140202"}},
		"admin": {Name: "admin", Role: skygrid.RoleAdmin},
	}
	for _, u := range users {
		if err := db.CreateUser(context.Background(), u, "x"); err != nil {
			t.Fatal(err)
		}
	}
	return db, users
}

// inX is a report in X县, X镇 (no grid: the city's unassigned queue).
func inX(address, phone string) *skygrid.PublicReport {
	return &skygrid.PublicReport{Kind: skygrid.ReportStraw, Point: orb.Point{113.05, 40.01}, Note: "田里冒烟（示例）",
		Phone: phone, Address: address, TownshipID: "140201001", CountyID: "140201", AssignedBy: "none",
		PhotoFiles: []skygrid.PublicReportPhoto{{SHA256: strings.Repeat("a", 64), Stripped: strings.Repeat("b", 64), Width: 800, Height: 600, Size: 1000}}}
}

func fileReport(t *testing.T, db *store.DB, r *skygrid.PublicReport, at time.Time) *skygrid.PublicReport {
	t.Helper()
	out, err := db.FilePublicReport(context.Background(), r, at)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Accepting makes the event public_report at the report's point and its
// task with [public]'s deadlines, audited; only once, only in the
// official's county; the fire figures leave it out; the outcome follows.
func TestAcceptPublicReport(t *testing.T) {
	db, users := publicReportDB(t)
	db.Public = store.PublicConfig{AckDue: 20 * time.Minute, ReportDue: 45 * time.Minute}
	ctx := context.Background()
	if err := db.AddChannel(ctx, &skygrid.Channel{RegionID: "140201", Kind: skygrid.ChannelWebhook, URL: "https://example.org/hook"}); err != nil {
		t.Fatal(err)
	}
	r := fileReport(t, db, inX("10.0.0.1", "13812345678"), now)
	if r.State != skygrid.PublicReportPending || len(r.Receipt) != skygrid.ReceiptLen {
		t.Fatalf("filed: %+v", r)
	}
	if _, err := db.AcceptPublicReport(ctx, r.ID, users["y"], "", now); skygrid.ErrorCode(err) != skygrid.EFORBIDDEN {
		t.Errorf("accepted by Y县's official: %v, want EFORBIDDEN", err)
	}
	at := now.Add(10 * time.Minute)
	got, err := db.AcceptPublicReport(ctx, r.ID, users["x"], "属实", at)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != skygrid.PublicReportAccepted || got.EventID == 0 || got.TaskID == 0 || got.ModeratedBy != users["x"].ID {
		t.Fatalf("accepted: %+v", got)
	}
	e, err := db.FindEventByID(ctx, got.EventID)
	if err != nil {
		t.Fatal(err)
	}
	if e.Class != skygrid.ClassPublicReport || e.Rule != skygrid.ReportStraw || e.Point != r.Point || e.CountyID != "140201" || e.Task == nil {
		t.Fatalf("event: %+v", e)
	}
	if !e.Task.AckDue.Equal(at.Add(20*time.Minute)) || !e.Task.ReportDue.Equal(at.Add(45*time.Minute)) {
		t.Errorf("deadlines %s %s, want 20 and 45 minutes after %s", e.Task.AckDue, e.Task.ReportDue, at)
	}
	for _, action := range []string{"public_report.file", "public_report.accept", "event.create", "task.dispatch"} {
		if n := countRows(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, action); n != 1 {
			t.Errorf("%d audit lines %s, want 1", n, action)
		}
	}
	msgs, err := db.FindOutbox(ctx, 10)
	if err != nil || len(msgs) != 1 || !strings.HasPrefix(msgs[0].Title, "新群众举报任务") || strings.Contains(msgs[0].Text, "13812345678") {
		t.Errorf("notices %v %v: want one 新群众举报任务 to X县's channel, without the reporter's phone", msgs, err)
	}
	if _, err := db.AcceptPublicReport(ctx, r.ID, users["x"], "", at); skygrid.ErrorCode(err) != skygrid.ECONFLICT {
		t.Errorf("accepted twice: %v, want ECONFLICT", err)
	}
	st, err := db.Stats(ctx, skygrid.StatsQuery{Since: now.Add(-time.Hour), Until: now.Add(time.Hour)})
	if err != nil || st.Total.Events != 0 || st.Total.Tasks != 0 {
		t.Errorf("fire figures with a public report: %+v %v, want none", st.Total, err)
	}
	o, err := db.PublicReportOutcome(ctx, strings.ToLower(skygrid.FormatReceipt(r.Receipt)))
	if err != nil || o.State != skygrid.PublicReportAccepted || o.TaskState != skygrid.TaskDispatched || o.County != "X县" {
		t.Errorf("outcome: %+v %v", o, err)
	}
}

// Rejecting needs a reason, keeps it and shows it by the receipt.
func TestRejectPublicReport(t *testing.T) {
	db, users := publicReportDB(t)
	ctx := context.Background()
	r := fileReport(t, db, inX("10.0.0.1", ""), now)
	if _, err := db.RejectPublicReport(ctx, r.ID, users["x"], " ", now); skygrid.ErrorCode(err) != skygrid.EINVALID {
		t.Errorf("rejected without a reason: %v, want EINVALID", err)
	}
	if _, err := db.RejectPublicReport(ctx, r.ID, users["x"], "照片与位置不符", now); err != nil {
		t.Fatal(err)
	}
	o, err := db.PublicReportOutcome(ctx, r.Receipt)
	if err != nil || o.State != skygrid.PublicReportRejected || o.Reason != "照片与位置不符" || o.TaskState != "" {
		t.Errorf("outcome: %+v %v", o, err)
	}
	if n := countRows(t, db, `SELECT COUNT(*) FROM events`); n != 0 {
		t.Errorf("%d events after a rejection, want none", n)
	}
	if _, err := db.AcceptPublicReport(ctx, r.ID, users["x"], "", now); skygrid.ErrorCode(err) != skygrid.ECONFLICT {
		t.Errorf("accepted after rejection: %v, want ECONFLICT", err)
	}
	if _, err := db.PublicReportOutcome(ctx, "ZZZZZ-ZZZZZ"); skygrid.ErrorCode(err) != skygrid.ENOTFOUND {
		t.Errorf("unknown receipt: %v, want ENOTFOUND", err)
	}
}

// A reward marks an accepted report once; the audit figures equal an
// independent query.
func TestRewardPublicReport(t *testing.T) {
	db, users := publicReportDB(t)
	ctx := context.Background()
	var ids []int64
	for i := range 4 {
		ids = append(ids, fileReport(t, db, inX(fmt.Sprint("10.0.0.", i), ""), now.Add(time.Duration(i)*time.Minute)).ID)
	}
	if _, err := db.RewardPublicReport(ctx, ids[0], users["admin"], 50, now); skygrid.ErrorCode(err) != skygrid.ECONFLICT {
		t.Errorf("rewarded while pending: %v, want ECONFLICT", err)
	}
	for _, id := range ids[:2] {
		if _, err := db.AcceptPublicReport(ctx, id, users["x"], "", now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.RejectPublicReport(ctx, ids[2], users["x"], "重复举报", now); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		id   int64
		yuan float64
		code string
	}{
		{"zero", ids[0], 0, skygrid.EINVALID},
		{"too much", ids[0], 1e6, skygrid.EINVALID},
		{"rejected", ids[2], 50, skygrid.ECONFLICT},
		{"first", ids[0], 50, ""},
		{"again", ids[0], 20, skygrid.ECONFLICT},
		{"second report", ids[1], 100.5, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.RewardPublicReport(ctx, tc.id, users["x"], tc.yuan, now)
			if skygrid.ErrorCode(err) != tc.code {
				t.Errorf("reward: %v, want %q", err, tc.code)
			}
		})
	}
	f, err := db.PublicReportFigures(ctx, now.Add(-time.Hour), now.Add(time.Hour), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := skygrid.PublicReportFigures{}
	if err := db.QueryRowForTest(ctx, `SELECT COUNT(*), COUNT(CASE WHEN state = 'pending' THEN 1 END), COUNT(CASE WHEN state = 'accepted' THEN 1 END),
		COUNT(CASE WHEN state = 'rejected' THEN 1 END), COUNT(CASE WHEN rewarded_at <> '' THEN 1 END), COALESCE(SUM(reward_yuan), 0)
		FROM public_reports WHERE created_at >= ? AND created_at < ?`,
		now.Add(-time.Hour).Format(time.RFC3339), now.Add(time.Hour).Format(time.RFC3339)).Scan(
		&want.Reports, &want.Pending, &want.Accepted, &want.Rejected, &want.Rewarded, &want.RewardYuan); err != nil {
		t.Fatal(err)
	}
	if *f != want || f.Reports != 4 || f.Rewarded != 2 || f.RewardYuan != 150.5 {
		t.Errorf("figures %+v, want %+v (4 reports, 2 rewarded, 150.5 yuan)", *f, want)
	}
	if yf, err := db.PublicReportFigures(ctx, now.Add(-time.Hour), now.Add(time.Hour), "", &skygrid.Scope{Regions: []string{"140202"}}); err != nil || yf.Reports != 0 {
		t.Errorf("Y县's figures: %+v %v, want none", yf, err)
	}
}

// The limits count the table: 20 an hour from an address, 5 a day from a
// phone; the one over is refused with a Chinese message, nothing stored.
func TestPublicReportLimits(t *testing.T) {
	for _, tc := range []struct {
		name    string
		address func(i int) string
		phone   string
		n       int
		later   time.Duration // when the refused one is allowed again
	}{
		{"address", func(int) string { return "10.0.0.1" }, "", 20, 61 * time.Minute},
		{"phone", func(i int) string { return fmt.Sprint("10.0.1.", i) }, "13812345678", 5, 25 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := publicReportDB(t)
			for i := range tc.n {
				fileReport(t, db, inX(tc.address(i), tc.phone), now.Add(time.Duration(i)*time.Second))
			}
			_, err := db.FilePublicReport(context.Background(), inX(tc.address(99), tc.phone), now.Add(time.Minute))
			var le *skygrid.PublicLimitError
			if !errors.As(err, &le) || !strings.Contains(skygrid.ErrorMessage(err), "举报过于频繁") {
				t.Fatalf("report %d: %v, want a PublicLimitError in Chinese", tc.n+1, err)
			}
			if n := countRows(t, db, `SELECT COUNT(*) FROM public_reports`); n != tc.n {
				t.Errorf("%d reports stored, want %d", n, tc.n)
			}
			if n := countRows(t, db, `SELECT COUNT(*) FROM public_report_photos`); n != tc.n {
				t.Errorf("%d photos stored, want %d", n, tc.n)
			}
			fileReport(t, db, inX(tc.address(99), tc.phone), now.Add(tc.later))
		})
	}
}

// Receipt codes are unique (the column too), of the alphabet, and read
// back as typed.
func TestPublicReportReceipts(t *testing.T) {
	db, _ := publicReportDB(t)
	db.Public.Limits = skygrid.PublicLimits{PerAddressHour: 1000, PerPhoneDay: 1000}
	seen := map[string]bool{}
	for i := range 300 {
		r := fileReport(t, db, inX("10.0.0.1", ""), now.Add(time.Duration(i)*time.Millisecond))
		if seen[r.Receipt] || len(r.Receipt) != skygrid.ReceiptLen || strings.Trim(r.Receipt, skygrid.ReceiptAlphabet) != "" {
			t.Fatalf("receipt %q: repeated or not of the alphabet", r.Receipt)
		}
		seen[r.Receipt] = true
	}
	var one string
	for r := range seen {
		one = r
		break
	}
	err := db.ExecArgsForTest(context.Background(), `INSERT INTO public_reports (receipt, kind, lon, lat, address, created_at)
		VALUES (?, 'dust', 113, 40, 'x', '2023-11-01T04:00:00Z')`, one)
	if err == nil {
		t.Error("a second report with the same receipt was stored")
	}
	for _, in := range []string{one, strings.ToLower(one), skygrid.FormatReceipt(one), " " + one[:5] + " " + one[5:]} {
		if code, ok := skygrid.NormalizeReceipt(in); !ok || code != one {
			t.Errorf("NormalizeReceipt(%q) = %q %t, want %q", in, code, ok, one)
		}
	}
	refs, err := db.PhotoRefs(context.Background())
	if _, ok := refs[strings.Repeat("b", 64)]; err != nil || !ok {
		t.Errorf("photo refs %v %v: the stripped copies are not kept", refs, err)
	}
}
