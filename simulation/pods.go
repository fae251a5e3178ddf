package simulation

import (
	"math"
	"time"

	"github.com/openwan/openwan-infra/capacity"
	"github.com/openwan/openwan-infra/config"
)

// podFleet is a Deployment under its HPA (or KEDA ScaledObject) on its node pool under
// cluster-autoscaler.
type podFleet struct {
	name   string
	worker bool
	hpa    *HPA
	svc    config.Service
	opts   Options

	// queueTarget is the KEDA queue trigger's messages per pod (0: no queue trigger).
	queueTarget float64
	// perPodRPM is what one API pod serves at 100 % of its CPU request (requests/minute).
	perPodRPM float64
	// limitPercent is the CPU limit as a percent of the request: the most a pod can use.
	limitPercent float64
	job          config.WorkerCapacity
	// queue is the workers' job queue (nil for the API).
	queue *jobQueue

	// headroom is the placeholder pods kept on the pool (openwan:cluster.headroom), each
	// requesting what one pod does: any pod of the service preempts one at once, and
	// cluster-autoscaler adds nodes for the evicted ones.
	headroom int
	// unbounded is a fleet on a cluster that is not the stack's: room for every pod, no nodes
	// of its own to scale or pay for.
	unbounded bool

	desired  int
	ready    int
	starting []time.Duration // ready times of scheduled pods
	pending  int             // pods waiting for a node

	node          capacity.Node
	podsPerNode   int
	addOns        config.Quantity
	pool          config.NodePool
	nodes         int
	nodesStarting []time.Duration
	unneededSince time.Duration
	scaleDownWait time.Duration
	nodePrice     float64 // USD per node-hour, after the spot discount
}

func newPodFleet(cfg config.Config, name string, worker bool, svc config.Service, pool config.NodePool, headroom int, addOns config.Quantity, opts Options) (*podFleet, error) {
	_, node, err := capacity.PoolNode("cluster.nodePools", pool, cfg)
	if err != nil {
		return nil, err
	}
	perPod, err := capacity.RequestsPerMinute(cfg.Capacity, svc.Resources.Requests.CPUMillis, 100)
	if err != nil {
		return nil, err
	}
	price := cfg.Capacity.Prices[pool.InstanceTypes[0]]
	if pool.Spot {
		price *= 1 - float64(cfg.Capacity.SpotDiscountPercent)/100
	}
	f := &podFleet{
		name: name, worker: worker, hpa: NewHPA(svc), svc: svc, opts: opts,
		perPodRPM:    perPod,
		limitPercent: 100 * float64(svc.Resources.Limits.CPUMillis) / float64(svc.Resources.Requests.CPUMillis),
		job:          cfg.Capacity.Worker,
		headroom:     headroom,
		desired:      svc.Replicas.Min, ready: svc.Replicas.Min,
		node: node, podsPerNode: capacity.PodsPerNode(node, svc.Resources.Requests), addOns: addOns, pool: pool,
		unneededSince: -1, scaleDownWait: time.Duration(cfg.Cluster.ClusterAutoscaler.ScaleDownUnneededSeconds) * time.Second,
		nodePrice: price,
	}
	if svc.QueueScaling.Enabled {
		f.queueTarget = float64(svc.QueueScaling.MessagesPerReplica)
	}
	f.nodes = max(pool.Desired, f.nodesFor(f.desired+f.headroom))
	return f, nil
}

// newClusterPodFleet is a Deployment under its HPA on a cluster that is not the stack's
// (openwan:cluster.existing): no node pool, no cluster-autoscaler, no node cost; every pod the
// HPA asks for is scheduled at once and starts within opts.PodStart.
func newClusterPodFleet(cfg config.Config, name string, worker bool, svc config.Service, opts Options) (*podFleet, error) {
	perPod, err := capacity.RequestsPerMinute(cfg.Capacity, svc.Resources.Requests.CPUMillis, 100)
	if err != nil {
		return nil, err
	}
	f := &podFleet{
		name: name, worker: worker, hpa: NewHPA(svc), svc: svc, opts: opts,
		perPodRPM:    perPod,
		limitPercent: 100 * float64(svc.Resources.Limits.CPUMillis) / float64(svc.Resources.Requests.CPUMillis),
		job:          cfg.Capacity.Worker,
		desired:      svc.Replicas.Min, ready: svc.Replicas.Min,
		unneededSince: -1, unbounded: true,
	}
	if svc.QueueScaling.Enabled {
		f.queueTarget = float64(svc.QueueScaling.MessagesPerReplica)
	}
	return f, nil
}

// nodesFor is the node count pods need, add-ons included, within the pool's bounds.
func (f *podFleet) nodesFor(pods int) int {
	n, ok := capacity.NodesNeeded(f.node, pods, f.svc.Resources.Requests, f.addOns)
	if !ok {
		n = f.pool.Size.Max
	}
	return min(max(n, f.pool.Size.Min), f.pool.Size.Max)
}

// appNodes is the ready nodes the service's pods can use: those the add-ons leave.
func (f *podFleet) appNodes() int {
	addOnNodes, _ := capacity.NodesNeeded(f.node, 0, f.svc.Resources.Requests, f.addOns)
	return max(0, f.nodes-addOnNodes)
}

// room is how many pods the ready nodes hold. Placeholders do not count against it: a pod of
// the service preempts them.
func (f *podFleet) room() int {
	if f.unbounded {
		return math.MaxInt
	}
	return f.appNodes() * f.podsPerNode
}

// cpuCeiling is the most CPU a ready pod can report (percent of its request): its limit, or its
// share of its node's CPU when the pods on a node together would use more than the node has.
func (f *podFleet) cpuCeiling() float64 {
	if f.unbounded {
		return f.limitPercent
	}
	perNode := (f.ready + f.appNodes() - 1) / max(1, f.appNodes())
	nodeShare := 100 * float64(f.node.Type.VCPU*1000) / float64(max(1, perNode)*f.svc.Resources.Requests.CPUMillis)
	return math.Min(f.limitPercent, nodeShare)
}

// slots is how many jobs the ready worker pods run at once.
func (f *podFleet) slots() int { return f.ready * max(1, f.svc.Concurrency) }

// utilization is the ready pods' average CPU and memory (percent of request) under a load:
// requests for the API, running jobs for the workers.
func (f *podFleet) utilization(p Point, running float64) (cpu, mem float64) {
	if f.ready == 0 {
		return 0, 0
	}
	n := float64(f.ready)
	if f.worker {
		busy := math.Min(running, float64(f.slots()))
		cpu = busy * float64(f.job.JobCPUMillis) / (n * float64(f.svc.Resources.Requests.CPUMillis)) * 100
		mem = busy * float64(f.job.JobMemoryMiB) / (n * float64(f.svc.Resources.Requests.MemoryMiB)) * 100
		return math.Min(cpu, f.limitPercent), mem
	}
	cpu = math.Min(p.RequestsPerMinute/(n*f.perPodRPM)*100, f.cpuCeiling())
	return cpu, math.Min(f.opts.MemoryIdlePercent+f.opts.MemoryPerCPU*cpu, f.memoryLimitPercent())
}

// memoryLimitPercent is the memory limit as a percent of the request: a pod never holds more.
func (f *podFleet) memoryLimitPercent() float64 {
	return 100 * float64(f.svc.Resources.Limits.MemoryMiB) / float64(f.svc.Resources.Requests.MemoryMiB)
}

func (f *podFleet) step(now time.Duration, p Point) sample {
	// Nodes and pods that finished starting.
	for len(f.nodesStarting) > 0 && f.nodesStarting[0] <= now {
		f.nodes++
		f.nodesStarting = f.nodesStarting[1:]
	}
	for len(f.starting) > 0 && f.starting[0] <= now {
		f.ready++
		f.starting = f.starting[1:]
	}
	f.schedule(now)
	f.autoscaleNodes(now)

	var waiting, running, arrivals float64
	if f.worker {
		arrivals = p.JobsPerMinute
		waiting, running = f.queue.observe(now, f.opts.Step, p, f.slots())
	}
	cpu, mem := f.utilization(p, running)
	metrics := []MetricSample{
		{Average: cpu, Target: float64(f.svc.Targets.CPUPercent)},
		{Average: mem, Target: float64(f.svc.Targets.MemoryPercent)},
	}
	current := f.desired
	if f.queueTarget > 0 {
		// An external AverageValue metric divides by the Deployment's replicas, ready or not.
		// KEDA's RabbitMQ trigger over AMQP counts the messages ready for delivery: the jobs
		// waiting, not those a worker holds unacknowledged.
		metrics = append(metrics, MetricSample{Average: waiting / float64(current), Target: f.queueTarget, AllPods: true})
	}
	if now%SyncPeriod == 0 {
		f.resize(f.hpa.Sync(now, current, f.ready, metrics))
		f.schedule(now) // the scheduler binds new pods within the second, not the next step
	}

	load, atTarget, overloaded := p.RequestsPerMinute, cpu <= float64(f.svc.Targets.CPUPercent), false
	if f.worker {
		load = waiting
		perReplica := math.Inf(1)
		if f.ready > 0 {
			perReplica = waiting / float64(f.ready)
		}
		target := f.queueTarget
		if target == 0 {
			target = float64(max(1, f.svc.Concurrency))
		}
		overloaded, atTarget = perReplica > target, perReplica <= target
	} else {
		overloaded = p.RequestsPerMinute > float64(f.ready)*f.perPodRPM*f.cpuCeiling()/100
	}
	return sample{
		load: load, arrivals: arrivals, running: running, desired: f.desired, ready: f.ready, paid: f.ready + len(f.starting),
		minSize: f.hpa.Min, maxSize: f.hpa.Max,
		cpu: cpu, mem: mem, overloaded: overloaded, atTarget: atTarget,
		costPerHour: float64(f.nodes+len(f.nodesStarting)) * f.nodePrice,
	}
}

// schedule places pending pods where there is room.
func (f *podFleet) schedule(now time.Duration) {
	for f.pending > 0 && f.ready+len(f.starting) < f.room() {
		f.pending--
		f.starting = append(f.starting, now+f.opts.PodStart)
	}
}

// resize moves the Deployment to n replicas: new pods wait for room, removed ones go from the
// pending first, then the starting, then the ready.
func (f *podFleet) resize(n int) {
	for ; f.desired < n; f.desired++ {
		f.pending++
	}
	for ; f.desired > n; f.desired-- {
		switch {
		case f.pending > 0:
			f.pending--
		case len(f.starting) > 0:
			f.starting = f.starting[:len(f.starting)-1]
		default:
			f.ready--
		}
	}
}

// autoscaleNodes is cluster-autoscaler: nodes for pending pods (the service's, or placeholders
// they evicted) at once, an unneeded node removed after the scale-down delay. Placeholders, at a
// priority above its expendable cutoff, keep their nodes.
func (f *podFleet) autoscaleNodes(now time.Duration) {
	if f.unbounded {
		return
	}
	needed := f.nodesFor(f.desired + f.headroom)
	have := f.nodes + len(f.nodesStarting)
	if f.desired+f.headroom > f.room() && needed > have {
		for range needed - have {
			f.nodesStarting = append(f.nodesStarting, now+f.opts.NodeProvision)
		}
	}
	if f.nodes > needed && len(f.nodesStarting) == 0 {
		if f.unneededSince < 0 {
			f.unneededSince = now
		} else if now-f.unneededSince >= f.scaleDownWait {
			f.nodes--
			f.unneededSince = now
		}
	} else {
		f.unneededSince = -1
	}
}

// interrupt reclaims count nodes: their pods go back to pending, and cluster-autoscaler
// replaces the nodes.
func (f *podFleet) interrupt(count int) {
	count = min(count, f.nodes)
	f.nodes -= count
	lost := min(f.ready, count*f.podsPerNode)
	f.ready -= lost
	f.pending += lost
	if f.queue != nil {
		f.queue.lose(lost * max(1, f.svc.Concurrency))
	}
}

func (f *podFleet) jobs() *jobQueue { return f.queue }
