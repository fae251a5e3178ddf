package config

// Service configures one scalable Kubernetes workload: its Deployment, Service, HPA and PDB.
type Service struct {
	// Image is the container image, pinned by tag or digest. Required.
	Image string `json:"image"`
	// Port is the container's HTTP port serving the health endpoints (and the API). Default 8080.
	Port int `json:"port"`
	// LivenessPath is the HTTP path of the liveness probe. Default "/health".
	LivenessPath string `json:"livenessPath"`
	// ReadinessPath is the HTTP path of the readiness probe. Default "/ready".
	ReadinessPath string `json:"readinessPath"`
	// Replicas bounds the HPA (pods). API default 2..20, worker 2..10.
	Replicas Range `json:"replicas"`
	// Targets are the HPA's average utilization targets (percent of requests).
	Targets Targets `json:"targets"`
	// ScaleUp is the HPA's scale-up behavior. Default: no stabilization, double or add 4 pods per
	// 15 s, whichever is more (aggressive out).
	ScaleUp Behavior `json:"scaleUp"`
	// ScaleDown is the HPA's scale-down behavior. API default: 300 s stabilization, at most 10 % or
	// 1 pod per minute; worker default: 600 s stabilization, 1 pod per 2 minutes (conservative in).
	ScaleDown Behavior `json:"scaleDown"`
	// Resources are the container's requests and limits. Requests are what utilization is
	// measured against and what node fit is computed with.
	Resources Resources `json:"resources"`
	// TerminationGracePeriodSeconds is how long a pod may take to stop (s). API default 60;
	// worker default 1800, long enough for a transcoding job to finish.
	TerminationGracePeriodSeconds int `json:"terminationGracePeriodSeconds"`
	// PreStopSleepSeconds keeps a terminating pod serving while endpoints and load balancers stop
	// sending it traffic (s). Must be below TerminationGracePeriodSeconds. Default 15.
	PreStopSleepSeconds int `json:"preStopSleepSeconds"`
	// DBPoolSize is the database connection pool of one pod (connections). Default 25.
	DBPoolSize int `json:"dbPoolSize"`
	// QueueScaling replaces the plain HPA with a KEDA ScaledObject that also scales on the job
	// queue's length (workers only).
	QueueScaling QueueTrigger `json:"queueScaling"`
	// Concurrency is the jobs one pod runs at once (workers only; 0 for the API). Worker default 1:
	// FFmpeg needs about one vCPU per job, and the request is sized for one job.
	Concurrency int `json:"concurrency"`
}

// QueueTrigger is the KEDA ScaledObject of a queue consumer: the CPU and memory targets of the
// service and a RabbitMQ queue-length trigger, under the same bounds and behavior. Never both it
// and a plain HPA for one Deployment.
type QueueTrigger struct {
	// Enabled scales the service with a ScaledObject. Default false; needs openwan:cluster.keda.
	Enabled bool `json:"enabled"`
	// MessagesPerReplica is the queue length per pod the trigger holds (messages). Default 50,
	// the guide's "queue depth > 50 messages per worker".
	MessagesPerReplica int `json:"messagesPerReplica"`
	// HostSecretKey is the key of openwan:app.secretName holding the RabbitMQ URL
	// (amqp://user:password@host:5672/vhost). Default "RABBITMQ_URL".
	HostSecretKey string `json:"hostSecretKey"`
	// PollingSeconds is how often KEDA reads the queue (s). Default 15, the HPA's own sync period.
	PollingSeconds int `json:"pollingSeconds"`
}

// Targets are average utilization targets of an autoscaler, in percent (0, 100].
type Targets struct {
	// CPUPercent is the CPU target (% of request). API 70, worker 75.
	CPUPercent int `json:"cpuPercent"`
	// MemoryPercent is the memory target (% of request). API 80, worker 85.
	MemoryPercent int `json:"memoryPercent"`
}

// Behavior is one direction of an autoscaling/v2 HPA behavior.
type Behavior struct {
	// StabilizationSeconds is the window over which past recommendations are considered
	// (s, 0..3600).
	StabilizationSeconds int `json:"stabilizationSeconds"`
	// Policies limit how much may change per period; at least one.
	Policies []ScalingPolicy `json:"policies"`
	// SelectPolicy picks among Policies: "Max" (default), "Min" or "Disabled".
	SelectPolicy string `json:"selectPolicy"`
}

// ScalingPolicy is one HPA scaling policy.
type ScalingPolicy struct {
	// Type is "Pods" or "Percent".
	Type string `json:"type"`
	// Value is the pods or percent allowed per period (> 0).
	Value int `json:"value"`
	// PeriodSeconds is the window the value applies to (s, 1..1800).
	PeriodSeconds int `json:"periodSeconds"`
}

// Resources are a container's CPU and memory requests and limits.
type Resources struct {
	// Requests are the guaranteed resources the scheduler reserves.
	Requests Quantity `json:"requests"`
	// Limits cap usage; each must be at least the request.
	Limits Quantity `json:"limits"`
}

// Quantity is an amount of CPU and memory.
type Quantity struct {
	// CPUMillis is CPU in millicores (1000 = one vCPU).
	CPUMillis int `json:"cpuMillis"`
	// MemoryMiB is memory in MiB.
	MemoryMiB int `json:"memoryMiB"`
}
