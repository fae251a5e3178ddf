package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/internal/model"
)

// Config is the pack's policy config in the shape `pulumi preview --policy-pack-config` reads:
// rule name to its enforcement level and thresholds. The key "all" sets every rule's level.
type Config map[string]RuleConfig

// RuleConfig is one rule's entry in Config.
type RuleConfig struct {
	// Level overrides the rule's level; empty keeps it.
	Level Level
	// Params override the rule's thresholds by name.
	Params map[string]any
}

// ParseConfig reads a policy config file: `{"rule": "advisory"}` or
// `{"rule": {"enforcementLevel": "advisory", "threshold": 3}}`, and checks it against the rules:
// an unknown rule, an unknown threshold or a value of the wrong type is an error naming it.
func ParseConfig(data []byte) (Config, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("policy config: %w", err)
	}
	cfg := Config{}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(raw)) {
		var level Level
		if err := json.Unmarshal(raw[name], &level); err == nil {
			cfg[name] = RuleConfig{Level: level}
			continue
		}
		var props map[string]any
		if err := json.Unmarshal(raw[name], &props); err != nil {
			errs = append(errs, fmt.Errorf("policy config: %s: want a level or an object: %w", name, err))
			continue
		}
		rc := RuleConfig{Params: map[string]any{}}
		for k, v := range props {
			if k == "enforcementLevel" {
				s, ok := v.(string)
				if !ok {
					errs = append(errs, fmt.Errorf("policy config: %s.enforcementLevel: %v is not a level", name, v))
				}
				rc.Level = Level(s)
				continue
			}
			rc.Params[k] = v
		}
		cfg[name] = rc
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return cfg, cfg.Check()
}

// Check reports every config entry that names no rule, sets an unknown level or threshold, or
// gives a threshold the wrong type.
func (c Config) Check() error {
	var errs []error
	byName := map[string]Rule{}
	for _, r := range All() {
		byName[r.Name] = r
	}
	for _, name := range slices.Sorted(maps.Keys(c)) {
		rc := c[name]
		switch rc.Level {
		case "", Mandatory, Advisory, Disabled:
		default:
			errs = append(errs, fmt.Errorf("policy config: %s.enforcementLevel: %q is not mandatory, advisory or disabled", name, rc.Level))
		}
		if name == "all" {
			if len(rc.Params) > 0 {
				errs = append(errs, errors.New("policy config: all: takes only an enforcement level"))
			}
			continue
		}
		rule, ok := byName[name]
		if !ok {
			errs = append(errs, fmt.Errorf("policy config: %s: no such rule", name))
			continue
		}
		if _, err := c.Params(rule); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Params resolves a rule's thresholds: its defaults overlaid with the config's values.
func (c Config) Params(rule Rule) (Params, error) {
	p := Params{}
	for name, param := range rule.Params {
		p[name] = param.Default
	}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(c[rule.Name].Params)) {
		v := c[rule.Name].Params[name]
		param, ok := rule.Params[name]
		if !ok {
			errs = append(errs, fmt.Errorf("policy config: %s.%s: no such threshold (have %v)", rule.Name, name, slices.Sorted(maps.Keys(rule.Params))))
			continue
		}
		if !sameShape(param.Default, v) {
			errs = append(errs, fmt.Errorf("policy config: %s.%s: %v is not a %s", rule.Name, name, v, shape(param.Default)))
			continue
		}
		p[name] = v
	}
	return p, errors.Join(errs...)
}

// Level is the level rule runs at in a stack of the environment: the rule's own entry, else
// "all", else the rule's default for the environment.
func (c Config) Level(rule Rule, environment string) Level {
	if l := c[rule.Name].Level; l != "" {
		return l
	}
	if l := c["all"].Level; l != "" {
		return l
	}
	return rule.LevelFor(environment)
}

// Evaluate runs every enabled rule over the resources of stack, whose openwan:app.environment is
// environment, and returns the violations in rule order, then resource order.
func Evaluate(stack, environment string, resources []model.Resource, cfg Config) ([]Violation, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	s := NewStack(stack, resources)
	var out []Violation
	for _, rule := range All() {
		level := cfg.Level(rule, environment)
		if level == Disabled {
			continue
		}
		params, err := cfg.Params(rule)
		if err != nil {
			return nil, err
		}
		for _, f := range rule.Run(s, params) {
			out = append(out, Violation{Rule: rule.Name, Level: level, URN: f.URN, Message: f.Message})
		}
	}
	return out, nil
}

// Run applies the rule to a stack: Check to each resource, or CheckStack once.
func (r Rule) Run(s *Stack, p Params) []Finding {
	if r.CheckStack != nil {
		return r.CheckStack(s, p)
	}
	var out []Finding
	for _, res := range s.Resources() {
		for _, msg := range r.Check(res, p) {
			out = append(out, Finding{URN: res.URN, Message: msg})
		}
	}
	return out
}

// Failed reports whether any violation is mandatory.
func Failed(vs []Violation) bool {
	return slices.ContainsFunc(vs, func(v Violation) bool { return v.Level == Mandatory })
}

func sameShape(def, v any) bool {
	switch def.(type) {
	case float64:
		_, ok := v.(float64)
		return ok
	case []any:
		_, ok := v.([]any)
		return ok
	}
	return false
}

func shape(def any) string {
	if _, ok := def.([]any); ok {
		return "list"
	}
	return "number"
}

// StackConfigNamespace is the stack-config namespace of per-stack policy settings:
// `openwan-policy:<rule>` takes the same value as the rule's entry in the pack's policy config.
// The pack needs it for stack-level rules, whose policy config the SDK does not deliver
// (pulumi/pulumi#24657); it also gives a stack its own ceiling or level without a second file.
const StackConfigNamespace = "openwan-policy"

// FromStackConfig picks the `openwan-policy:<rule>` keys out of a stack's config (full keys to
// raw values, as Pulumi hands them over: JSON for objects, plain text for a level).
func FromStackConfig(stackConfig map[string]string) (Config, error) {
	entries := map[string]json.RawMessage{}
	for key, value := range stackConfig {
		rule, ok := strings.CutPrefix(key, StackConfigNamespace+":")
		if !ok {
			continue
		}
		if json.Valid([]byte(value)) {
			entries[rule] = json.RawMessage(value)
		} else {
			quoted, _ := json.Marshal(value)
			entries[rule] = quoted
		}
	}
	if len(entries) == 0 {
		return Config{}, nil
	}
	data, _ := json.Marshal(entries)
	cfg, err := ParseConfig(data)
	if err != nil {
		return nil, fmt.Errorf("stack config %s:*: %w", StackConfigNamespace, err)
	}
	return cfg, nil
}

// Over returns c with every entry of over laid on top: over's level where it sets one, and
// its thresholds over c's.
func (c Config) Over(over Config) Config {
	out := Config{}
	for name, rc := range c {
		out[name] = RuleConfig{Level: rc.Level, Params: maps.Clone(rc.Params)}
	}
	for name, rc := range over {
		merged := out[name]
		if rc.Level != "" {
			merged.Level = rc.Level
		}
		if len(rc.Params) > 0 && merged.Params == nil {
			merged.Params = map[string]any{}
		}
		maps.Copy(merged.Params, rc.Params)
		out[name] = merged
	}
	return out
}

// EnvironmentOf is the environment a stack declares in openwan:app.environment, given its config
// as full keys to raw values; the default (production) when it declares none. A value that is
// not valid is the config validation's to report; here it is taken as it is.
func EnvironmentOf(raw map[string]string) string {
	var app struct {
		Environment string `json:"environment"`
	}
	if text, ok := raw[config.Namespace+":app"]; ok {
		_ = json.Unmarshal([]byte(text), &app) // a malformed section is refused by config.Parse
	}
	if app.Environment == "" {
		return config.Defaults().App.Environment
	}
	return app.Environment
}
