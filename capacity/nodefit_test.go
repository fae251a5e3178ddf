package capacity

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/config/configtest"
)

func TestAllocatable(t *testing.T) {
	// The EKS AMI's reservations: kube-reserved CPU (60m for the first core, 10m for the second,
	// 5m for the third and fourth), kube-reserved memory of 255 MiB + 11 MiB per pod, 100 MiB
	// eviction threshold, of the 94 % of memory the kubelet sees; then the DaemonSets: aws-node
	// and kube-proxy (150m, no memory), the CloudWatch agent and Fluent Bit (300m, 153 MiB),
	// four pods of the CNI limit.
	tests := []struct {
		name     string
		wantCPU  int
		wantMem  int
		wantPods int
	}{
		{"t3.medium", 2000 - (60 + 10) - 150 - 300, 4096*94/100 - (255 + 11*17) - 100 - 153, 17 - 4},         // 1480m, 3155 MiB, 13
		{"c5.xlarge", 4000 - (60 + 10 + 5 + 5) - 150 - 300, 8192*94/100 - (255 + 11*58) - 100 - 153, 58 - 4}, // 3470m, 6554 MiB, 54
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, pods := node(t, tt.name, 50).Allocatable()
			assert.Equal(t, config.Quantity{CPUMillis: tt.wantCPU, MemoryMiB: tt.wantMem}, q, "what pods can request on a %s", tt.name)
			assert.Equal(t, tt.wantPods, pods, "pods a %s takes besides the DaemonSets", tt.name)
		})
	}
}

// Every DaemonSet the stack installs counts: Container Insights' agent and Fluent Bit take a
// t3.medium from 3 API pods to 2 and a c5.xlarge from 4 workers to 3.
func TestContainerInsightsDaemonSetsCount(t *testing.T) {
	c := config.Defaults()
	api, worker := c.API.Resources.Requests, c.Worker.Resources.Requests
	ds, pods := DaemonSetLoad(c)
	assert.Equal(t, config.Quantity{CPUMillis: 450, MemoryMiB: 153}, ds, "aws-node, kube-proxy, the CloudWatch agent and Fluent Bit")
	assert.Equal(t, 4, pods)
	assert.Equal(t, 2, PodsPerNode(node(t, "t3.medium", 50), api), "API pods on a t3.medium beside the four DaemonSets")
	assert.Equal(t, 3, PodsPerNode(node(t, "c5.xlarge", 100), worker), "worker pods on a c5.xlarge beside them")

	c.Cluster.ContainerInsights.Enabled = false
	ds, pods = DaemonSetLoad(c)
	assert.Equal(t, config.Quantity{CPUMillis: 150}, ds, "without Container Insights: aws-node and kube-proxy")
	assert.Equal(t, 2, pods)
	_, without, err := PoolNode("p", config.NodePool{InstanceTypes: []string{"c5.xlarge"}, DiskGiB: 100}, c)
	require.NoError(t, err)
	assert.Equal(t, JobsPerInstance(c.Capacity.Worker, instance(t, "c5.xlarge")), PodsPerNode(without, worker),
		"then a node holds as many worker pods as an EC2 instance runs jobs, the guide's 4")
}

func TestEphemeralAllocatable(t *testing.T) {
	// 100 GiB: 10 of images, 1 kube-reserved, 10 (10 %) below the eviction threshold.
	assert.Equal(t, 79, EphemeralAllocatableGiB(100, 10))
	assert.Equal(t, 34, EphemeralAllocatableGiB(50, 10), "50 GiB: 10 + 1 + 5 withheld")
	assert.Equal(t, 7, EphemeralAllocatableGiB(20, 10), "20 GiB, the smallest disk: 10 + 1 + 2 withheld")
	assert.Equal(t, 25, EphemeralAllocatableGiB(41, 10), "41 GiB: 10 + 1 + 5 (10 % rounded up) withheld")
}

// TestScratchLimitsPodsPerNode: a pod that asks for disk counts against the node's, and can be
// what limits a node below its CPU and memory.
func TestScratchLimitsPodsPerNode(t *testing.T) {
	worker := config.Quantity{CPUMillis: 900, MemoryMiB: 1536, EphemeralGiB: 8}
	assert.Equal(t, 3, PodsPerNode(node(t, "c5.xlarge", 100), worker), "79 GiB holds 9 scratches; CPU holds 3")
	assert.Equal(t, 2, PodsPerNode(node(t, "c5.xlarge", 30), worker), "30 GiB: 30-10-1-3 = 16 GiB holds 2 scratches of 8")
	assert.Equal(t, 0, PodsPerNode(node(t, "c5.xlarge", 20), worker), "20 GiB leaves 7 GiB: not one scratch of 8")
	worker.EphemeralGiB = 0
	assert.Equal(t, 3, PodsPerNode(node(t, "c5.xlarge", 20), worker), "a pod without a disk request is not limited by the disk")
}

// TestWorkerScratchTooLargeForItsPoolIsRefused names both keys, the sizes and what the disk
// loses to images and the kubelet.
func TestWorkerScratchTooLargeForItsPoolIsRefused(t *testing.T) {
	c := configtest.Prod(t)
	c.Cluster.NodePools.Workers.DiskGiB = 20
	c.Worker.Resources.Requests.EphemeralGiB = 8
	assert.EqualError(t, CheckNodeFit(c), "openwan:worker.resources.requests.ephemeralGiB: 8 GiB of scratch does not fit a node of "+
		"openwan:cluster.nodePools.workers.diskGiB 20 (7 GiB allocatable, less openwan:capacity.nodeImageStoreGiB 10, the kubelet's 1 GiB and its 10 % eviction threshold)")
}

func TestNodesNeeded(t *testing.T) {
	api := config.Quantity{CPUMillis: 500, MemoryMiB: 1024} // 2 per t3.medium: 1480m / 500m (3155 MiB / 1024 MiB holds 3)
	tests := []struct {
		name     string
		replicas int
		extra    config.Quantity
		want     int
	}{
		{"20 pods, 2 a node", 20, config.Quantity{}, 10},
		{"21 pods take an eleventh node", 21, config.Quantity{}, 11},
		{"22 pods fill 11 nodes", 22, config.Quantity{}, 11},
		{"add-ons take a node of their own", 20, config.Quantity{CPUMillis: 500, MemoryMiB: 1140}, 11},
		{"add-ons larger than a node take two", 20, config.Quantity{CPUMillis: 1481}, 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := NodesNeeded(node(t, "t3.medium", 50), tt.replicas, api, tt.extra)
			require.True(t, ok, "a 500m pod fits a t3.medium")
			assert.Equal(t, tt.want, got, "NodesNeeded(t3.medium, %d pods of %+v, add-ons %+v)", tt.replicas, api, tt.extra)
		})
	}
	_, ok := NodesNeeded(node(t, "t3.medium", 50), 1, config.Quantity{CPUMillis: 4000}, config.Quantity{})
	assert.False(t, ok, "a pod larger than the node fits no count of them")
}

func TestCheckNodeFit(t *testing.T) {
	tests := []struct {
		name   string
		change func(*config.Config)
		want   string // the error's start; "" when it fits
		fix    func(*config.Config)
	}{
		{name: "defaults fit", change: func(*config.Config) {}},
		{name: "api pool too small", change: func(c *config.Config) { c.Cluster.NodePools.API.Size = config.Range{Min: 2, Max: 6} },
			// 20 pods at 2 a node, and a node for the add-ons.
			want: "openwan:cluster.nodePools.api.size.max: 6 nodes cannot hold openwan:api.replicas.max 20 pods (2 per t3.medium node at 500m CPU, 1024 MiB, 1 GiB each, beside 4 DaemonSets' 450m CPU and 153 MiB, plus add-ons); need 11",
			fix:  func(c *config.Config) { c.Cluster.NodePools.API.Size.Max = 11 }},
		{name: "worker max beyond the spot pool", change: func(c *config.Config) { c.Worker.Replicas.Max = 30 },
			// 30 pods at 3 a node.
			want: "openwan:cluster.nodePools.workers.size.max: 5 nodes cannot hold openwan:worker.replicas.max 30 pods (3 per c5.xlarge node at 900m CPU, 1536 MiB, 8 GiB each, beside 4 DaemonSets' 450m CPU and 153 MiB, plus add-ons); need 10",
			fix:  func(c *config.Config) { c.Cluster.NodePools.Workers.Size.Max = 10 }},
		{name: "pod larger than node", change: func(c *config.Config) { c.Worker.Resources.Requests.CPUMillis = 4000 },
			want: "openwan:worker.resources.requests: one pod (4000m CPU, 1536 MiB) does not fit a c5.xlarge node (3470m CPU, 6554 MiB allocatable) of openwan:cluster.nodePools.workers"},
		{name: "unknown type", change: func(c *config.Config) { c.Cluster.NodePools.API.InstanceTypes = []string{"t9.huge"} },
			want: `openwan:cluster.nodePools.api.instanceTypes[0]: unknown instance type "t9.huge"`},
		{name: "smallest type decides", change: func(c *config.Config) {
			c.Cluster.NodePools.Workers.InstanceTypes = []string{"c5.2xlarge", "c5.large"}
		}, // 10 pods at 1 a c5.large (1480m allocatable, 900m each).
			want: "openwan:cluster.nodePools.workers.size.max: 5 nodes cannot hold openwan:worker.replicas.max 10 pods (1 per c5.large node at 900m CPU, 1536 MiB, 8 GiB each, beside 4 DaemonSets' 450m CPU and 153 MiB, plus add-ons); need 10",
			fix:  func(c *config.Config) { c.Cluster.NodePools.Workers.Size.Max = 10 }},
		{name: "eks off", change: func(c *config.Config) { c.Cluster.Enabled = false; c.Cluster.NodePools.API.Size.Max = 1 }},
		{name: "existing cluster", change: func(c *config.Config) { c.Cluster.Existing.Enabled = true; c.Cluster.NodePools.API.Size.Max = 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Defaults()
			tt.change(&c)
			err := CheckNodeFit(c)
			if tt.want == "" {
				assert.NoError(t, err, "the guide's cluster fits, and a cluster that is not ours is not judged")
				return
			}
			require.Error(t, err)
			assert.Truef(t, len(err.Error()) >= len(tt.want) && err.Error()[:len(tt.want)] == tt.want,
				"CheckNodeFit() = %q, want it to start with %q", err, tt.want)
			if tt.fix != nil {
				tt.fix(&c)
				assert.NoError(t, CheckNodeFit(c), "the node count the refusal asks for holds the pods")
			}
		})
	}
}

// TestNodeFitCountsKEDA: KEDA's three pods run on the API pool beside the other add-ons.
func TestNodeFitCountsKEDA(t *testing.T) {
	c := configtest.Prod(t)
	c.Cluster.KEDA.Enabled = false // prod runs KEDA: start from the pool that fits exactly without it
	_, pool, err := PoolNode("cluster.nodePools.api", c.Cluster.NodePools.API, c)
	require.NoError(t, err)
	nodes, ok := NodesNeeded(pool, c.API.Replicas.Max, c.API.Resources.Requests, AddOns(c))
	require.True(t, ok)
	c.Cluster.NodePools.API.Size.Max = nodes // prod: 7 nodes of API pods and 1 for the add-ons
	require.NoError(t, CheckNodeFit(c), "without KEDA, %d nodes hold the API pods and the add-ons", nodes)

	c.Cluster.KEDA.Enabled = true
	c.Cluster.KEDA.Requests = config.Quantity{CPUMillis: 500, MemoryMiB: 512} // the add-ons then outgrow one node
	assert.ErrorContains(t, CheckNodeFit(c), fmt.Sprintf("openwan:cluster.nodePools.api.size.max: %d nodes cannot hold", nodes),
		"with KEDA's three pods the API pool is refused")
}

// TestNodeFitCountsHeadroom: the placeholders must fit the pool beside the HPA's minimum, or
// some of them would never run; the refusal names the headroom's key and the pool's size.
func TestNodeFitCountsHeadroom(t *testing.T) {
	c := configtest.Prod(t)
	require.NoError(t, CheckNodeFit(c), "prod's headroom fits its API pool")
	c.Cluster.Headroom.APIPods = 30
	assert.EqualError(t, CheckNodeFit(c), "openwan:cluster.headroom.apiPods: 30 placeholder pods beside openwan:api.replicas.min 2 "+
		"need 17 t3.medium nodes (2 per node, plus add-ons); openwan:cluster.nodePools.api.size.max is 11")
	c.Cluster.Headroom.APIPods, c.Cluster.Headroom.WorkerPods = 0, 40
	assert.ErrorContains(t, CheckNodeFit(c), "openwan:cluster.headroom.workerPods: 40 placeholder pods beside openwan:worker.replicas.min 2")
}
