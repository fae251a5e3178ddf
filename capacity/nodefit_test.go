package capacity

import (
	"testing"

	"github.com/openwan/openwan-infra/config"
)

func TestAllocatable(t *testing.T) {
	tests := []struct {
		name     string
		wantCPU  int
		wantMem  int
		wantPods int
	}{
		// 2000m - 70m reserved - 150m DaemonSets; 3850 MiB - (255+11*17) - 100 - 200.
		{"t3.medium", 1780, 3108, 15},
		// 4000m - 80m - 150m; 7700 MiB - (255+11*58) - 100 - 200.
		{"c5.xlarge", 3770, 6507, 56},
	}
	for _, tt := range tests {
		q, pods := Allocatable(InstanceTypes[tt.name])
		if q.CPUMillis != tt.wantCPU || q.MemoryMiB != tt.wantMem || pods != tt.wantPods {
			t.Errorf("Allocatable(%s) = %+v, %d pods, want {%d %d}, %d pods", tt.name, q, pods, tt.wantCPU, tt.wantMem, tt.wantPods)
		}
	}
}

func TestWorkerPodsPerNodeMatchGuideJobsPerInstance(t *testing.T) {
	// The guide runs 4 transcoding jobs on a c5.xlarge; the default worker request is one job.
	worker := config.Defaults().Worker
	if got := PodsPerNode(InstanceTypes["c5.xlarge"], worker.Resources.Requests); got != 4 {
		t.Errorf("PodsPerNode(c5.xlarge, worker requests) = %d, want 4", got)
	}
}

func TestNodesNeeded(t *testing.T) {
	api := config.Quantity{CPUMillis: 500, MemoryMiB: 1024}
	tests := []struct {
		replicas int
		extra    config.Quantity
		want     int
	}{
		{20, config.Quantity{}, 7},                                // 3 per t3.medium
		{21, config.Quantity{}, 7},                                // 21/3
		{22, config.Quantity{}, 8},                                // one more node
		{20, config.Quantity{CPUMillis: 500, MemoryMiB: 1140}, 8}, // add-ons take a node
	}
	for _, tt := range tests {
		got, ok := NodesNeeded(InstanceTypes["t3.medium"], tt.replicas, api, tt.extra)
		if !ok || got != tt.want {
			t.Errorf("NodesNeeded(t3.medium, %d, %+v, %+v) = %d, %v, want %d, true", tt.replicas, api, tt.extra, got, ok, tt.want)
		}
	}
	if _, ok := NodesNeeded(InstanceTypes["t3.medium"], 1, config.Quantity{CPUMillis: 4000}, config.Quantity{}); ok {
		t.Error("NodesNeeded with a pod larger than the node = ok, want not ok")
	}
}

func TestCheckNodeFit(t *testing.T) {
	tests := []struct {
		name   string
		change func(*config.Config)
		want   string
	}{
		{"defaults fit", func(*config.Config) {}, ""},
		{"api pool too small", func(c *config.Config) { c.Cluster.NodePools.API.Size = config.Range{Min: 2, Max: 6} },
			"openwan:cluster.nodePools.api.size.max: 6 nodes cannot hold openwan:api.replicas.max 20 pods (3 per t3.medium node at 500m CPU, 1024 MiB each, plus add-ons); need 8"},
		{"worker max beyond the spot pool", func(c *config.Config) { c.Worker.Replicas.Max = 30 },
			"openwan:cluster.nodePools.workers.size.max: 5 nodes cannot hold openwan:worker.replicas.max 30 pods (4 per c5.xlarge node at 900m CPU, 1536 MiB each, plus add-ons); need 8"},
		{"pod larger than node", func(c *config.Config) { c.Worker.Resources.Requests.CPUMillis = 4000 },
			"openwan:worker.resources.requests: one pod (4000m CPU, 1536 MiB) does not fit a c5.xlarge node (3770m CPU, 6507 MiB allocatable) of openwan:cluster.nodePools.workers"},
		{"unknown type", func(c *config.Config) { c.Cluster.NodePools.API.InstanceTypes = []string{"t9.huge"} },
			`openwan:cluster.nodePools.api.instanceTypes[0]: unknown instance type "t9.huge"`},
		{"smallest type decides", func(c *config.Config) {
			c.Cluster.NodePools.Workers.InstanceTypes = []string{"c5.2xlarge", "c5.large"}
		}, "openwan:cluster.nodePools.workers.size.max: 5 nodes cannot hold openwan:worker.replicas.max 10 pods (1 per c5.large node at 900m CPU, 1536 MiB each, plus add-ons); need 10"},
		{"eks off", func(c *config.Config) { c.Cluster.Enabled = false; c.Cluster.NodePools.API.Size.Max = 1 }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Defaults()
			tt.change(&c)
			err := CheckNodeFit(c)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if tt.want == "" && got != "" || tt.want != "" && (len(got) < len(tt.want) || got[:len(tt.want)] != tt.want) {
				t.Errorf("CheckNodeFit() = %q, want %q", got, tt.want)
			}
		})
	}
}
