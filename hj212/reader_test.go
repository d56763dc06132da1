package hj212

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// chunks is a reader that hands out its parts one per Read.
type chunks struct{ parts [][]byte }

func (c *chunks) Read(p []byte) (int, error) {
	if len(c.parts) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.parts[0])
	c.parts[0] = c.parts[0][n:]
	if len(c.parts[0]) == 0 {
		c.parts = c.parts[1:]
	}
	return n, nil
}

// readAll reads frames until an error, counting refusals (oversized
// packets, floods without "##").
func readAll(rd *Reader) (frames []string, refused int, err error) {
	for {
		f, err := rd.Next()
		var r *Refusal
		switch {
		case errors.As(err, &r) && (r.Reason == ReasonOversized || r.Reason == ReasonHeader):
			refused++
		case err != nil:
			return frames, refused, err
		default:
			frames = append(frames, string(f))
		}
	}
}

func TestReader(t *testing.T) {
	ref := referencePackets(t)
	a, b := string(ref[0]), string(ref[1])
	big := "##1000" + strings.Repeat("x", 5000) + "\r\n"
	cases := []struct {
		name    string
		in      io.Reader
		max     int
		frames  []string
		garbage int64
		refused int // oversized packets and floods without ##
		end     error
	}{
		{"two packets in one read", &chunks{[][]byte{[]byte(a + b)}}, 0, []string{a, b}, 0, 0, io.EOF},
		{"split over many reads", iotest.OneByteReader(strings.NewReader(a + b)), 0, []string{a, b}, 0, 0, io.EOF},
		{"garbage before and between", strings.NewReader("xyz#" + a + "\r\n\x00\xff" + b), 0, []string{a, b}, 4 + 4, 0, io.EOF},
		{"cut packet before a packet", strings.NewReader("##0101QN=2016" + a), 0, []string{a}, 13, 0, io.EOF},
		{"### before a packet", strings.NewReader("#" + a), 0, []string{a}, 1, 0, io.EOF},
		{"oversized then a packet", strings.NewReader(big + a), 0, []string{a}, int64(len(big)), 1 + (len(big)-MaxFrame-1)/MaxFrame, io.EOF},
		{"oversized cut by a packet", strings.NewReader(big[:3000] + a), 0, []string{a}, 3000, 1 + (3000-MaxFrame-1)/MaxFrame, io.EOF},
		{"cap below the real packet", strings.NewReader(a + b), 200, []string{a}, int64(len(b)), 1, io.EOF},
		{"EOF mid-packet", strings.NewReader(a + b[:50]), 0, []string{a}, 50, 0, io.ErrUnexpectedEOF},
		{"cap below the smallest packet", strings.NewReader("##\r\n" + a), 1, []string{"##\r\n"}, int64(len(a)), 1 + (len(a)-overhead-1)/overhead, io.EOF},
		{"flood without ## then a packet", strings.NewReader(strings.Repeat("x", 2500) + a), 0, []string{a}, 2500, 2, io.EOF},
		{"flood ending in # then a packet", strings.NewReader(strings.Repeat("x", MaxFrame) + "#" + a), 0, []string{a}, MaxFrame + 1, 1, io.EOF},
		{"EOF after a lone #", strings.NewReader(a + "#"), 0, []string{a}, 1, 0, io.EOF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rd := NewReader(c.in, c.max)
			frames, refused, err := readAll(rd)
			if !errors.Is(err, c.end) {
				t.Errorf("end %v, want %v", err, c.end)
			}
			if strings.Join(frames, "|") != strings.Join(c.frames, "|") {
				t.Errorf("frames %q, want %q", frames, c.frames)
			}
			if rd.Garbage() != c.garbage || refused != c.refused {
				t.Errorf("garbage %d refused %d, want %d and %d", rd.Garbage(), refused, c.garbage, c.refused)
			}
		})
	}
}

// endless is an unbounded stream of one byte: an oversized packet that never ends.
type endless struct{ read int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.read > 10<<20 {
		return 0, io.EOF
	}
	for i := range p {
		p[i] = 'x'
	}
	e.read += int64(len(p))
	return len(p), nil
}

func TestReaderOversizedBounded(t *testing.T) {
	flood := &endless{}
	src := io.MultiReader(strings.NewReader("##0100"), flood)
	rd := NewReader(src, 0)
	_, err := rd.Next()
	var r *Refusal
	if !errors.As(err, &r) || r.Reason != ReasonOversized {
		t.Fatalf("Next = %v, want an oversized refusal", err)
	}
	if cap(rd.frame) > 2*MaxFrame {
		t.Errorf("the reader holds %d bytes for a packet capped at %d", cap(rd.frame), MaxFrame)
	}
	floods := 0
	for {
		_, err := rd.Next()
		if errors.As(err, &r) && r.Reason == ReasonHeader {
			floods++
			continue
		}
		if !errors.Is(err, io.EOF) {
			t.Errorf("after the flood: %v, want EOF", err)
		}
		break
	}
	if want := int(flood.read+6) / MaxFrame; floods < want-1 || floods > want+1 {
		t.Errorf("%d refusals of a flood, want one per %d bytes (about %d)", floods, MaxFrame, want)
	}
	if want := 6 + flood.read; rd.Garbage() != want {
		t.Errorf("garbage %d, want all %d bytes read", rd.Garbage(), want)
	}
}
