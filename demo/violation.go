package demo

import (
	"context"
	"fmt"
	"time"

	"skygrid"
	"skygrid/evidence"
)

// ViolationStore is what DustViolation needs of the store.
type ViolationStore interface {
	skygrid.DustService
	skygrid.TaskService
	skygrid.EventService
}

// DustViolation invents (示例) one confirmed dust violation, for the public
// page's list of violators (plan §32): the alarm a at its site's monitor
// opens a task, the grid's supervisor acknowledges it, reports 停工整改
// with an invented photo, and the county's official closes it, each step
// at its own time on the clock (setClock moves the store's). It returns
// the task.
func DustViolation(ctx context.Context, st ViolationStore, files evidence.Files, a skygrid.DustAlarm, supervisor, official *skygrid.User,
	setClock func(time.Time)) (int64, error) {
	setClock(a.End)
	rec, err := st.RecordDustAlarms(ctx, []skygrid.DustAlarm{a})
	if err != nil {
		return 0, fmt.Errorf("demo violation: %w", err)
	}
	if len(rec.TaskIDs) != 1 {
		return 0, fmt.Errorf("demo violation: the alarm opened %d tasks, want 1", len(rec.TaskIDs))
	}
	id := rec.TaskIDs[0]
	task, err := st.FindTaskByID(ctx, id)
	if err != nil {
		return 0, fmt.Errorf("demo violation: %w", err)
	}
	ev, err := st.FindEventByID(ctx, task.EventID)
	if err != nil {
		return 0, fmt.Errorf("demo violation: %w", err)
	}
	reported := a.End.Add(40 * time.Minute)
	var d demoPhotos
	photo, err := d.photo(files, skygrid.FindingStopWork, uint64(id), reported.Add(-5*time.Minute), a.Point, ev)
	if err != nil {
		return 0, fmt.Errorf("demo violation: photo: %w", err)
	}
	for _, s := range []struct {
		at     time.Time
		action string
		by     *skygrid.User
		change skygrid.TaskChange
		photos []*skygrid.Photo
	}{
		{a.End.Add(10 * time.Minute), skygrid.ActionAcknowledge, supervisor, skygrid.TaskChange{}, nil},
		{reported, skygrid.ActionReport, supervisor, skygrid.TaskChange{Finding: skygrid.FindingStopWork, Notes: "示例：土方作业未苫盖、未洒水，已责令停工整改", Photos: 1}, []*skygrid.Photo{photo}},
		{reported.Add(2 * time.Hour), skygrid.ActionClose, official, skygrid.TaskChange{Notes: "示例：复查已苫盖、洒水，同意办结"}, nil},
	} {
		setClock(s.at)
		if _, err := st.UpdateTask(ctx, id, 0, s.action, s.by, s.change, s.photos); err != nil {
			return 0, fmt.Errorf("demo violation: task %d %s: %w", id, s.action, err)
		}
	}
	return id, nil
}
