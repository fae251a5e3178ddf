package simulation

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config/configtest"
)

// TestScaleInWaitsForTheCooldowns: the scale-in policy is simple scaling, which AWS holds back
// for a cooldown after every launch or termination of the group: the group's default cooldown
// after its instances' launch (here, at creation), the policy's own after its own scale-in.
func TestScaleInWaitsForTheCooldowns(t *testing.T) {
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
