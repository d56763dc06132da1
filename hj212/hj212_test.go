package hj212

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// referencePackets reads testdata/reference_packets.txt: one frame a line,
// each with its CR LF.
func referencePackets(t testing.TB) [][]byte {
	t.Helper()
	b, err := os.ReadFile("testdata/reference_packets.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for line := range bytes.SplitAfterSeq(b, []byte("\r\n")) {
		if len(line) > 0 {
			out = append(out, line)
		}
	}
	if len(out) != 2 {
		t.Fatalf("%d reference packets, want 2", len(out))
	}
	return out
}

func TestAppendixA(t *testing.T) {
	frame := referencePackets(t)[0]
	seg := frame[6 : len(frame)-6]
	if got := CRC(seg); got != 0x1C80 {
		t.Fatalf("CRC = %04X, want 1C80", got)
	}
	p, err := Parse(frame, Lenient{})
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2016, 8, 1, 0, 58, 57, 223e6, time.UTC)
	if p.CN != CNSetRtdPeriod || p.ST != "32" || p.MN != "010000A8900016F000169DC0" || p.PW != "100000" ||
		!p.QNTime.Equal(want) || p.Flag != 5 || !p.WantsAnswer() || p.Version() != 1 ||
		p.CP.Params["RtdInterval"] != "30" || len(p.Deviations) != 0 {
		t.Fatalf("parsed %+v", p)
	}
}

func TestRealPacket(t *testing.T) {
	frame := referencePackets(t)[1]
	_, err := Parse(frame, Lenient{})
	var r *Refusal
	if !errors.As(err, &r) || r.Reason != ReasonLength {
		t.Fatalf("without the lenient length: %v, want a refusal for length", err)
	}
	p, err := Parse(frame, Lenient{LengthCountsTrailer: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Deviations) != 1 || p.Deviations[0] != DevLengthCountsTrailer {
		t.Errorf("deviations %v", p.Deviations)
	}
	if p.HasQN || p.HasFlag || p.WantsAnswer() || p.CN != CNRealtime || p.MN != "C037800AM2011" {
		t.Errorf("fields %+v", p)
	}
	if !p.CP.DataTime.Equal(time.Date(2018, 3, 28, 15, 50, 0, 0, time.UTC)) {
		t.Errorf("DataTime %v", p.CP.DataTime)
	}
	want := []struct {
		code   string
		factor Factor
		rtd    float64
	}{{"SO2", SO2, 19}, {"NO2", NO2, 25}, {"CO", CO, 0.687}, {"O3", O3, 76}, {"PM25", PM25, 75}, {"PM10", PM10, 374}}
	if len(p.CP.Readings) != len(want) {
		t.Fatalf("%d readings, want %d", len(p.CP.Readings), len(want))
	}
	for i, w := range want {
		t.Run(w.code, func(t *testing.T) {
			r := p.CP.Readings[i]
			if r.Code != w.code || r.Factor != w.factor || r.Rtd == nil || *r.Rtd != w.rtd || r.Flag != "N" || !r.Valid() {
				t.Errorf("reading %+v", r)
			}
		})
	}
	if r := p.CP.Readings[5]; r.Unit != MicrogramPerM3 {
		t.Errorf("PM10 unit %q", r.Unit)
	}
}

// seg is a valid 2017 real-time data segment used to build test packets.
const seg = "QN=20240301120000123;ST=22;CN=2011;PW=123456;MN=DEMO0001;Flag=5;" +
	"CP=&&DataTime=20240301120000;a34002-Rtd=0.215,a34002-Flag=N;a34004-Rtd=0.080,a34004-Flag=D;LA-Rtd=61.2&&"

func TestRefusals(t *testing.T) {
	good := Frame(seg)
	replace := func(old, new string) []byte { return Frame(strings.Replace(seg, old, new, 1)) }
	lower := lowerHexFrame(t)
	cases := []struct {
		name  string
		frame []byte
		want  Reason
	}{
		{"no ##", append([]byte("#!"), good[2:]...), ReasonHeader},
		{"length not digits", append([]byte("##01x1"), good[6:]...), ReasonHeader},
		{"no CR LF", good[:len(good)-2], ReasonHeader},
		{"length off by one", append([]byte("##0001"), good[6:]...), ReasonLength},
		{"bad CRC", append(append([]byte{}, good[:len(good)-6]...), "0000\r\n"...), ReasonCRC},
		{"CRC not hex", append(append([]byte{}, good[:len(good)-6]...), "00G0\r\n"...), ReasonCRC},
		{"lower-case hex", lower, ReasonLowerHex},
		{"oversized", Frame("ST=22;CN=2011;PW=1;MN=M;CP=&&" + strings.Repeat("x", MaxSegment) + "&&"), ReasonOversized},
		{"broken segment", replace(";ST=22;", ";ST22;"), ReasonSegment},
		{"field twice", replace("ST=22;", "ST=22;ST=32;"), ReasonSegment},
		{"bad QN", replace("QN=20240301120000123", "QN=2024"), ReasonSegment},
		{"missing MN", replace("MN=DEMO0001;", ""), ReasonMissing},
		{"missing PW", replace("PW=123456;", ""), ReasonMissing},
		{"missing ST", replace("ST=22;", ""), ReasonMissing},
		{"missing CN", replace("CN=2011;", ""), ReasonMissing},
		{"missing QN when an answer is asked", replace("QN=20240301120000123;", ""), ReasonMissing},
		{"missing CP", replace("CP=&&", "XP=&&"), ReasonMissing},
		{"CP only inside a value", replace("CP=&&", "XCP=&&"), ReasonMissing},
		{"CP not closed", Frame("ST=22;CN=2011;PW=1;MN=M;CP=&&a34002-Rtd=1"), ReasonCP},
		{"CP value not a number", replace("0.215", "0.2x5"), ReasonCP},
		{"CP bad DataTime", replace("DataTime=20240301120000", "DataTime=20241301120000"), ReasonCP},
		{"CP flag twice", replace("a34002-Flag=N", "a34002-Flag=N,a34002-Flag=D"), ReasonCP},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.frame, Lenient{})
			var r *Refusal
			if !errors.As(err, &r) || r.Reason != c.want || r.Detail == "" {
				t.Fatalf("Parse(%q) = %v, want a refusal for %q", c.frame, err, c.want)
			}
		})
	}
}

func TestCPAfterAValueHoldingIt(t *testing.T) {
	p, err := Parse(Frame("ST=22;CN=2011;PW=1;MN=XCP=&&1;CP=&&a34002-Rtd=0.1&&"), Lenient{})
	if err != nil {
		t.Fatal(err)
	}
	if p.MN != "XCP=&&1" || len(p.CP.Readings) != 1 {
		t.Errorf("parsed %+v", p)
	}
}

func TestLenient(t *testing.T) {
	s := []byte(seg)
	modbus := []byte(strings.ToUpper(string(Frame(seg)[:6])))
	modbus = append(append(modbus, s...), []byte(strings.ToUpper(hex4(ModbusCRC(s))))...)
	modbus = append(modbus, '\r', '\n')
	cases := []struct {
		name    string
		frame   []byte
		lenient Lenient
		want    []Deviation
	}{
		{"standard", Frame(seg), Lenient{true, true, true}, nil},
		{"modbus CRC", modbus, Lenient{ModbusCRC: true}, []Deviation{DevModbusCRC}},
		{"lower-case hex", lowerHexFrame(t), Lenient{LowercaseHex: true}, []Deviation{DevLowercaseHex}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Parse(c.frame, c.lenient)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Deviations) != len(c.want) || (len(c.want) > 0 && p.Deviations[0] != c.want[0]) {
				t.Errorf("deviations %v, want %v", p.Deviations, c.want)
			}
		})
	}
	if _, err := Parse(modbus, Lenient{}); err == nil {
		t.Error("a Modbus CRC accepted without the lenient rule")
	}
}

func hex4(v uint16) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[v>>12], digits[v>>8&15], digits[v>>4&15], digits[v&15]})
}

// lowerHexFrame is a valid frame whose CRC holds a letter, written in
// lower case.
func lowerHexFrame(t testing.TB) []byte {
	for i := range 100 {
		f := Frame(fmt.Sprintf("QN=20240301120000123;ST=22;CN=2011;PW=1;MN=M%d;Flag=4;CP=&&&&", i))
		crc := f[len(f)-6 : len(f)-2]
		if bytes.ContainsAny(crc, "ABCDEF") {
			copy(crc, bytes.ToLower(crc))
			return f
		}
	}
	t.Fatal("no CRC with a letter in 100 segments")
	return nil
}

// A data flag sent in lower case (n for N) is read as its letter: the
// whole packet, its good values with it, was refused for it.
func TestLowerCaseFlagRead(t *testing.T) {
	p, err := Parse(Frame("QN=20240301120000123;ST=22;CN=2011;PW=123456;MN=DEMO0001;Flag=5;CP=&&DataTime=20240301120000;a34002-Rtd=0.215,a34002-Flag=n&&"), Lenient{})
	if err != nil || len(p.CP.Readings) != 1 || p.CP.Readings[0].Flag != "N" {
		t.Fatalf("parsed %+v, %v", p.CP.Readings, err)
	}
	for _, bad := range []string{"NN", "1", "", "ä"} {
		_, err := Parse(Frame("QN=20240301120000123;ST=22;CN=2011;PW=123456;MN=DEMO0001;Flag=5;CP=&&a34002-Rtd=0.215,a34002-Flag="+bad+"&&"), Lenient{})
		var r *Refusal
		if !errors.As(err, &r) || r.Reason != ReasonCP {
			t.Errorf("flag %q: %v, want a CP refusal", bad, err)
		}
	}
}
