package components_test

import (
	"encoding/json"
	"path"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/fleet"
	"github.com/openwan/openwan-infra/internal/componenttest"
	"github.com/openwan/openwan-infra/internal/model"
)

func fleetValidGroupAlarmsArgs() *fleet.GroupAlarmsArgs {
	return &fleet.GroupAlarmsArgs{
		GroupName: pulumi.String("api-asg"), Max: 8, TopicARN: fleetTopicARN,
		TargetGroupSuffix: pulumi.String("targetgroup/api/1"), LoadBalancerSuffix: pulumi.String("app/api/2"),
	}
}

func TestGroupAlarmsArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, fleetValidGroupAlarmsArgs, componenttest.Validator(fleet.NewGroupAlarms, "api-alarms"), []componenttest.Refusal[fleet.GroupAlarmsArgs]{
		{Name: "no group", Change: func(a *fleet.GroupAlarmsArgs) { a.GroupName = nil }, Fields: []string{"GroupName"}},
		{Name: "no max", Change: func(a *fleet.GroupAlarmsArgs) { a.Max = 0 }, Fields: []string{"Max"}},
		{Name: "no topic", Change: func(a *fleet.GroupAlarmsArgs) { a.TopicARN = nil }, Fields: []string{"TopicARN"}},
		{Name: "target group alone", Change: func(a *fleet.GroupAlarmsArgs) { a.LoadBalancerSuffix = nil }, Fields: []string{"LoadBalancerSuffix"}},
		{Name: "load balancer alone", Change: func(a *fleet.GroupAlarmsArgs) { a.TargetGroupSuffix = nil }, Fields: []string{"TargetGroupSuffix"}},
		{Name: "every field at once", Change: func(a *fleet.GroupAlarmsArgs) { *a = fleet.GroupAlarmsArgs{LoadBalancerSuffix: pulumi.String("lb")} },
			Fields: []string{"GroupName", "Max", "TopicARN", "TargetGroupSuffix"}},
	})
}

func TestGroupAlarmsRefusedDeclaresNothing(t *testing.T) {
	componenttest.DeclareRefused(t, fleet.NewGroupAlarms, "api-alarms", &fleet.GroupAlarmsArgs{})
}

func TestGroupAlarmsDeclare(t *testing.T) {
	args := fleetValidGroupAlarmsArgs()
	p := componenttest.Declare(t, fleet.NewGroupAlarms, "api-alarms", args)
	assert.ElementsMatch(t,
		[]string{"api-alarms-max-capacity", "api-alarms-unhealthy-targets"},
		componenttest.Names(p, model.TypeCloudWatchMetricAlarm), "the group's max-capacity alarm and, with a load balancer, unhealthy targets; none on every termination")
	assert.EqualValues(t, args.Max-1, componenttest.Input(t, p, model.TypeCloudWatchMetricAlarm, "api-alarms-max-capacity", "threshold"),
		"at max capacity means a desired count above Max - 1")
	assert.Contains(t, componenttest.Input(t, p, model.TypeCloudWatchMetricAlarm, "api-alarms-max-capacity", "alarmDescription"), fleet.ScalingActivitiesCommand,
		"the page says what to run first")
	assert.Contains(t, componenttest.Input(t, p, model.TypeCloudWatchMetricAlarm, "api-alarms-unhealthy-targets", "alarmDescription"), fleet.TargetHealthCommand)
	for _, name := range componenttest.Names(p, model.TypeCloudWatchMetricAlarm) {
		for _, actions := range []string{"alarmActions", "okActions"} {
			assert.Equal(t, []any{string(fleetTopicARN)}, componenttest.Input(t, p, model.TypeCloudWatchMetricAlarm, name, actions),
				"%s notifies the topic through %s: on alarm and on recovery", name, actions)
		}
	}
}

func TestGroupAlarmsWithoutLoadBalancer(t *testing.T) {
	p := componenttest.Declare(t, fleet.NewGroupAlarms, "worker-alarms", &fleet.GroupAlarmsArgs{GroupName: pulumi.String("worker-asg"), Max: 4, TopicARN: fleetTopicARN})
	assert.ElementsMatch(t, []string{"worker-alarms-max-capacity"}, componenttest.Names(p, model.TypeCloudWatchMetricAlarm),
		"without a load balancer only the group's own alarm")
	assert.ElementsMatch(t, []string{"worker-alarms-replaced-unhealthy", "worker-alarms-bootstrap-abandoned"},
		componenttest.Names(p, model.TypeCloudWatchEventRule), "the pages on what is wrong with instances")
}

// The group's event pages match what is wrong and not a scale-in: the patterns are run here
// against events shaped as AWS's event reference shows them, with the Cause and StatusMessage
// texts AWS's docs quote.
func TestBadInstanceEventsPageOnWhatIsWrong(t *testing.T) {
	event := func(detailType, cause, status string) map[string]any {
		return map[string]any{"source": "aws.autoscaling", "detail-type": detailType, "detail": map[string]any{
			"AutoScalingGroupName": "worker-asg", "Cause": cause, "StatusMessage": status,
		}}
	}
	const scaleIn = "At 2024-05-14T20:11:53Z an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from 3 to 2."
	const elb = "At 2022-05-14T20:11:53Z an instance was taken out of service in response to an ELB system health check failure."
	const ec2 = "At 2022-05-14T20:11:53Z an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped."
	const user = "At 2022-05-14T20:11:53Z an instance was taken out of service in response to a user health-check."
	const scaleOut = "At 2024-05-14T20:11:53Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 2 to 3."
	const abandoned = "Instance failed to complete user's Lifecycle Action: Lifecycle Action with token 1a2b was abandoned: Heartbeat Timeout"
	rules := map[string]fleet.InstanceEvent{}
	for _, e := range fleet.BadInstanceEvents() {
		rules[e.Name] = e
	}
	for _, tc := range []struct {
		name  string
		event map[string]any
		pages string // the rule that pages, "" for none
	}{
		{"scale-in", event("EC2 Instance Terminate Successful", scaleIn, ""), ""},
		{"ELB health check", event("EC2 Instance Terminate Successful", elb, ""), "replaced-unhealthy"},
		{"EC2 health check", event("EC2 Instance Terminate Successful", ec2, ""), "replaced-unhealthy"},
		{"user health check", event("EC2 Instance Terminate Successful", user, ""), "replaced-unhealthy"},
		{"scale-out", event("EC2 Instance Launch Successful", scaleOut, ""), ""},
		{"bootstrap abandoned", event("EC2 Instance Launch Successful", scaleOut, abandoned), "bootstrap-abandoned"},
		{"another group's health check", func() map[string]any {
			e := event("EC2 Instance Terminate Successful", elb, "")
			e["detail"].(map[string]any)["AutoScalingGroupName"] = "api-asg"
			return e
		}(), ""},
	} {
		for name, rule := range rules {
			pattern, err := rule.Pattern("worker-asg")
			require.NoError(t, err)
			assert.Equal(t, tc.pages == name, fleetMatchesPattern(t, pattern, tc.event), "%s: rule %s", tc.name, name)
		}
	}
}

// fleetMatchesPattern evaluates the part of EventBridge's pattern language the rules use: exact
// strings and {"wildcard": ...} in arrays, nested objects, every field present. (path.Match's *
// stops at a slash, which none of the texts has.)
func fleetMatchesPattern(t *testing.T, pattern string, event map[string]any) bool {
	t.Helper()
	var p map[string]any
	require.NoError(t, json.Unmarshal([]byte(pattern), &p))
	var match func(p, e map[string]any) bool
	match = func(p, e map[string]any) bool {
		for key, want := range p {
			got, ok := e[key]
			if !ok {
				return false
			}
			switch w := want.(type) {
			case map[string]any:
				sub, ok := got.(map[string]any)
				if !ok || !match(w, sub) {
					return false
				}
			case []any:
				s, _ := got.(string)
				hit := false
				for _, alt := range w {
					switch a := alt.(type) {
					case string:
						hit = hit || a == s
					case map[string]any:
						glob, _ := a["wildcard"].(string)
						ok, err := path.Match(glob, s)
						require.NoError(t, err)
						hit = hit || ok
					}
				}
				if !hit {
					return false
				}
			}
		}
		return true
	}
	return match(p, event)
}
