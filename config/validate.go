package config

import (
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // scheduled actions name IANA zones; don't depend on the host's tz database
)

// Upper bounds that keep a typo (an extra zero) from becoming a bill.
const (
	maxReplicas  = 1000
	maxInstances = 500
)

// The Kubernetes API's own limits of an HPA's behavior (autoscaling/v2), which the config and the
// kube components check alike, so that a value is refused before anything is declared.
const (
	// MaxHPAStabilizationSeconds is the longest stabilization window of an HPA's behavior (s).
	MaxHPAStabilizationSeconds = 3600
	// MaxHPAPolicyPeriodSeconds is the longest period of an HPA scaling policy (s).
	MaxHPAPolicyPeriodSeconds = 1800
)

var (
	clusterVersionPattern = regexp.MustCompile(`^1\.[0-9]{2}$`)
	controlPlaneLogTypes  = []string{"api", "audit", "authenticator", "controllerManager", "scheduler"}
	selectPolicies        = []string{"Max", "Min", "Disabled"}
	policyTypes           = []string{"Pods", "Percent"}
)

// Validate reports every problem of the config at once, joined, each naming its full key, the
// value and what is allowed. A nil error means every resource can be declared from it.
func (c Config) Validate() error {
	var p problems
	if c.Cluster.EKS() || c.EC2.Enabled {
		c.Network.validate(&p, "network")
	}
	if c.Cluster.Enabled {
		c.Cluster.validate(&p, "cluster")
		c.API.validate(&p, "api")
		c.Worker.validate(&p, "worker")
	}
	if c.EC2.Enabled {
		c.EC2.validate(&p, "ec2")
	}
	if c.EC2.Enabled || c.Cluster.Enabled {
		c.App.validate(&p, "app")
		c.Alerts.validate(&p, "alerts")
		c.Capacity.validate(&p, "capacity")
	}
	if c.API.Concurrency != 0 {
		p.addf("api.concurrency", "%d: the API runs no jobs; only openwan:worker.concurrency may be set", c.API.Concurrency)
	}
	if c.Cluster.Enabled {
		if c.API.QueueScaling.Enabled {
			p.addf("api.queueScaling.enabled", "the API consumes no queue; only openwan:worker.queueScaling may be on")
		}
		if c.Worker.QueueScaling.Enabled && !c.Cluster.KEDA.Enabled {
			p.addf("worker.queueScaling.enabled", "needs KEDA: set openwan:cluster.keda.enabled true")
		}
	}
	// A stopping worker finishes its job: the job must fit the time it is given to stop.
	if job := c.Capacity.Worker.JobMinutes * 60; job > 0 {
		if c.Cluster.Enabled && job > c.Worker.TerminationGracePeriodSeconds {
			p.addf("capacity.worker.jobMinutes", "%d minutes outlast %s:worker.terminationGracePeriodSeconds %d: a worker stopped by a scale-in would be killed mid-job",
				c.Capacity.Worker.JobMinutes, Namespace, c.Worker.TerminationGracePeriodSeconds)
		}
		if c.EC2.Enabled && job > c.EC2.Worker.TerminationHookSeconds {
			p.addf("capacity.worker.jobMinutes", "%d minutes outlast %s:ec2.worker.terminationHookSeconds %d: an instance scaled in would be terminated mid-job",
				c.Capacity.Worker.JobMinutes, Namespace, c.EC2.Worker.TerminationHookSeconds)
		}
	}
	// The ALB must be done with a stopping pod while the pod still serves, in its preStop sleep.
	if in := c.Cluster.Ingress; c.Cluster.EKS() && in.Enabled && in.DeregistrationDelaySeconds >= c.API.PreStopSleepSeconds {
		p.addf("cluster.ingress.deregistrationDelaySeconds", "%d is not below %s:api.preStopSleepSeconds %d: the ALB would still send requests to a pod that has begun to stop",
			in.DeregistrationDelaySeconds, Namespace, c.API.PreStopSleepSeconds)
	}
	return errors.Join(p.errs...)
}

func (n Network) validate(p *problems, key string) {
	if n.CreatesVPC() {
		if prefix, err := netip.ParsePrefix(n.CIDR); err != nil || !prefix.Addr().Is4() || prefix.Bits() > 20 || prefix.Bits() < 16 {
			p.addf(key+".cidr", "%q is not an IPv4 CIDR between /16 and /20", n.CIDR)
		}
		p.between(key+".availabilityZones", n.AvailabilityZones, 2, 6)
		if len(n.PublicSubnetIDs)+len(n.PrivateSubnetIDs) > 0 {
			p.addf(key+".vpcId", "must be set when subnet ids are given")
		}
		return
	}
	p.required(key+".vpcId", n.VPCID)
	for i, id := range n.PublicSubnetIDs {
		p.required(fmt.Sprintf("%s.publicSubnetIds[%d]", key, i), id)
	}
	for i, id := range n.PrivateSubnetIDs {
		p.required(fmt.Sprintf("%s.privateSubnetIds[%d]", key, i), id)
	}
	if len(n.PrivateSubnetIDs) < 2 {
		p.addf(key+".privateSubnetIds", "%d subnets given, need at least 2 (one per availability zone)", len(n.PrivateSubnetIDs))
	}
	if len(n.PublicSubnetIDs) < 2 {
		p.addf(key+".publicSubnetIds", "%d subnets given, need at least 2 (one per availability zone)", len(n.PublicSubnetIDs))
	}
}

func (c Cluster) validate(p *problems, key string) {
	p.required(key+".metricsServer.chartVersion", c.MetricsServer.ChartVersion)
	p.between(key+".metricsServer.replicas", c.MetricsServer.Replicas, 1, 10)
	switch c.MetricsServer.Source {
	case "chart":
	case "manifests":
		p.required(key+".metricsServer.image", c.MetricsServer.Image)
	default:
		p.addf(key+".metricsServer.source", "%q is not \"chart\" or \"manifests\"", c.MetricsServer.Source)
	}
	if c.KEDA.Enabled {
		p.required(key+".keda.chartVersion", c.KEDA.ChartVersion)
		p.atLeast(key+".keda.requests.cpuMillis", c.KEDA.Requests.CPUMillis, 1)
		p.atLeast(key+".keda.requests.memoryMiB", c.KEDA.Requests.MemoryMiB, 1)
	}
	if c.Existing.Enabled {
		if len(c.Existing.APISourceCIDRs) == 0 {
			p.addf(key+".existing.apiSourceCidrs", "must list at least one network, or the API admits no traffic")
		}
		for i, cidr := range c.Existing.APISourceCIDRs {
			if prefix, err := netip.ParsePrefix(cidr); err != nil || !prefix.Addr().Is4() {
				p.addf(fmt.Sprintf("%s.existing.apiSourceCidrs[%d]", key, i), "%q is not an IPv4 CIDR", cidr)
			}
		}
		if c.ClusterAutoscaler.Enabled {
			p.addf(key+".clusterAutoscaler.enabled", "cluster-autoscaler here is EKS's (node groups, IRSA); set it false with %s:%s.existing", Namespace, key)
		}
		if c.ExternalSecrets.Enabled {
			p.addf(key+".externalSecrets.enabled", "reads SSM with an EKS IRSA role; set it false with %s:%s.existing, whose Secret %s:app.secretName must exist", Namespace, key, Namespace)
		}
		return
	}
	if !clusterVersionPattern.MatchString(c.Version) {
		p.addf(key+".version", "%q is not a Kubernetes minor version like \"1.33\"", c.Version)
	} else {
		c.validateRelease(p, key)
	}
	if c.EndpointPublicAccess && len(c.PublicAccessCIDRs) == 0 {
		p.addf(key+".publicAccessCidrs", "must list the networks allowed to reach the public endpoint (or set %s:%s.endpointPublicAccess to false)", Namespace, key)
	}
	for i, cidr := range c.PublicAccessCIDRs {
		k := fmt.Sprintf("%s.publicAccessCidrs[%d]", key, i)
		prefix, err := netip.ParsePrefix(cidr)
		switch {
		case err != nil:
			p.addf(k, "%q is not a CIDR", cidr)
		case prefix.Bits() == 0:
			p.addf(k, "%q opens the API server to the whole internet", cidr)
		}
	}
	for i, t := range c.LogTypes {
		if !slices.Contains(controlPlaneLogTypes, t) {
			p.addf(fmt.Sprintf("%s.logTypes[%d]", key, i), "%q is not one of %v", t, controlPlaneLogTypes)
		}
	}
	if !slices.Contains(LogRetentionDays(), c.LogRetentionDays) {
		p.addf(key+".logRetentionDays", "%d is not a retention CloudWatch Logs takes: one of %v days", c.LogRetentionDays, LogRetentionDays())
	}
	if len(c.LogTypes) == 0 {
		p.addf(key+".logTypes", "must not be empty: control-plane logs are the audit trail")
	}
	c.NodePools.API.validate(p, key+".nodePools.api")
	c.NodePools.Workers.validate(p, key+".nodePools.workers")
	if es := c.ExternalSecrets; es.Enabled {
		p.required(key+".externalSecrets.chartVersion", es.ChartVersion)
		if d, err := time.ParseDuration(es.RefreshInterval); err != nil || d < time.Minute {
			p.addf(key+".externalSecrets.refreshInterval", "%q is not a duration of a minute or more, like \"1h\"", es.RefreshInterval)
		}
		p.atLeast(key+".externalSecrets.requests.cpuMillis", es.Requests.CPUMillis, 1)
		p.atLeast(key+".externalSecrets.requests.memoryMiB", es.Requests.MemoryMiB, 1)
	}
	if c.Ingress.Enabled {
		p.between(key+".ingress.deregistrationDelaySeconds", c.Ingress.DeregistrationDelaySeconds, 0, 3600)
		if c.Ingress.CertificateARN != "" && !strings.HasPrefix(c.Ingress.CertificateARN, "arn:aws") {
			p.addf(key+".ingress.certificateArn", "%q is not an ACM certificate ARN", c.Ingress.CertificateARN)
		}
		ctl := c.Ingress.Controller
		p.required(key+".ingress.controller.chartVersion", ctl.ChartVersion)
		p.required(key+".ingress.controller.imageTag", ctl.ImageTag)
		p.between(key+".ingress.controller.replicas", ctl.Replicas, 1, 10)
		p.atLeast(key+".ingress.controller.requests.cpuMillis", ctl.Requests.CPUMillis, 1)
		p.atLeast(key+".ingress.controller.requests.memoryMiB", ctl.Requests.MemoryMiB, 1)
	}
	for _, ds := range []struct {
		key  string
		sets map[string]Quantity
	}{{key + ".daemonSets", c.DaemonSets}, {key + ".containerInsights.daemonSets", c.ContainerInsights.DaemonSets}} {
		for _, name := range slices.Sorted(maps.Keys(ds.sets)) {
			q := ds.sets[name]
			p.between(ds.key+"."+name+".cpuMillis", q.CPUMillis, 0, 64_000)
			p.between(ds.key+"."+name+".memoryMiB", q.MemoryMiB, 0, 512_000)
			if q.EphemeralGiB != 0 {
				p.addf(ds.key+"."+name+".ephemeralGiB", "%d: a DaemonSet's disk is not counted; leave it 0", q.EphemeralGiB)
			}
		}
	}
	seen := map[string]string{}
	for _, list := range []struct {
		key  string
		arns []string
	}{{key + ".access.admins", c.Access.Admins}, {key + ".access.viewers", c.Access.Viewers}} {
		for i, arn := range list.arns {
			k := fmt.Sprintf("%s[%d]", list.key, i)
			if !IsIAMPrincipal(arn) {
				p.addf(k, "%q is not an IAM role or user ARN like \"arn:aws:iam::210987654321:role/openwan-operators\"", arn)
			}
			if first, dup := seen[arn]; dup {
				p.addf(k, "%q is also %s: EKS takes one access entry per principal", arn, first)
			}
			seen[arn] = k
		}
	}
	if v := c.ContainerInsights.AddonVersion; v != "" && !strings.HasPrefix(v, "v") {
		p.addf(key+".containerInsights.addonVersion", "%q is not an add-on version like \"v4.4.0-eksbuild.1\"", v)
	}
	p.between(key+".headroom.apiPods", c.Headroom.APIPods, 0, 100)
	p.between(key+".headroom.workerPods", c.Headroom.WorkerPods, 0, 100)
	if c.Headroom.APIPods+c.Headroom.WorkerPods > 0 {
		if img := c.Headroom.PauseImage; !pinnedImage(img) {
			p.addf(key+".headroom.pauseImage", "%q is not an image pinned by tag or digest, like \"registry.k8s.io/pause:3.10\"", img)
		}
		if !c.ClusterAutoscaler.Enabled {
			p.addf(key+".headroom.apiPods", "keeps room that only cluster-autoscaler refills: set %s:%s.clusterAutoscaler.enabled true, or the headroom to 0", Namespace, key)
		}
	}
	if c.ClusterAutoscaler.Enabled {
		p.between(key+".clusterAutoscaler.scaleDownUnneededSeconds", c.ClusterAutoscaler.ScaleDownUnneededSeconds, 60, 3600)
	}
}

// pinnedImage reports whether an image reference names a tag other than latest, or a digest.
func pinnedImage(ref string) bool {
	if _, digest, ok := strings.Cut(ref, "@"); ok {
		return strings.HasPrefix(digest, "sha256:")
	}
	slash := strings.LastIndex(ref, "/")
	colon := strings.LastIndex(ref, ":")
	return colon > slash && colon < len(ref)-1 && ref[colon+1:] != "latest"
}

func (n NodePool) validate(p *problems, key string) {
	if len(n.InstanceTypes) == 0 {
		p.addf(key+".instanceTypes", "must name at least one instance type")
	}
	for i, t := range n.InstanceTypes {
		p.required(fmt.Sprintf("%s.instanceTypes[%d]", key, i), t)
	}
	if n.Spot && len(n.InstanceTypes) < 2 {
		p.addf(key+".instanceTypes", "a spot pool needs at least 2 interchangeable types, got %d", len(n.InstanceTypes))
	}
	p.bounds(key+".size", n.Size, 1, maxInstances)
	p.within(key+".desired", n.Desired, n.Size)
	p.between(key+".diskGiB", n.DiskGiB, 20, 16384)
	p.between(key+".maxUnavailable", n.MaxUnavailable, 1, max(n.Size.Max, 1))
}

func (a App) validate(p *problems, key string) {
	if !slices.Contains(Environments(), a.Environment) {
		p.addf(key+".environment", "%q is not one of %v", a.Environment, Environments())
	}
	p.required(key+".namespace", a.Namespace)
	p.required(key+".secretName", a.SecretName)
	p.required(key+".redisAddress", a.RedisAddress)
	p.required(key+".s3Bucket", a.S3Bucket)
	p.required(key+".queueName", a.QueueName)
	p.required(key+".region", a.Region)
}

func (s Service) validate(p *problems, key string) {
	p.required(key+".image", s.Image)
	if strings.TrimSpace(s.Image) != "" && !pinnedImage(s.Image) {
		// An untagged image is :latest: each node pulls whatever it is that day, and a rollback
		// has nothing to roll back to.
		p.addf(key+".image", "%q is not pinned: name a tag other than latest or a digest, like \"ghcr.io/openwan/openwan-api:1.8.2\"", s.Image)
	}
	p.between(key+".port", s.Port, 1, 65535)
	p.required(key+".livenessPath", s.LivenessPath)
	p.required(key+".readinessPath", s.ReadinessPath)
	p.bounds(key+".replicas", s.Replicas, 1, maxReplicas)
	p.percent(key+".targets.cpuPercent", s.Targets.CPUPercent)
	p.percent(key+".targets.memoryPercent", s.Targets.MemoryPercent)
	if s.QueueScaling.Enabled {
		p.between(key+".queueScaling.messagesPerReplica", s.QueueScaling.MessagesPerReplica, 1, 100_000)
		p.required(key+".queueScaling.hostSecretKey", s.QueueScaling.HostSecretKey)
		p.between(key+".queueScaling.pollingSeconds", s.QueueScaling.PollingSeconds, 5, 600)
	}
	s.ScaleUp.validate(p, key+".scaleUp")
	s.ScaleDown.validate(p, key+".scaleDown")
	if s.ScaleDown.StabilizationSeconds < s.ScaleUp.StabilizationSeconds {
		p.addf(key+".scaleDown.stabilizationSeconds", "%d is below %s:%s.scaleUp.stabilizationSeconds %d: scale in more slowly than out",
			s.ScaleDown.StabilizationSeconds, Namespace, key, s.ScaleUp.StabilizationSeconds)
	}
	s.Resources.validate(p, key+".resources")
	p.between(key+".terminationGracePeriodSeconds", s.TerminationGracePeriodSeconds, 1, 7200)
	p.atLeast(key+".preStopSleepSeconds", s.PreStopSleepSeconds, 0)
	if s.PreStopSleepSeconds >= s.TerminationGracePeriodSeconds {
		p.addf(key+".preStopSleepSeconds", "%d leaves no time to shut down within %s:%s.terminationGracePeriodSeconds %d",
			s.PreStopSleepSeconds, Namespace, key, s.TerminationGracePeriodSeconds)
	}
	p.between(key+".dbPoolSize", s.DBPoolSize, 1, 1000)
	p.between(key+".concurrency", s.Concurrency, 0, 64)
}

func (b Behavior) validate(p *problems, key string) {
	p.between(key+".stabilizationSeconds", b.StabilizationSeconds, 0, MaxHPAStabilizationSeconds)
	if !slices.Contains(selectPolicies, b.SelectPolicy) {
		p.addf(key+".selectPolicy", "%q is not one of %v", b.SelectPolicy, selectPolicies)
	}
	if len(b.Policies) == 0 && b.SelectPolicy != "Disabled" {
		p.addf(key+".policies", "must hold at least one policy")
	}
	for i, pol := range b.Policies {
		k := fmt.Sprintf("%s.policies[%d]", key, i)
		if !slices.Contains(policyTypes, pol.Type) {
			p.addf(k+".type", "%q is not one of %v", pol.Type, policyTypes)
		}
		p.atLeast(k+".value", pol.Value, 1)
		p.between(k+".periodSeconds", pol.PeriodSeconds, 1, MaxHPAPolicyPeriodSeconds)
	}
}

func (r Resources) validate(p *problems, key string) {
	p.atLeast(key+".requests.cpuMillis", r.Requests.CPUMillis, 1)
	p.atLeast(key+".requests.memoryMiB", r.Requests.MemoryMiB, 1)
	if r.Limits.CPUMillis < r.Requests.CPUMillis {
		p.addf(key+".limits.cpuMillis", "%d is below the request %d", r.Limits.CPUMillis, r.Requests.CPUMillis)
	}
	if r.Limits.MemoryMiB < r.Requests.MemoryMiB {
		p.addf(key+".limits.memoryMiB", "%d is below the request %d", r.Limits.MemoryMiB, r.Requests.MemoryMiB)
	}
	// Without a request the scheduler packs pods onto a node whose disk their scratch then
	// fills, and the kubelet evicts them.
	p.between(key+".requests.ephemeralGiB", r.Requests.EphemeralGiB, 1, 1024)
	if r.Limits.EphemeralGiB < r.Requests.EphemeralGiB {
		p.addf(key+".limits.ephemeralGiB", "%d is below the request %d", r.Limits.EphemeralGiB, r.Requests.EphemeralGiB)
	}
}

func (e EC2) validate(p *problems, key string) {
	if _, err := time.LoadLocation(e.TimeZone); err != nil || e.TimeZone == "" || e.TimeZone == "Local" {
		p.addf(key+".timeZone", "%q is not an IANA time zone like \"Europe/Berlin\"", e.TimeZone)
	}
	p.required(key+".amiParameter", e.AMIParameter)
	if t := e.Metadata.HTTPTokens; t != "required" && t != "optional" {
		p.addf(key+".metadata.httpTokens", "%q is not \"required\" or \"optional\"", t)
	}
	p.between(key+".metadata.hopLimit", e.Metadata.HopLimit, 1, 64)

	e.API.Fleet.validate(p, key+".api", defaultEC2().API.Schedules)
	p.required(key+".api.instanceType", e.API.InstanceType)
	p.between(key+".api.port", e.API.Port, 1, 65535)
	if len(e.API.HealthPath) == 0 || e.API.HealthPath[0] != '/' {
		p.addf(key+".api.healthPath", "%q must start with /", e.API.HealthPath)
	}
	if arn := e.API.CertificateARN; arn != "" && !strings.HasPrefix(arn, "arn:") {
		p.addf(key+".api.certificateArn", "%q is not an ARN (arn:aws:acm:<region>:<account>:certificate/<id>); leave it empty to serve HTTP only", arn)
	}
	p.between(key+".api.deregistrationDelaySeconds", e.API.DeregistrationDelaySeconds, 0, 3600)
	e.API.Requests.validate(p, key+".api.requests")
	p.between(key+".api.warmPool.size", e.API.WarmPool.Size, 0, e.API.Size.Max)

	e.Worker.Fleet.validate(p, key+".worker", defaultEC2().Worker.Schedules)
	if len(e.Worker.InstanceTypes) < 2 {
		p.addf(key+".worker.instanceTypes", "spot capacity needs at least 2 interchangeable types, got %d", len(e.Worker.InstanceTypes))
	}
	for i, t := range e.Worker.InstanceTypes {
		p.required(fmt.Sprintf("%s.worker.instanceTypes[%d]", key, i), t)
	}
	p.between(key+".worker.onDemandBase", e.Worker.OnDemandBase, 0, e.Worker.Size.Max)
	p.between(key+".worker.onDemandPercentAboveBase", e.Worker.OnDemandPercentAboveBase, 0, 100)
	if s := e.Worker.SpotAllocationStrategy; !slices.Contains(SpotAllocationStrategies(), s) {
		p.addf(key+".worker.spotAllocationStrategy", "%q is not one of %v", s, SpotAllocationStrategies())
	}
	e.Worker.Queue.validate(p, key+".worker.queue")
}

// validate checks the fleet under key; defaults are its default scheduled actions, which an
// action of the same name replaces whole.
func (f Fleet) validate(p *problems, key string, defaults map[string]*ScheduledAction) {
	if strings.TrimSpace(f.Image) == "" {
		// key is "ec2.api" or "ec2.worker"; the image follows the service of the same name.
		p.addf(key+".image", "must not be empty: set it or %s:%s.image, which it defaults to",
			Namespace, key[strings.LastIndex(key, ".")+1:])
	} else if !pinnedImage(f.Image) {
		p.addf(key+".image", "%q is not pinned: name a tag other than latest or a digest", f.Image)
	}
	p.bounds(key+".size", f.Size, 1, maxInstances)
	p.within(key+".desired", f.Desired, f.Size)
	p.between(key+".healthCheckGraceSeconds", f.HealthCheckGraceSeconds, 0, 7200)
	p.between(key+".defaultCooldownSeconds", f.DefaultCooldownSeconds, 0, 3600)
	p.between(key+".instanceWarmupSeconds", f.InstanceWarmupSeconds, 0, 3600)
	p.between(key+".rootVolumeGiB", f.RootVolumeGiB, 8, 16384)
	p.percent(key+".targets.cpuPercent", f.Targets.CPUPercent)
	p.percent(key+".targets.memoryPercent", f.Targets.MemoryPercent)
	p.percent(key+".scaleIn.cpuBelowPercent", f.ScaleIn.CPUBelowPercent)
	p.percent(key+".scaleIn.memoryBelowPercent", f.ScaleIn.MemoryBelowPercent)
	if f.ScaleIn.CPUBelowPercent >= f.Targets.CPUPercent {
		p.addf(key+".scaleIn.cpuBelowPercent", "%d must be below %s:%s.targets.cpuPercent %d, or the group flaps",
			f.ScaleIn.CPUBelowPercent, Namespace, key, f.Targets.CPUPercent)
	}
	if f.ScaleIn.MemoryBelowPercent >= f.Targets.MemoryPercent {
		p.addf(key+".scaleIn.memoryBelowPercent", "%d must be below %s:%s.targets.memoryPercent %d, or the group flaps",
			f.ScaleIn.MemoryBelowPercent, Namespace, key, f.Targets.MemoryPercent)
	}
	p.between(key+".scaleIn.minutes", f.ScaleIn.Minutes, 1, 1440)
	p.between(key+".scaleIn.cooldownSeconds", f.ScaleIn.CooldownSeconds, 0, 3600)
	p.between(key+".instanceRefreshMinHealthyPercent", f.InstanceRefreshMinHealthyPercent, 50, 100)
	p.between(key+".terminationHookSeconds", f.TerminationHookSeconds, 30, 7200)
	p.between(key+".launchHookSeconds", f.LaunchHookSeconds, 30, 7200)
	for _, name := range slices.Sorted(maps.Keys(f.Schedules)) {
		if strings.TrimSpace(name) == "" {
			p.addf(key+".schedules", "an action name must not be empty: it names the scheduled action in AWS")
			continue
		}
		a := f.Schedules[name]
		if a == nil { // Parse drops the actions a stack sets to null
			continue
		}
		actionKey := fmt.Sprintf("%s.schedules.%s", key, name)
		if d, isDefault := defaults[name]; isDefault && a.Recurrence == "" {
			// `pulumi config set --path '...schedules.<default>.desired' 6` writes an action of
			// one field, which replaces the default whole: say so, and what to copy.
			p.addf(actionKey+".recurrence", "is empty: setting any field of the default action %q replaces it whole, so the action "+
				"needs its recurrence again; the default is %s; e.g. pulumi config set --path '%s:%s.recurrence' '%s'",
				name, d.describe(), Namespace, actionKey, d.Recurrence)
			continue
		}
		a.validate(p, actionKey, key+".size", f.Size)
	}
}

// validate checks an action of the group whose size, under sizeKey, is size. An action moves
// the group within its size, never outside it: size.min is the floor the group is never below
// (the guide's "Minimum 2 Replicas") and size.max the ceiling the database budget counts with,
// and AWS would apply an action's bounds outside them as given. Within the size an action may
// raise the minimum (pre-warming) or lower the maximum (capping the night); and min <= desired
// <= max, as AWS requires.
func (a ScheduledAction) validate(p *problems, key, sizeKey string, size Range) {
	if _, err := ParseCron(a.Recurrence); err != nil {
		p.addf(key+".recurrence", "%q: %v", a.Recurrence, err)
	}
	if size.Min > size.Max {
		return // the size is wrong, and reported; the action cannot be placed in it
	}
	b := a.Bounds(size)
	fits := true
	for _, bound := range []struct {
		name  string
		value int
	}{{"min", b.Min}, {"max", b.Max}} {
		switch {
		case bound.value < size.Min:
			p.addf(key+"."+bound.name, "%d is below %s:%s.min %d", bound.value, Namespace, sizeKey, size.Min)
			fits = false
		case bound.value > size.Max:
			p.addf(key+"."+bound.name, "%d is above %s:%s.max %d", bound.value, Namespace, sizeKey, size.Max)
			fits = false
		}
	}
	if !fits {
		return
	}
	switch {
	case b.Max < b.Min:
		p.addf(key+".max", "%d is below %s:%s.min %d", b.Max, Namespace, key, b.Min)
	case a.Desired < b.Min:
		p.addf(key+".desired", "%d is below %s:%s.min %d (which defaults to %s:%s.min)", a.Desired, Namespace, key, b.Min, Namespace, sizeKey)
	case a.Desired > b.Max:
		p.addf(key+".desired", "%d is above %s:%s.max %d (which defaults to %s:%s.max)", a.Desired, Namespace, key, b.Max, Namespace, sizeKey)
	}
}

func (r RequestScaling) validate(p *problems, key string) {
	p.atLeast(key+".scaleOutPerMinute", r.ScaleOutPerMinute, 1)
	p.atLeast(key+".scaleInPerMinute", r.ScaleInPerMinute, 0)
	if r.ScaleInPerMinute >= r.ScaleOutPerMinute {
		p.addf(key+".scaleInPerMinute", "%d must be below %s:%s.scaleOutPerMinute %d, or the group flaps",
			r.ScaleInPerMinute, Namespace, key, r.ScaleOutPerMinute)
	}
	if len(r.Steps) == 0 {
		p.addf(key+".steps", "must hold at least one step")
		return
	}
	if r.Steps[0].BreachPercent != 0 {
		p.addf(key+".steps[0].breachPercent", "%d must be 0: the first step starts at the threshold", r.Steps[0].BreachPercent)
	}
	for i, s := range r.Steps {
		k := fmt.Sprintf("%s.steps[%d]", key, i)
		if i > 0 && s.BreachPercent <= r.Steps[i-1].BreachPercent {
			p.addf(k+".breachPercent", "%d must be above the previous step's %d", s.BreachPercent, r.Steps[i-1].BreachPercent)
		}
		p.between(k+".addPercent", s.AddPercent, 1, 1000)
	}
}

func (q QueueScaling) validate(p *problems, key string) {
	p.required(key+".namespace", q.Namespace)
	p.required(key+".metricName", q.MetricName)
	if len(q.Dimensions) == 0 {
		p.addf(key+".dimensions", "must name the queue's metric dimensions (e.g. Broker, VirtualHost, Queue)")
	}
	// CloudWatch refuses a dimension with an empty name or value.
	for _, name := range slices.Sorted(maps.Keys(q.Dimensions)) {
		if strings.TrimSpace(name) == "" {
			p.addf(key+".dimensions", "a dimension name must not be empty (its value is %q)", q.Dimensions[name])
			continue
		}
		p.required(key+".dimensions."+name, q.Dimensions[name])
	}
	p.atLeast(key+".scaleOutPerInstance", q.ScaleOutPerInstance, 1)
	p.atLeast(key+".scaleInPerInstance", q.ScaleInPerInstance, 0)
	if q.ScaleInPerInstance >= q.ScaleOutPerInstance {
		p.addf(key+".scaleInPerInstance", "%d must be below %s:%s.scaleOutPerInstance %d, or the group flaps",
			q.ScaleInPerInstance, Namespace, key, q.ScaleOutPerInstance)
	}
}

func (a Alerts) validate(p *problems, key string) {
	for i, e := range a.Emails {
		if !emailPattern.MatchString(e) {
			p.addf(fmt.Sprintf("%s.emails[%d]", key, i), "%q is not an e-mail address", e)
		}
	}
	if a.ErrorRatePercent <= 0 || a.ErrorRatePercent > 100 {
		p.addf(key+".errorRatePercent", "%g is outside (0, 100]", a.ErrorRatePercent)
	}
	l := a.Latency
	for _, t := range []struct {
		name  string
		value float64
	}{{"p50Seconds", l.P50Seconds}, {"p95Seconds", l.P95Seconds}, {"p99Seconds", l.P99Seconds}} {
		if t.value <= 0 || t.value > 60 {
			p.addf(key+".latency."+t.name, "%g is outside (0, 60] s", t.value)
		}
	}
	if l.P95Seconds < l.P50Seconds {
		p.addf(key+".latency.p95Seconds", "%g is below %s:%s.latency.p50Seconds %g: a percentile cannot be faster than a lower one", l.P95Seconds, Namespace, key, l.P50Seconds)
	}
	if l.P99Seconds < l.P95Seconds {
		p.addf(key+".latency.p99Seconds", "%g is below %s:%s.latency.p95Seconds %g: a percentile cannot be faster than a lower one", l.P99Seconds, Namespace, key, l.P95Seconds)
	}
	p.between(key+".atMaxMinutes", a.AtMaxMinutes, 5, 120)
	p.between(key+".budget.marginPercent", a.Budget.MarginPercent, 0, 1000)
}

var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
