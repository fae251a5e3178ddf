package fleet

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/autoscaling"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// GroupMetrics are the group metrics the Auto Scaling Group publishes every minute; the alarms
// and the backlog-per-instance math read them.
var GroupMetrics = []string{
	"GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances",
	"GroupPendingInstances", "GroupTerminatingInstances", "GroupTotalInstances",
}

// Group is an Auto Scaling Group with its scaling: target tracking on CPU and on the CloudWatch
// agent's memory metric (and optionally on queue backlog per instance), optional step scaling on
// load balancer requests, one scale-in policy driven by an alarm that needs every signal low at
// once, scheduled actions, a termination lifecycle hook and scaling notifications.
//
// Target tracking policies have scale-in disabled: the guide's "Scale In When" thresholds (CPU <
// 30 % for 10 minutes, ...) sit far below the targets, which target tracking cannot express.
type Group struct {
	pulumi.ResourceState

	Group *autoscaling.Group
	Name  pulumi.StringOutput
}

// GroupArgs describe a group. Counts are instances, times seconds, targets percent.
type GroupArgs struct {
	// SubnetIDs are the private subnets the group spreads over (two zones or more).
	SubnetIDs pulumi.StringArrayInput
	// LaunchTemplateID and LaunchTemplateVersion select what instances boot.
	LaunchTemplateID, LaunchTemplateVersion pulumi.StringInput
	// Spot, when set, makes a mixed instances policy over its types.
	Spot *SpotArgs
	// Min, Max and Desired bound the group; Desired is ignored after creation.
	Min, Max, Desired int
	// TargetGroupARNs register instances with a load balancer, whose health checks then count.
	TargetGroupARNs pulumi.StringArrayInput
	// HealthCheckGraceSeconds, DefaultCooldownSeconds and WarmupSeconds tune the group.
	HealthCheckGraceSeconds, DefaultCooldownSeconds, WarmupSeconds int
	// CPUPercent and MemoryPercent are the target tracking targets.
	CPUPercent, MemoryPercent int
	// Backlog adds target tracking on queue messages per in-service instance.
	Backlog *BacklogArgs
	// Requests adds step scaling on the load balancer's requests per target.
	Requests *RequestArgs
	// ScaleIn is when the group shrinks by one.
	ScaleIn ScaleInArgs
	// MinHealthyPercent is kept in service during an instance refresh.
	MinHealthyPercent int
	// TerminationHookSeconds is how long a terminating instance may drain.
	TerminationHookSeconds int
	// Schedules are scheduled actions by name, read in TimeZone.
	Schedules map[string]Schedule
	TimeZone  string
	// TopicARN receives the group's launch and terminate notifications.
	TopicARN pulumi.StringInput
	// FleetTag is the "openwan:fleet" tag value, propagated to instances.
	FleetTag string
}

// SpotArgs are the mixed instances policy of a spot fleet.
type SpotArgs struct {
	InstanceTypes                          []string
	OnDemandBase, OnDemandPercentAboveBase int
}

// BacklogArgs describe the queue whose messages per instance are tracked.
type BacklogArgs struct {
	Namespace, MetricName string
	Dimensions            map[string]string
	// PerInstance is the target; BelowPerInstance the scale-in level (messages).
	PerInstance, BelowPerInstance int
}

// RequestArgs describe step scaling on RequestCountPerTarget (a per-minute sum).
type RequestArgs struct {
	// TargetGroupSuffix is the target group's ARN suffix, the metric's dimension.
	TargetGroupSuffix pulumi.StringInput
	// AbovePerMinute triggers scale-out; BelowPerMinute is the scale-in level.
	AbovePerMinute, BelowPerMinute int
	// Steps: from BreachPercent over AbovePerMinute, add AddPercent of the group.
	Steps []Step
}

// Step is one step adjustment.
type Step struct{ BreachPercent, AddPercent int }

// ScaleInArgs: the group loses one instance when CPU, memory (and requests or backlog) have all
// been low for Minutes, at most once per CooldownSeconds.
type ScaleInArgs struct {
	CPUBelowPercent, MemoryBelowPercent, Minutes, CooldownSeconds int
}

// Schedule is one scheduled action.
type Schedule struct {
	Recurrence        string
	Min, Max, Desired int
}

func (a *GroupArgs) validate() error {
	var errs []error
	if a.SubnetIDs == nil || a.LaunchTemplateID == nil || a.TopicARN == nil || a.FleetTag == "" {
		errs = append(errs, errors.New("subnets, launch template, notification topic and fleet tag are required"))
	}
	if a.Min < 0 || a.Max < a.Min || a.Desired < a.Min || a.Desired > a.Max {
		errs = append(errs, fmt.Errorf("need 0 <= min <= desired <= max, got %d <= %d <= %d", a.Min, a.Desired, a.Max))
	}
	if a.Spot != nil && len(a.Spot.InstanceTypes) < 2 {
		errs = append(errs, errors.New("spot needs two or more instance types"))
	}
	if a.Requests != nil && (len(a.Requests.Steps) == 0 || a.Requests.Steps[0].BreachPercent != 0) {
		errs = append(errs, errors.New("request steps must start at a 0 % breach"))
	}
	return errors.Join(errs...)
}

// NewGroup declares the group and its policies, alarm, schedules and notifications.
func NewGroup(ctx *pulumi.Context, name string, args *GroupArgs, opts ...pulumi.ResourceOption) (*Group, error) {
	if args == nil {
		return nil, errors.New("group: args are required")
	}
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("group %s: %w", name, err)
	}
	g := &Group{}
	if err := ctx.RegisterComponentResource("openwan:ec2:AutoScalingGroup", name, g, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(g)

	healthCheck := "EC2"
	if args.TargetGroupARNs != nil {
		healthCheck = "ELB"
	}
	lt := &autoscaling.GroupLaunchTemplateArgs{Id: args.LaunchTemplateID, Version: args.LaunchTemplateVersion}
	groupArgs := &autoscaling.GroupArgs{
		VpcZoneIdentifiers:     args.SubnetIDs,
		MinSize:                pulumi.Int(args.Min),
		MaxSize:                pulumi.Int(args.Max),
		DesiredCapacity:        pulumi.Int(args.Desired),
		HealthCheckType:        pulumi.String(healthCheck),
		HealthCheckGracePeriod: pulumi.Int(args.HealthCheckGraceSeconds),
		DefaultCooldown:        pulumi.Int(args.DefaultCooldownSeconds),
		DefaultInstanceWarmup:  pulumi.Int(args.WarmupSeconds),
		TargetGroupArns:        args.TargetGroupARNs,
		EnabledMetrics:         pulumi.ToStringArray(GroupMetrics),
		MetricsGranularity:     pulumi.String("1Minute"),
		InstanceRefresh: &autoscaling.GroupInstanceRefreshArgs{
			Strategy: pulumi.String("Rolling"),
			Preferences: &autoscaling.GroupInstanceRefreshPreferencesArgs{
				MinHealthyPercentage: pulumi.Int(args.MinHealthyPercent),
				InstanceWarmup:       pulumi.String(strconv.Itoa(args.WarmupSeconds)),
			},
		},
		InitialLifecycleHooks: autoscaling.GroupInitialLifecycleHookArray{&autoscaling.GroupInitialLifecycleHookArgs{
			Name:                pulumi.String("drain"),
			LifecycleTransition: pulumi.String("autoscaling:EC2_INSTANCE_TERMINATING"),
			HeartbeatTimeout:    pulumi.Int(args.TerminationHookSeconds),
			DefaultResult:       pulumi.String("CONTINUE"),
		}},
		Tags: autoscaling.GroupTagArray{
			&autoscaling.GroupTagArgs{Key: pulumi.String("Name"), Value: pulumi.String(name), PropagateAtLaunch: pulumi.Bool(true)},
			&autoscaling.GroupTagArgs{Key: pulumi.String("openwan:fleet"), Value: pulumi.String(args.FleetTag), PropagateAtLaunch: pulumi.Bool(true)},
		},
	}
	if args.Spot == nil {
		groupArgs.LaunchTemplate = lt
	} else {
		overrides := autoscaling.GroupMixedInstancesPolicyLaunchTemplateOverrideArray{}
		for _, t := range args.Spot.InstanceTypes {
			overrides = append(overrides, &autoscaling.GroupMixedInstancesPolicyLaunchTemplateOverrideArgs{InstanceType: pulumi.String(t)})
		}
		groupArgs.CapacityRebalance = pulumi.Bool(true)
		groupArgs.MixedInstancesPolicy = &autoscaling.GroupMixedInstancesPolicyArgs{
			InstancesDistribution: &autoscaling.GroupMixedInstancesPolicyInstancesDistributionArgs{
				OnDemandBaseCapacity:                pulumi.Int(args.Spot.OnDemandBase),
				OnDemandPercentageAboveBaseCapacity: pulumi.Int(args.Spot.OnDemandPercentAboveBase),
				SpotAllocationStrategy:              pulumi.String("capacity-optimized"),
			},
			LaunchTemplate: &autoscaling.GroupMixedInstancesPolicyLaunchTemplateArgs{
				LaunchTemplateSpecification: &autoscaling.GroupMixedInstancesPolicyLaunchTemplateLaunchTemplateSpecificationArgs{
					LaunchTemplateId: args.LaunchTemplateID, Version: args.LaunchTemplateVersion,
				},
				Overrides: overrides,
			},
		}
	}
	var err error
	// The policies and schedules own the desired count after creation.
	g.Group, err = autoscaling.NewGroup(ctx, name, groupArgs, child, pulumi.IgnoreChanges([]string{"desiredCapacity"}))
	if err != nil {
		return nil, err
	}
	g.Name = g.Group.Name

	if err := g.declareScaling(ctx, name, args, child); err != nil {
		return nil, err
	}
	for _, action := range slices.Sorted(maps.Keys(args.Schedules)) {
		s := args.Schedules[action]
		if _, err := autoscaling.NewSchedule(ctx, name+"-"+action, &autoscaling.ScheduleArgs{
			AutoscalingGroupName: g.Group.Name,
			ScheduledActionName:  pulumi.String(action),
			Recurrence:           pulumi.String(s.Recurrence),
			TimeZone:             pulumi.String(args.TimeZone),
			MinSize:              pulumi.Int(s.Min),
			MaxSize:              pulumi.Int(s.Max),
			DesiredCapacity:      pulumi.Int(s.Desired),
		}, child); err != nil {
			return nil, err
		}
	}
	if _, err := autoscaling.NewNotification(ctx, name+"-notifications", &autoscaling.NotificationArgs{
		GroupNames: pulumi.StringArray{g.Group.Name},
		Notifications: pulumi.ToStringArray([]string{
			"autoscaling:EC2_INSTANCE_LAUNCH", "autoscaling:EC2_INSTANCE_TERMINATE",
			"autoscaling:EC2_INSTANCE_LAUNCH_ERROR", "autoscaling:EC2_INSTANCE_TERMINATE_ERROR",
		}),
		TopicArn: args.TopicARN,
	}, child); err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(g, pulumi.Map{"groupName": g.Group.Name}); err != nil {
		return nil, err
	}
	return g, nil
}

func (g *Group) declareScaling(ctx *pulumi.Context, name string, args *GroupArgs, child pulumi.ResourceOption) error {
	groupDim := pulumi.StringMap{"AutoScalingGroupName": g.Group.Name}
	tracking := func(suffix string, target int, cfg *autoscaling.PolicyTargetTrackingConfigurationArgs) error {
		cfg.TargetValue = pulumi.Float64(float64(target))
		cfg.DisableScaleIn = pulumi.Bool(true)
		_, err := autoscaling.NewPolicy(ctx, name+"-"+suffix, &autoscaling.PolicyArgs{
			AutoscalingGroupName:        g.Group.Name,
			PolicyType:                  pulumi.String("TargetTrackingScaling"),
			EstimatedInstanceWarmup:     pulumi.Int(args.WarmupSeconds),
			TargetTrackingConfiguration: cfg,
		}, child)
		return err
	}
	if err := tracking("cpu", args.CPUPercent, &autoscaling.PolicyTargetTrackingConfigurationArgs{
		PredefinedMetricSpecification: &autoscaling.PolicyTargetTrackingConfigurationPredefinedMetricSpecificationArgs{
			PredefinedMetricType: pulumi.String("ASGAverageCPUUtilization"),
		},
	}); err != nil {
		return err
	}
	if err := tracking("memory", args.MemoryPercent, &autoscaling.PolicyTargetTrackingConfigurationArgs{
		CustomizedMetricSpecification: &autoscaling.PolicyTargetTrackingConfigurationCustomizedMetricSpecificationArgs{
			Namespace:  pulumi.String("CWAgent"),
			MetricName: pulumi.String("mem_used_percent"),
			Statistic:  pulumi.String("Average"),
			MetricDimensions: autoscaling.PolicyTargetTrackingConfigurationCustomizedMetricSpecificationMetricDimensionArray{
				&autoscaling.PolicyTargetTrackingConfigurationCustomizedMetricSpecificationMetricDimensionArgs{
					Name: pulumi.String("AutoScalingGroupName"), Value: g.Group.Name,
				},
			},
		},
	}); err != nil {
		return err
	}
	if b := args.Backlog; b != nil {
		if err := tracking("backlog", b.PerInstance, &autoscaling.PolicyTargetTrackingConfigurationArgs{
			CustomizedMetricSpecification: backlogMetric(b, g.Group.Name),
		}); err != nil {
			return err
		}
	}
	if r := args.Requests; r != nil {
		if err := g.declareRequestSteps(ctx, name, args, r, child); err != nil {
			return err
		}
	}

	scaleIn, err := autoscaling.NewPolicy(ctx, name+"-scale-in", &autoscaling.PolicyArgs{
		AutoscalingGroupName: g.Group.Name,
		PolicyType:           pulumi.String("SimpleScaling"),
		AdjustmentType:       pulumi.String("ChangeInCapacity"),
		ScalingAdjustment:    pulumi.Int(-1),
		Cooldown:             pulumi.Int(args.ScaleIn.CooldownSeconds),
	}, child)
	if err != nil {
		return err
	}
	queries, expression := scaleInQueries(args, groupDim)
	_, err = cloudwatch.NewMetricAlarm(ctx, name+"-scale-in", &cloudwatch.MetricAlarmArgs{
		AlarmDescription: pulumi.Sprintf("Every signal of %s low for %d minutes: remove one instance", name, args.ScaleIn.Minutes),
		MetricQueries: append(queries, &cloudwatch.MetricAlarmMetricQueryArgs{
			Id: pulumi.String("low"), Expression: pulumi.String(expression), ReturnData: pulumi.Bool(true),
			Label: pulumi.String("all signals low"),
		}),
		ComparisonOperator: pulumi.String("GreaterThanOrEqualToThreshold"),
		Threshold:          pulumi.Float64(1),
		EvaluationPeriods:  pulumi.Int(args.ScaleIn.Minutes),
		DatapointsToAlarm:  pulumi.Int(args.ScaleIn.Minutes),
		TreatMissingData:   pulumi.String("notBreaching"),
		AlarmActions:       pulumi.Array{scaleIn.Arn},
	}, child)
	return err
}

// backlogMetric is messages on the queue divided by the group's in-service instances.
func backlogMetric(b *BacklogArgs, group pulumi.StringInput) *autoscaling.PolicyTargetTrackingConfigurationCustomizedMetricSpecificationArgs {
	dims := autoscaling.PolicyTargetTrackingConfigurationCustomizedMetricSpecificationMetricMetricStatMetricDimensionArray{}
	for _, k := range slices.Sorted(maps.Keys(b.Dimensions)) {
		dims = append(dims, &autoscaling.PolicyTargetTrackingConfigurationCustomizedMetricSpecificationMetricMetricStatMetricDimensionArgs{
			Name: pulumi.String(k), Value: pulumi.String(b.Dimensions[k]),
		})
	}
	stat := func(id, namespace, metric, statistic string, d autoscaling.PolicyTargetTrackingConfigurationCustomizedMetricSpecificationMetricMetricStatMetricDimensionArray) *autoscaling.PolicyTargetTrackingConfigurationCustomizedMetricSpecificationMetricArgs {
		return &autoscaling.PolicyTargetTrackingConfigurationCustomizedMetricSpecificationMetricArgs{
			Id: pulumi.String(id), ReturnData: pulumi.Bool(false),
			MetricStat: &autoscaling.PolicyTargetTrackingConfigurationCustomizedMetricSpecificationMetricMetricStatArgs{
				Metric: &autoscaling.PolicyTargetTrackingConfigurationCustomizedMetricSpecificationMetricMetricStatMetricArgs{
					Namespace: pulumi.String(namespace), MetricName: pulumi.String(metric), Dimensions: d,
				},
				Stat: pulumi.String(statistic),
			},
		}
	}
	return &autoscaling.PolicyTargetTrackingConfigurationCustomizedMetricSpecificationArgs{
		Metrics: autoscaling.PolicyTargetTrackingConfigurationCustomizedMetricSpecificationMetricArray{
			stat("queue", b.Namespace, b.MetricName, "Average", dims),
			stat("instances", "AWS/AutoScaling", "GroupInServiceInstances", "Average",
				autoscaling.PolicyTargetTrackingConfigurationCustomizedMetricSpecificationMetricMetricStatMetricDimensionArray{
					&autoscaling.PolicyTargetTrackingConfigurationCustomizedMetricSpecificationMetricMetricStatMetricDimensionArgs{
						Name: pulumi.String("AutoScalingGroupName"), Value: group,
					},
				}),
			&autoscaling.PolicyTargetTrackingConfigurationCustomizedMetricSpecificationMetricArgs{
				Id: pulumi.String("backlog"), Expression: pulumi.String(BacklogExpression),
				Label: pulumi.String("messages per in-service instance"), ReturnData: pulumi.Bool(true),
			},
		},
	}
}

// BacklogExpression is the metric math of messages per in-service instance (AWS's documented
// "backlog per instance" pattern).
const BacklogExpression = "queue / instances"

// declareRequestSteps adds the step scaling policy on requests per target and its alarm.
func (g *Group) declareRequestSteps(ctx *pulumi.Context, name string, args *GroupArgs, r *RequestArgs, child pulumi.ResourceOption) error {
	steps := autoscaling.PolicyStepAdjustmentArray{}
	for i, s := range r.Steps {
		step := &autoscaling.PolicyStepAdjustmentArgs{
			ScalingAdjustment:        pulumi.Int(s.AddPercent),
			MetricIntervalLowerBound: pulumi.String(strconv.Itoa(r.AbovePerMinute * s.BreachPercent / 100)),
		}
		if i+1 < len(r.Steps) {
			step.MetricIntervalUpperBound = pulumi.String(strconv.Itoa(r.AbovePerMinute * r.Steps[i+1].BreachPercent / 100))
		}
		steps = append(steps, step)
	}
	policy, err := autoscaling.NewPolicy(ctx, name+"-requests", &autoscaling.PolicyArgs{
		AutoscalingGroupName:    g.Group.Name,
		PolicyType:              pulumi.String("StepScaling"),
		AdjustmentType:          pulumi.String("PercentChangeInCapacity"),
		MinAdjustmentMagnitude:  pulumi.Int(1),
		MetricAggregationType:   pulumi.String("Average"),
		EstimatedInstanceWarmup: pulumi.Int(args.WarmupSeconds),
		StepAdjustments:         steps,
	}, child)
	if err != nil {
		return err
	}
	_, err = cloudwatch.NewMetricAlarm(ctx, name+"-requests-high", &cloudwatch.MetricAlarmArgs{
		AlarmDescription:   pulumi.Sprintf("More than %d requests/minute per instance", r.AbovePerMinute),
		Namespace:          pulumi.String("AWS/ApplicationELB"),
		MetricName:         pulumi.String("RequestCountPerTarget"),
		Dimensions:         pulumi.StringMap{"TargetGroup": r.TargetGroupSuffix},
		Statistic:          pulumi.String("Sum"),
		Period:             pulumi.Int(60),
		EvaluationPeriods:  pulumi.Int(2),
		Threshold:          pulumi.Float64(float64(r.AbovePerMinute)),
		ComparisonOperator: pulumi.String("GreaterThanThreshold"),
		TreatMissingData:   pulumi.String("notBreaching"),
		AlarmActions:       pulumi.Array{policy.Arn},
	}, child)
	return err
}

// scaleInQueries are the one-minute signals of the scale-in alarm and the expression that is 1
// when all of them are low.
func scaleInQueries(args *GroupArgs, groupDim pulumi.StringMap) (cloudwatch.MetricAlarmMetricQueryArray, string) {
	metric := func(id, namespace, name, stat string, dims pulumi.StringMapInput) *cloudwatch.MetricAlarmMetricQueryArgs {
		return &cloudwatch.MetricAlarmMetricQueryArgs{
			Id: pulumi.String(id), ReturnData: pulumi.Bool(false),
			Metric: &cloudwatch.MetricAlarmMetricQueryMetricArgs{
				Namespace: pulumi.String(namespace), MetricName: pulumi.String(name), Stat: pulumi.String(stat),
				Period: pulumi.Int(60), Dimensions: dims,
			},
		}
	}
	queries := cloudwatch.MetricAlarmMetricQueryArray{
		metric("cpu", "AWS/EC2", "CPUUtilization", "Average", groupDim),
		metric("mem", "CWAgent", "mem_used_percent", "Average", groupDim),
	}
	conditions := []string{
		fmt.Sprintf("cpu < %d", args.ScaleIn.CPUBelowPercent),
		fmt.Sprintf("mem < %d", args.ScaleIn.MemoryBelowPercent),
	}
	if r := args.Requests; r != nil {
		queries = append(queries, metric("requests", "AWS/ApplicationELB", "RequestCountPerTarget", "Sum",
			pulumi.StringMap{"TargetGroup": r.TargetGroupSuffix}))
		conditions = append(conditions, fmt.Sprintf("requests < %d", r.BelowPerMinute))
	}
	if b := args.Backlog; b != nil {
		queries = append(queries,
			metric("queue", b.Namespace, b.MetricName, "Average", pulumi.ToStringMap(b.Dimensions)),
			metric("instances", "AWS/AutoScaling", "GroupInServiceInstances", "Average", groupDim))
		conditions = append(conditions, fmt.Sprintf("(%s) < %d", BacklogExpression, b.BelowPerInstance))
	}
	return queries, "IF(" + strings.Join(conditions, " AND ") + ", 1, 0)"
}
