package config

import (
	"maps"
	"slices"
)

// Capacity is `openwan:capacity`: the guide's capacity plan (per-instance throughput, jobs per
// worker, database connections, prices). The program refuses a stack whose fleets cannot carry
// the planned peak or would open more database connections than the database takes, and exports
// what the stack costs.
type Capacity struct {
	// API is what one API instance serves.
	API APICapacity `json:"api"`
	// Worker is what one transcoding job needs.
	Worker WorkerCapacity `json:"worker"`
	// Database is the database every fleet shares.
	Database Database `json:"database"`
	// NodeImageStoreGiB is the part of a node's root disk its container images take (GiB,
	// 1..1000): the EKS add-ons', the DaemonSets' and the app's. The default holds them with room
	// for a release's new images beside the old ones (the kubelet collects unused images at 85 %).
	NodeImageStoreGiB int `json:"nodeImageStoreGiB"`
	// TimeToCapacitySeconds is the guide's "aggressive scale-out" as a bound: after a step in
	// load every fleet is back at its target within it (s, 60..3600). The default is the five
	// minutes of the guide's scale-out trigger ("CPU > 70 % for 5 minutes"): capacity later than
	// the alarm is late. The simulator judges each fleet against it.
	TimeToCapacitySeconds int `json:"timeToCapacitySeconds"`
	// ColdStartSeconds is the guide's cold-start target: a new pod or instance serves within it
	// (s, 10..600). The pods' startup probe allows exactly this long, and the simulator boots an
	// EC2 instance in it.
	ColdStartSeconds int `json:"coldStartSeconds"`
	// Prices are on-demand prices by instance type (USD per hour, (0, 1000]). The defaults are
	// us-east-1 Linux prices, those of t3.medium and c5.xlarge as in the guide's cost estimate.
	Prices map[string]float64 `json:"prices"`
	// VolumeGiBMonthUSD is the price of the instances' gp3 root volumes (USD per GiB-month,
	// (0, 10]): what a warm pool's stopped instances cost. The default is us-east-1's gp3 price.
	VolumeGiBMonthUSD float64 `json:"volumeGiBMonthUSD"`
	// SpotDiscountPercent is the saving of spot over on-demand capacity (percent, 0..99). The
	// default is the guide's spot saving.
	SpotDiscountPercent int `json:"spotDiscountPercent"`
	// ReservedDiscountPercent is the saving of reserved instances over on-demand (percent,
	// 0..99). The default is the guide's figure; the cost outputs show what reserving each
	// fleet's on-demand minimum would save.
	ReservedDiscountPercent int `json:"reservedDiscountPercent"`
	// HoursPerMonth converts hourly to monthly cost (hours, 672..744). The default is the
	// guide's month.
	HoursPerMonth int `json:"hoursPerMonth"`
	// Platform are the prices and usage of what the stack creates besides instance hours: the
	// EKS control plane, NAT gateways, load balancers, volumes, logs, alarms, the dashboard and
	// KMS keys.
	Platform Platform `json:"platform"`
}

// Platform are the list prices (us-east-1 on-demand, as AWS's pricing pages for EKS, VPC, Elastic
// Load Balancing, CloudWatch and KMS gave them in 2025; the instance prices above are of the same
// source and age: check them before relying on the figures) and the usage assumptions of the
// stack's resources other than instance hours. Each price is in USD, (0, 1000]; each usage 0 or
// more.
type Platform struct {
	// EKSClusterHourUSD is an EKS cluster's control plane (USD per hour, standard support).
	EKSClusterHourUSD float64 `json:"eksClusterHourUSD"`
	// NATGatewayHourUSD is one NAT gateway (USD per hour).
	NATGatewayHourUSD float64 `json:"natGatewayHourUSD"`
	// NATDataGiBUSD is NAT's data processing (USD per GiB).
	NATDataGiBUSD float64 `json:"natDataGiBUSD"`
	// NATDataGiBPerMonth is the stack's traffic through NAT (GiB per month, an assumption): image
	// pulls from other registries, third-party APIs. S3 goes through the gateway endpoint.
	NATDataGiBPerMonth int `json:"natDataGiBPerMonth"`
	// LoadBalancerHourUSD is one Application Load Balancer (USD per hour).
	LoadBalancerHourUSD float64 `json:"loadBalancerHourUSD"`
	// LoadBalancerLCUHourUSD is one load balancer capacity unit (USD per LCU-hour).
	LoadBalancerLCUHourUSD float64 `json:"loadBalancerLcuHourUSD"`
	// LoadBalancerLCUs is each load balancer's average capacity units (LCUs, an assumption): the
	// guide's 2500 requests/minute peak is about 42 new connections a second, under one LCU.
	LoadBalancerLCUs float64 `json:"loadBalancerLcus"`
	// LogIngestGiBUSD is CloudWatch Logs ingestion (USD per GiB).
	LogIngestGiBUSD float64 `json:"logIngestGiBUSD"`
	// LogStorageGiBMonthUSD is CloudWatch Logs storage (USD per GiB-month).
	LogStorageGiBMonthUSD float64 `json:"logStorageGiBMonthUSD"`
	// LogIngestGiBPerMonth is what the control plane and the containers log (GiB per month, an
	// assumption); it is stored for openwan:cluster.logRetentionDays.
	LogIngestGiBPerMonth int `json:"logIngestGiBPerMonth"`
	// AlarmMetricMonthUSD is one metric of a standard-resolution alarm (USD per month): a metric
	// math alarm pays for each metric it reads, a target tracking policy's two alarms for theirs.
	AlarmMetricMonthUSD float64 `json:"alarmMetricMonthUSD"`
	// DashboardMonthUSD is one custom dashboard (USD per month).
	DashboardMonthUSD float64 `json:"dashboardMonthUSD"`
	// KMSKeyMonthUSD is one customer-managed key (USD per month).
	KMSKeyMonthUSD float64 `json:"kmsKeyMonthUSD"`
}

// APICapacity is the guide's "API Service (per instance)".
type APICapacity struct {
	// ReferenceInstanceType is the instance the figures were measured on. Other types and pods
	// are scaled by their vCPU or CPU request.
	ReferenceInstanceType string `json:"referenceInstanceType"`
	// RequestsPerMinute one reference instance serves at AtCPUPercent (requests/minute). The
	// default is the guide's figure, which is also its per-instance scale-out trigger.
	RequestsPerMinute int `json:"requestsPerMinute"`
	// AtCPUPercent is the CPU utilization at RequestsPerMinute (percent). The default agrees with
	// the load test: 2500 requests/minute on three instances ran at ~60 % CPU, 833 per instance.
	AtCPUPercent int `json:"atCpuPercent"`
	// ConcurrentRequests one reference instance holds open (requests).
	ConcurrentRequests int `json:"concurrentRequests"`
	// PeakRequestsPerMinute is the load every API fleet must carry at its maximum, at its CPU
	// target (requests/minute). The default is the guide's load test with 1000 concurrent
	// users.
	PeakRequestsPerMinute int `json:"peakRequestsPerMinute"`
}

// WorkerCapacity is the guide's "Worker Service (per instance)": FFmpeg's needs per job.
type WorkerCapacity struct {
	// JobCPUMillis is the CPU one transcoding job uses (millicores): the guide's "~1 CPU per
	// job".
	JobCPUMillis int `json:"jobCpuMillis"`
	// JobMemoryMiB is the memory one job uses (MiB), within the guide's 1-2 GB.
	JobMemoryMiB int `json:"jobMemoryMiB"`
	// JobMinutes is how long one job runs (minutes, 1..1440): the simulator's job duration, and
	// the time a stopping worker must be allowed to finish its job in. The default is an
	// ingest's proxy rendition of a typical five-minute clip at about real-time speed on the
	// one CPU the guide gives a job; the workers' 30-minute grace bounds the longest.
	JobMinutes int `json:"jobMinutes"`
}

// Database is the database the API and the workers share.
type Database struct {
	// MaxConnections is the database's max_connections (connections). Required: every fleet at
	// its maximum, times its pool size, must fit under it.
	MaxConnections int `json:"maxConnections"`
	// ReservedConnections are kept free for administration, migrations and monitoring
	// (connections).
	ReservedConnections int `json:"reservedConnections"`
	// Identifier is the RDS instance (its DB instance identifier), for the preflight's check of
	// its max_connections; empty leaves it unchecked.
	Identifier string `json:"identifier"`
}

func defaultCapacity() Capacity {
	return Capacity{
		API: APICapacity{
			ReferenceInstanceType: "t3.medium",
			RequestsPerMinute:     1000,
			AtCPUPercent:          70,
			ConcurrentRequests:    500,
			PeakRequestsPerMinute: 2500,
		},
		Worker:            WorkerCapacity{JobCPUMillis: 1000, JobMemoryMiB: 1536, JobMinutes: 5},
		Database:          Database{ReservedConnections: 20},
		NodeImageStoreGiB: 10,
		// "Target: < 60 seconds from launch to healthy" (the guide's cold start test).
		ColdStartSeconds:      60,
		TimeToCapacitySeconds: 300,
		Prices: map[string]float64{
			"t3.medium":  0.0416,
			"t3.large":   0.0832,
			"m5.large":   0.096,
			"m5.xlarge":  0.192,
			"c5.large":   0.085,
			"c5.xlarge":  0.17,
			"c5a.xlarge": 0.154,
			"c5d.xlarge": 0.192,
			"c6i.xlarge": 0.17,
			"c6a.xlarge": 0.153,
			"c5.2xlarge": 0.34,
		},
		VolumeGiBMonthUSD: 0.08,
		Platform: Platform{
			EKSClusterHourUSD: 0.10,
			NATGatewayHourUSD: 0.045, NATDataGiBUSD: 0.045, NATDataGiBPerMonth: 100,
			LoadBalancerHourUSD: 0.0225, LoadBalancerLCUHourUSD: 0.008, LoadBalancerLCUs: 1,
			LogIngestGiBUSD: 0.50, LogStorageGiBMonthUSD: 0.03, LogIngestGiBPerMonth: 30,
			AlarmMetricMonthUSD: 0.10, DashboardMonthUSD: 3, KMSKeyMonthUSD: 1,
		},
		SpotDiscountPercent:     50,
		ReservedDiscountPercent: 40,
		HoursPerMonth:           730,
	}
}

func (c Capacity) validate(p *problems, key string) {
	p.required(key+".api.referenceInstanceType", c.API.ReferenceInstanceType)
	p.between(key+".api.requestsPerMinute", c.API.RequestsPerMinute, 1, 1_000_000)
	p.percent(key+".api.atCpuPercent", c.API.AtCPUPercent)
	p.between(key+".api.concurrentRequests", c.API.ConcurrentRequests, 1, 1_000_000)
	p.between(key+".api.peakRequestsPerMinute", c.API.PeakRequestsPerMinute, 1, 100_000_000)
	p.between(key+".worker.jobCpuMillis", c.Worker.JobCPUMillis, 1, 64_000)
	p.between(key+".worker.jobMemoryMiB", c.Worker.JobMemoryMiB, 1, 512_000)
	p.between(key+".worker.jobMinutes", c.Worker.JobMinutes, 1, 1440)
	if c.Database.MaxConnections == 0 {
		p.addf(key+".database.maxConnections", "required: the database's max_connections, which every fleet's pool must fit under")
	} else {
		p.between(key+".database.maxConnections", c.Database.MaxConnections, 1, 262_143) // PostgreSQL's limit
	}
	p.between(key+".database.reservedConnections", c.Database.ReservedConnections, 0, 262_143)
	p.between(key+".coldStartSeconds", c.ColdStartSeconds, 10, 600)
	p.between(key+".timeToCapacitySeconds", c.TimeToCapacitySeconds, 60, 3600)
	p.between(key+".nodeImageStoreGiB", c.NodeImageStoreGiB, 1, 1000)
	if c.VolumeGiBMonthUSD <= 0 || c.VolumeGiBMonthUSD > 10 {
		p.addf(key+".volumeGiBMonthUSD", "%v is outside (0, 10] USD per GiB-month", c.VolumeGiBMonthUSD)
	}
	p.between(key+".spotDiscountPercent", c.SpotDiscountPercent, 0, 99)
	p.between(key+".reservedDiscountPercent", c.ReservedDiscountPercent, 0, 99)
	p.between(key+".hoursPerMonth", c.HoursPerMonth, 672, 744)
	pl := c.Platform
	prices := map[string]float64{
		"eksClusterHourUSD": pl.EKSClusterHourUSD, "natGatewayHourUSD": pl.NATGatewayHourUSD, "natDataGiBUSD": pl.NATDataGiBUSD,
		"loadBalancerHourUSD": pl.LoadBalancerHourUSD, "loadBalancerLcuHourUSD": pl.LoadBalancerLCUHourUSD,
		"logIngestGiBUSD": pl.LogIngestGiBUSD, "logStorageGiBMonthUSD": pl.LogStorageGiBMonthUSD,
		"alarmMetricMonthUSD": pl.AlarmMetricMonthUSD, "dashboardMonthUSD": pl.DashboardMonthUSD, "kmsKeyMonthUSD": pl.KMSKeyMonthUSD,
	}
	for _, name := range slices.Sorted(maps.Keys(prices)) {
		if price := prices[name]; price <= 0 || price > 1000 {
			p.addf(key+".platform."+name, "%v is outside (0, 1000] USD", price)
		}
	}
	p.between(key+".platform.natDataGiBPerMonth", pl.NATDataGiBPerMonth, 0, 10_000_000)
	p.between(key+".platform.logIngestGiBPerMonth", pl.LogIngestGiBPerMonth, 0, 10_000_000)
	if pl.LoadBalancerLCUs < 0 || pl.LoadBalancerLCUs > 100_000 {
		p.addf(key+".platform.loadBalancerLcus", "%v is outside [0, 100000] LCUs", pl.LoadBalancerLCUs)
	}
	for _, name := range slices.Sorted(maps.Keys(c.Prices)) {
		if price := c.Prices[name]; price <= 0 || price > 1000 {
			p.addf(key+".prices."+name, "%v is outside (0, 1000] USD/hour", price)
		}
	}
}
