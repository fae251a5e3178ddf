package stacks

import (
	"errors"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/components/kube"
	"github.com/openwan/openwan-infra/config"
)

// appService is one service of the app as the whole Kubernetes half of the stack sees it: its
// Deployment and autoscaler, its node pool and the headroom kept there, its at-max alarm, its
// dashboard graphs and its stack output all follow from it.
type appService struct {
	// component is the app.kubernetes.io/component label of its pods, e.g. "api"; its objects are
	// named after it (name).
	component string
	// config is its section of the stack's config (openwan:api, openwan:worker).
	config config.Service
	// pool is the node pool label value its pods select; spot whether that pool is spot, so its
	// pods must tolerate the spot taint.
	pool string
	spot bool
	// headroomPods are the placeholder pods openwan:cluster.headroom keeps on its pool (pods).
	headroomPods int
	// output is the stack output that shows its autoscaler's numbers.
	output string
	// public marks the service the API's Ingress fronts and the NetworkPolicies open its port on.
	public bool
}

// appServices is the one list of the app's services, the API first. The Deployments, the
// headroom, the at-max alarms, the dashboard and the outputs are all made from it.
func appServices(cfg config.Config) []appService {
	pools, headroom := cfg.Cluster.NodePools, cfg.Cluster.Headroom
	return []appService{
		{component: "api", config: cfg.API, pool: apiPool, spot: pools.API.Spot,
			headroomPods: headroom.APIPods, output: "apiHpa", public: true},
		{component: "worker", config: cfg.Worker, pool: workerPool, spot: pools.Workers.Spot,
			headroomPods: headroom.WorkerPods, output: "workerHpa"},
	}
}

// publicService is the service of the list that serves the API's requests.
func publicService(services []appService) (appService, error) {
	for _, s := range services {
		if s.public {
			return s, nil
		}
	}
	return appService{}, errors.New("the app's services list no public one to put behind the ingress")
}

// name is the name of the service's component and of its Deployment, Service, ServiceAccount
// and autoscaler.
func (s appService) name() string { return "openwan-" + s.component }

// autoscaling is the replica bounds (pods), utilization targets (percent of requests) and
// behavior of the service's autoscaler, whether its HPA or its KEDA ScaledObject.
func (s appService) autoscaling() kube.Autoscaling {
	c := s.config
	behavior := func(b config.Behavior) kube.Behavior {
		out := kube.Behavior{StabilizationSeconds: b.StabilizationSeconds, SelectPolicy: b.SelectPolicy}
		for _, p := range b.Policies {
			out.Policies = append(out.Policies, kube.Policy{Type: p.Type, Value: p.Value, PeriodSeconds: p.PeriodSeconds})
		}
		return out
	}
	return kube.Autoscaling{
		MinReplicas: c.Replicas.Min, MaxReplicas: c.Replicas.Max,
		CPUPercent: c.Targets.CPUPercent, MemoryPercent: c.Targets.MemoryPercent,
		ScaleUp: behavior(c.ScaleUp), ScaleDown: behavior(c.ScaleDown),
	}
}

// autoscalerOutput is what the service's stack output shows of its autoscaler: the bounds
// (pods), the targets (percent) and the stabilization windows (s) it declares, and the queue
// length per pod (messages) when KEDA scales it on the queue.
func (s appService) autoscalerOutput() pulumi.Map {
	a := s.autoscaling()
	out := pulumi.Map{
		"minReplicas":                   pulumi.Int(a.MinReplicas),
		"maxReplicas":                   pulumi.Int(a.MaxReplicas),
		"cpuPercent":                    pulumi.Int(a.CPUPercent),
		"memoryPercent":                 pulumi.Int(a.MemoryPercent),
		"scaleDownStabilizationSeconds": pulumi.Int(a.ScaleDown.StabilizationSeconds),
		"scaleUpStabilizationSeconds":   pulumi.Int(a.ScaleUp.StabilizationSeconds),
	}
	if q := s.config.QueueScaling; q.Enabled {
		out["queueMessagesPerReplica"] = pulumi.Int(q.MessagesPerReplica)
	}
	return out
}
