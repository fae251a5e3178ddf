package simulation

import "time"

// Options are the model's assumptions beyond the stack config. Defaults documents each default
// and why it is honest.
type Options struct {
	// Step is the simulation's time step; the HPA syncs every step. Default 15 s, the
	// controller's sync period.
	Step time.Duration
	// PodStart is from a pod being scheduled on a node with room to passing its readiness probe
	// (image cached). Default 30 s.
	PodStart time.Duration
	// NodeProvision is from cluster-autoscaler seeing a pending pod to the new node being Ready:
	// its scan, the EC2 launch, boot, and kubelet registration. Default 150 s.
	NodeProvision time.Duration
	// InstanceBoot is from an Auto Scaling Group launching an instance to it being InService and
	// serving: boot, user data, container start, first health check. Zero (the default) takes
	// the stack's openwan:capacity.coldStartSeconds, the guide's cold-start target.
	InstanceBoot time.Duration
	// WarmStart is from an Auto Scaling Group starting a stopped warm-pool instance to it
	// serving: the instance's start with its packages and image already on disk, the enabled
	// services (Docker and the app's container) coming back by themselves. Default 30 s.
	WarmStart time.Duration
	// MemoryIdlePercent and MemoryPerCPU model an API process's memory (percent of its request
	// or of the instance): idle plus a share of CPU. Defaults 35 and 0.5, which reproduce the
	// guide's load test (65 % memory at 60 % CPU).
	MemoryIdlePercent, MemoryPerCPU float64
	// FlapWindow is how soon a scale event in the opposite direction of the previous one counts
	// as a reversal (flapping). Default 10 minutes.
	FlapWindow time.Duration
	// RecordEvery is the spacing of the recorded series (plots, CSV). Default 1 minute.
	RecordEvery time.Duration
	// Interruptions are spot interruptions to replay (optional).
	Interruptions []Interruption
	// Settle is how long the trace's first load is replayed before the trace starts, unrecorded,
	// so that every fleet starts where that load leaves it, as a deployed stack is found: its
	// groups scaled in by their alarms and set by the day's scheduled actions, its workers busy
	// with the jobs already queued. Zero starts every fleet at its creation-time size with no
	// metric history, a stack deployed the moment the trace starts. A multiple of a minute.
	// Default 24 h: every daily scheduled action runs once before the trace.
	Settle time.Duration
}

// Interruption takes Count instances or nodes of a spot fleet away at At.
type Interruption struct {
	// At is the offset from the trace's start.
	At time.Duration
	// Fleet is the fleet's name: "eks-worker" or "ec2-worker".
	Fleet string
	// Count is how many instances (nodes) are reclaimed.
	Count int
}

// Defaults are the model's assumptions.
func Defaults() Options {
	return Options{
		Step:              SyncPeriod,
		PodStart:          30 * time.Second,
		NodeProvision:     150 * time.Second,
		WarmStart:         30 * time.Second,
		MemoryIdlePercent: 35,
		MemoryPerCPU:      0.5,
		FlapWindow:        10 * time.Minute,
		RecordEvery:       time.Minute,
		Settle:            24 * time.Hour,
	}
}
