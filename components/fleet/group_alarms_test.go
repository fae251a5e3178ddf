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
	}
}

func TestGroupAlarmsArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, validGroupAlarmsArgs, (*GroupAlarmsArgs).validate, []componenttest.Refusal[GroupAlarmsArgs]{
		{Name: "no group", Change: func(a *GroupAlarmsArgs) { a.GroupName = nil }, Fields: []string{"GroupName"}},
		{Name: "no max", Change: func(a *GroupAlarmsArgs) { a.Max = 0 }, Fields: []string{"Max"}},
		{Name: "no topic", Change: func(a *GroupAlarmsArgs) { a.TopicARN = nil }, Fields: []string{"TopicARN"}},
		{Name: "target group alone", Change: func(a *GroupAlarmsArgs) { a.LoadBalancerSuffix = nil }, Fields: []string{"LoadBalancerSuffix"}},
		{Name: "load balancer alone", Change: func(a *GroupAlarmsArgs) { a.TargetGroupSuffix = nil }, Fields: []string{"TargetGroupSuffix"}},
		{Name: "every field at once", Change: func(a *GroupAlarmsArgs) { *a = GroupAlarmsArgs{LoadBalancerSuffix: pulumi.String("lb")} },
			Fields: []string{"GroupName", "Max", "TopicARN", "TargetGroupSuffix"}},
	})
}

func TestGroupAlarmsRefusedDeclaresNothing(t *testing.T) {
	componenttest.DeclareRefused(t, NewGroupAlarms, "api-alarms", &GroupAlarmsArgs{})
}

func TestGroupAlarmsDeclare(t *testing.T) {
	args := validGroupAlarmsArgs()
	p := componenttest.Declare(t, NewGroupAlarms, "api-alarms", args)
	assert.ElementsMatch(t,
		[]string{"api-alarms-max-capacity", "api-alarms-terminating", "api-alarms-unhealthy-targets"},
		componenttest.Names(p, alarmType), "the group's two alarms and, with a load balancer, unhealthy targets")
	assert.EqualValues(t, args.Max-1, componenttest.Input(t, p, alarmType, "api-alarms-max-capacity", "threshold"),
		"at max capacity means a desired count above Max - 1")
	assert.Contains(t, componenttest.Input(t, p, alarmType, "api-alarms-max-capacity", "alarmDescription"), ScalingActivitiesCommand,
		"the page says what to run first")
	assert.Contains(t, componenttest.Input(t, p, alarmType, "api-alarms-unhealthy-targets", "alarmDescription"), TargetHealthCommand)
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
