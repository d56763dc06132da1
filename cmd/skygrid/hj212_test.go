package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"skygrid"
	"skygrid/internal/hj212sim"
	"skygrid/internal/storetest"
	"skygrid/store"
)

// simStart is the data time of the devices' first packet: recent, so that
// the server's pruning of minute data older than keep_minutes spares them.
var simStart = time.Now().UTC().Truncate(time.Hour).Add(-6 * time.Hour)

// A kill -9 of `skygrid serve --hj212` mid-stream loses no answered
// packet: devices send minute packets asking for answers, the server is
// killed, everything answered before is in the database; restarted on the
// same file and address, the devices reconnect and resend what was not
// answered, and in the end every reading is stored exactly once.
func TestHJ212KillNineLosesNothingAnswered(t *testing.T) {
	// A wide batch window keeps answered-but-not-yet-stored packets in
	// hand at any moment, were the receiver to answer before storing.
	const devices, packets = 20, 30
	db := storetest.DSN(t, "kill.db")
	devs := make([]hj212sim.Device, devices)
	for i := range devs {
		devs[i] = hj212sim.Device{MN: fmt.Sprintf("KILL%02d", i), PW: "123456", Name: fmt.Sprintf("示例 %d", i), Lon: 113.3, Lat: 40.08}
	}
	importDevices(t, db, devs)
	addr := freePort(t)
	window := []string{"--set", "hj212.batch_window=200ms"}
	srv := startHJ212Serve(t, db, addr, window...)
	fleet := &hj212sim.Fleet{Addr: addr, Devices: devs, Clock: hj212sim.Clock{Start: simStart}, Rate: 100,
		Until: simStart.Add(packets * time.Minute), Timeout: time.Second, Heartbeat: -1}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	fleetDone := make(chan error, 1)
	go func() { fleetDone <- fleet.Run(ctx) }()
	waitAnswered(t, fleet, devices*packets/3)
	srv.kill(t)
	atKill := make([]int64, devices)
	for i := range devs {
		atKill[i] = fleet.Devices[i].Counts().Answered
	}
	stored := storedMinutes(t, db, devs, packets)
	for i := range devs {
		if int64(len(stored[i])) < atKill[i] {
			t.Errorf("%s: %d packets answered before the kill, %d readings stored", devs[i].MN, atKill[i], len(stored[i]))
		}
	}
	srv = startHJ212Serve(t, db, addr, window...)
	if err := <-fleetDone; err != nil {
		t.Fatalf("fleet: %v (counts %+v)\n%s", err, fleet.Counts(), srv.log())
	}
	srv.stop(t)
	c := fleet.Counts()
	if c.Resent == 0 {
		t.Errorf("no packet was resent: the kill did not interrupt the stream (counts %+v)", c)
	}
	stored = storedMinutes(t, db, devs, packets)
	for i := range devs {
		n := fleet.Devices[i].Counts()
		if n.Sent != packets || n.Answered != packets || len(stored[i]) != packets {
			t.Errorf("%s: %d sent, %d answered, %d stored; want %d each", devs[i].MN, n.Sent, n.Answered, len(stored[i]), packets)
		}
		for k, p := range stored[i] {
			if want := simStart.Add(time.Duration(k) * time.Minute); !p.At.Equal(want) {
				t.Errorf("%s: reading %d at %s, want %s", devs[i].MN, k, p.At, want)
				break
			}
		}
	}
}

// waitAnswered waits until the fleet has n answers.
func waitAnswered(t *testing.T, f *hj212sim.Fleet, n int64) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for f.Counts().Answered < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d answers after a minute", f.Counts().Answered, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// storedMinutes opens the database (the server stopped) and reads each
// device's minute readings over the fleet's span.
func storedMinutes(t *testing.T, path string, devs []hj212sim.Device, packets int) [][]skygrid.SeriesPoint {
	t.Helper()
	db := store.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	out := make([][]skygrid.SeriesPoint, len(devs))
	for i, d := range devs {
		m, err := db.MonitorByMN(ctx, d.MN)
		if err != nil {
			t.Fatal(err)
		}
		out[i], err = db.ReadingSeries(ctx, m.ID, simStart, simStart.Add(time.Duration(packets)*time.Minute), skygrid.ResMinute)
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}
