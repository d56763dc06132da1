package video

import (
	"cmp"
	"context"
	"log/slog"
	"net"
	"net/http"
	"skygrid/internal/storetest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"skygrid"

	"github.com/paulmach/orb"
)

// snapshotServer is a real HTTP server on 127.0.0.1 answering as cameras
// do and don't; the slow path answers only when the client gives up.
func snapshotServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ok.jpg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write([]byte{0xFF, 0xD8, 0xFF, 0xD9})
	})
	mux.HandleFunc("/locked.jpg", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
	})
	mux.HandleFunc("/broken.jpg", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "oops", http.StatusBadGateway)
	})
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<html>login</html>"))
	})
	mux.HandleFunc("/slow.jpg", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

func TestProbe(t *testing.T) {
	base := snapshotServer(t)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + closed.Addr().String() + "/x.jpg"
	closed.Close()
	tests := []struct {
		name, url string
		want      string // "" seen, else a part of the reason
		// the prober's timeout: 30 s when 0 (a busy machine can hold an
		// answer past 300 ms); 300 ms for the camera that never answers
		timeout time.Duration
	}{
		{"200 image", base + "/ok.jpg", "", 0},
		// The reason is read by officials: in words, the status as a number (no "Not Found").
		{"404", base + "/missing.jpg", "抓拍地址不存在（HTTP 404）", 0},
		{"401", base + "/locked.jpg", "摄像头拒绝访问，请核对账号密码（HTTP 401）", 0},
		{"502", base + "/broken.jpg", "摄像头或其平台出错（HTTP 502）", 0},
		{"timeout", base + "/slow.jpg", "300ms 内无应答", 300 * time.Millisecond},
		{"not an image", base + "/page", "不是图片", 0},
		{"connection refused", refused, "refused", 0},
		{"bad URL", "::nope", "抓拍地址无效", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Prober{Timeout: cmp.Or(tt.timeout, 30*time.Second)}
			got := p.Probe(context.Background(), tt.url)
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("Probe(%s) = %q, want %q", tt.url, got, tt.want)
			}
		})
	}
}

// ProbeAll on the real store: a camera that stops answering turns its
// site video_offline once offline_minutes pass on the injected clock.
func TestProbeAllOffline(t *testing.T) {
	var up atomic.Bool
	up.Store(true)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			http.Error(w, "camera offline", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte("\x89PNG"))
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	now := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	db := storetest.NewDB(t, "v.db")
	db.Now = func() time.Time { return now }
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	site := &skygrid.Site{Kind: skygrid.SiteConstruction, ExternalID: "c1", Name: "工地（示例）", AreaM2: 8000,
		Geometry: orb.MultiPolygon{{{{113.3, 40}, {113.301, 40}, {113.301, 40.001}, {113.3, 40.001}, {113.3, 40}}}},
		Attrs:    map[string]string{skygrid.AttrVideo: "yes", skygrid.AttrPlatformID: "DT-1"}}
	if _, err := db.ImportSites(ctx, []*skygrid.Site{site}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportMonitors(ctx, []skygrid.MonitorImport{{Monitor: skygrid.Monitor{MN: "C1", Name: "示例", Kind: skygrid.MonitorDust,
		Lon: 113.3005, Lat: 40.0005, SnapshotURL: "http://" + ln.Addr().String() + "/snap.png"}, SiteRef: "c1", Where: "line 2"}}); err != nil {
		t.Fatal(err)
	}
	p := &Prober{Store: db, Now: func() time.Time { return now }, Offline: 30 * time.Minute, Timeout: time.Second, Logger: slog.Default()}
	for _, st := range []struct {
		name    string
		advance time.Duration
		up      bool
		want    string
	}{
		{"camera up", 0, true, ""},
		{"down 25 minutes", 25 * time.Minute, false, ""},
		{"down 35 minutes", 10 * time.Minute, false, skygrid.ViolationVideoOffline},
		{"up again", 5 * time.Minute, true, ""},
	} {
		t.Run(st.name, func(t *testing.T) {
			now = now.Add(st.advance)
			up.Store(st.up)
			if _, err := p.ProbeAll(ctx); err != nil {
				t.Fatal(err)
			}
			list, _, err := db.FindSites(ctx, skygrid.SiteFilter{})
			if err != nil || len(list) != 1 {
				t.Fatalf("sites %v, %v", list, err)
			}
			if list[0].Violation != st.want {
				t.Errorf("violation %q, want %q", list[0].Violation, st.want)
			}
		})
	}
}
