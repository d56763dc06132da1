package receiver_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"skygrid"
)

// memSink is an in-memory skygrid.ReadingSink that dedupes as the
// contract says: a reading of the same monitor with the same QN, or the
// same kind and data time, as one stored is a duplicate.
type memSink struct {
	mu       sync.Mutex
	monitors map[string]skygrid.Monitor
	readings []skygrid.Reading
	seen     map[string]bool
	rejects  []skygrid.PacketReject
	calls    int // StoreReadings calls
	// fail makes StoreReadings fail (an error) or panic ("panic") while set;
	// failMN makes MonitorByMN panic for that MN.
	fail   string
	failMN string
	// countOnly keeps the duplicate keys and the count, not the readings
	// (the load benchmark, whose RSS is the receiver's and not the fake's).
	countOnly bool
	count     int
	// poison makes StoreReadings refuse a whole call holding a reading it
	// matches, as the store refuses a batch with one bad reading.
	poison func(skygrid.Reading) bool
}

func newMemSink(ms ...skygrid.Monitor) *memSink {
	s := &memSink{monitors: map[string]skygrid.Monitor{}, seen: map[string]bool{}}
	for i, m := range ms {
		if m.ID == 0 {
			m.ID = int64(i + 1)
		}
		s.monitors[m.MN] = m
	}
	return s
}

func (s *memSink) MonitorByMN(_ context.Context, mn string) (skygrid.Monitor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if mn != "" && mn == s.failMN {
		panic("memSink: MonitorByMN asked to panic")
	}
	m, ok := s.monitors[mn]
	if !ok {
		return m, &skygrid.Error{Code: skygrid.ENOTFOUND, Message: "no such monitor"}
	}
	return m, nil
}

func (s *memSink) StoreReadings(_ context.Context, rs []skygrid.Reading) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	switch s.fail {
	case "panic":
		panic("memSink: StoreReadings asked to panic")
	case "error":
		return 0, errors.New("memSink: disk full")
	}
	for _, r := range rs {
		if s.poison != nil && s.poison(r) {
			return 0, fmt.Errorf("memSink: monitor %d: a reading refused", r.MonitorID)
		}
	}
	n := 0
	for _, r := range rs {
		byQN := ""
		if r.QN != "" {
			byQN = fmt.Sprintf("qn %d %s", r.MonitorID, r.QN)
		}
		byTime := fmt.Sprintf("at %d %s %s", r.MonitorID, r.Kind, r.At.Format(time.RFC3339Nano))
		if (byQN != "" && s.seen[byQN]) || s.seen[byTime] {
			continue
		}
		if byQN != "" {
			s.seen[byQN] = true
		}
		s.seen[byTime] = true
		if !s.countOnly {
			s.readings = append(s.readings, r)
		}
		s.count++
		n++
	}
	return n, nil
}

func (s *memSink) RejectPacket(_ context.Context, r skygrid.PacketReject) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejects = append(s.rejects, r)
	return nil
}

func (s *memSink) set(fail, failMN string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail, s.failMN = fail, failMN
}

// stored is a copy of the readings stored so far.
func (s *memSink) stored() []skygrid.Reading {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]skygrid.Reading(nil), s.readings...)
}

func (s *memSink) rejected() []skygrid.PacketReject {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]skygrid.PacketReject(nil), s.rejects...)
}
