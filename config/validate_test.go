package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// valid returns the defaults completed with the values that have none, so that it validates.
func valid() Config {
	c := Defaults()
	c.Cluster.PublicAccessCIDRs = []string{"203.0.113.0/24"}
	c.App.RedisAddress = "redis.internal:6379"
	c.App.S3Bucket = "openwan-media"
	c.API.Image = "openwan/api:1.0.0"
	c.Worker.Image = "openwan/worker:1.0.0"
	c.EC2.API.Image = "openwan/api:1.0.0"
	c.EC2.Worker.Image = "openwan/worker:1.0.0"
	c.EC2.Worker.Queue.Dimensions = map[string]string{"Broker": "openwan", "Queue": "transcode"}
	c.Capacity.Database.MaxConnections = 2000
	c.follow()
	return c
}

func problemsOf(err error) []string {
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}

func TestValidateAcceptsCompletedDefaults(t *testing.T) {
	require.NoError(t, valid().Validate(), "the defaults completed with what has no default must validate, or every case below fails for it")
}

func TestValidateReportsEachProblemWithItsKey(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"max below min", func(c *Config) { c.API.Replicas.Max = 1 },
			"openwan:api.replicas.max: 1 is below min 2"},
		{"ALB draining past the preStop sleep", func(c *Config) { c.Cluster.Ingress.DeregistrationDelaySeconds = 15 },
			"openwan:cluster.ingress.deregistrationDelaySeconds: 15 is not below openwan:api.preStopSleepSeconds 15: the ALB would still send requests to a pod that has begun to stop"},
		{"worker scratch without a size", func(c *Config) { c.Worker.Resources.Requests.EphemeralGiB = 0 },
			"openwan:worker.resources.requests.ephemeralGiB: 0 is outside [1, 1024]"},
		{"existing cluster's API open to nothing", func(c *Config) {
			c.Cluster.Existing.Enabled, c.Cluster.ClusterAutoscaler.Enabled, c.Cluster.Existing.APISourceCIDRs = true, false, nil
			c.Cluster.ExternalSecrets.Enabled = false
		}, "openwan:cluster.existing.apiSourceCidrs: must list at least one network, or the API admits no traffic"},
		{"external secrets on an existing cluster", func(c *Config) { c.Cluster.Existing.Enabled, c.Cluster.ClusterAutoscaler.Enabled = true, false },
			"openwan:cluster.externalSecrets.enabled: reads SSM with an EKS IRSA role; set it false with openwan:cluster.existing, whose Secret openwan:app.secretName must exist"},
		{"secrets read every second", func(c *Config) { c.Cluster.ExternalSecrets.RefreshInterval = "1s" },
			`openwan:cluster.externalSecrets.refreshInterval: "1s" is not a duration of a minute or more, like "1h"`},
		{"replicas below one", func(c *Config) { c.Worker.Replicas.Min = 0 },
			"openwan:worker.replicas.min: 0 is outside [1, 1000]"},
		{"cpu target zero", func(c *Config) { c.API.Targets.CPUPercent = 0 },
			"openwan:api.targets.cpuPercent: 0 is outside (0, 100]"},
		{"memory target above 100", func(c *Config) { c.Worker.Targets.MemoryPercent = 101 },
			"openwan:worker.targets.memoryPercent: 101 is outside (0, 100]"},
		{"negative stabilization", func(c *Config) { c.API.ScaleUp.StabilizationSeconds = -1 },
			"openwan:api.scaleUp.stabilizationSeconds: -1 is outside [0, 3600]"},
		{"scale down faster than up", func(c *Config) { c.API.ScaleDown.StabilizationSeconds = 0; c.API.ScaleUp.StabilizationSeconds = 60 },
			"openwan:api.scaleDown.stabilizationSeconds: 0 is below openwan:api.scaleUp.stabilizationSeconds 60: scale in more slowly than out"},
		{"metadata tokens misspelt", func(c *Config) { c.EC2.Metadata.HTTPTokens = "v2" },
			`openwan:ec2.metadata.httpTokens: "v2" is not "required" or "optional"`},
		{"metadata hop limit zero", func(c *Config) { c.EC2.Metadata.HopLimit = 0 },
			"openwan:ec2.metadata.hopLimit: 0 is outside [1, 64]"},
		{"a job longer than a worker pod may take to stop", func(c *Config) { c.Capacity.Worker.JobMinutes, c.EC2.Worker.TerminationHookSeconds = 31, 3600 },
			"openwan:capacity.worker.jobMinutes: 31 minutes outlast openwan:worker.terminationGracePeriodSeconds 1800: a worker stopped by a scale-in would be killed mid-job"},
		{"a job longer than a worker instance may take to stop", func(c *Config) { c.Capacity.Worker.JobMinutes, c.Worker.TerminationGracePeriodSeconds = 31, 3600 },
			"openwan:capacity.worker.jobMinutes: 31 minutes outlast openwan:ec2.worker.terminationHookSeconds 1800: an instance scaled in would be terminated mid-job"},
		{"no job duration", func(c *Config) { c.Capacity.Worker.JobMinutes = 0 },
			"openwan:capacity.worker.jobMinutes: 0 is outside [1, 1440]"},
		{"headroom from an unpinned image", func(c *Config) { c.Cluster.Headroom.PauseImage = "registry.k8s.io/pause" },
			`openwan:cluster.headroom.pauseImage: "registry.k8s.io/pause" is not an image pinned by tag or digest, like "registry.k8s.io/pause:3.10"`},
		{"headroom of latest", func(c *Config) { c.Cluster.Headroom.PauseImage = "registry.k8s.io/pause:latest" },
			`openwan:cluster.headroom.pauseImage: "registry.k8s.io/pause:latest" is not an image pinned by tag or digest, like "registry.k8s.io/pause:3.10"`},
		{"negative headroom", func(c *Config) { c.Cluster.Headroom.WorkerPods = -1 },
			"openwan:cluster.headroom.workerPods: -1 is outside [0, 100]"},
		{"headroom nobody refills", func(c *Config) { c.Cluster.ClusterAutoscaler.Enabled = false },
			"openwan:cluster.headroom.apiPods: keeps room that only cluster-autoscaler refills: set openwan:cluster.clusterAutoscaler.enabled true, or the headroom to 0"},
		{"warm pool above the group", func(c *Config) { c.EC2.API.WarmPool.Size = 11 },
			"openwan:ec2.api.warmPool.size: 11 is outside [0, 10]"},
		{"free volumes", func(c *Config) { c.Capacity.VolumeGiBMonthUSD = 0 },
			"openwan:capacity.volumeGiBMonthUSD: 0 is outside (0, 10] USD per GiB-month"},
		{"p95 above p99", func(c *Config) { c.Alerts.Latency.P95Seconds = 2 },
			"openwan:alerts.latency.p99Seconds: 1 is below openwan:alerts.latency.p95Seconds 2: a percentile cannot be faster than a lower one"},
		{"p50 above p95", func(c *Config) { c.Alerts.Latency.P50Seconds = 0.6 },
			"openwan:alerts.latency.p95Seconds: 0.5 is below openwan:alerts.latency.p50Seconds 0.6: a percentile cannot be faster than a lower one"},
		{"no latency target", func(c *Config) { c.Alerts.Latency.P50Seconds = 0 },
			"openwan:alerts.latency.p50Seconds: 0 is outside (0, 60] s"},
		{"negative budget margin", func(c *Config) { c.Alerts.Budget.MarginPercent = -5 },
			"openwan:alerts.budget.marginPercent: -5 is outside [0, 1000]"},
		{"database limit missing", func(c *Config) { c.Capacity.Database.MaxConnections = 0 },
			"openwan:capacity.database.maxConnections: required: the database's max_connections, which every fleet's pool must fit under"},
		{"spot discount of 100 %", func(c *Config) { c.Capacity.SpotDiscountPercent = 100 },
			"openwan:capacity.spotDiscountPercent: 100 is outside [0, 99]"},
		{"free instance type", func(c *Config) { c.Capacity.Prices["t3.medium"] = 0 },
			"openwan:capacity.prices.t3.medium: 0 is outside (0, 1000] USD/hour"},
		{"queue scaling without KEDA", func(c *Config) { c.Worker.QueueScaling.Enabled = true },
			"openwan:worker.queueScaling.enabled: needs KEDA: set openwan:cluster.keda.enabled true"},
		{"queue scaling on the API", func(c *Config) {
			c.Cluster.KEDA.Enabled = true
			c.API.QueueScaling = c.Worker.QueueScaling
			c.API.QueueScaling.Enabled = true
		}, "openwan:api.queueScaling.enabled: the API consumes no queue; only openwan:worker.queueScaling may be on"},
		{"queue target zero", func(c *Config) {
			c.Cluster.KEDA.Enabled = true
			c.Worker.QueueScaling.Enabled = true
			c.Worker.QueueScaling.MessagesPerReplica = 0
		}, "openwan:worker.queueScaling.messagesPerReplica: 0 is outside [1, 100000]"},
		{"cluster-autoscaler on an existing cluster", func(c *Config) { c.Cluster.Existing.Enabled, c.Cluster.ExternalSecrets.Enabled = true, false },
			"openwan:cluster.clusterAutoscaler.enabled: cluster-autoscaler here is EKS's (node groups, IRSA); set it false with openwan:cluster.existing"},
		{"metrics-server from nowhere", func(c *Config) { c.Cluster.MetricsServer.Source = "git" },
			`openwan:cluster.metricsServer.source: "git" is not "chart" or "manifests"`},
		{"empty image", func(c *Config) { c.API.Image = " " },
			"openwan:api.image: must not be empty"},
		{"unknown policy type", func(c *Config) { c.Worker.ScaleDown.Policies[0].Type = "Nodes" },
			`openwan:worker.scaleDown.policies[0].type: "Nodes" is not one of [Pods Percent]`},
		{"limit below request", func(c *Config) { c.API.Resources.Limits.MemoryMiB = 512 },
			"openwan:api.resources.limits.memoryMiB: 512 is below the request 1024"},
		{"prestop eats the grace period", func(c *Config) { c.API.PreStopSleepSeconds = 60 },
			"openwan:api.preStopSleepSeconds: 60 leaves no time to shut down within openwan:api.terminationGracePeriodSeconds 60"},
		{"public endpoint without cidrs", func(c *Config) { c.Cluster.PublicAccessCIDRs = nil },
			"openwan:cluster.publicAccessCidrs: must list the networks allowed to reach the public endpoint (or set openwan:cluster.endpointPublicAccess to false)"},
		{"endpoint open to the world", func(c *Config) { c.Cluster.PublicAccessCIDRs = []string{"0.0.0.0/0"} },
			`openwan:cluster.publicAccessCidrs[0]: "0.0.0.0/0" opens the API server to the whole internet`},
		{"spot pool of one type", func(c *Config) { c.Cluster.NodePools.Workers.InstanceTypes = []string{"c5.xlarge"} },
			"openwan:cluster.nodePools.workers.instanceTypes: a spot pool needs at least 2 interchangeable types, got 1"},
		{"node desired outside bounds", func(c *Config) { c.Cluster.NodePools.API.Desired = 12 },
			"openwan:cluster.nodePools.api.desired: 12 is outside [min 2, max 11]"},
		{"one zone", func(c *Config) { c.Network.AvailabilityZones = 1 },
			"openwan:network.availabilityZones: 1 is outside [2, 6]"},
		{"existing vpc with one subnet", func(c *Config) {
			c.Network.VPCID = "vpc-1"
			c.Network.PublicSubnetIDs = []string{"subnet-a", "subnet-b"}
			c.Network.PrivateSubnetIDs = []string{"subnet-c"}
		}, "openwan:network.privateSubnetIds: 1 subnets given, need at least 2 (one per availability zone)"},
		{"bad version", func(c *Config) { c.Cluster.Version = "latest" },
			`openwan:cluster.version: "latest" is not a Kubernetes minor version like "1.33"`},
		{"asg desired above max", func(c *Config) { c.EC2.API.Desired = 11 },
			"openwan:ec2.api.desired: 11 is outside [min 2, max 10]"},
		{"schedule desired above its max", func(c *Config) { c.EC2.API.Schedules["scale-up-business-hours"].Desired = 11 },
			"openwan:ec2.api.schedules.scale-up-business-hours.desired: 11 is above openwan:ec2.api.schedules.scale-up-business-hours.max 10 (which defaults to openwan:ec2.api.size.max)"},
		{"schedule desired below the min it follows", func(c *Config) { c.EC2.API.Schedules["scale-down-night"].Desired = 1 },
			"openwan:ec2.api.schedules.scale-down-night.desired: 1 is below openwan:ec2.api.schedules.scale-down-night.min 2 (which defaults to openwan:ec2.api.size.min)"},
		{"schedule max above the group's", func(c *Config) { c.EC2.API.Schedules["scale-up-business-hours"].Max = new(11) },
			"openwan:ec2.api.schedules.scale-up-business-hours.max: 11 is above openwan:ec2.api.size.max 10"},
		{"schedule min below the group's", func(c *Config) { c.EC2.API.Schedules["scale-down-night"].Min = new(1) },
			"openwan:ec2.api.schedules.scale-down-night.min: 1 is below openwan:ec2.api.size.min 2"},
		{"schedule min above the group's max", func(c *Config) { c.EC2.API.Schedules["scale-up-business-hours"].Min = new(12) },
			"openwan:ec2.api.schedules.scale-up-business-hours.min: 12 is above openwan:ec2.api.size.max 10"},
		{"schedule max below the group's min", func(c *Config) { c.EC2.API.Schedules["scale-down-night"].Max = new(1) },
			"openwan:ec2.api.schedules.scale-down-night.max: 1 is below openwan:ec2.api.size.min 2"},
		{"schedule max below its own min", func(c *Config) { c.EC2.API.Schedules["scale-up-business-hours"].Max = new(2) },
			"openwan:ec2.api.schedules.scale-up-business-hours.max: 2 is below openwan:ec2.api.schedules.scale-up-business-hours.min 3"},
		{"schedule without a name", func(c *Config) {
			c.EC2.Worker.Schedules = map[string]*ScheduledAction{"": {Recurrence: "0 8 * * *", Desired: 2}}
		}, "openwan:ec2.worker.schedules: an action name must not be empty: it names the scheduled action in AWS"},
		{"schedule with a bad cron", func(c *Config) { c.EC2.API.Schedules["scale-down-night"].Recurrence = "0 25 * * *" },
			`openwan:ec2.api.schedules.scale-down-night.recurrence: "0 25 * * *": hour field "25": 25 is outside [0, 23]`},
		{"API concurrency", func(c *Config) { c.API.Concurrency = 1 },
			"openwan:api.concurrency: 1: the API runs no jobs; only openwan:worker.concurrency may be set"},
		{"unknown time zone", func(c *Config) { c.EC2.TimeZone = "Mars/Olympus" },
			`openwan:ec2.timeZone: "Mars/Olympus" is not an IANA time zone like "Europe/Berlin"`},
		{"scale-in threshold above the target", func(c *Config) { c.EC2.Worker.ScaleIn.CPUBelowPercent = 80 },
			"openwan:ec2.worker.scaleIn.cpuBelowPercent: 80 must be below openwan:ec2.worker.targets.cpuPercent 75, or the group flaps"},
		{"steps out of order", func(c *Config) { c.EC2.API.Requests.Steps[1].BreachPercent = 0 },
			"openwan:ec2.api.requests.steps[1].breachPercent: 0 must be above the previous step's 0"},
		{"queue without dimensions", func(c *Config) { c.EC2.Worker.Queue.Dimensions = nil },
			"openwan:ec2.worker.queue.dimensions: must name the queue's metric dimensions (e.g. Broker, VirtualHost, Queue)"},
		{"empty queue dimension value", func(c *Config) { c.EC2.Worker.Queue.Dimensions["Queue"] = "" },
			"openwan:ec2.worker.queue.dimensions.Queue: must not be empty"},
		{"empty queue dimension name", func(c *Config) { c.EC2.Worker.Queue.Dimensions[""] = "transcode" },
			`openwan:ec2.worker.queue.dimensions: a dimension name must not be empty (its value is "transcode")`},
		{"empty worker instance type", func(c *Config) { c.EC2.Worker.InstanceTypes = []string{"c5.xlarge", " "} },
			"openwan:ec2.worker.instanceTypes[1]: must not be empty"},
		{"empty node pool instance type", func(c *Config) { c.Cluster.NodePools.API.InstanceTypes = []string{""} },
			"openwan:cluster.nodePools.api.instanceTypes[0]: must not be empty"},
		{"blank certificate", func(c *Config) { c.EC2.API.CertificateARN = " " },
			`openwan:ec2.api.certificateArn: " " is not an ARN (arn:aws:acm:<region>:<account>:certificate/<id>); leave it empty to serve HTTP only`},
		{"blank vpc id", func(c *Config) {
			c.Network.VPCID = " "
			c.Network.PublicSubnetIDs = []string{"subnet-a", "subnet-b"}
			c.Network.PrivateSubnetIDs = []string{"subnet-c", "subnet-d"}
		}, "openwan:network.vpcId: must not be empty"},
		{"empty subnet id", func(c *Config) {
			c.Network.VPCID = "vpc-1"
			c.Network.PublicSubnetIDs = []string{"subnet-a", ""}
			c.Network.PrivateSubnetIDs = []string{"subnet-c", "subnet-d"}
		}, "openwan:network.publicSubnetIds[1]: must not be empty"},
		{"queue scale-in above scale-out", func(c *Config) { c.EC2.Worker.Queue.ScaleInPerInstance = 50 },
			"openwan:ec2.worker.queue.scaleInPerInstance: 50 must be below openwan:ec2.worker.queue.scaleOutPerInstance 50, or the group flaps"},
		{"spot fleet of one type", func(c *Config) { c.EC2.Worker.InstanceTypes = []string{"c5.xlarge"} },
			"openwan:ec2.worker.instanceTypes: spot capacity needs at least 2 interchangeable types, got 1"},
		{"bad email", func(c *Config) { c.Alerts.Emails = []string{"oncall"} },
			`openwan:alerts.emails[0]: "oncall" is not an e-mail address`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.change(&c)
			assert.Equal(t, []string{tt.want}, problemsOf(c.Validate()),
				"Validate() reports exactly this one problem, naming the full key, the value and the allowed range")
		})
	}
}

func TestValidateReportsAllProblemsAtOnce(t *testing.T) {
	c := valid()
	c.API.Replicas.Max = 1
	c.Worker.Image = ""
	c.EC2.API.Desired = 0
	got := problemsOf(c.Validate())
	want := []string{
		"openwan:api.replicas.max: 1 is below min 2",
		"openwan:worker.image: must not be empty",
		"openwan:ec2.api.desired: 0 is outside [min 2, max 10]",
	}
	assert.Equal(t, want, got, "Validate() reports every problem at once, in the order of the config")
}

func TestValidateSkipsDisabledPaths(t *testing.T) {
	c := valid()
	c.EC2.Enabled = false
	c.EC2.API.Image = ""
	c.Cluster.Enabled = false
	c.API.Replicas.Max = 0
	assert.NoError(t, c.Validate(), "with both paths off their sections are not used, so not validated")
}
