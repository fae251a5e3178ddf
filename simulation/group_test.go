package simulation

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/config/configtest"
)

// TestScaleInWaitsForTheCooldowns: the scale-in policy is simple scaling, which AWS holds back
// for a cooldown after every launch or termination of the group: the group's default cooldown
// after its instances' launch (here, at creation), the policy's own after its own scale-in.
func TestScaleInWaitsForTheCooldowns(t *testing.T) {
	t.Parallel()
	cfg := configtest.Prod(t)
	a := &cfg.EC2.API
	a.Size.Min, a.Desired, a.Schedules = 1, 3, nil
	a.ScaleIn.Minutes, a.ScaleIn.CooldownSeconds, a.DefaultCooldownSeconds = 1, 120, 900
	opts := Defaults()
	opts.Settle = 0 // created as the trace starts, its 3 instances in service
	r, err := Simulate(cfg, flat(t, float64(cfg.Capacity.API.PeakRequestsPerMinute)), opts)
	require.NoError(t, err)
	desired := fleet(t, r, "ec2-api").Series.Desired
	at := func(m int) float64 { return desired[int(time.Duration(m)*time.Minute/opts.RecordEvery)] }
	require.Equal(t, 3.0, at(0), "precondition: created at 3")
	assert.Equal(t, 3.0, at(14), "the alarm is low from its first minute, but the launch's default cooldown holds it for 15 minutes")
	assert.Equal(t, 2.0, at(15), "one instance removed as the default cooldown ends")
	assert.Equal(t, 2.0, at(16), "then the policy's own 2 minutes")
	assert.Equal(t, 1.0, at(17), "and the next")
}

// TestScheduledLaunchHoldsOffTheScaleIn: a scheduled action's launch is a scaling activity
// too: the scale-in waits for it to finish and for the default cooldown after it, even when
// its alarm has been low all night. An action that raises desired to 3 but leaves the minimum at
// 2 (dev's, until the simulator showed this) loses the instance at 8:00 plus the launch and the
// cooldown, with dev's morning load still under every scale-in level; dev's action now keeps a
// minimum of 3, and holds.
func TestScheduledLaunchHoldsOffTheScaleIn(t *testing.T) {
	t.Parallel()
	cfg := configtest.Stack(t, "dev")
	up := cfg.EC2.API.Schedules["scale-up-business-hours"]
	require.NotNil(t, up)
	require.Equal(t, "0 8 * * MON-FRI", up.Recurrence, "precondition: the times below are its 8:00")
	require.Greater(t, up.Desired, cfg.EC2.API.Size.Min, "precondition: the action raises the count above the group's minimum")
	opts := Defaults()
	held := opts.WarmStart + time.Duration(cfg.EC2.API.DefaultCooldownSeconds)*time.Second // a warm launch, then the cooldown
	desiredAt := func(cfg config.Config) func(d time.Duration) float64 {
		desired := fleet(t, simulate(t, cfg, "business-week"), "ec2-api").Series.Desired
		return func(d time.Duration) float64 { return desired[int(d/opts.RecordEvery)] }
	}

	at := desiredAt(cfg)
	require.Equal(t, up.Desired, up.Bounds(cfg.EC2.API.Size).Min, "precondition: dev's action holds its count as its minimum")
	assert.Equal(t, float64(up.Desired), at(8*time.Hour+held+time.Hour), "dev keeps the business-hours count")

	up.Min = new(cfg.EC2.API.Size.Min) // desired only: the minimum stays the group's
	at = desiredAt(cfg)
	assert.Equal(t, float64(up.Desired), at(8*time.Hour), "the action's count at 8:00")
	assert.Equal(t, float64(up.Desired), at(8*time.Hour+held-time.Minute), "held through the launch and the default cooldown")
	assert.Equal(t, float64(up.Desired-1), at(8*time.Hour+held+time.Minute), "then the low alarm removes one")
}
