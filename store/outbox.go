package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"skygrid"
)

var _ skygrid.OutboxService = (*DB)(nil)

// Channel audiences.
var channelAudiences = map[string]bool{"all": true, "officials": true, "auditors": true, "admins": true}

// channelToken names the query parameter that holds a robot's token.
var channelToken = map[string]string{skygrid.ChannelDingTalk: "access_token", skygrid.ChannelWeCom: "key"}

// maxLastError bounds the error text kept for a failed attempt.
const maxLastError = 1000

// AddChannel validates and stores a notification channel.
func (db *DB) AddChannel(ctx context.Context, c *skygrid.Channel) error {
	c.Kind = strings.TrimSpace(c.Kind)
	c.URL = strings.TrimSpace(c.URL)
	c.Secret = strings.TrimSpace(c.Secret)
	c.RegionID = strings.TrimSpace(c.RegionID)
	if c.Audience == "" {
		c.Audience = "all"
	}
	if err := validateChannel(c); err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("add channel: begin: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE id = ?`, c.RegionID).Scan(&n); err != nil {
		return fmt.Errorf("add channel: read a row: %w", err)
	} else if n == 0 {
		return skygrid.Errorf(skygrid.EINVALID, "channel: region %q not found; import it first (skygrid import regions)", c.RegionID)
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM notify_channels WHERE region_id = ? AND url = ?`, c.RegionID, c.URL).Scan(&n); err != nil {
		return fmt.Errorf("add channel: read a row: %w", err)
	} else if n > 0 {
		return skygrid.Errorf(skygrid.ECONFLICT, "channel: region %s already has a channel with this URL (%s)", c.RegionID, maskURL(c.URL))
	}
	c.CreatedAt = tx.now
	if err := tx.QueryRowContext(ctx, `INSERT INTO notify_channels (region_id, kind, url, secret, audience, created_at) VALUES (?, ?, ?, ?, ?, ?)
		RETURNING id`, c.RegionID, c.Kind, c.URL, c.Secret, c.Audience, ts(c.CreatedAt)).Scan(&c.ID); err != nil {
		if isConstraint(err) {
			return skygrid.Errorf(skygrid.EINVALID, "channel: %v", err)
		}
		return fmt.Errorf("add channel: %w", err)
	}
	signed := "no"
	if c.Secret != "" {
		signed = "yes"
	}
	if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: "cli", Action: "notify.channel.add", Entity: "notify_channel",
		EntityID: fmt.Sprint(c.ID), After: fmt.Sprintf("region=%s kind=%s audience=%s url=%s signed=%s",
			c.RegionID, c.Kind, c.Audience, maskURL(c.URL), signed)}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("add channel: commit: %w", err)
	}
	return nil
}

func validateChannel(c *skygrid.Channel) error {
	switch c.Kind {
	case skygrid.ChannelDingTalk, skygrid.ChannelWeCom, skygrid.ChannelWebhook:
	default:
		return skygrid.Errorf(skygrid.EINVALID, "channel: unknown kind %q (dingtalk, wecom or webhook)", c.Kind)
	}
	if !channelAudiences[c.Audience] {
		return skygrid.Errorf(skygrid.EINVALID, "channel: unknown audience %q (all, officials, auditors or admins)", c.Audience)
	}
	if c.RegionID == "" {
		return skygrid.Errorf(skygrid.EINVALID, "channel: region required")
	}
	if c.URL == "" {
		return skygrid.Errorf(skygrid.EINVALID, "channel: URL required")
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		// The parse error quotes the URL: do not repeat it.
		return skygrid.Errorf(skygrid.EINVALID, "channel: the URL does not parse")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return skygrid.Errorf(skygrid.EINVALID, "channel: URL %s: want http or https", maskURL(c.URL))
	}
	if u.Host == "" {
		return skygrid.Errorf(skygrid.EINVALID, "channel: URL %s has no host", maskURL(c.URL))
	}
	if p := channelToken[c.Kind]; p != "" && u.Query().Get(p) == "" {
		return skygrid.Errorf(skygrid.EINVALID, "channel: a %s robot URL holds its token as ?%s=...; %s has none", c.Kind, p, maskURL(c.URL))
	}
	if c.Secret != "" && c.Kind != skygrid.ChannelDingTalk {
		return skygrid.Errorf(skygrid.EINVALID, "channel: a secret signs DingTalk robots only, not %s", c.Kind)
	}
	return nil
}

// maskURL is skygrid.MaskURL: the URL with its query values, password
// and token-like path segments hidden, for errors and the audit log.
func maskURL(s string) string { return skygrid.MaskURL(s) }

const channelCols = `id, region_id, kind, url, secret, audience, created_at`

func scanChannels(rows *sql.Rows) ([]*skygrid.Channel, error) {
	defer rows.Close()
	var out []*skygrid.Channel
	for rows.Next() {
		c := &skygrid.Channel{}
		var created string
		if err := rows.Scan(&c.ID, &c.RegionID, &c.Kind, &c.URL, &c.Secret, &c.Audience, &created); err != nil {
			return nil, fmt.Errorf("read a channels row: %w", err)
		}
		c.CreatedAt = parseTS(created)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("scan channels: %w", err)
	}
	return out, nil
}

// FindChannels lists every channel by id, secrets included (callers must
// not show them).
func (db *DB) FindChannels(ctx context.Context) ([]*skygrid.Channel, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+channelCols+` FROM notify_channels ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("find channels: %w", err)
	}
	return scanChannels(rows)
}

// channelsFor returns the channels of any of the regions whose audience is
// any of audiences, by id.
func channelsFor(ctx context.Context, tx *Tx, regionIDs []string, audiences []string) ([]*skygrid.Channel, error) {
	if len(regionIDs) == 0 || len(audiences) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(regionIDs)+len(audiences))
	for _, id := range regionIDs {
		args = append(args, id)
	}
	for _, a := range audiences {
		args = append(args, a)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+channelCols+` FROM notify_channels WHERE region_id IN (`+placeholders(len(regionIDs))+
		`) AND audience IN (`+placeholders(len(audiences))+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("channels for: %w", err)
	}
	return scanChannels(rows)
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// QueueOutbox queues messages in their own transaction (see queueOutbox).
func (db *DB) QueueOutbox(ctx context.Context, msgs []*skygrid.OutboxMessage) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("queue outbox: begin: %w", err)
	}
	defer tx.Rollback()
	if err := queueOutbox(ctx, tx, msgs); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("queue outbox: commit: %w", err)
	}
	return nil
}

// queueOutbox queues messages inside tx. A message whose key is already
// queued (sent or not) is not queued again: its ID is set to the queued
// one's. CreatedAt and NextAt default to the transaction's time. A message
// goes to a channel (ChannelID) or, personal, to a recipient through a
// personal channel kind.
func queueOutbox(ctx context.Context, tx *Tx, msgs []*skygrid.OutboxMessage) error {
	for _, m := range msgs {
		if err := checkOutboxMessage(m); err != nil {
			return err
		}
		payload := m.Payload
		if payload == "" {
			payload = "{}"
		}
		if m.CreatedAt.IsZero() {
			m.CreatedAt = tx.now
		}
		if m.NextAt.IsZero() {
			m.NextAt = tx.now
		}
		var taskID, channelID any
		if m.TaskID != 0 {
			taskID = m.TaskID
		}
		kind := ""
		if m.ChannelID != 0 {
			channelID = m.ChannelID
		} else {
			kind = m.Kind
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO outbox (key, channel_id, kind, recipient, recipient_name, event, task_id, title, text, payload,
			next_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING id`,
			m.Key, channelID, kind, m.Recipient, m.RecipientName, m.Event, taskID, m.Title, m.Text, payload, ts(m.NextAt), ts(m.CreatedAt)).Scan(&m.ID)
		if errors.Is(err, sql.ErrNoRows) {
			err = tx.QueryRowContext(ctx, `SELECT id FROM outbox WHERE key = ?`, m.Key).Scan(&m.ID)
		} else if isConstraint(err) {
			return skygrid.Errorf(skygrid.EINVALID, "outbox message %s: channel %d: %v", m.Key, m.ChannelID, err)
		}
		if err != nil {
			return fmt.Errorf("outbox message %s: %w", m.Key, err)
		}
	}
	return nil
}

// checkOutboxMessage checks what a message needs before it is queued.
func checkOutboxMessage(m *skygrid.OutboxMessage) error {
	switch {
	case m.Key == "":
		return skygrid.Errorf(skygrid.EINVALID, "outbox message: key required")
	case m.Event == "":
		return skygrid.Errorf(skygrid.EINVALID, "outbox message %s: event required", m.Key)
	case m.Payload != "" && !json.Valid([]byte(m.Payload)):
		return skygrid.Errorf(skygrid.EINVALID, "outbox message %s: payload is not JSON", m.Key)
	case m.ChannelID != 0 && m.Recipient != "":
		return skygrid.Errorf(skygrid.EINVALID, "outbox message %s: a channel or a recipient, not both", m.Key)
	case m.ChannelID != 0:
		return nil
	case m.Recipient == "" && !skygrid.IsPersonalKind(m.Kind):
		return skygrid.Errorf(skygrid.EINVALID, "outbox message %s: channel required", m.Key)
	case !skygrid.IsPersonalKind(m.Kind):
		return skygrid.Errorf(skygrid.EINVALID, "outbox message %s: unknown personal channel kind %q (%s)", m.Key, m.Kind,
			strings.Join(skygrid.PersonalKinds, ", "))
	case m.Recipient == "":
		return skygrid.Errorf(skygrid.EINVALID, "outbox message %s: recipient required", m.Key)
	}
	return nil
}

const outboxCols = `o.id, o.key, COALESCE(o.channel_id, 0), o.event, o.task_id, o.title, o.text, o.payload, o.attempts, o.next_at, o.sent_at,
	o.last_error, o.created_at, COALESCE(c.kind, o.kind), o.recipient, o.recipient_name`

// outboxFrom joins a message's channel (none for a personal message).
const outboxFrom = ` FROM outbox o LEFT JOIN notify_channels c ON c.id = o.channel_id`

func scanOutbox(rows *sql.Rows, extra ...any) (*skygrid.OutboxMessage, error) {
	m := &skygrid.OutboxMessage{}
	var taskID sql.NullInt64
	var next, sent, created string
	if err := rows.Scan(append([]any{&m.ID, &m.Key, &m.ChannelID, &m.Event, &taskID, &m.Title, &m.Text, &m.Payload,
		&m.Attempts, &next, &sent, &m.LastError, &created, &m.Kind, &m.Recipient, &m.RecipientName}, extra...)...); err != nil {
		return nil, fmt.Errorf("read a outbox row: %w", err)
	}
	m.TaskID = taskID.Int64
	m.NextAt, m.SentAt, m.CreatedAt = parseTS(next), parseTS(sent), parseTS(created)
	m.RecipientMasked = skygrid.MaskRecipient(m.Recipient)
	return m, nil
}

// ClaimOutbox returns up to n unsent messages due at now and not claimed
// by another worker (or whose claim ran out), by id, with their channel's
// kind, URL and secret or their personal kind and recipient, and claims them until now+lease. It runs in one
// immediate transaction (the DSN's _txlock), so two workers never claim
// the same message.
func (db *DB) ClaimOutbox(ctx context.Context, now time.Time, n int, lease time.Duration) ([]*skygrid.OutboxMessage, error) {
	if n <= 0 {
		return nil, nil
	}
	if lease < time.Second {
		return nil, skygrid.Errorf(skygrid.EINVALID, "claim outbox: lease %s: want at least 1s", lease)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: begin: %w", err)
	}
	defer tx.Rollback()
	at := ts(now)
	rows, err := tx.QueryContext(ctx, `SELECT `+outboxCols+`, COALESCE(c.url, ''), COALESCE(c.secret, '')`+outboxFrom+`
		WHERE o.sent_at = '' AND o.next_at <= ? AND (o.claimed_until = '' OR o.claimed_until <= ?) ORDER BY o.id LIMIT ?`, at, at, n)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	var out []*skygrid.OutboxMessage
	for rows.Next() {
		var u, secret string
		m, err := scanOutbox(rows, &u, &secret)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("claim outbox: %w", err)
		}
		m.URL, m.Secret = u, secret
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim outbox: read the rows: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	args := []any{ts(now.Add(lease))}
	for _, m := range out {
		args = append(args, m.ID)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET claimed_until = ? WHERE id IN (`+placeholders(len(out))+`)`, args...); err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("claim outbox: commit: %w", err)
	}
	return out, nil
}

// ReleaseOutbox gives claimed messages back unsent, so that any worker may
// claim them at once (a worker that stops releases what it did not send).
func (db *DB) ReleaseOutbox(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	_, err := db.db.ExecContext(ctx, `UPDATE outbox SET claimed_until = '' WHERE sent_at = '' AND id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return fmt.Errorf("release %d outbox messages: %w", len(ids), err)
	}
	return nil
}

// MarkSent records a delivered message: it is never claimed again. Marking
// a message sent twice keeps the first time.
func (db *DB) MarkSent(ctx context.Context, id int64, at time.Time) error {
	res, err := db.db.ExecContext(ctx, `UPDATE outbox SET sent_at = CASE WHEN sent_at = '' THEN ? ELSE sent_at END, claimed_until = '' WHERE id = ?`,
		ts(at), id)
	if err != nil {
		return fmt.Errorf("mark sent: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return skygrid.Errorf(skygrid.ENOTFOUND, "outbox message %d not found", id)
	}
	return nil
}

// MarkFailed records a failed attempt: one more attempt, the reason, and
// when to try again. A message already sent is left alone.
func (db *DB) MarkFailed(ctx context.Context, id int64, reason string, next time.Time) error {
	if len(reason) > maxLastError {
		reason = strings.ToValidUTF8(reason[:maxLastError], "") + "…"
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("mark failed: begin: %w", err)
	}
	defer tx.Rollback()
	var sent string
	if err := tx.QueryRowContext(ctx, `SELECT sent_at FROM outbox WHERE id = ?`, id).Scan(&sent); err == sql.ErrNoRows {
		return skygrid.Errorf(skygrid.ENOTFOUND, "outbox message %d not found", id)
	} else if err != nil {
		return fmt.Errorf("mark failed: read a row: %w", err)
	} else if sent != "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_at = ?, claimed_until = '' WHERE id = ?`,
		reason, ts(next), id); err != nil {
		return fmt.Errorf("mark failed: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("mark failed: commit: %w", err)
	}
	return nil
}

// FindOutbox lists messages, newest first (sent or not), with their
// channel's kind (not its URL or secret) or their personal kind and
// recipient masked (Recipient is left empty). limit <= 0 lists all.
func (db *DB) FindOutbox(ctx context.Context, limit int) ([]*skygrid.OutboxMessage, error) {
	q := &listQuery{what: "find outbox", from: `SELECT ` + outboxCols + outboxFrom, order: ` ORDER BY o.id DESC`, limit: limit}
	return queryList(ctx, db.db, q, func(rows *sql.Rows) (*skygrid.OutboxMessage, error) {
		m, err := scanOutbox(rows)
		if m != nil {
			m.Recipient = ""
		}
		return m, err
	})
}
