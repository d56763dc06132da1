package hj212

import (
	"fmt"
	"time"
)

// Answer9014 builds the data response to a packet that asked for one: its
// QN echoed (now's QN when it had none), ST=91, CN=9014, its PW and MN,
// Flag=4 (2017, no answer wanted), empty CP.
func Answer9014(p Packet, now time.Time) []byte {
	qn := p.QN
	if !p.HasQN {
		qn = FormatQN(now)
	}
	return Frame(fmt.Sprintf("QN=%s;ST=91;CN=%s;PW=%s;MN=%s;Flag=4;CP=&&&&", qn, CNDataAnswer, p.PW, p.MN))
}

// TimeAnswer builds the answer to a time-calibration request (CN 1013): a
// set-time command (CN 1012) with now as SystemTime in Beijing time, a new
// QN from now, and Flag=5 (2017, answer wanted: the device reports the
// result).
func TimeAnswer(p Packet, now time.Time) []byte {
	system := now.In(beijing).Format("20060102150405")
	return Frame(fmt.Sprintf("QN=%s;ST=%s;CN=%s;PW=%s;MN=%s;Flag=5;CP=&&SystemTime=%s&&",
		FormatQN(now), p.ST, CNSetTime, p.PW, p.MN, system))
}
