package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"skygrid"
	"skygrid/registry"
	"skygrid/store"
)

// AlertCommand is skygrid alert: heavy-pollution warnings (重污染天气预警)
// issued, extended, lifted and listed, as the web app's warnings page
// does (same store transactions, audit lines and notifications).
type AlertCommand struct{ *Main }

// Usage of skygrid alert.
func (m *AlertCommand) Usage() string {
	return `Usage: skygrid alert issue|extend|lift|list [flags]

  alert issue --level yellow|orange|red|blue [--counties ID,ID] --start TIME --end TIME [--reason TEXT] [--advice TEXT]
  alert extend ID --end TIME       move the expected end
  alert lift ID                    lift the warning now (its open inspection tasks stay open)
  alert list                       every warning, the latest first

TIME is Beijing time "2026-12-05 08:00" or RFC 3339. No --counties: the whole
city. A warning whose start has come opens an inspection task for every site
of the emergency list in its area (skygrid import emergency FILE); serve's
schedule opens those of a warning issued for later when it starts.

Examples:
  skygrid alert issue --level orange --counties 140225,140226 --start "2026-12-05 08:00" --end "2026-12-07 08:00" --reason "预计出现重污染天气"
  skygrid alert extend 3 --end "2026-12-08 08:00"
  skygrid alert lift 3
  skygrid alert list
`
}

// Run runs one verb.
func (m *AlertCommand) Run(ctx context.Context, args []string) error {
	if len(args) == 0 || isHelp(args[0]) {
		return m.commandHelp(m)
	}
	switch args[0] {
	case "issue":
		return m.issue(ctx, args[1:])
	case "extend", "lift":
		return m.change(ctx, args[0], args[1:])
	case "list":
		return m.list(ctx, args[1:])
	}
	return fmt.Errorf("alert: unknown verb %q (want issue, extend, lift or list)", args[0])
}

// ParseAlertTime reads Beijing time "2006-01-02 15:04" or RFC 3339.
func ParseAlertTime(s string) (time.Time, error) {
	t, ok := registry.ParseBeijingTime(s, "2006-01-02 15:04")
	if !ok {
		return time.Time{}, fmt.Errorf("time %q: want Beijing time 2026-12-05 08:00 or RFC 3339", strings.TrimSpace(s))
	}
	return t, nil
}

// openWarnings opens the store with the pipeline wired in (listed sites
// placed in their grids, [warning] inspect_hours).
func (m *AlertCommand) openWarnings(c *common) (*store.DB, error) {
	db, _, _, err := m.openPipeline(c)
	return db, err
}

func (m *AlertCommand) issue(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("alert issue", "Usage: skygrid alert issue --level LEVEL --start TIME --end TIME [flags]", &c)
	level := fs.String("level", "", "yellow, orange, red or blue (or 黄色, 橙色, 红色, 蓝色; required)")
	counties := fs.String("counties", "", "county ids, comma-separated (none: the whole city)")
	start := fs.String("start", "", "start, Beijing time 2026-12-05 08:00 or RFC 3339 (required)")
	end := fs.String("end", "", "expected end, as --start (required)")
	reason := fs.String("reason", "", "why it is issued (the forecast)")
	advice := fs.String("advice", "", "the advice for the public, shown on the public page")
	if _, err := m.parseFiles(fs, args, 0, 0); err != nil {
		return err
	}
	lv, err := skygrid.ParseWarningLevel(*level)
	if err != nil {
		return fmt.Errorf("alert issue: --level: %w", err)
	}
	w := &skygrid.Warning{Level: lv, Reason: *reason, PublicAdvice: *advice}
	if w.Start, err = ParseAlertTime(*start); err != nil {
		return fmt.Errorf("alert issue: --start: %w", err)
	}
	if w.ExpectedEnd, err = ParseAlertTime(*end); err != nil {
		return fmt.Errorf("alert issue: --end: %w", err)
	}
	for _, id := range strings.Split(*counties, ",") {
		if id = strings.TrimSpace(id); id != "" {
			w.CountyIDs = append(w.CountyIDs, id)
		}
	}
	db, err := m.openWarnings(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	if w, err = db.IssueWarning(ctx, w, 0, m.Now()); err != nil {
		return err
	}
	m.printWarning(w, db)
	return nil
}

// change extends or lifts warning ID.
func (m *AlertCommand) change(ctx context.Context, verb string, args []string) error {
	var c common
	fs := m.newFlags("alert "+verb, "Usage: skygrid alert "+verb+" ID [flags]", &c)
	end := new(string)
	if verb == "extend" {
		end = fs.String("end", "", "the new expected end, Beijing time 2026-12-05 08:00 or RFC 3339 (required)")
	}
	ids, err := m.parseFiles(fs, args, 1, 1)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(ids[0], 10, 64)
	if err != nil {
		return fmt.Errorf("alert %s: want a warning id, got %q", verb, ids[0])
	}
	db, err := m.openWarnings(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	var w *skygrid.Warning
	if verb == "lift" {
		w, err = db.LiftWarning(ctx, id, 0, m.Now())
	} else {
		t, perr := ParseAlertTime(*end)
		if perr != nil {
			return fmt.Errorf("alert extend: --end: %w", perr)
		}
		w, err = db.ExtendWarning(ctx, id, t, 0, m.Now())
	}
	if err != nil {
		return err
	}
	m.printWarning(w, db)
	return nil
}

func (m *AlertCommand) list(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("alert list", "Usage: skygrid alert list [flags]", &c)
	db, err := m.parseOpen(fs, args, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	ws, err := db.FindWarnings(ctx, skygrid.WarningFilter{})
	if err != nil {
		return err
	}
	for _, w := range ws {
		m.printWarning(w, db)
	}
	if len(ws) == 0 {
		fmt.Fprintln(m.Stdout, "no warnings")
	}
	return nil
}

// printWarning prints one line: id, level, state, area, times (Beijing),
// inspection tasks.
func (m *AlertCommand) printWarning(w *skygrid.Warning, db *store.DB) {
	area := w.AreaText(skygrid.WholeOf(db.AreaName))
	const f = "2006-01-02 15:04"
	line := fmt.Sprintf("warning %d: %s %s, %s, %s – %s", w.ID, skygrid.WarningLevelNames[w.Level], w.State, area,
		w.Start.In(skygrid.Beijing).Format(f), w.ExpectedEnd.In(skygrid.Beijing).Format(f))
	if !w.LiftedAt.IsZero() {
		line += ", lifted " + w.LiftedAt.In(skygrid.Beijing).Format(f)
	}
	fmt.Fprintf(m.Stdout, "%s; %d inspection tasks\n", line, w.Tasks)
}
