package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"skygrid"
)

// SendTimeout bounds one delivery. A delivery is not cut short when the
// worker is stopped: a message that reached its receiver is always marked.
const SendTimeout = 15 * time.Second

// Worker defaults.
const (
	DefaultPoll       = time.Second
	DefaultBatch      = 20
	DefaultLease      = time.Minute
	DefaultBackoff    = 10 * time.Second
	DefaultMaxBackoff = time.Hour
)

// markTimeout bounds recording the outcome of a delivery.
const markTimeout = 15 * time.Second

// Releaser is an outbox that can give claimed messages back unsent (the
// store can). A worker that stops, or whose claim runs short, releases the
// messages it did not send so that the next worker need not wait for the
// lease to run out.
type Releaser interface {
	ReleaseOutbox(ctx context.Context, ids []int64) error
}

// Worker delivers the outbox: it claims due messages, sends each and marks
// it sent or failed (to be tried again after a growing delay). Several
// workers may share one outbox: a claim is exclusive until its lease ends.
type Worker struct {
	Outbox skygrid.OutboxService
	Client *http.Client
	Now    func() time.Time
	// Poll is the wait between claims when nothing is due (default 1s).
	Poll time.Duration
	// Batch is how many messages one claim takes (default 20).
	Batch int
	// Lease is how long a claim holds (default 1m); it must be longer than
	// SendTimeout. A worker starts no delivery it could not finish within
	// its lease.
	Lease time.Duration
	// Backoff is the delay after a first failure (default 10s); it doubles
	// with each further attempt, varies by ±20% and stops growing at 1h.
	Backoff time.Duration
	// Senders deliver personal messages by kind (aliyun_sms, tencent_sms,
	// dingtalk_work; see Config.Senders). A personal message of a kind
	// without a sender fails and is tried again later.
	Senders map[string]Sender
	Logger  *slog.Logger
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Worker) poll() time.Duration {
	if w.Poll > 0 {
		return w.Poll
	}
	return DefaultPoll
}

func (w *Worker) batch() int {
	if w.Batch > 0 {
		return w.Batch
	}
	return DefaultBatch
}

func (w *Worker) lease() time.Duration {
	if w.Lease > 0 {
		return w.Lease
	}
	return DefaultLease
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return slog.Default()
}

// Delay returns how long to wait before the next attempt after a message
// has failed attempts times (1 for the first failure): Backoff doubled per
// earlier failure, ±20% at random, at most an hour.
func (w *Worker) Delay(attempts int) time.Duration {
	base := w.Backoff
	if base <= 0 {
		base = DefaultBackoff
	}
	d := base
	for i := 1; i < attempts && d < DefaultMaxBackoff; i++ {
		d *= 2
	}
	d = time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
	return min(d, DefaultMaxBackoff)
}

// Run delivers due messages until ctx is done, then returns nil. A message
// being sent when ctx ends is finished and marked; claimed messages not yet
// sent are released. Errors of the outbox are logged and retried.
func (w *Worker) Run(ctx context.Context) error {
	if w.Outbox == nil {
		return errors.New("notify: worker has no outbox")
	}
	if w.lease() <= SendTimeout {
		return fmt.Errorf("notify: lease %s must be longer than the send timeout %s", w.lease(), SendTimeout)
	}
	for {
		sent, failed, err := w.RunOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			w.logger().Error("notify: outbox", "err", err)
		}
		if err == nil && sent+failed >= w.batch() {
			continue // a full batch: more may be due
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(w.poll()):
		}
	}
}

// RunOnce claims one batch of due messages and delivers it. It returns how
// many were sent and how many failed (and will be tried again).
func (w *Worker) RunOnce(ctx context.Context) (sent, failed int, err error) {
	if w.Outbox == nil {
		return 0, 0, errors.New("notify: worker has no outbox")
	}
	lease := w.lease()
	if lease <= SendTimeout {
		return 0, 0, fmt.Errorf("notify: lease %s must be longer than the send timeout %s", lease, SendTimeout)
	}
	claimed := w.now()
	msgs, err := w.Outbox.ClaimOutbox(ctx, claimed, w.batch(), lease)
	if err != nil {
		return 0, 0, fmt.Errorf("claim: %w", err)
	}
	// The store keeps whole seconds: the claim may end up to 1s early.
	until := claimed.Add(lease).Truncate(time.Second)
	// Outcomes are recorded even when ctx ends: a delivered message must
	// not be sent again.
	bg := context.WithoutCancel(ctx)
	for i, m := range msgs {
		if ctx.Err() != nil || w.now().Add(SendTimeout+time.Second).After(until) {
			w.release(bg, msgs[i:])
			break
		}
		ok, err := w.deliver(bg, m)
		if err != nil {
			// The outcome could not be recorded: the message returns when
			// the lease ends (and is sent again if it was delivered).
			w.release(bg, msgs[i+1:])
			return sent, failed, err
		}
		if ok {
			sent++
		} else {
			failed++
		}
	}
	return sent, failed, nil
}

// deliver sends one message and records the outcome; ctx is not cancelled
// by the worker's stop.
func (w *Worker) deliver(ctx context.Context, m *skygrid.OutboxMessage) (bool, error) {
	sctx, cancel := context.WithTimeout(ctx, SendTimeout)
	err := w.send(sctx, m)
	cancel()
	mctx, cancel := context.WithTimeout(ctx, markTimeout)
	defer cancel()
	log := w.logger().With("id", m.ID, "key", m.Key, "kind", m.Kind)
	if m.Recipient != "" {
		log = log.With("to", skygrid.MaskRecipient(m.Recipient))
	}
	if err == nil {
		if err := w.Outbox.MarkSent(mctx, m.ID, w.now()); err != nil {
			return false, fmt.Errorf("mark %s sent: %w", m.Key, err)
		}
		log.Info("notify: sent", "attempts", m.Attempts+1)
		return true, nil
	}
	delay := w.Delay(m.Attempts + 1)
	next := w.now().Add(delay)
	if err := w.Outbox.MarkFailed(mctx, m.ID, err.Error(), next); err != nil {
		return false, fmt.Errorf("mark %s failed: %w", m.Key, err)
	}
	log.Warn("notify: send failed", "attempts", m.Attempts+1, "retry_in", delay.Round(time.Second), "err", err)
	return false, nil
}

// send delivers one message through its kind's sender, or as a group
// channel's.
func (w *Worker) send(ctx context.Context, m *skygrid.OutboxMessage) error {
	if s := w.Senders[m.Kind]; s != nil {
		return s.Send(ctx, m)
	}
	if skygrid.IsPersonalKind(m.Kind) {
		return fmt.Errorf("%s to %s: no provider configured for %s (see [notify] in the configuration)", m.Kind,
			skygrid.MaskRecipient(m.Recipient), m.Kind)
	}
	return Send(ctx, w.Client, m)
}

// release gives claimed messages back when the outbox can.
func (w *Worker) release(ctx context.Context, msgs []*skygrid.OutboxMessage) {
	r, ok := w.Outbox.(Releaser)
	if !ok || len(msgs) == 0 {
		return
	}
	ids := make([]int64, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
	}
	ctx, cancel := context.WithTimeout(ctx, markTimeout)
	defer cancel()
	if err := r.ReleaseOutbox(ctx, ids); err != nil {
		w.logger().Error("notify: release claimed messages", "n", len(ids), "err", err)
	}
}
