package fleet

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/components/internal/componenttest"
)

func validGroupAlarmsArgs() *GroupAlarmsArgs {
	return &GroupAlarmsArgs{
		GroupName: pulumi.String("api-asg"), Max: 8, TopicARN: topicARN,
		TargetGroupSuffix: pulumi.String("targetgroup/api/1"), LoadBalancerSuffix: pulumi.String("app/api/2"),
		ErrorRatePercent: 2.5,
	}
}

func TestGroupAlarmsArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, validGroupAlarmsArgs, (*GroupAlarmsArgs).validate, []componenttest.Refusal[GroupAlarmsArgs]{
		{Name: "no group", Change: func(a *GroupAlarmsArgs) { a.GroupName = nil }, Fields: []string{"GroupName"}},
		{Name: "no max", Change: func(a *GroupAlarmsArgs) { a.Max = 0 }, Fields: []string{"Max"}},
		{Name: "no topic", Change: func(a *GroupAlarmsArgs) { a.TopicARN = nil }, Fields: []string{"TopicARN"}},
		{Name: "target group alone", Change: func(a *GroupAlarmsArgs) { a.LoadBalancerSuffix = nil }, Fields: []string{"LoadBalancerSuffix"}},
		{Name: "load balancer alone", Change: func(a *GroupAlarmsArgs) { a.TargetGroupSuffix = nil }, Fields: []string{"TargetGroupSuffix"}},
		{Name: "error rate over 100", Change: func(a *GroupAlarmsArgs) { a.ErrorRatePercent = 101 }, Fields: []string{"ErrorRatePercent"}},
		{Name: "every field at once", Change: func(a *GroupAlarmsArgs) { *a = GroupAlarmsArgs{LoadBalancerSuffix: pulumi.String("lb")} },
			Fields: []string{"GroupName", "Max", "TopicARN", "TargetGroupSuffix"}},
	})
}

func TestGroupAlarmsWithoutLoadBalancerIgnoreErrorRate(t *testing.T) {
	args := &GroupAlarmsArgs{GroupName: pulumi.String("worker-asg"), Max: 4, TopicARN: topicARN}
	assert.NoError(t, args.validate(), "ErrorRatePercent is read only with the load balancer alarms")
}

func TestGroupAlarmsRefusedDeclaresNothing(t *testing.T) {
	componenttest.DeclareRefused(t, NewGroupAlarms, "api-alarms", &GroupAlarmsArgs{})
}

func TestGroupAlarmsDeclare(t *testing.T) {
	args := validGroupAlarmsArgs()
	p := componenttest.Declare(t, NewGroupAlarms, "api-alarms", args)
	assert.ElementsMatch(t,
		[]string{"api-alarms-error-rate", "api-alarms-max-capacity", "api-alarms-terminating", "api-alarms-unhealthy-targets"},
		componenttest.Names(p, alarmType), "the group's two alarms and, with a load balancer, two more")
	assert.EqualValues(t, args.Max-1, componenttest.Input(t, p, alarmType, "api-alarms-max-capacity", "threshold"),
		"at max capacity means a desired count above Max - 1")
	assert.EqualValues(t, args.ErrorRatePercent, componenttest.Input(t, p, alarmType, "api-alarms-error-rate", "threshold"),
		"the 5xx alarm fires above ErrorRatePercent")
	// The 5xx count is not reported for a minute without errors: filled with 0, such a minute's
	// rate is 0 %, not missing.
	errorRate := func(path string) any { return componenttest.Input(t, p, alarmType, "api-alarms-error-rate", path) }
	assert.Equal(t, "HTTPCode_Target_5XX_Count", errorRate("metricQueries.0.metric.metricName"), "query errors")
	assert.Equal(t, "errors", errorRate("metricQueries.0.id"), "the 5xx count is the errors query")
	assert.Equal(t, "100 * FILL(errors, 0) / requests", errorRate("metricQueries.2.expression"),
		"the rate fills missing errors with 0; requests stay unfilled (no requests, no rate)")
	for _, name := range componenttest.Names(p, alarmType) {
		for _, actions := range []string{"alarmActions", "okActions"} {
			assert.Equal(t, []any{string(topicARN)}, componenttest.Input(t, p, alarmType, name, actions),
				"%s notifies the topic through %s: on alarm and on recovery", name, actions)
		}
	}
}

func TestGroupAlarmsWithoutLoadBalancer(t *testing.T) {
	p := componenttest.Declare(t, NewGroupAlarms, "worker-alarms", &GroupAlarmsArgs{GroupName: pulumi.String("worker-asg"), Max: 4, TopicARN: topicARN})
	assert.ElementsMatch(t, []string{"worker-alarms-max-capacity", "worker-alarms-terminating"}, componenttest.Names(p, alarmType),
		"without a load balancer only the group's own alarms")
}
