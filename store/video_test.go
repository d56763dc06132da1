package store_test

import (
	"context"
	"testing"
	"time"

	"skygrid"
)

// A construction site whose registry entry is in order gets video_offline
// from the live state when its monitor's snapshot was not seen for the
// offline window, and loses it when the video is seen again; a site the
// registry already faults keeps the registry's violation.
func TestRecordVideoProbesLiveViolation(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	ok := map[string]string{skygrid.AttrVideo: "yes", skygrid.AttrPlatformID: "DT-0001"}
	sites := []*skygrid.Site{
		{Kind: skygrid.SiteConstruction, ExternalID: "v-ok", Name: "视频正常（示例）", Geometry: square(113.3, 40, 0.001), AreaM2: 6000, Attrs: ok},
		{Kind: skygrid.SiteConstruction, ExternalID: "v-none", Name: "无视频（示例）", Geometry: square(113.4, 40, 0.001), AreaM2: 6000,
			Attrs: map[string]string{skygrid.AttrVideo: "no"}},
	}
	if _, err := db.ImportSites(ctx, sites, nil); err != nil {
		t.Fatal(err)
	}
	ms := []skygrid.MonitorImport{
		{Monitor: skygrid.Monitor{MN: "V1", Name: "一号（示例）", Kind: skygrid.MonitorDust, Lon: 113.3, Lat: 40, SnapshotURL: "http://127.0.0.1:1/a.jpg"}, SiteRef: "v-ok", Where: "line 2"},
		{Monitor: skygrid.Monitor{MN: "V2", Name: "二号（示例）", Kind: skygrid.MonitorDust, Lon: 113.4, Lat: 40, SnapshotURL: "http://127.0.0.1:1/b.jpg"}, SiteRef: "v-none", Where: "line 3"},
		{Monitor: skygrid.Monitor{MN: "V3", Name: "三号（示例）", Kind: skygrid.MonitorDust, Lon: 113.3, Lat: 40}, SiteRef: "v-ok", Where: "line 4"},
	}
	if _, err := db.ImportMonitors(ctx, ms); err != nil {
		t.Fatal(err)
	}
	vm, err := db.VideoMonitors(ctx)
	if err != nil || len(vm) != 2 || vm[0].MN != "V1" || vm[1].MN != "V2" {
		t.Fatalf("VideoMonitors = %+v, %v; want V1 and V2 (V3 has no snapshot URL)", vm, err)
	}
	t0 := now
	steps := []struct {
		name     string
		at       time.Time
		seen     bool
		wantOK   string // the violation of v-ok after the step
		changed  int
		wantSeen time.Time
	}{
		{"seen", t0, true, "", 0, t0},
		{"failed, seen 10 minutes ago", t0.Add(10 * time.Minute), false, "", 0, t0},
		{"failed, seen 31 minutes ago", t0.Add(31 * time.Minute), false, skygrid.ViolationVideoOffline, 1, t0},
		{"still failing", t0.Add(36 * time.Minute), false, skygrid.ViolationVideoOffline, 0, t0},
		{"seen again", t0.Add(41 * time.Minute), true, "", 1, t0.Add(41 * time.Minute)},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			probes := make([]skygrid.VideoProbe, len(vm))
			for i, m := range vm {
				probes[i] = skygrid.VideoProbe{MonitorID: m.ID, At: st.at, Seen: st.seen}
				if !st.seen {
					probes[i].Error = "answered 404 Not Found"
				}
			}
			changes, err := db.RecordVideoProbes(ctx, probes, st.at.Add(-30*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if len(changes) != st.changed {
				t.Errorf("changes %+v, want %d", changes, st.changed)
			}
			if got := siteViolation(t, db, "v-ok"); got != st.wantOK {
				t.Errorf("v-ok violation %q, want %q", got, st.wantOK)
			}
			if got := siteViolation(t, db, "v-none"); got != skygrid.ViolationNoVideo {
				t.Errorf("v-none violation %q, want the registry's no_video", got)
			}
			m, err := db.MonitorByMN(ctx, "V1")
			if err != nil {
				t.Fatal(err)
			}
			if m.VideoSeenAt == nil || !m.VideoSeenAt.Equal(st.wantSeen) || m.VideoCheckedAt == nil || !m.VideoCheckedAt.Equal(st.at) ||
				(m.VideoError == "") != st.seen {
				t.Errorf("V1 seen %v checked %v error %q; want seen %s checked %s", m.VideoSeenAt, m.VideoCheckedAt, m.VideoError, st.wantSeen, st.at)
			}
		})
	}
	audit, err := db.FindAudit(ctx, "site", "", 20)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range audit {
		if a.Action == "sites.video" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d sites.video audit lines, want 2 (offline, then back)", n)
	}
}

func siteViolation(t *testing.T, db interface {
	FindSites(context.Context, skygrid.SiteFilter) ([]*skygrid.Site, int, error)
}, id string) string {
	t.Helper()
	list, _, err := db.FindSites(context.Background(), skygrid.SiteFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if s.ExternalID == id {
			return s.Violation
		}
	}
	t.Fatalf("no site %s", id)
	return ""
}
