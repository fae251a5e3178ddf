package capacity

import (
	"github.com/openwan/openwan-infra/config"
)

// PlatformLine is one kind of resource the stack creates besides instance hours, and what it
// costs a month at the baseline.
type PlatformLine struct {
	// Kind names it ("NAT gateways").
	Kind string `json:"kind"`
	// Quantity is how many of Unit a month.
	Quantity float64 `json:"quantity"`
	// Unit is what Quantity counts ("gateway-hours", "GiB-months").
	Unit string `json:"unit"`
	// MonthlyUSD is its cost a month (USD).
	MonthlyUSD float64 `json:"monthlyUSD"`
	// Price names the openwan:capacity key(s) of its prices and assumptions.
	Price string `json:"price"`
}

// PlatformCost is everything the stack creates besides instance hours, at the baseline: one
// line per kind. The warm pool's volumes are StackCost.WarmPool.
type PlatformCost struct {
	Lines []PlatformLine `json:"lines"`
	// MonthlyUSD is the lines' sum (USD per month).
	MonthlyUSD float64 `json:"monthlyUSD"`
}

// Counts are how many of each priced resource the stack declares, from its config. A stacks test
// holds them to the plan's own counts, so the bill cannot drift from what is declared.
type Counts struct {
	// EKSClusters is 1 on the EKS path.
	EKSClusters int
	// NATGateways are the VPC's (0 in an existing VPC).
	NATGateways int
	// LoadBalancers are the EC2 API's ALB and the EKS Ingress's.
	LoadBalancers int
	// KMSKeys are the alerts topic's and the cluster's secrets key.
	KMSKeys int
	// Dashboards is the stack's one dashboard.
	Dashboards int
	// AlarmMetrics are the metrics every alarm reads: the declared alarms (a metric math alarm
	// pays per metric) and the two alarms each target tracking policy makes.
	AlarmMetrics int
}

// CountOf derives the counts from the config, as the stack declares its resources.
func CountOf(c config.Config) Counts {
	var n Counts
	n.Dashboards, n.KMSKeys = 1, 1 // the dashboard; the alerts topic's key
	if c.Network.CreatesVPC() && (c.Cluster.EKS() || c.EC2.Enabled) {
		n.NATGateways = c.Network.AvailabilityZones
		if c.Network.SingleNATGateway {
			n.NATGateways = 1
		}
	}
	if c.Cluster.EKS() {
		n.EKSClusters, n.KMSKeys = 1, n.KMSKeys+1
		if c.Cluster.ContainerInsights.Enabled {
			n.AlarmMetrics += 2 // one at-maximum alarm per workload
		}
	}
	if c.Cluster.Enabled && c.Cluster.Ingress.Enabled {
		n.LoadBalancers++
		n.AlarmMetrics += sloAlarmMetrics
	}
	if c.EC2.Enabled {
		n.LoadBalancers++
		n.AlarmMetrics += sloAlarmMetrics
		// API: at max capacity, unhealthy targets, the request steps, the scale-in alarm over
		// CPU, memory and requests; target tracking on CPU and memory.
		n.AlarmMetrics += 1 + 1 + 1 + 3 + 2*2
		// Workers: at max capacity, the scale-in alarm over CPU, memory, queue and instances;
		// target tracking on CPU, memory and the queue backlog (two metrics).
		n.AlarmMetrics += 1 + 4 + 2*2 + 2*2
	}
	return n
}

// sloAlarmMetrics are one load balancer's SLO alarms' metrics: p95, p99, and the 5xx share of
// two metrics (monitoring.SLOAlarms).
const sloAlarmMetrics = 1 + 1 + 2

// Platform prices the stack's resources besides instance hours at its baseline.
func Platform(c config.Config, cost StackCost) PlatformCost {
	p, hours := c.Capacity.Platform, float64(c.Capacity.HoursPerMonth)
	n := CountOf(c)
	var lines []PlatformLine
	add := func(kind string, qty float64, unit string, usd float64, price string) {
		if qty > 0 {
			lines = append(lines, PlatformLine{Kind: kind, Quantity: qty, Unit: unit, MonthlyUSD: cents(usd), Price: price})
		}
	}
	const key = "openwan:capacity.platform."
	add("EKS control plane", float64(n.EKSClusters)*hours, "cluster-hours", float64(n.EKSClusters)*hours*p.EKSClusterHourUSD, key+"eksClusterHourUSD")
	add("NAT gateways", float64(n.NATGateways)*hours, "gateway-hours", float64(n.NATGateways)*hours*p.NATGatewayHourUSD, key+"natGatewayHourUSD")
	if n.NATGateways > 0 {
		add("NAT data processing", float64(p.NATDataGiBPerMonth), "GiB", float64(p.NATDataGiBPerMonth)*p.NATDataGiBUSD, key+"natDataGiBPerMonth, natDataGiBUSD")
	}
	lbHours := float64(n.LoadBalancers) * hours
	add("load balancers", lbHours, "load-balancer-hours", lbHours*(p.LoadBalancerHourUSD+p.LoadBalancerLCUs*p.LoadBalancerLCUHourUSD),
		key+"loadBalancerHourUSD, loadBalancerLcus, loadBalancerLcuHourUSD")
	gib := volumeGiB(c, cost)
	add("EBS volumes (nodes and instances at the baseline)", gib, "GiB-months", gib*c.Capacity.VolumeGiBMonthUSD, "openwan:capacity.volumeGiBMonthUSD")
	if n.EKSClusters > 0 {
		ingest := float64(p.LogIngestGiBPerMonth)
		add("log ingestion", ingest, "GiB", ingest*p.LogIngestGiBUSD, key+"logIngestGiBPerMonth, logIngestGiBUSD")
		stored := ingest * float64(c.Cluster.LogRetentionDays) / 30
		add("log storage", stored, "GiB-months", stored*p.LogStorageGiBMonthUSD, key+"logStorageGiBMonthUSD, openwan:cluster.logRetentionDays")
	}
	add("alarms", float64(n.AlarmMetrics), "alarm metrics", float64(n.AlarmMetrics)*p.AlarmMetricMonthUSD, key+"alarmMetricMonthUSD")
	add("dashboard", float64(n.Dashboards), "dashboards", float64(n.Dashboards)*p.DashboardMonthUSD, key+"dashboardMonthUSD")
	add("KMS keys", float64(n.KMSKeys), "keys", float64(n.KMSKeys)*p.KMSKeyMonthUSD, key+"kmsKeyMonthUSD")
	out := PlatformCost{Lines: lines}
	for _, l := range lines {
		out.MonthlyUSD += l.MonthlyUSD
	}
	out.MonthlyUSD = cents(out.MonthlyUSD)
	return out
}

// volumeGiB are the root volumes of the baseline's nodes and instances (GiB).
func volumeGiB(c config.Config, cost StackCost) float64 {
	disks := map[string]int{
		"openwan:cluster.nodePools.api": c.Cluster.NodePools.API.DiskGiB, "openwan:cluster.nodePools.workers": c.Cluster.NodePools.Workers.DiskGiB,
		"openwan:ec2.api": c.EC2.API.RootVolumeGiB, "openwan:ec2.worker": c.EC2.Worker.RootVolumeGiB,
	}
	var gib float64
	for _, f := range cost.Fleets {
		gib += f.Instances.Baseline * float64(disks[f.Fleet])
	}
	return gib
}

// PathCosts are a normal month (the budget's baseline) of the stack as it is, and of the same
// stack running only its EKS path and only its EC2 path; zero for a path the stack does not run.
func PathCosts(c config.Config) (both, eksOnly, ec2Only float64, err error) {
	month := func(c config.Config) (float64, error) {
		cost, err := Cost(c)
		return Budget(c.Alerts, cost).BaselineUSD, err
	}
	if both, err = month(c); err != nil {
		return 0, 0, 0, err
	}
	if c.Cluster.EKS() && c.EC2.Enabled {
		eks, ec2 := c, c
		eks.EC2.Enabled = false
		ec2.Cluster.Enabled = false
		if eksOnly, err = month(eks); err != nil {
			return 0, 0, 0, err
		}
		if ec2Only, err = month(ec2); err != nil {
			return 0, 0, 0, err
		}
	}
	return both, eksOnly, ec2Only, nil
}
