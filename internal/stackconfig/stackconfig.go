// Package stackconfig is the one front door to a stack's config: everything `pulumi up` does
// with it before it declares anything. The program (stacks.Load), the offline plan and the
// simulator all come through here, so a stack one of them refuses, all refuse, with the same
// message.
//
// It is pure: config and capacity only.
package stackconfig

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/openwan/openwan-infra/capacity"
	"github.com/openwan/openwan-infra/config"
)

// Load checks a stack whose config holds keys (every full key, "openwan:api", "aws:region"),
// whose `openwan` sections have the raw values in sections (keyed "api") and whose AWS provider
// region is awsRegion ("" when unset): it refuses a key of an unknown namespace or of ours that
// names no section, an aws:region other than openwan:app.region, decodes every section over the guide's defaults,
// validates the whole, then checks the capacity plan (node fit, API throughput at the peak, the
// database connection budget, prices). Every problem is reported at once.
func Load(keys []string, sections map[string]string, awsRegion string) (config.Config, capacity.Plan, error) {
	keysErr := config.CheckKeys(keys)
	cfg, err := config.Parse(sections)
	var plan capacity.Plan
	if err == nil && keysErr == nil {
		plan, err = capacity.Check(cfg)
		err = errors.Join(config.CheckRegion(cfg, awsRegion), err)
	}
	if keysErr != nil || err != nil {
		return config.Config{}, capacity.Plan{}, fmt.Errorf("invalid stack config:\n%w", errors.Join(keysErr, err))
	}
	return cfg, plan, nil
}

// FromFile is Load of Pulumi.<stack>.yaml in dir.
func FromFile(dir, stack string) (config.Config, capacity.Plan, error) {
	raw, err := config.ReadStackFile(dir, stack)
	if err != nil {
		return config.Config{}, capacity.Plan{}, err
	}
	cfg, plan, err := fromRaw(raw)
	if err != nil {
		return config.Config{}, capacity.Plan{}, fmt.Errorf("stack %s: %w", stack, err)
	}
	return cfg, plan, nil
}

// FromPath is Load of the stack file at path.
func FromPath(path string) (config.Config, capacity.Plan, error) {
	raw, err := config.ReadStackPath(path)
	if err != nil {
		return config.Config{}, capacity.Plan{}, err
	}
	cfg, plan, err := fromRaw(raw)
	if err != nil {
		return config.Config{}, capacity.Plan{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, plan, nil
}

// fromRaw is Load of a stack file's config.
func fromRaw(raw map[string]string) (config.Config, capacity.Plan, error) {
	return Load(slices.Sorted(maps.Keys(raw)), sections(raw), raw["aws:region"])
}

// sections are the `openwan` keys of a stack file's config by section name ("api").
func sections(raw map[string]string) map[string]string {
	out := map[string]string{}
	for key, value := range raw {
		if section, ok := strings.CutPrefix(key, config.Namespace+":"); ok {
			out[section] = value
		}
	}
	return out
}

// Effective is FromFile that also returns the config when the stack is refused (config.Effective):
// the config as far as it decodes, with every problem FromFile reports. Only a stack file that
// cannot be read returns no config (ok false).
func Effective(dir, stack string) (cfg config.Config, ok bool, err error) {
	raw, err := config.ReadStackFile(dir, stack)
	if err != nil {
		return config.Config{}, false, err
	}
	if cfg, _, err = fromRaw(raw); err != nil {
		cfg, _ = config.Effective(sections(raw)) // its problems are among err's
		err = fmt.Errorf("stack %s: %w", stack, err)
	}
	return cfg, true, err
}
