package config

// Service configures one scalable Kubernetes workload: its Deployment, Service, HPA and PDB.
type Service struct {
	// Image is the container image, pinned by tag or digest. Required.
	Image string `json:"image"`
	// Port is the container's HTTP port, serving the health endpoints and, for the API, its
	// requests (TCP port, 1..65535).
	Port int `json:"port"`
	// LivenessPath is the HTTP path of the liveness probe.
	LivenessPath string `json:"livenessPath"`
	// ReadinessPath is the HTTP path of the readiness probe.
	ReadinessPath string `json:"readinessPath"`
	// Replicas bounds the HPA (pods, 1..1000).
	Replicas Range `json:"replicas"`
	// Targets are the HPA's average utilization targets (percent of requests).
	Targets Targets `json:"targets"`
	// ScaleUp is the HPA's scale-up behavior: aggressive by default, the guide's "scale out
	// quickly to handle load spikes".
	ScaleUp Behavior `json:"scaleUp"`
	// ScaleDown is the HPA's scale-down behavior: conservative by default (scale in slowly), and
	// its stabilization window never shorter than ScaleUp's.
	ScaleDown Behavior `json:"scaleDown"`
	// Resources are the container's requests and limits. Requests are what utilization is
	// measured against and what node fit is computed with.
	Resources Resources `json:"resources"`
	// TerminationGracePeriodSeconds is how long a pod may take to stop (s, 1..7200); a worker's
	// must be long enough for a transcoding job to finish.
	TerminationGracePeriodSeconds int `json:"terminationGracePeriodSeconds"`
	// PreStopSleepSeconds keeps a terminating pod serving while endpoints and load balancers stop
	// sending it traffic (s). Must be below TerminationGracePeriodSeconds.
	PreStopSleepSeconds int `json:"preStopSleepSeconds"`
	// DBPoolSize is the database connection pool of one pod (connections, 1..1000). Every fleet's
	// pools at its maximum must fit openwan:capacity.database.
	DBPoolSize int `json:"dbPoolSize"`
	// QueueScaling replaces the plain HPA with a KEDA ScaledObject that also scales on the job
	// queue's length (workers only: the tag `only` keeps it out of the API's reference).
	QueueScaling QueueTrigger `json:"queueScaling" only:"worker"`
	// Concurrency is the jobs one pod runs at once (jobs, 0..64; workers only).
	// FFmpeg needs about one vCPU per job, and the worker's request is sized for one job.
	Concurrency int `json:"concurrency" only:"worker"`
}

// QueueTrigger is the KEDA ScaledObject of a queue consumer: the CPU and memory targets of the
// service and a RabbitMQ queue-length trigger, under the same bounds and behavior. Never both it
// and a plain HPA for one Deployment.
type QueueTrigger struct {
	// Enabled scales the service with a ScaledObject; needs openwan:cluster.keda.
	Enabled bool `json:"enabled"`
	// MessagesPerReplica is the queue length per pod the trigger holds (messages, 1..100000). The
	// default is the guide's queue-depth-per-worker scale-out trigger.
	MessagesPerReplica int `json:"messagesPerReplica"`
	// HostSecretKey is the key of openwan:app.secretName holding the RabbitMQ URL
	// (amqp://user:password@host:5672/vhost).
	HostSecretKey string `json:"hostSecretKey"`
	// PollingSeconds is how often KEDA reads the queue (s, 5..600). The default is the HPA's own
	// sync period.
	PollingSeconds int `json:"pollingSeconds"`
}

// Targets are average utilization targets of an autoscaler, in percent (0, 100].
type Targets struct {
	// CPUPercent is the CPU target (percent: of the pods' request for an HPA, of the instance
	// for an Auto Scaling Group).
	CPUPercent int `json:"cpuPercent"`
	// MemoryPercent is the memory target (percent: of the pods' request for an HPA, of the
	// instance for an Auto Scaling Group).
	MemoryPercent int `json:"memoryPercent"`
}

// Behavior is one direction of an autoscaling/v2 HPA behavior.
type Behavior struct {
	// StabilizationSeconds is the window over which past recommendations are considered
	// (s, 0..3600).
	StabilizationSeconds int `json:"stabilizationSeconds"`
	// Policies limit how much may change per period; at least one unless SelectPolicy is
	// "Disabled".
	Policies []ScalingPolicy `json:"policies"`
	// SelectPolicy picks among Policies: "Max", "Min" or "Disabled".
	SelectPolicy string `json:"selectPolicy"`
}

// ScalingPolicy is one HPA scaling policy.
type ScalingPolicy struct {
	// Type is "Pods" or "Percent".
	Type string `json:"type"`
	// Value is what may change per period (pods or percent, as Type says; at least 1).
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

// Quantity is an amount of CPU, memory and, for the services, local disk.
type Quantity struct {
	// CPUMillis is CPU (millicores; 1000 is one vCPU).
	CPUMillis int `json:"cpuMillis"`
	// MemoryMiB is memory (MiB).
	MemoryMiB int `json:"memoryMiB"`
	// EphemeralGiB is local ephemeral storage (GiB): the container's logs and its /tmp scratch,
	// whose size limit is the request. Services only (api, worker); 0 elsewhere.
	EphemeralGiB int `json:"ephemeralGiB"`
}
