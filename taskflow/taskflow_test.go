package taskflow_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"skygrid"
	"skygrid/evidence"
	"skygrid/internal/storetest"
	"skygrid/store"
	"skygrid/taskflow"

	"github.com/paulmach/orb"
)

// flowWorld is a real store with one grid (a test fixture at the photos'
// place, 113.6897 39.7003), its supervisor, an acknowledged task on an
// event there, and the photo store in a temp folder.
type flowWorld struct {
	db       *store.DB
	sup, off *skygrid.User // the grid's supervisor, the county's official
	task     *skygrid.Task
	photos   evidence.Photos
	photoDir string
	flow     *taskflow.Service
}

func newFlowWorld(t *testing.T, perMinute int) *flowWorld {
	t.Helper()
	now := time.Date(2023, 10, 24, 6, 30, 0, 0, time.UTC) // 14:30 in Beijing, after the photos were taken
	db := storetest.NewDB(t, "flow.db")
	db.Now = func() time.Time { return now }
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	sq := func(lon, lat, half float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{lon - half, lat - half}, {lon + half, lat - half}, {lon + half, lat + half}, {lon - half, lat + half}, {lon - half, lat - half}}}}
	}
	if err := db.ImportRegions(ctx, []*skygrid.Region{
		{ID: "140225", Name: "示例县", Level: skygrid.LevelCounty, Geometry: sq(113.6897, 39.7003, 0.1)},
		{ID: "140225-000-001", Name: "示例网格", Level: skygrid.LevelGrid, ParentID: "140225", Geometry: sq(113.6897, 39.7003, 0.01)},
		{ID: "140225-000-002", Name: "示例网格二", Level: skygrid.LevelGrid, ParentID: "140225", Geometry: sq(113.7297, 39.7003, 0.01)},
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.ImportSupervisors(ctx, []*skygrid.Supervisor{{GridID: "140225-000-001", Name: "示例网格员", Phone: "13800000000"},
		{GridID: "140225-000-002", Name: "示例网格员二", Phone: "13800000001"}}); err != nil {
		t.Fatal(err)
	}
	w := &flowWorld{db: db, sup: &skygrid.User{Name: "sup", Role: skygrid.RoleSupervisor, Regions: []string{"140225-000-001"}},
		off: &skygrid.User{Name: "off", Role: skygrid.RoleOfficial, Regions: []string{"140225"}}}
	for _, u := range []*skygrid.User{w.sup, w.off} {
		if err := db.CreateUser(ctx, u, "$2a$04$notarealhashnotarealhashnotarealhashnotarealhashnota"); err != nil {
			t.Fatal(err)
		}
	}
	p := orb.Point{113.6897, 39.7003}
	e := &skygrid.Event{ID: 1, Class: skygrid.ClassStrawBurning, State: skygrid.EventOpen, FirstSeen: now.Add(-2 * time.Hour), LastSeen: now.Add(-2 * time.Hour),
		Point: p, Bound: orb.Bound{Min: p, Max: p}, HotspotCount: 1, AssignedBy: "contains", GridID: "140225-000-001", CountyID: "140225"}
	task := &skygrid.Task{EventID: 1, GridID: "140225-000-001", State: skygrid.TaskDispatched, AckDue: now.Add(time.Hour), ReportDue: now.Add(2 * time.Hour)}
	if err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
		return tx.SaveResult(ctx, &skygrid.IngestResult{Events: []*skygrid.Event{e}, NewTasks: []*skygrid.Task{task}})
	}); err != nil {
		t.Fatal(err)
	}
	w.photoDir = filepath.Join(t.TempDir(), "photos")
	w.photos = evidence.Photos{Files: evidence.Files{Dir: w.photoDir}, Uploads: &evidence.UploadRate{PerMinute: perMinute}}
	w.flow = &taskflow.Service{Tasks: db, Events: db, Uploads: w.photos, Now: db.Now}
	stored, err := w.flow.Do(ctx, w.sup, task, taskflow.Action{Name: skygrid.ActionAcknowledge, Version: task.Version})
	if err != nil {
		t.Fatal(err)
	}
	w.task = stored
	return w
}

// stage stages the photos named (from evidence/testdata/photos).
func (w *flowWorld) stage(t *testing.T, names ...string) skygrid.PhotoStage {
	t.Helper()
	if len(names) == 0 {
		return nil
	}
	st, err := w.photos.Stage()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("..", "evidence", "testdata", "photos", n))
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Receive(n, bytes.NewReader(b)); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// files lists the files under the photo folder (the store and the
// staging folders).
func (w *flowWorld) files(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(w.photoDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			out = append(out, p)
		}
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

// A report is taken whole or not at all: stored with its photos (their
// files in the photo store), or refused with the code of the first rule
// it breaks and every staged file removed, the task unchanged.
func TestDo(t *testing.T) {
	found := skygrid.TaskChange{Finding: skygrid.FindingStrawBurning, Notes: "示例：已扑灭"}
	for _, tc := range []struct {
		name      string
		perMinute int
		used      int // photos the user sent just before
		action    string
		version   int64 // added to the task's version
		photos    []string
		code      string // "" for stored
		throttled bool
		// meanwhile: the task is reassigned to another grid after it was
		// loaded: the checks before the photos pass, the store refuses.
		meanwhile bool
	}{
		{"a report with two photos", 30, 0, skygrid.ActionReport, 0, []string{"at_event.jpg", "far_5km.jpg"}, "", false, false},
		{"a report without photos", 30, 0, skygrid.ActionReport, 0, nil, skygrid.EINVALID, false, false},
		{"photos with a note", 30, 0, skygrid.ActionNote, 0, []string{"at_event.jpg"}, skygrid.EINVALID, false, false},
		{"a stale version", 30, 0, skygrid.ActionReport, 1, []string{"at_event.jpg"}, skygrid.ECONFLICT, false, false},
		{"a stale version, no photos (the store's check)", 30, 0, skygrid.ActionNote, 1, nil, skygrid.ECONFLICT, false, false},
		{"a role that may not report (an official)", 30, 0, skygrid.ActionReport, 0, []string{"at_event.jpg"}, skygrid.EFORBIDDEN, false, false},
		{"over the photo rate", 2, 1, skygrid.ActionReport, 0, []string{"at_event.jpg", "far_5km.jpg"}, "", true, false},
		{"a file that is not a photo", 30, 0, skygrid.ActionReport, 0, []string{"at_event.jpg", "not_image.jpg"}, skygrid.EINVALID, false, false},
		{"reassigned meanwhile: the photos read, the store refuses", 30, 0, skygrid.ActionReport, 0, []string{"at_event.jpg"}, skygrid.EFORBIDDEN, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newFlowWorld(t, tc.perMinute)
			ctx := context.Background()
			if wait := w.photos.TakeUploads(w.sup.ID, tc.used, w.db.Now()); wait != 0 {
				t.Fatalf("%d photos before: wait %v", tc.used, wait)
			}
			before := w.task
			if tc.meanwhile {
				var err error
				if before, err = w.db.UpdateTask(ctx, w.task.ID, 0, skygrid.ActionReassign, w.off, skygrid.TaskChange{GridID: "140225-000-002", Reason: "示例"}, nil); err != nil {
					t.Fatal(err)
				}
			}
			a := taskflow.Action{Name: tc.action, Version: w.task.Version + tc.version, Change: found, Photos: w.stage(t, tc.photos...)}
			u := w.sup
			if tc.code == skygrid.EFORBIDDEN && !tc.meanwhile {
				u = w.off
			}
			got, err := w.flow.Do(ctx, u, w.task, a)
			after, ferr := w.db.FindTaskByID(ctx, w.task.ID)
			if ferr != nil {
				t.Fatal(ferr)
			}
			var th *taskflow.Throttled
			switch {
			case tc.throttled:
				if !errors.As(err, &th) || th.Wait <= 0 {
					t.Fatalf("err %v, want throttled", err)
				}
			case tc.code != "":
				if skygrid.ErrorCode(err) != tc.code {
					t.Fatalf("err %v (%s), want %s", err, skygrid.ErrorCode(err), tc.code)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if got.State != skygrid.TaskReported || len(got.Photos) != len(tc.photos) || after.Version != got.Version {
					t.Fatalf("stored %s with %d photos (version %d, store %d)", got.State, len(got.Photos), got.Version, after.Version)
				}
				for _, p := range got.Photos {
					if _, _, err := w.photos.Path(p.SHA256, false); err != nil {
						t.Errorf("photo %s not in the store: %v", p.SHA256, err)
					}
				}
				return
			}
			w.wantUnchanged(t, before, after)
		})
	}
}

// wantUnchanged fails unless a refused action left the task as it was
// and no file in the photo folder.
func (w *flowWorld) wantUnchanged(t *testing.T, before, after *skygrid.Task) {
	t.Helper()
	if after.Version != before.Version || after.State != before.State || len(after.Photos) != 0 {
		t.Errorf("refused, yet the task is %s at version %d (was %d) with %d photos", after.State, after.Version, before.Version, len(after.Photos))
	}
	if fs := w.files(t); len(fs) != 0 {
		t.Errorf("refused, yet files are left: %v", fs)
	}
}
