// Package video probes the site monitors' snapshot URLs on a schedule and
// records when each video was last seen, so that "video offline" comes
// from the live state as well as from the registry (issue 15, §15 of the
// plan: site video connected to the supervision platform). A probe is a
// GET with a short timeout; only a 200 answer with an image/* content
// type counts as seen. No SQL here: the store is a skygrid.VideoService.
package video

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"skygrid"
)

// Defaults of the Prober.
const (
	DefaultTimeout = 5 * time.Second
	// maxImage is how much of a snapshot is read (the rest is dropped).
	maxImage = 8 << 20
	// parallel is how many snapshot URLs are fetched at once.
	parallel = 8
)

// Prober fetches every monitor's snapshot URL each Every and records the
// results; a site unseen for Offline is video_offline.
type Prober struct {
	Store   skygrid.VideoService
	Client  *http.Client // with no Timeout of its own, Timeout bounds each GET
	Timeout time.Duration
	Now     func() time.Time // the injected clock
	Every   time.Duration
	Offline time.Duration
	Logger  *slog.Logger
}

// Run probes at once and then every p.Every until ctx ends.
func (p *Prober) Run(ctx context.Context) {
	tick := time.NewTicker(p.Every)
	defer tick.Stop()
	for {
		if _, err := p.ProbeAll(ctx); err != nil && ctx.Err() == nil {
			p.Logger.Error("video probe", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// ProbeAll fetches every monitor's snapshot once, records the results and
// logs the sites whose violation changed.
func (p *Prober) ProbeAll(ctx context.Context) ([]skygrid.VideoChange, error) {
	ms, err := p.Store.VideoMonitors(ctx)
	if err != nil || len(ms) == 0 {
		return nil, err
	}
	probes := make([]skygrid.VideoProbe, len(ms))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, m := range ms {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errText := p.Probe(ctx, m.SnapshotURL)
			probes[i] = skygrid.VideoProbe{MonitorID: m.ID, At: p.Now().UTC(), Seen: errText == "", Error: errText}
		}()
	}
	wg.Wait()
	changes, err := p.Store.RecordVideoProbes(ctx, probes, p.Now().UTC().Add(-p.Offline))
	for _, c := range changes {
		p.Logger.Info("video: site violation changed", "site", c.SiteID, "from", c.From, "to", c.To)
	}
	return changes, err
}

// statusWords says why a camera's answer is not its picture, for the
// officials who read it: in words, with the status as a number.
func statusWords(code int) string {
	switch {
	case code == http.StatusNotFound:
		return fmt.Sprintf("抓拍地址不存在（HTTP %d）", code)
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return fmt.Sprintf("摄像头拒绝访问，请核对账号密码（HTTP %d）", code)
	case code >= 500:
		return fmt.Sprintf("摄像头或其平台出错（HTTP %d）", code)
	}
	return fmt.Sprintf("摄像头应答异常（HTTP %d）", code)
}

// Probe fetches url: "" when it answered 200 with an image, else why not.
func (p *Prober) Probe(ctx context.Context, url string) string {
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Sprintf("抓拍地址无效：%v", err)
	}
	client := p.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			return fmt.Sprintf("%s 内无应答", timeout)
		}
		return "连接失败：" + err.Error()
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return statusWords(resp.StatusCode)
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if !strings.HasPrefix(ct, "image/") {
		return fmt.Sprintf("返回的不是图片（%q）", resp.Header.Get("Content-Type"))
	}
	if _, err := io.Copy(io.Discard, io.LimitReader(resp.Body, maxImage)); err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			return fmt.Sprintf("%s 内未读完图片", timeout)
		}
		return fmt.Sprintf("图片不完整：%v", err)
	}
	return ""
}
