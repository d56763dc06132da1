package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"skygrid"
	"skygrid/api"
	"skygrid/store"
)

// listFlags are the filters shared by `events` and `tasks`.
type listFlags struct {
	since, until, county, grid, class, state, format string
	limit                                            int
	sinceT, untilT                                   *time.Time
}

// listUsage is the usage of a listing command with its examples.
func listUsage(name, examples string) string {
	return "Usage: skygrid " + name + " [--since T] [--until T] [--county ID] [--grid ID] [--class C] [--state S] [--format table|csv|json] [--limit N] [flags]\n\n" +
		"Lists " + name + ", newest first, as a table (times Asia/Shanghai), CSV or JSON.\n\nExamples:\n" + examples
}

// openList parses a listing command's flags and opens the database.
func (m *Main) openList(name string, args []string) (*listFlags, *store.DB, error) {
	var c common
	fs := m.newFlags(name, "Usage: skygrid "+name+" [flags]\n\nLists "+name+", newest first, as a table (times Asia/Shanghai), CSV or JSON.", &c)
	l := &listFlags{}
	l.register(fs)
	if _, err := m.parse(fs, args); err != nil {
		return nil, nil, err
	}
	var err error
	if l.sinceT, l.untilT, err = l.times(); err != nil {
		return nil, nil, err
	}
	db, _, err := m.open(&c)
	if err != nil {
		return nil, nil, err
	}
	return l, db, nil
}

func (l *listFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&l.since, "since", "", "from this time (2023-10-24 or RFC 3339)")
	fs.StringVar(&l.until, "until", "", "before this time")
	fs.StringVar(&l.county, "county", "", "county id (e.g. 140225)")
	fs.StringVar(&l.grid, "grid", "", "grid id")
	fs.StringVar(&l.class, "class", "", "class: industrial_heat, loose_coal_burning, construction_site, stockpile, straw_burning, open_burning")
	fs.StringVar(&l.state, "state", "", "state")
	fs.StringVar(&l.format, "format", "table", "table, csv or json")
	fs.IntVar(&l.limit, "limit", 0, "at most this many rows (0: all)")
}

func (l *listFlags) times() (since, until *time.Time, err error) {
	if l.since != "" {
		t, err := api.ParseTime(l.since)
		if err != nil {
			return nil, nil, fmt.Errorf("--since: %w", err)
		}
		since = &t
	}
	if l.until != "" {
		t, err := api.ParseTime(l.until)
		if err != nil {
			return nil, nil, fmt.Errorf("--until: %w", err)
		}
		until = &t
	}
	switch l.format {
	case "table", "csv", "json":
	default:
		return nil, nil, fmt.Errorf("--format: want table, csv or json, got %q", l.format)
	}
	if l.class != "" {
		ok := false
		for _, c := range skygrid.Classes {
			ok = ok || c == l.class
		}
		if !ok {
			return nil, nil, fmt.Errorf("--class: unknown class %q", l.class)
		}
	}
	return since, until, nil
}

func optStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// writeRows writes a header and rows as an aligned table or CSV.
func writeRows(w io.Writer, format string, header []string, rows [][]string) error {
	if format == "csv" {
		cw := csv.NewWriter(w)
		if err := cw.Write(header); err != nil {
			return err
		}
		if err := cw.WriteAll(rows); err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, h := range header {
		if i > 0 {
			fmt.Fprint(tw, "\t")
		}
		fmt.Fprint(tw, h)
	}
	fmt.Fprintln(tw)
	for _, r := range rows {
		for i, c := range r {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, c)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// local formats a time in Asia/Shanghai for tables.
func local(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(skygrid.Beijing).Format("2006-01-02 15:04")
}

// eventNote says why an event has no task: history (older than max_age
// when it arrived) or cross-border (where it burns).
func eventNote(e *skygrid.Event) string {
	var parts []string
	if e.History {
		parts = append(parts, "历史（到达时已超过max_age，不派单）")
	}
	if e.CrossBorder {
		parts = append(parts, "跨界："+e.BorderNote())
	}
	return strings.Join(parts, "；")
}

// EventsCommand is skygrid events: the event list.
type EventsCommand struct{ *Main }

// Usage of skygrid events.
func (m *EventsCommand) Usage() string {
	return listUsage("events", `  skygrid events --since 2023-10-24 --class straw_burning
  skygrid events --grid 140225-008-006 --format json --limit 20
`)
}

// Run lists the events, newest first.
func (m *EventsCommand) Run(ctx context.Context, args []string) error {
	l, db, err := m.openList("events", args)
	if err != nil {
		return err
	}
	defer db.Close()
	es, n, err := db.FindEvents(ctx, skygrid.EventFilter{Since: l.sinceT, Until: l.untilT, CountyID: optStr(l.county), GridID: optStr(l.grid),
		Class: optStr(l.class), State: optStr(l.state), Limit: l.limit})
	if err != nil {
		return err
	}
	if l.format == "json" {
		if es == nil {
			es = []*skygrid.Event{}
		}
		return writeJSON(m.Stdout, map[string]any{"events": es, "total": n})
	}
	header := []string{"id", "class", "类别", "first_seen", "last_seen", "hotspots", "max_frp", "lat", "lon", "county", "grid", "task", "task_state", "supervisor", "note"}
	var rows [][]string
	for _, e := range es {
		task, state, sup := "", "", ""
		if e.Task != nil {
			task, state, sup = strconv.FormatInt(e.Task.ID, 10), e.Task.State, e.Task.SupervisorName
		}
		rows = append(rows, []string{strconv.FormatInt(e.ID, 10), e.Class, skygrid.ClassNames[e.Class], local(e.FirstSeen), local(e.LastSeen),
			strconv.Itoa(e.HotspotCount), strconv.FormatFloat(e.MaxFRP, 'f', 1, 64), strconv.FormatFloat(e.Point[1], 'f', 5, 64),
			strconv.FormatFloat(e.Point[0], 'f', 5, 64), e.CountyID, e.GridID, task, state, sup, eventNote(e)})
	}
	if err := writeRows(m.Stdout, l.format, header, rows); err != nil {
		return err
	}
	if l.format == "table" {
		fmt.Fprintf(m.Stdout, "%d of %d events (times Asia/Shanghai)\n", len(es), n)
	}
	return nil
}
