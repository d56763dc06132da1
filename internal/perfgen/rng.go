package perfgen

import "math"

// rng is xoshiro256** seeded by splitmix64.
type rng struct{ s [4]uint64 }

func newRNG(seed uint64) *rng {
	r := &rng{}
	x := seed
	for i := range r.s {
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		r.s[i] = z ^ (z >> 31)
	}
	return r
}

func rotl(x uint64, k uint) uint64 { return (x << k) | (x >> (64 - k)) }

func (r *rng) next() uint64 {
	s := &r.s
	res := rotl(s[1]*5, 7) * 9
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = rotl(s[3], 45)
	return res
}

func (r *rng) float() float64               { return float64(r.next()>>11) / (1 << 53) }
func (r *rng) uniform(a, b float64) float64 { return a + (b-a)*r.float() }
func (r *rng) intn(n int) int               { return int(r.next() % uint64(n)) }
func (r *rng) norm() float64 {
	u1 := r.float()
	for u1 == 0 {
		u1 = r.float()
	}
	u2 := r.float()
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// grid vertices are rounded to 7 decimals (~1 cm); points to 5 decimals like FIRMS.
const (
	vScale = 1e7
	pScale = 1e5
)

func rnd7(v float64) float64 { return math.Round(v*vScale) / vScale }
