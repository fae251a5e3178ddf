package kube

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/components/internal/componenttest"
	"github.com/openwan/openwan-infra/internal/plan"
)

func validNetworkPoliciesArgs() *NetworkPoliciesArgs {
	return &NetworkPoliciesArgs{
		Namespace: pulumi.String("openwan"), APIPodLabels: map[string]string{"app": "api"}, APIPort: 8080,
		APISourceCIDRs: pulumi.ToStringArray([]string{"10.0.192.0/22", "10.0.196.0/22"}),
	}
}

func TestNetworkPoliciesArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, validNetworkPoliciesArgs, (*NetworkPoliciesArgs).validate, []componenttest.Refusal[NetworkPoliciesArgs]{
		{Name: "an empty selector opens every pod", Change: func(a *NetworkPoliciesArgs) { a.APIPodLabels = nil }, Fields: []string{"APIPodLabels"}},
		{Name: "no port", Change: func(a *NetworkPoliciesArgs) { a.APIPort = 0 }, Fields: []string{"APIPort"}},
		{Name: "no sources", Change: func(a *NetworkPoliciesArgs) { a.APISourceCIDRs = nil }, Fields: []string{"APISourceCIDRs"}},
	})
}

func TestNetworkPoliciesRefuseNoSources(t *testing.T) {
	args := validNetworkPoliciesArgs()
	args.APISourceCIDRs = pulumi.ToStringArray(nil)
	// The list is known only when the program runs (it may come from a lookup), so the refusal
	// fails the run rather than the args' validation.
	_, err := plan.Run(componenttest.Stack, nil, func(ctx *pulumi.Context) (pulumi.Map, error) {
		_, err := NewNetworkPolicies(ctx, "openwan", args)
		return pulumi.Map{}, err
	}, plan.Options{})
	assert.ErrorContains(t, err, "APISourceCIDRs: empty, which would admit the API port from anywhere")
}

func TestNetworkPoliciesDenyAllButTheAPIPort(t *testing.T) {
	p := componenttest.Declare(t, NewNetworkPolicies, "openwan", validNetworkPoliciesArgs())
	const np = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
	assert.Equal(t, map[string]any{}, componenttest.Input(t, p, np, "openwan-default-deny", "spec.podSelector"), "every pod of the namespace")
	assert.Equal(t, []any{"Ingress"}, componenttest.Input(t, p, np, "openwan-default-deny", "spec.policyTypes"))
	assert.Equal(t, []any{
		map[string]any{"ipBlock": map[string]any{"cidr": "10.0.192.0/22"}},
		map[string]any{"ipBlock": map[string]any{"cidr": "10.0.196.0/22"}},
	}, componenttest.Input(t, p, np, "openwan-api", "spec.ingress.0.from"))
	assert.EqualValues(t, 8080, componenttest.Input(t, p, np, "openwan-api", "spec.ingress.0.ports.0.port"))
	assert.Equal(t, map[string]any{"app": "api"}, componenttest.Input(t, p, np, "openwan-api", "spec.podSelector.matchLabels"))
}
