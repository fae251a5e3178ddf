// Package pack is the openwan policy pack: every rule of policies/rules as a Pulumi policy for
// policyx, which the command in policies/ serves. Its tests run in the stacks test binary.
package pack

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/internal/model"
	"github.com/openwan/openwan-infra/internal/plain"
	"github.com/openwan/openwan-infra/policies/rules"
)

// PackName and PackVersion identify the pack in every report.
const (
	PackName    = "openwan"
	PackVersion = "0.1.0"
)

// NewPack builds the pack for the stack ctx describes. Levels are fixed here, per stack (a rule
// StrictInProduction is mandatory in a stack whose openwan:app.environment is production), with `openwan-policy:<rule>` entries of the stack's
// config on top; the engine then applies the pack's policy config. Resource rules read their
// thresholds from the policy config; stack rules from the stack's config, because policyx
// v3.274.1 does not pass them theirs (pulumi/pulumi#24657).
func NewPack(ctx *pulumi.Context) (policyx.PolicyPack, error) {
	stack := ctx.Stack()
	environment := rules.EnvironmentOf(appConfig(ctx))
	stackCfg, err := rules.FromStackConfig(stackConfig(ctx))
	if err != nil {
		return nil, err
	}
	policies := make([]policyx.Policy, 0, len(rules.All()))
	for _, rule := range rules.All() {
		policy, err := policyFor(rule, stack, environment, stackCfg)
		if err != nil {
			return nil, err
		}
		policies = append(policies, policy)
	}
	return policyx.NewPolicyPack(PackName, semver.MustParse(PackVersion), policyx.EnforcementLevelAdvisory, policies)
}

// appConfig is the stack's openwan:app, where it says which environment it is.
func appConfig(ctx *pulumi.Context) map[string]string {
	key := config.Namespace + ":app"
	if v, ok := ctx.GetConfig(key); ok {
		return map[string]string{key: v}
	}
	return nil
}

// stackConfig is the stack's config as full keys to raw values.
func stackConfig(ctx *pulumi.Context) map[string]string {
	out := map[string]string{}
	for _, rule := range rules.All() {
		key := rules.StackConfigNamespace + ":" + rule.Name
		if v, ok := ctx.GetConfig(key); ok {
			out[key] = v
		}
	}
	return out
}

func policyFor(rule rules.Rule, stack, environment string, stackCfg rules.Config) (policyx.Policy, error) {
	level := enforcement(stackCfg.Level(rule, environment))
	schema, err := configSchema(rule)
	if err != nil {
		return nil, err
	}
	if rule.CheckStack != nil {
		return policyx.NewStackValidationPolicy(rule.Name, policyx.StackValidationPolicyArgs{
			Description:      rule.Description,
			EnforcementLevel: level,
			ConfigSchema:     schema,
			ValidateStack: func(_ context.Context, args policyx.StackValidationArgs) error {
				params, err := stackCfg.Params(rule)
				if err != nil {
					return err
				}
				resources := make([]model.Resource, len(args.Resources))
				for i, r := range args.Resources {
					resources[i] = fromAnalyzer(r)
				}
				for _, f := range rule.CheckStack(rules.NewStack(stack, resources), params) {
					args.Manager.ReportViolation(f.Message, f.URN)
				}
				return nil
			},
		}), nil
	}
	return policyx.NewResourceValidationPolicy(rule.Name, policyx.ResourceValidationPolicyArgs{
		Description:      rule.Description,
		EnforcementLevel: level,
		ConfigSchema:     schema,
		ValidateResource: func(_ context.Context, args policyx.ResourceValidationArgs) error {
			packCfg := rules.Config{rule.Name: {Params: thresholds(args.Config)}}
			params, err := stackCfg.Over(packCfg).Params(rule)
			if err != nil {
				return err
			}
			for _, msg := range rule.Check(fromAnalyzer(args.Resource), params) {
				args.Manager.ReportViolation(msg, args.Resource.URN)
			}
			return nil
		},
	}), nil
}

// thresholds drops the engine's own key from a policy's config properties.
func thresholds(props map[string]any) map[string]any {
	out := maps.Clone(props)
	delete(out, "enforcementLevel")
	return out
}

// fromAnalyzer turns the engine's view of a resource into the resource model, through the same
// plain-value conversion the recording mocks use.
func fromAnalyzer(r policyx.AnalyzerResource) model.Resource {
	return model.Resource{
		URN:                  r.URN,
		Type:                 r.Type,
		Name:                 r.Name,
		Inputs:               plain.Inputs(resource.ToResourcePropertyMap(r.Properties)),
		IgnoreChanges:        r.Options.IgnoreChanges,
		PropertyDependencies: r.PropertyDependencies,
	}
}

func enforcement(l rules.Level) policyx.EnforcementLevel {
	switch l {
	case rules.Mandatory:
		return policyx.EnforcementLevelMandatory
	case rules.Disabled:
		return policyx.EnforcementLevelDisabled
	}
	return policyx.EnforcementLevelAdvisory
}

// configSchema publishes a rule's thresholds so `pulumi preview --policy-pack-config` validates
// a config file against them.
func configSchema(rule rules.Rule) (*policyx.ConfigSchema, error) {
	if len(rule.Params) == 0 {
		return nil, nil
	}
	props := map[string]map[string]any{}
	for _, name := range slices.Sorted(maps.Keys(rule.Params)) {
		p := rule.Params[name]
		schema := map[string]any{"description": p.Description, "default": p.Default}
		switch d := p.Default.(type) {
		case float64:
			schema["type"] = "number"
		case []any:
			itemType := "string"
			if len(d) > 0 {
				if _, ok := d[0].(float64); ok {
					itemType = "number"
				}
			}
			schema["type"] = "array"
			schema["items"] = map[string]any{"type": itemType}
		default:
			return nil, fmt.Errorf("rule %s param %s: default %T is neither a number nor a list", rule.Name, name, p.Default)
		}
		props[name] = schema
	}
	return &policyx.ConfigSchema{Properties: props}, nil
}
