package main

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// TestBurnCPUSpendsCPU checks the lower bound only, in process CPU time, which a busy machine
// does not shrink: a loaded machine makes the burn take longer, never cost less.
func TestBurnCPUSpendsCPU(t *testing.T) {
	before := processCPU(t)
	burnCPU(context.Background(), 30*time.Millisecond)
	if used := processCPU(t) - before; used < 30*time.Millisecond {
		t.Errorf("burnCPU(30ms) used %v of CPU; want at least 30ms", used)
	}
}

func TestBurnCPUStopsWhenClientLeaves(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	before := processCPU(t)
	burnCPU(ctx, 10*time.Second)
	if used := processCPU(t) - before; used > 5*time.Second {
		t.Errorf("burnCPU with a cancelled context used %v of CPU; want it to stop at once", used)
	}
}

func processCPU(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
