package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"skygrid/firms"
	"skygrid/intake"
)

// firmsClient builds the FIRMS client from the configuration, the key
// from $FIRMS_MAP_KEY first.
func (m *Main) firmsClient(cfg firms.FeedConfig, baseURL string) (*firms.Client, error) {
	key := m.Getenv("FIRMS_MAP_KEY")
	if key == "" {
		key = cfg.MapKey
	}
	if key == "" {
		return nil, fmt.Errorf("no FIRMS MAP_KEY: set $FIRMS_MAP_KEY or map_key in the [feed] section of the config file")
	}
	if baseURL == "" {
		baseURL = cfg.BaseURL
	}
	return &firms.Client{BaseURL: baseURL, MapKey: key, Logger: m.Logger}, nil
}

// FetchCommand is skygrid fetch firms: one pull of the FIRMS area API.
type FetchCommand struct{ *Main }

// Usage of skygrid fetch.
func (m *FetchCommand) Usage() string {
	return `Usage: skygrid fetch firms [--source S[,S...]] [--days N] [--date YYYY-MM-DD] [--url BASE] [flags]

Pulls the FIRMS area API once for the imported regions' bounding box plus
the area margin, as skygrid serve does on its schedule, and ingests each
answer. The MAP_KEY comes from $FIRMS_MAP_KEY or [feed] map_key.

Examples:
  skygrid fetch firms --source VIIRS_NOAA20_NRT --days 3 --date 2023-10-24
  FIRMS_MAP_KEY=... skygrid fetch firms
`
}

// Run pulls each source once and prints what each brought.
func (m *FetchCommand) Run(ctx context.Context, args []string) error {
	if len(args) > 0 && isHelp(args[0]) {
		return m.commandHelp(m)
	}
	if len(args) == 0 || args[0] != "firms" {
		return fmt.Errorf("fetch: want firms")
	}
	var c common
	fs := m.newFlags("fetch firms", `Usage: skygrid fetch firms [--source S[,S...]] [--days N] [--date YYYY-MM-DD] [--url BASE]

Pulls the FIRMS area API once for the imported regions' bounding box plus
the area margin, as skygrid serve does on its schedule, and ingests each
answer (one transaction, deduplicated). The MAP_KEY comes from
$FIRMS_MAP_KEY or the config file's [feed] map_key.`, &c)
	source := fs.String("source", "", "FIRMS sources, comma-separated (default: the config's, VIIRS_NOAA20_NRT,VIIRS_NOAA21_NRT,VIIRS_SNPP_NRT,MODIS_NRT)")
	days := fs.Int("days", 0, "day range, 1-10 (default: the config's, 1)")
	date := fs.String("date", "", "last day of the range, YYYY-MM-DD (default: today)")
	base := fs.String("url", "", "FIRMS base URL (default: the config's)")
	if _, err := m.parse(fs, args[1:]); err != nil {
		return err
	}
	db, p, cfg, err := m.openPipeline(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	client, err := m.firmsClient(cfg.Feed, *base)
	if err != nil {
		return fmt.Errorf("fetch firms: %w", err)
	}
	var day time.Time
	if *date != "" {
		if day, err = time.Parse("2006-01-02", *date); err != nil {
			return fmt.Errorf("fetch firms: --date %q: want YYYY-MM-DD", *date)
		}
	}
	feed := &intake.Feed{Pipeline: p, Client: client, Status: db, Sources: cfg.Feed.Sources, Days: cfg.Feed.Days, Logger: m.Logger}
	if *source != "" {
		feed.Sources = strings.Split(*source, ",")
	}
	failed := 0
	for _, r := range feed.PullOnce(ctx, *days, day) {
		if r.Err != nil {
			failed++
			fmt.Fprintf(m.Stdout, "%s: failed: %v\n", r.Source, r.Err)
			continue
		}
		b := r.Batch
		fmt.Fprintf(m.Stdout, "%s: %d rows, %d new, %d duplicates, %d outside; %d events, %d tasks (batch %d, %d ms)\n",
			r.Source, b.Rows, b.New, b.Duplicates, b.Outside, b.EventsNew, b.TasksNew, b.ID, b.Latency())
	}
	if failed > 0 {
		return fmt.Errorf("fetch firms: %d of %d sources failed", failed, len(feed.Sources))
	}
	return nil
}
