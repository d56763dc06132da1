package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"skygrid"
	"skygrid/config"
	"skygrid/receiver"
	"skygrid/store"
	"skygrid/video"
)

// startHJ212 starts the HJ 212 receiver on addr with the [hj212] limits
// and says where it listens (the address it returns); stop it with the function it returns (it
// waits up to 10 s for the packets in hand and logs the latency).
// sink is serve's readingSink: the store with the dust rules checked on
// arrival.
func (m *Main) startHJ212(addr string, sink skygrid.ReadingSink, cfg config.Config, now func() time.Time) (string, func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("serve: --hj212: %w", err)
	}
	h := cfg.HJ212
	srv := &receiver.Server{Sink: sink, Clock: now, Log: m.Logger, IdleTimeout: h.IdleTimeout.Duration,
		MaxConns: h.MaxConns, BatchWindow: h.BatchWindow.Duration, BatchMax: h.BatchMax}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, receiver.ErrServerClosed) {
			m.Logger.Error("hj212 receiver stopped", "err", err)
		}
	}()
	fmt.Fprintf(m.Stdout, "hj212 receiver listening on %s\n", ln.Addr())
	return ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	}, nil
}

// videoProber probes the monitors' snapshot URLs every [video]
// probe_minutes on the server's clock; a site unseen for offline_minutes
// is video_offline.
func (m *Main) videoProber(db *store.DB, v config.Video, now func() time.Time) *video.Prober {
	// No keep-alive: a probe every few minutes gains nothing from one, and
	// a connection dialled but left unused would hold up a server's
	// graceful shutdown (the demo probes its own server).
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, Proxy: http.ProxyFromEnvironment}}
	return &video.Prober{Store: db, Client: client, Timeout: video.DefaultTimeout, Now: now,
		Every: time.Duration(v.ProbeMinutes) * time.Minute, Offline: time.Duration(v.OfflineMinutes) * time.Minute, Logger: m.Logger}
}

// startReceiving starts the HJ 212 receiver when --hj212 is given, then
// runs mf.started (the demo's fleet) with the HTTP server's URL; stop the
// receiver with the function it returns.
func (m *Main) startReceiving(ctx context.Context, sink skygrid.ReadingSink, cfg config.Config, mf mapFlags, now func() time.Time, url string) (func(), error) {
	addr, stop := "", func() {}
	if mf.hj212 != "" {
		var err error
		if addr, stop, err = m.startHJ212(mf.hj212, sink, cfg, now); err != nil {
			return nil, err
		}
	}
	if mf.started != nil {
		if err := mf.started(ctx, url, addr); err != nil {
			stop()
			return nil, err
		}
	}
	return stop, nil
}
