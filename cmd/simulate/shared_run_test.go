package main

import (
	"bytes"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config/configtest"
)

// spikeRun is what `simulate --stack STACK --trace spike` printed and wrote.
type spikeRun struct {
	stdout string
	// out is the directory the plot and the series were written to.
	out string
}

var (
	spikeRuns   = map[string]*spikeRun{}
	spikeRunsMu sync.Mutex
	// spikeRunsDir holds every shared run's files; TestMain removes it.
	spikeRunsDir string
)

// spike runs `simulate --stack stack --trace spike` with no other flag once per test binary, for
// the tests that only read what it prints and writes (a run draws two plots: about 0.2 s of
// CPU each time). It fails the test unless the run succeeds. Callers must not change the files.
func spike(t *testing.T, stack string) *spikeRun {
	t.Helper()
	spikeRunsMu.Lock()
	defer spikeRunsMu.Unlock()
	if r, ok := spikeRuns[stack]; ok {
		return r
	}
	out, err := os.MkdirTemp(spikeRunsDir, stack+"-spike-")
	require.NoError(t, err)
	var stdout, stderr bytes.Buffer
	code := run([]string{"--stack", stack, "--dir", configtest.Root(t), "--trace", "spike", "--out", out}, &stdout, &stderr)
	require.Equal(t, 0, code, "run(%s, spike) succeeds; stderr: %s", stack, stderr.String())
	r := &spikeRun{stdout: stdout.String(), out: out}
	spikeRuns[stack] = r
	return r
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "simulate-test-")
	if err != nil {
		panic(err)
	}
	spikeRunsDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
