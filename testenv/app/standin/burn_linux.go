package main

import (
	"context"
	"runtime"
	"syscall"
	"time"
)

// rusageThread is Linux's RUSAGE_THREAD, which package syscall does not name.
const rusageThread = 1

// burnCPU spins until the calling OS thread has consumed d of CPU time, as the kernel accounts it
// (getrusage RUSAGE_THREAD, with the goroutine locked to its thread). Counting CPU rather than wall
// time keeps the cost of a request the same on a busy node as on an idle one, which is what
// CPU-based autoscaling needs to see. It stops early if the client goes away. Should the kernel
// refuse RUSAGE_THREAD it falls back to a wall-clock busy loop.
func burnCPU(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start, err := threadCPU()
	if err != nil {
		burnWall(ctx, d)
		return
	}
	for ctx.Err() == nil {
		spin()
		if now, err := threadCPU(); err != nil || now-start >= d {
			return
		}
	}
}

func threadCPU() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0, err
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}
