package simulation

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/config"
)

func policies(typ string, value, period int, more ...config.ScalingPolicy) []config.ScalingPolicy {
	return append([]config.ScalingPolicy{{Type: typ, Value: value, PeriodSeconds: period}}, more...)
}

// unlimited lets a direction move any distance at once, so a test sees one mechanism alone.
func unlimited() config.Behavior {
	return config.Behavior{SelectPolicy: "Max", Policies: policies("Percent", 1000, 15)}
}

func TestProposalFollowsTheDocumentedAlgorithm(t *testing.T) {
	t.Parallel()
	h := &HPA{Min: 1, Max: 100, Tolerance: DefaultTolerance}
	tests := []struct {
		name           string
		current, ready int
		average        float64
		want           int
	}{
		// kubernetes.io, "Algorithm details": 200m against 100m doubles, 50m halves.
		{"double", 4, 4, 200, 8},
		{"halve", 4, 4, 50, 2},
		{"within the 0.1 tolerance", 4, 4, 109, 4},
		{"just outside it", 4, 4, 111, 5}, // ceil(4 x 1.11)
		{"tolerance below 1 too", 4, 4, 91, 4},
		// Unready pods count as using nothing on a scale-up: 150 % on 2 of 4 ready is 75 %
		// over all four, which flips the direction: no change.
		{"unready pods flip a scale-up", 4, 2, 150, 4},
		{"unready pods damp a scale-up", 4, 2, 300, 6}, // (300 x 2 + 0 x 2) / 400 = 1.5
		// On a scale-down they count as right at the target: (20 x 2 + 100 x 2) / 400 = 0.6.
		{"unready pods damp a scale-down", 4, 2, 20, 3},
		{"no ready pod, no action", 4, 0, 500, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, h.Proposal(tt.current, tt.ready, MetricSample{Average: tt.average, Target: 100}),
				"Proposal(%d pods, %d ready, %v against 100)", tt.current, tt.ready, tt.average)
		})
	}
}

// run syncs the HPA every 15 s with all pods ready and the given metric averages, returning
// the replica count after each sync.
func run(h *HPA, start int, averages ...float64) []int {
	current := start
	var out []int
	for i, avg := range averages {
		current = h.Sync(time.Duration(i)*SyncPeriod, current, current, []MetricSample{{Average: avg, Target: 100}})
		out = append(out, current)
	}
	return out
}

func repeat(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestScaleDownPercentPolicy(t *testing.T) {
	t.Parallel()
	// kubernetes.io, "Scaling policies": 10 % per minute from 80 towards 10 removes 8, then 8
	// again (10 % of 72 is 7.2, the count is rounded down to 64), one step a minute.
	h := &HPA{Min: 1, Max: 100, Tolerance: DefaultTolerance, Up: unlimited(),
		Down: config.Behavior{SelectPolicy: "Max", Policies: policies("Percent", 10, 60)}}
	got := run(h, 80, repeat(12.5, 13)...) // 12.5 % of target: proposal 10
	assert.Equal(t, []int{72, 72, 72, 72, 64, 64, 64, 64, 57, 57, 57, 57, 51}, got,
		"10 % of the count at the period's start, once a minute (four 15 s syncs)")
}

func TestScaleUpSelectPolicy(t *testing.T) {
	t.Parallel()
	guideUp := func(sel string) config.Behavior {
		return config.Behavior{SelectPolicy: sel, Policies: policies("Percent", 100, 15, config.ScalingPolicy{Type: "Pods", Value: 4, PeriodSeconds: 15})}
	}
	tests := []struct {
		selectPolicy string
		want         []int
		why          string
	}{
		{"Max", []int{5, 10, 20, 20}, "whichever adds more, 4 pods or 100 %, up to the maximum 20"},
		{"Min", []int{2, 4, 8, 12}, "whichever adds less"},
		{"Disabled", []int{1, 1, 1, 1}, "no scale-up at all"},
	}
	for _, tt := range tests {
		t.Run(tt.selectPolicy, func(t *testing.T) {
			h := &HPA{Min: 1, Max: 20, Tolerance: DefaultTolerance, Up: guideUp(tt.selectPolicy), Down: unlimited()}
			assert.Equal(t, tt.want, run(h, 1, repeat(10000, 4)...), "selectPolicy %s: %s", tt.selectPolicy, tt.why)
		})
	}
}

func TestScaleDownStabilizationKeepsTheHighestRecommendation(t *testing.T) {
	t.Parallel()
	h := &HPA{Min: 1, Max: 20, Tolerance: DefaultTolerance, Up: unlimited(),
		Down: config.Behavior{StabilizationSeconds: 60, SelectPolicy: "Max", Policies: policies("Percent", 100, 15)}}
	// At target with 10 pods, then half the load: the proposal 5 wins only once the last
	// proposal of 10 (t = 0 s) has left the 60 s window, at the sync of t = 75 s.
	assert.Equal(t, []int{10, 10, 10, 10, 10, 5, 5}, run(h, 10, 100, 50, 50, 50, 50, 50, 50),
		"the highest recommendation of the last 60 s holds")
}

func TestScaleUpStabilizationKeepsTheLowestRecommendation(t *testing.T) {
	t.Parallel()
	h := &HPA{Min: 1, Max: 20, Tolerance: DefaultTolerance, Down: unlimited(),
		Up: config.Behavior{StabilizationSeconds: 30, SelectPolicy: "Max", Policies: policies("Percent", 1000, 15)}}
	// A one-sync burst does not scale up; a sustained one does after 30 s.
	assert.Equal(t, []int{4, 4, 4, 4, 4, 8}, run(h, 4, 100, 200, 100, 200, 200, 200),
		"the lowest recommendation of the last 30 s holds")
}

func TestBoundsClampEveryProposal(t *testing.T) {
	t.Parallel()
	h := &HPA{Min: 2, Max: 6, Tolerance: DefaultTolerance, Up: unlimited(), Down: unlimited()}
	assert.Equal(t, []int{6, 2, 2}, run(h, 4, 1000, 1, 1), "proposals of 40 and 1 are clamped to [2, 6]")
}

func TestLargestMetricWins(t *testing.T) {
	t.Parallel()
	h := &HPA{Min: 1, Max: 20, Tolerance: DefaultTolerance, Up: unlimited(), Down: unlimited()}
	got := h.Sync(0, 4, 4, []MetricSample{{Average: 50, Target: 100}, {Average: 150, Target: 100}, {Average: 100, Target: 100}})
	assert.Equal(t, 6, got, "cpu at 50 %, memory at 150 % and the queue at target: the largest proposal, memory's ceil(4 x 1.5)")
}
