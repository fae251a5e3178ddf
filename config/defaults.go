package config

import "slices"

// Defaults returns the configuration the autoscaling guide describes: the production numbers.
// Every figure of the guide lives here once; stacks override what they need.
func Defaults() Config {
	return Config{
		Network: Network{
			CIDR:              "10.0.0.0/16",
			AvailabilityZones: 3,
			ExcludeZoneIDs:    slices.Clone(eksUnsupportedZoneIDs),
		},
		Cluster: Cluster{
			Enabled:              true,
			Version:              "1.33",
			EndpointPublicAccess: true,
			// Every log type EKS offers: the audit trail is worth its CloudWatch cost.
			LogTypes:         slices.Clone(controlPlaneLogTypes),
			LogRetentionDays: 90,
			Existing:         ExistingCluster{APISourceCIDRs: []string{"0.0.0.0/0"}},
			// EKS's aws-node: the CNI and its network policy agent, 25m each and no memory
			// (aws/amazon-vpc-cni-k8s v1.20.5 charts/aws-vpc-cni/values.yaml:189-191, the agent
			// defaulting to the same resources: templates/daemonset.yaml:155); kube-proxy: 100m, no
			// memory (EKS's default DaemonSet, as eksctl's captured copy shows it:
			// pkg/addons/default/testdata/sample-1.25.json:86-91).
			DaemonSets: map[string]Quantity{
				"aws-node":   {CPUMillis: 50},
				"kube-proxy": {CPUMillis: 100},
			},
			NodePools: NodePools{
				API: NodePool{
					InstanceTypes: []string{"t3.medium"},
					// The guide's 2 to 10 nodes held 20 API pods at 3 a node. With Container
					// Insights' agent and Fluent Bit on every node a t3.medium holds 2, so the
					// guide's 20 pods need 10 nodes and the add-ons an eleventh (capacity.CheckNodeFit).
					Size:    Range{Min: 2, Max: 11},
					Desired: 3,
					DiskGiB: 50,
					// One node at a time: the API's disruption budget allows one pod down.
					MaxUnavailable: 1,
				},
				Workers: NodePool{
					InstanceTypes:  workerInstanceTypes(),
					Spot:           true,
					Size:           Range{Min: 2, Max: 5},
					Desired:        2,
					DiskGiB:        100,
					MaxUnavailable: 1,
				},
			},
			MetricsServer: MetricsServer{
				ChartVersion: "3.13.0",
				Replicas:     2,
				Requests:     Quantity{CPUMillis: 100, MemoryMiB: 200},
				Source:       "chart",
				Image:        "registry.k8s.io/metrics-server/metrics-server:v0.8.0",
			},
			ClusterAutoscaler: ClusterAutoscaler{
				Enabled:                  true,
				ScaleDownUnneededSeconds: 600,
				Requests:                 Quantity{CPUMillis: 100, MemoryMiB: 600},
			},
			ExternalSecrets: ExternalSecrets{
				Enabled:         true,
				ChartVersion:    "2.9.0",
				RefreshInterval: "1h",
				Requests:        Quantity{CPUMillis: 50, MemoryMiB: 64},
			},
			Ingress: Ingress{
				Enabled: true,
				// Below the API's 15 s preStop sleep: the ALB is done with a pod before it stops.
				DeregistrationDelaySeconds: 10,
				Controller: LoadBalancerController{
					// The last 2.x: its chart keeps its webhook certificate (keepTLSSecret), so an
					// `up` without changes shows none.
					ChartVersion: "1.17.1",
					ImageTag:     "v2.17.1",
					Replicas:     2,
					Requests:     Quantity{CPUMillis: 100, MemoryMiB: 128},
				},
			},
			KEDA: KEDA{
				ChartVersion: "2.18.0",
				Requests:     Quantity{CPUMillis: 100, MemoryMiB: 128},
			},
			Headroom: Headroom{APIPods: 8, PauseImage: "registry.k8s.io/pause:3.10"},
			ContainerInsights: ContainerInsights{
				Enabled: true,
				// amazon-cloudwatch-observability's chart at 6.4.0 (aws-observability/helm-charts,
				// charts/amazon-cloudwatch-observability/values.yaml:751-754 for the agent, 43-49
				// for Fluent Bit); the chart's GPU and Neuron exporters keep to those instance types,
				// its Windows DaemonSets to Windows nodes.
				DaemonSets: map[string]Quantity{
					"cloudwatch-agent": {CPUMillis: 250, MemoryMiB: 128},
					"fluent-bit":       {CPUMillis: 50, MemoryMiB: 25},
				},
			},
		},
		App: App{
			Environment: Production,
			Namespace:   "openwan",
			SecretName:  "openwan-app",
			QueueName:   "transcode",
			Region:      "us-east-1",
		},
		API:    defaultAPI(),
		Worker: defaultWorker(),
		EC2:    defaultEC2(),
		Alerts: Alerts{
			// The guide's load-test targets: p50 < 100 ms, p95 < 500 ms, p99 < 1000 ms, errors < 1 %.
			ErrorRatePercent: 1,
			Latency:          Latency{P50Seconds: 0.1, P95Seconds: 0.5, P99Seconds: 1},
			AtMaxMinutes:     15,
			// A month at the baseline plus 30 %: a normal month ends at 77 % of the limit, under
			// the budget's 80 % mail (a margin of 25 % or less would mail every month), and a
			// runaway scale-out (the maximum costs about three times the baseline) goes over it.
			Budget: Budget{Enabled: true, MarginPercent: 30},
		},
		Capacity: defaultCapacity(),
	}
}

// workerInstanceTypes are the transcoding workers' interchangeable types on both paths (EKS
// worker pool and EC2 worker group): compute-optimized, 4 vCPU and 8 GiB, the guide's four
// FFmpeg jobs per instance; four types so spot capacity has pools to choose from.
func workerInstanceTypes() []string {
	return []string{"c5.xlarge", "c5a.xlarge", "c6i.xlarge", "c5d.xlarge"}
}

// aggressiveScaleUp doubles the pods or adds four every 15 s, whichever is more: the guide's
// "scale out quickly to handle load spikes".
func aggressiveScaleUp() Behavior {
	return Behavior{
		StabilizationSeconds: 0,
		Policies: []ScalingPolicy{
			{Type: "Percent", Value: 100, PeriodSeconds: 15},
			{Type: "Pods", Value: 4, PeriodSeconds: 15},
		},
		SelectPolicy: "Max",
	}
}

// defaultService is what the API and the worker share: one image's health endpoints, the
// aggressive scale-up, the graceful stop and the pool size.
func defaultService() Service {
	return Service{
		Port:                8080,
		LivenessPath:        "/health",
		ReadinessPath:       "/ready",
		ScaleUp:             aggressiveScaleUp(),
		PreStopSleepSeconds: 15,
		DBPoolSize:          25,
	}
}

func defaultAPI() Service {
	s := defaultService()
	s.Replicas = Range{Min: 2, Max: 20}
	s.Targets = Targets{CPUPercent: 70, MemoryPercent: 80}
	s.ScaleDown = Behavior{
		StabilizationSeconds: 300,
		Policies: []ScalingPolicy{
			{Type: "Percent", Value: 10, PeriodSeconds: 60},
			{Type: "Pods", Value: 1, PeriodSeconds: 60},
		},
		SelectPolicy: "Max",
	}
	s.Resources = Resources{
		// 1 GiB of /tmp for uploads in flight (streamed on to S3), 1 GiB more for logs.
		Requests: Quantity{CPUMillis: 500, MemoryMiB: 1024, EphemeralGiB: 1},
		// The CPU limit is a t3.medium's two vCPUs: a pod's usage is the HPA's signal, and it
		// cannot report more than limit/request of its request. At 4x (400 %) it reports the
		// guide's 5x spike from the 70 % target (350 %) whole, and the HPA sizes for it in one
		// sync; at 2x it saw 200 %, under-sized, and waited for new pods to measure again.
		Limits: Quantity{CPUMillis: 2000, MemoryMiB: 1024, EphemeralGiB: 2},
	}
	s.TerminationGracePeriodSeconds = 60
	return s
}

func defaultWorker() Service {
	s := defaultService()
	s.Replicas = Range{Min: 2, Max: 10}
	s.Targets = Targets{CPUPercent: 75, MemoryPercent: 85}
	// A job starting or finishing moves a worker's CPU by a whole pod (idle or ~111 %): a
	// minute of steady recommendations before adding a pod keeps single jobs from moving the
	// pool up and down (the simulator's noisy trace reverses five times without it); a job waits
	// at most that minute longer.
	s.ScaleUp.StabilizationSeconds = 60
	s.ScaleDown = Behavior{
		StabilizationSeconds: 600,
		Policies:             []ScalingPolicy{{Type: "Pods", Value: 1, PeriodSeconds: 120}},
		SelectPolicy:         "Max",
	}
	// One transcoding job: FFmpeg needs about one vCPU and 1-2 GB. 900m fits four pods on a
	// c5.xlarge after system reservations, the guide's four jobs per instance.
	s.Resources = Resources{
		// One transcode in /tmp: the source and its output. An hour of broadcast 1080p at
		// ~8 Mbit/s is 3.6 GB, and the rendition up to as much again: 8 GiB, 2 GiB more for logs.
		Requests: Quantity{CPUMillis: 900, MemoryMiB: 1536, EphemeralGiB: 8},
		Limits:   Quantity{CPUMillis: 1000, MemoryMiB: 2048, EphemeralGiB: 10},
	}
	s.TerminationGracePeriodSeconds = 1800
	s.QueueScaling = QueueTrigger{MessagesPerReplica: 50, HostSecretKey: "RABBITMQ_URL", PollingSeconds: 15}
	s.Concurrency = 1
	return s
}

func defaultFleet() Fleet {
	return Fleet{
		Size:                             Range{Min: 2, Max: 10},
		HealthCheckGraceSeconds:          300,
		DefaultCooldownSeconds:           300,
		InstanceWarmupSeconds:            300,
		RootVolumeGiB:                    30,
		ScaleIn:                          ScaleIn{CPUBelowPercent: 30, MemoryBelowPercent: 40, Minutes: 10, CooldownSeconds: 300},
		InstanceRefreshMinHealthyPercent: 90,
		TerminationHookSeconds:           120,
		// A cold bootstrap installs Docker and the CloudWatch agent and pulls the image: a few
		// minutes on a slow mirror. Ten leave room for it and still replace a stuck instance
		// within the hour.
		LaunchHookSeconds: 600,
		Schedules:         map[string]*ScheduledAction{},
	}
}

func defaultEC2() EC2 {
	api := defaultFleet()
	api.Desired = 3
	api.Targets = Targets{CPUPercent: 70, MemoryPercent: 80}
	// The guide's schedules: pre-warm at 8:00 on weekdays (at least 3, 5 desired), back to the
	// group's own minimum at 22:00. Their maximum, and the night's minimum, are the group's size.
	api.Schedules = map[string]*ScheduledAction{
		"scale-up-business-hours": {Recurrence: "0 8 * * MON-FRI", Min: new(3), Desired: 5},
		"scale-down-night":        {Recurrence: "0 22 * * *", Desired: 2},
	}

	worker := defaultFleet()
	worker.Desired = 2
	worker.Targets = Targets{CPUPercent: 75, MemoryPercent: 85}
	worker.ScaleIn.CooldownSeconds = 600
	worker.TerminationHookSeconds = 1800
	// Four jobs' scratch on disk (4 x 8 GiB, openwan:worker.resources.requests.ephemeralGiB),
	// the AMI's 8 GiB and the 10 GiB image store make 50 (capacity.RootVolumeNeedGiB); 10 GiB
	// more for the containers' logs and the system's own growth.
	worker.RootVolumeGiB = 60

	return EC2{
		Enabled:      true,
		TimeZone:     "UTC",
		AMIParameter: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
		Metadata:     InstanceMetadata{HTTPTokens: "required", HopLimit: 1},
		API: APIFleet{
			Fleet:        api,
			InstanceType: "t3.medium",
			// Port and HealthPath follow openwan:api.port and openwan:api.readinessPath (follow).
			DeregistrationDelaySeconds: 30,
			Requests: RequestScaling{
				ScaleOutPerMinute: 1000,
				ScaleInPerMinute:  200,
				Steps:             []Step{{BreachPercent: 0, AddPercent: 10}, {BreachPercent: 10, AddPercent: 30}},
			},
			WarmPool: WarmPool{Size: 3},
		},
		Worker: WorkerFleet{
			Fleet:         worker,
			InstanceTypes: workerInstanceTypes(),
			OnDemandBase:  1,
			// AWS's recommendation for mixed instances groups: fewer interruptions than
			// lowest-price, lower prices than capacity-optimized.
			SpotAllocationStrategy: "price-capacity-optimized",
			Queue: QueueScaling{
				Namespace:           "AWS/AmazonMQ",
				MetricName:          "MessageCount",
				ScaleOutPerInstance: 50,
				ScaleInPerInstance:  5,
			},
		},
	}
}
