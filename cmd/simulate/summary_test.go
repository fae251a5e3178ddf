package main

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/simulation"
)

// TestSummarySaysThePeak: a built-in trace is scaled to the stack's
// openwan:capacity.api.peakRequestsPerMinute, and the summary says which: prod's 2500, dev's 1000.
func TestSummarySaysThePeak(t *testing.T) {
	t.Parallel()
	for stack, peak := range map[string]string{"prod": "2500", "dev": "1000"} {
		assert.Contains(t, spike(t, stack).stdout, "Peak: "+peak+" requests/minute (openwan:capacity.api.peakRequestsPerMinute)",
			"%s: the summary names the peak the spike was scaled to", stack)
	}
}

func TestWrap(t *testing.T) {
	assert.Equal(t, "  one two\n  three\n  a-very-long-word\n", wrap("one two three a-very-long-word", "  ", 10),
		"words fill lines up to the width; a longer word stands alone")
	assert.Empty(t, wrap("", "  ", 10), "nothing to wrap")
}

// TestSummarySaysTheRunsStep: the first line counts the steps in the result's own step.
func TestSummarySaysTheRunsStep(t *testing.T) {
	for _, step := range []time.Duration{simulation.SyncPeriod, 5 * time.Second} {
		r := &simulation.Result{Trace: "flat", Duration: 30 * time.Minute, Steps: int(30 * time.Minute / step), Step: step}
		var out bytes.Buffer
		require.NoError(t, printSummary(&out, "prod", configtest.Prod(t), r))
		first, _, _ := strings.Cut(out.String(), "\n")
		assert.Equal(t, "stack prod, trace flat, 30m0s in "+strconv.Itoa(r.Steps)+" steps of "+strconv.Itoa(int(step.Seconds()))+" s", first,
			"%v steps", step)
	}
}
