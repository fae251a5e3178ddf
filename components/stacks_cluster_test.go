package components_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/cluster"
	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/internal/model"
	"github.com/openwan/openwan-infra/internal/plan"
)

func TestClusterIsLockedDown(t *testing.T) {
	cc := configtest.Prod(t).Cluster
	require.NotEmpty(t, cc.PublicAccessCIDRs, "Pulumi.prod.yaml limits the public endpoint to its CIDRs")
	require.Contains(t, cc.LogTypes, "audit", "prod keeps the control plane's audit trail")
	p := runStack(t, "prod", false)
	runChecks(t, p, []check{
		{clusterType, "openwan-eks", "endpointPrivateAccess", true},
		{clusterType, "openwan-eks", "skipDefaultNodeGroup", true},
		{clusterType, "openwan-eks", "publicAccessCidrs", cc.PublicAccessCIDRs},
		{clusterType, "openwan-eks", "enabledClusterLogTypes", cc.LogTypes},
		{clusterType, "openwan-eks", "name", "openwan-prod"},
	})
	_, err := mustGet(t, p, clusterType, "openwan-eks").Input("encryptionConfigKeyArn")
	assert.NoError(t, err, "the cluster must encrypt its secrets with a KMS key")
}

func TestEveryChildHasItsComponentAsParent(t *testing.T) {
	p := runStack(t, "prod", false)
	root := fmt.Sprintf("urn:pulumi:prod::%s::pulumi:pulumi:Stack::%[1]s-prod", plan.Project)
	components := map[string]model.Resource{}
	for _, r := range p.Resources {
		if strings.HasPrefix(r.Type, "openwan:") {
			components[r.URN] = r
		}
	}
	require.NotEmpty(t, components, "prod declares openwan components")
	// Only these stand at the top; everything else belongs to a component.
	topLevel := map[string]bool{"kubernetes:core/v1:Namespace": true}
	children := map[string]int{}
	for _, r := range p.Resources {
		if r.Parent == root {
			assert.True(t, strings.HasPrefix(r.Type, "openwan:") || topLevel[r.Type],
				"%s hangs off the stack, want a component parent", r.URN)
			continue
		}
		parent, ok := components[r.Parent]
		if !ok {
			continue // a child of a pulumi-eks component, declared by the eks provider
		}
		children[parent.URN]++
		assert.True(t, strings.HasPrefix(r.Name, parent.Name),
			"%s is named %q, want it prefixed by its component's name %q", r.URN, r.Name, parent.Name)
	}
	for urn := range components {
		assert.NotZero(t, children[urn], "component %s must have children", urn)
	}
}

// TestLocalStackIsKubernetesOnly runs Pulumi.local.yaml: the services, metrics-server as
// objects, all through the existing cluster's provider, and nothing AWS.
func TestLocalStackIsKubernetesOnly(t *testing.T) {
	cfg := configtest.Stack(t, "local")
	require.True(t, cfg.Cluster.Existing.Enabled, "Pulumi.local.yaml deploys onto an existing cluster")
	require.Equal(t, "manifests", cfg.Cluster.MetricsServer.Source, "Pulumi.local.yaml declares metrics-server object by object")
	eachMode(t, func(t *testing.T, dryRun bool) {
		p := runStack(t, "local", dryRun)
		var providers []string
		for _, r := range p.Resources {
			assert.False(t, strings.HasPrefix(r.Type, "aws:") || strings.HasPrefix(r.Type, "eks:") || r.Type == releaseType,
				"the local stack must declare nothing AWS and no chart, but declares %s %s", r.Type, r.Name)
			if r.Type == "pulumi:providers:kubernetes" {
				providers = append(providers, r.Name)
				assert.Equal(t, cfg.Cluster.Existing.Context, r.Inputs["context"],
					"provider context: openwan:cluster.existing.context")
			}
		}
		assert.Equal(t, []string{"existing-cluster"}, providers, "one Kubernetes provider, the existing cluster's")
		runChecks(t, p, []check{
			{deploymentType, "metrics-server-deployment", "metadata.namespace", "kube-system"},
			{"kubernetes:apiregistration.k8s.io/v1:APIService", "metrics-server-apiservice", "spec.group", "metrics.k8s.io"},
			{hpaType, "openwan-api-hpa", "spec.maxReplicas", cfg.API.Replicas.Max},
			{hpaType, "openwan-worker-hpa", "spec.maxReplicas", cfg.Worker.Replicas.Max},
		})
		spec, ok := input(t, p, deploymentType, "openwan-api-deployment", "spec.template.spec").(map[string]any)
		require.True(t, ok, "the API pod spec is an object")
		sel, _ := spec["nodeSelector"].(map[string]any)
		assert.Empty(t, sel, "local API pods must select no node pool; an existing cluster's nodes are not this stack's")
	})
}

// TestProdGrantsClusterAccessFromConfig: the operators and on-call roles of
// openwan:cluster.access get their access entries, so that someone other than the cluster's
// creator can run kubectl.
func TestProdGrantsClusterAccessFromConfig(t *testing.T) {
	cfg := configtest.Prod(t)
	require.NotEmpty(t, cfg.Cluster.Access.Admins, "precondition: prod names its operators")
	p := runStack(t, "prod", false)
	entries := p.Find("aws:eks/accessEntry:AccessEntry")
	require.Len(t, entries, len(cfg.Cluster.Access.Admins)+len(cfg.Cluster.Access.Viewers))
	var principals []any
	for _, e := range entries {
		principals = append(principals, e.Inputs["principalArn"])
		assert.Equal(t, "openwan-prod", e.Inputs["clusterName"], "on the stack's cluster")
	}
	for _, arn := range append(cfg.Cluster.Access.Admins, cfg.Cluster.Access.Viewers...) {
		assert.Contains(t, principals, arn)
	}
	policies := map[string]int{}
	for _, a := range p.Find("aws:eks/accessPolicyAssociation:AccessPolicyAssociation") {
		policies[a.Inputs["policyArn"].(string)]++
	}
	assert.Equal(t, map[string]int{
		cluster.AccessPolicies()["admin"]: len(cfg.Cluster.Access.Admins), cluster.AccessPolicies()["view"]: len(cfg.Cluster.Access.Viewers),
	}, policies)
}
