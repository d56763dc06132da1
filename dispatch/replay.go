package dispatch

import (
	"errors"
	"io"
	"time"

	"skygrid"
)

// ArrivalOf is when a fire file would have reached the pipeline had it
// been fetched live: its newest detection plus delay (zero for a file
// without a readable row). Replaying an archive with the pipeline's clock
// at each file's arrival dispatches its fires as they would have been
// then; ingesting it at today's clock records them as history (max_age).
func ArrivalOf(r io.Reader, name string, delay time.Duration) (time.Time, error) {
	rd, err := openReader(r, name)
	if err != nil {
		return time.Time{}, err
	}
	var newest time.Time
	var h skygrid.Hotspot
	for {
		err := rd.NextInto(&h)
		if err == io.EOF {
			break
		}
		var rowErr *skygrid.RowError
		if errors.As(err, &rowErr) {
			continue
		} else if err != nil {
			return time.Time{}, err
		}
		if h.AcqTime.After(newest) {
			newest = h.AcqTime
		}
	}
	if newest.IsZero() {
		return newest, nil
	}
	return newest.Add(delay).UTC(), nil
}
