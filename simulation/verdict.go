package simulation

import (
	"fmt"
	"time"
)

// Checks a fleet's run is judged by, each a target of the autoscaling guide.
const (
	// CheckOverload: the ready replicas always served the load.
	CheckOverload = "overload"
	// CheckCapacity: after each load step the fleet was back at its target within the stack's
	// openwan:capacity.timeToCapacitySeconds (the guide's "aggressive scale-out": 5 minutes).
	CheckCapacity = "capacity"
	// CheckFlapping: no scaling decision was undone within the flap window.
	CheckFlapping = "flapping"
)

// Checks are every check, in the order a verdict lists them.
func Checks() []string { return []string{CheckOverload, CheckCapacity, CheckFlapping} }

// Verdict is what a fleet's run misses of the guide's targets, by check; empty when it meets all.
func (f FleetResult) Verdict() map[string]string {
	out := map[string]string{}
	if f.OverloadMinutes > 0 {
		out[CheckOverload] = fmt.Sprintf("overloaded %.1f min", f.OverloadMinutes)
	}
	switch {
	case f.MaxTimeToCapacity < 0:
		out[CheckCapacity] = "never back at its target after a load step"
	case f.MaxTimeToCapacity > f.CapacityWithin:
		out[CheckCapacity] = fmt.Sprintf("capacity after %v > %v", f.MaxTimeToCapacity.Round(time.Second), f.CapacityWithin)
	}
	if f.Reversals > 0 {
		out[CheckFlapping] = fmt.Sprintf("%d reversals", f.Reversals)
	}
	return out
}
