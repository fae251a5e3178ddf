package model

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLookup(t *testing.T) {
	var tree map[string]any
	require.NoError(t, json.Unmarshal([]byte(`{"spec": {"policies": [{"value": 4}, {"value": "[unknown]"}], "name": "api"}}`), &tree))
	cases := []struct {
		path    string
		want    any
		wantErr string
	}{
		{path: "spec.name", want: "api"},
		{path: "spec.policies.0.value", want: 4.0},
		{path: "spec.policies.1.value", want: Unknown},
		{path: "spec.policies.2.value", wantErr: `no input spec.policies.2.value (index "2" of 2)`},
		{path: "spec.policies.x", wantErr: `no input spec.policies.x (index "x" of 2)`},
		{path: "spec.missing", wantErr: `no input spec.missing (at "missing")`},
		{path: "spec.name.deeper", wantErr: `no input spec.name.deeper ("deeper" is not an object or array)`},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			got, err := Lookup(tree, c.path)
			if c.wantErr != "" {
				assert.EqualError(t, err, c.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}

func TestInputNamesTheResource(t *testing.T) {
	r := Resource{URN: "urn:pulumi:prod::openwan::kubernetes:apps/v1:Deployment::api", Inputs: map[string]any{}}
	_, err := r.Input("spec.replicas")
	assert.EqualError(t, err, `urn:pulumi:prod::openwan::kubernetes:apps/v1:Deployment::api: no input spec.replicas (at "spec")`,
		"a missing input is reported with the resource's URN so a failing test says which resource")
}
