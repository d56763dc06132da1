// Package loadgen drives the load scripts' HTTP load (scripts/loadtiles.go,
// scripts/loadlists.go): connections that walk a fixed shuffled list of
// requests until a deadline, the figures they print (requests/s, latency
// percentiles, statuses, errors), and the even sample of tiles over an
// area that both scripts request.
package loadgen

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"skygrid/geo"
)

// Request is one request of a load: its kind (the group it is counted
// in), URL and bearer token (none when empty).
type Request struct {
	Kind, URL, Token string
}

// Stats are one group's figures.
type Stats struct {
	Lat      []time.Duration // one a request, failed ones included
	Errs     int             // no answer, or a status other than 200 and 204
	Hits     int             // answers with X-Tile-Cache: hit
	Status   map[int]int
	Bytes    int64
	FirstErr string
}

// Add adds o's figures to s.
func (s *Stats) Add(o *Stats) {
	s.Lat = append(s.Lat, o.Lat...)
	s.Errs += o.Errs
	s.Hits += o.Hits
	s.Bytes += o.Bytes
	if s.Status == nil {
		s.Status = map[int]int{}
	}
	for k, v := range o.Status {
		s.Status[k] += v
	}
	if s.FirstErr == "" {
		s.FirstErr = o.FirstErr
	}
}

// Fail counts a failure and keeps the first one's words.
func (s *Stats) Fail(msg string) {
	s.Errs++
	if s.FirstErr == "" {
		s.FirstErr = msg
	}
}

// Pct is the p-th latency percentile (0 < p ≤ 1) in words; Lat must be
// sorted.
func (s *Stats) Pct(p float64) string {
	if len(s.Lat) == 0 {
		return "-"
	}
	d := s.Lat[min(len(s.Lat)-1, max(0, int(math.Ceil(p*float64(len(s.Lat))))-1))]
	if d >= time.Second {
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000)
}

// Client is an HTTP client for conns connections to one host, without
// compression (the bytes counted are those sent).
func Client(conns int, timeout time.Duration) *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, DisableCompression: true},
		Timeout: timeout}
}

// Run sends reqs from conns connections, each starting at its own place
// in the list and going round it, until the deadline; it returns the
// figures by kind.
func Run(client *http.Client, reqs []Request, conns int, deadline time.Time) map[string]*Stats {
	results := make([]map[string]*Stats, conns)
	var wg sync.WaitGroup
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			res := map[string]*Stats{}
			results[w] = res
			for i := w * len(reqs) / conns; time.Now().Before(deadline); i++ {
				rq := reqs[i%len(reqs)]
				s := res[rq.Kind]
				if s == nil {
					s = &Stats{Status: map[int]int{}}
					res[rq.Kind] = s
				}
				Do(client, rq, s)
			}
		}(w)
	}
	wg.Wait()
	kinds := map[string]*Stats{}
	for _, res := range results {
		for k, s := range res {
			if kinds[k] == nil {
				kinds[k] = &Stats{Status: map[int]int{}}
			}
			kinds[k].Add(s)
		}
	}
	return kinds
}

// Do sends one request, reads its answer to the end and counts it in s.
func Do(client *http.Client, rq Request, s *Stats) {
	hr, err := http.NewRequest("GET", rq.URL, nil)
	if err != nil {
		s.Fail(err.Error())
		return
	}
	if rq.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+rq.Token)
	}
	t0 := time.Now()
	resp, err := client.Do(hr)
	if err != nil {
		s.Lat = append(s.Lat, time.Since(t0))
		s.Fail(err.Error())
		return
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	s.Lat = append(s.Lat, time.Since(t0))
	s.Status[resp.StatusCode]++
	s.Bytes += n
	if resp.StatusCode != 200 && resp.StatusCode != 204 {
		s.Fail(fmt.Sprintf("%s: %s", rq.URL, resp.Status))
	}
	if resp.Header.Get("X-Tile-Cache") == "hit" {
		s.Hits++
	}
}

// Line is a group's figures on one line, with its requests per second
// over elapsed; it sorts s.Lat.
func Line(s *Stats, elapsed time.Duration) string {
	slices.Sort(s.Lat)
	return fmt.Sprintf("requests: %d (%.1f/s), errors: %d, statuses: %v, cache hits: %.1f%%, %.1f MiB; latency p50 %s, p90 %s, p99 %s, max %s",
		len(s.Lat), float64(len(s.Lat))/elapsed.Seconds(), s.Errs, s.Status, 100*float64(s.Hits)/math.Max(1, float64(len(s.Lat))),
		float64(s.Bytes)/(1<<20), s.Pct(0.5), s.Pct(0.9), s.Pct(0.99), s.Pct(1))
}

// TilesOver is an even sample of at most perZoom of the zoom z tiles over
// the areas' bound whose centre is within 5 km of one of them.
func TilesOver(areas []orb.MultiPolygon, z, perZoom int) []maptile.Tile {
	ix := geo.NewIndex()
	b := areas[0].Bound()
	for i, a := range areas {
		ix.Add(fmt.Sprint(i), a)
		b = b.Union(a.Bound())
	}
	lo, hi := maptile.At(orb.Point{b.Min[0], b.Max[1]}, maptile.Zoom(z)), maptile.At(orb.Point{b.Max[0], b.Min[1]}, maptile.Zoom(z))
	var ts []maptile.Tile
	for x := lo.X; x <= hi.X; x++ {
		for y := lo.Y; y <= hi.Y; y++ {
			t := maptile.New(x, y, maptile.Zoom(z))
			if ix.Covers(t.Center(), 5000) {
				ts = append(ts, t)
			}
		}
	}
	if len(ts) <= perZoom {
		return ts
	}
	step := float64(len(ts)) / float64(perZoom)
	s := make([]maptile.Tile, 0, perZoom)
	for i := 0; i < perZoom; i++ {
		s = append(s, ts[int(float64(i)*step)])
	}
	return s
}
