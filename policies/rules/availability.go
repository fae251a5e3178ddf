package rules

import (
	"fmt"

	"github.com/openwan/openwan-infra/internal/model"
)

// bounds is what min-capacity and max-not-below-min read: a resource's lower and upper bound,
// with the input keys a message names.
type bounds struct {
	min, max       float64
	hasMin, hasMax bool
	minKey, maxKey string
	// unsetMin is what an autoscaler runs at without a minimum: an HPA 1 pod, KEDA 0 (scale to
	// zero); -1 where a minimum is required anyway.
	unsetMin         float64
	defaultMinReason string
}

func boundsOf(r model.Resource) (bounds, bool) {
	b := bounds{unsetMin: -1}
	switch r.Type {
	case model.TypeK8sHPA:
		b.minKey, b.maxKey = "spec.minReplicas", "spec.maxReplicas"
		b.unsetMin = 1
	case model.TypeKEDAScaledObject:
		b.minKey, b.maxKey = "spec.minReplicaCount", "spec.maxReplicaCount"
		b.unsetMin = 0
	case model.TypeAutoscalingGroup, model.TypeAutoscalingSchedule:
		b.minKey, b.maxKey = "minSize", "maxSize"
	case model.TypePulumiEKSManagedNodeGroup, model.TypeEKSNodeGroup:
		b.minKey, b.maxKey = "scalingConfig.minSize", "scalingConfig.maxSize"
	default:
		return b, false
	}
	b.min, b.hasMin = num(r.Inputs, b.minKey)
	b.max, b.hasMax = num(r.Inputs, b.maxKey)
	if !b.hasMin && b.unsetMin >= 0 && !declared(r.Inputs, b.minKey) {
		b.min, b.hasMin = b.unsetMin, true
		b.defaultMinReason = " (unset, so the autoscaler's default)"
	}
	return b, true
}

var minCapacity = Rule{
	Name:               "min-capacity",
	Description:        "Every HPA, ScaledObject, Auto Scaling Group, scheduled action and node group keeps at least `minimum` replicas.",
	Why:                "One replica is a single point of failure: a node drain, a spot interruption or a bad deploy takes the service down.",
	Level:              Advisory,
	StrictInProduction: true,
	Params: map[string]Param{
		"minimum": {Description: "lowest allowed minimum (replicas or instances)", Default: 2.0},
	},
	Check: func(r model.Resource, p Params) []string {
		b, ok := boundsOf(r)
		if !ok || !b.hasMin {
			return nil
		}
		if want := p.Number("minimum"); b.min < want {
			return []string{fmt.Sprintf("%s: %s is %s%s, below the minimum of %s; raise it to at least %s (the stack config's min)",
				label(r), b.minKey, fmtNum(b.min), b.defaultMinReason, fmtNum(want), fmtNum(want))}
		}
		return nil
	},
}

var maxNotBelowMin = Rule{
	Name:        "max-not-below-min",
	Description: "An autoscaler's maximum is at least its minimum.",
	Why:         "AWS and Kubernetes reject or silently clamp inverted bounds; the autoscaler then cannot scale at all.",
	Level:       Mandatory,
	Check: func(r model.Resource, _ Params) []string {
		b, ok := boundsOf(r)
		if !ok || !b.hasMin || !b.hasMax || b.max >= b.min {
			return nil
		}
		return []string{fmt.Sprintf("%s: %s %s is below %s %s; set max >= min", label(r), b.maxKey, fmtNum(b.max), b.minKey, fmtNum(b.min))}
	},
}

var autoscalerOwnsReplicas = Rule{
	Name:        "autoscaler-owns-replicas",
	Description: "A Deployment scaled by an HPA or ScaledObject sets no spec.replicas.",
	Why:         "A fixed replica count resets the autoscaler's choice on every `pulumi up` and shows as a perpetual diff.",
	Level:       Mandatory,
	CheckStack: func(s *Stack, _ Params) []Finding {
		var out []Finding
		for _, sc := range s.ScaledDeployments() {
			if n, ok := num(sc.Target.Inputs, "spec.replicas"); ok {
				out = append(out, Finding{URN: sc.Target.URN, Message: fmt.Sprintf(
					"%s: sets spec.replicas %s but %s owns its replica count; leave spec.replicas unset",
					label(sc.Target), fmtNum(n), label(sc.Scaler))})
			}
		}
		return out
	},
}

var disruptionBudget = Rule{
	Name:        "scaled-workload-disruption-budget",
	Description: "Every scaled Deployment has a PodDisruptionBudget selecting its pods.",
	Why:         "Without one, a node drain or cluster-autoscaler scale-in may evict every replica at once.",
	Level:       Mandatory,
	CheckStack: func(s *Stack, _ Params) []Finding {
		var out []Finding
		for _, sc := range s.ScaledDeployments() {
			labels := object(sc.Target.Inputs, "spec.template.metadata.labels")
			covered := false
			for _, pdb := range s.OfType(model.TypeK8sPodDisruptionBudget) {
				if selects(object(pdb.Inputs, "spec.selector.matchLabels"), labels) {
					covered = true
					break
				}
			}
			if !covered {
				out = append(out, Finding{URN: sc.Target.URN, Message: fmt.Sprintf(
					"%s: no PodDisruptionBudget selects its pods; add one with maxUnavailable 1 over its labels", label(sc.Target))})
			}
		}
		return out
	},
}

// selects reports whether a non-empty matchLabels selector matches labels.
func selects(selector, labels map[string]any) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

var gracefulShutdown = Rule{
	Name:        "scaled-workload-graceful",
	Description: "Every container of a scaled Deployment has a readiness probe and a preStop hook, and the pod a termination grace period.",
	Why:         "Scale-in kills pods all day: without these, requests are sent to pods not ready yet and cut off on pods going away.",
	Level:       Mandatory,
	CheckStack: func(s *Stack, _ Params) []Finding {
		var out []Finding
		for _, sc := range s.ScaledDeployments() {
			pod := object(sc.Target.Inputs, "spec.template.spec")
			if g, ok := num(pod, "terminationGracePeriodSeconds"); !ok || g <= 0 {
				out = append(out, Finding{URN: sc.Target.URN, Message: fmt.Sprintf(
					"%s: no terminationGracePeriodSeconds; set one long enough to finish in-flight work", label(sc.Target))})
			}
			for _, c := range objects(pod, "containers") {
				name, _ := str(c, "name")
				if _, ok := at(c, "readinessProbe"); !ok {
					out = append(out, Finding{URN: sc.Target.URN, Message: fmt.Sprintf(
						"%s: container %s has no readinessProbe; add one so new pods get traffic only when ready", label(sc.Target), name)})
				}
				if _, ok := at(c, "lifecycle.preStop"); !ok {
					out = append(out, Finding{URN: sc.Target.URN, Message: fmt.Sprintf(
						"%s: container %s has no lifecycle.preStop; add a short sleep so endpoints drop the pod before it stops", label(sc.Target), name)})
				}
			}
		}
		return out
	},
}
