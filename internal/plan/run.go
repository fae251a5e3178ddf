package plan

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/openwan/openwan-infra/internal/model"
	"github.com/openwan/openwan-infra/policies/rules"
)

// Project is the Pulumi project name of Pulumi.yaml.
const Project = "openwan"

// Plan is what one run of the program declared.
type Plan struct {
	Project string `json:"project"`
	Stack   string `json:"stack"`
	// Environment is the stack's openwan:app.environment, which sets the rules' levels.
	Environment string           `json:"environment"`
	Resources   []model.Resource `json:"resources"`
	Outputs     map[string]any   `json:"outputs"`
	// Preview is set on a preview's plan, whose provider-computed values are model.Unknown.
	Preview bool `json:"preview,omitempty"`
}

// HasUnknowns reports whether any input or output is model.Unknown: a preview's plan, also one
// written before plans said so.
func (p *Plan) HasUnknowns() bool {
	var unknown func(v any) bool
	unknown = func(v any) bool {
		switch v := v.(type) {
		case string:
			return v == model.Unknown
		case map[string]any:
			for _, e := range v {
				if unknown(e) {
					return true
				}
			}
		case []any:
			for _, e := range v {
				if unknown(e) {
					return true
				}
			}
		}
		return false
	}
	for _, r := range p.Resources {
		if unknown(r.Inputs) {
			return true
		}
	}
	return unknown(p.Outputs)
}

// Program is a Pulumi program that also hands back its stack outputs.
type Program func(ctx *pulumi.Context) (pulumi.Map, error)

// Options tune a run.
type Options struct {
	// DryRun runs as `pulumi preview` does: values computed by providers are unknown.
	DryRun bool
}

// Run executes program for stack with config (full keys, e.g. "openwan:api", to raw values) on
// the recording mocks and returns every declared resource, sorted by URN, and the outputs. On an
// error the plan still lists what was declared before it, so callers can check that nothing was.
func Run(stack string, config map[string]string, program Program, opts Options) (*Plan, error) {
	rec := &recorder{project: Project, stack: stack, dryRun: opts.DryRun}
	var outputs map[string]any
	var programErr error
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		out, err := program(ctx)
		if err == nil {
			outputs, err = Await(ctx.Context(), out)
		}
		programErr = err
		return err
	}, pulumi.WithMocks(Project, stack, rec), func(info *pulumi.RunInfo) {
		info.Config = maps.Clone(config)
		info.DryRun = opts.DryRun
	})
	rec.mu.Lock()
	resources := slices.Clone(rec.resources)
	rec.mu.Unlock()
	sort.Slice(resources, func(i, j int) bool { return resources[i].URN < resources[j].URN })
	p := &Plan{Project: Project, Stack: stack, Environment: rules.EnvironmentOf(config), Resources: resources, Outputs: outputs, Preview: opts.DryRun}
	if programErr != nil {
		// The program's own error, without the engine's "1 error occurred" wrapping.
		return p, programErr
	}
	return p, err
}

// RunStack runs, as Run does, the program that build makes for the keys of config. The Go SDK
// lists no config keys, so a program that refuses unknown ones (stacks.Build) is told them by
// whoever runs it: here exactly the keys the mocked engine holds, as a compiled program finds them
// in PULUMI_CONFIG.
func RunStack(stack string, config map[string]string, build func(keys []string) func(*pulumi.Context) (pulumi.Map, error), opts Options) (*Plan, error) {
	return Run(stack, config, build(slices.Sorted(maps.Keys(config))), opts)
}

// Await resolves outputs to plain values, with the model's markers for secret and unknown values.
func Await(ctx context.Context, m pulumi.Map) (map[string]any, error) {
	out := make(map[string]any, len(m))
	for k, v := range m {
		res, err := internals.UnsafeAwaitOutput(ctx, pulumi.ToOutput(v))
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", k, err)
		}
		switch {
		case res.Secret:
			out[k] = model.Secret
		case !res.Known:
			out[k] = model.Unknown
		default:
			// Through JSON, so outputs compare alike whatever Go type the SDK resolved them to
			// (*int, float64, nested maps).
			text, err := json.Marshal(res.Value)
			if err != nil {
				return nil, fmt.Errorf("output %s: %w", k, err)
			}
			var v any
			if err := json.Unmarshal(text, &v); err != nil {
				return nil, fmt.Errorf("output %s: %w", k, err)
			}
			out[k] = v
		}
	}
	return out, nil
}
