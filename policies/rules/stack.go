package rules

import (
	"cmp"
	"slices"

	"github.com/openwan/openwan-infra/internal/model"
)

// Stack is every resource of one stack, indexed for the cross-resource rules.
type Stack struct {
	// Name is the stack's name, e.g. "prod".
	Name      string
	resources []model.Resource
	byURN     map[string]model.Resource
}

// NewStack indexes the resources of stack name.
func NewStack(name string, resources []model.Resource) *Stack {
	s := &Stack{Name: name, resources: resources, byURN: make(map[string]model.Resource, len(resources))}
	for _, r := range resources {
		s.byURN[r.URN] = r
	}
	return s
}

// Resources are the stack's resources in the order given.
func (s *Stack) Resources() []model.Resource { return s.resources }

// OfType returns the resources of any of the given types.
func (s *Stack) OfType(types ...string) []model.Resource {
	var out []model.Resource
	for _, r := range s.resources {
		if slices.Contains(types, r.Type) {
			out = append(out, r)
		}
	}
	return out
}

// Get returns the resource with the given URN.
func (s *Stack) Get(urn string) (model.Resource, bool) {
	r, ok := s.byURN[urn]
	return r, ok
}

// DependedOn returns the resources of type typ that r's input key (any input when key is "")
// was computed from.
func (s *Stack) DependedOn(r model.Resource, key, typ string) []model.Resource {
	var out []model.Resource
	for k, urns := range r.PropertyDependencies {
		if key != "" && k != key {
			continue
		}
		for _, urn := range urns {
			if dep, ok := s.byURN[urn]; ok && dep.Type == typ && !slices.ContainsFunc(out, func(o model.Resource) bool { return o.URN == urn }) {
				out = append(out, dep)
			}
		}
	}
	slices.SortFunc(out, func(a, b model.Resource) int { return cmp.Compare(a.URN, b.URN) })
	return out
}

// Dependents returns the resources of the given types with an input computed from target.
func (s *Stack) Dependents(target model.Resource, types ...string) []model.Resource {
	var out []model.Resource
	for _, r := range s.OfType(types...) {
		for _, urns := range r.PropertyDependencies {
			if slices.Contains(urns, target.URN) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// Scaled is a workload and the autoscaler that owns its replica count.
type Scaled struct {
	// Scaler is the HPA or KEDA ScaledObject.
	Scaler model.Resource
	// Target is the Deployment it scales.
	Target model.Resource
}

// ScaledDeployments pairs every HPA and ScaledObject with the Deployment its scaleTargetRef
// names (same name, and same namespace where both are known).
func (s *Stack) ScaledDeployments() []Scaled {
	var out []Scaled
	for _, scaler := range s.OfType(model.TypeK8sHPA, model.TypeKEDAScaledObject) {
		name, ok := str(scaler.Inputs, "spec.scaleTargetRef.name")
		if !ok {
			continue
		}
		if k, ok := str(scaler.Inputs, "spec.scaleTargetRef.kind"); ok && k != "Deployment" {
			continue
		}
		ns, nsKnown := str(scaler.Inputs, "metadata.namespace")
		for _, d := range s.OfType(model.TypeK8sDeployment) {
			if n, _ := str(d.Inputs, "metadata.name"); n != name {
				continue
			}
			if dns, ok := str(d.Inputs, "metadata.namespace"); ok && nsKnown && dns != ns {
				continue
			}
			out = append(out, Scaled{Scaler: scaler, Target: d})
		}
	}
	return out
}
