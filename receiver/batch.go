package receiver

import (
	"context"
	"errors"
	"fmt"
	"time"

	"skygrid"
)

// job is one packet's readings waiting in the write queue; done gets the
// result of the StoreReadings call that held them.
type job struct {
	ctx  context.Context
	rs   []skygrid.Reading
	done chan error
}

var errClosing = errors.New("receiver: shutting down")

// enqueue puts readings in the write queue and waits until the batch that
// holds them is stored (nil) or failed.
func (s *Server) enqueue(ctx context.Context, rs []skygrid.Reading) error {
	j := &job{ctx: ctx, rs: rs, done: make(chan error, 1)}
	select {
	case s.queue <- j:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-j.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writer gathers the packets that arrive within BatchWindow of the first
// (at most BatchMax readings) into one StoreReadings call, so that SQLite
// commits once for many devices; it runs until the queue is closed.
func (s *Server) writer(q chan *job) {
	defer s.writerWG.Done()
	window := s.BatchWindow
	if window <= 0 {
		window = DefaultBatchWindow
	}
	timer := time.NewTimer(window)
	for first := range q {
		batch, n := []*job{first}, len(first.rs)
		timer.Reset(window)
	gather:
		for n < s.batchMax() {
			select {
			case j, ok := <-q:
				if !ok {
					break gather
				}
				batch, n = append(batch, j), n+len(j.rs)
			case <-timer.C:
				break gather
			}
		}
		timer.Stop()
		s.answerBatch(batch, n)
	}
}

// answerBatch stores a batch and tells each job how it went. A batch the
// store refuses is stored again a packet at a time: one device's packet
// (a value the store will not take) must not leave the other devices'
// packets of the same moment unanswered, to be sent and refused again.
func (s *Server) answerBatch(batch []*job, n int) {
	err := s.storeBatch(batch, n)
	if err == nil || len(batch) == 1 {
		for _, j := range batch {
			j.done <- err
		}
		return
	}
	for _, j := range batch {
		j.done <- s.storeBatch([]*job{j}, len(j.rs))
	}
}

// storeBatch calls the sink once for the whole batch; a panic in the sink
// fails the batch (nobody is answered) and the writer goes on.
func (s *Server) storeBatch(batch []*job, n int) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("store readings: sink panicked: %v", v)
		}
	}()
	rs := make([]skygrid.Reading, 0, n)
	for _, j := range batch {
		if j.ctx.Err() == nil {
			rs = append(rs, j.rs...)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	start := time.Now()
	defer func() { s.StoreLatency.Observe(time.Since(start)) }()
	if _, err := s.Sink.StoreReadings(ctx, rs); err != nil {
		return fmt.Errorf("store readings: %w", err)
	}
	return nil
}
