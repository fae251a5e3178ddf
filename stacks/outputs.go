package stacks

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/capacity"
	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/simulation"
)

// exportPlan puts the capacity plan into the outputs, so every `pulumi preview` and the offline
// plan show what the stack serves and costs before anything is deployed:
//   - capacity: the API fleets' requests/minute at their maxima against the peak, and the
//     database connection budget;
//   - monthlyCostUSD: min, scheduled baseline and max, per fleet and in all, on-demand and spot,
//     and the shares of the headroom and the warm pool;
//   - readyCapacity: what those two buy, from the simulator: the EKS API's time to capacity on
//     the 5x spike with and without the headroom, an EC2 API launch's time to serve from the
//     warm pool and from a cold boot (absent when the stack keeps neither).
func exportPlan(cfg config.Config, plan capacity.Plan, outputs pulumi.Map) error {
	capacityOut, err := plainValue(map[string]any{"api": plan.API, "database": plan.Database})
	if err != nil {
		return err
	}
	cost, err := plainValue(plan.Cost)
	if err != nil {
		return err
	}
	outputs["capacity"] = capacityOut
	outputs["monthlyCostUSD"] = cost
	ready, err := simulation.ReadinessOf(cfg, simulation.Defaults())
	if err != nil {
		return fmt.Errorf("ready capacity: %w", err)
	}
	if ready.Headroom != nil || ready.WarmPool != nil {
		if outputs["readyCapacity"], err = plainValue(ready); err != nil {
			return err
		}
	}
	return nil
}

// plainValue turns a struct into the maps and lists Pulumi outputs carry, keyed by the struct's
// json names (Pulumi's own struct mapping reads `pulumi` tags instead).
func plainValue(v any) (pulumi.Input, error) {
	text, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	var plain any
	if err := json.Unmarshal(text, &plain); err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	return pulumi.Any(plain), nil
}
