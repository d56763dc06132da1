package hj212sim

import (
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"skygrid/hj212"
)

// received is one packet the test receiver took.
type received struct {
	frame  string
	packet hj212.Packet
}

// testReceiver is a small HJ 212 receiver: it reads packets with
// hj212.Reader, parses them with each MN's Lenient, answers 9014 where
// asked, and can drop a connection (or leave a packet unanswered) once.
type testReceiver struct {
	t       testing.TB
	ln      net.Listener
	lenient map[string]hj212.Lenient

	mu      sync.Mutex
	got     []received
	refused []error
	// drop: the QN whose first arrival closes the connection unanswered;
	// mute: the QN whose first arrival is left unanswered.
	// wrong: the QN whose first arrival gets a time command (CN 1012,
	// answer wanted) and a 9014 echoing another QN, instead of its answer.
	drop, mute, wrong string
	dropped           int
	conns             int
	data              int                         // data packets taken
	discard           bool                        // count only, keep nothing (benchmarks)
	onPacket          func(n int, p hj212.Packet) // called with the count of data packets so far
	wg                sync.WaitGroup
}

func newTestReceiver(t testing.TB, lenient map[string]hj212.Lenient) *testReceiver {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &testReceiver{t: t, ln: ln, lenient: lenient}
	r.wg.Add(1)
	go r.accept()
	t.Cleanup(func() { ln.Close(); r.wg.Wait() })
	return r
}

func (r *testReceiver) addr() string { return r.ln.Addr().String() }

func (r *testReceiver) accept() {
	defer r.wg.Done()
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.mu.Lock()
		r.conns++
		r.mu.Unlock()
		conns = append(conns, c)
		r.wg.Add(1)
		go r.serve(c)
	}
}

func (r *testReceiver) serve(c net.Conn) {
	defer r.wg.Done()
	defer c.Close()
	rd := hj212.NewReader(c, 0)
	for {
		f, err := rd.Next()
		var refusal *hj212.Refusal
		if errors.As(err, &refusal) {
			r.refuse(err)
			continue
		}
		if err != nil {
			return
		}
		if !r.take(c, f) {
			return
		}
	}
}

// take records a frame and answers it; false when the connection is dropped.
func (r *testReceiver) take(c net.Conn, f []byte) bool {
	frame := string(f)
	p, err := hj212.Parse(f, r.lenientOf(frame))
	if err != nil {
		r.refuse(err)
		return true
	}
	r.mu.Lock()
	if !r.discard {
		r.got = append(r.got, received{frame, p})
	}
	if p.CN != HeartbeatCN {
		r.data++
	}
	n := r.data
	drop := p.QN == r.drop
	mute := p.QN == r.mute
	if drop {
		r.drop = ""
		r.dropped++
	}
	if mute {
		r.mute = ""
	}
	wrong := p.QN == r.wrong
	if wrong {
		r.wrong = ""
	}
	on := r.onPacket
	r.mu.Unlock()
	if on != nil && p.CN != HeartbeatCN {
		on(n, p)
	}
	if drop {
		return false
	}
	if wrong {
		other := p
		other.QN = hj212.FormatQN(p.QNTime.Add(time.Second))
		_, err := c.Write(append(hj212.TimeAnswer(p, time.Now()), hj212.Answer9014(other, time.Now())...))
		return err == nil
	}
	if p.WantsAnswer() && !mute {
		if _, err := c.Write(hj212.Answer9014(p, time.Now())); err != nil {
			return false
		}
	}
	return true
}

// lenientOf finds the MN in the raw frame to pick its Lenient, as a
// receiver looks the device up before checking the frame.
func (r *testReceiver) lenientOf(frame string) hj212.Lenient {
	for mn, l := range r.lenient {
		if strings.Contains(frame, "MN="+mn+";") {
			return l
		}
	}
	return hj212.Lenient{}
}

func (r *testReceiver) refuse(err error) {
	r.mu.Lock()
	r.refused = append(r.refused, err)
	r.mu.Unlock()
}

// packets returns a copy of what was received.
func (r *testReceiver) packets() ([]received, []error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...), append([]error(nil), r.refused...)
}
