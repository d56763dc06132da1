package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"skygrid"
	"skygrid/airindex"
	"skygrid/config"
	"skygrid/report"
	"skygrid/store"
)

// ReportCommand is skygrid report: statistics and the monthly report.
type ReportCommand struct{ *Main }

// Usage of skygrid report.
func (m *ReportCommand) Usage() string {
	return `Usage: skygrid report [--period 2023-10] [--by county|township|grid] [--format table|csv|xlsx|ranking|html] [--out FILE] [flags]

Statistics of the events first seen in the period, with the same period a
year before; the county ranking; the printable monthly report (html).

Examples:
  skygrid report --period 2023-10
  skygrid report --period 2023-autumn --by township --format csv
  skygrid report --period 2023-10 --format xlsx --out 2023-10.xlsx
  skygrid report --period 2023-10 --format html --out 2023-10.html
`
}

// Run prints or writes the report.
func (m *ReportCommand) Run(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("report", `Usage: skygrid report [--period 2023-10] [--by county|township|grid] [--format table|csv|xlsx|ranking|html] [--out FILE]

Statistics of the events first seen in the period, with the same period a
year before. Periods: 2023-10 (a month), 2023-W43, 2023-10-24, 2023,
2023-spring (1 Mar-31 May), 2023-autumn (15 Sep-30 Nov), 2023-10-01..2023-11-01.
--format html writes the printable monthly report (period a month).`, &c)
	period := fs.String("period", "", "the period (default: this month)")
	by := fs.String("by", skygrid.ByCounty, "county, township, grid or city (a province's cities)")
	format := fs.String("format", "table", "table, csv, xlsx, ranking or html")
	out := fs.String("out", "", "write to this file (default: standard output; xlsx needs --out)")
	if _, err := m.parse(fs, args); err != nil {
		return err
	}
	if *period == "" {
		*period = m.Now().In(skygrid.Beijing).Format("2006-01")
	}
	per, err := report.ParsePeriod(*period, nil)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	db, cfg, err := m.open(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	var buf bytes.Buffer
	if *format == "html" {
		err = monthlyHTML(ctx, &buf, db, cfg, *period, m.Now())
	} else {
		err = statsReport(ctx, &buf, db, per, *by, *format, *out)
	}
	if err != nil {
		return err
	}
	if *out != "" {
		if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s: %s (%d bytes)\n", *out, per.Name, buf.Len())
		return nil
	}
	_, err = m.Stdout.Write(buf.Bytes())
	return err
}

// monthlyHTML writes the printable monthly report of a month, with the
// air-quality ranking beside the straw-burning one, titled with the
// configuration's area.
func monthlyHTML(ctx context.Context, w io.Writer, db *store.DB, cfg config.Config, month string, now time.Time) error {
	mo, err := report.BuildMonthly(ctx, db, nil, month, now, false)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	mo.Area = cfg.Server.AreaName
	air := &airindex.Ranking{Source: db, NearestKm: cfg.Air.NearestKm, Area: cfg.Server.AreaName}
	if mo.Air, err = air.CountyAirRanking(ctx, mo.Month); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return report.RenderMonthly(w, mo)
}

// statsReport writes the period's statistics as a table, a ranking, CSV
// or a workbook (which needs a file to go to).
func statsReport(ctx context.Context, w io.Writer, db *store.DB, per report.Period, by, format, out string) error {
	st, err := db.Stats(ctx, skygrid.StatsQuery{Since: per.Since, Until: per.Until, By: by})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	switch format {
	case "csv":
		return report.WriteStatsCSV(w, st)
	case "xlsx":
		if out == "" {
			return fmt.Errorf("report: --format xlsx needs --out FILE.xlsx")
		}
		city := false // cross-border events are not the city's figures
		es, _, err := db.FindEvents(ctx, skygrid.EventFilter{FirstSince: &per.Since, Until: &per.Until, CrossBorder: &city})
		if err != nil {
			return err
		}
		return report.WriteXLSX(w, st, es)
	case "ranking":
		writeRanking(w, per.Name, st)
	case "table":
		writeStatsTable(w, per.Name, st)
	default:
		return fmt.Errorf("report: --format %q: want table, csv, xlsx, ranking or html", format)
	}
	return nil
}

// writeRanking writes the county ranking of the period as a table.
func writeRanking(w io.Writer, period string, st *skygrid.Stats) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s 排名\t区县\t分值\t依据\n", period)
	for _, r := range report.Ranking(st) {
		fmt.Fprintf(tw, "%d\t%s\t%.2f\t%s\n", r.Rank, r.RegionName, r.Score, r.Reason)
	}
	tw.Flush()
}

// writeStatsTable writes the figures of each area and the total.
func writeStatsTable(w io.Writer, period string, st *skygrid.Stats) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t上报用时中位数(分钟)\n", period, fig("hotspots"), fig("events"), fig("straw_burning"),
		fig("confirmed_straw_burning"), fig("false_alarms"), fig("unverified"), fig("overdue_share"))
	for _, a := range append(st.Areas, st.Total) {
		med := "-"
		if a.ReportMedianMin != nil {
			med = fmt.Sprintf("%.0f", *a.ReportMedianMin)
		}
		fmt.Fprintf(tw, "%s %s\t%d\t%d\t%d\t%d\t%d\t%d\t%.0f%%\t%s\n", a.RegionID, a.RegionName, a.Hotspots, a.Events,
			a.ByClass[skygrid.ClassStrawBurning], a.ConfirmedStraw, a.FalseAlarms, a.Unverified, a.OverdueShare*100, med)
	}
	tw.Flush()
}

// fig is the name of a figure, as the audit page and the exports say it.
func fig(key string) string { return skygrid.FigureNames[key] }
