//go:build !linux

package main

import (
	"context"
	"time"
)

// burnCPU measures wall time where there is no per-thread CPU clock to read; the image only
// runs on Linux, so this exists to keep the package building elsewhere.
func burnCPU(ctx context.Context, d time.Duration) { burnWall(ctx, d) }
