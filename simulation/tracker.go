package simulation

import (
	"slices"
	"time"
)

// Series is a fleet over time, one sample per Options.RecordEvery.
type Series struct {
	// At are the sample times (offset from the trace's start).
	At []time.Duration
	// Load is the fleet's load: requests/minute for API fleets, queued jobs (waiting to start)
	// for worker fleets.
	Load []float64
	// Arrivals are the jobs queued per minute (jobs/minute) and Running the jobs running (jobs)
	// on a worker fleet; zero for an API fleet. With a measured queue depth no job arrives, and
	// Running is what the ready workers hold of the depth.
	Arrivals, Running []float64
	// Desired is the replica (pod or instance) count the autoscaler asks for.
	Desired []float64
	// Ready is the count serving.
	Ready []float64
	// CPU and Memory are the average utilization of the ready replicas (percent of request,
	// or of the instance).
	CPU, Memory []float64
	// Min and Max are the autoscaler's bounds (scheduled actions move a group's).
	Min, Max []float64
	// CostUSD is the fleet's cost so far (USD, cumulative from the start).
	CostUSD []float64
}

// Event is something that happened to a fleet at a moment: a scheduled action, a spot
// interruption.
type Event struct {
	// At is its time from the trace's start.
	At time.Duration
	// Label says what it was.
	Label string
}

// FleetResult is what one fleet did over a trace.
type FleetResult struct {
	// Name is "eks-api", "eks-worker", "ec2-api" or "ec2-worker".
	Name string
	// CPUTarget and MemoryTarget are its autoscaler's targets (percent).
	CPUTarget, MemoryTarget float64
	// Series are the recorded samples.
	Series Series
	// OverloadMinutes is the time its ready replicas could not serve the load even at full
	// CPU (API), or held more than the queue target per replica (workers).
	OverloadMinutes float64
	// AboveTargetMinutes is the time its CPU was above the target.
	AboveTargetMinutes float64
	// PeakCPU is the highest CPU utilization seen; SteadyCPU the mean of the last 30 minutes.
	PeakCPU, SteadyCPU float64
	// ScaleEvents counts changes of the desired count; Reversals those that undo the previous
	// change within Options.FlapWindow (flapping).
	ScaleEvents, Reversals int
	// LoadSteps are the times of the steps up in load (+50 % within a minute), offset from the
	// trace's start.
	LoadSteps []time.Duration
	// TimeToCapacity is, for each of LoadSteps, the time until the fleet was back at or under
	// its target; -1 when it never was while the load held: the load fell back to where it was
	// before the step, or the trace ended, first.
	TimeToCapacity []time.Duration
	// MaxTimeToCapacity is the longest of TimeToCapacity, -1 if the fleet was never back after
	// one of the steps.
	MaxTimeToCapacity time.Duration
	// CapacityWithin is the bound MaxTimeToCapacity is judged against
	// (openwan:capacity.timeToCapacitySeconds).
	CapacityWithin time.Duration
	// ReplicaHours are pod- or instance-hours served or starting.
	ReplicaHours float64
	// CostUSD is what the fleet's instances (EKS: its node pool's nodes) cost over the trace.
	CostUSD float64
	// Events are its scheduled actions and interruptions, in time order.
	Events []Event
	// Queue is a worker fleet's job queue over the trace; nil for an API fleet, or when the
	// trace gives a measured depth instead of arrivals.
	Queue *QueueResult
}

// QueueResult is what a worker fleet did with the jobs of a trace.
type QueueResult struct {
	// Jobs is how many jobs arrived.
	Jobs int
	// JobDuration is how long each ran (openwan:capacity.worker.jobMinutes).
	JobDuration time.Duration
	// DrainTime is the longest backlog: from the first job of it that had to wait to the
	// finish of its last one; -1 when the trace ended with jobs still waiting.
	DrainTime time.Duration
	// OldestWait is the longest a job waited to start (a job still waiting at the end counts
	// its wait so far).
	OldestWait time.Duration
}

// tracker accumulates a FleetResult step by step.
type tracker struct {
	res        FleetResult
	opts       Options
	lastChange time.Duration
	lastDir    int
	lastDes    int
	prevLoad   []float64 // the load of the last minute of steps, for step detection
	stepStart  time.Duration
	stepFrom   float64 // the load before the step in progress
	inStep     bool
	steady     []float64
	end        time.Duration
}

func newTracker(name string, cpuTarget, memTarget float64, opts Options, end time.Duration, startDesired int) *tracker {
	return &tracker{res: FleetResult{Name: name, CPUTarget: cpuTarget, MemoryTarget: memTarget}, opts: opts, end: end,
		lastDes: startDesired, lastChange: -time.Hour}
}

// startAt sets the desired count the trace starts from, the first change being counted from
// it.
func (t *tracker) startAt(desired int) { t.lastDes = desired }

// sample is one step of a fleet.
type sample struct {
	load                 float64
	arrivals, running    float64 // jobs/minute queued, jobs running (workers)
	desired, ready, paid int
	minSize, maxSize     int
	event                string // a scheduled action that fired in this step
	cpu, mem             float64
	overloaded           bool
	atTarget             bool
	costPerHour          float64
}

func (t *tracker) observe(now time.Duration, s sample) {
	hours := t.opts.Step.Hours()
	minutes := t.opts.Step.Minutes()
	r := &t.res
	if s.overloaded {
		r.OverloadMinutes += minutes
	}
	if s.cpu > r.CPUTarget {
		r.AboveTargetMinutes += minutes
	}
	r.PeakCPU = max(r.PeakCPU, s.cpu)
	if t.end-now <= 30*time.Minute {
		t.steady = append(t.steady, s.cpu)
	}
	r.ReplicaHours += float64(s.paid) * hours
	r.CostUSD += s.costPerHour * hours
	if s.event != "" {
		t.event(now, s.event)
	}

	if s.desired != t.lastDes {
		dir := 1
		if s.desired < t.lastDes {
			dir = -1
		}
		r.ScaleEvents++
		if t.lastDir != 0 && dir != t.lastDir && now-t.lastChange <= t.opts.FlapWindow {
			r.Reversals++
		}
		t.lastDir, t.lastChange, t.lastDes = dir, now, s.desired
	}

	// A step up: the load rose by half within the last minute.
	perMinute := int(time.Minute / t.opts.Step)
	if len(t.prevLoad) >= perMinute {
		before := t.prevLoad[len(t.prevLoad)-perMinute]
		if !t.inStep && before > 0 && s.load >= 1.5*before && !s.atTarget {
			t.inStep, t.stepStart, t.stepFrom = true, now, before
			r.LoadSteps = append(r.LoadSteps, now)
		}
		t.prevLoad = t.prevLoad[1:]
	}
	t.prevLoad = append(t.prevLoad, s.load)
	switch {
	case t.inStep && s.load <= t.stepFrom:
		// The load went back to where it was before the step while the fleet was still behind:
		// being at target now says nothing about the capacity the step needed.
		r.TimeToCapacity = append(r.TimeToCapacity, -1)
		t.inStep = false
	case t.inStep && s.atTarget:
		r.TimeToCapacity = append(r.TimeToCapacity, now-t.stepStart)
		t.inStep = false
	}

	if now%t.opts.RecordEvery == 0 {
		se := &r.Series
		se.At = append(se.At, now)
		se.Load = append(se.Load, s.load)
		se.Arrivals = append(se.Arrivals, s.arrivals)
		se.Running = append(se.Running, s.running)
		se.Desired = append(se.Desired, float64(s.desired))
		se.Ready = append(se.Ready, float64(s.ready))
		se.CPU = append(se.CPU, s.cpu)
		se.Memory = append(se.Memory, s.mem)
		se.Min = append(se.Min, float64(s.minSize))
		se.Max = append(se.Max, float64(s.maxSize))
		se.CostUSD = append(se.CostUSD, r.CostUSD)
	}
}

// event records something that happened to the fleet.
func (t *tracker) event(now time.Duration, label string) {
	t.res.Events = append(t.res.Events, Event{At: now, Label: label})
}

func (t *tracker) result() FleetResult {
	r := t.res
	if t.inStep {
		r.TimeToCapacity = append(slices.Clip(r.TimeToCapacity), -1) // the trace ended first
	}
	for _, d := range r.TimeToCapacity {
		r.MaxTimeToCapacity = max(r.MaxTimeToCapacity, d)
	}
	if slices.Contains(r.TimeToCapacity, -1) {
		r.MaxTimeToCapacity = -1
	}
	if len(t.steady) > 0 {
		sum := 0.0
		for _, c := range t.steady {
			sum += c
		}
		r.SteadyCPU = sum / float64(len(t.steady))
	}
	return r
}
