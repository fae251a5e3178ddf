package config

import (
	"fmt"
	"strings"
)

// EC2 configures the EC2 Auto Scaling path of the guide: the API fleet behind a load balancer and
// the worker fleet on spot capacity.
type EC2 struct {
	// Enabled turns the whole EC2 path on.
	Enabled bool `json:"enabled"`
	// TimeZone is the IANA time zone (like "Europe/Berlin") every scheduled action's cron is read
	// in.
	TimeZone string `json:"timeZone"`
	// AMIParameter is the public SSM parameter the launch templates resolve their AMI from at
	// launch, so instances always boot a patched image.
	AMIParameter string `json:"amiParameter"`
	// Metadata is the instance metadata service of both fleets' launch templates.
	Metadata InstanceMetadata `json:"metadata"`
	// API is the API fleet behind the Application Load Balancer.
	API APIFleet `json:"api"`
	// Worker is the transcoding worker fleet.
	Worker WorkerFleet `json:"worker"`
}

// InstanceMetadata configures the instance metadata service (IMDS) of the launch templates.
// The defaults are the secure ones; the policy pack's imdsv2-required rule refuses anything else,
// so a stack that loosens them says so in review.
type InstanceMetadata struct {
	// HTTPTokens is "required" (IMDSv2 only) or "optional" (IMDSv1 allowed); "optional" fails
	// the imdsv2-required policy.
	HTTPTokens string `json:"httpTokens"`
	// HopLimit is the PUT response hop limit (hops, 1..64); above the imdsv2-required policy's
	// maxHopLimit fails it. One is enough: the app's container uses the host network, so it needs
	// no second hop, and bridge-networked containers get no token.
	HopLimit int `json:"hopLimit"`
}

// Fleet is what both EC2 fleets share: one launch template and one Auto Scaling Group.
type Fleet struct {
	// Image is the container image the instances run. Defaults to the service's image
	// (openwan:api.image for the API fleet, openwan:worker.image for the workers).
	Image string `json:"image"`
	// Size bounds the group (instances, min at least 1).
	Size Range `json:"size"`
	// Desired is the instance count at creation (instances, within Size); policies and schedules
	// own it afterwards.
	Desired int `json:"desired"`
	// HealthCheckGraceSeconds is how long a new instance may fail health checks (s, 0..7200).
	HealthCheckGraceSeconds int `json:"healthCheckGraceSeconds"`
	// DefaultCooldownSeconds is the group's cooldown after a simple scaling activity
	// (s, 0..3600).
	DefaultCooldownSeconds int `json:"defaultCooldownSeconds"`
	// InstanceWarmupSeconds is how long a new instance's metrics are left out of the group's
	// aggregates (s, 0..3600).
	InstanceWarmupSeconds int `json:"instanceWarmupSeconds"`
	// RootVolumeGiB is the encrypted gp3 root volume size (GiB, 8..16384).
	RootVolumeGiB int `json:"rootVolumeGiB"`
	// Targets are the target tracking targets on ASGAverageCPUUtilization and on the CloudWatch
	// agent's mem_used_percent (percent).
	Targets Targets `json:"targets"`
	// ScaleIn is when the group removes an instance: every listed signal low at once.
	ScaleIn ScaleIn `json:"scaleIn"`
	// InstanceRefreshMinHealthyPercent is the share of the group kept in service while a new
	// launch template rolls out (percent, 50..100).
	InstanceRefreshMinHealthyPercent int `json:"instanceRefreshMinHealthyPercent"`
	// TerminationHookSeconds is how long a terminating instance may finish its work before it is
	// terminated (s, 30..7200); a worker's must let a transcoding job finish.
	TerminationHookSeconds int `json:"terminationHookSeconds"`
	// LaunchHookSeconds is how long a new instance's bootstrap may take (s, 30..7200): packages,
	// secrets, the image pull and the app's readiness. Until it completes the group's launch
	// hook the instance is not in service, and a warm pool's instance is not stopped; past it Auto
	// Scaling abandons the instance and launches another.
	LaunchHookSeconds int `json:"launchHookSeconds"`
	// Schedules are the scheduled actions keyed by action name. An action a stack sets replaces
	// the default action of that name whole (recurrence included); its min and max are the
	// group's size unless it sets them. A stack sets an action to null to drop a default one.
	Schedules map[string]*ScheduledAction `json:"schedules"`
}

// ScaleIn is the "Scale In When" list of the guide: the group shrinks by one instance only when
// all of its signals have been low for Minutes.
type ScaleIn struct {
	// CPUBelowPercent is the CPU level under which the group may shrink (percent), below
	// targets.cpuPercent so the group does not flap.
	CPUBelowPercent int `json:"cpuBelowPercent"`
	// MemoryBelowPercent is the memory level under which the group may shrink (percent), below
	// targets.memoryPercent.
	MemoryBelowPercent int `json:"memoryBelowPercent"`
	// Minutes is how long the signals must stay low (minutes, 1..1440, one datapoint a minute).
	Minutes int `json:"minutes"`
	// CooldownSeconds separates two scale-in steps (s, 0..3600): scale out fast, in slowly.
	CooldownSeconds int `json:"cooldownSeconds"`
}

// ScheduledAction is one recurring change of a group's bounds and desired count. Its bounds
// follow the group's size unless it sets them, so a stack states only what the action changes
// (usually desired) and a new size reaches every action that does not override it.
type ScheduledAction struct {
	// Recurrence is a five-field cron expression (minute hour day-of-month month day-of-week),
	// read in openwan:ec2.timeZone.
	Recurrence string `json:"recurrence"`
	// Min is the group's minimum from then on (instances, within the group's size). Defaults to
	// the group's size.min.
	Min *int `json:"min,omitempty"`
	// Max is the group's maximum from then on (instances, within the group's size, at least
	// Min). Defaults to the group's size.max.
	Max *int `json:"max,omitempty"`
	// Desired is the group's desired capacity from then on (instances, within Min and Max).
	Desired int `json:"desired"`
	// Enabled false drops the action, a default one included, as null does; unlike null it can
	// be set with `pulumi config set --path 'openwan:ec2.api.schedules.<name>.enabled' false`.
	Enabled *bool `json:"enabled,omitempty"`
}

// Bounds are the group bounds the action sets: its own Min and Max where it has them, else those
// of size, the size of its group. After Parse every action has both.
func (a ScheduledAction) Bounds(size Range) Range {
	b := size
	if a.Min != nil {
		b.Min = *a.Min
	}
	if a.Max != nil {
		b.Max = *a.Max
	}
	return b
}

// APIFleet is the API's EC2 fleet behind an Application Load Balancer.
type APIFleet struct {
	Fleet
	// InstanceType of the API instances.
	InstanceType string `json:"instanceType"`
	// Port the app listens on and the load balancer targets (TCP port, 1..65535). Defaults to
	// openwan:api.port: the fleet runs the same image.
	Port int `json:"port"`
	// HealthPath is the target group's health check path, starting with /. Defaults to
	// openwan:api.readinessPath: the load balancer sends an instance requests only once the app
	// says it is ready (connected to its database, queue and cache), as the pods' readiness probe
	// does on EKS. The liveness path answers as soon as the process runs, so checking it would
	// route requests to an instance that cannot serve them yet.
	HealthPath string `json:"healthPath"`
	// CertificateARN turns on an HTTPS listener on 443 (and redirects 80 to it); empty serves
	// HTTP on 80 only.
	CertificateARN string `json:"certificateArn"`
	// DeregistrationDelaySeconds lets in-flight requests finish before a target leaves
	// (s, 0..3600).
	DeregistrationDelaySeconds int `json:"deregistrationDelaySeconds"`
	// Requests is the step scaling on ALB request count per target.
	Requests RequestScaling `json:"requests"`
	// WarmPool keeps stopped API instances that booted once beside the group.
	WarmPool WarmPool `json:"warmPool"`
}

// WarmPool is an Auto Scaling warm pool: instances launched, prepared (user data run, image
// pulled) and stopped, which a scale-out starts instead of booting new ones and a scale-in
// returns to. Stopped, they cost their volumes only. The worker group has none: AWS takes no warm
// pool on a group with a mixed instances policy or spot instances.
type WarmPool struct {
	// Size is how many stopped instances the pool keeps (instances, 0..size.max; 0: no pool).
	// The default covers the business-hours schedule's step (from the night's 2 to 5 at 8:00)
	// and a spike's first steps of 10-30 % of the group.
	Size int `json:"size"`
}

// RequestScaling is step scaling on the load balancer's RequestCountPerTarget.
type RequestScaling struct {
	// ScaleOutPerMinute is the per-instance request rate that triggers scale-out
	// (requests/minute).
	ScaleOutPerMinute int `json:"scaleOutPerMinute"`
	// ScaleInPerMinute is the per-instance request rate under which the group may shrink
	// (requests/minute), below ScaleOutPerMinute so the group does not flap.
	ScaleInPerMinute int `json:"scaleInPerMinute"`
	// Steps map how far the rate is above ScaleOutPerMinute to how much capacity is added; at
	// least one, in increasing order of breachPercent.
	Steps []Step `json:"steps"`
}

// Step is one step adjustment of a step scaling policy.
type Step struct {
	// BreachPercent is where the step starts, as percent above the alarm threshold (>= 0). The
	// first step starts at 0; a step ends where the next one starts.
	BreachPercent int `json:"breachPercent"`
	// AddPercent is the capacity added (percent of the current group, 1..1000).
	AddPercent int `json:"addPercent"`
}

// WorkerFleet is the transcoding worker fleet, mostly on spot capacity.
type WorkerFleet struct {
	Fleet
	// InstanceTypes are interchangeable types for the mixed instances policy, the preferred first;
	// at least two, so spot capacity has pools to choose from.
	InstanceTypes []string `json:"instanceTypes"`
	// OnDemandBase is the on-demand instances kept under the spot capacity (instances,
	// 0..size.max).
	OnDemandBase int `json:"onDemandBase"`
	// OnDemandPercentAboveBase is the on-demand share above the base (percent, 0..100).
	OnDemandPercentAboveBase int `json:"onDemandPercentAboveBase"`
	// SpotAllocationStrategy is how the spot capacity is spread over the instance types' pools:
	// lowest-price, capacity-optimized, capacity-optimized-prioritized or
	// price-capacity-optimized, the one AWS recommends for most workloads (the pools least likely
	// to be interrupted, of those the cheapest).
	SpotAllocationStrategy string `json:"spotAllocationStrategy"`
	// Queue is the backlog-per-instance scaling on the job queue.
	Queue QueueScaling `json:"queue"`
}

// SpotAllocationStrategies are the spot allocation strategies of an Auto Scaling mixed instances
// policy, as AWS spells them. A function, not a variable: callers cannot change what is allowed.
func SpotAllocationStrategies() []string {
	return []string{"lowest-price", "capacity-optimized", "capacity-optimized-prioritized", "price-capacity-optimized"}
}

// QueueScaling is target tracking on queue backlog per in-service instance.
type QueueScaling struct {
	// Namespace is the CloudWatch namespace of the queue depth metric.
	Namespace string `json:"namespace"`
	// MetricName of the queue depth metric.
	MetricName string `json:"metricName"`
	// Dimensions of the queue depth metric (name to value, e.g. Broker, VirtualHost, Queue).
	// Required when the fleet is on.
	Dimensions map[string]string `json:"dimensions"`
	// ScaleOutPerInstance is the backlog per instance the group tracks (messages).
	ScaleOutPerInstance int `json:"scaleOutPerInstance"`
	// ScaleInPerInstance is the backlog per instance under which the group may shrink (messages),
	// below ScaleOutPerInstance.
	ScaleInPerInstance int `json:"scaleInPerInstance"`
}

// Alerts configures the notifications of every alarm and scaling activity.
type Alerts struct {
	// Emails subscribe to the alerts topic (each must confirm).
	Emails []string `json:"emails"`
	// ErrorRatePercent is the 5xx share of requests that pages (percent, (0, 100]). The default is
	// the guide's error-rate target.
	ErrorRatePercent float64 `json:"errorRatePercent"`
	// Latency are the API's response-time targets; every API load balancer pages above its p95
	// and p99 targets, and the dashboard draws all three.
	Latency Latency `json:"latency"`
	// AtMaxMinutes is how long a workload may sit at its HPA maximum before it pages (minutes,
	// 5..120): the Kubernetes twin of a group's "max capacity reached". The default is long
	// enough for a spike the HPA rides out, short enough to act before the next one.
	AtMaxMinutes int `json:"atMaxMinutes"`
	// Budget is the stack's monthly cost budget.
	Budget Budget `json:"budget"`
}

// Latency are the guide's load-test targets of the API's response time (s, each in (0, 60],
// p50 <= p95 <= p99).
type Latency struct {
	// P50Seconds is the median's target (s); drawn on the dashboard, no alarm: a median is an
	// average experience, the tail is what pages.
	P50Seconds float64 `json:"p50Seconds"`
	// P95Seconds is the 95th percentile's target (s); above it pages.
	P95Seconds float64 `json:"p95Seconds"`
	// P99Seconds is the 99th percentile's target (s); above it pages.
	P99Seconds float64 `json:"p99Seconds"`
}

// Budget is an AWS Budgets monthly cost budget on the resources tagged with the stack
// (CostTagKey), derived from the capacity plan.
type Budget struct {
	// Enabled declares the budget.
	Enabled bool `json:"enabled"`
	// MarginPercent is what the budget allows above the plan's baseline (percent, 0..1000): the
	// limit is the baseline monthly cost (instances, the warm pool's volumes and the platform)
	// plus this share. Above 25 %, a normal month stays under the budget's 80 % mail.
	MarginPercent int `json:"marginPercent"`
}

// CostTagKey is the cost-allocation tag every resource of a stack carries, valued with the stack's
// name: the budget filters on it. Activate it once per account in the Billing console's cost
// allocation tags, or the budget sees nothing.
const CostTagKey = "openwan-stack"

// describe is the action as a stack file sets it (YAML), for a message that shows it to copy.
func (a ScheduledAction) describe() string {
	parts := []string{fmt.Sprintf("recurrence: %q", a.Recurrence)}
	if a.Min != nil {
		parts = append(parts, fmt.Sprintf("min: %d", *a.Min))
	}
	if a.Max != nil {
		parts = append(parts, fmt.Sprintf("max: %d", *a.Max))
	}
	return "{" + strings.Join(append(parts, fmt.Sprintf("desired: %d", a.Desired)), ", ") + "}"
}
