package simulation

import (
	"maps"
	"math"
	"slices"
	"time"

	"github.com/openwan/openwan-infra/capacity"
	"github.com/openwan/openwan-infra/config"
)

// Target tracking's alarms, as AWS creates them for a 1-minute metric: scale-out after 3
// consecutive breaching minutes. (Scale-in by target tracking is disabled in this stack: the
// all-signals-low alarm does it.)
const trackingOutMinutes = 3

// groupFleet is an Auto Scaling Group under the stack's policies: target tracking on CPU,
// memory (and backlog per instance for workers), step scaling on requests per target (API), the
// all-signals-low scale-in alarm, and the scheduled actions.
type groupFleet struct {
	name   string
	worker bool
	fleet  config.Fleet
	opts   Options

	minSize, maxSize, desired int
	fired                     string // the scheduled action of the current minute, for the record
	inService                 int
	launching                 []time.Duration // InService times

	// The warm pool: stopped instances a launch starts (warm), those being prepared to refill
	// it (InService-like ready times), its size, and what its volumes cost per hour (USD).
	warm, warmSize    int
	warming           []time.Duration
	warmVolumePerHour float64

	schedules []scheduled
	clock     time.Time // wall clock of offset 0, in the group's time zone

	perInstanceRPM float64 // API: requests/minute at 100 % CPU
	requests       config.RequestScaling
	scaling        config.QueueScaling // worker: the backlog-per-instance policy
	jobsPer        int                 // worker: jobs per instance
	queue          *jobQueue           // worker: the job queue
	job            config.WorkerCapacity
	instance       capacity.InstanceType

	cpuHigh, memHigh, backlogHigh, requestsHigh int // consecutive breaching minutes
	lowMinutes                                  int
	lastStep                                    time.Duration
	// coolUntil is when the scale-in policy may act again. It is a simple scaling policy, and
	// AWS makes simple scaling wait out a cooldown after every launch or termination of the
	// group, counted from the last instance's launch or termination: the policy's own
	// (openwan:ec2.*.scaleIn.cooldownSeconds) after its own scale-in, the group's default
	// cooldown after any other ("Scaling cooldowns for Amazon EC2 Auto Scaling", EC2 Auto
	// Scaling User Guide).
	coolUntil time.Duration
	scaledIn  bool // the scale-in policy lowered desired this minute

	onDemand            func(n int) float64
	price, spotDiscount float64
}

type scheduled struct {
	name                  string
	cron                  config.Cron
	min, max, desiredSize int
}

func newGroupFleet(cfg config.Config, name string, f config.Fleet, instanceType string, start time.Time, opts Options) (*groupFleet, error) {
	t, err := capacity.Lookup("ec2.instanceType", instanceType)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(cfg.EC2.TimeZone)
	if err != nil {
		return nil, err
	}
	g := &groupFleet{
		name: name, fleet: f, opts: opts,
		minSize: f.Size.Min, maxSize: f.Size.Max, desired: f.Desired, inService: f.Desired,
		clock: start.In(loc), instance: t, job: cfg.Capacity.Worker,
		// Created with its desired instances in service: their launch starts the default cooldown.
		lastStep: -time.Hour, coolUntil: time.Duration(f.DefaultCooldownSeconds) * time.Second,
		price: cfg.Capacity.Prices[instanceType], spotDiscount: float64(cfg.Capacity.SpotDiscountPercent) / 100,
		onDemand: func(n int) float64 { return float64(n) },
	}
	if name == "ec2-api" {
		g.warmSize, g.warm = cfg.EC2.API.WarmPool.Size, cfg.EC2.API.WarmPool.Size
		g.warmVolumePerHour = float64(f.RootVolumeGiB) * cfg.Capacity.VolumeGiBMonthUSD / float64(cfg.Capacity.HoursPerMonth)
	}
	for _, key := range slices.Sorted(maps.Keys(f.Schedules)) {
		a := f.Schedules[key]
		c, err := config.ParseCron(a.Recurrence)
		if err != nil {
			return nil, err
		}
		b := a.Bounds(f.Size)
		g.schedules = append(g.schedules, scheduled{key, c, b.Min, b.Max, a.Desired})
	}
	return g, nil
}

// utilization is the in-service instances' average CPU and memory (percent): requests for the
// API, running jobs for the workers.
func (g *groupFleet) utilization(p Point, running float64) (cpu, mem float64) {
	if g.inService == 0 {
		return 0, 0
	}
	n := float64(g.inService)
	if g.worker {
		busy := math.Min(running, n*float64(g.jobsPer))
		cpu = busy * float64(g.job.JobCPUMillis) / (n * float64(g.instance.VCPU*1000)) * 100
		mem = busy * float64(g.job.JobMemoryMiB) / (n * float64(g.instance.MemoryMiB)) * 100
		return math.Min(cpu, 100), mem
	}
	cpu = math.Min(p.RequestsPerMinute/(n*g.perInstanceRPM)*100, 100)
	return cpu, g.opts.MemoryIdlePercent + g.opts.MemoryPerCPU*cpu
}

func (g *groupFleet) step(now time.Duration, p Point) sample {
	for len(g.launching) > 0 && g.launching[0] <= now {
		g.inService++
		g.coolUntil = max(g.coolUntil, g.launching[0]+g.defaultCooldown())
		g.launching = g.launching[1:]
	}
	for len(g.warming) > 0 && g.warming[0] <= now {
		g.warm++
		g.warming = g.warming[1:]
	}
	var waiting, running, arrivals float64
	if g.worker {
		arrivals = p.JobsPerMinute
		waiting, running = g.queue.observe(now, g.opts.Step, p, g.inService*g.jobsPer)
	}
	cpu, mem := g.utilization(p, running)
	perInstance := 0.0
	if g.inService > 0 {
		perInstance = p.RequestsPerMinute / float64(g.inService)
		if g.worker {
			// Amazon MQ's MessageCount is ready and unacknowledged messages ("the total
			// number of MessageReadyCount and MessageUnacknowledgedCount"): the jobs
			// running count too.
			perInstance = (waiting + running) / float64(g.inService)
		}
	}
	if now%time.Minute == 0 {
		g.minute(now, cpu, mem, perInstance)
	}
	if g.converge(now) > 0 {
		if g.scaledIn {
			g.coolUntil = now + time.Duration(g.fleet.ScaleIn.CooldownSeconds)*time.Second
		} else {
			g.coolUntil = max(g.coolUntil, now+g.defaultCooldown())
		}
	}
	g.scaledIn = false

	load, overloaded, atTarget := p.RequestsPerMinute, false, cpu <= float64(g.fleet.Targets.CPUPercent)
	if g.worker {
		load = waiting
		overloaded = g.inService == 0 || perInstance > float64(g.scaling.ScaleOutPerInstance)
		atTarget = !overloaded
	} else {
		overloaded = p.RequestsPerMinute > float64(g.inService)*g.perInstanceRPM
	}
	paid := g.inService + len(g.launching)
	od := g.onDemand(paid)
	event := g.fired
	g.fired = ""
	return sample{
		load: load, arrivals: arrivals, running: running, desired: g.desired, ready: g.inService, paid: paid, cpu: cpu, mem: mem,
		minSize: g.minSize, maxSize: g.maxSize, event: event,
		overloaded: overloaded, atTarget: atTarget,
		costPerHour: od*g.price + (float64(paid)-od)*g.price*(1-g.spotDiscount) +
			float64(g.warm+len(g.warming))*g.warmVolumePerHour,
	}
}

// minute is one CloudWatch period: schedules, alarms and the policies they trigger.
func (g *groupFleet) minute(now time.Duration, cpu, mem, perInstance float64) {
	wall := g.clock.Add(now)
	for _, s := range g.schedules {
		if s.cron.Matches(wall) {
			g.minSize, g.maxSize, g.desired = s.min, s.max, s.desiredSize
			g.fired = s.name
		}
	}
	count := func(n *int, breaching bool) int {
		if breaching {
			*n++
		} else {
			*n = 0
		}
		return *n
	}
	n := float64(g.inService)
	// Target tracking (out only): the capacity that brings the metric to its target, counting
	// the instances still launching as already there.
	track := func(counter *int, metric, target float64) {
		if count(counter, metric > target) >= trackingOutMinutes && n > 0 {
			g.desired = max(g.desired, int(math.Ceil(n*metric/target)))
		}
	}
	track(&g.cpuHigh, cpu, float64(g.fleet.Targets.CPUPercent))
	track(&g.memHigh, mem, float64(g.fleet.Targets.MemoryPercent))
	low := cpu < float64(g.fleet.ScaleIn.CPUBelowPercent) && mem < float64(g.fleet.ScaleIn.MemoryBelowPercent)
	if g.worker {
		track(&g.backlogHigh, perInstance, float64(g.scaling.ScaleOutPerInstance))
		low = low && perInstance < float64(g.scaling.ScaleInPerInstance)
	} else {
		// Step scaling on requests per target: two breaching minutes, then the step of the
		// breach adds a share of the group, at most once per instance warm-up.
		threshold := float64(g.requests.ScaleOutPerMinute)
		if count(&g.requestsHigh, perInstance > threshold) >= 2 && now-g.lastStep >= time.Duration(g.fleet.InstanceWarmupSeconds)*time.Second {
			breach := (perInstance - threshold) / threshold * 100
			add := 0
			for _, s := range g.requests.Steps {
				if breach >= float64(s.BreachPercent) {
					add = s.AddPercent
				}
			}
			g.desired += max(1, int(math.Ceil(float64(g.desired)*float64(add)/100)))
			g.lastStep = now
		}
		low = low && perInstance < float64(g.requests.ScaleInPerMinute)
	}
	// The all-signals-low alarm removes one instance per cooldown. While the alarm stays in
	// ALARM, CloudWatch invokes the Auto Scaling action again every minute, so the next one
	// goes as soon as the cooldown allows.
	// Nor while a launch is pending or under way (a scheduled action's, the policies'): the
	// cooldown runs from its end.
	idle := len(g.launching) == 0 && g.inService >= g.desired
	if count(&g.lowMinutes, low) >= g.fleet.ScaleIn.Minutes && idle && now >= g.coolUntil && g.desired > g.minSize {
		g.desired--
		g.scaledIn = true
	}
	g.desired = min(max(g.desired, g.minSize), g.maxSize)
}

// defaultCooldown is the group's default cooldown (openwan:ec2.*.defaultCooldownSeconds).
func (g *groupFleet) defaultCooldown() time.Duration {
	return time.Duration(g.fleet.DefaultCooldownSeconds) * time.Second
}

// converge launches or terminates instances towards the desired capacity and returns how many
// it terminated. A launch starts a warm-pool instance when there is one, and the pool prepares a
// replacement (a cold boot); a terminated instance goes back to the pool while it is short (the
// reuse policy).
func (g *groupFleet) converge(now time.Duration) (terminated int) {
	for g.inService+len(g.launching) < g.desired {
		boot := g.opts.InstanceBoot
		if g.warm > 0 {
			g.warm--
			boot = g.opts.WarmStart
			g.warming = append(g.warming, now+g.opts.InstanceBoot)
		}
		g.launching = append(g.launching, now+boot)
		slices.Sort(g.launching)
	}
	for g.inService+len(g.launching) > g.desired {
		if len(g.launching) > 0 {
			g.launching = g.launching[:len(g.launching)-1]
		} else {
			g.inService--
		}
		if g.warm+len(g.warming) < g.warmSize {
			g.warm++
		}
		terminated++
	}
	return terminated
}

// interrupt reclaims count instances; the group launches replacements.
func (g *groupFleet) interrupt(count int) {
	count = min(count, g.inService)
	g.inService -= count
	if g.queue != nil {
		g.queue.lose(count * g.jobsPer)
	}
}

func (g *groupFleet) jobs() *jobQueue { return g.queue }
