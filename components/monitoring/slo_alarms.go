package monitoring

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ErrorRateExpression is the metric math of the target 5xx share of requests (percent), over the
// queries "errors" (HTTPCode_Target_5XX_Count) and "requests" (RequestCount). The load balancer
// reports HTTPCode_Target_5XX_Count only for minutes with 5xx responses: unfilled, a minute of
// requests without an error would have no rate rather than 0 %. Requests stay unfilled: a minute
// without any has no rate to speak of (0 / 0), and is not breaching.
const ErrorRateExpression = "100 * FILL(errors, 0) / requests"

// The SLO alarms' window: each minute's percentile or share is a datapoint, and three breaching
// minutes of the last five page. A single slow request moves no minute's p95 or p99 of a loaded
// API; a real regression pages within the guide's five minutes, and a one-minute blip does not.
const (
	sloPeriodSeconds     = 60
	sloEvaluationMinutes = 5
	sloBreachingMinutes  = 3
)

// SLOAlarms page when an API load balancer misses the guide's targets: its targets' response
// time at p95 and at p99, and their 5xx share of requests.
type SLOAlarms struct {
	pulumi.ResourceState

	// P95, P99 and ErrorRate are the three alarms.
	P95, P99, ErrorRate *cloudwatch.MetricAlarm
}

// SLOAlarmsArgs describe one load balancer's targets.
type SLOAlarmsArgs struct {
	// LoadBalancerSuffix is the ALB's ARN suffix, "app/<name>/<id>", its CloudWatch dimension.
	LoadBalancerSuffix pulumi.StringInput
	// What names the API behind it in the alarms' descriptions, e.g. "EC2 API".
	What string
	// P95Seconds and P99Seconds are the response-time targets (s, 0 < p95 <= p99).
	P95Seconds, P99Seconds float64
	// ErrorRatePercent is the 5xx share that pages (percent, in (0, 100]).
	ErrorRatePercent float64
	// FirstCommand is what the on-call runs first, quoted in every alarm's description.
	FirstCommand string
	// TopicARN is notified on alarm and on recovery.
	TopicARN pulumi.StringInput
}

func (a *SLOAlarmsArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	var errs []error
	if a.LoadBalancerSuffix == nil {
		errs = append(errs, errors.New("LoadBalancerSuffix: must be set"))
	}
	if a.What == "" {
		errs = append(errs, errors.New("What: must not be empty"))
	}
	if a.P95Seconds <= 0 {
		errs = append(errs, fmt.Errorf("P95Seconds: %g is not above 0", a.P95Seconds))
	}
	if a.P99Seconds < a.P95Seconds {
		errs = append(errs, fmt.Errorf("P99Seconds: %g is below P95Seconds %g", a.P99Seconds, a.P95Seconds))
	}
	if a.ErrorRatePercent <= 0 || a.ErrorRatePercent > 100 {
		errs = append(errs, fmt.Errorf("ErrorRatePercent: %g is outside (0, 100]", a.ErrorRatePercent))
	}
	if a.FirstCommand == "" {
		errs = append(errs, errors.New("FirstCommand: must not be empty: a page says what to run first"))
	}
	if a.TopicARN == nil {
		errs = append(errs, errors.New("TopicARN: must be set"))
	}
	return errors.Join(errs...)
}

// NewSLOAlarms declares the p95, p99 and error-rate alarms of one load balancer.
func NewSLOAlarms(ctx *pulumi.Context, name string, args *SLOAlarmsArgs, opts ...pulumi.ResourceOption) (*SLOAlarms, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("SLO alarms %s: %w", name, err)
	}
	s := &SLOAlarms{}
	if err := ctx.RegisterComponentResource("openwan:monitoring:SLOAlarms", name, s, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(s)
	lb := pulumi.StringMap{"LoadBalancer": args.LoadBalancerSuffix}
	window := fmt.Sprintf("in %d of the last %d minutes", sloBreachingMinutes, sloEvaluationMinutes)
	latency := func(percentile string, seconds float64) *cloudwatch.MetricAlarmArgs {
		return &cloudwatch.MetricAlarmArgs{
			AlarmDescription: pulumi.String(fmt.Sprintf("%s: %s response time above the %g s target %s; users wait. First: %s",
				args.What, percentile, seconds, window, args.FirstCommand)),
			Namespace: pulumi.String("AWS/ApplicationELB"), MetricName: pulumi.String("TargetResponseTime"),
			Dimensions: lb, ExtendedStatistic: pulumi.String(percentile), Period: pulumi.Int(sloPeriodSeconds),
			Threshold: pulumi.Float64(seconds), ComparisonOperator: pulumi.String("GreaterThanThreshold"),
		}
	}
	sum := func(id, metric string) *cloudwatch.MetricAlarmMetricQueryArgs {
		return &cloudwatch.MetricAlarmMetricQueryArgs{
			Id: pulumi.String(id), ReturnData: pulumi.Bool(false),
			Metric: &cloudwatch.MetricAlarmMetricQueryMetricArgs{
				Namespace: pulumi.String("AWS/ApplicationELB"), MetricName: pulumi.String(metric),
				Stat: pulumi.String("Sum"), Period: pulumi.Int(sloPeriodSeconds), Dimensions: lb,
			},
		}
	}
	alarms := map[string]*cloudwatch.MetricAlarmArgs{
		"p95": latency("p95", args.P95Seconds),
		"p99": latency("p99", args.P99Seconds),
		"error-rate": {
			AlarmDescription: pulumi.String(fmt.Sprintf("%s: target 5xx responses above %g %% of requests %s. First: %s",
				args.What, args.ErrorRatePercent, window, args.FirstCommand)),
			MetricQueries: cloudwatch.MetricAlarmMetricQueryArray{
				sum("errors", "HTTPCode_Target_5XX_Count"), sum("requests", "RequestCount"),
				&cloudwatch.MetricAlarmMetricQueryArgs{
					Id: pulumi.String("rate"), Expression: pulumi.String(ErrorRateExpression),
					Label: pulumi.String("5xx percent"), ReturnData: pulumi.Bool(true),
				},
			},
			Threshold: pulumi.Float64(args.ErrorRatePercent), ComparisonOperator: pulumi.String("GreaterThanThreshold"),
		},
	}
	notify := pulumi.Array{args.TopicARN}
	made := map[string]*cloudwatch.MetricAlarm{}
	for _, key := range slices.Sorted(maps.Keys(alarms)) {
		a := alarms[key]
		a.EvaluationPeriods, a.DatapointsToAlarm = pulumi.Int(sloEvaluationMinutes), pulumi.Int(sloBreachingMinutes)
		a.AlarmActions, a.OkActions = notify, notify
		// An idle API has no response time and no requests: that is not a breach.
		a.TreatMissingData = pulumi.String("notBreaching")
		alarm, err := cloudwatch.NewMetricAlarm(ctx, name+"-"+key, a, child)
		if err != nil {
			return nil, err
		}
		made[key] = alarm
	}
	s.P95, s.P99, s.ErrorRate = made["p95"], made["p99"], made["error-rate"]
	if err := ctx.RegisterResourceOutputs(s, pulumi.Map{}); err != nil {
		return nil, err
	}
	return s, nil
}
