package simulation

import (
	"errors"
	"fmt"
	"time"

	"github.com/openwan/openwan-infra/capacity"
	"github.com/openwan/openwan-infra/config"
)

// Result is a simulation of every fleet a stack deploys over one trace.
type Result struct {
	// Trace is the trace's name; Duration its length; Start the wall-clock time it starts at
	// (a Monday 00:00 for the built-in traces), for a weekday axis.
	Trace    string
	Start    time.Time
	Duration time.Duration
	// Description is the trace's: what it is, and for a built-in the peak it was scaled to.
	Description string
	// Steps is the number of time steps simulated (per fleet).
	Steps int
	// Step is how far each step advanced the clock: Options.Step, SyncPeriod by default.
	Step time.Duration
	// Fleets are in the order eks-api, eks-worker, ec2-api, ec2-worker, those the stack has.
	Fleets []FleetResult
}

// Fleet returns the named fleet's result.
func (r *Result) Fleet(name string) (FleetResult, bool) {
	for _, f := range r.Fleets {
		if f.Name == name {
			return f, true
		}
	}
	return FleetResult{}, false
}

// stepper is one simulated fleet.
type stepper interface {
	step(now time.Duration, p Point) sample
	interrupt(count int)
	// jobs is a worker fleet's job queue, nil for an API fleet.
	jobs() *jobQueue
}

// Simulate replays trace through the fleets of cfg (the validated config the program deploys)
// under opts, in steps of opts.Step.
func Simulate(cfg config.Config, trace Trace, opts Options) (*Result, error) {
	if len(trace.Points) == 0 || trace.Points[0].At != 0 {
		return nil, errors.New("the trace needs points, the first at 0")
	}
	if opts.Step <= 0 || SyncPeriod%opts.Step != 0 || time.Minute%opts.Step != 0 || opts.RecordEvery%opts.Step != 0 {
		return nil, fmt.Errorf("step %v must divide the HPA's sync period %v, a minute and the record interval %v", opts.Step, SyncPeriod, opts.RecordEvery)
	}
	if opts.Settle < 0 || opts.Settle%time.Minute != 0 {
		return nil, fmt.Errorf("settle %v must be a whole number of minutes, 0 or more", opts.Settle)
	}
	for _, in := range opts.Interruptions {
		if in.At < 0 || in.At >= trace.Duration() {
			return nil, fmt.Errorf("the interruption of %s at %v is outside the trace, which is %v long", in.Fleet, in.At, trace.Duration())
		}
	}
	existing := cfg.Cluster.Enabled && cfg.Cluster.Existing.Enabled
	if !cfg.Cluster.EKS() && !existing && !cfg.EC2.Enabled {
		return nil, errors.New("the stack has no fleet to model: the EC2 path is off and so is the Kubernetes path")
	}
	if opts.InstanceBoot == 0 {
		opts.InstanceBoot = time.Duration(cfg.Capacity.ColdStartSeconds) * time.Second
	}
	type running struct {
		name string
		s    stepper
		t    *tracker
	}
	// The fleets run on their own clock, which starts opts.Settle before the trace: they are
	// created then and replay the trace's first load until it starts. A group's configured
	// desired count is only where it starts: AWS documents DesiredCapacity as "the initial
	// capacity of the Auto Scaling group at the time of its creation", which its scaling
	// policies and scheduled actions change from then on. Started at it with no metric history,
	// prod's API group met the load test at its created 3 and its scale-in alarm counted its 10
	// low minutes from the trace's start, removing an instance at minute 9 under a load that had
	// not changed (the ramp then put it back, which read as flapping); deployed, the group has
	// run at the night schedule's 2 since 22:00.
	settle := opts.Settle
	start := trace.Start.Add(-settle)
	var fleets []running
	end := trace.Duration()
	jobDuration := time.Duration(cfg.Capacity.Worker.JobMinutes) * time.Minute
	add := func(name string, s stepper, cpu, mem int, desired int) {
		fleets = append(fleets, running{name, s, newTracker(name, float64(cpu), float64(mem), opts, end, desired)})
	}
	if cfg.Cluster.EKS() {
		api, err := newPodFleet(cfg, "eks-api", false, cfg.API, cfg.Cluster.NodePools.API, cfg.Cluster.Headroom.APIPods, capacity.AddOns(cfg), opts)
		if err != nil {
			return nil, err
		}
		add("eks-api", api, cfg.API.Targets.CPUPercent, cfg.API.Targets.MemoryPercent, api.desired)
		worker, err := newPodFleet(cfg, "eks-worker", true, cfg.Worker, cfg.Cluster.NodePools.Workers, cfg.Cluster.Headroom.WorkerPods, config.Quantity{}, opts)
		if err != nil {
			return nil, err
		}
		worker.queue = newJobQueue(jobDuration, trace.MeasuredDepth)
		add("eks-worker", worker, cfg.Worker.Targets.CPUPercent, cfg.Worker.Targets.MemoryPercent, worker.desired)
	}
	if existing {
		// The cluster's nodes and their scaling are not this stack's: its pods are modelled with
		// room for every one of them, which the stack's user vouches for (the local stack's
		// integration test gives its node that room).
		api, err := newClusterPodFleet(cfg, "k8s-api", false, cfg.API, opts)
		if err != nil {
			return nil, err
		}
		add("k8s-api", api, cfg.API.Targets.CPUPercent, cfg.API.Targets.MemoryPercent, api.desired)
		worker, err := newClusterPodFleet(cfg, "k8s-worker", true, cfg.Worker, opts)
		if err != nil {
			return nil, err
		}
		worker.queue = newJobQueue(jobDuration, trace.MeasuredDepth)
		add("k8s-worker", worker, cfg.Worker.Targets.CPUPercent, cfg.Worker.Targets.MemoryPercent, worker.desired)
	}
	if cfg.EC2.Enabled {
		e := cfg.EC2
		api, err := newGroupFleet(cfg, "ec2-api", e.API.Fleet, e.API.InstanceType, start, opts)
		if err != nil {
			return nil, err
		}
		api.perInstanceRPM, err = capacity.RequestsPerMinute(cfg.Capacity, api.instance.VCPU*1000, 100)
		if err != nil {
			return nil, err
		}
		api.requests = e.API.Requests
		add("ec2-api", api, e.API.Targets.CPUPercent, e.API.Targets.MemoryPercent, api.desired)

		worker, err := newGroupFleet(cfg, "ec2-worker", e.Worker.Fleet, e.Worker.InstanceTypes[0], start, opts)
		if err != nil {
			return nil, err
		}
		worker.worker, worker.scaling = true, e.Worker.Queue
		worker.queue = newJobQueue(jobDuration, trace.MeasuredDepth)
		if worker.jobsPer, err = capacity.WorkerInstanceJobs(cfg); err != nil {
			return nil, err
		}
		base, pct := e.Worker.OnDemandBase, float64(e.Worker.OnDemandPercentAboveBase)/100
		worker.onDemand = func(n int) float64 {
			b := min(n, base)
			return float64(b) + float64(n-b)*pct
		}
		add("ec2-worker", worker, e.Worker.Targets.CPUPercent, e.Worker.Targets.MemoryPercent, worker.desired)
	}

	for clock := time.Duration(0); clock < settle; clock += opts.Step {
		for _, f := range fleets {
			f.t.startAt(f.s.step(clock, trace.Points[0]).desired)
		}
	}
	for _, f := range fleets {
		if q := f.s.jobs(); q != nil {
			q.restart(settle)
		}
	}

	cur := cursor{points: trace.Points}
	steps := 0
	next := 0 // the next interruption
	for now := time.Duration(0); now < end; now += opts.Step {
		for next < len(opts.Interruptions) && opts.Interruptions[next].At <= now {
			in := opts.Interruptions[next]
			for _, f := range fleets {
				if f.name == in.Fleet {
					f.s.interrupt(in.Count)
					f.t.event(now, fmt.Sprintf("%d interrupted", in.Count))
				}
			}
			next++
		}
		p := cur.at(now)
		for _, f := range fleets {
			f.t.observe(now, f.s.step(settle+now, p))
		}
		steps++
	}
	res := &Result{Trace: trace.Name, Start: trace.Start, Duration: end, Description: trace.Description, Steps: steps, Step: opts.Step}
	for _, f := range fleets {
		r := f.t.result()
		r.CapacityWithin = time.Duration(cfg.Capacity.TimeToCapacitySeconds) * time.Second
		if q := f.s.jobs(); q != nil && !q.measured {
			drain, wait, arrived := q.stats(settle + end)
			r.Queue = &QueueResult{Jobs: arrived, JobDuration: jobDuration, DrainTime: drain, OldestWait: wait}
		}
		res.Fleets = append(res.Fleets, r)
	}
	return res, nil
}
