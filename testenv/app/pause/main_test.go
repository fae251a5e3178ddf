package main

import (
	"bufio"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary play pause itself, so the signal test runs the real signal
// loop; it says "ready" once subscribed, so the test does not signal too early.
func TestMain(m *testing.M) {
	if os.Getenv("PAUSE_TEST_RUN_MAIN") == "1" {
		sigs := subscribe()
		os.Stdout.WriteString("ready\n")
		wait(sigs)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestReapCollectsExitedChildren(t *testing.T) {
	// A child the Go runtime does not wait for, like an orphan inherited by PID 1.
	pid, err := syscall.ForkExec(os.Args[0], []string{os.Args[0], "-test.run=^$"}, &syscall.ProcAttr{})
	if err != nil {
		t.Fatal(err)
	}
	// No deadline: the child exits at once, and until then reap finds nothing to collect.
	for !slices.Contains(reap(), pid) {
		time.Sleep(time.Millisecond)
	}
	if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); !os.IsNotExist(err) {
		t.Errorf("child %d still has a /proc entry after reap: %v", pid, err)
	}
}

func TestExitsZeroOnSIGTERM(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PAUSE_TEST_RUN_MAIN=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Signal only once pause has subscribed: before that the default action would kill it,
	// which is not what is under test.
	if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("pause after SIGTERM: %v; want exit status 0", err)
	}
}
