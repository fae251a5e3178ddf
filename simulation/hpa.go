// Package simulation replays a load trace through the autoscalers a stack's config declares (the
// Kubernetes HPA and KEDA, EC2 target tracking, step scaling, the scale-in alarm and scheduled
// actions) and a workload model built from the capacity figures, so a scaling configuration can
// be judged against the guide's promises before `pulumi up`. It reads the typed config the
// program deploys from and imports no Pulumi or AWS package.
package simulation

import (
	"math"
	"time"

	"github.com/openwan/openwan-infra/config"
)

// SyncPeriod is the HPA controller's default --horizontal-pod-autoscaler-sync-period.
const SyncPeriod = 15 * time.Second

// DefaultTolerance is the HPA controller's default --horizontal-pod-autoscaler-tolerance: a
// usage ratio within 10 % of 1 changes nothing.
const DefaultTolerance = 0.1

// MetricSample is one metric of one sync: the average over the ready pods and its target, in
// the same unit (percent of request for utilization, messages per pod for a queue).
type MetricSample struct {
	// Average is the metric averaged over the ready pods.
	Average float64
	// Target is the HPA's target for it.
	Target float64
	// AllPods marks an external metric averaged over all the Deployment's replicas, ready or
	// not (a KEDA queue trigger's AverageValue): readiness does not adjust it.
	AllPods bool
}

// HPA is the horizontal pod autoscaler's replica calculation as the Kubernetes controller does it
// (pkg/controller/podautoscaler): per-metric proposals with the tolerance and the treatment of
// unready pods, the largest proposal, the stabilization windows and the behavior's rate limits,
// then the min/max bounds.
type HPA struct {
	// Min and Max bound the replicas.
	Min, Max int
	// Tolerance is the dead band around a usage ratio of 1.
	Tolerance float64
	// Up and Down are the behavior of each direction.
	Up, Down config.Behavior

	recommendations []timed // proposals of past syncs, for the stabilization windows
	upEvents        []timed // replicas added, for the scale-up policies' periods
	downEvents      []timed // replicas removed, for the scale-down policies' periods
}

type timed struct {
	at time.Duration
	n  int
}

// NewHPA is the HPA of a service's config.
func NewHPA(s config.Service) *HPA {
	return &HPA{Min: s.Replicas.Min, Max: s.Replicas.Max, Tolerance: DefaultTolerance, Up: s.ScaleUp, Down: s.ScaleDown}
}

// Proposal is one metric's replica count: ceil(current x average/target), where on a scale-up
// unready pods count as using nothing and on a scale-down as using exactly the target, and a
// ratio within the tolerance (or one that flips direction once unready pods count) keeps the
// current count.
func (h *HPA) Proposal(current, ready int, m MetricSample) int {
	if current == 0 || m.Target <= 0 {
		return current
	}
	if ready <= 0 {
		return current // no metrics yet: the controller does not act on missing data
	}
	ratio := m.Average / m.Target
	if ready == current {
		if math.Abs(ratio-1) <= h.Tolerance {
			return current
		}
		return int(math.Ceil(ratio * float64(ready)))
	}
	unready := float64(current - ready)
	assumed := 0.0 // scaling up: a pod not ready yet uses nothing
	if ratio < 1 {
		assumed = m.Target // scaling down: assume it is right at the target
	}
	newRatio := (m.Average*float64(ready) + assumed*unready) / (m.Target * float64(current))
	if math.Abs(newRatio-1) <= h.Tolerance || (ratio > 1) != (newRatio > 1) {
		return current
	}
	return int(math.Ceil(newRatio * float64(current)))
}

// Sync runs one controller sync at now and returns the new replica count.
func (h *HPA) Sync(now time.Duration, current, ready int, metrics []MetricSample) int {
	h.upEvents = prune(h.upEvents, now, h.Up.Policies)
	h.downEvents = prune(h.downEvents, now, h.Down.Policies)
	proposal := 0
	for _, m := range metrics {
		r := ready
		if m.AllPods {
			r = current
		}
		proposal = max(proposal, h.Proposal(current, r, m))
	}
	if len(metrics) == 0 {
		proposal = current
	}
	desired := h.stabilize(now, current, proposal)
	desired = h.limit(now, current, desired)
	switch {
	case desired > current:
		h.upEvents = append(h.upEvents, timed{now, desired - current})
	case desired < current:
		h.downEvents = append(h.downEvents, timed{now, current - desired})
	}
	return desired
}

// stabilize records the proposal and returns current moved towards it no further than the
// lowest proposal of the scale-up window and the highest of the scale-down window allow.
func (h *HPA) stabilize(now time.Duration, current, proposal int) int {
	h.recommendations = append(h.recommendations, timed{now, proposal})
	upWindow := time.Duration(h.Up.StabilizationSeconds) * time.Second
	downWindow := time.Duration(h.Down.StabilizationSeconds) * time.Second
	keep := max(upWindow, downWindow)
	up, down := proposal, proposal
	first := 0
	for i, r := range h.recommendations {
		age := now - r.at
		if age > keep {
			first = i + 1
			continue
		}
		if age <= upWindow {
			up = min(up, r.n)
		}
		if age <= downWindow {
			down = max(down, r.n)
		}
	}
	h.recommendations = h.recommendations[first:]
	out := current
	if out < up {
		out = up
	}
	if out > down {
		out = down
	}
	return out
}

// limit applies the behavior's policies and the bounds.
func (h *HPA) limit(now time.Duration, current, desired int) int {
	switch {
	case desired > current:
		ceiling := min(h.Max, max(current, h.scaleUpLimit(now, current)))
		desired = min(desired, ceiling)
	case desired < current:
		floor := max(h.Min, min(current, h.scaleDownLimit(now, current)))
		desired = max(desired, floor)
	}
	return min(max(desired, h.Min), h.Max)
}

// changedWithin sums the events of the last period.
func changedWithin(events []timed, now time.Duration, periodSeconds int) int {
	sum := 0
	for _, e := range events {
		if now-e.at < time.Duration(periodSeconds)*time.Second {
			sum += e.n
		}
	}
	return sum
}

func (h *HPA) scaleUpLimit(now time.Duration, current int) int {
	if h.Up.SelectPolicy == "Disabled" {
		return current
	}
	pickMin := h.Up.SelectPolicy == "Min"
	result := math.MinInt
	if pickMin {
		result = math.MaxInt
	}
	for _, p := range h.Up.Policies {
		start := current - changedWithin(h.upEvents, now, p.PeriodSeconds) + changedWithin(h.downEvents, now, p.PeriodSeconds)
		proposed := start + p.Value
		if p.Type == "Percent" {
			proposed = int(math.Ceil(float64(start) * (1 + float64(p.Value)/100)))
		}
		if pickMin {
			result = min(result, proposed)
		} else {
			result = max(result, proposed)
		}
	}
	return result
}

func (h *HPA) scaleDownLimit(now time.Duration, current int) int {
	if h.Down.SelectPolicy == "Disabled" {
		return current
	}
	pickMin := h.Down.SelectPolicy == "Min" // "Min" is the policy that changes least: the highest count
	result := math.MaxInt
	if pickMin {
		result = math.MinInt
	}
	for _, p := range h.Down.Policies {
		start := current + changedWithin(h.downEvents, now, p.PeriodSeconds) - changedWithin(h.upEvents, now, p.PeriodSeconds)
		proposed := start - p.Value
		if p.Type == "Percent" {
			proposed = int(float64(start) * (1 - float64(p.Value)/100))
		}
		if pickMin {
			result = max(result, proposed)
		} else {
			result = min(result, proposed)
		}
	}
	return result
}

// prune drops events older than every policy's period.
func prune(events []timed, now time.Duration, policies []config.ScalingPolicy) []timed {
	longest := 0
	for _, p := range policies {
		longest = max(longest, p.PeriodSeconds)
	}
	first := 0
	for first < len(events) && now-events[first].at >= time.Duration(longest)*time.Second {
		first++
	}
	return events[first:]
}
