package hj212

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, p := range referencePackets(f) {
		f.Add(p)
	}
	f.Add(Frame(seg))
	f.Fuzz(func(t *testing.T, frame []byte) {
		all := Lenient{LengthCountsTrailer: true, ModbusCRC: true, LowercaseHex: true}
		p, err := Parse(frame, all)
		var r *Refusal
		if err != nil {
			if !errors.As(err, &r) || r.Reason == "" {
				t.Fatalf("error %v is no refusal with a reason", err)
			}
			return
		}
		if p.MN == "" || p.CN == "" || p.ST == "" || p.PW == "" {
			t.Fatalf("accepted without a required field: %+v", p)
		}
		if _, err := Parse(frame, Lenient{}); err == nil && len(p.Deviations) > 0 {
			t.Fatalf("accepted strictly, yet deviations %v", p.Deviations)
		}
	})
}

func FuzzReader(f *testing.F) {
	ref := referencePackets(f)
	f.Add(bytes.Join(ref, nil), 0)
	f.Add(append([]byte("xx#"), ref[1]...), 100)
	f.Fuzz(func(t *testing.T, in []byte, capacity int) {
		capacity %= 4 * MaxFrame
		rd := NewReader(bytes.NewReader(in), capacity)
		limit := capacity
		if limit <= 0 {
			limit = MaxFrame
		}
		limit = max(limit, overhead)
		var total int64
		for {
			frame, err := rd.Next()
			var r *Refusal
			if errors.As(err, &r) {
				continue
			}
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("error %v", err)
				}
				break
			}
			if len(frame) > limit || !bytes.HasPrefix(frame, []byte("##")) || !bytes.HasSuffix(frame, []byte("\r\n")) {
				t.Fatalf("frame %q (cap %d)", frame, limit)
			}
			total += int64(len(frame))
		}
		if total+rd.Garbage() != int64(len(in)) {
			t.Fatalf("frames %d + garbage %d bytes, input %d", total, rd.Garbage(), len(in))
		}
	})
}
