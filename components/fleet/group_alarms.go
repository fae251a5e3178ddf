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
	// TargetGroupSuffix and LoadBalancerSuffix add the load balancer alarms; set both or neither.
	TargetGroupSuffix, LoadBalancerSuffix pulumi.StringInput
	// ErrorRatePercent is the target 5xx share of requests that pages (percent, in (0, 100]);
	// read only with the load balancer alarms.
	ErrorRatePercent float64
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
	if a.watchesLoadBalancer() && (a.ErrorRatePercent <= 0 || a.ErrorRatePercent > 100) {
		errs = append(errs, fmt.Errorf("ErrorRatePercent: %g is outside (0, 100]", a.ErrorRatePercent))
	}
	return errors.Join(errs...)
}

func (a *GroupAlarmsArgs) watchesLoadBalancer() bool {
	return a.TargetGroupSuffix != nil && a.LoadBalancerSuffix != nil
}

// NewGroupAlarms declares, as the guide has them, "at max capacity" (GroupDesiredCapacity above
// max - 1 over 300 s) and "instances terminating" (GroupTerminatingInstances above 0 for two
// 60 s periods); with a load balancer also unhealthy targets (any, three minutes) and the
// target 5xx rate (above ErrorRatePercent for five minutes).
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
			AlarmDescription: pulumi.Sprintf("The group reached its maximum of %d instances", args.Max),
			Namespace:        pulumi.String("AWS/AutoScaling"), MetricName: pulumi.String("GroupDesiredCapacity"),
			Dimensions: group, Statistic: pulumi.String("Maximum"), Period: pulumi.Int(300), EvaluationPeriods: pulumi.Int(1),
			Threshold: pulumi.Float64(float64(args.Max - 1)), ComparisonOperator: pulumi.String("GreaterThanThreshold"),
		},
		"terminating": {
			AlarmDescription: pulumi.String("Instances are terminating: a scale-in, a refresh or failing health checks"),
			Namespace:        pulumi.String("AWS/AutoScaling"), MetricName: pulumi.String("GroupTerminatingInstances"),
			Dimensions: group, Statistic: pulumi.String("Maximum"), Period: pulumi.Int(60), EvaluationPeriods: pulumi.Int(2),
			Threshold: pulumi.Float64(0), ComparisonOperator: pulumi.String("GreaterThanThreshold"),
		},
	}
	if args.watchesLoadBalancer() {
		lbDims := pulumi.StringMap{"TargetGroup": args.TargetGroupSuffix, "LoadBalancer": args.LoadBalancerSuffix}
		alarms["unhealthy-targets"] = &cloudwatch.MetricAlarmArgs{
			AlarmDescription: pulumi.String("Targets fail the load balancer's health check"),
			Namespace:        pulumi.String("AWS/ApplicationELB"), MetricName: pulumi.String("UnHealthyHostCount"),
			Dimensions: lbDims, Statistic: pulumi.String("Maximum"), Period: pulumi.Int(60), EvaluationPeriods: pulumi.Int(3),
			Threshold: pulumi.Float64(0), ComparisonOperator: pulumi.String("GreaterThanThreshold"),
		}
		sum := func(id, metric string) *cloudwatch.MetricAlarmMetricQueryArgs {
			return &cloudwatch.MetricAlarmMetricQueryArgs{
				Id: pulumi.String(id), ReturnData: pulumi.Bool(false),
				Metric: &cloudwatch.MetricAlarmMetricQueryMetricArgs{
					Namespace: pulumi.String("AWS/ApplicationELB"), MetricName: pulumi.String(metric),
					Stat: pulumi.String("Sum"), Period: pulumi.Int(60), Dimensions: lbDims,
				},
			}
		}
		alarms["error-rate"] = &cloudwatch.MetricAlarmArgs{
			AlarmDescription: pulumi.Sprintf("Target 5xx responses above %g %% of requests", args.ErrorRatePercent),
			MetricQueries: cloudwatch.MetricAlarmMetricQueryArray{
				sum("errors", "HTTPCode_Target_5XX_Count"), sum("requests", "RequestCount"),
				&cloudwatch.MetricAlarmMetricQueryArgs{
					Id: pulumi.String("rate"), Expression: pulumi.String(ErrorRateExpression),
					Label: pulumi.String("5xx percent"), ReturnData: pulumi.Bool(true),
				},
			},
			EvaluationPeriods: pulumi.Int(5), Threshold: pulumi.Float64(args.ErrorRatePercent),
			ComparisonOperator: pulumi.String("GreaterThanThreshold"),
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

// ErrorRateExpression is the metric math of the target 5xx share of requests (percent). The load
// balancer reports HTTPCode_Target_5XX_Count only for minutes with 5xx responses: unfilled, a
// minute of requests without an error would have no rate rather than 0 % (the alarm would count
// it as not breaching only through treatMissingData, and the graph would show nothing). Requests
// stay unfilled: a minute without any has no rate to speak of (0 / 0), and is not breaching.
const ErrorRateExpression = "100 * FILL(errors, 0) / requests"
