// Package stacks turns one stack's config into resources: Load reads and validates the typed
// config, Deploy wires the components and exports the stack outputs.
package stacks

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pconfig "github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/openwan/openwan-infra/capacity"
	"github.com/openwan/openwan-infra/config"
)

// Load reads every section of the `openwan` namespace, decodes it over the guide's defaults and
// validates the whole, then the capacity plan: node fit, API throughput at the peak, the
// database connection budget, prices. It declares nothing, so a bad config stops the program
// before any resource exists.
func Load(ctx *pulumi.Context) (config.Config, capacity.Plan, error) {
	c := pconfig.New(ctx, config.Namespace)
	raw := map[string]string{}
	for _, section := range config.Sections() {
		v, err := c.Try(section)
		switch {
		case err == nil:
			raw[section] = v
		case !errors.Is(err, pconfig.ErrMissingVar):
			return config.Config{}, capacity.Plan{}, fmt.Errorf("%s:%s: %w", config.Namespace, section, err)
		}
	}
	cfg, err := config.Parse(raw)
	var plan capacity.Plan
	if err == nil {
		plan, err = capacity.Check(cfg)
	}
	if err != nil {
		return config.Config{}, capacity.Plan{}, fmt.Errorf("invalid stack config:\n%w", err)
	}
	return cfg, plan, nil
}

// Build is the whole program, Load then Deploy, returning the stack outputs. main, the offline
// plan and the tests all run exactly this.
func Build(ctx *pulumi.Context) (pulumi.Map, error) {
	cfg, plan, err := Load(ctx)
	if err != nil {
		return nil, err
	}
	return Deploy(ctx, cfg, plan)
}

// Program is Build in the shape pulumi.Run takes.
func Program(ctx *pulumi.Context) error {
	_, err := Build(ctx)
	return err
}
