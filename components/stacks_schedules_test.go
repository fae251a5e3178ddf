package components_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/capacity"
	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/internal/plan"
)

// TestSchedulesFollowARaisedGroupMax: prod with openwan:ec2.api.size.max raised to 20 and only the
// business-hours desired count set. Both actions set the group's max of 20 (copies of the old 10
// would cut it back every morning and night), and the capacity plan counts the same 20.
func TestSchedulesFollowARaisedGroupMax(t *testing.T) {
	prod := configtest.Prod(t)
	api := prod.EC2.API
	const raised, businessDesired = 20, 6
	require.Greater(t, raised, api.Size.Max, "precondition: the test raises prod's API group max")
	night, ok := api.Schedules["scale-down-night"]
	require.True(t, ok, "precondition: prod keeps the guide's night action")

	raw := configtest.Raw(t, "prod")
	raw = withConfig(t, raw, "openwan:ec2", "api.size.max", raised)
	raw = withConfig(t, raw, "openwan:ec2", "api.schedules.scale-up-business-hours",
		map[string]any{"recurrence": "0 8 * * MON-FRI", "desired": businessDesired})
	// The ten more instances open ten more connection pools, which the database must take.
	extra := (raised - api.Size.Max) * prod.API.DBPoolSize
	raw = withConfig(t, raw, "openwan:capacity", "database.maxConnections", prod.Capacity.Database.MaxConnections+extra)
	p := runRaw(t, "prod", raw, false)

	assert.Equal(t, map[string]schedule{
		apiGroup + "-scale-up-business-hours": {"0 8 * * MON-FRI", prod.EC2.TimeZone, float64(api.Size.Min), raised, businessDesired},
		apiGroup + "-scale-down-night":        {night.Recurrence, prod.EC2.TimeZone, float64(api.Size.Min), raised, float64(night.Desired)},
	}, schedules(p), "each action's minSize and maxSize are the group's size, which neither action sets")
	runChecks(t, p, []check{{groupType, apiGroup, "maxSize", raised}})

	// The capacity plan at the same maximum: the requests the group serves, its instances in the
	// cost, its connections in the database budget.
	it, err := capacity.Lookup("ec2.api.instanceType", api.InstanceType)
	require.NoError(t, err)
	perInstance, err := capacity.RequestsPerMinute(prod.Capacity, it.VCPU*1000, api.Targets.CPUPercent)
	require.NoError(t, err)
	assert.InDelta(t, raised*perInstance, outputNumber(t, p, "capacity.api.ec2RequestsPerMinute"), 1e-9,
		"the API group serves at 20 instances")
	assertJSON(t, raised, listed(t, p, "monthlyCostUSD.fleets", "fleet", "openwan:ec2.api")["instances"].(map[string]any)["max"],
		"the cost prices the API group at 20 instances at most")
	assertJSON(t, raised, listed(t, p, "capacity.database.users", "fleet", "openwan:ec2.api")["replicas"],
		"the database budget counts 20 API instances")
}

// listed is the item of the output list at path whose field is value, which the test requires.
func listed(t *testing.T, p *plan.Plan, path, field string, value any) map[string]any {
	t.Helper()
	items, ok := output(t, p, path).([]any)
	require.True(t, ok, "output %s is a list", path)
	for _, item := range items {
		if m, ok := item.(map[string]any); ok && m[field] == value {
			return m
		}
	}
	require.FailNow(t, "no such item", "output %s has no item with %s %v", path, field, value)
	return nil
}

// TestUpLeavesTheBoundsSchedulesOwn: a group ignores a change of its minSize (maxSize) once one
// of its scheduled actions sets another minimum (maximum) than the group's own, so an `up`
// between two actions leaves the last one's bound in place; its desired count is always the
// policies' and the schedules'.
func TestUpLeavesTheBoundsSchedulesOwn(t *testing.T) {
	prod := configtest.Raw(t, "prod")
	capped := withConfig(t, prod, "openwan:ec2", "api.schedules.scale-down-night",
		map[string]any{"recurrence": "0 22 * * *", "max": 6, "desired": 2})
	dev := configtest.Raw(t, "dev")
	desiredOnly := withConfig(t, dev, "openwan:ec2", "api.schedules.scale-up-business-hours",
		map[string]any{"recurrence": "0 8 * * MON-FRI", "desired": 3})
	tests := []struct {
		name, stack string
		raw         map[string]string
		group       string
		want        []string
	}{
		// The guide's business-hours action raises the minimum to 3; neither sets a maximum.
		{"prod's API group", "prod", prod, apiGroup, []string{"desiredCapacity", "minSize"}},
		{"prod's worker group, without schedules", "prod", prod, workerGroup, []string{"desiredCapacity"}},
		// Dev's business-hours action keeps a minimum of 3, as the guide's does.
		{"dev's API group", "dev", dev, apiGroup, []string{"desiredCapacity", "minSize"}},
		// Actions that set only desired counts: the group's own bounds stay the config's.
		{"desired-only actions", "dev", desiredOnly, apiGroup, []string{"desiredCapacity"}},
		{"a night that caps the maximum", "prod", capped, apiGroup, []string{"desiredCapacity", "maxSize", "minSize"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := runRaw(t, tt.stack, tt.raw, false)
			var got []string // of the group's size and count; it may ignore other inputs too
			for _, in := range mustGet(t, p, groupType, tt.group).IgnoreChanges {
				if slices.Contains([]string{"desiredCapacity", "minSize", "maxSize"}, in) {
					got = append(got, in)
				}
			}
			assert.ElementsMatch(t, tt.want, got, "the size and count inputs an `up` leaves to AWS")
		})
	}
}
