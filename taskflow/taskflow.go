package taskflow

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"skygrid"
)

// Uploads is the users' photo rate (evidence.UploadRate through
// evidence.Photos): TakeUploads takes n photos of the user's allowance,
// or takes none and says how long to wait.
type Uploads interface {
	TakeUploads(user int64, n int, now time.Time) time.Duration
}

// Service takes task actions. Tasks and Events are the store; Uploads,
// when set, bounds the photos a user sends a minute; Now is the clock
// (nil: time.Now); Logger says when a stored report's photos could not be
// moved into the store (nil: slog.Default()).
type Service struct {
	Tasks   skygrid.TaskService
	Events  skygrid.EventService
	Uploads Uploads
	Now     func() time.Time
	Logger  *slog.Logger
}

// Action is one action on a task as the user sent it.
type Action struct {
	// Name is the action: skygrid.ActionAcknowledge ... ActionNote.
	Name string
	// Version is the task version the user saw (0: any): a change made
	// meanwhile makes the action a conflict.
	Version int64
	Change  skygrid.TaskChange
	// Photos are the report's photos, staged (nil: none). Do owns them:
	// they are committed with the report or discarded.
	Photos skygrid.PhotoStage
}

// Throttled refuses a report whose photos are over the user's rate: the
// user may send them again after Wait.
type Throttled struct{ Wait time.Duration }

func (e *Throttled) Error() string {
	return fmt.Sprintf("too many photos sent in the last minute: try again in %s", e.Wait.Round(time.Second))
}

// Do applies action a of user u to task t (loaded in the user's scope)
// and returns the task as stored, with its photos. Errors: EINVALID for
// photos with another action than a report and for photos that cannot be
// read; ECONFLICT when the task changed since version a.Version or its
// state does not allow the action; EFORBIDDEN when the user's role may
// not; *Throttled when the photos are over the user's rate; and the
// store's. The staged photos are removed unless the report is stored.
func (s *Service) Do(ctx context.Context, u *skygrid.User, t *skygrid.Task, a Action) (*skygrid.Task, error) {
	stage := a.Photos
	defer func() {
		if stage != nil { // not stored: the staged files are not kept
			stage.Discard()
		}
	}()
	photos, err := s.acceptPhotos(ctx, u, t, a)
	if err != nil {
		return nil, err
	}
	stored, err := s.Tasks.UpdateTask(ctx, t.ID, a.Version, a.Name, u, a.Change, photos)
	if err != nil {
		return nil, err
	}
	if stage != nil {
		err, stage = stage.Commit(), nil
		if err != nil {
			// The report is stored: its photos stay staged, where the
			// next sweep moves them into the store.
			s.logger().ErrorContext(ctx, "report stored, its photos not moved into the store", "task", stored.ID, "err", err)
		}
	}
	return s.Tasks.FindTaskByID(ctx, stored.ID)
}

// acceptPhotos checks the action before a photo is decoded (photos only
// with a report; the version; the role and state, with the photos
// counted), takes the photos from the user's rate, and reads, checks and
// stamps them. None staged: nothing to do, the store checks the action.
func (s *Service) acceptPhotos(ctx context.Context, u *skygrid.User, t *skygrid.Task, a Action) ([]*skygrid.Photo, error) {
	n := 0
	if a.Photos != nil {
		n = a.Photos.Received()
	}
	if n == 0 {
		return nil, nil
	}
	if a.Name != skygrid.ActionReport {
		return nil, skygrid.Errorf(skygrid.EINVALID, "photos come with a report, not with %s", a.Name)
	}
	if err := t.CheckVersion(a.Version); err != nil {
		return nil, err
	}
	probe, change := *t, a.Change
	change.Photos = n
	if err := probe.Transition(a.Name, u, change, s.now()); err != nil {
		return nil, err
	}
	if s.Uploads != nil {
		if wait := s.Uploads.TakeUploads(u.ID, n, s.now()); wait > 0 {
			return nil, &Throttled{Wait: wait}
		}
	}
	e, err := s.Events.FindEventByID(ctx, t.EventID)
	if err != nil {
		return nil, err
	}
	stamp := skygrid.PhotoStamp{TaskID: t.ID, Place: t.PlaceName(), GridID: t.GridID, UploadedAt: s.now(), Class: t.EventClass}
	return a.Photos.Accept(ctx, e, stamp)
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}
