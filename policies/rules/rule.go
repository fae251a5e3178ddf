// Package rules holds the policy rules of openwan-infra as plain Go functions over a resource's
// type and inputs. It imports no Pulumi or AWS package: the policy pack (policies/), the offline
// plan (cmd/synth --check) and the tests all call the same functions.
package rules

import (
	"fmt"
	"strings"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/internal/model"
)

// Level is how a violation is enforced: a mandatory one fails the preview, an advisory one is
// reported only, a disabled rule does not run.
type Level string

// The enforcement levels, spelt as Pulumi's policy config spells them.
const (
	Mandatory Level = "mandatory"
	Advisory  Level = "advisory"
	Disabled  Level = "disabled"
)

// Violation is one rule failing on one resource.
type Violation struct {
	// Rule is the rule's name.
	Rule string `json:"rule"`
	// Level is the level it was enforced at.
	Level Level `json:"level"`
	// URN is the resource at fault.
	URN string `json:"urn"`
	// Message says what is wrong, on which resource, and how to fix it.
	Message string `json:"message"`
}

// Param is one threshold of a rule, set through the pack's policy config.
type Param struct {
	// Description says what the threshold means and its unit.
	Description string
	// Default is the value when the config does not set one: a float64, or a []any of strings
	// or numbers (JSON's shapes, so a config value and a default compare alike).
	Default any
}

// Rule is one policy: either a check of one resource (Check) or of the whole stack (CheckStack).
type Rule struct {
	// Name is the policy name reported and configured (kebab-case).
	Name string
	// Description is the one-line summary the engine shows.
	Description string
	// Why is the reason the rule exists (docs/policies.md's rule table).
	Why string
	// Level is the default enforcement level.
	Level Level
	// StrictInProduction makes an Advisory rule Mandatory in stacks whose openwan:app.environment
	// is production.
	StrictInProduction bool
	// ProductionOnly runs the rule only in stacks whose openwan:app.environment is production
	// (at Level); elsewhere it is disabled: what it asks for has no place in a development stack
	// (a certificate for a public host name).
	ProductionOnly bool
	// Params are the rule's thresholds with their defaults.
	Params map[string]Param
	// Check returns the problems of one resource (nil when it complies or is of another type).
	Check func(r model.Resource, p Params) []string
	// CheckStack returns the problems across all resources of a stack.
	CheckStack func(s *Stack, p Params) []Finding
}

// Finding is a stack rule's problem on one resource.
type Finding struct {
	// URN of the resource at fault.
	URN string
	// Message says what is wrong and how to fix it.
	Message string
}

// LevelFor is the rule's default level in a stack of the environment (openwan:app.environment).
func (r Rule) LevelFor(environment string) Level {
	if r.ProductionOnly && environment != config.Production {
		return Disabled
	}
	if r.Level == Advisory && r.StrictInProduction && environment == config.Production {
		return Mandatory
	}
	return r.Level
}

// Params are a rule's resolved thresholds: its defaults overlaid with the config.
type Params map[string]any

// Number is the numeric threshold name. Params are resolved and type-checked before any rule
// runs, so a missing or mistyped one is a bug in the rule and panics.
func (p Params) Number(name string) float64 {
	v, ok := p[name].(float64)
	if !ok {
		panic(fmt.Sprintf("rules: param %s is %T, not a number", name, p[name]))
	}
	return v
}

// Strings is the string-list threshold name.
func (p Params) Strings(name string) []string {
	list, ok := p[name].([]any)
	if !ok {
		panic(fmt.Sprintf("rules: param %s is %T, not a list", name, p[name]))
	}
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = fmt.Sprint(v)
	}
	return out
}

// Numbers is the number-list threshold name.
func (p Params) Numbers(name string) []float64 {
	list, ok := p[name].([]any)
	if !ok {
		panic(fmt.Sprintf("rules: param %s is %T, not a list", name, p[name]))
	}
	out := make([]float64, 0, len(list))
	for _, v := range list {
		if f, ok := v.(float64); ok {
			out = append(out, f)
		}
	}
	return out
}

// kind is the short type of a resource for messages: "HorizontalPodAutoscaler", "Group".
func kind(typ string) string {
	return typ[strings.LastIndex(typ, ":")+1:]
}

// label names a resource in a message: its kind and its Kubernetes name or logical name.
func label(r model.Resource) string {
	name := r.Name
	if n, ok := str(r.Inputs, "metadata.name"); ok {
		name = n
	}
	return kind(r.Type) + " " + name
}
