package simulation

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config/configtest"
)

// TestBuiltinsScaleToThePeak: every built-in trace's request rates are the same shares of the
// peak it is built for, its jobs too (uploads come from the same users), and at the guide's peak (prod's) the load test
// and the spike reach exactly the guide's 2500 requests/minute.
func TestBuiltinsScaleToThePeak(t *testing.T) {
	t.Parallel()
	for _, name := range BuiltinNames() {
		t.Run(name, func(t *testing.T) {
			full, ok := Builtin(name, GuidePeakRequestsPerMinute)
			require.True(t, ok)
			dev, ok := Builtin(name, 1000)
			require.True(t, ok)
			require.Len(t, dev.Points, len(full.Points), "the same shape")
			for i, p := range dev.Points {
				assert.InDelta(t, 0.4*full.Points[i].RequestsPerMinute, p.RequestsPerMinute, 1e-9, "point %d: 1000/2500 of the guide's rate", i)
				assert.InDelta(t, 0.4*full.Points[i].JobsPerMinute, p.JobsPerMinute, 1e-9, "point %d: uploads scale with the users", i)
			}
			assert.Equal(t, 1000.0, dev.PeakRequestsPerMinute)
			assert.Contains(t, dev.Description, "Peak: 1000 requests/minute (openwan:capacity.api.peakRequestsPerMinute)",
				"the description says which peak it was scaled to")
		})
	}
	for _, name := range []string{"load-test", "spike"} {
		tr, _ := Builtin(name, GuidePeakRequestsPerMinute)
		rpm := make([]float64, len(tr.Points))
		for i, p := range tr.Points {
			rpm[i] = p.RequestsPerMinute
		}
		assert.Equal(t, 2500.0, slices.Max(rpm), "%s peaks at the guide's 2500 requests/minute exactly", name)
		tr, _ = Builtin(name, 1000)
		rpm = rpm[:0]
		for _, p := range tr.Points {
			rpm = append(rpm, p.RequestsPerMinute)
		}
		assert.InDelta(t, 1000.0, slices.Max(rpm), 1e-9, "%s peaks at the peak it is built for", name)
	}
	_, ok := Builtin("no-such-trace", 1000)
	assert.False(t, ok, "an unknown name")
	_, ok = Builtin("spike", 0)
	assert.False(t, ok, "no trace without a peak")
}

// TestDevMeetsItsOwnSpike: dev is sized for 1000 requests/minute; the spike scaled to it is
// served within the guide's bound, and its headroom buys time on it. (At prod's 2500 the dev API
// could not reach its target before the spike ended.)
func TestDevMeetsItsOwnSpike(t *testing.T) {
	t.Parallel()
	cfg := configtest.Stack(t, "dev")
	require.Equal(t, 1000, cfg.Capacity.API.PeakRequestsPerMinute, "precondition: dev is sized for 1000 requests/minute")
	eks := fleet(t, simulate(t, cfg, "spike"), "eks-api")
	require.Len(t, eks.TimeToCapacity, 1, "the spike is one step up in load")
	assert.GreaterOrEqual(t, eks.MaxTimeToCapacity, time.Duration(0), "eks-api reaches capacity")
	assert.LessOrEqual(t, eks.MaxTimeToCapacity, time.Duration(cfg.Capacity.TimeToCapacitySeconds)*time.Second,
		"eks-api reaches capacity within openwan:capacity.timeToCapacitySeconds")

	ready, err := ReadinessOf(cfg, Defaults())
	require.NoError(t, err)
	require.NotNil(t, ready.Headroom, "precondition: dev keeps API headroom")
	assert.GreaterOrEqual(t, ready.Headroom.WithSeconds, 0.0, "with the headroom dev reaches capacity")
	assert.Less(t, ready.Headroom.WithSeconds, ready.Headroom.WithoutSeconds, "dev's headroom buys time on its spike")
}
