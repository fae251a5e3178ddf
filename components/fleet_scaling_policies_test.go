package components_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/fleet"
	"github.com/openwan/openwan-infra/internal/componenttest"
	"github.com/openwan/openwan-infra/internal/model"
)

func TestScalingArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, fleetValidGroupArgs, componenttest.Validator(fleet.NewGroup, "api-asg"), []componenttest.Refusal[fleet.GroupArgs]{
		{Name: "scale-in level at the target", Change: func(a *fleet.GroupArgs) { a.ScaleIn.CPUBelowPercent = a.CPUPercent }, Fields: []string{"ScaleIn.CPUBelowPercent"}},
		{Name: "no scale-in window", Change: func(a *fleet.GroupArgs) { a.ScaleIn.Minutes = 0 }, Fields: []string{"ScaleIn.Minutes"}},
		{Name: "backlog scale-in at its target", Change: func(a *fleet.GroupArgs) {
			a.Backlog = &fleet.BacklogArgs{Namespace: "AWS/AmazonMQ", MetricName: "MessageCount", Dimensions: map[string]string{"Queue": "q"}, PerInstance: 10, BelowPerInstance: 10}
		}, Fields: []string{"Backlog.BelowPerInstance"}},
		{Name: "empty backlog", Change: func(a *fleet.GroupArgs) { a.Backlog = &fleet.BacklogArgs{} },
			Fields: []string{"Backlog.Namespace", "Backlog.MetricName", "Backlog.Dimensions", "Backlog.PerInstance", "Backlog.BelowPerInstance"}},
		{Name: "steps not starting at the threshold", Change: func(a *fleet.GroupArgs) {
			a.Requests = &fleet.RequestArgs{TargetGroupSuffix: pulumi.String("tg"), AbovePerMinute: 100, Steps: []fleet.Step{{BreachPercent: 10, AddPercent: 10}}}
		}, Fields: []string{"Requests.Steps[0].BreachPercent"}},
		{Name: "steps not rising", Change: func(a *fleet.GroupArgs) {
			a.Requests = &fleet.RequestArgs{TargetGroupSuffix: pulumi.String("tg"), AbovePerMinute: 100,
				Steps: []fleet.Step{{BreachPercent: 0, AddPercent: 10}, {BreachPercent: 0, AddPercent: 0}}}
		}, Fields: []string{"Requests.Steps[1].BreachPercent", "Requests.Steps[1].AddPercent"}},
		{Name: "empty requests", Change: func(a *fleet.GroupArgs) { a.Requests = &fleet.RequestArgs{} },
			Fields: []string{"Requests.TargetGroupSuffix", "Requests.AbovePerMinute", "Requests.BelowPerMinute", "Requests.Steps"}},
	})
}

func TestTargetTrackingPolicies(t *testing.T) {
	args := fleetValidGroupArgs()
	p := fleetDeclareGroup(t, args)
	for policy, target := range map[string]int{"api-asg-cpu": args.CPUPercent, "api-asg-memory": args.MemoryPercent} {
		assert.EqualValues(t, target, componenttest.Input(t, p, model.TypeAutoscalingPolicy, policy, "targetTrackingConfiguration.targetValue"),
			"%s tracks its target from the args", policy)
		assert.Equal(t, true, componenttest.Input(t, p, model.TypeAutoscalingPolicy, policy, "targetTrackingConfiguration.disableScaleIn"),
			"%s never scales in: the all-signals-low alarm does", policy)
		assert.EqualValues(t, args.WarmupSeconds, componenttest.Input(t, p, model.TypeAutoscalingPolicy, policy, "estimatedInstanceWarmup"),
			"%s waits WarmupSeconds for a new instance's metrics", policy)
	}
	assert.ElementsMatch(t, []string{"api-asg-cpu", "api-asg-memory", "api-asg-scale-in"}, componenttest.Names(p, model.TypeAutoscalingPolicy),
		"without Backlog or Requests: the two targets and the scale-in policy")
}

func TestScaleInNeedsEverySignalLow(t *testing.T) {
	args := fleetValidGroupArgs()
	p := fleetDeclareGroup(t, args)
	assert.EqualValues(t, -1, componenttest.Input(t, p, model.TypeAutoscalingPolicy, "api-asg-scale-in", "scalingAdjustment"), "one instance at a time")
	assert.EqualValues(t, args.ScaleIn.CooldownSeconds, componenttest.Input(t, p, model.TypeAutoscalingPolicy, "api-asg-scale-in", "cooldown"), "ScaleIn.CooldownSeconds")

	alarm := func(path string) any {
		return componenttest.Input(t, p, model.TypeCloudWatchMetricAlarm, "api-asg-scale-in", path)
	}
	assert.EqualValues(t, args.ScaleIn.Minutes, alarm("evaluationPeriods"), "one-minute periods over ScaleIn.Minutes")
	assert.EqualValues(t, args.ScaleIn.Minutes, alarm("datapointsToAlarm"), "every minute of the window low, not most")
	want := fmt.Sprintf("IF(cpu < %d AND mem < %d, 1, 0)", args.ScaleIn.CPUBelowPercent, args.ScaleIn.MemoryBelowPercent)
	assert.Equal(t, want, alarm("metricQueries.2.expression"), "the alarm's expression joins the scale-in levels with AND")
}

func TestRequestStepsScaleOnRequests(t *testing.T) {
	args := fleetValidGroupArgs()
	args.Requests = &fleet.RequestArgs{
		TargetGroupSuffix: pulumi.String("targetgroup/api/1"), AbovePerMinute: 200, BelowPerMinute: 50,
		Steps: []fleet.Step{{BreachPercent: 0, AddPercent: 10}, {BreachPercent: 25, AddPercent: 30}, {BreachPercent: 50, AddPercent: 100}},
	}
	p := fleetDeclareGroup(t, args)
	step := func(i int, bound string) (any, error) {
		r, err := p.Get(model.TypeAutoscalingPolicy, "api-asg-requests")
		require.NoError(t, err, "Requests adds the step scaling policy")
		return r.Input(fmt.Sprintf("stepAdjustments.%d.%s", i, bound))
	}
	for i, s := range args.Requests.Steps {
		// Bounds are requests per minute over the threshold: BreachPercent of AbovePerMinute.
		lower, err := step(i, "metricIntervalLowerBound")
		require.NoError(t, err)
		assert.Equal(t, strconv.Itoa(args.Requests.AbovePerMinute*s.BreachPercent/100), lower, "step %d starts at its breach", i)
		upper, err := step(i, "metricIntervalUpperBound")
		if i+1 == len(args.Requests.Steps) {
			assert.Error(t, err, "the last step is open-ended")
			continue
		}
		require.NoError(t, err, "step %d ends where the next starts", i)
		assert.Equal(t, strconv.Itoa(args.Requests.AbovePerMinute*args.Requests.Steps[i+1].BreachPercent/100), upper, "step %d ends at the next breach", i)
	}
	assert.EqualValues(t, args.Requests.AbovePerMinute, componenttest.Input(t, p, model.TypeCloudWatchMetricAlarm, "api-asg-requests-high", "threshold"),
		"the step policy's alarm fires above AbovePerMinute")
	// RequestCountPerTarget is not reported for a minute without requests: filled with 0, an idle
	// group's expression still has a value, 1, and the group shrinks.
	want := fmt.Sprintf("IF(cpu < %d AND mem < %d AND FILL(requests, 0) < %d, 1, 0)",
		args.ScaleIn.CPUBelowPercent, args.ScaleIn.MemoryBelowPercent, args.Requests.BelowPerMinute)
	assert.Equal(t, want, componenttest.Input(t, p, model.TypeCloudWatchMetricAlarm, "api-asg-scale-in", "metricQueries.3.expression"),
		"scale-in also waits for requests below BelowPerMinute, none counting as 0")
	assert.Equal(t, "RequestCountPerTarget", componenttest.Input(t, p, model.TypeCloudWatchMetricAlarm, "api-asg-scale-in", "metricQueries.2.metric.metricName"),
		"requests is the load balancer's per-target count")
}

func TestBacklogTracksMessagesPerInstance(t *testing.T) {
	args := fleetValidGroupArgs()
	args.Backlog = &fleet.BacklogArgs{
		Namespace: "AWS/AmazonMQ", MetricName: "MessageCount",
		Dimensions:  map[string]string{"Queue": "transcode", "Broker": "openwan", "VirtualHost": "/"},
		PerInstance: 40, BelowPerInstance: 5,
	}
	p := fleetDeclareGroup(t, args)
	metrics := "targetTrackingConfiguration.customizedMetricSpecification.metrics."
	assert.EqualValues(t, args.Backlog.PerInstance, componenttest.Input(t, p, model.TypeAutoscalingPolicy, "api-asg-backlog", "targetTrackingConfiguration.targetValue"),
		"the backlog policy's target is PerInstance")
	for i, key := range []string{"Broker", "Queue", "VirtualHost"} {
		assert.Equal(t, key, componenttest.Input(t, p, model.TypeAutoscalingPolicy, "api-asg-backlog", fmt.Sprintf("%s0.metricStat.metric.dimensions.%d.name", metrics, i)),
			"dimension %d: the dimensions are declared in key order, so the policy never changes by itself", i)
	}
	assert.Equal(t, fleet.BacklogExpression, componenttest.Input(t, p, model.TypeAutoscalingPolicy, "api-asg-backlog", metrics+"2.expression"), "messages per in-service instance")

	// An idle queue's depth may not be reported: the scale-in alarm counts it as 0 messages.
	want := fmt.Sprintf("IF(cpu < %d AND mem < %d AND (FILL(queue, 0) / instances) < %d, 1, 0)",
		args.ScaleIn.CPUBelowPercent, args.ScaleIn.MemoryBelowPercent, args.Backlog.BelowPerInstance)
	assert.Equal(t, want, componenttest.Input(t, p, model.TypeCloudWatchMetricAlarm, "api-asg-scale-in", "metricQueries.4.expression"),
		"scale-in also waits for the backlog below BelowPerInstance, an unreported queue counting as empty")
	for i, metric := range []string{"CPUUtilization", "mem_used_percent", args.Backlog.MetricName, "GroupInServiceInstances"} {
		assert.Equal(t, metric, componenttest.Input(t, p, model.TypeCloudWatchMetricAlarm, "api-asg-scale-in", fmt.Sprintf("metricQueries.%d.metric.metricName", i)),
			"query %d of the scale-in alarm", i)
	}
}
