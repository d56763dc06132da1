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
	synced  bool // "##" of the next packet already read
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
// An oversized packet gives a *Refusal (ReasonOversized) after it has been
// skipped up to its CR LF or the next "##", and reading can go on. At the
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

// seek skips to just after the next "##", counting what it skips.
func (rd *Reader) seek() error {
	if rd.synced {
		rd.synced = false
		return nil
	}
	hash := false
	for {
		b, err := rd.r.ReadByte()
		if err != nil {
			return err
		}
		if b == '#' && hash {
			rd.garbage-- // the first '#' was counted
			return nil
		}
		rd.garbage++
		hash = b == '#'
	}
}

// skipOversized skips the rest of an oversized packet: to its CR LF, or to
// the next "##" (then the next call starts there).
func (rd *Reader) skipOversized(last byte) error {
	refusal := refuse(ReasonOversized, "packet over %d bytes", rd.max)
	rd.garbage += int64(len(rd.frame)) + 1
	for {
		b, err := rd.r.ReadByte()
		if err != nil {
			return refusal
		}
		if b == '#' && last == '#' {
			rd.garbage--
			rd.synced = true
			return refusal
		}
		rd.garbage++
		if b == '\n' && last == '\r' {
			return refusal
		}
		last = b
	}
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
