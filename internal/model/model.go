// Package model is the plain resource model that every runner of the program shares: the
// recording mocks (internal/plan, cmd/synth), the policy pack (policies) and the policy rules
// (policies/rules) all see a declared resource as a Resource whose inputs are plain JSON values.
// It imports no Pulumi, AWS or Kubernetes package, so the rules that read it stay pure.
package model

import (
	"fmt"
	"strconv"
	"strings"
)

// The markers that stand for values a plain JSON tree cannot hold.
const (
	// Unknown is a value not known before deployment (a provider-computed output in a preview).
	Unknown = "[unknown]"
	// Secret is a secret value; its plaintext never enters a plan or a report.
	Secret = "[secret]"
	// Asset is a file asset or archive.
	Asset = "[asset]"
)

// Resource is one declared resource as the program passed it to the engine.
type Resource struct {
	// URN identifies the resource in every report.
	URN string `json:"urn"`
	// Type is the type token, e.g. "aws:autoscaling/group:Group".
	Type string `json:"type"`
	// Name is the resource's logical name.
	Name string `json:"name"`
	// Parent is the URN of the component it belongs to (empty for the stack's own children
	// where the runner does not report it).
	Parent string `json:"parent"`
	// Custom is true for provider resources, false for components.
	Custom bool `json:"custom"`
	// Inputs are the resource's inputs as plain JSON values: Unknown, Secret and Asset stand for
	// what JSON cannot hold; references to other resources are their URNs.
	Inputs map[string]any `json:"inputs"`
	// IgnoreChanges are the input paths the resource's options tell the engine to ignore.
	IgnoreChanges []string `json:"ignoreChanges,omitempty"`
	// Dependencies are the URNs of every resource it waits for: its dependsOn and its inputs'.
	Dependencies []string `json:"dependencies,omitempty"`
	// PropertyDependencies map an input to the URNs of the resources its value came from: how a
	// policy finds the group a scaling policy acts on before any name is known.
	PropertyDependencies map[string][]string `json:"propertyDependencies,omitempty"`
}

// Input returns the input at a dotted path such as "spec.behavior.scaleDown.policies.0.value",
// or an error naming the resource and the path when there is none. Unknown values are returned
// as Unknown.
func (r Resource) Input(path string) (any, error) {
	v, err := Lookup(r.Inputs, path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.URN, err)
	}
	return v, nil
}

// Lookup walks a plain JSON tree along a dotted path; numeric segments index arrays. It is the
// one path walker of the project: the rules, the tests and the integration suite's reads of
// live objects all use it.
func Lookup(tree any, path string) (any, error) {
	cur := tree
	for _, seg := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[seg]
			if !ok {
				return nil, fmt.Errorf("no input %s (at %q)", path, seg)
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(v) {
				return nil, fmt.Errorf("no input %s (index %q of %d)", path, seg, len(v))
			}
			cur = v[i]
		default:
			return nil, fmt.Errorf("no input %s (%q is not an object or array)", path, seg)
		}
	}
	return cur, nil
}
