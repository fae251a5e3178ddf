// Package capacity turns the guide's capacity plan into arithmetic over the typed stack config:
// which instance types exist and what a node of each can hold. It imports no Pulumi or AWS
// package.
package capacity

import (
	"fmt"
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
	// HourlyUSD is the us-east-1 Linux on-demand price (USD per hour).
	HourlyUSD float64
}

// InstanceTypes are the types the stacks may use. A type missing here is refused by Check rather
// than guessed at.
var InstanceTypes = map[string]InstanceType{
	"t3.medium":  {VCPU: 2, MemoryMiB: 4096, MaxPods: 17, HourlyUSD: 0.0416},
	"t3.large":   {VCPU: 2, MemoryMiB: 8192, MaxPods: 35, HourlyUSD: 0.0832},
	"m5.large":   {VCPU: 2, MemoryMiB: 8192, MaxPods: 29, HourlyUSD: 0.096},
	"m5.xlarge":  {VCPU: 4, MemoryMiB: 16384, MaxPods: 58, HourlyUSD: 0.192},
	"c5.large":   {VCPU: 2, MemoryMiB: 4096, MaxPods: 29, HourlyUSD: 0.085},
	"c5.xlarge":  {VCPU: 4, MemoryMiB: 8192, MaxPods: 58, HourlyUSD: 0.17},
	"c5a.xlarge": {VCPU: 4, MemoryMiB: 8192, MaxPods: 58, HourlyUSD: 0.154},
	"c5d.xlarge": {VCPU: 4, MemoryMiB: 8192, MaxPods: 58, HourlyUSD: 0.192},
	"c6i.xlarge": {VCPU: 4, MemoryMiB: 8192, MaxPods: 58, HourlyUSD: 0.17},
	"c6a.xlarge": {VCPU: 4, MemoryMiB: 8192, MaxPods: 58, HourlyUSD: 0.153},
	"c5.2xlarge": {VCPU: 8, MemoryMiB: 16384, MaxPods: 58, HourlyUSD: 0.34},
}

// lookup returns the named type or an error naming the config key and the known types.
func lookup(key, name string) (InstanceType, error) {
	t, ok := InstanceTypes[name]
	if !ok {
		known := make([]string, 0, len(InstanceTypes))
		for k := range InstanceTypes {
			known = append(known, k)
		}
		slices.Sort(known)
		return InstanceType{}, fmt.Errorf("openwan:%s: unknown instance type %q (known: %v)", key, name, known)
	}
	return t, nil
}
