package monitoring

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DesiredReplicasMetric is the Deployment's spec.replicas (what its HPA last set) as Container
// Insights with enhanced observability publishes it, in namespace ContainerInsights with the
// dimensions ClusterName, Namespace and PodName, which holds the Deployment's name for this
// metric (aws/amazon-cloudwatch-agent, translator/translate/otel/exporter/awsemf/kubernetes.go,
// and its receiver's `ci.AttributePodName: deployment.Name`). Container Insights publishes
// nothing about HPAs themselves, so the HPA's maximum comes from the stack's config; a
// Deployment held at it is the honest twin of a group's "max capacity reached".
const DesiredReplicasMetric = "replicas_desired"

// AtMaxAlarms page when a workload has sat at its HPA's maximum for a while: it can grow no
// further, so any more load goes unserved (API) or queues up (workers).
type AtMaxAlarms struct {
	pulumi.ResourceState

	// Alarms are by workload name.
	Alarms map[string]*cloudwatch.MetricAlarm
}

// Workload is one Deployment under an HPA.
type Workload struct {
	// Name is the Deployment's name; MaxReplicas its HPA's maximum (pods, 1 or more).
	Name        string
	MaxReplicas int
}

// AtMaxAlarmsArgs describe the cluster and its workloads.
type AtMaxAlarmsArgs struct {
	// ClusterName and Namespace locate the Deployments.
	ClusterName pulumi.StringInput
	Namespace   string
	// Workloads are watched, one alarm each (at least one).
	Workloads []Workload
	// Minutes at the maximum before the page (minutes, 1..120; one datapoint a minute).
	Minutes int
	// TopicARN is notified on alarm and on recovery.
	TopicARN pulumi.StringInput
}

func (a *AtMaxAlarmsArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	var errs []error
	if a.ClusterName == nil {
		errs = append(errs, errors.New("ClusterName: must be set"))
	}
	if a.Namespace == "" {
		errs = append(errs, errors.New("Namespace: must not be empty"))
	}
	if len(a.Workloads) == 0 {
		errs = append(errs, errors.New("Workloads: must name at least one"))
	}
	for i, w := range a.Workloads {
		if w.Name == "" || w.MaxReplicas < 1 {
			errs = append(errs, fmt.Errorf("Workloads[%d]: %q with max %d needs a name and a maximum of 1 or more", i, w.Name, w.MaxReplicas))
		}
	}
	if a.Minutes < 1 || a.Minutes > 120 {
		errs = append(errs, fmt.Errorf("Minutes: %d is outside [1, 120]", a.Minutes))
	}
	if a.TopicARN == nil {
		errs = append(errs, errors.New("TopicARN: must be set"))
	}
	return errors.Join(errs...)
}

// NewAtMaxAlarms declares one alarm per workload: its desired replicas at least its maximum in
// every minute of Minutes (the minute's lowest value, so one minute below clears it).
func NewAtMaxAlarms(ctx *pulumi.Context, name string, args *AtMaxAlarmsArgs, opts ...pulumi.ResourceOption) (*AtMaxAlarms, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("at-max alarms %s: %w", name, err)
	}
	a := &AtMaxAlarms{Alarms: map[string]*cloudwatch.MetricAlarm{}}
	if err := ctx.RegisterComponentResource("openwan:monitoring:AtMaxAlarms", name, a, opts...); err != nil {
		return nil, err
	}
	notify := pulumi.Array{args.TopicARN}
	for _, w := range args.Workloads {
		alarm, err := cloudwatch.NewMetricAlarm(ctx, name+"-"+w.Name, &cloudwatch.MetricAlarmArgs{
			AlarmDescription: pulumi.String(fmt.Sprintf("%s has been at its HPA maximum of %d pods for %d minutes: it cannot grow, more load goes unserved or queues. "+
				"First: kubectl describe hpa -n %s; then raise the maximum (and the node pool's) or find what holds the load up",
				w.Name, w.MaxReplicas, args.Minutes, args.Namespace)),
			Namespace: pulumi.String("ContainerInsights"), MetricName: pulumi.String(DesiredReplicasMetric),
			Dimensions: pulumi.StringMap{
				"ClusterName": args.ClusterName, "Namespace": pulumi.String(args.Namespace), "PodName": pulumi.String(w.Name),
			},
			Statistic: pulumi.String("Minimum"), Period: pulumi.Int(60), EvaluationPeriods: pulumi.Int(args.Minutes),
			Threshold: pulumi.Float64(float64(w.MaxReplicas)), ComparisonOperator: pulumi.String("GreaterThanOrEqualToThreshold"),
			// No datapoint: the agent is not reporting, which is not "at the maximum".
			TreatMissingData: pulumi.String("notBreaching"),
			AlarmActions:     notify, OkActions: notify,
		}, pulumi.Parent(a))
		if err != nil {
			return nil, err
		}
		a.Alarms[w.Name] = alarm
	}
	if err := ctx.RegisterResourceOutputs(a, pulumi.Map{}); err != nil {
		return nil, err
	}
	return a, nil
}
