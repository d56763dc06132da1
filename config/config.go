// Package config is skygrid's configuration: one type, read once per
// command from a TOML file, the --set overrides and the environment's
// secrets, that every package takes its own section from. The sections
// belong to their packages (config.Detect is a detect.Config, Feed a
// firms.FeedConfig, Photos an evidence.Config, Notify a notify.Config,
// Dust a dustrule.Config);
// the sections no package below the commands owns ([auth], [server],
// [sites], [escalation], [schedule], [store]) are defined here.
// skygrid.example.toml documents every key with its default.
package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"skygrid"
	"skygrid/detect"
	"skygrid/dispatch"
	"skygrid/dustrule"
	"skygrid/evidence"
	"skygrid/firms"
	"skygrid/notify"

	"github.com/BurntSushi/toml"
)

// Config is the whole configuration file.
type Config struct {
	// The pipeline's keys: the top-level ones, [detect] and [dispatch].
	dispatch.Config
	// Feed is the FIRMS area-API pull of skygrid serve.
	Feed firms.FeedConfig `toml:"feed"`
	// Photos: what a report photo may be, and what reading them may take.
	Photos evidence.Config `toml:"photos"`
	// Notify: who delivers personal messages.
	Notify notify.Config `toml:"notify"`
	Auth   Auth          `toml:"auth"`
	Server Server        `toml:"server"`
	Sites  Sites         `toml:"sites"`
	// Air: the city's air (stations, county ambient means).
	Air Air `toml:"air"`
	// Escalation: when overdue tasks go to the officials and auditors.
	Escalation Escalation `toml:"escalation"`
	// Schedule: the ticks of what serve runs beside the HTTP server.
	Schedule Schedule `toml:"schedule"`
	// Dust: the dust rules' presets and data-quality rules.
	Dust dustrule.Config `toml:"dust"`
	// Readings: how long monitors' minute data is kept.
	Readings Readings `toml:"readings"`
	// HJ212: the limits of the HJ 212 receiver (serve --hj212).
	HJ212 HJ212 `toml:"hj212"`
	// Video: the probing of monitors' snapshot URLs.
	Video Video `toml:"video"`
	// Warning: what a heavy-pollution warning changes (inspection
	// deadline, the dust rule, fire deadlines).
	Warning dispatch.WarningConfig `toml:"warning"`
	// Public: the reports from the public (limits, deadlines).
	Public Public `toml:"public"`
	// Passes: the refresh of the fire satellites' orbital elements.
	Passes Passes `toml:"passes"`
	// Store: the database when --db and $SKYGRID_DB are not given.
	Store Store `toml:"store"`
}

// Default returns every section's defaults (those of DESIGN.md).
func Default() Config {
	return Config{Config: dispatch.DefaultConfig(), Feed: firms.DefaultFeedConfig(), Photos: evidence.DefaultConfig(),
		Notify: notify.DefaultConfig(), Auth: DefaultAuth(), Server: DefaultServer(), Sites: DefaultSites(), Air: DefaultAir(),
		Escalation: DefaultEscalation(), Schedule: DefaultSchedule(), Dust: dustrule.DefaultConfig(), Readings: DefaultReadings(),
		HJ212: DefaultHJ212(), Video: DefaultVideo(), Warning: dispatch.DefaultWarningConfig(), Public: DefaultPublic(), Passes: DefaultPasses()}
}

// SecretEnv are the environment variables that override the secrets of
// the [notify] section, so that they need not be in the file.
var SecretEnv = map[string]func(*notify.Config) *string{
	"SKYGRID_SMS_ACCESS_KEY_SECRET": func(c *notify.Config) *string { return &c.SMS.AccessKeySecret },
	"SKYGRID_SMS_SECRET_KEY":        func(c *notify.Config) *string { return &c.SMS.SecretKey },
	"SKYGRID_DINGTALK_APP_SECRET":   func(c *notify.Config) *string { return &c.DingTalkApp.AppSecret },
}

// Load reads the TOML file at path (none when "") over the defaults, then
// the --set overrides ("key=value" or "table.key=value"), then the
// secrets from getenv (when not nil), and checks it. Errors name the file
// and the key (and the line, for a file that does not parse).
func Load(path string, getenv func(string) string, sets ...string) (Config, error) {
	cfg := Default()
	if path != "" {
		md, err := toml.DecodeFile(path, &cfg)
		if err != nil {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
		if err := undecoded(md); err != nil {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
	}
	for _, set := range sets {
		if err := applySet(&cfg, set); err != nil {
			return cfg, err
		}
	}
	for name, field := range SecretEnv {
		if v := envOf(getenv, name); v != "" {
			*field(&cfg.Notify) = v
		}
	}
	if err := cfg.Validate(); err != nil {
		if path != "" {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
		return cfg, fmt.Errorf("config: %w", err)
	}
	return cfg, nil
}

// Validate checks every section, the pipeline's first.
func (c Config) Validate() error {
	for _, check := range []func() error{c.Config.Validate, c.Feed.Validate, c.Photos.Validate, c.Notify.Validate,
		c.Auth.Validate, c.Server.Validate, c.Sites.Validate, c.Air.Validate, c.Escalation.Validate, c.Schedule.Validate,
		c.Dust.Validate, c.Readings.Validate, c.HJ212.Validate, c.Video.Validate, c.Public.Validate, c.Passes.Validate, c.Store.Validate, func() error { return c.Warning.Validate(c.Dust) }} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func envOf(getenv func(string) string, name string) string {
	if getenv == nil {
		return ""
	}
	return strings.TrimSpace(getenv(name))
}

// applySet applies one --set key=value.
func applySet(cfg *Config, set string) error {
	key, value, ok := strings.Cut(set, "=")
	key, value = strings.TrimSpace(key), strings.TrimSpace(value)
	if !ok || key == "" {
		return fmt.Errorf("--set %q: want key=value", set)
	}
	doc := key + " = " + value
	if table, k, dotted := strings.Cut(key, "."); dotted {
		doc = "[" + table + "]\n" + k + " = " + value
	}
	md, err := toml.Decode(doc, cfg)
	if err != nil {
		// A bare word is a string: --set detect.time_zone=Asia/Urumqi
		quoted := strings.Replace(doc, " = "+value, " = "+strconv.Quote(value), 1)
		if md, err = toml.Decode(quoted, cfg); err != nil {
			return fmt.Errorf("--set %s: %w", set, err)
		}
	}
	if err := undecoded(md); err != nil {
		return fmt.Errorf("--set %s: %w", set, err)
	}
	return nil
}

func undecoded(md toml.MetaData) error {
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return fmt.Errorf("unknown keys: %s", strings.Join(keys, ", "))
	}
	return nil
}

// Auth is the [auth] section: accounts and API tokens.
type Auth struct {
	// TokenExpiryDays is how long an API token made by `token create`
	// without --expires lasts.
	TokenExpiryDays int `toml:"token_expiry_days"`
}

// DefaultAuth: tokens last skygrid.DefaultTokenTTL (90 days).
func DefaultAuth() Auth {
	return Auth{TokenExpiryDays: int(skygrid.DefaultTokenTTL / (24 * time.Hour))}
}

// Validate checks the [auth] section.
func (a Auth) Validate() error {
	if a.TokenExpiryDays < 1 || a.TokenExpiryDays > 3650 {
		return fmt.Errorf("[auth] token_expiry_days: want 1 to 3650 days, got %d", a.TokenExpiryDays)
	}
	return nil
}

// Sites is the [sites] section: the figures of the dust rules.
type Sites struct {
	// VideoAreaM2: construction sites of this area or more need video
	// monitoring connected to the supervision platform.
	VideoAreaM2 float64 `toml:"video_area_m2"`
}

// DefaultSites: video from 5,000 m² (skygrid.VideoAreaM2).
func DefaultSites() Sites { return Sites{VideoAreaM2: skygrid.DefaultSiteRules().VideoAreaM2} }

// Rules are the section as the store applies them.
func (s Sites) Rules() skygrid.SiteRules { return skygrid.SiteRules{VideoAreaM2: s.VideoAreaM2} }

// Validate checks the [sites] section.
func (s Sites) Validate() error {
	if !(s.VideoAreaM2 >= 0 && s.VideoAreaM2 <= 1e8) {
		return fmt.Errorf("sites.video_area_m2 %v: want 0 to 1e8 m²", s.VideoAreaM2)
	}
	return nil
}

// Air is the [air] section: the city's air.
type Air struct {
	// NearestKm: a county without a station of its own takes the mean of
	// the stations within this distance of its centroid (else the city's).
	NearestKm float64 `toml:"nearest_km"`
}

// DefaultAir: stations within 30 km.
func DefaultAir() Air { return Air{NearestKm: 30} }

// Validate checks the [air] section.
func (a Air) Validate() error {
	if !(a.NearestKm >= 0 && a.NearestKm <= 500) {
		return fmt.Errorf("air.nearest_km %v: want 0 to 500 km", a.NearestKm)
	}
	return nil
}

// Escalation is the [escalation] section.
type Escalation struct {
	// OfficialAfter: an overdue task goes to its area's officials once a
	// deadline is this far behind.
	OfficialAfter detect.Duration `toml:"official_after"`
	// AuditorsRatio: it goes to the auditors once its report is late by
	// this many times the time it was given.
	AuditorsRatio float64 `toml:"auditors_ratio"`
}

// DefaultEscalation is skygrid.DefaultEscalation.
func DefaultEscalation() Escalation {
	p := skygrid.DefaultEscalation()
	return Escalation{OfficialAfter: detect.Duration{Duration: p.OfficialAfter}, AuditorsRatio: p.AuditorsRatio}
}

// Policy is the section as the store applies it.
func (e Escalation) Policy() skygrid.EscalationPolicy {
	return skygrid.EscalationPolicy{OfficialAfter: e.OfficialAfter.Duration, AuditorsRatio: e.AuditorsRatio}
}

// Validate checks the [escalation] section.
func (e Escalation) Validate() error {
	if e.OfficialAfter.Duration < 0 {
		return fmt.Errorf("escalation.official_after %s: is negative (0: as soon as overdue)", e.OfficialAfter.Duration)
	}
	if !(e.AuditorsRatio >= 0 && e.AuditorsRatio <= 100) {
		return fmt.Errorf("escalation.auditors_ratio %v: want 0 to 100 (times the time a task is given)", e.AuditorsRatio)
	}
	return nil
}

// Schedule is the [schedule] section: how often serve's jobs run (the
// FIRMS pull's interval is [feed] every).
type Schedule struct {
	// EscalateEvery: the escalation clock (and the check of the feeds).
	EscalateEvery detect.Duration `toml:"escalate_every"`
	// NotifyPoll: the outbox worker's wait when nothing is due.
	NotifyPoll detect.Duration `toml:"notify_poll"`
	// PhotoSweepEvery: the sweep of staged and unreferenced photos.
	PhotoSweepEvery detect.Duration `toml:"photo_sweep_every"`
	// WatchPoll: the scans of the drop folder (--watch).
	WatchPoll detect.Duration `toml:"watch_poll"`
	// JobPoll: how often a server asks for the locks of the scheduled jobs
	// another server holds (several servers on one PostgreSQL database).
	JobPoll detect.Duration `toml:"job_poll"`
}

// DefaultSchedule: escalation every minute, the outbox every second,
// photos swept daily, the drop folder scanned ten times a second.
func DefaultSchedule() Schedule {
	d := func(v time.Duration) detect.Duration { return detect.Duration{Duration: v} }
	return Schedule{EscalateEvery: d(time.Minute), NotifyPoll: d(notify.DefaultPoll), PhotoSweepEvery: d(24 * time.Hour),
		WatchPoll: d(100 * time.Millisecond), JobPoll: d(5 * time.Second)}
}

// Validate checks the [schedule] section: every tick positive.
func (s Schedule) Validate() error {
	for _, k := range []struct {
		key string
		d   time.Duration
	}{{"escalate_every", s.EscalateEvery.Duration}, {"notify_poll", s.NotifyPoll.Duration},
		{"photo_sweep_every", s.PhotoSweepEvery.Duration}, {"watch_poll", s.WatchPoll.Duration}, {"job_poll", s.JobPoll.Duration}} {
		if k.d < 10*time.Millisecond {
			return fmt.Errorf("schedule.%s %s: at least 10ms", k.key, k.d)
		}
	}
	return nil
}

// Readings is the [readings] section: monitors' data.
type Readings struct {
	// KeepMinutes: days the minute and real-time readings are kept
	// (hourly aggregates are kept for good).
	KeepMinutes int `toml:"keep_minutes"`
}

// DefaultReadings keeps minute data 90 days.
func DefaultReadings() Readings { return Readings{KeepMinutes: 90} }

// Validate checks the [readings] section.
func (r Readings) Validate() error {
	if r.KeepMinutes < 1 || r.KeepMinutes > 3660 {
		return fmt.Errorf("readings.keep_minutes %d: want 1 to 3660 (days)", r.KeepMinutes)
	}
	return nil
}
