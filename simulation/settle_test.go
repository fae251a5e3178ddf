package simulation

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config/configtest"
)

// flat is three hours of the load test's first load: 10 % of the peak and its jobs.
func flat(t *testing.T, peak float64) Trace {
	t.Helper()
	tr, ok := Builtin("load-test", peak)
	require.True(t, ok)
	p := tr.Points[0]
	last := p
	last.At = 3*time.Hour - time.Minute
	return Trace{Name: "flat", Start: tr.Start, Points: []Point{p, last}}
}

// TestFleetsStartSettled: a trace meets a stack where its first load has left it, as a deployed
// stack is found, not at its creation-time sizes with no metric history. Held at one load, no
// fleet of prod or dev moves. Started as just created (Settle 0), prod's API group scales in
// from its created 3 after the scale-in alarm's 10 minutes under the same constant load: the
// 3 -> 2 that, followed by the load test's ramp, read as flapping.
func TestFleetsStartSettled(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"prod", "dev"} {
		cfg := configtest.Stack(t, stack)
		r, err := Simulate(cfg, flat(t, float64(cfg.Capacity.API.PeakRequestsPerMinute)), Defaults())
		require.NoError(t, err)
		for _, f := range r.Fleets {
			assert.Zero(t, f.ScaleEvents, "%s %s: a constant load moves nothing", stack, f.Name)
		}
	}

	cfg := configtest.Prod(t)
	opts := Defaults()
	opts.Settle = 0
	r, err := Simulate(cfg, flat(t, float64(cfg.Capacity.API.PeakRequestsPerMinute)), opts)
	require.NoError(t, err)
	api := fleet(t, r, "ec2-api")
	require.Equal(t, float64(cfg.EC2.API.Desired), api.Series.Desired[0], "precondition: created at openwan:ec2.api.desired")
	minute := time.Duration(cfg.EC2.API.ScaleIn.Minutes-1) * time.Minute // the alarm's last low datapoint
	assert.Equal(t, float64(cfg.EC2.API.Desired-1), api.Series.Desired[int(minute/opts.RecordEvery)],
		"as created, the group scales in once the alarm has its %d low minutes", cfg.EC2.API.ScaleIn.Minutes)
}

// TestProdDoesNotFlapOnTheLoadTest: the help's CI example (--trace load-test --fail-on all)
// holds on prod: no fleet reverses a scaling decision.
func TestProdDoesNotFlapOnTheLoadTest(t *testing.T) {
	t.Parallel()
	for _, f := range simulate(t, configtest.Prod(t), "load-test").Fleets {
		assert.Zero(t, f.Reversals, "%s: no reversal on the load test", f.Name)
		assert.Empty(t, f.Verdict(), "%s meets every target on the load test", f.Name)
	}
}

func TestSettleMustBeWholeMinutes(t *testing.T) {
	t.Parallel()
	opts := Defaults()
	opts.Settle = 90 * time.Second
	_, err := Simulate(configtest.Prod(t), guide(t, "spike"), opts)
	assert.ErrorContains(t, err, "settle 1m30s must be a whole number of minutes")
}
