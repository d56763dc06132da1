package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"skygrid"
)

// Escalation is what the escalation clock works through: the overdue
// tasks (skygrid.TaskService's FindTasks) and the one-transaction raise
// of one task to one level (EscalateTask: it checks again, writes, audits
// and queues the notifications).
type Escalation interface {
	FindTasks(ctx context.Context, f skygrid.TaskFilter) ([]*skygrid.Task, int, error)
	EscalateTask(ctx context.Context, id int64, level int, now time.Time) (bool, error)
}

// Escalate raises the escalation of the open tasks overdue at now, level
// by level up to the level the policy ([escalation] of the configuration)
// gives (a task found twice overdue at once still goes to its area's
// officials first), each level in its own store transaction. It returns
// how many tasks were raised; the errors of single tasks are joined and
// do not stop the others.
func Escalate(ctx context.Context, s Escalation, policy skygrid.EscalationPolicy, now time.Time) (int, error) {
	// Tasks escalated twice are done with: a season's late tasks are not
	// read again every minute.
	maxLevel := 1
	tasks, _, err := s.FindTasks(ctx, skygrid.TaskFilter{Overdue: &now, MaxEscalation: &maxLevel})
	if err != nil {
		return 0, fmt.Errorf("find overdue tasks: %w", err)
	}
	n := 0
	var errs []error
	for _, t := range tasks {
		raised := false
		for level := t.Escalation + 1; level <= policy.Level(t, now); level++ {
			ok, err := s.EscalateTask(ctx, t.ID, level, now)
			if err != nil {
				errs = append(errs, fmt.Errorf("escalate task %d: %w", t.ID, err))
				break
			}
			raised = raised || ok
		}
		if raised {
			n++
		}
	}
	return n, errors.Join(errs...)
}

// DustTick is the dust checks a clock runs (DustChecker.Tick).
type DustTick interface {
	Tick(ctx context.Context, now time.Time) (skygrid.DustRecorded, error)
}

// FeedCheck tells the admins of feeds that have stopped succeeding
// (store.DB.CheckFeeds).
type FeedCheck interface {
	CheckFeeds(ctx context.Context, now time.Time) (int, error)
}

// Clock is the deadlines' scheduler: every tick (a minute by default) it
// escalates the overdue tasks and checks the feeds at the server's clock.
// It runs beside the server with the other schedulers (intake's pull and
// watcher, the notification worker).
type Clock struct {
	Tasks Escalation
	Feeds FeedCheck
	// Dust runs the dust checks of the clock (silence, capture rate,
	// registry violations: DustChecker.Tick); nil: none.
	Dust DustTick
	// Warnings opens the inspection tasks of warnings whose start has
	// come (nil: none).
	Warnings WarningStart
	Now      func() time.Time
	Every    time.Duration            // 0: a minute ([schedule] escalate_every)
	Policy   skygrid.EscalationPolicy // when a task goes up a level ([escalation])
	Logger   *slog.Logger
}

// Run ticks until ctx ends, once at once.
func (c *Clock) Run(ctx context.Context) {
	every := c.Every
	if every <= 0 {
		every = time.Minute
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		c.Tick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Tick escalates and checks the feeds once, logging what it did.
func (c *Clock) Tick(ctx context.Context) {
	log := c.Logger
	if log == nil {
		log = slog.Default()
	}
	if c.Warnings != nil {
		if n, err := c.Warnings.StartWarnings(ctx, c.Now()); err != nil && ctx.Err() == nil {
			log.Error("start warnings", "err", err)
		} else if n > 0 {
			log.Info("warnings started: inspection tasks opened", "tasks", n)
		}
	}
	if n, err := Escalate(ctx, c.Tasks, c.Policy, c.Now()); err != nil && ctx.Err() == nil {
		log.Error("escalate", "err", err)
	} else if n > 0 {
		log.Info("escalated overdue tasks", "tasks", n)
	}
	if c.Dust != nil {
		if res, err := c.Dust.Tick(ctx, c.Now()); err != nil && ctx.Err() == nil {
			log.Error("dust checks", "err", err)
		} else if res.EventsNew > 0 {
			log.Info("dust alarms opened tasks", "tasks", res.EventsNew)
		}
	}
	if c.Feeds == nil {
		return
	}
	if n, err := c.Feeds.CheckFeeds(ctx, c.Now()); err != nil && ctx.Err() == nil {
		log.Error("check feeds", "err", err)
	} else if n > 0 {
		log.Warn("feeds failing; admins told", "feeds", n)
	}
}
