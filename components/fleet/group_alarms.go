package fleet

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// GroupAlarms are the on-call alarms of one Auto Scaling Group (and of its load balancer).
type GroupAlarms struct {
	pulumi.ResourceState
}

// GroupAlarmsArgs describe what to watch.
type GroupAlarmsArgs struct {
	// GroupName is the Auto Scaling Group watched.
	GroupName pulumi.StringInput
	// Max is the group's maximum size (instances); the alarm fires on reaching it.
	Max int
	// TopicARN is notified on alarm and on recovery.
	TopicARN pulumi.StringInput
	// TargetGroupSuffix and LoadBalancerSuffix add the unhealthy-targets alarm; set both or
	// neither. (The load balancer's SLO alarms are monitoring.SLOAlarms.)
	TargetGroupSuffix, LoadBalancerSuffix pulumi.StringInput
}

func (a *GroupAlarmsArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	var errs []error
	if a.GroupName == nil {
		errs = append(errs, errors.New("GroupName: must be set"))
	}
	if a.Max < 1 {
		errs = append(errs, fmt.Errorf("Max: %d is below 1", a.Max))
	}
	if a.TopicARN == nil {
		errs = append(errs, errors.New("TopicARN: must be set"))
	}
	// One suffix alone would silently drop the load balancer alarms.
	switch {
	case a.TargetGroupSuffix != nil && a.LoadBalancerSuffix == nil:
		errs = append(errs, errors.New("LoadBalancerSuffix: must be set with TargetGroupSuffix"))
	case a.TargetGroupSuffix == nil && a.LoadBalancerSuffix != nil:
		errs = append(errs, errors.New("TargetGroupSuffix: must be set with LoadBalancerSuffix"))
	}
	return errors.Join(errs...)
}

func (a *GroupAlarmsArgs) watchesLoadBalancer() bool {
	return a.TargetGroupSuffix != nil && a.LoadBalancerSuffix != nil
}

// NewGroupAlarms declares, as the guide has them, "at max capacity" (GroupDesiredCapacity above
// max - 1 over 300 s), with a load balancer also unhealthy targets (any, three minutes), and two
// EventBridge rules that page on what is wrong with the group's instances (BadInstanceEvents).
// Each description says what it means and the guide's first command.
//
// The guide's "instances terminating" alarm (GroupTerminatingInstances above 0) is not declared:
// it fires on every scale-in, the nightly schedule's and each worker drain's included, so it
// pages on normal scaling and teaches people to ignore pages.
func NewGroupAlarms(ctx *pulumi.Context, name string, args *GroupAlarmsArgs, opts ...pulumi.ResourceOption) (*GroupAlarms, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("group alarms %s: %w", name, err)
	}
	a := &GroupAlarms{}
	if err := ctx.RegisterComponentResource("openwan:ec2:GroupAlarms", name, a, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(a)
	notify := pulumi.Array{args.TopicARN}
	group := pulumi.StringMap{"AutoScalingGroupName": args.GroupName}
	alarms := map[string]*cloudwatch.MetricAlarmArgs{
		"max-capacity": {
			AlarmDescription: pulumi.Sprintf("The group reached its maximum of %d instances: more load would go unserved. First: %s",
				args.Max, ScalingActivitiesCommand),
			Namespace: pulumi.String("AWS/AutoScaling"), MetricName: pulumi.String("GroupDesiredCapacity"),
			Dimensions: group, Statistic: pulumi.String("Maximum"), Period: pulumi.Int(300), EvaluationPeriods: pulumi.Int(1),
			Threshold: pulumi.Float64(float64(args.Max - 1)), ComparisonOperator: pulumi.String("GreaterThanThreshold"),
		},
	}
	if args.watchesLoadBalancer() {
		lbDims := pulumi.StringMap{"TargetGroup": args.TargetGroupSuffix, "LoadBalancer": args.LoadBalancerSuffix}
		alarms["unhealthy-targets"] = &cloudwatch.MetricAlarmArgs{
			AlarmDescription: pulumi.String("Targets fail the load balancer's health check. First: " + TargetHealthCommand),
			Namespace:        pulumi.String("AWS/ApplicationELB"), MetricName: pulumi.String("UnHealthyHostCount"),
			Dimensions: lbDims, Statistic: pulumi.String("Maximum"), Period: pulumi.Int(60), EvaluationPeriods: pulumi.Int(3),
			Threshold: pulumi.Float64(0), ComparisonOperator: pulumi.String("GreaterThanThreshold"),
		}
	}
	for _, key := range slices.Sorted(maps.Keys(alarms)) {
		alarm := alarms[key]
		alarm.AlarmActions, alarm.OkActions = notify, notify
		alarm.TreatMissingData = pulumi.String("notBreaching")
		if _, err := cloudwatch.NewMetricAlarm(ctx, name+"-"+key, alarm, child); err != nil {
			return nil, err
		}
	}
	for _, e := range BadInstanceEvents() {
		pattern := args.GroupName.ToStringOutput().ApplyT(e.Pattern).(pulumi.StringOutput)
		rule, err := cloudwatch.NewEventRule(ctx, name+"-"+e.Name, &cloudwatch.EventRuleArgs{
			Description: pulumi.String(e.Description), EventPattern: pattern,
		}, child)
		if err != nil {
			return nil, err
		}
		if _, err := cloudwatch.NewEventTarget(ctx, name+"-"+e.Name, &cloudwatch.EventTargetArgs{
			Rule: rule.Name, Arn: args.TopicARN,
			// A page a person can read: what happened, to which instance, and the first command.
			InputTransformer: &cloudwatch.EventTargetInputTransformerArgs{
				InputPaths: pulumi.StringMap{
					"group": pulumi.String("$.detail.AutoScalingGroupName"), "instance": pulumi.String("$.detail.EC2InstanceId"),
					"cause": pulumi.String("$.detail.Cause"), "status": pulumi.String("$.detail.StatusMessage"),
				},
				InputTemplate: pulumi.String(strconv.Quote("<group>: instance <instance>: " + e.Description +
					" Cause: <cause> <status> First: " + ScalingActivitiesCommand)),
			},
		}, child); err != nil {
			return nil, err
		}
	}
	if err := ctx.RegisterResourceOutputs(a, pulumi.Map{}); err != nil {
		return nil, err
	}
	return a, nil
}

// ScalingActivitiesCommand and TargetHealthCommand are the guide's first commands for a
// group's alarms, quoted in their descriptions (the group's and the target group's names are in
// the alarm's dimensions).
const (
	ScalingActivitiesCommand = "aws autoscaling describe-scaling-activities --auto-scaling-group-name <AutoScalingGroupName>"
	TargetHealthCommand      = "aws elbv2 describe-target-health --target-group-arn <the target group>"
)

// InstanceEvent is an EventBridge rule on one group's Auto Scaling events that pages.
type InstanceEvent struct {
	// Name is the rule's suffix.
	Name string
	// Description says what happened, in the page's words.
	Description string
	// Pattern is the rule's event pattern for the named group (JSON).
	Pattern func(group string) (string, error)
}

// BadInstanceEvents are the group events that mean something is wrong, as opposed to a scale-in:
//   - an instance replaced after failing a health check (EC2, ELB, EBS or a user's: the Cause
//     of the termination says "in response to an ELB system health check failure", "... an EC2
//     health check ...", "... a user health-check"; AWS, "Health checks for instances in an
//     Auto Scaling group");
//   - a launch whose lifecycle action was abandoned: the bootstrap gave up, or timed out
//     ("Lifecycle Action with token ... was abandoned: Heartbeat Timeout" in the activity's
//     StatusMessage; the Cause is the scale-out's; AWS, "Troubleshoot Amazon EC2 Auto Scaling").
//
// Launches and terminations that failed outright are the group's ERROR notifications
// (NotificationTypes). The event names and fields are those of AWS's "Amazon EC2 Auto Scaling
// event reference"; wildcard matching is EventBridge's ("Content filtering in event patterns").
func BadInstanceEvents() []InstanceEvent {
	pattern := func(detailTypes []string, field string, wildcards ...string) func(string) (string, error) {
		return func(group string) (string, error) {
			var match []map[string]string
			for _, w := range wildcards {
				match = append(match, map[string]string{"wildcard": w})
			}
			out, err := json.Marshal(map[string]any{
				"source":      []string{"aws.autoscaling"},
				"detail-type": detailTypes,
				"detail":      map[string]any{"AutoScalingGroupName": []string{group}, field: match},
			})
			return string(out), err
		}
	}
	return []InstanceEvent{
		{
			Name:        "replaced-unhealthy",
			Description: "replaced after failing a health check.",
			Pattern:     pattern([]string{"EC2 Instance Terminate Successful"}, "Cause", "*health check*", "*health-check*"),
		},
		{
			Name:        "bootstrap-abandoned",
			Description: "its bootstrap failed or timed out (the launch lifecycle action was abandoned); see /var/log/messages and journalctl -u openwan-bootstrap.",
			Pattern:     pattern([]string{"EC2 Instance Launch Successful", "EC2 Instance Launch Unsuccessful"}, "StatusMessage", "*abandoned*"),
		},
	}
}
