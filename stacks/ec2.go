package stacks

import (
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/capacity"
	"github.com/openwan/openwan-infra/components/fleet"
	"github.com/openwan/openwan-infra/components/fleet/userdata"
	"github.com/openwan/openwan-infra/components/monitoring"
	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/internal/apppolicy"
)

// deployFleets declares the EC2 path: the API fleet behind its load balancer and the spot worker
// fleet, each with its alarms, and the load balancer's SLO alarms.
func deployFleets(ctx *pulumi.Context, cfg config.Config, net subnets, alerts *monitoring.Alerts, outputs pulumi.Map) (ec2Fleets, error) {
	e := cfg.EC2
	var none ec2Fleets
	secretsPath := apppolicy.SecretsPath(ctx.Stack())

	lb, err := fleet.NewLoadBalancer(ctx, "openwan-api-lb", &fleet.LoadBalancerArgs{
		VPCID: net.vpcID, PublicSubnetIDs: net.public,
		Port: e.API.Port, HealthPath: e.API.HealthPath, CertificateARN: e.API.CertificateARN,
		DeregistrationDelaySeconds: e.API.DeregistrationDelaySeconds,
	})
	if err != nil {
		return none, err
	}
	// On the host network the app listens where the load balancer's target group sends traffic.
	apiEnv := serviceEnv(cfg.App, cfg.API)
	apiEnv["PORT"] = strconv.Itoa(e.API.Port)
	apiLT, err := fleet.NewLaunchTemplate(ctx, "openwan-api-lt", &fleet.LaunchTemplateArgs{
		AMIParameter: e.AMIParameter, InstanceType: e.API.InstanceType, RootVolumeGiB: e.API.RootVolumeGiB,
		HTTPTokens: e.Metadata.HTTPTokens, HopLimit: e.Metadata.HopLimit,
		SecurityGroupIDs: pulumi.StringArray{lb.InstanceSGID},
		UserData: userdata.Boot{
			Image: e.API.Image, Env: apiEnv, SecretsPath: secretsPath,
			// The app's stop timeout follows the group's termination hook.
			TerminationHookSeconds: e.API.TerminationHookSeconds,
			LaunchHookSeconds:      e.API.LaunchHookSeconds,
			// In service once ready, where the target group checks it too.
			Port: e.API.Port, ReadinessPath: e.API.HealthPath,
		},
		BucketName: cfg.App.S3Bucket, SecretsPath: secretsPath, FleetTag: "api",
	})
	if err != nil {
		return none, err
	}
	api, err := fleet.NewGroup(ctx, "openwan-api-asg", groupArgs{
		SubnetIDs:        net.private,
		LaunchTemplateID: apiLT.Template.ID(), LaunchTemplateVersion: apiLT.Version,
		TargetGroupARNs: pulumi.StringArray{lb.TargetGroup.Arn},
		Requests: &fleet.RequestArgs{
			TargetGroupSuffix: lb.TargetGroup.ArnSuffix,
			AbovePerMinute:    e.API.Requests.ScaleOutPerMinute,
			BelowPerMinute:    e.API.Requests.ScaleInPerMinute,
			Steps:             steps(e.API.Requests.Steps),
		},
		TimeZone: e.TimeZone, TopicARN: alerts.Topic.Arn, FleetTag: "api", InstanceRoleName: apiLT.Role.Name,
		WarmPoolSize: e.API.WarmPool.Size,
	}.with(e.API.Fleet))
	if err != nil {
		return none, err
	}
	if _, err := fleet.NewGroupAlarms(ctx, "openwan-api-alarms", &fleet.GroupAlarmsArgs{
		GroupName: api.Name, Max: e.API.Size.Max, TopicARN: alerts.Topic.Arn,
		TargetGroupSuffix: lb.TargetGroup.ArnSuffix, LoadBalancerSuffix: lb.LoadBalancer.ArnSuffix,
	}); err != nil {
		return none, err
	}

	w := e.Worker
	// One worker process per instance runs as many jobs as the instance holds (4 on a c5.xlarge);
	// a pod runs openwan:worker.concurrency.
	jobs, err := capacity.WorkerInstanceJobs(cfg)
	if err != nil {
		return none, err
	}
	workerEnv := serviceEnv(cfg.App, cfg.Worker)
	workerEnv["WORKER_CONCURRENCY"] = strconv.Itoa(jobs)
	workerLT, err := fleet.NewLaunchTemplate(ctx, "openwan-worker-lt", &fleet.LaunchTemplateArgs{
		AMIParameter: e.AMIParameter, InstanceType: w.InstanceTypes[0], RootVolumeGiB: w.RootVolumeGiB,
		HTTPTokens: e.Metadata.HTTPTokens, HopLimit: e.Metadata.HopLimit,
		VPCID: net.vpcID,
		UserData: userdata.Boot{
			Image: w.Image, Env: workerEnv, SecretsPath: secretsPath,
			// A transcode may take all of the worker's termination hook (1800 s in the guide).
			TerminationHookSeconds: w.TerminationHookSeconds,
			LaunchHookSeconds:      w.LaunchHookSeconds,
			// The worker serves its health endpoints on its port, as its pods do.
			Port: cfg.Worker.Port, ReadinessPath: cfg.Worker.ReadinessPath,
		},
		BucketName: cfg.App.S3Bucket, SecretsPath: secretsPath, FleetTag: "worker",
	})
	if err != nil {
		return none, err
	}
	worker, err := fleet.NewGroup(ctx, "openwan-worker-asg", groupArgs{
		SubnetIDs:        net.private,
		LaunchTemplateID: workerLT.Template.ID(), LaunchTemplateVersion: workerLT.Version,
		Spot: &fleet.SpotArgs{
			InstanceTypes: w.InstanceTypes, OnDemandBase: w.OnDemandBase, OnDemandPercentAboveBase: w.OnDemandPercentAboveBase,
			AllocationStrategy: w.SpotAllocationStrategy,
		},
		Backlog: &fleet.BacklogArgs{
			Namespace: w.Queue.Namespace, MetricName: w.Queue.MetricName, Dimensions: w.Queue.Dimensions,
			PerInstance: w.Queue.ScaleOutPerInstance, BelowPerInstance: w.Queue.ScaleInPerInstance,
		},
		TimeZone: e.TimeZone, TopicARN: alerts.Topic.Arn, FleetTag: "worker", InstanceRoleName: workerLT.Role.Name,
	}.with(w.Fleet))
	if err != nil {
		return none, err
	}
	if _, err := fleet.NewGroupAlarms(ctx, "openwan-worker-alarms", &fleet.GroupAlarmsArgs{
		GroupName: worker.Name, Max: w.Size.Max, TopicARN: alerts.Topic.Arn,
	}); err != nil {
		return none, err
	}

	scheme := "http"
	if e.API.CertificateARN != "" {
		// The ALB's own name, which the certificate does not cover: point the certificate's
		// host name at it (README, stack outputs), as with eksApiUrl.
		scheme = "https"
	}
	outputs["apiUrl"] = pulumi.Sprintf("%s://%s", scheme, lb.LoadBalancer.DnsName)
	outputs["apiAsgName"] = api.Name
	outputs["workerAsgName"] = worker.Name
	if _, err := monitoring.NewSLOAlarms(ctx, "openwan-api-slo", &monitoring.SLOAlarmsArgs{
		LoadBalancerSuffix: lb.LoadBalancer.ArnSuffix, What: "EC2 API",
		P95Seconds: cfg.Alerts.Latency.P95Seconds, P99Seconds: cfg.Alerts.Latency.P99Seconds,
		ErrorRatePercent: cfg.Alerts.ErrorRatePercent, TopicARN: alerts.Topic.Arn,
		FirstCommand: fleet.ScalingActivitiesCommand + "; " + fleet.TargetHealthCommand,
	}); err != nil {
		return none, err
	}
	return ec2Fleets{apiGroup: api.Name, workerGroup: worker.Name, loadBalancer: lb.LoadBalancer.ArnSuffix, targetGroup: lb.TargetGroup.ArnSuffix}, nil
}

// ec2Fleets are the names the dashboard selects the EC2 path's metrics by.
type ec2Fleets struct {
	apiGroup, workerGroup     pulumi.StringOutput
	loadBalancer, targetGroup pulumi.StringOutput
}

// groupArgs are the fleet-specific args; with fills in what every fleet's config shares.
type groupArgs fleet.GroupArgs

func (g groupArgs) with(f config.Fleet) *fleet.GroupArgs {
	out := fleet.GroupArgs(g)
	out.Min, out.Max, out.Desired = f.Size.Min, f.Size.Max, f.Desired
	out.HealthCheckGraceSeconds = f.HealthCheckGraceSeconds
	out.DefaultCooldownSeconds = f.DefaultCooldownSeconds
	out.WarmupSeconds = f.InstanceWarmupSeconds
	out.CPUPercent, out.MemoryPercent = f.Targets.CPUPercent, f.Targets.MemoryPercent
	out.ScaleIn = fleet.ScaleInArgs{
		CPUBelowPercent: f.ScaleIn.CPUBelowPercent, MemoryBelowPercent: f.ScaleIn.MemoryBelowPercent,
		Minutes: f.ScaleIn.Minutes, CooldownSeconds: f.ScaleIn.CooldownSeconds,
	}
	out.MinHealthyPercent = f.InstanceRefreshMinHealthyPercent
	out.TerminationHookSeconds = f.TerminationHookSeconds
	out.LaunchHookSeconds = f.LaunchHookSeconds
	out.Schedules = map[string]fleet.Schedule{}
	for name, s := range f.Schedules {
		b := s.Bounds(f.Size)
		out.Schedules[name] = fleet.Schedule{Recurrence: s.Recurrence, Min: b.Min, Max: b.Max, Desired: s.Desired}
	}
	return &out
}

func steps(in []config.Step) []fleet.Step {
	out := make([]fleet.Step, len(in))
	for i, s := range in {
		out[i] = fleet.Step{BreachPercent: s.BreachPercent, AddPercent: s.AddPercent}
	}
	return out
}
