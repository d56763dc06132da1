package demo

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"time"

	"skygrid"
	"skygrid/detect"
)

// ArrivalOf is when a fire file would have reached the pipeline had it
// been fetched live: its newest detection plus delay (zero for a file
// without a readable row). Replaying an archive with the pipeline's clock
// at each file's arrival dispatches its fires as they would have been
// then; ingesting it at today's clock records them as history (max_age).
func ArrivalOf(r io.Reader, name string, delay time.Duration) (time.Time, error) {
	var newest time.Time
	_, err := detect.Scan(context.Background(), r, name, detect.ReadOptions{}, func(h *skygrid.Hotspot) error {
		if h.AcqTime.After(newest) {
			newest = h.AcqTime
		}
		return nil
	})
	if err != nil {
		return time.Time{}, err
	}
	if newest.IsZero() {
		return newest, nil
	}
	return newest.Add(delay).UTC(), nil
}

// passGap separates two satellite passes in an archived file: the
// detections of one pass over a city come within minutes, the next
// orbit about 100 minutes later.
const passGap = time.Hour

// SplitPasses cuts an archived FIRMS CSV file into its satellite passes,
// each a CSV file of its own (the header and the pass's rows, in file
// order) that arrives delay after the pass's newest detection, as the
// near-real-time feed would have delivered it; in arrival order. A file
// that cannot be cut row by row (comment lines, unreadable rows) is one
// part arriving delay after its newest detection (ArrivalOf).
func SplitPasses(data []byte, name string, delay time.Duration) ([]File, error) {
	lines := bytes.SplitAfter(data, []byte{'\n'})
	for len(lines) > 0 && len(bytes.TrimSpace(lines[len(lines)-1])) == 0 {
		lines = lines[:len(lines)-1]
	}
	whole := func() ([]File, error) {
		at, err := ArrivalOf(bytes.NewReader(data), name, delay)
		return []File{{Name: name, Data: data, Arrival: at}}, err
	}
	if len(lines) < 2 || bytes.HasPrefix(lines[0], []byte{'#'}) {
		return whole()
	}
	var times []time.Time
	sum, err := detect.Scan(context.Background(), bytes.NewReader(data), name, detect.ReadOptions{}, func(h *skygrid.Hotspot) error {
		times = append(times, h.AcqTime)
		return nil
	})
	var input *skygrid.Error
	if errors.As(err, &input) {
		return nil, err
	} else if err != nil || sum.Rejected > 0 {
		return whole()
	}
	if len(times) != len(lines)-1 {
		return whole()
	}
	sorted := slices.Clone(times)
	slices.SortFunc(sorted, func(a, b time.Time) int { return a.Compare(b) })
	// The newest detection of the pass each time belongs to.
	passEnd := func(t time.Time) time.Time {
		i, _ := slices.BinarySearchFunc(sorted, t, func(a, b time.Time) int { return a.Compare(b) })
		for i+1 < len(sorted) && sorted[i+1].Sub(sorted[i]) < passGap {
			i++
		}
		return sorted[i]
	}
	parts := map[time.Time]*File{}
	var order []*File
	for i, t := range times {
		end := passEnd(t)
		p := parts[end]
		if p == nil {
			p = &File{Name: name, Data: slices.Clone(lines[0]), Arrival: end.Add(delay).UTC()}
			parts[end] = p
			order = append(order, p)
		}
		p.Data = append(p.Data, lines[i+1]...)
	}
	slices.SortStableFunc(order, func(a, b *File) int { return a.Arrival.Compare(b.Arrival) })
	out := make([]File, len(order))
	for i, p := range order {
		out[i] = *p
	}
	return out, nil
}
