package receiver_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"skygrid"
	"skygrid/hj212"
	"skygrid/receiver"
)

// now is the injected clock of the tests.
var now = time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC)

// startServer runs a receiver on 127.0.0.1 port 0 and returns its address.
func startServer(t *testing.T, sink skygrid.ReadingSink, tune func(*receiver.Server)) (string, *receiver.Server) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &receiver.Server{Sink: sink, Clock: func() time.Time { return now },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if tune != nil {
		tune(s)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; !errors.Is(err, receiver.ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return ln.Addr().String(), s
}

// device is one simulated monitor's connection.
type device struct {
	t  *testing.T
	c  net.Conn
	rd *hj212.Reader
}

func dial(t *testing.T, addr string) *device {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &device{t: t, c: c, rd: hj212.NewReader(c, 0)}
}

func (d *device) send(b []byte) {
	d.t.Helper()
	if _, err := d.c.Write(b); err != nil {
		d.t.Fatalf("send: %v", err)
	}
}

// answer reads the next packet the server sends.
func (d *device) answer() hj212.Packet {
	d.t.Helper()
	d.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	frame, err := d.rd.Next()
	if err != nil {
		d.t.Fatalf("read answer: %v", err)
	}
	p, err := hj212.Parse(frame, hj212.Lenient{})
	if err != nil {
		d.t.Fatalf("answer %q: %v", frame, err)
	}
	return p
}

// closed waits until the server closes the connection.
func (d *device) closed() bool {
	d.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := io.Copy(io.Discard, d.c)
	var ne net.Error
	return err == nil || !(errors.As(err, &ne) && ne.Timeout()) // nil at EOF, or reset by the server
}

// sync sends a packet that asks for an answer and waits for it: the
// packets sent before it on this connection have been handled.
func (d *device) sync(mn, pw string, minute int) {
	d.t.Helper()
	qn := hj212.FormatQN(now.Add(time.Duration(minute)*time.Minute + 7*time.Millisecond))
	d.send(hj212.Frame(fmt.Sprintf("QN=%s;ST=22;CN=9015;PW=%s;MN=%s;Flag=5;CP=&&&&", qn, pw, mn)))
	if a := d.answer(); a.QN != qn || a.CN != "9014" {
		d.t.Fatalf("sync answer QN %s CN %s, want QN %s CN 9014", a.QN, a.CN, qn)
	}
}

// minutePacket is a 2017 minute-data packet of minute i after now.
func minutePacket(mn, pw string, i, flag int) (string, []byte) {
	qn := hj212.FormatQN(now.Add(time.Duration(i)*time.Minute + 1500*time.Millisecond))
	return qn, minutePacketQN(mn, pw, qn, i, flag)
}

func minutePacketQN(mn, pw, qn string, i, flag int) []byte {
	at := now.Add(time.Duration(i) * time.Minute)
	seg := fmt.Sprintf("QN=%s;ST=22;CN=2051;PW=%s;MN=%s;Flag=%d;CP=&&DataTime=%s;"+
		"a34002-Avg=0.%03d,a34002-Flag=N;a34004-Avg=0.040,a34004-Flag=D;a01007-Avg=2.5&&",
		qn, pw, mn, flag, at.In(time.FixedZone("CST", 8*3600)).Format("20060102150405"), 80+i)
	return hj212.Frame(seg)
}

// eachDevice runs f for every MN at the same time and waits for them.
func eachDevice(mns []string, f func(mn string)) {
	var wg sync.WaitGroup
	for _, mn := range mns {
		wg.Add(1)
		go func() { defer wg.Done(); f(mn) }()
	}
	wg.Wait()
}

func monitor(mn string) skygrid.Monitor {
	return skygrid.Monitor{MN: mn, Password: "pw-" + mn, Kind: skygrid.MonitorDust}
}

func TestDevicesGetAnswersWhereAsked(t *testing.T) {
	mns := []string{"DEV0001", "DEV0002", "DEV0003"}
	sink := newMemSink(monitor(mns[0]), monitor(mns[1]), monitor(mns[2]))
	addr, _ := startServer(t, sink, nil)
	eachDevice(mns, func(mn string) {
		d := dial(t, addr)
		for i := range 6 {
			flag := 4 + i%2 // 5 asks for an answer, 4 does not
			qn, frame := minutePacket(mn, "pw-"+mn, i, flag)
			d.send(frame)
			if flag != 5 {
				continue
			}
			if a := d.answer(); a.QN != qn || a.CN != "9014" || a.MN != mn {
				t.Errorf("%s minute %d: answer QN %s CN %s MN %s, want QN %s", mn, i, a.QN, a.CN, a.MN, qn)
			}
		}
		d.sync(mn, "pw-"+mn, 99)
	})
	got := sink.stored()
	if len(got) != 18 {
		t.Fatalf("stored %d readings, want 18", len(got))
	}
	for _, r := range got {
		i := int(r.At.Sub(now) / time.Minute)
		if r.Kind != skygrid.ReadingMinute || r.Source != skygrid.SourceHJ212 || !r.ReceivedAt.Equal(now) {
			t.Errorf("reading %+v: kind, source or received time wrong", r)
		}
		if r.Values[skygrid.FactorPM10] != float64(80+i) || r.Values[skygrid.FactorPM25] != 40 || r.Values[skygrid.FactorWindSpeed] != 2.5 {
			t.Errorf("minute %d values %v, want PM10 %d µg/m³, PM2.5 40, ws 2.5", i, r.Values, 80+i)
		}
		if r.Flags[skygrid.FactorPM25] != "D" || r.Valid(skygrid.FactorPM25) || !r.Valid(skygrid.FactorPM10) {
			t.Errorf("minute %d flags %v: PM2.5 D kept and invalid, PM10 valid", i, r.Flags)
		}
	}
}

func TestResendsAndReconnectsStoredOnce(t *testing.T) {
	sink := newMemSink(monitor("DEV0001"))
	addr, _ := startServer(t, sink, nil)
	qn, frame := minutePacket("DEV0001", "pw-DEV0001", 0, 5)
	d := dial(t, addr)
	d.send(frame)
	d.answer()
	d.send(frame) // the answer was lost: the device resends
	if a := d.answer(); a.QN != qn {
		t.Fatalf("resend answered QN %s, want %s", a.QN, qn)
	}
	d.c.Close()
	d = dial(t, addr) // reconnects and sends it again, and the same minute under a new QN
	d.send(frame)
	d.answer()
	d.send(minutePacketQN("DEV0001", "pw-DEV0001", hj212.FormatQN(now.Add(time.Hour)), 0, 4))
	d.sync("DEV0001", "pw-DEV0001", 98)
	if got := sink.stored(); len(got) != 1 {
		t.Fatalf("stored %d readings, want 1", len(got))
	}
}

// realPacket is line 2 of testdata/reference_packets.txt: an air monitor's
// real-time packet whose length field counts the CRC and CR LF too.
func realPacket(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/reference_packets.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\r\n")
	return []byte(lines[1])
}

func TestLenientMonitor(t *testing.T) {
	tests := []struct {
		name    string
		lenient skygrid.MonitorLenient
		stored  int
		reason  string
	}{
		{"lenient for the length: accepted and flagged", skygrid.MonitorLenient{LengthCountsTrailer: true}, 1, ""},
		{"lenient for another deviation: refused", skygrid.MonitorLenient{ModbusCRC: true}, 0, string(hj212.ReasonLength)},
		{"strict: refused", skygrid.MonitorLenient{}, 0, string(hj212.ReasonLength)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := skygrid.Monitor{MN: "C037800AM2011", Password: "123456", Kind: skygrid.MonitorStation, Lenient: tt.lenient}
			sink := newMemSink(m)
			addr, _ := startServer(t, sink, nil)
			d := dial(t, addr)
			d.send(realPacket(t))
			d.sync(m.MN, m.Password, 1)
			got, rejects := sink.stored(), sink.rejected()
			if len(got) != tt.stored {
				t.Fatalf("stored %d readings, want %d (rejects %+v)", len(got), tt.stored, rejects)
			}
			if tt.stored == 1 {
				r := got[0]
				// The station's gases have no column here: left out, and said in the log.
				want := map[string]float64{skygrid.FactorPM25: 75, skygrid.FactorPM10: 374}
				if fmt.Sprint(r.Values) != fmt.Sprint(want) || r.Kind != skygrid.ReadingRealtime {
					t.Errorf("values %v kind %s, want %v rtd", r.Values, r.Kind, want)
				}
				if len(rejects) != 1 || rejects[0].Reason != receiver.ReasonUnknownFactor || !strings.Contains(rejects[0].Detail, "SO2, NO2, CO, O3") {
					t.Errorf("rejects %+v, want the gases named", rejects)
				}
				if len(r.Deviations) != 1 || r.Deviations[0] != string(hj212.DevLengthCountsTrailer) {
					t.Errorf("deviations %v, want [%s]", r.Deviations, hj212.DevLengthCountsTrailer)
				}
				wantAt := time.Date(2018, 3, 28, 15, 50, 0, 0, time.UTC)
				if !r.At.Equal(wantAt) {
					t.Errorf("data time %v, want %v", r.At, wantAt)
				}
				return
			}
			if len(rejects) != 1 || rejects[0].Reason != tt.reason || rejects[0].MN != m.MN || rejects[0].Remote == "" ||
				!strings.HasPrefix(rejects[0].Packet, "##0223ST=22;CN=2011") {
				t.Errorf("rejects %+v, want one %q naming MN, remote and the packet", rejects, tt.reason)
			}
		})
	}
}

func TestRefusalsKeepTheConnection(t *testing.T) {
	_, good := minutePacket("DEV0001", "pw-DEV0001", 0, 4)
	badCRC := append([]byte(nil), good...)
	badCRC[len(badCRC)-3] ^= 1 // a hex digit of the CRC changes
	tests := []struct {
		name   string
		frame  []byte
		mn     string
		reason string
	}{
		{"unknown MN", hj212.Frame("QN=20261205100000000;ST=22;CN=2051;PW=x;MN=NOSUCH;Flag=4;CP=&&a34002-Avg=0.1&&"), "NOSUCH", receiver.ReasonUnknownMN},
		{"wrong PW", hj212.Frame("QN=20261205100000000;ST=22;CN=2051;PW=guess;MN=DEV0001;Flag=5;CP=&&a34002-Avg=0.1&&"), "DEV0001", receiver.ReasonWrongPW},
		{"bad CRC", badCRC, "DEV0001", string(hj212.ReasonCRC)},
		{"broken segment", hj212.Frame("QN=1;ST=22;CN=2051;PW=pw-DEV0001;MN=DEV0001;Flag=4;CP=&&&&"), "DEV0001", string(hj212.ReasonSegment)},
		{"oversized", append(append([]byte("##1030"), bytes.Repeat([]byte("A"), 1100)...), "\r\n"...), "", string(hj212.ReasonOversized)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := newMemSink(monitor("DEV0001"))
			addr, _ := startServer(t, sink, nil)
			d := dial(t, addr)
			d.send(tt.frame)
			d.sync("DEV0001", "pw-DEV0001", 1) // answered: the connection stayed open
			rejects := sink.rejected()
			if len(rejects) != 1 || rejects[0].Reason != tt.reason || rejects[0].MN != tt.mn || len(rejects[0].Packet) > 256 {
				t.Fatalf("rejects %+v, want one %q for MN %q, at most 256 bytes kept", rejects, tt.reason, tt.mn)
			}
			if n := len(sink.stored()); n != 0 {
				t.Errorf("stored %d readings of a refused packet", n)
			}
		})
	}
}

func TestGarbageFloodClosesTheConnection(t *testing.T) {
	sink := newMemSink(monitor("DEV0001"))
	addr, _ := startServer(t, sink, func(s *receiver.Server) { s.GarbageLimit = 8 << 10 })
	d := dial(t, addr)
	d.sync("DEV0001", "pw-DEV0001", 1)
	go d.c.Write(bytes.Repeat([]byte("garbage\r\n"), 4<<10)) // 36 KiB without ##
	if !d.closed() {
		t.Fatal("the connection was not closed after a garbage flood")
	}
	rejects := sink.rejected()
	last := rejects[len(rejects)-1]
	if last.Reason != receiver.ReasonGarbage || len(rejects) > 12 {
		t.Errorf("%d rejects, the last %+v; want a few, the last %q", len(rejects), last, receiver.ReasonGarbage)
	}
	d2 := dial(t, addr) // the server goes on
	d2.sync("DEV0001", "pw-DEV0001", 2)
}

func TestSinkFailureMeansNoAnswer(t *testing.T) {
	tests := []struct {
		name         string
		fail, failMN string
		connClosed   bool
	}{
		{"StoreReadings fails", "error", "", false},
		{"StoreReadings panics", "panic", "", false},
		{"MonitorByMN panics", "", "DEV0001", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := newMemSink(monitor("DEV0001"), monitor("DEV0002"))
			addr, _ := startServer(t, sink, nil)
			d := dial(t, addr)
			sink.set(tt.fail, tt.failMN)
			_, frame := minutePacket("DEV0001", "pw-DEV0001", 0, 5)
			d.send(frame)
			if tt.connClosed {
				if !d.closed() {
					t.Fatal("the connection that panicked was not closed")
				}
			} else {
				d.sync("DEV0002", "pw-DEV0002", 1) // the first answer is the sync's: none for the failed packet
			}
			sink.set("", "")
			d2 := dial(t, addr) // the server is alive; the device resends what was not answered
			d2.send(frame)
			d2.answer()
			if n := len(sink.stored()); n != 1 {
				t.Errorf("stored %d readings after the resend, want 1", n)
			}
		})
	}
}

func TestTimeCalibrationAndHeartbeats(t *testing.T) {
	sink := newMemSink(monitor("DEV0001"))
	addr, _ := startServer(t, sink, nil)
	d := dial(t, addr)
	d.send(hj212.Frame("QN=20261205100000000;ST=22;CN=1013;PW=pw-DEV0001;MN=DEV0001;Flag=5;CP=&&PolId=a34002&&"))
	a := d.answer()
	if a.CN != hj212.CNSetTime || a.CP.Params["SystemTime"] != "20261205100000" || a.MN != "DEV0001" {
		t.Errorf("time answer CN %s CP %v, want 1012 with SystemTime 20261205100000 (the clock in Beijing time)", a.CN, a.CP.Params)
	}
	tests := []struct{ name, seg string }{
		{"9015 heartbeat", "QN=20261205100001000;ST=22;CN=9015;PW=pw-DEV0001;MN=DEV0001;Flag=5;CP=&&&&"},
		{"empty real-time packet", "QN=20261205100002000;ST=22;CN=2011;PW=pw-DEV0001;MN=DEV0001;Flag=5;CP=&&DataTime=20261205100000&&"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d.send(hj212.Frame(tt.seg))
			if a := d.answer(); a.CN != "9014" || !strings.HasPrefix(tt.seg, "QN="+a.QN) {
				t.Errorf("answer CN %s QN %s, want 9014 echoing the QN", a.CN, a.QN)
			}
		})
	}
	if n := len(sink.stored()); n != 0 {
		t.Errorf("stored %d readings of heartbeats", n)
	}
}

func TestBatchStoresManyDevicesAtOnce(t *testing.T) {
	mns := []string{"DEV0001", "DEV0002", "DEV0003"}
	sink := newMemSink(monitor(mns[0]), monitor(mns[1]), monitor(mns[2]))
	// the batch closes only when full: three devices' packets, one call
	addr, _ := startServer(t, sink, func(s *receiver.Server) { s.BatchWindow, s.BatchMax = time.Hour, 3 })
	eachDevice(mns, func(mn string) {
		d := dial(t, addr)
		qn, frame := minutePacket(mn, "pw-"+mn, 0, 5)
		d.send(frame)
		if a := d.answer(); a.QN != qn {
			t.Errorf("%s answered QN %s, want %s", mn, a.QN, qn)
		}
	})
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if sink.calls != 1 || len(sink.readings) != 3 {
		t.Errorf("%d StoreReadings calls stored %d readings, want 1 call of 3", sink.calls, len(sink.readings))
	}
}

func TestConnectionLimits(t *testing.T) {
	t.Run("cap", func(t *testing.T) {
		sink := newMemSink(monitor("DEV0001"))
		addr, _ := startServer(t, sink, func(s *receiver.Server) { s.MaxConns = 1 })
		d := dial(t, addr)
		d.sync("DEV0001", "pw-DEV0001", 1)
		if !dial(t, addr).closed() {
			t.Error("a connection over the cap was kept")
		}
		d.sync("DEV0001", "pw-DEV0001", 2)
	})
	t.Run("idle", func(t *testing.T) {
		sink := newMemSink(monitor("DEV0001"))
		addr, _ := startServer(t, sink, func(s *receiver.Server) { s.IdleTimeout = 100 * time.Millisecond })
		d := dial(t, addr)
		d.sync("DEV0001", "pw-DEV0001", 1)
		if !d.closed() {
			t.Error("an idle connection was kept")
		}
	})
}

func TestLenientCRC(t *testing.T) {
	seg := "QN=20261205100000000;ST=22;CN=2051;PW=pw-DEV0001;MN=DEV0001;Flag=4;CP=&&DataTime=20261205100000;a34002-Avg=0.120,a34002-Flag=N&&"
	modbus := []byte(fmt.Sprintf("##%04d%s%04X\r\n", len(seg), seg, hj212.ModbusCRC([]byte(seg))))
	lower := []byte(fmt.Sprintf("##%04d%s%04x\r\n", len(seg), seg, hj212.CRC([]byte(seg))))
	if !bytes.ContainsAny(lower[len(lower)-6:], "abcdef") {
		t.Fatalf("the test's CRC %q has no letter: pick another segment", lower[len(lower)-6:])
	}
	tests := []struct {
		name      string
		frame     []byte
		lenient   skygrid.MonitorLenient
		deviation string // "" when refused
		reason    string
	}{
		{"Modbus CRC, lenient", modbus, skygrid.MonitorLenient{ModbusCRC: true}, string(hj212.DevModbusCRC), ""},
		{"Modbus CRC, strict", modbus, skygrid.MonitorLenient{}, "", string(hj212.ReasonCRC)},
		{"lower-case hex, lenient", lower, skygrid.MonitorLenient{LowercaseHex: true}, string(hj212.DevLowercaseHex), ""},
		{"lower-case hex, lenient for Modbus only", lower, skygrid.MonitorLenient{ModbusCRC: true}, "", string(hj212.ReasonLowerHex)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := monitor("DEV0001")
			m.Lenient = tt.lenient
			sink := newMemSink(m)
			addr, _ := startServer(t, sink, nil)
			d := dial(t, addr)
			d.send(tt.frame)
			d.sync(m.MN, m.Password, 1)
			got, rejects := sink.stored(), sink.rejected()
			if tt.deviation == "" {
				if len(got) != 0 || len(rejects) != 1 || rejects[0].Reason != tt.reason || rejects[0].MN != m.MN {
					t.Fatalf("stored %d, rejects %+v; want none stored, one %q for %s", len(got), rejects, tt.reason, m.MN)
				}
				return
			}
			if len(got) != 1 || fmt.Sprint(got[0].Deviations) != "["+tt.deviation+"]" || got[0].Values[skygrid.FactorPM10] != 120 {
				t.Fatalf("stored %+v (rejects %+v); want one reading of PM10 120 µg/m³ flagged %q", got, rejects, tt.deviation)
			}
		})
	}
}

func TestMonitorLookupFailureMeansNoAnswer(t *testing.T) {
	sink := &failingLookup{memSink: newMemSink(monitor("DEV0001"), monitor("DEV0002")), mn: "DEV0001"}
	addr, _ := startServer(t, sink, nil)
	d := dial(t, addr)
	_, frame := minutePacket("DEV0001", "pw-DEV0001", 0, 5)
	d.send(frame)
	d.sync("DEV0002", "pw-DEV0002", 1) // the first answer is the sync's
	if n, r := len(sink.stored()), len(sink.rejected()); n != 0 || r != 0 {
		t.Errorf("stored %d, rejected %d when the monitor could not be looked up; want neither (the device resends)", n, r)
	}
}

// failingLookup is memSink whose MonitorByMN fails (not "not found") for mn.
type failingLookup struct {
	*memSink
	mn string
}

func (s *failingLookup) MonitorByMN(ctx context.Context, mn string) (skygrid.Monitor, error) {
	if mn == s.mn {
		return skygrid.Monitor{}, errors.New("database is locked")
	}
	return s.memSink.MonitorByMN(ctx, mn)
}

// One device's packet the store refuses does not take down the packets
// of the other devices stored in the same batch (all were left unanswered,
// to be sent again and fail again, while the first device kept sending).
func TestOneBadPacketFailsNoOther(t *testing.T) {
	sink := newMemSink(monitor("DEV0001"), monitor("DEV0002"), monitor("DEV0003"))
	sink.poison = func(r skygrid.Reading) bool { return r.MonitorID == 1 }
	addr, _ := startServer(t, sink, func(s *receiver.Server) { s.BatchWindow = 300 * time.Millisecond })
	answered := map[string]bool{}
	var mu sync.Mutex
	eachDevice([]string{"DEV0001", "DEV0002", "DEV0003"}, func(mn string) {
		d := dial(t, addr)
		_, frame := minutePacket(mn, "pw-"+mn, 0, 5)
		d.send(frame)
		if mn == "DEV0001" {
			d.sync(mn, "pw-"+mn, 1) // its first answer is the sync's: none for the refused packet
			return
		}
		a := d.answer()
		mu.Lock()
		answered[mn] = a.CN == "9014"
		mu.Unlock()
	})
	stored := map[int64]int{}
	for _, r := range sink.stored() {
		stored[r.MonitorID]++
	}
	if !answered["DEV0002"] || !answered["DEV0003"] || stored[2] != 1 || stored[3] != 1 || stored[1] != 0 {
		t.Errorf("answered %v, stored by monitor %v: want the two good devices answered and stored, the bad one neither", answered, stored)
	}
}

// A packet with a factor the store has no column for (SO2 of a station, a
// vendor's own code) stores the factors it can, is answered, and the
// codes left out are in the refused-packets log for the operator (the
// whole packet failed the store, unanswered, the log blaming the store).
// The log keeps no password.
func TestUnknownFactorsLeftOutAndLogged(t *testing.T) {
	sink := newMemSink(monitor("DEV0001"))
	addr, _ := startServer(t, sink, nil)
	d := dial(t, addr)
	qn := hj212.FormatQN(now.Add(1500 * time.Millisecond))
	d.send(hj212.Frame(fmt.Sprintf("QN=%s;ST=22;CN=2051;PW=pw-DEV0001;MN=DEV0001;Flag=5;CP=&&DataTime=%s;"+
		"a34002-Avg=0.080,a34002-Flag=N;a21026-Avg=0.010,a21026-Flag=N;a99999-Avg=3.5&&",
		qn, now.In(time.FixedZone("CST", 8*3600)).Format("20060102150405"))))
	if a := d.answer(); a.QN != qn || a.CN != "9014" {
		t.Fatalf("answer QN %s CN %s, want 9014 for %s", a.QN, a.CN, qn)
	}
	rs := sink.stored()
	if len(rs) != 1 || len(rs[0].Values) != 1 || rs[0].Values[skygrid.FactorPM10] != 80 {
		t.Fatalf("stored %+v, want PM10 80 alone", rs)
	}
	// The next minute's packet says the same: logged once an hour, not once a packet.
	qn2 := hj212.FormatQN(now.Add(time.Minute + 1500*time.Millisecond))
	d.send(hj212.Frame(fmt.Sprintf("QN=%s;ST=22;CN=2051;PW=pw-DEV0001;MN=DEV0001;Flag=5;CP=&&DataTime=%s;"+
		"a34002-Avg=0.081,a34002-Flag=N;a21026-Avg=0.010,a21026-Flag=N;a99999-Avg=3.5&&",
		qn2, now.Add(time.Minute).In(time.FixedZone("CST", 8*3600)).Format("20060102150405"))))
	if a := d.answer(); a.QN != qn2 || a.CN != "9014" {
		t.Fatalf("answer QN %s CN %s, want 9014 for %s", a.QN, a.CN, qn2)
	}
	rj := sink.rejected()
	if len(sink.stored()) != 2 || len(rj) != 1 || rj[0].Reason != receiver.ReasonUnknownFactor || rj[0].MN != "DEV0001" ||
		!strings.Contains(rj[0].Detail, "a21026") || !strings.Contains(rj[0].Detail, "a99999") ||
		strings.Contains(rj[0].Packet, "pw-DEV0001") || !strings.Contains(rj[0].Packet, "PW=***") {
		t.Errorf("the log: %+v", rj)
	}
}
