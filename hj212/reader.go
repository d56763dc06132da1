package hj212

import (
	"bufio"
	"errors"
	"io"
)

// Reader reads packets one at a time from a stream: from "##" to CR LF,
// at most Max bytes, resynchronising on the next "##" after garbage.
type Reader struct {
	r       *bufio.Reader
	max     int
	garbage int64
	frame   []byte
	hash    bool // seek's last byte skipped was '#'
}

// NewReader reads packets of at most limit bytes from "##" to CR LF; limit <= 0
// means MaxFrame, the standard's limit, and a limit below the smallest packet
// (an empty data segment) is raised to it.
func NewReader(r io.Reader, limit int) *Reader {
	if limit <= 0 {
		limit = MaxFrame
	}
	return &Reader{r: bufio.NewReaderSize(r, 4096), max: max(limit, overhead)}
}

// Garbage is the count of bytes skipped so far: bytes outside any packet,
// the start of a packet cut by the next "##", and oversized packets.
func (rd *Reader) Garbage() int64 { return rd.garbage }

// Next returns the next frame, "##" to CR LF, valid until the next call.
// An oversized packet gives a *Refusal (ReasonOversized) as soon as it
// passes the cap, and the cap's worth of bytes without "##" a *Refusal
// (ReasonHeader); after either, reading goes on to the next "##". No call
// reads more than about twice the cap. At the
// end of the stream Next gives io.EOF, or io.ErrUnexpectedEOF when a packet
// was cut.
func (rd *Reader) Next() ([]byte, error) {
	if err := rd.seek(); err != nil {
		return nil, err
	}
	rd.frame = append(rd.frame[:0], '#', '#')
	for {
		b, err := rd.r.ReadByte()
		if err != nil {
			rd.garbage += int64(len(rd.frame))
			return nil, unexpected(err)
		}
		if b == '#' && rd.frame[len(rd.frame)-1] == '#' {
			// a new packet starts: what came before was a cut packet
			rd.garbage += int64(len(rd.frame) - 1)
			rd.frame = append(rd.frame[:0], '#', '#')
			continue
		}
		if len(rd.frame) == rd.max {
			return nil, rd.skipOversized(b)
		}
		rd.frame = append(rd.frame, b)
		if b == '\n' && rd.frame[len(rd.frame)-2] == '\r' {
			return rd.frame, nil
		}
	}
}

// seek skips to just after the next "##", counting what it skips. After
// skipping the cap's worth of bytes without one it gives a *Refusal
// (ReasonHeader), so that a caller regains control during a flood.
func (rd *Reader) seek() error {
	for skipped := 0; ; skipped++ {
		if skipped >= rd.max && !rd.hash {
			return refuse(ReasonHeader, "%d bytes without ##", skipped)
		}
		b, err := rd.r.ReadByte()
		if err != nil {
			return err
		}
		if b == '#' && rd.hash {
			rd.hash = false
			rd.garbage-- // the first '#' was counted
			return nil
		}
		rd.garbage++
		rd.hash = b == '#'
	}
}

// skipOversized drops an oversized packet's first bytes; the rest is
// skipped by seek (bounded per call) up to the next "##".
func (rd *Reader) skipOversized(last byte) error {
	rd.garbage += int64(len(rd.frame)) + 1
	rd.hash = last == '#'
	return refuse(ReasonOversized, "packet over %d bytes", rd.max)
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
