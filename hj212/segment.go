package hj212

import (
	"strconv"
	"strings"
	"time"
)

// Commands (CN) the platform takes and sends.
const (
	CNRealtime     = "2011" // real-time data
	CNMinute       = "2051" // minute data
	CNHour         = "2061" // hour data
	CNDay          = "2031" // day data
	CNDataAnswer   = "9014" // data response (platform to device)
	CNGetTime      = "1011" // platform asks the device's time; the device answers with 1011
	CNSetTime      = "1012" // set the device's time: the answer to a time-calibration request
	CNTimeRequest  = "1013" // the device asks for time calibration
	CNSetRtdPeriod = "1062" // set the real-time data interval (appendix A's example)
)

// Flag bits of HJ 212-2017: Flag = V5..V0 D A.
const (
	FlagAnswer = 1 << 0 // A: the sender wants an answer
	FlagSplit  = 1 << 1 // D: the packet is one part of a split message (PNUM, PNO)
)

// beijing is China Standard Time, UTC+8 (no daylight saving since 1991).
var beijing = time.FixedZone("CST", 8*3600)

// Packet is one parsed data segment.
type Packet struct {
	QN      string    // request number as sent
	QNTime  time.Time // QN read as Beijing time, in UTC
	HasQN   bool
	ST      string // system code (22 air, 32 ...)
	CN      string // command
	PW      string // access password
	MN      string // device number
	Flag    int
	HasFlag bool
	PNUM    int // number of parts of a split message, 0 if not split
	PNO     int // this part's number
	CP      CP
	Extra   map[string]string // fields the standard does not name, as sent

	// Deviations lists the lenient rules the packet was accepted through.
	Deviations []Deviation
}

// WantsAnswer says whether the packet's flag asks for an answer.
func (p Packet) WantsAnswer() bool { return p.HasFlag && p.Flag&FlagAnswer != 0 }

// Split says whether the packet is one part of a split message.
func (p Packet) Split() bool { return p.HasFlag && p.Flag&FlagSplit != 0 }

// Version is the protocol version of the flag's V bits: 1 for 2017, 0 for 2005.
func (p Packet) Version() int { return p.Flag >> 2 }

// ParseSegment parses a data segment: fields key=value separated by ';' in
// any order, CP=&&...&& among them.
func ParseSegment(seg string) (Packet, error) {
	fields, cp, err := splitSegment(seg)
	if err != nil {
		return Packet{}, err
	}
	var p Packet
	if err := p.setFields(fields); err != nil {
		return Packet{}, err
	}
	if p.CP, err = ParseCP(cp); err != nil {
		return Packet{}, err
	}
	return p, nil
}

// splitSegment takes CP=&&...&& out of the segment and splits the rest.
func splitSegment(seg string) (map[string]string, string, error) {
	start := cpStart(seg)
	if start < 0 {
		return nil, "", refuse(ReasonMissing, "no CP=&&...&& field")
	}
	end := strings.Index(seg[start+5:], "&&")
	if end < 0 {
		return nil, "", refuse(ReasonCP, "CP opened with && at byte %d is not closed with &&", start)
	}
	cp := seg[start+5 : start+5+end]
	rest := seg[:start] + seg[start+5+end+2:]
	fields := map[string]string{}
	for _, f := range strings.Split(rest, ";") {
		if f == "" {
			continue
		}
		k, v, ok := strings.Cut(f, "=")
		if !ok || k == "" {
			return nil, "", refuse(ReasonSegment, "field %q is not key=value", f)
		}
		if _, dup := fields[k]; dup || k == "CP" {
			return nil, "", refuse(ReasonSegment, "field %s given twice", k)
		}
		fields[k] = v
	}
	return fields, cp, nil
}

// cpStart is the index of the CP field: "CP=&&" at the start of the segment
// or after a ';', not inside another field's value; -1 if there is none.
func cpStart(seg string) int {
	for from := 0; from < len(seg); {
		i := strings.Index(seg[from:], "CP=&&")
		if i < 0 {
			return -1
		}
		if from+i == 0 || seg[from+i-1] == ';' {
			return from + i
		}
		from += i + 1
	}
	return -1
}

// setFields fills the packet's fields and checks the required ones.
func (p *Packet) setFields(fields map[string]string) error {
	for _, k := range []string{"ST", "CN", "PW", "MN"} {
		if fields[k] == "" {
			return refuse(ReasonMissing, "no %s field", k)
		}
	}
	p.ST, p.CN, p.PW, p.MN = fields["ST"], fields["CN"], fields["PW"], fields["MN"]
	if err := p.setQNFlag(fields); err != nil {
		return err
	}
	if err := p.setParts(fields); err != nil {
		return err
	}
	for k, v := range fields {
		switch k {
		case "QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO":
		default:
			if p.Extra == nil {
				p.Extra = map[string]string{}
			}
			p.Extra[k] = v
		}
	}
	return nil
}

func (p *Packet) setQNFlag(fields map[string]string) error {
	if qn, ok := fields["QN"]; ok {
		t, err := ParseQN(qn)
		if err != nil {
			return refuse(ReasonSegment, "QN %q is not yyyyMMddHHmmssSSS", qn)
		}
		p.QN, p.QNTime, p.HasQN = qn, t, true
	}
	if f, ok := fields["Flag"]; ok {
		v, err := strconv.Atoi(f)
		if err != nil || v < 0 || v > 255 {
			return refuse(ReasonSegment, "Flag %q is not a number 0..255", f)
		}
		p.Flag, p.HasFlag = v, true
	}
	if p.WantsAnswer() && !p.HasQN {
		return refuse(ReasonMissing, "no QN field, and Flag %d asks for an answer", p.Flag)
	}
	return nil
}

func (p *Packet) setParts(fields map[string]string) error {
	for _, k := range []string{"PNUM", "PNO"} {
		s, ok := fields[k]
		if !ok {
			continue
		}
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 || v > 9999 {
			return refuse(ReasonSegment, "%s %q is not a number 1..9999", k, s)
		}
		if k == "PNUM" {
			p.PNUM = v
		} else {
			p.PNO = v
		}
	}
	if p.Split() && (p.PNUM == 0 || p.PNO == 0 || p.PNO > p.PNUM) {
		return refuse(ReasonMissing, "a split packet needs PNUM and PNO (PNO <= PNUM)")
	}
	return nil
}

// ParseQN reads a QN (yyyyMMddHHmmssSSS, Beijing time) as a time in UTC.
func ParseQN(qn string) (time.Time, error) {
	if len(qn) != 17 || !digits(qn) {
		return time.Time{}, refuse(ReasonSegment, "QN %q is not 17 digits", qn)
	}
	t, err := time.ParseInLocation("20060102150405", qn[:14], beijing)
	if err != nil {
		return time.Time{}, refuse(ReasonSegment, "QN %q: %v", qn, err)
	}
	ms, _ := strconv.Atoi(qn[14:])
	return t.Add(time.Duration(ms) * time.Millisecond).UTC(), nil
}

// FormatQN writes a time as a QN in Beijing time.
func FormatQN(t time.Time) string {
	b := t.In(beijing)
	return b.Format("20060102150405") + strconv.Itoa(1000 + b.Nanosecond()/1e6)[1:]
}

// ParseDataTime reads a DataTime or SystemTime (yyyyMMddHHmmss, Beijing
// time) as a time in UTC.
func ParseDataTime(s string) (time.Time, error) {
	if len(s) != 14 || !digits(s) {
		return time.Time{}, refuse(ReasonCP, "time %q is not yyyyMMddHHmmss", s)
	}
	t, err := time.ParseInLocation("20060102150405", s, beijing)
	if err != nil {
		return time.Time{}, refuse(ReasonCP, "time %q: %v", s, err)
	}
	return t.UTC(), nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
