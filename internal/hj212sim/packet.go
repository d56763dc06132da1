package hj212sim

import (
	"strconv"
	"time"

	"skygrid"
	"skygrid/hj212"
)

// HeartbeatCN is the command of the heartbeat a device sends when idle.
// HJ 212-2017 names no heartbeat; devices in the field send a short packet
// of a vendor's command with an empty CP. The simulator sends CN 9015 with
// Flag 4 (no answer wanted): a convention, not the standard's.
const HeartbeatCN = "9015"

// factorCodes are the codes a device sends, 2017 codes and 2005-era names.
var factorCodes = [...]struct{ code2017, old string }{
	{"a34002", "PM10"}, {"a34004", "PM25"}, {"a34001", "TSP"}, {"a01001", "TEM"}, {"a01002", "RH"},
	{"a01006", "PA"}, {"a01007", "WS"}, {"a01008", "WD"}, {"LA", "Leq"},
}

// appendSegment appends a data packet's segment: the 2017 codes with the
// particulates in mg/m³, or for an old-style device the 2005-era names in
// µg/m³ (pressure then goes under the 2017 code, having no old name here).
func appendSegment(b []byte, d *Device, qn time.Time, at time.Time, v *Values) []byte {
	b = appendHead(b, d, qn, d.command())
	b = append(b, "CP=&&DataTime="...)
	b = at.In(beijing).AppendFormat(b, "20060102150405")
	vals := [...]float64{v.PM10, v.PM25, v.TSP, v.Temp, v.RH, v.Pressure, v.WS, v.WD, v.Noise}
	for i, c := range factorCodes {
		x, prec := vals[i], 1
		code := c.code2017
		switch {
		case i < 3 && d.OldStyle:
			code = c.old
		case i < 3:
			x, prec = x/1000, 3 // µg/m³ to mg/m³, the 2017 codes' unit
		case d.OldStyle && c.old != "PA":
			code = c.old
		}
		b = append(b, ';')
		b = appendFactor(b, code, d.command(), x, prec)
	}
	return append(b, "&&"...)
}

// appendFactor appends CODE-Rtd=x (real-time) or CODE-Min,Avg,Max (minute),
// and CODE-Flag=N.
func appendFactor(b []byte, code, cn string, x float64, prec int) []byte {
	if cn == hj212.CNRealtime {
		b = appendAttr(b, code, "-Rtd=", x, prec)
	} else {
		b = appendAttr(b, code, "-Min=", x*0.9, prec)
		b = append(b, ',')
		b = appendAttr(b, code, "-Avg=", x, prec)
		b = append(b, ',')
		b = appendAttr(b, code, "-Max=", x*1.1, prec)
	}
	b = append(b, ',')
	b = append(b, code...)
	return append(b, "-Flag=N"...)
}

func appendAttr(b []byte, code, attr string, x float64, prec int) []byte {
	b = append(b, code...)
	b = append(b, attr...)
	return strconv.AppendFloat(b, x, 'f', prec, 64)
}

// appendHead appends QN, ST, CN, PW, MN and Flag: 5 (2017, answer wanted)
// or 1 for an old-style device (2005, answer wanted); 4 for a heartbeat.
func appendHead(b []byte, d *Device, qn time.Time, cn string) []byte {
	b = append(b, "QN="...)
	b = append(b, hj212.FormatQN(qn)...)
	b = append(b, ";ST=22;CN="...)
	b = append(b, cn...)
	b = append(b, ";PW="...)
	b = append(b, d.PW...)
	b = append(b, ";MN="...)
	b = append(b, d.MN...)
	flag := "5"
	switch {
	case cn == HeartbeatCN:
		flag = "4"
	case d.OldStyle:
		flag = "1"
	}
	b = append(b, ";Flag="...)
	b = append(b, flag...)
	return append(b, ';')
}

// appendFrame frames a segment as the device does: hj212.Frame when it
// keeps to the standard, else with its deviations (a length counting the
// CRC and CR LF, the Modbus CRC, lower-case hex).
func appendFrame(b []byte, seg []byte, l skygrid.MonitorLenient) []byte {
	if l == (skygrid.MonitorLenient{}) {
		return append(b, hj212.Frame(string(seg))...)
	}
	n := len(seg)
	if l.LengthCountsTrailer {
		n += 6
	}
	crc := hj212.CRC(seg)
	if l.ModbusCRC {
		crc = hj212.ModbusCRC(seg)
	}
	b = append(b, '#', '#')
	b = appendPadded(b, uint64(n), 10, 4, false)
	b = append(b, seg...)
	b = appendPadded(b, uint64(crc), 16, 4, !l.LowercaseHex)
	return append(b, '\r', '\n')
}

// appendPadded appends v in base with at least width digits.
func appendPadded(b []byte, v uint64, base, width int, upper bool) []byte {
	var tmp [16]byte
	s := strconv.AppendUint(tmp[:0], v, base)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	for _, c := range s {
		if upper && c >= 'a' && c <= 'f' {
			c -= 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}
