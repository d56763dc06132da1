package hj212sim

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/hj212"
)

var start = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // 08:00 in Datong

// runFleet runs devices for n packets each at a high rate and returns
// what the receiver took.
func runFleet(t *testing.T, rcv *testReceiver, devs []Device, n int, tune func(*Fleet)) *Fleet {
	t.Helper()
	f := &Fleet{Addr: rcv.addr(), Devices: devs, Clock: Clock{Start: start}, Rate: 200,
		Until: start.Add(time.Duration(n) * time.Minute), Timeout: 2 * time.Second, Heartbeat: -1}
	if tune != nil {
		tune(f)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := f.Run(ctx); err != nil {
		t.Fatalf("fleet: %v", err)
	}
	return f
}

func TestPacketsParse(t *testing.T) {
	tests := []struct {
		name    string
		dev     Device
		devs    []hj212.Deviation
		strict  hj212.Reason // why a strict parse refuses the packets; "" accepts
		codePM  string
		minPM10 float64 // lower and upper bounds of the PM10 value as sent
		maxPM10 float64
	}{
		{"standard", Device{MN: "STD01", PW: "123456"}, nil, "", "a34002", 0.003, 2},
		{"realtime", Device{MN: "RTD01", PW: "123456", CN: hj212.CNRealtime}, nil, "", "a34002", 0.003, 2},
		{"length counts trailer", Device{MN: "LEN01", PW: "1", Lenient: skygrid.MonitorLenient{LengthCountsTrailer: true}},
			[]hj212.Deviation{hj212.DevLengthCountsTrailer}, hj212.ReasonLength, "a34002", 0.003, 2},
		{"modbus crc", Device{MN: "MOD01", PW: "1", Lenient: skygrid.MonitorLenient{ModbusCRC: true}},
			[]hj212.Deviation{hj212.DevModbusCRC}, hj212.ReasonCRC, "a34002", 0.003, 2},
		{"lowercase hex", Device{MN: "LOW01", PW: "1", Lenient: skygrid.MonitorLenient{LowercaseHex: true}},
			[]hj212.Deviation{hj212.DevLowercaseHex}, hj212.ReasonLowerHex, "a34002", 0.003, 2},
		{"old style", Device{MN: "OLD01", PW: "1", OldStyle: true}, nil, "", "PM10", 3, 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := tt.dev.Lenient
			rcv := newTestReceiver(t, map[string]hj212.Lenient{tt.dev.MN: {LengthCountsTrailer: l.LengthCountsTrailer,
				ModbusCRC: l.ModbusCRC, LowercaseHex: l.LowercaseHex}})
			runFleet(t, rcv, []Device{tt.dev}, 30, nil)
			got, refused := rcv.packets()
			if len(refused) > 0 || len(got) != 30 {
				t.Fatalf("took %d packets, refused %v; want 30, none", len(got), refused)
			}
			strictRefused := 0
			for _, g := range got {
				checkPacket(t, g.packet, tt.dev, tt.codePM, tt.minPM10, tt.maxPM10)
				_, err := hj212.Parse([]byte(g.frame), hj212.Lenient{})
				var r *hj212.Refusal
				if errors.As(err, &r) {
					strictRefused++
					if r.Reason != tt.strict {
						t.Errorf("strict parse refused %q for %s, want %q", r.Reason, g.frame, tt.strict)
					}
					if !sameDeviations(g.packet.Deviations, tt.devs) {
						t.Errorf("deviations %v, want %v", g.packet.Deviations, tt.devs)
					}
				} else if err != nil || len(g.packet.Deviations) > 0 {
					t.Errorf("strict parse: %v, lenient parse deviations %v", err, g.packet.Deviations)
				}
			}
			// lower-case hex shows only in a CRC with a letter: most, not all
			if tt.strict == "" && strictRefused > 0 || tt.strict != "" && strictRefused < 15 {
				t.Errorf("a strict parse refused %d of 30 packets", strictRefused)
			}
		})
	}
}

func sameDeviations(a, b []hj212.Deviation) bool {
	return strings.Join(devStrings(a), "|") == strings.Join(devStrings(b), "|")
}

func devStrings(ds []hj212.Deviation) []string {
	var s []string
	for _, d := range ds {
		s = append(s, string(d))
	}
	return s
}

// checkPacket checks a data packet's head and CP: the device's MN and PW,
// an answer asked for, every factor known, flagged N, PM10 in range.
func checkPacket(t *testing.T, p hj212.Packet, d Device, codePM string, lo, hi float64) {
	t.Helper()
	if p.MN != d.MN || p.PW != d.PW || p.CN != d.command() || p.ST != "22" || !p.WantsAnswer() || !p.CP.HasDataTime {
		t.Fatalf("packet head %+v", p)
	}
	if want := map[bool]int{false: 1, true: 0}[d.OldStyle]; p.Version() != want {
		t.Errorf("flag %d: version %d, want %d", p.Flag, p.Version(), want)
	}
	if len(p.CP.Readings) != len(factorCodes) {
		t.Fatalf("%d readings, want %d", len(p.CP.Readings), len(factorCodes))
	}
	for _, r := range p.CP.Readings {
		v := r.Avg
		if d.command() == hj212.CNRealtime {
			v = r.Rtd
		}
		if r.Factor == "" || r.Flag != "N" || v == nil {
			t.Fatalf("reading %+v: unknown code, flag not N or no value", r)
		}
		if r.Code == codePM && (*v < lo || *v > hi) {
			t.Errorf("%s %g outside [%g, %g] (%s)", r.Code, *v, lo, hi, r.Unit)
		}
	}
}

func TestResendKeepsQN(t *testing.T) {
	tests := []struct {
		name string
		set  func(r *testReceiver, qn string)
	}{
		{"dropped connection", func(r *testReceiver, qn string) { r.drop = qn }},
		{"no answer in time", func(r *testReceiver, qn string) { r.mute = qn }},
		{"a command and another QN's answer", func(r *testReceiver, qn string) { r.wrong = qn }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv := newTestReceiver(t, nil)
			// the device's packet 3: its QN is the send time of the packet
			qn := hj212.FormatQN(start.Add(3 * time.Minute))
			tt.set(rcv, qn)
			f := runFleet(t, rcv, []Device{{MN: "RESEND01", PW: "123456"}}, 8, func(f *Fleet) { f.Timeout = 300 * time.Millisecond })
			got, _ := rcv.packets()
			seen := map[string]int{}
			for _, g := range got {
				seen[g.packet.QN]++
				if g.packet.CN != hj212.CNMinute {
					t.Errorf("the device sent %s: it answers nothing", g.frame)
				}
			}
			if len(got) != 9 || len(seen) != 8 || seen[qn] != 2 {
				t.Errorf("took %d packets, %d QNs, %s %d times; want 9, 8, twice", len(got), len(seen), qn, seen[qn])
			}
			if c := f.Counts(); c != (Counts{Sent: 8, Answered: 8, Resent: 1}) {
				t.Errorf("counts %+v", c)
			}
			rcv.mu.Lock()
			conns := rcv.conns
			rcv.mu.Unlock()
			if tt.name == "dropped connection" && conns != 2 {
				t.Errorf("%d connections, want 2 (one reconnection)", conns)
			}
		})
	}
}
