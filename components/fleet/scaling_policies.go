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

// BacklogArgs describe the queue whose messages per in-service instance are tracked.
type BacklogArgs struct {
	// Namespace, MetricName and Dimensions name the queue length metric in CloudWatch.
	Namespace, MetricName string
	Dimensions            map[string]string
	// PerInstance is the target and BelowPerInstance the scale-in level (messages per
	// instance); BelowPerInstance is lower, or the group flaps.
	PerInstance, BelowPerInstance int
}

// RequestArgs describe step scaling on RequestCountPerTarget (a per-minute sum).
type RequestArgs struct {
	// TargetGroupSuffix is the target group's ARN suffix, the metric's dimension.
	TargetGroupSuffix pulumi.StringInput
	// AbovePerMinute triggers scale-out and BelowPerMinute is the scale-in level (requests per
	// target per minute); BelowPerMinute is lower, or the group flaps.
	AbovePerMinute, BelowPerMinute int
	// Steps: from BreachPercent over AbovePerMinute, add AddPercent of the group. The first
	// starts at the threshold (0), each further one higher.
	Steps []Step
}

// Step is one step adjustment.
type Step struct {
	// BreachPercent is where the step starts, in percent over the scale-out threshold.
	BreachPercent int
	// AddPercent is how much the group grows, in percent of its current size.
	AddPercent int
}

// ScaleInArgs: the group loses one instance when CPU, memory (and requests or backlog) have all
// been low for Minutes, at most once per CooldownSeconds.
type ScaleInArgs struct {
	// CPUBelowPercent and MemoryBelowPercent are the low levels (percent), below the group's
	// targets.
	CPUBelowPercent, MemoryBelowPercent int
	// Minutes is how long every signal must stay low (minutes, 1 or more).
	Minutes int
	// CooldownSeconds is the least time between two scale-ins (s).
	CooldownSeconds int
}

// validateScaling checks the targets and everything the scaling policies read.
func (a *GroupArgs) validateScaling() []error {
	var errs []error
	percent := func(field string, v int) {
		if v <= 0 || v > 100 {
			errs = append(errs, fmt.Errorf("%s: %d is outside (0, 100]", field, v))
		}
	}
	percent("CPUPercent", a.CPUPercent)
	percent("MemoryPercent", a.MemoryPercent)
	// Scale-in levels at or above the targets would remove what target tracking just added.
	if a.ScaleIn.CPUBelowPercent <= 0 || a.ScaleIn.CPUBelowPercent >= a.CPUPercent {
		errs = append(errs, fmt.Errorf("ScaleIn.CPUBelowPercent: %d is outside (0, CPUPercent %d)", a.ScaleIn.CPUBelowPercent, a.CPUPercent))
	}
	if a.ScaleIn.MemoryBelowPercent <= 0 || a.ScaleIn.MemoryBelowPercent >= a.MemoryPercent {
		errs = append(errs, fmt.Errorf("ScaleIn.MemoryBelowPercent: %d is outside (0, MemoryPercent %d)", a.ScaleIn.MemoryBelowPercent, a.MemoryPercent))
	}
	if a.ScaleIn.Minutes < 1 {
		errs = append(errs, fmt.Errorf("ScaleIn.Minutes: %d is below 1", a.ScaleIn.Minutes))
	}
	if a.ScaleIn.CooldownSeconds < 0 {
		errs = append(errs, fmt.Errorf("ScaleIn.CooldownSeconds: %d is below 0", a.ScaleIn.CooldownSeconds))
	}
	if b := a.Backlog; b != nil {
		if b.Namespace == "" {
			errs = append(errs, errors.New("Backlog.Namespace: must not be empty"))
		}
		if b.MetricName == "" {
			errs = append(errs, errors.New("Backlog.MetricName: must not be empty"))
		}
		if len(b.Dimensions) == 0 {
			errs = append(errs, errors.New("Backlog.Dimensions: must name the queue's metric dimensions"))
		}
		if b.PerInstance < 1 {
			errs = append(errs, fmt.Errorf("Backlog.PerInstance: %d is below 1", b.PerInstance))
		}
		if b.BelowPerInstance < 0 || b.BelowPerInstance >= b.PerInstance {
			errs = append(errs, fmt.Errorf("Backlog.BelowPerInstance: %d is outside [0, PerInstance %d)", b.BelowPerInstance, b.PerInstance))
		}
	}
	if r := a.Requests; r != nil {
		if r.TargetGroupSuffix == nil {
			errs = append(errs, errors.New("Requests.TargetGroupSuffix: must be set"))
		}
		if r.AbovePerMinute < 1 {
			errs = append(errs, fmt.Errorf("Requests.AbovePerMinute: %d is below 1", r.AbovePerMinute))
		}
		if r.BelowPerMinute < 0 || r.BelowPerMinute >= r.AbovePerMinute {
			errs = append(errs, fmt.Errorf("Requests.BelowPerMinute: %d is outside [0, AbovePerMinute %d)", r.BelowPerMinute, r.AbovePerMinute))
		}
		if len(r.Steps) == 0 {
			errs = append(errs, errors.New("Requests.Steps: must hold at least one step"))
		}
		for i, s := range r.Steps {
			// Step intervals are offsets above the alarm's threshold; AWS refuses gaps and
			// overlaps, and refuses them only once the group exists.
			switch {
			case i == 0 && s.BreachPercent != 0:
				errs = append(errs, fmt.Errorf("Requests.Steps[0].BreachPercent: %d is not 0", s.BreachPercent))
			case i > 0 && s.BreachPercent <= r.Steps[i-1].BreachPercent:
				errs = append(errs, fmt.Errorf("Requests.Steps[%d].BreachPercent: %d is not above the previous step's %d", i, s.BreachPercent, r.Steps[i-1].BreachPercent))
			}
			if s.AddPercent < 1 {
				errs = append(errs, fmt.Errorf("Requests.Steps[%d].AddPercent: %d is below 1", i, s.AddPercent))
			}
		}
	}
	return errs
}

// declareScaling declares the target tracking policies, the optional step scaling on requests,
// and the one scale-in policy with the alarm that needs every signal low.
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
		AlarmDescription: pulumi.Sprintf("Every signal of %s low for %d minutes: remove one instance (a scaling trigger, not a page). To see it act: %s",
			name, args.ScaleIn.Minutes, ScalingActivitiesCommand),
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
// "backlog per instance" pattern), which the backlog target tracking policy tracks. A missing
// queue metric leaves it without a value, which is harmless there: the policy only scales out
// (scale-in is disabled), and an idle queue needs no instance.
const BacklogExpression = "queue / instances"

// ScaleInBacklogExpression is the backlog per instance as the scale-in alarm reads it: an idle
// queue's missing depth counts as 0 messages (scaleInQueries).
const ScaleInBacklogExpression = "FILL(queue, 0) / instances"

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
		AlarmDescription:   pulumi.Sprintf("More than %d requests/minute per instance: add instances by the steps (a scaling trigger, not a page). To see it act: %s", r.AbovePerMinute, ScalingActivitiesCommand),
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
//
// Metric math has no value at a minute where one of its series has none, and the alarm treats
// that minute as not breaching: a signal that is missing exactly when the fleet is idle would
// keep the idle fleet from ever shrinking. CPU (EC2, per group), memory (the CloudWatch agent on
// every instance) and GroupInServiceInstances (group metrics, every minute) are reported as long
// as instances run. The load balancer reports RequestCountPerTarget only for minutes with
// requests, and a queue's depth metric may be missing while the queue is idle: those two are
// FILLed with 0, which is what their absence means. The always-present CPU and memory give every
// minute its timestamp, so the filled series has a value at each one.
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
		conditions = append(conditions, fmt.Sprintf("FILL(requests, 0) < %d", r.BelowPerMinute))
	}
	if b := args.Backlog; b != nil {
		queries = append(queries,
			metric("queue", b.Namespace, b.MetricName, "Average", pulumi.ToStringMap(b.Dimensions)),
			metric("instances", "AWS/AutoScaling", "GroupInServiceInstances", "Average", groupDim))
		conditions = append(conditions, fmt.Sprintf("(%s) < %d", ScaleInBacklogExpression, b.BelowPerInstance))
	}
	return queries, "IF(" + strings.Join(conditions, " AND ") + ", 1, 0)"
}
