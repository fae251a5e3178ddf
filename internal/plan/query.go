package plan

import (
	"fmt"

	"github.com/openwan/openwan-infra/internal/model"
)

// Find returns the resources of the given type, in URN order.
func (p *Plan) Find(typ string) []model.Resource {
	var out []model.Resource
	for _, r := range p.Resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// Get returns the one resource with the given type and name.
func (p *Plan) Get(typ, name string) (model.Resource, error) {
	for _, r := range p.Resources {
		if r.Type == typ && r.Name == name {
			return r, nil
		}
	}
	return model.Resource{}, fmt.Errorf("no %s named %s in the plan", typ, name)
}

// ByURN returns the resource with the given URN.
func (p *Plan) ByURN(urn string) (model.Resource, bool) {
	for _, r := range p.Resources {
		if r.URN == urn {
			return r, true
		}
	}
	return model.Resource{}, false
}
