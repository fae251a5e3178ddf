package main

import (
	"context"
	"sync/atomic"
	"time"
)

// sink keeps spin's arithmetic observable so the compiler cannot drop the loop; atomic because
// concurrent requests all store to it.
var sink atomic.Uint64

// spin does a few tens of microseconds of pure CPU work between clock reads.
func spin() {
	x := sink.Load() | 1
	for i := 0; i < 20000; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	sink.Store(x)
}

// burnWall busy-loops for d of wall time: the same CPU as burnCPU on an idle core, less when the
// thread is descheduled.
func burnWall(ctx context.Context, d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end) && ctx.Err() == nil; {
		spin()
	}
}
