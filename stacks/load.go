// Package stacks turns one stack's config into resources: Load reads and validates the typed
// config, Deploy wires the components and exports the stack outputs.
//
// Its tests are in components/ (stacks_*_test.go), in the one test binary that links the
// provider SDKs: see the package comment there for why that binary lives there.
package stacks

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/capacity"
	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/internal/stackconfig"
)

// Load reads the stack's config, keys being every full key it holds ("openwan:api",
// "aws:region"): it refuses a key of the `openwan` namespace that names no section
// (config.CheckKeys), decodes every section over the guide's defaults and validates the whole,
// then the capacity plan: node fit, API throughput at the peak, the database connection budget,
// prices. It declares nothing, so a bad config stops the program before any resource exists.
//
// The Go SDK reads a config value by its key but cannot list the keys, so whoever runs the
// program tells it them: Main from the engine's PULUMI_CONFIG, an inline program and the mocks
// from the config they set (Program, Build). A section the engine holds that keys lack means
// the runner told the program wrong, and is an error rather than an unchecked stack.
func Load(ctx *pulumi.Context, keys []string) (config.Config, capacity.Plan, error) {
	raw := map[string]string{}
	var missed []string
	for _, section := range config.Sections() {
		key := config.Namespace + ":" + section
		if v, ok := ctx.GetConfig(key); ok {
			raw[section] = v
			if !slices.Contains(keys, key) {
				missed = append(missed, key)
			}
		}
	}
	if len(missed) > 0 {
		return config.Config{}, capacity.Plan{}, fmt.Errorf("the program was told the config keys [%s] but the stack holds %s too: run it with all of the stack's keys (stacks.Main reads them from %s)",
			strings.Join(keys, " "), strings.Join(missed, ", "), pulumi.EnvConfig)
	}
	region, _ := ctx.GetConfig("aws:region")
	return stackconfig.Load(keys, raw, region)
}

// Build is the whole program for a stack whose config holds keys (every full key): Load then
// Deploy, returning the stack outputs. The offline plan and the tests run exactly this
// (plan.RunStack), main and the local stack through Main and Program.
func Build(keys []string) func(ctx *pulumi.Context) (pulumi.Map, error) {
	keys = slices.Clone(keys)
	return func(ctx *pulumi.Context) (pulumi.Map, error) {
		cfg, plan, err := Load(ctx, keys)
		if err != nil {
			return nil, err
		}
		return Deploy(ctx, cfg, plan)
	}
}

// Program is Build in the shape pulumi.Run and an Automation API inline program take: the
// program the engine runs. Its update (not its preview) refuses a config that still holds
// placeholders (config.Placeholders), before anything is created; the offline plan and the
// mocks, which run Build, show them instead.
func Program(keys []string) pulumi.RunFunc {
	build := Build(keys)
	return func(ctx *pulumi.Context) error {
		if !ctx.DryRun() {
			// A config error is Build's to report, with every other problem.
			if cfg, _, err := Load(ctx, keys); err == nil {
				if found := config.Placeholders(cfg); len(found) > 0 {
					return fmt.Errorf("the stack's config still holds placeholders; replace them before deploying (nothing was created):\n%s",
						strings.Join(found, "\n"))
				}
			}
		}
		_, err := build(ctx)
		return err
	}
}

// Main is the compiled program (main.go): the engine hands it every config value of its stack as
// JSON in PULUMI_CONFIG, whose keys are the stack's keys.
func Main(ctx *pulumi.Context) error {
	keys, err := ConfigKeys(os.Getenv(pulumi.EnvConfig))
	if err != nil {
		return err
	}
	return Program(keys)(ctx)
}

// ConfigKeys are the keys of the config the engine passes a compiled program in PULUMI_CONFIG, a
// JSON object of full keys to values, sorted; none when it is empty.
func ConfigKeys(env string) ([]string, error) {
	if strings.TrimSpace(env) == "" {
		return nil, nil
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal([]byte(env), &all); err != nil {
		return nil, fmt.Errorf("%s: not a JSON object of config values: %w", pulumi.EnvConfig, err)
	}
	return slices.Sorted(maps.Keys(all)), nil
}
