package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"skygrid"
	"skygrid/notify"
	"skygrid/store"
)

// NotifyCommand is skygrid notify: group channels and the outbox.
type NotifyCommand struct{ *Main }

// Usage of skygrid notify.
func (m *NotifyCommand) Usage() string {
	return `Usage: skygrid notify add|list|send [flags]

  notify add --region ID --kind dingtalk|wecom|webhook --url URL [--secret S] [--audience all|officials|auditors|admins]
  notify list [--outbox [--limit N]] [--format table|csv]
  notify send

Group channels (robots) of a region are told of new, overdue and escalated
tasks; personal messages (SMS, DingTalk work notices) go through the
providers of [notify.sms] and [notify.dingtalk_app]. Run 'skygrid notify
VERB -h' for the flags.

Examples:
  skygrid notify add --region 140225 --kind dingtalk --url 'https://oapi.dingtalk.com/robot/send?access_token=...' --secret SEC...
  skygrid notify list --outbox --limit 20
  skygrid notify send --config skygrid.toml
`
}

// Run runs one verb of skygrid notify.
func (m *NotifyCommand) Run(ctx context.Context, args []string) error {
	if len(args) > 0 && isHelp(args[0]) {
		return m.commandHelp(m)
	}
	if len(args) == 0 {
		return fmt.Errorf("notify: want add, list or send")
	}
	switch args[0] {
	case "add":
		return m.add(ctx, args[1:])
	case "list":
		return m.list(ctx, args[1:])
	case "send":
		return m.send(ctx, args[1:])
	}
	return fmt.Errorf("notify: unknown command %q (want add, list or send)", args[0])
}

func (m *NotifyCommand) add(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("notify add", "Usage: skygrid notify add --region ID --kind dingtalk|wecom|webhook --url URL [--secret S] [--audience all|officials|auditors|admins] [flags]\n\n"+
		"Adds a notification channel: messages about tasks in the region go to it. A DingTalk robot URL holds\n"+
		"?access_token=..., a WeCom robot URL ?key=...; --secret is the DingTalk robot's signing secret (SEC...).", &c)
	region := fs.String("region", "", "region id (required)")
	kind := fs.String("kind", "", "dingtalk (钉钉群机器人), wecom (企业微信群机器人) or webhook (JSON POST) (required)")
	u := fs.String("url", "", "the robot's or webhook's URL (required)")
	secret := fs.String("secret", "", "DingTalk signing secret (加签)")
	audience := fs.String("audience", "all", "who reads the group: all, officials, auditors or admins")
	if _, err := m.parseFiles(fs, args, 0, 0); err != nil {
		return err
	}
	if *region == "" || *kind == "" || *u == "" {
		fs.Usage()
		return fmt.Errorf("notify add: --region, --kind and --url are required")
	}
	db, _, err := m.open(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	ch := &skygrid.Channel{RegionID: *region, Kind: *kind, URL: *u, Secret: *secret, Audience: *audience}
	if err := db.AddChannel(ctx, ch); err != nil {
		return fmt.Errorf("notify add: %w", err)
	}
	fmt.Fprintf(m.Stdout, "channel %d: %s for region %s (%s) %s%s\n", ch.ID, ch.Kind, ch.RegionID, ch.Audience, notify.MaskURL(ch.URL), signed(ch))
	return nil
}

func signed(c *skygrid.Channel) string {
	if c.Secret != "" {
		return " signed"
	}
	return ""
}

func (m *NotifyCommand) list(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("notify list", "Usage: skygrid notify list [--outbox [--limit N]] [flags]\n\n"+
		"Lists the notification channels (tokens masked, secrets never shown) and the personal channels the\n"+
		"configuration sets up; with --outbox, the messages queued and sent, newest first (recipients masked).", &c)
	format := fs.String("format", "table", "table or csv")
	showOutbox := fs.Bool("outbox", false, "list the outbox's messages instead of the channels")
	limit := fs.Int("limit", 50, "with --outbox: how many messages (0: all)")
	if _, err := m.parseFiles(fs, args, 0, 0); err != nil {
		return err
	}
	if *format != "table" && *format != "csv" {
		return fmt.Errorf("notify list: --format %q: want table or csv", *format)
	}
	db, cfg, err := m.open(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	if *showOutbox {
		return m.listOutbox(ctx, db, *format, *limit)
	}
	cs, err := db.FindChannels(ctx)
	if err != nil {
		return err
	}
	header := []string{"id", "region", "kind", "audience", "signed", "url", "created"}
	var rows [][]string
	for _, ch := range cs {
		s := "no"
		if ch.Secret != "" {
			s = "yes"
		}
		rows = append(rows, []string{strconv.FormatInt(ch.ID, 10), ch.RegionID, ch.Kind, ch.Audience, s, notify.MaskURL(ch.URL), local(ch.CreatedAt)})
	}
	if err := writeRows(m.Stdout, *format, header, rows); err != nil {
		return err
	}
	if *format == "table" {
		fmt.Fprintf(m.Stdout, "%d channels (times Asia/Shanghai)\n", len(cs))
		personal := cfg.Notify.Describe()
		if len(personal) == 0 {
			fmt.Fprintln(m.Stdout, "personal channels: none configured ([notify.sms], [notify.dingtalk_app])")
		}
		for _, d := range personal {
			fmt.Fprintln(m.Stdout, "personal channel "+d)
		}
	}
	return nil
}

// listOutbox prints the outbox: kind, recipient masked, state.
func (m *NotifyCommand) listOutbox(ctx context.Context, db *store.DB, format string, limit int) error {
	ms, err := db.FindOutbox(ctx, limit)
	if err != nil {
		return err
	}
	header := []string{"id", "kind", "recipient", "name", "event", "task", "attempts", "sent", "next", "last_error", "key"}
	var rows [][]string
	for _, o := range ms {
		to := o.RecipientMasked
		if to == "" {
			to = fmt.Sprintf("channel %d", o.ChannelID)
		}
		next := ""
		if o.SentAt.IsZero() {
			next = local(o.NextAt)
		}
		rows = append(rows, []string{strconv.FormatInt(o.ID, 10), o.Kind, to, o.RecipientName, o.Event, strconv.FormatInt(o.TaskID, 10),
			strconv.Itoa(o.Attempts), local(o.SentAt), next, o.LastError, o.Key})
	}
	if err := writeRows(m.Stdout, format, header, rows); err != nil {
		return err
	}
	if format == "table" {
		fmt.Fprintf(m.Stdout, "%d messages (times Asia/Shanghai)\n", len(ms))
	}
	return nil
}

func (m *NotifyCommand) send(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("notify send", "Usage: skygrid notify send [flags]\n\n"+
		"Sends the due messages of the outbox once and prints how many were sent and how many failed\n"+
		"(failed ones are tried again later, after a growing delay). Personal messages go through the\n"+
		"providers of the configuration's [notify.sms] and [notify.dingtalk_app].", &c)
	if _, err := m.parseFiles(fs, args, 0, 0); err != nil {
		return err
	}
	db, cfg, err := m.open(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	client := &http.Client{Timeout: notify.SendTimeout}
	w := &notify.Worker{Outbox: db, Client: client, Now: m.Now, Batch: notify.DefaultBatch, Logger: m.Logger,
		Senders: cfg.Notify.Senders(client, m.Now)}
	sent, failed := 0, 0
	for {
		s, f, err := w.RunOnce(ctx)
		sent, failed = sent+s, failed+f
		if err != nil {
			fmt.Fprintf(m.Stdout, "sent %d, failed %d\n", sent, failed)
			return fmt.Errorf("notify send: %w", err)
		}
		// A full batch: more may be due.
		if s+f < w.Batch || ctx.Err() != nil {
			break
		}
	}
	fmt.Fprintf(m.Stdout, "sent %d, failed %d\n", sent, failed)
	return nil
}
