// Package capacity turns the guide's capacity plan into arithmetic over the typed stack config:
// what a node of each instance type holds, how many requests a fleet serves, how many database
// connections the fleets open at their maxima, and what a stack costs. It imports no Pulumi or
// AWS package. Prices are config (openwan:capacity.prices), not hardware facts, so they are not
// here.
package capacity

import (
	"fmt"
	"maps"
	"slices"
)

// InstanceType is what the capacity math needs to know of an EC2 instance type.
type InstanceType struct {
	// VCPU is the number of vCPUs.
	VCPU int
	// MemoryMiB is the nominal memory (MiB).
	MemoryMiB int
	// MaxPods is the EKS VPC CNI pod limit of the type (ENIs x (IPs per ENI - 1) + 2).
	MaxPods int
}

// instanceTypes are the types the stacks may use. A type missing here is refused by Check rather
// than guessed at.
var instanceTypes = map[string]InstanceType{
	"t3.medium":  {VCPU: 2, MemoryMiB: 4096, MaxPods: 17},
	"t3.large":   {VCPU: 2, MemoryMiB: 8192, MaxPods: 35},
	"m5.large":   {VCPU: 2, MemoryMiB: 8192, MaxPods: 29},
	"m5.xlarge":  {VCPU: 4, MemoryMiB: 16384, MaxPods: 58},
	"c5.large":   {VCPU: 2, MemoryMiB: 4096, MaxPods: 29},
	"c5.xlarge":  {VCPU: 4, MemoryMiB: 8192, MaxPods: 58},
	"c5a.xlarge": {VCPU: 4, MemoryMiB: 8192, MaxPods: 58},
	"c5d.xlarge": {VCPU: 4, MemoryMiB: 8192, MaxPods: 58},
	"c6i.xlarge": {VCPU: 4, MemoryMiB: 8192, MaxPods: 58},
	"c6a.xlarge": {VCPU: 4, MemoryMiB: 8192, MaxPods: 58},
	"c5.2xlarge": {VCPU: 8, MemoryMiB: 16384, MaxPods: 58},
}

// Lookup returns the named type or an error naming its config key (without the "openwan:"
// prefix) and the known types.
func Lookup(key, name string) (InstanceType, error) {
	t, ok := instanceTypes[name]
	if !ok {
		known := slices.Sorted(maps.Keys(instanceTypes))
		return InstanceType{}, fmt.Errorf("openwan:%s: unknown instance type %q (known: %v)", key, name, known)
	}
	return t, nil
}
