package hj212

import (
	"testing"
	"time"
)

func TestBuildersRoundTrip(t *testing.T) {
	now := time.Date(2024, 3, 1, 4, 5, 6, 789e6, time.UTC)
	req, err := Parse(Frame(seg), Lenient{})
	if err != nil {
		t.Fatal(err)
	}
	timeReq, err := Parse(Frame("QN=20240301120000001;ST=22;CN=1013;PW=123456;MN=DEMO0001;Flag=5;CP=&&&&"), Lenient{})
	if err != nil {
		t.Fatal(err)
	}
	noQN := Packet{ST: "22", CN: CNRealtime, PW: "123456", MN: "OLD1"}
	cases := []struct {
		name  string
		frame []byte
		check func(Packet) bool
	}{
		{"9014 echoes the QN", Answer9014(req, now), func(p Packet) bool {
			return p.CN == CNDataAnswer && p.ST == "91" && p.QN == req.QN && p.MN == req.MN && p.PW == req.PW &&
				p.Flag == 4 && !p.WantsAnswer() && len(p.CP.Readings) == 0
		}},
		{"9014 without a QN uses now", Answer9014(noQN, now), func(p Packet) bool {
			return p.QN == "20240301120506789" && p.QNTime.Equal(now) && p.MN == "OLD1"
		}},
		{"time answer", TimeAnswer(timeReq, now), func(p Packet) bool {
			return p.CN == CNSetTime && p.ST == "22" && p.MN == "DEMO0001" && p.QNTime.Equal(now) &&
				p.CP.Params["SystemTime"] == "20240301120506" && p.WantsAnswer()
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Parse(c.frame, Lenient{})
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.frame, err)
			}
			if !c.check(p) {
				t.Errorf("read back %+v from %q", p, c.frame)
			}
		})
	}
}

func TestUnits(t *testing.T) {
	cases := []struct {
		name string
		code string
		v    float64
		want float64
		ok   bool
	}{
		{"2017 PM10 in mg/m³", "a34002", 0.215, 215, true},
		{"2017 TSP in mg/m³", "a34001", 0.8, 800, true},
		{"old PM10 in µg/m³", "PM10", 374, 374, true},
		{"old PM2.5 name", "PM25", 75, 75, true},
		{"noise is no concentration", "LA", 61, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, unit, known := Lookup(c.code)
			got, ok := Microgram(c.v, unit)
			if !known || ok != c.ok || (ok && (got < c.want-1e-9 || got > c.want+1e-9)) {
				t.Errorf("Microgram(%v, %q) = %v, %v; want %v, %v", c.v, unit, got, ok, c.want, c.ok)
			}
		})
	}
}

func TestFlags(t *testing.T) {
	p, err := Parse(Frame(seg), Lenient{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		code  string
		flag  string
		valid bool
	}{{"a34002", "N", true}, {"a34004", "D", false}, {"LA", "", true}}
	for i, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			r := p.CP.Readings[i]
			if r.Code != c.code || r.Flag != c.flag || r.Valid() != c.valid {
				t.Errorf("reading %+v, want flag %q valid %v", r, c.flag, c.valid)
			}
		})
	}
}

func TestSplitPacket(t *testing.T) {
	cases := []struct {
		name string
		seg  string
		ok   bool
	}{
		{"split with parts", "QN=20240301120000123;ST=22;CN=2051;PW=1;MN=M;Flag=7;PNUM=3;PNO=2;CP=&&&&", true},
		{"split without parts", "QN=20240301120000123;ST=22;CN=2051;PW=1;MN=M;Flag=7;CP=&&&&", false},
		{"PNO over PNUM", "QN=20240301120000123;ST=22;CN=2051;PW=1;MN=M;Flag=7;PNUM=2;PNO=3;CP=&&&&", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Parse(Frame(c.seg), Lenient{})
			if (err == nil) != c.ok {
				t.Fatalf("Parse: %v, want ok %v", err, c.ok)
			}
			if c.ok && (!p.Split() || p.PNUM != 3 || p.PNO != 2) {
				t.Errorf("parts %+v", p)
			}
		})
	}
}
