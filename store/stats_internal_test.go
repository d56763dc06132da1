package store

import (
	"testing"
	"time"
)

// storedSeconds reads a stored time as time.Parse does: UTC whole
// seconds by its own arithmetic, any other RFC 3339 text by parseTS.
func TestStoredSeconds(t *testing.T) {
	for _, tt := range []struct{ name, s string }{
		{"the epoch", "1970-01-01T00:00:00Z"},
		{"before the epoch", "1969-12-31T23:59:59Z"},
		{"a leap day", "2000-02-29T12:00:00Z"},
		{"after a leap day", "2024-03-01T00:00:01Z"},
		{"a year's last second", "2023-12-31T23:59:59Z"},
		{"January", "2023-01-15T08:30:00Z"},
		{"a Beijing time", "2023-10-24T13:36:00+08:00"},
		{"fractional seconds", "2023-10-24T05:36:00.5Z"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want, err := time.Parse(time.RFC3339, tt.s)
			if err != nil {
				t.Fatal(err)
			}
			if got := storedSeconds([]byte(tt.s)); got != want.Unix() {
				t.Errorf("storedSeconds(%s) = %d, want %d", tt.s, got, want.Unix())
			}
		})
	}
}

// Response minutes count from the dispatch to each step reached.
func TestResponseMinutes(t *testing.T) {
	for _, tt := range []struct {
		name               string
		acked, reported    string
		wantAck, wantRep   float64
		ackValid, repValid bool
	}{
		{"not acknowledged", "", "", 0, 0, false, false},
		{"acknowledged", "2023-10-24T06:06:00Z", "", 30, 0, true, false},
		{"reported the next day", "2023-10-24T05:36:30Z", "2023-10-25T05:36:00Z", 0.5, 1440, true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ack, rep := responseMinutes([]byte("2023-10-24T05:36:00Z"), []byte(tt.acked), []byte(tt.reported))
			if ack.Valid != tt.ackValid || ack.Float64 != tt.wantAck || rep.Valid != tt.repValid || rep.Float64 != tt.wantRep {
				t.Errorf("got %+v %+v, want %v/%t %v/%t", ack, rep, tt.wantAck, tt.ackValid, tt.wantRep, tt.repValid)
			}
		})
	}
}
