package components_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/internal/plan"
	"github.com/openwan/openwan-infra/stacks"
)

// refuse runs prod with raw config that the program must refuse, and returns its error; a
// refused stack declares nothing.
func refuse(t *testing.T, raw map[string]string) error {
	t.Helper()
	p, err := plan.RunStack("prod", raw, stacks.Build, plan.Options{})
	require.Error(t, err, "plan.RunStack() must refuse the config")
	if p != nil {
		assert.Empty(t, p.Resources, "a refused stack must declare nothing before failing")
	}
	return err
}

func TestBadConfigDeclaresNothing(t *testing.T) {
	// Prod with three mistakes in two sections: every one is reported, at once, by its key. The
	// EC2 workers' image follows openwan:worker.image, so the empty one leaves them none either.
	raw := configtest.Raw(t, "prod")
	raw = withConfig(t, raw, "openwan:api", "replicas.max", 1)
	raw = withConfig(t, raw, "openwan:worker", "image", "")
	raw = withConfig(t, raw, "openwan:worker", "targets.cpuPercent", 0)
	want := "invalid stack config:\n" +
		"openwan:api.replicas.max: 1 is below min 2\n" +
		"openwan:worker.image: must not be empty\n" +
		"openwan:worker.targets.cpuPercent: 0 is outside (0, 100]\n" +
		"openwan:ec2.worker.image: must not be empty: set it or openwan:worker.image, which it defaults to"
	assert.EqualError(t, refuse(t, raw), want)
}

func TestNodePoolTooSmallForHPAIsRefused(t *testing.T) {
	// Prod with an API node pool of at most 5 nodes, too few for the HPA's maximum.
	cfg := configtest.Prod(t)
	raw := withConfig(t, configtest.Raw(t, "prod"), "openwan:cluster", "nodePools.api.size.max", 5)
	want := fmt.Sprintf("openwan:cluster.nodePools.api.size.max: 5 nodes cannot hold openwan:api.replicas.max %d pods", cfg.API.Replicas.Max)
	assert.ErrorContains(t, refuse(t, raw), want)
}

// TestDatabaseBudgetIsEnforced runs prod with a database that takes fewer connections than its
// fleets open at their maxima: the stack is refused, naming both numbers, and declares nothing.
func TestDatabaseBudgetIsEnforced(t *testing.T) {
	cfg := configtest.Prod(t)
	const maxConnections = 1000
	reserved := cfg.Capacity.Database.ReservedConnections
	total := connectionsAtMaxima(t, cfg)
	require.Greater(t, total, maxConnections-reserved, "the test's database must be too small for prod's fleets")
	raw := withConfig(t, configtest.Raw(t, "prod"), "openwan:capacity", "database.maxConnections", maxConnections)
	want := fmt.Sprintf("openwan:capacity.database.maxConnections: %d minus %d reserved leaves %d, below the %d connections the fleets open at their maxima",
		maxConnections, reserved, maxConnections-reserved, total)
	assert.ErrorContains(t, refuse(t, raw), want)
}

func TestBadScheduleIsAConfigError(t *testing.T) {
	// Prod with a misspelt day and a desired count above the action's maximum.
	raw := withConfig(t, configtest.Raw(t, "prod"), "openwan:ec2", "api.schedules.scale-up-business-hours",
		map[string]any{"recurrence": "0 8 * * MON-FRY", "min": 3, "max": 10, "desired": 11})
	want := "invalid stack config:\n" +
		`openwan:ec2.api.schedules.scale-up-business-hours.recurrence: "0 8 * * MON-FRY": day of week field "MON-FRY": "FRY" is not a number` + "\n" +
		"openwan:ec2.api.schedules.scale-up-business-hours.desired: 11 is above openwan:ec2.api.schedules.scale-up-business-hours.max 10 (which defaults to openwan:ec2.api.size.max)"
	assert.EqualError(t, refuse(t, raw), want)
}

// The program refuses, before declaring anything, a stack whose AWS provider would create in
// another region than the app's, and a key of a misspelt namespace.
func TestRegionAndNamespaceRefusals(t *testing.T) {
	raw := configtest.Raw(t, "prod")
	raw["aws:region"] = "eu-west-1"
	assert.ErrorContains(t, refuse(t, raw), `aws:region: "eu-west-1" differs from openwan:app.region "us-east-1"`)

	raw = configtest.Raw(t, "prod")
	delete(raw, "aws:region")
	assert.ErrorContains(t, refuse(t, raw), "aws:region: must be set to openwan:app.region")

	raw = configtest.Raw(t, "prod")
	raw["openwn:alerts"] = `{"emails": ["oncall@openwan.example"]}`
	assert.ErrorContains(t, refuse(t, raw), `openwn:alerts: unknown config namespace "openwn"`)
}
