package api_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"skygrid"
	"skygrid/geo"

	"github.com/paulmach/orb"
)

// reviewView is what the official's review page reads of a task.
type reviewView struct {
	skygrid.Task
	Timeline []struct {
		Action, Actor, Finding, Note, Assignee, Photos string
		FromGrid                                       string `json:"from_grid"`
		ToGrid                                         string `json:"to_grid"`
		Flagged                                        bool
	} `json:"timeline"`
	Report *struct {
		Lon, Lat  float64
		DistanceM float64 `json:"distance_m"`
		Far       bool
	} `json:"report"`
	Reporter *struct{ Name, Phone string } `json:"reporter"`
	Photos   []struct {
		SHA256     string `json:"sha256"`
		URL        string `json:"url"`
		StampedURL string `json:"stamped_url"`
	} `json:"photos"`
}

func (w *world) get(t *testing.T, user, url string) (int, []byte) {
	t.Helper()
	return getCode(t, w.srv.URL+url, w.tokens[user])
}

// The review page's task: its history with who and what, where the report
// was made and how far from the fire, who reported it, and the stamped
// copies of the photos beside the originals.
func TestTaskReviewDetails(t *testing.T) {
	w := newWorld(t)
	task := w.taskIn(t, w.gridA)
	url := fmt.Sprintf("/api/tasks/%d", task.ID)
	var v reviewView
	act := func(user, action string, body map[string]any) {
		t.Helper()
		body["version"] = v.Version
		if st := w.do(t, user, "POST", url+"/"+action, body, &v); st != 200 {
			t.Fatalf("%s %s: %d", user, action, st)
		}
	}
	w.do(t, "supervisorA", "GET", url, nil, &v)
	act("supervisorA", "acknowledge", map[string]any{})
	if st, b := w.report(t, "supervisorA", task.ID, v.Version, "straw_burning", "at_event.jpg"); st != 200 {
		t.Fatalf("report: %d %s", st, b)
	}
	w.do(t, "officialA", "GET", url, nil, &v)
	reason := "照片看不清 finding=误写 请重拍"
	act("officialA", "return", map[string]any{"reason": reason})
	if st, b := w.report(t, "supervisorA", task.ID, v.Version, "false_alarm", "no_gps.jpg"); st != 200 {
		t.Fatalf("second report: %d %s", st, b)
	}
	w.do(t, "officialA", "GET", url, nil, &v)
	before := v.Version
	act("officialA", "note", map[string]any{"notes": "已电话核实"})
	if v.Version != before {
		t.Errorf("a note changed the version %d -> %d (a report made meanwhile would be refused)", before, v.Version)
	}
	act("officialA", "close", map[string]any{"notes": "同意"})

	if st := w.do(t, "officialA", "GET", url, nil, &v); st != 200 {
		t.Fatalf("review view: %d", st)
	}
	var got []string
	for _, e := range v.Timeline {
		got = append(got, e.Action+":"+e.Actor)
	}
	want := []string{"dispatch:cli", "acknowledge:supervisorA", "report:supervisorA", "return:officialA", "report:supervisorA", "note:officialA", "close:officialA"}
	if !slices.Equal(got, want) {
		t.Fatalf("timeline %v, want %v", got, want)
	}
	tl := v.Timeline
	if tl[0].Assignee != "网格员 "+w.gridA {
		t.Errorf("dispatch went to %q", tl[0].Assignee)
	}
	if tl[2].Finding != "straw_burning" || tl[2].Photos != "1" || tl[4].Finding != "false_alarm" {
		t.Errorf("reports: %+v %+v", tl[2], tl[4])
	}
	if tl[3].Note != reason || tl[5].Note != "已电话核实" || tl[6].Note != "同意" {
		t.Errorf("notes: return %q, note %q, close %q", tl[3].Note, tl[5].Note, tl[6].Note)
	}
	// The report was made at 113.69, 39.70 (w.report): its distance from
	// the fire, and the warning beyond 1 km.
	wantD := geo.DistanceMeters(orb.Point{113.69, 39.70}, orb.Point{v.Lon, v.Lat})
	if v.Report == nil || v.Report.DistanceM < wantD-1 || v.Report.DistanceM > wantD+1 || v.Report.Far != (wantD > 1000) {
		t.Errorf("report position: %+v, want %.0f m", v.Report, wantD)
	}
	if v.Reporter == nil || v.Reporter.Name != "supervisorA" {
		t.Errorf("reporter: %+v", v.Reporter)
	}
	if v.SupervisorPhone == "" {
		t.Errorf("the grid supervisor's phone is missing")
	}
	checkStamped(t, w, v.ID, v.Photos[0].SHA256, v.Photos[0].StampedURL)
}

// checkStamped: the stamped copy is a JPEG no larger than 1600 px whose
// bytes differ from the original, which is served unchanged; it is the
// copy of this task only, and other areas are refused.
func checkStamped(t *testing.T, w *world, taskID int64, sha, stampedURL string) {
	t.Helper()
	if want := fmt.Sprintf("/api/photos/%s?task=%d", sha, taskID); stampedURL != want {
		t.Fatalf("stamped url %q, want %q", stampedURL, want)
	}
	st, stamped := w.get(t, "officialA", stampedURL)
	cfg, format, err := image.DecodeConfig(bytes.NewReader(stamped))
	if st != 200 || err != nil || format != "jpeg" || max(cfg.Width, cfg.Height) > 1600 {
		t.Fatalf("stamped copy: %d %v %s %dx%d", st, err, format, cfg.Width, cfg.Height)
	}
	st, orig := w.get(t, "officialA", "/api/photos/"+sha)
	file, _ := os.ReadFile(filepath.Join("..", "evidence", "testdata", "photos", "at_event.jpg"))
	if st != 200 || !bytes.Equal(orig, file) || bytes.Equal(orig, stamped) {
		t.Errorf("the original is not kept as uploaded (%d, %d bytes)", st, len(orig))
	}
	if st, _ := w.get(t, "officialA", fmt.Sprintf("/api/photos/%s?task=%d", sha, taskID+1)); st != 403 {
		t.Errorf("another task's stamp of this photo: %d, want 403", st)
	}
	if st, _ := w.get(t, "officialB", stampedURL); st != 403 {
		t.Errorf("another county's official: %d, want 403", st)
	}
}

// Reassignment candidates: the grids of the reviewer's area nearest to the
// fire first, with their supervisors; refused to supervisors and to other
// areas' officials.
func TestReassignCandidates(t *testing.T) {
	w := newWorld(t)
	task := w.taskIn(t, w.gridA)
	url := fmt.Sprintf("/api/tasks/%d/candidates?limit=12", task.ID)
	var got struct {
		Candidates []struct {
			GridID         string  `json:"grid_id"`
			GridName       string  `json:"grid_name"`
			SupervisorName string  `json:"supervisor_name"`
			DistanceM      float64 `json:"distance_m"`
		}
	}
	if st := w.do(t, "officialA", "GET", url, nil, &got); st != 200 || len(got.Candidates) != 12 {
		t.Fatalf("candidates: %d, %d", st, len(got.Candidates))
	}
	for i, c := range got.Candidates {
		if !strings.HasPrefix(c.GridID, w.countyA+"-") || c.GridID == task.GridID || c.SupervisorName == "" || c.GridName == "" {
			t.Errorf("candidate %d: %+v", i, c)
		}
		if i > 0 && c.DistanceM < got.Candidates[i-1].DistanceM {
			t.Errorf("candidate %d (%.0f m) before a nearer one (%.0f m)", i, c.DistanceM, got.Candidates[i-1].DistanceM)
		}
	}
	// The nearest are the neighbours of the task's 3 km cell.
	if got.Candidates[0].DistanceM > 4500 {
		t.Errorf("nearest candidate %.0f m away", got.Candidates[0].DistanceM)
	}
	for _, user := range []string{"officialB", "supervisorA"} {
		if st := w.do(t, user, "GET", url, nil, nil); st != 403 {
			t.Errorf("%s: %d, want 403", user, st)
		}
	}
}

// A reassignment in a task's history names its grids as people say them
// (the grid with its township), not by their codes.
func TestReassignNamesGrids(t *testing.T) {
	w := newWorld(t)
	task := w.taskIn(t, w.gridA)
	url := fmt.Sprintf("/api/tasks/%d", task.ID)
	var v struct {
		skygrid.Task
		Timeline []struct {
			Action   string
			FromGrid string `json:"from_grid"`
			ToGrid   string `json:"to_grid"`
			FromName string `json:"from_grid_name"`
			ToName   string `json:"to_grid_name"`
		} `json:"timeline"`
	}
	if st := w.do(t, "admin", "POST", url+"/reassign", map[string]any{"grid_id": w.gridB}, &v); st != 200 {
		t.Fatalf("reassign: %d", st)
	}
	w.do(t, "admin", "GET", url, nil, &v)
	for _, id := range []string{w.gridA, w.gridB} {
		r, err := w.db.FindRegionByID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range v.Timeline {
			if e.Action != "reassign" {
				continue
			}
			name := map[string]string{e.FromGrid: e.FromName, e.ToGrid: e.ToName}[id]
			if name == "" || name == id || !strings.Contains(name, r.Name) {
				t.Errorf("grid %s (%s) in the history: %q", id, r.Name, name)
			}
		}
	}
	if len(v.Timeline) < 2 || v.Timeline[len(v.Timeline)-1].Action != "reassign" {
		t.Fatalf("timeline %+v", v.Timeline)
	}
}
