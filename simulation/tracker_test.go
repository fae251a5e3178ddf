package simulation

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config/configtest"
)

// replay feeds a tracker 15 s samples of a load and whether the fleet was at its target, each
// held from its time (minutes) on, for total minutes.
func replay(total int, changes map[int]sample) FleetResult {
	opts := Defaults()
	end := time.Duration(total) * time.Minute
	tr := newTracker("eks-api", 70, 80, opts, end, 2)
	cur := changes[0]
	for now := time.Duration(0); now < end; now += opts.Step {
		if s, ok := changes[int(now/time.Minute)]; ok && now%time.Minute == 0 {
			cur = s
		}
		cur.desired = 2
		tr.observe(now, cur)
	}
	return tr.result()
}

// TestTimeToCapacityOfAStep: the time from a step up in load to the fleet at its target; never
// when the load falls back to its level before the step, or the trace ends, before the fleet
// gets there.
func TestTimeToCapacityOfAStep(t *testing.T) {
	t.Parallel()
	low, behind, caught := sample{load: 100, atTarget: true}, sample{load: 500}, sample{load: 500, atTarget: true}

	r := replay(20, map[int]sample{0: low, 2: behind, 5: caught, 15: low})
	assert.Equal(t, []time.Duration{2 * time.Minute}, r.LoadSteps, "one step, at 2 min")
	assert.Equal(t, []time.Duration{3 * time.Minute}, r.TimeToCapacity, "at target 3 min after the step")
	assert.Equal(t, 3*time.Minute, r.MaxTimeToCapacity)

	r = replay(20, map[int]sample{0: low, 2: behind, 15: low})
	assert.Equal(t, []time.Duration{-1}, r.TimeToCapacity, "the load fell back first: at target only because it did")
	assert.Equal(t, time.Duration(-1), r.MaxTimeToCapacity)
	assert.Equal(t, "never back at its target after a load step", r.Verdict()[CheckCapacity])

	r = replay(20, map[int]sample{0: low, 2: behind})
	assert.Equal(t, []time.Duration{-1}, r.TimeToCapacity, "the trace ended first")
	assert.Equal(t, time.Duration(-1), r.MaxTimeToCapacity)
}

// TestDevAtProdsPeakNeverReachesCapacity: the spike at prod's 2500 requests/minute is beyond
// dev's API (6 pods at most): it is at its target again only when the spike is over, which is
// "never", not the spike's 40 minutes.
func TestDevAtProdsPeakNeverReachesCapacity(t *testing.T) {
	t.Parallel()
	cfg := configtest.Stack(t, "dev")
	r, err := Simulate(cfg, guide(t, "spike"), Defaults())
	require.NoError(t, err)
	eks := fleet(t, r, "eks-api")
	assert.Equal(t, time.Duration(-1), eks.MaxTimeToCapacity, "dev's API is not back at its target while the spike holds")
	assert.Contains(t, eks.Verdict()[CheckCapacity], "never")
}
