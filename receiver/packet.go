package receiver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"time"

	"skygrid"
	"skygrid/hj212"
)

// Reasons of a refusal besides hj212's.
const (
	ReasonUnknownMN = "unknown mn"
	ReasonWrongPW   = "wrong pw"
	ReasonGarbage   = "garbage flood"
	// ReasonUnknownFactor: a packet stored without the factors the store
	// has no column for (it is answered; the log names them).
	ReasonUnknownFactor = "unknown factor"
)

// packetHead is how much of a refused packet is kept for the log.
const packetHead = 256

// opTimeout bounds one call to the sink made for one packet.
const opTimeout = 30 * time.Second

// conn is one device's connection.
type conn struct {
	s      *Server
	c      net.Conn
	remote string
}

// packet handles one frame: parse it (strictly, then with the monitor's
// Lenient when it was refused for a deviation), check MN and PW, store its
// readings, and only then answer.
func (cn *conn) packet(frame []byte) {
	received, start := cn.s.now(), time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	p, m, ref, err := cn.parse(ctx, frame)
	if err != nil {
		cn.s.log().Error("hj212: find monitor", "remote", cn.remote, "err", err)
		return // no answer: the device sends it again
	}
	if ref != nil {
		cn.reject(segmentMN(frame), ref, frame)
		return
	}
	switch p.CN {
	case hj212.CNRealtime, hj212.CNMinute, hj212.CNHour, hj212.CNDay:
		rs, left := readings(p, m, received)
		if len(rs) > 0 && !cn.store(ctx, p, rs) {
			return
		}
		if len(left) > 0 {
			cn.leftOut(p.MN, left, frame)
		}
		if len(rs) > 0 {
			cn.s.Latency.Observe(time.Since(start))
		}
	case hj212.CNTimeRequest:
		cn.write(hj212.TimeAnswer(p, cn.s.now()))
		return
	}
	// heartbeats (9015, an empty data packet), answers to our commands
	// (9011, 9012) and commands not taken are not stored
	if p.WantsAnswer() {
		cn.write(hj212.Answer9014(p, cn.s.now()))
	}
}

// parse gives the packet and its monitor, or the refusal, or an error of
// the sink (then nothing is answered).
func (cn *conn) parse(ctx context.Context, frame []byte) (hj212.Packet, skygrid.Monitor, *hj212.Refusal, error) {
	p, err := hj212.Parse(frame, hj212.Lenient{})
	var ref *hj212.Refusal
	if err != nil && !errors.As(err, &ref) {
		return p, skygrid.Monitor{}, nil, err
	}
	mn := p.MN
	if ref != nil {
		if !deviation(ref.Reason) {
			return p, skygrid.Monitor{}, ref, nil
		}
		mn = segmentMN(frame) // the frame failed a check a lenient monitor may pass
	}
	if mn == "" {
		return p, skygrid.Monitor{}, ref, nil
	}
	m, err := cn.s.Sink.MonitorByMN(ctx, mn)
	if skygrid.ErrorCode(err) == skygrid.ENOTFOUND {
		return p, m, &hj212.Refusal{Reason: ReasonUnknownMN, Detail: fmt.Sprintf("no monitor with MN %q", mn)}, nil
	} else if err != nil {
		return p, m, nil, fmt.Errorf("monitor %q: %w", mn, err)
	}
	if ref != nil {
		if p, err = hj212.Parse(frame, lenient(m.Lenient)); err != nil {
			errors.As(err, &ref)
			return p, m, ref, nil
		}
	}
	if p.MN != m.MN { // the segment text and the parse disagree: never store under another's MN
		return p, m, &hj212.Refusal{Reason: hj212.ReasonSegment, Detail: "MN field unclear"}, nil
	}
	if p.PW != m.Password {
		return p, m, &hj212.Refusal{Reason: ReasonWrongPW, Detail: fmt.Sprintf("wrong PW for MN %q", mn)}, nil
	}
	return p, m, nil, nil
}

// deviation says whether a refusal may be lifted by a monitor's Lenient.
func deviation(r hj212.Reason) bool {
	return r == hj212.ReasonLength || r == hj212.ReasonCRC || r == hj212.ReasonLowerHex
}

func lenient(l skygrid.MonitorLenient) hj212.Lenient {
	return hj212.Lenient{LengthCountsTrailer: l.LengthCountsTrailer, ModbusCRC: l.ModbusCRC, LowercaseHex: l.LowercaseHex}
}

// segmentMN takes the MN field from a frame's text without checking the
// frame: "MN=" at the start of the segment or after ';', up to ';'.
func segmentMN(frame []byte) string {
	s := string(frame)
	if len(s) > 6 {
		s = s[6:]
	}
	if i := strings.Index(s, "CP=&&"); i >= 0 {
		s = s[:i] // the CP field may hold anything
	}
	for _, f := range strings.Split(s, ";") {
		if v, ok := strings.CutPrefix(f, "MN="); ok {
			return v
		}
	}
	return ""
}

// store hands the readings to the write queue and waits for their batch;
// it answers nothing and reports false when the batch was not stored.
func (cn *conn) store(ctx context.Context, p hj212.Packet, rs []skygrid.Reading) bool {
	err := cn.s.enqueue(ctx, rs)
	if err == nil {
		return true
	}
	cn.s.log().Error("hj212: store readings", "remote", cn.remote, "mn", p.MN, "qn", p.QN, "err", err)
	return false
}

// leftOut logs the factors a device's packet carried that are not stored,
// once an hour for the device and those factors.
func (cn *conn) leftOut(mn string, codes []string, frame []byte) {
	key, now := mn+"|"+strings.Join(codes, ","), cn.s.now()
	if at, ok := cn.s.leftSaid.Load(key); ok && now.Sub(at.(time.Time)) < time.Hour {
		return
	}
	cn.s.leftSaid.Store(key, now)
	cn.reject(mn, &hj212.Refusal{Reason: ReasonUnknownFactor,
		Detail: "factors not stored (no such factor here): " + strings.Join(codes, ", ")}, frame)
}

// pwHidden finds a packet's password (PW=…) to keep it out of the log.
var pwHidden = regexp.MustCompile(`((?:^|;)PW=)[^;&]*`)

// reject logs a refused packet through the sink; the connection goes on.
func (cn *conn) reject(mn string, ref *hj212.Refusal, frame []byte) {
	head := frame
	if len(head) > packetHead {
		head = head[:packetHead]
	}
	r := skygrid.PacketReject{At: cn.s.now(), MN: mn, Remote: cn.remote, Reason: string(ref.Reason),
		Detail: ref.Detail, Packet: pwHidden.ReplaceAllString(string(head), "${1}***")}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	if err := cn.s.Sink.RejectPacket(ctx, r); err != nil {
		cn.s.log().Error("hj212: log rejected packet", "remote", cn.remote, "reason", r.Reason, "err", err)
	}
	cn.s.log().Info("hj212: packet refused", "remote", cn.remote, "mn", mn, "reason", r.Reason, "detail", r.Detail)
}

func (cn *conn) write(b []byte) {
	cn.c.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := cn.c.Write(b); err != nil {
		cn.s.log().Info("hj212: answer not sent", "remote", cn.remote, "err", err)
	}
}
