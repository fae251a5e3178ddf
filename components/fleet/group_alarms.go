package fleet

import (
	"errors"
	"fmt"
	"maps"
	"slices"

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
// max - 1 over 300 s) and "instances terminating" (GroupTerminatingInstances above 0 for two
// 60 s periods); with a load balancer also unhealthy targets (any, three minutes). Each
// description says what it means and the guide's first command.
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
		"terminating": {
			AlarmDescription: pulumi.String("Instances are terminating: a scale-in, a refresh or failing health checks. First: " + ScalingActivitiesCommand),
			Namespace:        pulumi.String("AWS/AutoScaling"), MetricName: pulumi.String("GroupTerminatingInstances"),
			Dimensions: group, Statistic: pulumi.String("Maximum"), Period: pulumi.Int(60), EvaluationPeriods: pulumi.Int(2),
			Threshold: pulumi.Float64(0), ComparisonOperator: pulumi.String("GreaterThanThreshold"),
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
