package components_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/internal/model"
)

// TestPreviewIsHonest runs every stack as `pulumi preview` does, the mocks answering
// provider-computed values (ids, ARNs, endpoints, the kubeconfig, the OIDC issuer) as unknown:
// the program declares the same resources as in an up, and each value that differs is unknown
// in the preview. It also shows the preview is a preview: some values are unknown.
func TestPreviewIsHonest(t *testing.T) {
	for _, stack := range shippedStacks(t) {
		t.Run(stack, func(t *testing.T) {
			up, preview := runStack(t, stack, false), runStack(t, stack, true)
			byURN := map[string]model.Resource{}
			for _, r := range preview.Resources {
				byURN[r.URN] = r
			}
			require.Len(t, preview.Resources, len(up.Resources), "the preview declares as many resources as the up")
			unknowns := 0
			for _, r := range up.Resources {
				p, ok := byURN[r.URN]
				if !assert.True(t, ok, "the preview declares %s too", r.URN) {
					continue
				}
				for _, d := range differences(r.Inputs, p.Inputs, r.Name) {
					assert.Equal(t, model.Unknown, d.preview, "%s: %v in an up but %v in the preview; only unknowns may differ", d.path, d.up, d.preview)
					unknowns++
				}
			}
			if stack != "local" { // an existing cluster's objects take nothing from a provider
				assert.Positive(t, unknowns, "a preview of %s leaves provider-computed values unknown", stack)
			}
		})
	}
}

type difference struct {
	path        string
	up, preview any
}

// differences lists the leaves where two input trees differ.
func differences(up, preview any, path string) []difference {
	switch u := up.(type) {
	case map[string]any:
		p, ok := preview.(map[string]any)
		if !ok {
			return []difference{{path, up, preview}}
		}
		var out []difference
		for k := range u {
			out = append(out, differences(u[k], p[k], path+"."+k)...)
		}
		for k := range p {
			if _, ok := u[k]; !ok {
				out = append(out, difference{path + "." + k, nil, p[k]})
			}
		}
		return out
	case []any:
		p, ok := preview.([]any)
		if !ok || len(p) != len(u) {
			return []difference{{path, up, preview}}
		}
		var out []difference
		for i := range u {
			out = append(out, differences(u[i], p[i], fmt.Sprintf("%s.%d", path, i))...)
		}
		return out
	}
	if fmt.Sprint(up) != fmt.Sprint(preview) {
		return []difference{{path, up, preview}}
	}
	return nil
}
