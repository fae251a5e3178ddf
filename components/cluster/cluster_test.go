package cluster

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/internal/componenttest"
)

const (
	eksType       = "eks:index:Cluster"
	nodeGroupType = "eks:index:ManagedNodeGroup"
)

func validClusterArgs() *ClusterArgs {
	return &ClusterArgs{
		Name: "openwan-test", Version: "1.33",
		VPCID:           pulumi.String("vpc-1"),
		PublicSubnetIDs: pulumi.ToStringArray([]string{"subnet-p1", "subnet-p2"}), PrivateSubnetIDs: pulumi.ToStringArray([]string{"subnet-q1", "subnet-q2"}),
		EndpointPublicAccess: true, PublicAccessCIDRs: []string{"198.51.100.0/24"},
		LogTypes: []string{"api", "audit"},
		NodePools: map[string]NodePoolArgs{
			"api":     {InstanceTypes: []string{"m5.large"}, Min: 2, Max: 5, Desired: 3, DiskGiB: 40},
			"workers": {InstanceTypes: []string{"c5.xlarge", "c6i.xlarge"}, Spot: true, Min: 1, Max: 4, Desired: 1, DiskGiB: 80},
		},
	}
}

func TestClusterArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, validClusterArgs, (*ClusterArgs).validate, []componenttest.Refusal[ClusterArgs]{
		{Name: "no name", Change: func(a *ClusterArgs) { a.Name = "" }, Fields: []string{"Name"}},
		{Name: "no version", Change: func(a *ClusterArgs) { a.Version = "" }, Fields: []string{"Version"}},
		{Name: "no private subnets", Change: func(a *ClusterArgs) { a.PrivateSubnetIDs = nil }, Fields: []string{"PrivateSubnetIDs"}},
		{Name: "public endpoint open to all", Change: func(a *ClusterArgs) { a.PublicAccessCIDRs = nil }, Fields: []string{"PublicAccessCIDRs"}},
		{Name: "no pools", Change: func(a *ClusterArgs) { a.NodePools = nil }, Fields: []string{"NodePools"}},
		{Name: "pool without types", Change: func(a *ClusterArgs) {
			a.NodePools["api"] = NodePoolArgs{Min: 1, Max: 1, Desired: 1, DiskGiB: 20}
		}, Fields: []string{"NodePools[api].InstanceTypes"}},
		{Name: "disk smaller than the node image", Change: func(a *ClusterArgs) {
			p := a.NodePools["workers"]
			p.DiskGiB = 19
			a.NodePools["workers"] = p
		}, Fields: []string{"NodePools[workers].DiskGiB"}},
		// Pools are checked in name order, so the message reads the same on every run.
		{Name: "bad fields in several pools", Change: func(a *ClusterArgs) {
			a.VPCID = nil
			a.NodePools["workers"] = NodePoolArgs{InstanceTypes: []string{"c5.xlarge"}, Min: 2, Max: 1, Desired: 3, DiskGiB: 20}
			a.NodePools["api"] = NodePoolArgs{InstanceTypes: []string{"m5.large"}, Min: 0, Max: 1, Desired: 1, DiskGiB: 20}
		}, Fields: []string{"VPCID", "NodePools[api].Min", "NodePools[workers].Max", "NodePools[workers].Desired"}},
	})
}

func TestClusterRefusedDeclaresNothing(t *testing.T) {
	err := componenttest.DeclareRefused(t, NewCluster, "openwan", &ClusterArgs{})
	assert.ErrorContains(t, err, "cluster openwan: Name", "the error names the component and the field")
}

// TestClusterDeclares checks what the mocks see. The eks:index:Cluster is a remote component:
// its control plane, security groups, aws-auth ConfigMap and OIDC provider are created inside
// it by pulumi-eks and never reach the mocks; only its inputs can be checked here.
func TestClusterDeclares(t *testing.T) {
	args := validClusterArgs()
	p := componenttest.Declare(t, NewCluster, "openwan", args)
	assert.Equal(t, args.Name, componenttest.Input(t, p, eksType, "openwan-eks", "name"), "the physical name the autoscaler discovers by")
	assert.Equal(t, args.Version, componenttest.Input(t, p, eksType, "openwan-eks", "version"), "the pinned Kubernetes version")
	assert.Equal(t, true, componenttest.Input(t, p, eksType, "openwan-eks", "skipDefaultNodeGroup"),
		"no default node group: v2's uses launch configurations, which new accounts cannot create")
	assert.Equal(t, true, componenttest.Input(t, p, eksType, "openwan-eks", "endpointPrivateAccess"), "the private endpoint is always on")

	require.ElementsMatch(t, []string{"openwan-api", "openwan-workers"}, componenttest.Names(p, nodeGroupType), "one node group per pool")
	for pool, want := range args.NodePools {
		name := "openwan-" + pool
		input := func(path string) any { return componenttest.Input(t, p, nodeGroupType, name, path) }
		assert.EqualValues(t, want.Min, input("scalingConfig.minSize"), "%s: Min", name)
		assert.EqualValues(t, want.Max, input("scalingConfig.maxSize"), "%s: Max", name)
		assert.EqualValues(t, want.DiskGiB, input("diskSize"), "%s: DiskGiB", name)
		labels, ok := input("labels").(map[string]any)
		require.True(t, ok, "%s: labels are a map", name)
		assert.Equal(t, pool, labels[PoolLabel], "%s: pods select their pool by this label", name)
		assert.Equal(t, true, input("enableIMDSv2"), "%s: nodes require metadata tokens", name)
		r, err := p.Get(nodeGroupType, name)
		require.NoError(t, err)
		assert.Contains(t, r.IgnoreChanges, "scalingConfig.desiredSize", "%s: the cluster-autoscaler owns the node count", name)
	}
	assert.Equal(t, "ON_DEMAND", componenttest.Input(t, p, nodeGroupType, "openwan-api", "capacityType"), "the api pool is on-demand")
	assert.Equal(t, "SPOT", componenttest.Input(t, p, nodeGroupType, "openwan-workers", "capacityType"), "Spot selects spot capacity")
	assert.Equal(t, SpotTaintKey, componenttest.Input(t, p, nodeGroupType, "openwan-workers", "taints.0.key"),
		"spot nodes are tainted: only pods tolerating interruption land there")
}
