package evidence

import "context"

// Acquire holds n bytes of the pool's budget, for the tests.
func (p *DecodePool) Acquire(ctx context.Context, n int64) (func(), error) { return p.acquire(ctx, n) }
