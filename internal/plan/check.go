package plan

import "github.com/openwan/openwan-infra/policies/rules"

// Check evaluates the policy rules on what the run declared, as the policy pack does on a
// preview. Component resources are included: the rules read pulumi-eks' components the way the
// engine sends them.
func (p *Plan) Check(cfg rules.Config) ([]rules.Violation, error) {
	return rules.Evaluate(p.Stack, p.Resources, cfg)
}
