package monitoring

import "fmt"

// Keys of the physical names PlatformGraphs selects metrics by (DashboardArgs.Names).
const (
	NameAPIGroup        = "apiGroup"
	NameWorkerGroup     = "workerGroup"
	NameEC2LoadBalancer = "ec2LoadBalancer"
	NameEC2TargetGroup  = "ec2TargetGroup"
	NameCluster         = "cluster"
	NameEKSLoadBalancer = "eksLoadBalancer"
)

// PlatformSpec is what the dashboard draws its targets from: the stack's config, per path.
type PlatformSpec struct {
	// EC2 is the EC2 path; nil without it.
	EC2 *EC2Spec
	// EKS is the EKS path; nil without it.
	EKS *EKSSpec
	// Latency and ErrorRatePercent are the load balancers' targets (s, percent).
	P50Seconds, P95Seconds, P99Seconds float64
	ErrorRatePercent                   float64
	// Queue is the transcode queue's depth metric (Amazon MQ), nil when none is configured.
	Queue *QueueMetric
}

// EC2Spec are the groups' targets.
type EC2Spec struct {
	// API and Worker are the two groups.
	API, Worker GroupSpec
	// RequestsPerTargetPerMinute is the API's step-scaling threshold (requests/minute).
	RequestsPerTargetPerMinute int
	// ScaleOutPerInstance and ScaleInPerInstance are the workers' backlog thresholds (messages).
	ScaleOutPerInstance, ScaleInPerInstance int
}

// GroupSpec is one group's targets (percent).
type GroupSpec struct {
	CPUPercent, MemoryPercent int
}

// EKSSpec are the workloads' targets.
type EKSSpec struct {
	// Namespace holds the workloads.
	Namespace string
	// Workloads are the Deployments under HPAs.
	Workloads []WorkloadSpec
	// QueueMessagesPerReplica is the workers' KEDA queue target (messages; 0: none).
	QueueMessagesPerReplica int
	// Worker is the Deployment that consumes the queue.
	Worker string
}

// WorkloadSpec is one Deployment and its HPA.
type WorkloadSpec struct {
	Name        string
	MaxReplicas int
	// CPUPercent and MemoryPercent are the HPA's targets, of the pods' requests (percent);
	// CPURequestPerLimit and MemoryRequestPerLimit turn them into the share of the limits
	// Container Insights reports (request / limit).
	CPUPercent, MemoryPercent                 int
	CPURequestPerLimit, MemoryRequestPerLimit float64
}

// QueueMetric is a CloudWatch metric of the queue's depth.
type QueueMetric struct {
	Namespace, Name string
	Dimensions      [][2]string
}

// PlatformGraphs are the stack's dashboard: per group desired, in service and max, CPU and
// memory against the targets, the API's requests per target against the step threshold, the
// queue per worker against its thresholds, scaling activity; per API load balancer the
// response time p50/p95/p99 and the 5xx share against the SLO; per workload its desired and
// ready pods against the HPA's maximum and its CPU and memory against the HPA's targets.
func PlatformGraphs(s PlatformSpec, names map[string]string) []Graph {
	var graphs []Graph
	if e := s.EC2; e != nil {
		for _, g := range []struct {
			what, key string
			spec      GroupSpec
		}{{"ec2-api", NameAPIGroup, e.API}, {"ec2-worker", NameWorkerGroup, e.Worker}} {
			group := [][2]string{{"AutoScalingGroupName", names[g.key]}}
			graphs = append(graphs, Graph{Title: g.what + ": instances", Stat: "Maximum", Lines: []Line{
				{Label: "desired", Namespace: "AWS/AutoScaling", Name: "GroupDesiredCapacity", Dimensions: group},
				{Label: "in service", Namespace: "AWS/AutoScaling", Name: "GroupInServiceInstances", Dimensions: group},
				{Label: "max", Namespace: "AWS/AutoScaling", Name: "GroupMaxSize", Dimensions: group},
			}}, Graph{Title: g.what + ": CPU and memory (%)", Lines: []Line{
				{Label: "CPU", Namespace: "AWS/EC2", Name: "CPUUtilization", Dimensions: group},
				{Label: "memory", Namespace: "CWAgent", Name: "mem_used_percent", Dimensions: group},
			}, Thresholds: []Threshold{
				{fmt.Sprintf("CPU target %d %%", g.spec.CPUPercent), float64(g.spec.CPUPercent)},
				{fmt.Sprintf("memory target %d %%", g.spec.MemoryPercent), float64(g.spec.MemoryPercent)},
			}})
		}
		graphs = append(graphs, Graph{Title: "ec2-api: requests per target per minute", Stat: "Sum", Lines: []Line{
			{Label: "requests per target", Namespace: "AWS/ApplicationELB", Name: "RequestCountPerTarget",
				Dimensions: [][2]string{{"TargetGroup", names[NameEC2TargetGroup]}}},
		}, Thresholds: []Threshold{{"step scaling", float64(e.RequestsPerTargetPerMinute)}}})
		if q := s.Queue; q != nil {
			graphs = append(graphs, Graph{Title: "ec2-worker: queued jobs per instance", Stat: "Maximum", Lines: []Line{
				{ID: "depth", Namespace: q.Namespace, Name: q.Name, Dimensions: q.Dimensions, Hidden: true},
				{ID: "instances", Namespace: "AWS/AutoScaling", Name: "GroupInServiceInstances",
					Dimensions: [][2]string{{"AutoScalingGroupName", names[NameWorkerGroup]}}, Hidden: true},
				{ID: "perInstance", Label: "messages per instance", Expression: "depth / instances"},
			}, Thresholds: []Threshold{
				{"scale out", float64(e.ScaleOutPerInstance)}, {"scale in", float64(e.ScaleInPerInstance)},
			}})
		}
		var activity []Line
		for _, g := range []struct{ what, key string }{{"ec2-api", NameAPIGroup}, {"ec2-worker", NameWorkerGroup}} {
			group := [][2]string{{"AutoScalingGroupName", names[g.key]}}
			activity = append(activity,
				Line{Label: g.what + " launching", Namespace: "AWS/AutoScaling", Name: "GroupPendingInstances", Dimensions: group},
				Line{Label: g.what + " terminating", Namespace: "AWS/AutoScaling", Name: "GroupTerminatingInstances", Dimensions: group})
		}
		graphs = append(graphs, Graph{Title: "scaling activity (instances)", Stat: "Maximum", Lines: activity})
		graphs = append(graphs, loadBalancerGraphs("EC2 API", names[NameEC2LoadBalancer], s)...)
	}
	if k := s.EKS; k != nil {
		if lb, ok := names[NameEKSLoadBalancer]; ok {
			graphs = append(graphs, loadBalancerGraphs("EKS API", lb, s)...)
		}
		for _, w := range k.Workloads {
			pods := [][2]string{{"ClusterName", names[NameCluster]}, {"Namespace", k.Namespace}, {"PodName", w.Name}}
			graphs = append(graphs, Graph{Title: w.Name + ": pods", Stat: "Maximum", Lines: []Line{
				{Label: "desired", Namespace: "ContainerInsights", Name: DesiredReplicasMetric, Dimensions: pods},
				{Label: "ready", Namespace: "ContainerInsights", Name: "replicas_ready", Dimensions: pods},
			}, Thresholds: []Threshold{{"HPA maximum", float64(w.MaxReplicas)}}},
				Graph{Title: w.Name + ": CPU and memory (% of limit)", Lines: []Line{
					{Label: "CPU", Namespace: "ContainerInsights", Name: "pod_cpu_utilization_over_pod_limit", Dimensions: pods},
					{Label: "memory", Namespace: "ContainerInsights", Name: "pod_memory_utilization_over_pod_limit", Dimensions: pods},
				}, Thresholds: []Threshold{
					{fmt.Sprintf("HPA CPU target (%d %% of request)", w.CPUPercent), float64(w.CPUPercent) * w.CPURequestPerLimit},
					{fmt.Sprintf("HPA memory target (%d %% of request)", w.MemoryPercent), float64(w.MemoryPercent) * w.MemoryRequestPerLimit},
				}})
		}
		if q := s.Queue; q != nil && k.QueueMessagesPerReplica > 0 {
			graphs = append(graphs, Graph{Title: k.Worker + ": queued jobs per pod", Stat: "Maximum", Lines: []Line{
				{ID: "depth", Namespace: q.Namespace, Name: q.Name, Dimensions: q.Dimensions, Hidden: true},
				{ID: "pods", Namespace: "ContainerInsights", Name: DesiredReplicasMetric,
					Dimensions: [][2]string{{"ClusterName", names[NameCluster]}, {"Namespace", k.Namespace}, {"PodName", k.Worker}}, Hidden: true},
				{ID: "perPod", Label: "messages per pod", Expression: "depth / pods"},
			}, Thresholds: []Threshold{{"KEDA target", float64(k.QueueMessagesPerReplica)}}})
		}
	}
	return graphs
}

// loadBalancerGraphs are an API load balancer's response time and 5xx share against the SLO.
func loadBalancerGraphs(what, suffix string, s PlatformSpec) []Graph {
	lb := [][2]string{{"LoadBalancer", suffix}}
	metric := func(id, name, stat string, hidden bool) Line {
		return Line{ID: id, Label: stat, Namespace: "AWS/ApplicationELB", Name: name, Dimensions: lb, Stat: stat, Hidden: hidden}
	}
	return []Graph{
		{Title: what + ": response time (s)", Lines: []Line{
			metric("p50", "TargetResponseTime", "p50", false), metric("p95", "TargetResponseTime", "p95", false),
			metric("p99", "TargetResponseTime", "p99", false),
		}, Thresholds: []Threshold{{"p50 target", s.P50Seconds}, {"p95 target", s.P95Seconds}, {"p99 target", s.P99Seconds}}},
		{Title: what + ": 5xx share of requests (%)", Stat: "Sum", Lines: []Line{
			metric("errors", "HTTPCode_Target_5XX_Count", "Sum", true), metric("requests", "RequestCount", "Sum", true),
			{ID: "rate", Label: "5xx %", Expression: ErrorRateExpression},
		}, Thresholds: []Threshold{{"error-rate target", s.ErrorRatePercent}}},
	}
}
