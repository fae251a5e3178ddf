package stacks

import (
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/capacity"
	"github.com/openwan/openwan-infra/components/monitoring"
	"github.com/openwan/openwan-infra/config"
)

// deployAlerts declares the topic every alarm of both paths notifies, and exports it.
func deployAlerts(ctx *pulumi.Context, cfg config.Config, outputs pulumi.Map) (*monitoring.Alerts, error) {
	// The alerts key's policy names the account (its root, its Auto Scaling service-linked role).
	caller, err := aws.GetCallerIdentity(ctx, &aws.GetCallerIdentityArgs{})
	if err != nil {
		return nil, err
	}
	alerts, err := monitoring.NewAlerts(ctx, "openwan-alerts", &monitoring.AlertsArgs{Emails: cfg.Alerts.Emails, AccountID: caller.AccountId})
	if err != nil {
		return nil, err
	}
	outputs["alertsTopicArn"] = alerts.Topic.Arn
	return alerts, nil
}

// watchedResources are what each path deployed that the dashboard selects metrics by; nil for
// a path the stack does not deploy.
type watchedResources struct {
	eks *eksWatched
	ec2 *ec2Fleets
}

// deployMonitoring declares the stack's dashboard and its cost budget, and exports the
// dashboard's address and the budget.
func deployMonitoring(ctx *pulumi.Context, cfg config.Config, plan capacity.Plan, alerts *monitoring.Alerts, w watchedResources, outputs pulumi.Map) error {
	spec := monitoring.PlatformSpec{
		P50Seconds: cfg.Alerts.Latency.P50Seconds, P95Seconds: cfg.Alerts.Latency.P95Seconds, P99Seconds: cfg.Alerts.Latency.P99Seconds,
		ErrorRatePercent: cfg.Alerts.ErrorRatePercent,
	}
	names := map[string]pulumi.StringInput{}
	if e := w.ec2; e != nil {
		ec2 := cfg.EC2
		spec.EC2 = &monitoring.EC2Spec{
			API:                        monitoring.GroupSpec{CPUPercent: ec2.API.Targets.CPUPercent, MemoryPercent: ec2.API.Targets.MemoryPercent},
			Worker:                     monitoring.GroupSpec{CPUPercent: ec2.Worker.Targets.CPUPercent, MemoryPercent: ec2.Worker.Targets.MemoryPercent},
			RequestsPerTargetPerMinute: ec2.API.Requests.ScaleOutPerMinute,
			ScaleOutPerInstance:        ec2.Worker.Queue.ScaleOutPerInstance, ScaleInPerInstance: ec2.Worker.Queue.ScaleInPerInstance,
		}
		q := ec2.Worker.Queue
		spec.Queue = &monitoring.QueueMetric{Namespace: q.Namespace, Name: q.MetricName}
		for _, k := range sortedKeys(q.Dimensions) {
			spec.Queue.Dimensions = append(spec.Queue.Dimensions, [2]string{k, q.Dimensions[k]})
		}
		names[monitoring.NameAPIGroup], names[monitoring.NameWorkerGroup] = e.apiGroup, e.workerGroup
		names[monitoring.NameEC2LoadBalancer], names[monitoring.NameEC2TargetGroup] = e.loadBalancer, e.targetGroup
	}
	if k := w.eks; k != nil {
		spec.EKS = &monitoring.EKSSpec{Namespace: cfg.App.Namespace}
		for _, s := range appServices(cfg) {
			a, r := s.autoscaling(), s.config.Resources
			spec.EKS.Workloads = append(spec.EKS.Workloads, monitoring.WorkloadSpec{
				Name: s.name(), MaxReplicas: a.MaxReplicas,
				CPUPercent: a.CPUPercent, MemoryPercent: a.MemoryPercent,
				CPURequestPerLimit:    float64(r.Requests.CPUMillis) / float64(r.Limits.CPUMillis),
				MemoryRequestPerLimit: float64(r.Requests.MemoryMiB) / float64(r.Limits.MemoryMiB),
			})
			// The service KEDA scales on the queue is the one that consumes it.
			if q := s.config.QueueScaling; q.Enabled {
				spec.EKS.Worker, spec.EKS.QueueMessagesPerReplica = s.name(), q.MessagesPerReplica
			}
		}
		names[monitoring.NameCluster] = k.clusterName
		if k.loadBalancer != (pulumi.StringOutput{}) {
			names[monitoring.NameEKSLoadBalancer] = k.loadBalancer
		}
	}
	dashboard, err := monitoring.NewDashboard(ctx, "openwan-dashboard", &monitoring.DashboardArgs{
		Name: "openwan-" + ctx.Stack(), Region: cfg.App.Region, Names: names,
		Graphs: func(n map[string]string) []monitoring.Graph { return monitoring.PlatformGraphs(spec, n) },
	})
	if err != nil {
		return err
	}
	outputs["dashboardUrl"] = dashboard.URL

	if !cfg.Alerts.Budget.Enabled {
		return nil
	}
	budget := capacity.Budget(cfg.Alerts, plan.Cost)
	if _, err := monitoring.NewBudget(ctx, "openwan-"+ctx.Stack()+"-budget", &monitoring.BudgetArgs{
		LimitUSD: budget.LimitUSD, TagKey: config.CostTagKey, TagValue: ctx.Stack(), Emails: cfg.Alerts.Emails,
	}); err != nil {
		return err
	}
	outputs["budget"], err = plainValue(budget)
	return err
}

// sortedKeys are a map's keys in order.
func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
