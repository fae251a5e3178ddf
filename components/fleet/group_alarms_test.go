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
	var nilArgs *GroupAlarmsArgs
	assert.EqualError(t, nilArgs.validate(), "args are required")
	assert.NoError(t, validGroupAlarmsArgs().validate(), "the valid args of these tests")

	cases := []struct {
		name   string
		change func(a *GroupAlarmsArgs)
		fields []string
	}{
		{"no group", func(a *GroupAlarmsArgs) { a.GroupName = nil }, []string{"GroupName"}},
		{"no max", func(a *GroupAlarmsArgs) { a.Max = 0 }, []string{"Max"}},
		{"no topic", func(a *GroupAlarmsArgs) { a.TopicARN = nil }, []string{"TopicARN"}},
		{"target group alone", func(a *GroupAlarmsArgs) { a.LoadBalancerSuffix = nil }, []string{"LoadBalancerSuffix"}},
		{"load balancer alone", func(a *GroupAlarmsArgs) { a.TargetGroupSuffix = nil }, []string{"TargetGroupSuffix"}},
		{"error rate over 100", func(a *GroupAlarmsArgs) { a.ErrorRatePercent = 101 }, []string{"ErrorRatePercent"}},
		{"every field at once", func(a *GroupAlarmsArgs) { *a = GroupAlarmsArgs{LoadBalancerSuffix: pulumi.String("lb")} },
			[]string{"GroupName", "Max", "TopicARN", "TargetGroupSuffix"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := validGroupAlarmsArgs()
			c.change(args)
			componenttest.AssertFields(t, args.validate(), c.fields...)
		})
	}
}

func TestGroupAlarmsWithoutLoadBalancerIgnoreErrorRate(t *testing.T) {
	args := &GroupAlarmsArgs{GroupName: pulumi.String("worker-asg"), Max: 4, TopicARN: topicARN}
	assert.NoError(t, args.validate(), "ErrorRatePercent is read only with the load balancer alarms")
}

func TestGroupAlarmsRefusedDeclaresNothing(t *testing.T) {
	componenttest.Refused(t, func(ctx *pulumi.Context) error {
		_, err := NewGroupAlarms(ctx, "api-alarms", &GroupAlarmsArgs{})
		return err
	})
}

func TestGroupAlarmsDeclare(t *testing.T) {
	args := validGroupAlarmsArgs()
	p := componenttest.Run(t, func(ctx *pulumi.Context) error {
		_, err := NewGroupAlarms(ctx, "api-alarms", args)
		return err
	})
	assert.ElementsMatch(t,
		[]string{"api-alarms-error-rate", "api-alarms-max-capacity", "api-alarms-terminating", "api-alarms-unhealthy-targets"},
		componenttest.Names(p, alarmType), "the group's two alarms and, with a load balancer, two more")
	assert.EqualValues(t, args.Max-1, componenttest.Input(t, p, alarmType, "api-alarms-max-capacity", "threshold"),
		"at max capacity means a desired count above Max - 1")
	assert.EqualValues(t, args.ErrorRatePercent, componenttest.Input(t, p, alarmType, "api-alarms-error-rate", "threshold"),
		"the 5xx alarm fires above ErrorRatePercent")
	for _, name := range componenttest.Names(p, alarmType) {
		for _, actions := range []string{"alarmActions", "okActions"} {
			assert.Equal(t, []any{string(topicARN)}, componenttest.Input(t, p, alarmType, name, actions),
				"%s notifies the topic through %s: on alarm and on recovery", name, actions)
		}
	}
}

func TestGroupAlarmsWithoutLoadBalancer(t *testing.T) {
	p := componenttest.Run(t, func(ctx *pulumi.Context) error {
		_, err := NewGroupAlarms(ctx, "worker-alarms", &GroupAlarmsArgs{GroupName: pulumi.String("worker-asg"), Max: 4, TopicARN: topicARN})
		return err
	})
	assert.ElementsMatch(t, []string{"worker-alarms-max-capacity", "worker-alarms-terminating"}, componenttest.Names(p, alarmType),
		"without a load balancer only the group's own alarms")
}
