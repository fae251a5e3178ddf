package capacity

import (
	"errors"
	"fmt"

	"github.com/openwan/openwan-infra/config"
)

// Reservations of an EKS-optimized AMI node that no pod can use. They follow the AMI's bootstrap
// (kube-reserved CPU by core, kube-reserved memory by max pods, the hard eviction threshold) and
// the kernel's own share of memory. The DaemonSets on every node come from config
// (config.Cluster.NodeDaemonSets).
const (
	// usableMemoryPercent is the share of nominal memory the kubelet reports as capacity.
	usableMemoryPercent = 94
	evictionHardMiB     = 100
	// coreDNS is EKS's default CoreDNS add-on: two pods of 100m CPU and 70 MiB each.
	coreDNSCPUMillis = 2 * 100
	coreDNSMemoryMiB = 2 * 70
	// kedaPods are KEDA's operator, metrics API server and admission webhooks.
	kedaPods = 3
	// externalSecretsPods are the External Secrets Operator's controller, webhook and cert
	// controller.
	externalSecretsPods = 3
	// kubeReservedEphemeralGiB is the EKS AMI kubelet's kube-reserved ephemeral-storage, and
	// evictionNodefsPercent its hard eviction threshold nodefs.available<10% (the kubelet's
	// default): disk no pod can request.
	kubeReservedEphemeralGiB = 1
	evictionNodefsPercent    = 10
)

// EphemeralAllocatableGiB is the local disk pods can request on a node with a root volume of
// diskGiB: less its image store, the kubelet's reservation and its eviction threshold.
func EphemeralAllocatableGiB(diskGiB, imageStoreGiB int) int {
	return diskGiB - imageStoreGiB - kubeReservedEphemeralGiB - ceilDiv(diskGiB*evictionNodefsPercent, 100)
}

// Allocatable is what pods of ours can request on the node, after the kubelet's reservations
// and the DaemonSets every node runs.
func (n Node) Allocatable() (q config.Quantity, pods int) {
	t := n.Type
	cpu := t.VCPU*1000 - kubeReservedCPUMillis(t.VCPU) - n.DaemonSets.CPUMillis
	mem := t.MemoryMiB*usableMemoryPercent/100 - (255 + 11*t.MaxPods) - evictionHardMiB - n.DaemonSets.MemoryMiB
	return config.Quantity{CPUMillis: cpu, MemoryMiB: mem}, t.MaxPods - n.DaemonSetPods
}

// kubeReservedCPUMillis is the EKS AMI's CPU reservation: 6 % of the first core, 1 % of the
// second, 0.5 % of the third and fourth, 0.25 % of every further core.
func kubeReservedCPUMillis(vcpu int) int {
	reserved := 0.0
	for core := 1; core <= vcpu; core++ {
		switch {
		case core == 1:
			reserved += 60
		case core == 2:
			reserved += 10
		case core <= 4:
			reserved += 5
		default:
			reserved += 2.5
		}
	}
	return int(reserved + 0.5)
}

// Node is one node of a pool: its instance type, the disk pods can request on it (GiB) and what
// the DaemonSets on it request.
type Node struct {
	Type InstanceType
	// EphemeralGiB is EphemeralAllocatableGiB of the pool's disk.
	EphemeralGiB int
	// DaemonSets is the sum of the requests of the DaemonSets' pods on the node, and
	// DaemonSetPods their count (each takes one of the node's pods).
	DaemonSets    config.Quantity
	DaemonSetPods int
}

// DaemonSetLoad is the sum of the requests of the pods every node of the cluster runs before
// ours, and their count (config.Cluster.NodeDaemonSets).
func DaemonSetLoad(c config.Config) (config.Quantity, int) {
	var sum config.Quantity
	sets := c.Cluster.NodeDaemonSets()
	for _, q := range sets {
		sum.CPUMillis += q.CPUMillis
		sum.MemoryMiB += q.MemoryMiB
	}
	return sum, len(sets)
}

// PodsPerNode is how many pods with the given requests one node holds. Ephemeral storage counts
// only when the pods request it.
func PodsPerNode(node Node, requests config.Quantity) int {
	alloc, pods := node.Allocatable()
	n := pods
	if requests.EphemeralGiB > 0 {
		n = min(n, node.EphemeralGiB/requests.EphemeralGiB)
	}
	if requests.CPUMillis > 0 {
		n = min(n, alloc.CPUMillis/requests.CPUMillis)
	}
	if requests.MemoryMiB > 0 {
		n = min(n, alloc.MemoryMiB/requests.MemoryMiB)
	}
	return max(n, 0)
}

// NodesNeeded is the node count a pool of such nodes needs for replicas pods of the given requests
// plus the extra (add-on) requests, packed one kind per node. ok is false when a single pod does
// not fit a node at all.
func NodesNeeded(node Node, replicas int, requests, extra config.Quantity) (nodes int, ok bool) {
	perNode := PodsPerNode(node, requests)
	if perNode == 0 {
		return 0, false
	}
	nodes = ceilDiv(replicas, perNode)
	if extra.CPUMillis > 0 || extra.MemoryMiB > 0 {
		alloc, _ := node.Allocatable()
		nodes += max(ceilDiv(extra.CPUMillis, alloc.CPUMillis), ceilDiv(extra.MemoryMiB, alloc.MemoryMiB))
	}
	return nodes, true
}

// Smallest returns the pool's type with the least vCPU, then memory: node fit must hold on
// whichever interchangeable type the pool gets.
func Smallest(key string, names []string) (string, InstanceType, error) {
	var bestName string
	var best InstanceType
	for i, name := range names {
		t, err := Lookup(fmt.Sprintf("%s[%d]", key, i), name)
		if err != nil {
			return "", InstanceType{}, err
		}
		if bestName == "" || t.VCPU < best.VCPU || (t.VCPU == best.VCPU && t.MemoryMiB < best.MemoryMiB) {
			bestName, best = name, t
		}
	}
	return bestName, best, nil
}

// CheckNodeFit refuses a cluster whose node pools cannot hold every HPA's maximum at its pods'
// requests: the API pool holds the API pods and the cluster add-ons (CoreDNS, metrics-server,
// cluster-autoscaler, KEDA), the spot pool the workers. Nil when the EKS path is off.
func CheckNodeFit(c config.Config) error {
	if !c.Cluster.EKS() {
		return nil // an existing cluster's nodes are not ours to size
	}
	addOns := AddOns(c)
	h := c.Cluster.Headroom
	return errors.Join(
		fit("cluster.nodePools.api", c.Cluster.NodePools.API, "api", c.API, addOns, c),
		fit("cluster.nodePools.workers", c.Cluster.NodePools.Workers, "worker", c.Worker, config.Quantity{}, c),
		fitHeadroom("cluster.nodePools.api", c.Cluster.NodePools.API, "api", c.API, "apiPods", h.APIPods, addOns, c),
		fitHeadroom("cluster.nodePools.workers", c.Cluster.NodePools.Workers, "worker", c.Worker, "workerPods", h.WorkerPods, config.Quantity{}, c),
	)
}

// RestingNodes is the node count a pool holds with its service at the HPA's minimum, the
// headroom's placeholders (each requesting what one pod does) and the add-ons, within the pool's
// bounds: the nodes it keeps when nothing happens.
func RestingNodes(pool config.NodePool, svc config.Service, headroomPods int, addOns config.Quantity, c config.Config) (int, error) {
	_, node, err := PoolNode("cluster.nodePools", pool, c)
	if err != nil {
		return 0, err
	}
	n, ok := NodesNeeded(node, svc.Replicas.Min+headroomPods, svc.Resources.Requests, addOns)
	if !ok {
		n = pool.Size.Max
	}
	return min(max(n, pool.Size.Min), pool.Size.Max), nil
}

// fitHeadroom refuses a headroom the pool cannot hold beside the HPA's minimum: its placeholders
// would never all run. Nearer the HPA's maximum the app's pods take the room back, as they
// should.
func fitHeadroom(poolKey string, pool config.NodePool, serviceKey string, svc config.Service, headroomKey string, pods int, addOns config.Quantity, c config.Config) error {
	if pods == 0 {
		return nil
	}
	name, node, err := PoolNode(poolKey, pool, c)
	if err != nil {
		return err
	}
	nodes, ok := NodesNeeded(node, svc.Replicas.Min+pods, svc.Resources.Requests, addOns)
	if ok && nodes > pool.Size.Max {
		return fmt.Errorf("openwan:cluster.headroom.%s: %d placeholder pods beside openwan:%s.replicas.min %d need %d %s nodes (%d per node, plus add-ons); openwan:%s.size.max is %d",
			headroomKey, pods, serviceKey, svc.Replicas.Min, nodes, name, PodsPerNode(node, svc.Resources.Requests), poolKey, pool.Size.Max)
	}
	return nil
}

// AddOns are the requests of what runs on the API pool besides the API pods: CoreDNS,
// metrics-server, and cluster-autoscaler, KEDA, the External Secrets Operator and the load
// balancer controller where enabled.
func AddOns(c config.Config) config.Quantity {
	addOns := config.Quantity{
		CPUMillis: coreDNSCPUMillis + c.Cluster.MetricsServer.Replicas*c.Cluster.MetricsServer.Requests.CPUMillis,
		MemoryMiB: coreDNSMemoryMiB + c.Cluster.MetricsServer.Replicas*c.Cluster.MetricsServer.Requests.MemoryMiB,
	}
	if c.Cluster.ClusterAutoscaler.Enabled {
		addOns.CPUMillis += c.Cluster.ClusterAutoscaler.Requests.CPUMillis
		addOns.MemoryMiB += c.Cluster.ClusterAutoscaler.Requests.MemoryMiB
	}
	if c.Cluster.KEDA.Enabled {
		addOns.CPUMillis += kedaPods * c.Cluster.KEDA.Requests.CPUMillis
		addOns.MemoryMiB += kedaPods * c.Cluster.KEDA.Requests.MemoryMiB
	}
	if es := c.Cluster.ExternalSecrets; es.Enabled {
		addOns.CPUMillis += externalSecretsPods * es.Requests.CPUMillis
		addOns.MemoryMiB += externalSecretsPods * es.Requests.MemoryMiB
	}
	if in := c.Cluster.Ingress; in.Enabled {
		addOns.CPUMillis += in.Controller.Replicas * in.Controller.Requests.CPUMillis
		addOns.MemoryMiB += in.Controller.Replicas * in.Controller.Requests.MemoryMiB
	}
	return addOns
}

// PoolNode is the smallest node of a pool, the one node fit must hold on, with the cluster's
// DaemonSets on it.
func PoolNode(poolKey string, pool config.NodePool, c config.Config) (string, Node, error) {
	name, t, err := Smallest(poolKey+".instanceTypes", pool.InstanceTypes)
	ds, pods := DaemonSetLoad(c)
	return name, Node{Type: t, EphemeralGiB: EphemeralAllocatableGiB(pool.DiskGiB, c.Capacity.NodeImageStoreGiB), DaemonSets: ds, DaemonSetPods: pods}, err
}

func fit(poolKey string, pool config.NodePool, serviceKey string, svc config.Service, addOns config.Quantity, c config.Config) error {
	imageStoreGiB := c.Capacity.NodeImageStoreGiB
	name, node, err := PoolNode(poolKey, pool, c)
	if err != nil {
		return err
	}
	req := svc.Resources.Requests
	if req.EphemeralGiB > node.EphemeralGiB {
		return fmt.Errorf("openwan:%s.resources.requests.ephemeralGiB: %d GiB of scratch does not fit a node of openwan:%s.diskGiB %d "+
			"(%d GiB allocatable, less openwan:capacity.nodeImageStoreGiB %d, the kubelet's %d GiB and its %d %% eviction threshold)",
			serviceKey, req.EphemeralGiB, poolKey, pool.DiskGiB, max(node.EphemeralGiB, 0), imageStoreGiB, kubeReservedEphemeralGiB, evictionNodefsPercent)
	}
	nodes, ok := NodesNeeded(node, svc.Replicas.Max, req, addOns)
	if !ok {
		alloc, _ := node.Allocatable()
		return fmt.Errorf("openwan:%s.resources.requests: one pod (%dm CPU, %d MiB) does not fit a %s node (%dm CPU, %d MiB allocatable) of openwan:%s",
			serviceKey, req.CPUMillis, req.MemoryMiB, name, alloc.CPUMillis, alloc.MemoryMiB, poolKey)
	}
	if nodes > pool.Size.Max {
		return fmt.Errorf("openwan:%s.size.max: %d nodes cannot hold openwan:%s.replicas.max %d pods (%d per %s node at %dm CPU, %d MiB, %d GiB each, beside %d DaemonSets' %dm CPU and %d MiB, plus add-ons); need %d",
			poolKey, pool.Size.Max, serviceKey, svc.Replicas.Max, PodsPerNode(node, req), name, req.CPUMillis, req.MemoryMiB, req.EphemeralGiB,
			node.DaemonSetPods, node.DaemonSets.CPUMillis, node.DaemonSets.MemoryMiB, nodes)
	}
	return nil
}

func ceilDiv(a, b int) int {
	if b <= 0 {
		return 0
	}
	return (a + b - 1) / b
}
