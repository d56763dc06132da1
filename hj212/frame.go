package hj212

import (
	"fmt"
	"strconv"
)

// MaxSegment is the standard's limit of a data segment, in bytes.
const MaxSegment = 1024

// overhead is what a frame holds besides its data segment: "##", the
// length, the CRC and CR LF.
const overhead = 2 + 4 + 4 + 2

// MaxFrame is the largest frame the standard allows.
const MaxFrame = MaxSegment + overhead

// Reason names why a packet was refused.
type Reason string

// The reasons of a refusal.
const (
	ReasonHeader    Reason = "header"        // no "##", no 4-digit length or no CR LF
	ReasonLength    Reason = "length"        // the length field is not the data segment's
	ReasonCRC       Reason = "crc"           // the CRC is not the segment's, or not hex
	ReasonLowerHex  Reason = "lowercase hex" // the CRC is written in lower-case hex
	ReasonOversized Reason = "oversized"     // larger than the standard or the cap allows
	ReasonSegment   Reason = "segment"       // a field without '=', twice, or a bad QN/Flag/PNUM/PNO
	ReasonMissing   Reason = "missing field" // QN, ST, CN, MN, PW or Flag missing
	ReasonCP        Reason = "cp"            // the CP field is broken
)

// Refusal is the error of a packet that is refused.
type Refusal struct {
	Reason Reason
	Detail string
}

func (r *Refusal) Error() string { return "hj212: " + string(r.Reason) + ": " + r.Detail }

func refuse(reason Reason, format string, args ...any) *Refusal {
	return &Refusal{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// Lenient lists the deviations from the standard accepted from a device;
// the caller decides them per device.
type Lenient struct {
	LengthCountsTrailer bool // the length field counts the CRC and CR LF too
	ModbusCRC           bool // the CRC is the Modbus CRC-16
	LowercaseHex        bool // the CRC is written in lower-case hex
}

// Deviation names a lenient rule a packet was accepted through.
type Deviation string

// The deviations, one per Lenient field.
const (
	DevLengthCountsTrailer Deviation = "length counts trailer"
	DevModbusCRC           Deviation = "modbus crc"
	DevLowercaseHex        Deviation = "lowercase hex"
)

// Parse checks a whole frame ("##" to CR LF) and parses its data segment.
// A refused packet gives a *Refusal.
func Parse(frame []byte, lenient Lenient) (Packet, error) {
	seg, devs, err := unframe(frame, lenient)
	if err != nil {
		return Packet{}, err
	}
	p, err := ParseSegment(string(seg))
	if err != nil {
		return Packet{}, err
	}
	p.Deviations = devs
	return p, nil
}

// unframe checks the header, length, CRC and trailer of a frame and returns
// its data segment with the deviations it was accepted through.
func unframe(frame []byte, lenient Lenient) ([]byte, []Deviation, error) {
	n := len(frame)
	if n < overhead || frame[0] != '#' || frame[1] != '#' {
		return nil, nil, refuse(ReasonHeader, "a packet starts with ## and holds at least %d bytes", overhead)
	}
	if frame[n-2] != '\r' || frame[n-1] != '\n' {
		return nil, nil, refuse(ReasonHeader, "a packet ends with CR LF")
	}
	length, ok := decimal4(frame[2:6])
	if !ok {
		return nil, nil, refuse(ReasonHeader, "length %q is not 4 decimal digits", frame[2:6])
	}
	if n > MaxFrame || length > MaxSegment+6 {
		return nil, nil, refuse(ReasonOversized, "data segment over %d bytes", MaxSegment)
	}
	seg := frame[6 : n-6]
	var devs []Deviation
	switch {
	case length == len(seg):
	case lenient.LengthCountsTrailer && length == len(seg)+6:
		devs = append(devs, DevLengthCountsTrailer)
	default:
		return nil, nil, refuse(ReasonLength, "length field says %d, the data segment has %d bytes", length, len(seg))
	}
	crcDevs, err := checkCRC(seg, frame[n-6:n-2], lenient)
	if err != nil {
		return nil, nil, err
	}
	return seg, append(devs, crcDevs...), nil
}

// checkCRC compares the 4 hex digits sent with the segment's CRC.
func checkCRC(seg, hex []byte, lenient Lenient) ([]Deviation, error) {
	var devs []Deviation
	for _, c := range hex {
		if c >= 'a' && c <= 'f' {
			if !lenient.LowercaseHex {
				return nil, refuse(ReasonLowerHex, "CRC %q is in lower-case hex", hex)
			}
			devs = append(devs, DevLowercaseHex)
			break
		}
	}
	sent, err := strconv.ParseUint(string(hex), 16, 16)
	if err != nil || hex[0] == '+' || hex[0] == '-' {
		return nil, refuse(ReasonCRC, "CRC %q is not 4 hex digits", hex)
	}
	switch uint16(sent) {
	case CRC(seg):
		return devs, nil
	case ModbusCRC(seg):
		if lenient.ModbusCRC {
			return append(devs, DevModbusCRC), nil
		}
	}
	return nil, refuse(ReasonCRC, "CRC %q, the data segment's is %04X", hex, CRC(seg))
}

func decimal4(b []byte) (int, bool) {
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// Frame wraps a data segment into a packet: "##", its length, the segment,
// its CRC in upper-case hex and CR LF.
func Frame(segment string) []byte {
	return fmt.Appendf(nil, "##%04d%s%04X\r\n", len(segment), segment, CRC([]byte(segment)))
}
