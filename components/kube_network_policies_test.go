package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/components/kube"
	"github.com/openwan/openwan-infra/internal/componenttest"
	"github.com/openwan/openwan-infra/internal/model"
	"github.com/openwan/openwan-infra/internal/plan"
)

func kubeValidNetworkPoliciesArgs() *kube.NetworkPoliciesArgs {
	return &kube.NetworkPoliciesArgs{
		Namespace: pulumi.String("openwan"), APIPodLabels: map[string]string{"app": "api"}, APIPort: 8080,
		APISourceCIDRs: pulumi.ToStringArray([]string{"10.0.192.0/22", "10.0.196.0/22"}),
	}
}

func TestNetworkPoliciesArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, kubeValidNetworkPoliciesArgs, kubeValidation(t, kube.NewNetworkPolicies, "network policies", "openwan"), []componenttest.Refusal[kube.NetworkPoliciesArgs]{
		{Name: "an empty selector opens every pod", Change: func(a *kube.NetworkPoliciesArgs) { a.APIPodLabels = nil }, Fields: []string{"APIPodLabels"}},
		{Name: "no port", Change: func(a *kube.NetworkPoliciesArgs) { a.APIPort = 0 }, Fields: []string{"APIPort"}},
		{Name: "no sources", Change: func(a *kube.NetworkPoliciesArgs) { a.APISourceCIDRs = nil }, Fields: []string{"APISourceCIDRs"}},
	})
}

func TestNetworkPoliciesRefuseNoSources(t *testing.T) {
	args := kubeValidNetworkPoliciesArgs()
	args.APISourceCIDRs = pulumi.ToStringArray(nil)
	// The list is known only when the program runs (it may come from a lookup), so the refusal
	// fails the run rather than the args' validation.
	_, err := plan.Run(componenttest.Stack, nil, func(ctx *pulumi.Context) (pulumi.Map, error) {
		_, err := kube.NewNetworkPolicies(ctx, "openwan", args)
		return pulumi.Map{}, err
	}, plan.Options{})
	assert.ErrorContains(t, err, "APISourceCIDRs: empty, which would admit the API port from anywhere")
}

func TestNetworkPoliciesDenyAllButTheAPIPort(t *testing.T) {
	p := componenttest.Declare(t, kube.NewNetworkPolicies, "openwan", kubeValidNetworkPoliciesArgs())
	assert.Equal(t, map[string]any{}, componenttest.Input(t, p, model.TypeK8sNetworkPolicy, "openwan-default-deny", "spec.podSelector"), "every pod of the namespace")
	assert.Equal(t, []any{"Ingress"}, componenttest.Input(t, p, model.TypeK8sNetworkPolicy, "openwan-default-deny", "spec.policyTypes"))
	assert.Equal(t, []any{
		map[string]any{"ipBlock": map[string]any{"cidr": "10.0.192.0/22"}},
		map[string]any{"ipBlock": map[string]any{"cidr": "10.0.196.0/22"}},
	}, componenttest.Input(t, p, model.TypeK8sNetworkPolicy, "openwan-api", "spec.ingress.0.from"))
	assert.EqualValues(t, 8080, componenttest.Input(t, p, model.TypeK8sNetworkPolicy, "openwan-api", "spec.ingress.0.ports.0.port"))
	assert.Equal(t, map[string]any{"app": "api"}, componenttest.Input(t, p, model.TypeK8sNetworkPolicy, "openwan-api", "spec.podSelector.matchLabels"))
}
