// Package plain turns the engine's property values into the plain JSON values of the resource
// model (internal/model): the recording mocks and the policy pack both read resources through
// it, so a rule sees one shape whichever runner feeds it.
package plain

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/openwan/openwan-infra/internal/model"
)

// Inputs turns a property map into plain JSON values: secrets are model.Secret, values unknown
// before deployment model.Unknown, assets model.Asset, references to other resources their
// URN. Null values are dropped, as the engine drops them.
func Inputs(m resource.PropertyMap) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if v.IsNull() {
			continue
		}
		out[string(k)] = value(v)
	}
	return out
}

func value(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		return model.Secret
	case v.IsComputed():
		return model.Unknown
	case v.IsOutput():
		o := v.OutputValue()
		if o.Secret {
			return model.Secret
		}
		if !o.Known {
			return model.Unknown
		}
		return value(o.Element)
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN)
	case v.IsObject():
		return Inputs(v.ObjectValue())
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]any, len(arr))
		for i, e := range arr {
			out[i] = value(e)
		}
		return out
	case v.IsAsset(), v.IsArchive():
		return model.Asset
	default:
		return v.V
	}
}
