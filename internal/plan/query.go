package plan

import (
	"fmt"
	"strconv"
	"strings"
)

// Find returns the resources of the given type, in URN order.
func (p *Plan) Find(typ string) []Resource {
	var out []Resource
	for _, r := range p.Resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// Get returns the one resource with the given type and name.
func (p *Plan) Get(typ, name string) (Resource, error) {
	for _, r := range p.Resources {
		if r.Type == typ && r.Name == name {
			return r, nil
		}
	}
	return Resource{}, fmt.Errorf("no %s named %s in the plan", typ, name)
}

// ByURN returns the resource with the given URN.
func (p *Plan) ByURN(urn string) (Resource, bool) {
	for _, r := range p.Resources {
		if r.URN == urn {
			return r, true
		}
	}
	return Resource{}, false
}

// Input returns the input at a dotted path such as "spec.behavior.scaleDown.policies.0.value";
// numeric segments index arrays.
func (r Resource) Input(path string) (any, error) {
	var cur any = r.Inputs
	for _, seg := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[seg]
			if !ok {
				return nil, fmt.Errorf("%s: no input %s (at %q)", r.URN, path, seg)
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(v) {
				return nil, fmt.Errorf("%s: no input %s (index %q of %d)", r.URN, path, seg, len(v))
			}
			cur = v[i]
		default:
			return nil, fmt.Errorf("%s: no input %s (%q is not an object or array)", r.URN, path, seg)
		}
	}
	return cur, nil
}
