package kube

import (
	"fmt"
	"slices"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/config"
)

// Behavior is one direction of an HPA's scaling behavior.
type Behavior struct {
	// StabilizationSeconds is the recommendation window (s, 0 to 3600).
	StabilizationSeconds int
	// Policies limit the change per period; at least one unless SelectPolicy is "Disabled".
	Policies []Policy
	// SelectPolicy is "Max", "Min" or "Disabled".
	SelectPolicy string
}

// Policy is one HPA scaling policy.
type Policy struct {
	// Type is "Pods" or "Percent" (of the current count).
	Type string
	// Value is how many pods, or what percent, may change per period (1 or more).
	Value int
	// PeriodSeconds is the period (s, 1 to 1800).
	PeriodSeconds int
}

// Resources are a container's requests or limits.
type Resources struct {
	// CPUMillis is CPU in millicores; MemoryMiB memory in MiB.
	CPUMillis, MemoryMiB int
	// EphemeralGiB is local ephemeral storage in GiB; 0 leaves it out.
	EphemeralGiB int
}

// Toleration lets pods onto nodes with a matching NoSchedule taint.
type Toleration struct {
	// Key and Value are the taint's; Key must not be empty.
	Key, Value string
}

// tolerationArgs are the pod spec's tolerations of ts.
func tolerationArgs(ts []Toleration) corev1.TolerationArray {
	out := corev1.TolerationArray{}
	for _, t := range ts {
		out = append(out, &corev1.TolerationArgs{
			Key: pulumi.String(t.Key), Operator: pulumi.String("Equal"), Value: pulumi.String(t.Value), Effect: pulumi.String("NoSchedule"),
		})
	}
	return out
}

// validate checks the behavior as the Kubernetes API will (its limits are config's
// MaxHPAStabilizationSeconds and MaxHPAPolicyPeriodSeconds), naming its fields under field: a bad
// value would be refused only once the objects before it exist.
func (b Behavior) validate(field string) []error {
	var errs []error
	if b.StabilizationSeconds < 0 || b.StabilizationSeconds > config.MaxHPAStabilizationSeconds {
		errs = append(errs, fmt.Errorf("%s.StabilizationSeconds: %d is outside [0, %d]", field, b.StabilizationSeconds, config.MaxHPAStabilizationSeconds))
	}
	if selects := []string{"Max", "Min", "Disabled"}; !slices.Contains(selects, b.SelectPolicy) {
		errs = append(errs, fmt.Errorf("%s.SelectPolicy: %q is not one of %q", field, b.SelectPolicy, selects))
	}
	if len(b.Policies) == 0 && b.SelectPolicy != "Disabled" {
		errs = append(errs, fmt.Errorf("%s.Policies: must hold at least one policy", field))
	}
	for i, p := range b.Policies {
		at := fmt.Sprintf("%s.Policies[%d]", field, i)
		if p.Type != "Pods" && p.Type != "Percent" {
			errs = append(errs, fmt.Errorf("%s.Type: %q is not \"Pods\" or \"Percent\"", at, p.Type))
		}
		if p.Value < 1 {
			errs = append(errs, fmt.Errorf("%s.Value: %d is below 1", at, p.Value))
		}
		if p.PeriodSeconds < 1 || p.PeriodSeconds > config.MaxHPAPolicyPeriodSeconds {
			errs = append(errs, fmt.Errorf("%s.PeriodSeconds: %d is outside [1, %d]", at, p.PeriodSeconds, config.MaxHPAPolicyPeriodSeconds))
		}
	}
	return errs
}

// Validate checks that CPU and memory are set, naming them under field: utilization is measured against requests, and a
// pod without them is the first evicted.
func (r Resources) Validate(field string) []error {
	var errs []error
	if r.CPUMillis < 1 {
		errs = append(errs, fmt.Errorf("%s.CPUMillis: %d is below 1", field, r.CPUMillis))
	}
	if r.MemoryMiB < 1 {
		errs = append(errs, fmt.Errorf("%s.MemoryMiB: %d is below 1", field, r.MemoryMiB))
	}
	return errs
}

// checkReplicas checks 1 <= min <= max for the fields minField and maxField.
func checkReplicas(minField string, minReplicas int, maxField string, maxReplicas int) []error {
	var errs []error
	if minReplicas < 1 {
		errs = append(errs, fmt.Errorf("%s: %d is below 1", minField, minReplicas))
	}
	if maxReplicas < minReplicas {
		errs = append(errs, fmt.Errorf("%s: %d is below %s %d", maxField, maxReplicas, minField, minReplicas))
	}
	return errs
}

// checkPercent checks that a utilization target lies in (0, 100].
func checkPercent(field string, percent int) []error {
	if percent <= 0 || percent > 100 {
		return []error{fmt.Errorf("%s: %d is outside (0, 100]", field, percent)}
	}
	return nil
}

// Quantities are the Kubernetes resource quantities of r (cpu, memory, and ephemeral-storage when set).
func Quantities(r Resources) pulumi.StringMap {
	q := pulumi.StringMap{
		"cpu":    pulumi.Sprintf("%dm", r.CPUMillis),
		"memory": pulumi.Sprintf("%dMi", r.MemoryMiB),
	}
	if r.EphemeralGiB > 0 {
		q["ephemeral-storage"] = pulumi.Sprintf("%dGi", r.EphemeralGiB)
	}
	return q
}
