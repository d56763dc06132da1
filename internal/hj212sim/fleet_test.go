package hj212sim

import (
	"fmt"
	"testing"
	"time"

	"skygrid/hj212"
)

func TestPacing(t *testing.T) {
	const devices, each = 20, 20
	rcv := newTestReceiver(t, nil)
	// when device 0's 10th packet arrives, the others have sent about as many
	var atTenth int
	tenth := hj212.FormatQN(start.Add(9 * time.Minute))
	rcv.onPacket = func(n int, p hj212.Packet) {
		if p.MN == "PACE00" && p.QN == tenth {
			atTenth = n
		}
	}
	var devs []Device
	for i := range devices {
		devs = append(devs, Device{MN: fmt.Sprintf("PACE%02d", i), PW: "1"})
	}
	f := runFleet(t, rcv, devs, each, func(f *Fleet) { f.Rate = 400 })
	got, _ := rcv.packets()
	if len(got) != devices*each || f.Counts().Sent != devices*each {
		t.Errorf("took %d packets, sent %d; want %d", len(got), f.Counts().Sent, devices*each)
	}
	// packet 10 of device 0 is due after 9 rounds and before the others' 10th:
	// 9×20+1 packets are due by then; allow for scheduling either way
	if atTenth < 150 || atTenth > 230 {
		t.Errorf("%d packets taken when device 0 sent its 10th, want about 181", atTenth)
	}
}

func TestSilentAndHeartbeat(t *testing.T) {
	rcv := newTestReceiver(t, nil)
	devs := []Device{{MN: "SILENT01", PW: "1", Profile: Profile{SilentAfter: 5 * time.Minute}}, {MN: "BEAT01", PW: "1"}}
	// two packets a second per device, heartbeat after 100 ms quiet
	f := runFleet(t, rcv, devs, 6, func(f *Fleet) { f.Rate = 4; f.Heartbeat = 100 * time.Millisecond })
	got, _ := rcv.packets()
	data := map[string]int{}
	beats := 0
	for _, g := range got {
		if g.packet.CN == HeartbeatCN {
			beats++
			if g.packet.WantsAnswer() || len(g.packet.CP.Readings) > 0 {
				t.Errorf("heartbeat asks an answer or carries readings: %s", g.frame)
			}
			continue
		}
		data[g.packet.MN]++
	}
	if data["SILENT01"] != 5 || data["BEAT01"] != 6 {
		t.Errorf("data packets %v, want SILENT01 5 (silent after 5 minutes), BEAT01 6", data)
	}
	c := f.Counts()
	if beats == 0 || int64(beats) != c.Heartbeats {
		t.Errorf("receiver took %d heartbeats, devices counted %d; want some, equal", beats, c.Heartbeats)
	}
}

func TestDeterministic(t *testing.T) {
	segments := func(seed uint64) map[string]string {
		rcv := newTestReceiver(t, nil)
		devs := []Device{{MN: "DET01", PW: "1", Profile: Profile{Excess: 30}}, {MN: "DET02", PW: "1", OldStyle: true}}
		runFleet(t, rcv, devs, 10, func(f *Fleet) { f.Seed = seed })
		got, _ := rcv.packets()
		out := map[string]string{}
		for _, g := range got {
			out[g.packet.MN+g.packet.QN] = g.frame
		}
		return out
	}
	a, b, c := segments(7), segments(7), segments(8)
	if len(a) != 20 {
		t.Fatalf("%d packets, want 20", len(a))
	}
	same := 0
	for k, v := range a {
		if b[k] != v {
			t.Errorf("seed 7 twice: %s differs:\n%s\n%s", k, v, b[k])
		}
		if c[k] == v {
			same++
		}
	}
	if same > 0 {
		t.Errorf("seeds 7 and 8 gave %d identical packets", same)
	}
}

func TestSchedules(t *testing.T) {
	r0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		fleet  Fleet
		period time.Duration // real time between a device's packets
	}{
		{"rate: 4 devices at 2 packets a second", Fleet{Rate: 2}, 2 * time.Second},
		{"clock 60 times real time", Fleet{Clock: Clock{Speed: 60}}, time.Second},
		{"real time, 5-minute interval", Fleet{Interval: 5 * time.Minute}, 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.fleet
			f.Clock.Start = start.Add(30 * time.Second)
			f.Devices = make([]Device, 4)
			for i, s := range f.schedules(r0, Air{PM10: 60}) {
				offset := tt.period * time.Duration(i) / 4
				if s.period != tt.period || !s.r0.Equal(r0.Add(offset)) || !s.t0.Equal(start) {
					t.Errorf("device %d: period %v, first due %v, first data time %v; want %v, %v, %v",
						i, s.period, s.r0.Sub(r0), s.t0, tt.period, offset, start)
				}
			}
		})
	}
	t.Run("first packets together", func(t *testing.T) {
		f := Fleet{Clock: Clock{Start: start.Add(30 * time.Second)}, Devices: make([]Device, 4), FirstTogether: true}
		for i, s := range f.schedules(r0, Air{PM10: 60}) {
			due0, qn0 := s.due(0)
			due1, qn1 := s.due(1)
			offset := time.Minute * time.Duration(i) / 4
			if !due0.Equal(r0) || !qn0.Equal(f.Clock.Start) {
				t.Errorf("device %d: first packet due %v with QN %v; want %v, %v", i, due0.Sub(r0), qn0, time.Duration(0), f.Clock.Start)
			}
			if !due1.Equal(r0.Add(time.Minute+offset)) || !qn1.Equal(f.Clock.Start.Add(time.Minute+offset)) {
				t.Errorf("device %d: second packet due %v with QN %v; want %v, %v", i, due1.Sub(r0), qn1, time.Minute+offset, f.Clock.Start.Add(time.Minute+offset))
			}
		}
	})
}
