package plan

import (
	"fmt"

	"github.com/openwan/openwan-infra/internal/model"
	"github.com/openwan/openwan-infra/internal/pulumieks"
	"github.com/openwan/openwan-infra/policies/rules"
)

// Check evaluates the policy rules on what the run declared, as the policy pack does on a
// preview, at the levels of the stack's environment. Component resources are included, and so are the children pulumi-eks creates inside
// its cluster component, which the mocks never see but the pack does (internal/pulumieks).
func (p *Plan) Check(cfg rules.Config) ([]rules.Violation, error) {
	resources, err := p.WithRemoteChildren()
	if err != nil {
		return nil, err
	}
	return rules.Evaluate(p.Stack, p.Environment, resources, cfg)
}

// WithRemoteChildren returns the declared resources followed by the children of each remote
// component that internal/pulumieks models.
func (p *Plan) WithRemoteChildren() ([]model.Resource, error) {
	out := append([]model.Resource(nil), p.Resources...)
	for _, r := range p.Resources {
		if r.Type != model.TypePulumiEKSCluster {
			continue
		}
		children, err := pulumieks.ClusterChildren(r)
		if err != nil {
			return nil, fmt.Errorf("policy check: %w", err)
		}
		out = append(out, children...)
	}
	return out, nil
}
