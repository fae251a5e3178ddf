package components_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/fleet"
	"github.com/openwan/openwan-infra/internal/componenttest"
	"github.com/openwan/openwan-infra/internal/model"
	"github.com/openwan/openwan-infra/internal/plan"
)

// fleetValidGroupArgs is a small group: on-demand, two target tracking policies, one schedule.
func fleetValidGroupArgs() *fleet.GroupArgs {
	return &fleet.GroupArgs{
		SubnetIDs:        pulumi.ToStringArray([]string{"subnet-a", "subnet-b"}),
		LaunchTemplateID: pulumi.String("lt-1"), LaunchTemplateVersion: pulumi.String("3"),
		Min: 1, Max: 6, Desired: 2,
		HealthCheckGraceSeconds: 120, DefaultCooldownSeconds: 60, WarmupSeconds: 90,
		CPUPercent: 60, MemoryPercent: 70,
		ScaleIn:           fleet.ScaleInArgs{CPUBelowPercent: 20, MemoryBelowPercent: 30, Minutes: 5, CooldownSeconds: 240},
		MinHealthyPercent: 75, TerminationHookSeconds: 45, LaunchHookSeconds: 240,
		Schedules: map[string]fleet.Schedule{"night": {Recurrence: "0 22 * * *", Min: 1, Max: 2, Desired: 1}},
		TimeZone:  "Europe/Berlin",
		TopicARN:  fleetTopicARN, FleetTag: "api",
		InstanceRoleName: pulumi.String("api-role"),
	}
}

func TestGroupArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, fleetValidGroupArgs, componenttest.Validator(fleet.NewGroup, "api-asg"), []componenttest.Refusal[fleet.GroupArgs]{
		{Name: "no subnets", Change: func(a *fleet.GroupArgs) { a.SubnetIDs = nil }, Fields: []string{"SubnetIDs"}},
		{Name: "no launch template", Change: func(a *fleet.GroupArgs) { a.LaunchTemplateID, a.LaunchTemplateVersion = nil, nil },
			Fields: []string{"LaunchTemplateID", "LaunchTemplateVersion"}},
		{Name: "no topic", Change: func(a *fleet.GroupArgs) { a.TopicARN = nil }, Fields: []string{"TopicARN"}},
		{Name: "no instance role to complete the hook", Change: func(a *fleet.GroupArgs) { a.InstanceRoleName = nil }, Fields: []string{"InstanceRoleName"}},
		{Name: "no fleet tag", Change: func(a *fleet.GroupArgs) { a.FleetTag = "" }, Fields: []string{"FleetTag"}},
		{Name: "max below min", Change: func(a *fleet.GroupArgs) { a.Max = 0 }, Fields: []string{"Max", "Desired"}},
		{Name: "desired above max", Change: func(a *fleet.GroupArgs) { a.Desired = 7 }, Fields: []string{"Desired"}},
		{Name: "negative warmup", Change: func(a *fleet.GroupArgs) { a.WarmupSeconds = -1 }, Fields: []string{"WarmupSeconds"}},
		{Name: "hook too short for AWS", Change: func(a *fleet.GroupArgs) { a.TerminationHookSeconds = 29 }, Fields: []string{"TerminationHookSeconds"}},
		{Name: "launch hook too long for AWS", Change: func(a *fleet.GroupArgs) { a.LaunchHookSeconds = 7201 }, Fields: []string{"LaunchHookSeconds"}},
		{Name: "refresh over 100 %", Change: func(a *fleet.GroupArgs) { a.MinHealthyPercent = 101 }, Fields: []string{"MinHealthyPercent"}},
		{Name: "warm pool above the maximum", Change: func(a *fleet.GroupArgs) { a.WarmPoolSize = 7 }, Fields: []string{"WarmPoolSize"}},
		{Name: "warm pool on a spot group", Change: func(a *fleet.GroupArgs) { a.Spot, a.WarmPoolSize = fleetSpotArgs(), 1 }, Fields: []string{"WarmPoolSize"}},
		{Name: "one spot type", Change: func(a *fleet.GroupArgs) { a.Spot = fleetSpotArgs(); a.Spot.InstanceTypes = a.Spot.InstanceTypes[:1] }, Fields: []string{"Spot.InstanceTypes"}},
		{Name: "unknown spot allocation strategy", Change: func(a *fleet.GroupArgs) { a.Spot = fleetSpotArgs(); a.Spot.AllocationStrategy = "cheapest" },
			Fields: []string{"Spot.AllocationStrategy"}},
		{Name: "spot allocation strategy left empty", Change: func(a *fleet.GroupArgs) { a.Spot = fleetSpotArgs(); a.Spot.AllocationStrategy = "" },
			Fields: []string{"Spot.AllocationStrategy"}},
		{Name: "schedule desired outside its bounds", Change: func(a *fleet.GroupArgs) {
			a.Schedules["night"] = fleet.Schedule{Recurrence: "0 22 * * *", Min: 2, Max: 3, Desired: 4}
		},
			Fields: []string{"Schedules[night].Desired"}},
		{Name: "schedules without a time zone", Change: func(a *fleet.GroupArgs) { a.TimeZone = "" }, Fields: []string{"TimeZone"}},
		{Name: "several fields at once", Change: func(a *fleet.GroupArgs) { a.SubnetIDs, a.Desired, a.CPUPercent = nil, 9, 0 },
			Fields: []string{"SubnetIDs", "Desired", "CPUPercent", "ScaleIn.CPUBelowPercent"}},
	})
}

func TestGroupScheduleMayEmptyTheGroup(t *testing.T) {
	args := fleetValidGroupArgs()
	args.Schedules["night"] = fleet.Schedule{Recurrence: "0 22 * * *", Min: 0, Max: 0, Desired: 0}
	assert.NoError(t, componenttest.Validator(fleet.NewGroup, "api-asg")(args), "a schedule may scale the group to zero for the night")
}

func TestGroupRefusedDeclaresNothing(t *testing.T) {
	err := componenttest.DeclareRefused(t, fleet.NewGroup, "api-asg", &fleet.GroupArgs{})
	assert.ErrorContains(t, err, "group api-asg: SubnetIDs", "the error names the group and the field")
}

// fleetDeclareGroup declares a group named "api-asg" on the mocks.
func fleetDeclareGroup(t *testing.T, args *fleet.GroupArgs) *plan.Plan {
	t.Helper()
	return componenttest.Declare(t, fleet.NewGroup, "api-asg", args)
}

func TestGroupDeclares(t *testing.T) {
	args := fleetValidGroupArgs()
	p := fleetDeclareGroup(t, args)
	input := func(path string) any { return componenttest.Input(t, p, model.TypeAutoscalingGroup, "api-asg", path) }

	assert.EqualValues(t, args.Min, input("minSize"), "minSize from Min")
	assert.EqualValues(t, args.Max, input("maxSize"), "maxSize from Max")
	assert.EqualValues(t, args.Desired, input("desiredCapacity"), "the first desired count from Desired")
	r, err := p.Get(model.TypeAutoscalingGroup, "api-asg")
	require.NoError(t, err)
	assert.Contains(t, r.IgnoreChanges, "desiredCapacity", "the policies and schedules own the desired count after creation")
	assert.Equal(t, "EC2", input("healthCheckType"), "without target groups only EC2's own checks can count")
	assert.EqualValues(t, args.MinHealthyPercent, input("instanceRefresh.preferences.minHealthyPercentage"), "refresh keeps MinHealthyPercent")
	assert.Equal(t, "lt-1", input("launchTemplate.id"), "an on-demand group launches from the template directly")

	var metrics []any
	for _, m := range fleet.GroupMetrics() {
		metrics = append(metrics, m)
	}
	assert.Equal(t, metrics, input("enabledMetrics"), "the alarms read the group metrics, so the group publishes them")

	night := args.Schedules["night"]
	assert.Equal(t, args.TimeZone, componenttest.Input(t, p, model.TypeAutoscalingSchedule, "api-asg-night", "timeZone"), "schedules read in TimeZone")
	assert.Equal(t, night.Recurrence, componenttest.Input(t, p, model.TypeAutoscalingSchedule, "api-asg-night", "recurrence"), "the schedule's recurrence")
	assert.EqualValues(t, night.Max, componenttest.Input(t, p, model.TypeAutoscalingSchedule, "api-asg-night", "maxSize"), "the schedule's own bounds")
}

// TestGroupWarmPool: a pool of exactly WarmPoolSize stopped instances that scale-ins return to;
// none without it.
func TestGroupWarmPool(t *testing.T) {
	args := fleetValidGroupArgs()
	p := fleetDeclareGroup(t, args)
	r, err := p.Get(model.TypeAutoscalingGroup, "api-asg")
	require.NoError(t, err)
	_, err = r.Input("warmPool")
	assert.Error(t, err, "no warm pool at WarmPoolSize 0")

	args.WarmPoolSize = 2
	p = fleetDeclareGroup(t, args)
	assert.Equal(t, map[string]any{
		"poolState": "Stopped", "minSize": 2.0, "maxGroupPreparedCapacity": 2.0,
		"instanceReusePolicy": map[string]any{"reuseOnScaleIn": true},
	}, componenttest.Input(t, p, model.TypeAutoscalingGroup, "api-asg", "warmPool"), "min and prepared capacity equal: an absolute size")
}

// fleetSpotArgs are three interchangeable types above one on-demand instance.
func fleetSpotArgs() *fleet.SpotArgs {
	return &fleet.SpotArgs{
		InstanceTypes: []string{"c5.xlarge", "c6i.xlarge", "m5.xlarge"}, OnDemandBase: 1, OnDemandPercentAboveBase: 20,
		AllocationStrategy: "capacity-optimized-prioritized",
	}
}

func TestSpotGroupMixesInstanceTypes(t *testing.T) {
	args := fleetValidGroupArgs()
	args.Spot = fleetSpotArgs()
	p := fleetDeclareGroup(t, args)
	input := func(path string) any { return componenttest.Input(t, p, model.TypeAutoscalingGroup, "api-asg", path) }

	for i, typ := range args.Spot.InstanceTypes {
		assert.Equal(t, typ, input(fmt.Sprintf("mixedInstancesPolicy.launchTemplate.overrides.%d.instanceType", i)),
			"override %d is Spot.InstanceTypes[%d], in order (the first is preferred)", i, i)
	}
	assert.EqualValues(t, args.Spot.OnDemandBase, input("mixedInstancesPolicy.instancesDistribution.onDemandBaseCapacity"), "OnDemandBase")
	assert.EqualValues(t, args.Spot.OnDemandPercentAboveBase,
		input("mixedInstancesPolicy.instancesDistribution.onDemandPercentageAboveBaseCapacity"), "OnDemandPercentAboveBase")
	assert.Equal(t, args.Spot.AllocationStrategy, input("mixedInstancesPolicy.instancesDistribution.spotAllocationStrategy"),
		"the spot pools are chosen by Spot.AllocationStrategy")
	assert.Equal(t, true, input("capacityRebalance"), "spot groups replace instances AWS warns about before they are reclaimed")
	r, err := p.Get(model.TypeAutoscalingGroup, "api-asg")
	require.NoError(t, err)
	_, err = r.Input("launchTemplate")
	assert.Error(t, err, "a mixed instances policy and a launch template exclude each other")
}

func TestGroupMetricsIsACopy(t *testing.T) {
	first := fleet.GroupMetrics()
	first[0] = "changed"
	assert.NotEqual(t, "changed", fleet.GroupMetrics()[0], "a caller's change must not reach what the groups enable")
}

// TestLaunchHookHoldsTheBootstrap: a launching instance (one going into the warm pool included)
// waits in Pending:Wait for its bootstrap, which completes the hook by name; an instance that never
// says it is ready is abandoned, not put in service or stopped into the pool half-made.
func TestLaunchHookHoldsTheBootstrap(t *testing.T) {
	args := fleetValidGroupArgs()
	args.WarmPoolSize = 2
	p := fleetDeclareGroup(t, args)
	hook := func(path string) any {
		return componenttest.Input(t, p, model.TypeAutoscalingLifecycleHook, "api-asg-launch-hook", path)
	}
	assert.Equal(t, fleet.LaunchHookName, hook("name"), "the name the bootstrap completes")
	assert.Equal(t, "autoscaling:EC2_INSTANCE_LAUNCHING", hook("lifecycleTransition"), "it holds launching instances")
	assert.EqualValues(t, args.LaunchHookSeconds, hook("heartbeatTimeout"), "for at most LaunchHookSeconds")
	assert.Equal(t, "ABANDON", hook("defaultResult"), "a bootstrap that never finished is abandoned")
	assert.Equal(t, "api-asg", hook("autoscalingGroupName"), "on this group")

	// The group's first instances and its warm pool launch before the LifecycleHook resources
	// exist: the group carries both hooks from its creation.
	group, err := p.Get(model.TypeAutoscalingGroup, "api-asg")
	require.NoError(t, err)
	initial, err := group.Input("initialLifecycleHooks")
	require.NoError(t, err, "the group is created with its hooks")
	byName := map[string]map[string]any{}
	for _, h := range initial.([]any) {
		m := h.(map[string]any)
		byName[m["name"].(string)] = m
	}
	require.Len(t, byName, 2, "both hooks")
	for _, h := range []struct {
		name, transition, result string
		seconds                  int
	}{
		{fleet.LaunchHookName, "autoscaling:EC2_INSTANCE_LAUNCHING", "ABANDON", args.LaunchHookSeconds},
		{fleet.TerminationHookName, "autoscaling:EC2_INSTANCE_TERMINATING", "CONTINUE", args.TerminationHookSeconds},
	} {
		assert.Equal(t, h.transition, byName[h.name]["lifecycleTransition"], h.name)
		assert.Equal(t, h.result, byName[h.name]["defaultResult"], h.name)
		assert.EqualValues(t, h.seconds, byName[h.name]["heartbeatTimeout"], h.name)
	}
	assert.Contains(t, group.IgnoreChanges, "initialLifecycleHooks",
		"an existing group keeps its initial hooks rather than being replaced; the LifecycleHook resources update them")
}

// TestGroupNotifiesFailuresOnly: a launch or termination that went through is normal scaling.
func TestGroupNotifiesFailuresOnly(t *testing.T) {
	p := fleetDeclareGroup(t, fleetValidGroupArgs())
	got := componenttest.Input(t, p, model.TypeAutoscalingNotification, "api-asg-notifications", "notifications")
	assert.ElementsMatch(t, []any{"autoscaling:EC2_INSTANCE_LAUNCH_ERROR", "autoscaling:EC2_INSTANCE_TERMINATE_ERROR"}, got,
		"no mail for each scale-in and scale-out")
}

func TestSpotAllocationStrategiesAreAWSs(t *testing.T) {
	// The values the Auto Scaling API's SpotAllocationStrategy takes (InstancesDistribution).
	assert.ElementsMatch(t, []string{"lowest-price", "capacity-optimized", "capacity-optimized-prioritized", "price-capacity-optimized"},
		fleet.SpotAllocationStrategies(), "the strategies a mixed instances policy accepts")
	first := fleet.SpotAllocationStrategies()
	first[0] = "changed"
	assert.NotEqual(t, "changed", fleet.SpotAllocationStrategies()[0], "a caller's change must not reach what is allowed")
}

// TestTerminationHookFollowsArgs: the hook is a LifecycleHook of its own, so a new
// TerminationHookSeconds reaches an existing group.
func TestTerminationHookFollowsArgs(t *testing.T) {
	args := fleetValidGroupArgs()
	p := fleetDeclareGroup(t, args)
	hook := func(path string) any {
		return componenttest.Input(t, p, model.TypeAutoscalingLifecycleHook, "api-asg-termination-hook", path)
	}
	assert.Equal(t, fleet.TerminationHookName, hook("name"), "the hook keeps the name the drain service completes")
	assert.Equal(t, "autoscaling:EC2_INSTANCE_TERMINATING", hook("lifecycleTransition"), "it holds terminating instances")
	assert.EqualValues(t, args.TerminationHookSeconds, hook("heartbeatTimeout"), "it waits at most TerminationHookSeconds")
	assert.Equal(t, "CONTINUE", hook("defaultResult"), "when the time is up, the termination goes on")
	assert.Equal(t, "api-asg", hook("autoscalingGroupName"), "on this group (the mocks' physical name is the logical one)")

	r, err := p.Get(model.TypeAutoscalingLifecycleHook, "api-asg-termination-hook")
	require.NoError(t, err)
	group, err := p.Get(model.TypeAutoscalingGroup, "api-asg")
	require.NoError(t, err)
	assert.Equal(t, group.Parent, r.Parent, "the hook is a child of the group's component, like the group")

	// The instances may complete lifecycle actions of this group alone.
	assert.Equal(t, "api-role", componenttest.Input(t, p, model.TypeIAMRolePolicy, "api-asg-complete-lifecycle", "role"), "on the instance role")
	rp, err := p.Get(model.TypeIAMRolePolicy, "api-asg-complete-lifecycle")
	require.NoError(t, err)
	assert.Contains(t, rp.PropertyDependencies["policy"], group.URN, "the policy is computed from the group (its ARN)")
	text, ok := componenttest.Input(t, p, model.TypeIAMRolePolicy, "api-asg-complete-lifecycle", "policy").(string)
	require.True(t, ok, "the policy is a JSON string")
	var policy struct{ Statement []map[string]any }
	require.NoError(t, json.Unmarshal([]byte(text), &policy), "the policy is JSON")
	require.Len(t, policy.Statement, 1, "one statement")
	assert.Equal(t, "autoscaling:CompleteLifecycleAction", policy.Statement[0]["Action"], "completing lifecycle actions, nothing more")
	resource, _ := policy.Statement[0]["Resource"].(string)
	assert.True(t, strings.HasPrefix(resource, "arn:") && strings.HasSuffix(resource, ":api-asg"),
		"on one ARN, the group's (the mocks' ARN ends in the name): %q", resource)

	args.TerminationHookSeconds = 1800
	p = fleetDeclareGroup(t, args)
	assert.EqualValues(t, args.TerminationHookSeconds, componenttest.Input(t, p, model.TypeAutoscalingLifecycleHook, "api-asg-termination-hook", "heartbeatTimeout"),
		"a new TerminationHookSeconds is the hook's new timeout")
}
