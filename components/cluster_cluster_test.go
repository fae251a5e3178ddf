package components_test

import (
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/cluster"
	"github.com/openwan/openwan-infra/internal/componenttest"
	"github.com/openwan/openwan-infra/internal/model"
)

func clusterValidClusterArgs() *cluster.ClusterArgs {
	return &cluster.ClusterArgs{
		Name: "openwan-test", Version: "1.33",
		VPCID:           pulumi.String("vpc-1"),
		PublicSubnetIDs: pulumi.ToStringArray([]string{"subnet-p1", "subnet-p2"}), PrivateSubnetIDs: pulumi.ToStringArray([]string{"subnet-q1", "subnet-q2"}),
		EndpointPublicAccess: true, PublicAccessCIDRs: []string{"198.51.100.0/24"},
		LogTypes: []string{"api", "audit"}, LogRetentionDays: 30,
		NodePools: map[string]cluster.NodePoolArgs{
			"api":     {InstanceTypes: []string{"m5.large"}, Min: 2, Max: 5, Desired: 3, DiskGiB: 40, MaxUnavailable: 1},
			"workers": {InstanceTypes: []string{"c5.xlarge", "c6i.xlarge"}, Spot: true, Min: 1, Max: 4, Desired: 1, DiskGiB: 80, MaxUnavailable: 2},
		},
		Addons: cluster.AddonVersions{VPCCNI: "v1.20.1-eksbuild.3", CoreDNS: "v1.12.2-eksbuild.4", KubeProxy: "v1.33.0-eksbuild.2"},
	}
}

func TestClusterArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, clusterValidClusterArgs, componenttest.Validator(cluster.NewCluster, "openwan"), []componenttest.Refusal[cluster.ClusterArgs]{
		{Name: "no name", Change: func(a *cluster.ClusterArgs) { a.Name = "" }, Fields: []string{"Name"}},
		{Name: "no version", Change: func(a *cluster.ClusterArgs) { a.Version = "" }, Fields: []string{"Version"}},
		{Name: "a retention CloudWatch does not take", Change: func(a *cluster.ClusterArgs) { a.LogRetentionDays = 45 }, Fields: []string{"LogRetentionDays"}},
		{Name: "no private subnets", Change: func(a *cluster.ClusterArgs) { a.PrivateSubnetIDs = nil }, Fields: []string{"PrivateSubnetIDs"}},
		{Name: "public endpoint open to all", Change: func(a *cluster.ClusterArgs) { a.PublicAccessCIDRs = nil }, Fields: []string{"PublicAccessCIDRs"}},
		{Name: "no pools", Change: func(a *cluster.ClusterArgs) { a.NodePools = nil }, Fields: []string{"NodePools"}},
		{Name: "pool without types", Change: func(a *cluster.ClusterArgs) {
			a.NodePools["api"] = cluster.NodePoolArgs{Min: 1, Max: 1, Desired: 1, DiskGiB: 20, MaxUnavailable: 1}
		}, Fields: []string{"NodePools[api].InstanceTypes"}},
		{Name: "disk smaller than the node image", Change: func(a *cluster.ClusterArgs) {
			p := a.NodePools["workers"]
			p.DiskGiB = 19
			a.NodePools["workers"] = p
		}, Fields: []string{"NodePools[workers].DiskGiB"}},
		{Name: "rolling replacement of more nodes than the pool has", Change: func(a *cluster.ClusterArgs) {
			p := a.NodePools["api"]
			p.MaxUnavailable = 6
			a.NodePools["api"] = p
		}, Fields: []string{"NodePools[api].MaxUnavailable"}},
		{Name: "an add-on at EKS's moving default", Change: func(a *cluster.ClusterArgs) { a.Addons.CoreDNS = "" }, Fields: []string{"Addons.CoreDNS"}},
		// Pools are checked in name order, so the message reads the same on every run.
		{Name: "bad fields in several pools", Change: func(a *cluster.ClusterArgs) {
			a.VPCID = nil
			a.NodePools["workers"] = cluster.NodePoolArgs{InstanceTypes: []string{"c5.xlarge"}, Min: 2, Max: 1, Desired: 3, DiskGiB: 20, MaxUnavailable: 1}
			a.NodePools["api"] = cluster.NodePoolArgs{InstanceTypes: []string{"m5.large"}, Min: 0, Max: 1, Desired: 1, DiskGiB: 20, MaxUnavailable: 1}
		}, Fields: []string{"VPCID", "NodePools[api].Min", "NodePools[workers].Max", "NodePools[workers].Desired"}},
	})
}

func TestClusterRefusedDeclaresNothing(t *testing.T) {
	err := componenttest.DeclareRefused(t, cluster.NewCluster, "openwan", &cluster.ClusterArgs{})
	assert.ErrorContains(t, err, "cluster openwan: Name", "the error names the component and the field")
}

// TestClusterDeclares checks what the mocks see. The eks:index:Cluster is a remote component:
// its control plane, security groups, aws-auth ConfigMap and OIDC provider are created inside
// it by pulumi-eks and never reach the mocks; only its inputs can be checked here (the policy
// pack judges its children in policies/rules/pulumi_eks_test.go).
func TestClusterDeclares(t *testing.T) {
	args := clusterValidClusterArgs()
	p := componenttest.Declare(t, cluster.NewCluster, "openwan", args)
	input := func(typ, name, path string) any { return componenttest.Input(t, p, typ, name, path) }
	assert.Equal(t, args.Name, input(model.TypePulumiEKSCluster, "openwan-eks", "name"), "the physical name the autoscaler discovers by")
	assert.Equal(t, args.Version, input(model.TypePulumiEKSCluster, "openwan-eks", "version"), "the pinned Kubernetes version")
	assert.Equal(t, true, input(model.TypePulumiEKSCluster, "openwan-eks", "skipDefaultNodeGroup"),
		"no default node group: v2's uses launch configurations, which new accounts cannot create")
	assert.Equal(t, true, input(model.TypePulumiEKSCluster, "openwan-eks", "endpointPrivateAccess"), "the private endpoint is always on")
	assert.Equal(t, true, input(model.TypePulumiEKSCluster, "openwan-eks", "useDefaultVpcCni"),
		"pulumi-eks must not apply its bundled CNI v1.16 over the one EKS installs")
	assert.Empty(t, p.Find(model.TypePulumiEKSManagedNodeGroup), "pulumi-eks's node groups hide their launch template from the plan")
}

// TestNodePoolsDeclareTheirLaunchTemplates: each pool is a node group running a launch template
// of ours, whose every setting is in the plan.
func TestNodePoolsDeclareTheirLaunchTemplates(t *testing.T) {
	args := clusterValidClusterArgs()
	p := componenttest.Declare(t, cluster.NewCluster, "openwan", args)
	require.ElementsMatch(t, []string{"openwan-api", "openwan-workers"}, componenttest.Names(p, model.TypeEKSNodeGroup), "one node group per pool")
	require.ElementsMatch(t, []string{"openwan-api", "openwan-workers"}, componenttest.Names(p, model.TypeEC2LaunchTemplate), "one launch template per pool")
	for pool, want := range args.NodePools {
		name := "openwan-" + pool
		group := func(path string) any { return componenttest.Input(t, p, model.TypeEKSNodeGroup, name, path) }
		lt := func(path string) any { return componenttest.Input(t, p, model.TypeEC2LaunchTemplate, name, path) }

		assert.Equal(t, name+"-id", group("launchTemplate.id"), "%s runs its own launch template", name)
		assert.Equal(t, "1", group("launchTemplate.version"), "%s follows the template's latest version", name)
		assert.Equal(t, "required", lt("metadataOptions.httpTokens"), "%s: IMDSv2 only", name)
		assert.EqualValues(t, 1, lt("metadataOptions.httpPutResponseHopLimit"), "%s: pods on the pod network cannot reach the node's credentials", name)
		assert.Equal(t, "/dev/xvda", lt("blockDeviceMappings.0.deviceName"), "%s: the AL2023 image's root device, replaced", name)
		assert.Equal(t, "true", lt("blockDeviceMappings.0.ebs.encrypted"), "%s: encrypted whatever the account's default", name)
		assert.Equal(t, "gp3", lt("blockDeviceMappings.0.ebs.volumeType"), "%s: gp3", name)
		assert.EqualValues(t, want.DiskGiB, lt("blockDeviceMappings.0.ebs.volumeSize"), "%s: DiskGiB", name)
		template, err := p.Get(model.TypeEC2LaunchTemplate, name)
		require.NoError(t, err)
		assert.NotContains(t, template.Inputs, "iamInstanceProfile", "%s: EKS refuses a managed node group's template with an instance profile", name)
		assert.NotContains(t, template.Inputs, "imageId", "%s: EKS picks the image of the AMI type and version", name)

		assert.EqualValues(t, want.Min, group("scalingConfig.minSize"), "%s: Min", name)
		assert.EqualValues(t, want.Max, group("scalingConfig.maxSize"), "%s: Max", name)
		assert.EqualValues(t, want.Desired, group("scalingConfig.desiredSize"), "%s: Desired at creation", name)
		assert.EqualValues(t, want.MaxUnavailable, group("updateConfig.maxUnavailable"), "%s: rolling replacement", name)
		assert.Equal(t, args.Version, group("version"), "%s: nodes follow the control plane's version", name)
		assert.Equal(t, cluster.NodeAMIType, group("amiType"), "%s", name)
		assert.Equal(t, args.Name, group("clusterName"), "%s joins the cluster", name)
		r, err := p.Get(model.TypeEKSNodeGroup, name)
		require.NoError(t, err)
		eks, err := p.Get(model.TypePulumiEKSCluster, "openwan-eks")
		require.NoError(t, err)
		assert.Contains(t, r.PropertyDependencies["clusterName"], eks.URN, "%s waits for the control plane", name)
		assert.Equal(t, map[string]any{cluster.PoolLabel: pool}, r.Inputs["labels"], "%s: pods select their pool by this label", name)
		assert.Equal(t, map[string]any{
			"k8s.io/cluster-autoscaler/enabled": "true", "k8s.io/cluster-autoscaler/" + args.Name: "owned", cluster.PoolLabel: pool,
		}, r.Inputs["tags"], "%s: cluster-autoscaler's discovery tags", name)
		assert.NotContains(t, r.Inputs, "diskSize", "%s: the disk is the template's; EKS refuses both", name)
		assert.Equal(t, []string{"scalingConfig.desiredSize"}, r.IgnoreChanges, "%s: the cluster-autoscaler owns the node count", name)
	}
	assert.Equal(t, "ON_DEMAND", componenttest.Input(t, p, model.TypeEKSNodeGroup, "openwan-api", "capacityType"), "the api pool is on-demand")
	api, err := p.Get(model.TypeEKSNodeGroup, "openwan-api")
	require.NoError(t, err)
	assert.Empty(t, api.Inputs["taints"], "the on-demand pool is untainted")
	assert.Equal(t, "SPOT", componenttest.Input(t, p, model.TypeEKSNodeGroup, "openwan-workers", "capacityType"), "Spot selects spot capacity")
	assert.Equal(t, cluster.SpotTaintKey, componenttest.Input(t, p, model.TypeEKSNodeGroup, "openwan-workers", "taints.0.key"),
		"spot nodes are tainted: only pods tolerating interruption land there")
	assert.Equal(t, "NO_SCHEDULE", componenttest.Input(t, p, model.TypeEKSNodeGroup, "openwan-workers", "taints.0.effect"), "the EKS API's spelling")
}

// TestAddonsPinTheirVersions: vpc-cni, coredns and kube-proxy are EKS add-ons at the given
// versions, adopted over what EKS installed, the CNI enforcing network policies.
func TestAddonsPinTheirVersions(t *testing.T) {
	args := clusterValidClusterArgs()
	p := componenttest.Declare(t, cluster.NewCluster, "openwan", args)
	want := map[string]string{cluster.AddonVPCCNI: args.Addons.VPCCNI, cluster.AddonCoreDNS: args.Addons.CoreDNS, cluster.AddonKubeProxy: args.Addons.KubeProxy}
	require.ElementsMatch(t, []string{"openwan-vpc-cni", "openwan-coredns", "openwan-kube-proxy"}, componenttest.Names(p, model.TypeEKSAddon))
	for addon, version := range want {
		name := "openwan-" + addon
		assert.Equal(t, addon, componenttest.Input(t, p, model.TypeEKSAddon, name, "addonName"), name)
		assert.Equal(t, version, componenttest.Input(t, p, model.TypeEKSAddon, name, "addonVersion"), name)
		assert.Equal(t, "OVERWRITE", componenttest.Input(t, p, model.TypeEKSAddon, name, "resolveConflictsOnCreate"), "%s adopts what EKS installed", name)
	}
	text, ok := componenttest.Input(t, p, model.TypeEKSAddon, "openwan-vpc-cni", "configurationValues").(string)
	require.True(t, ok, "the CNI is configured")
	var cni map[string]any
	require.NoError(t, json.Unmarshal([]byte(text), &cni))
	assert.Equal(t, "true", cni["enableNetworkPolicy"], "NetworkPolicies are enforced, not only accepted")
}

// The control plane's logs go to a group the stack declares, with its retention, before EKS
// would create one that never expires: the cluster waits for it.
func TestControlPlaneLogsExpire(t *testing.T) {
	args := clusterValidClusterArgs()
	p := componenttest.Declare(t, cluster.NewCluster, "openwan", args)
	require.Equal(t, []string{"openwan-logs-0"}, componenttest.Names(p, model.TypeCloudWatchLogGroup))
	assert.Equal(t, "/aws/eks/openwan-test/cluster", componenttest.Input(t, p, model.TypeCloudWatchLogGroup, "openwan-logs-0", "name"), "EKS's name for the group")
	assert.EqualValues(t, args.LogRetentionDays, componenttest.Input(t, p, model.TypeCloudWatchLogGroup, "openwan-logs-0", "retentionInDays"))
	group, err := p.Get(model.TypeCloudWatchLogGroup, "openwan-logs-0")
	require.NoError(t, err)
	eks, err := p.Get(model.TypePulumiEKSCluster, "openwan-eks")
	require.NoError(t, err)
	assert.Contains(t, eks.Dependencies, group.URN, "the group exists before EKS writes to it")
}

// TestProviderWaitsForTheNodes: every object deployed through the cluster's provider waits for
// the node groups and the add-ons, whichever component declares it and whatever that component
// depends on.
func TestProviderWaitsForTheNodes(t *testing.T) {
	p := componenttest.Declare(t, cluster.NewCluster, "openwan", clusterValidClusterArgs())
	provider, err := p.Get(model.TypeKubernetesProvider, "openwan-k8s")
	require.NoError(t, err)
	for _, pool := range []string{"openwan-api", "openwan-workers"} {
		group, err := p.Get(model.TypeEKSNodeGroup, pool)
		require.NoError(t, err)
		assert.Contains(t, provider.Dependencies, group.URN, "the provider waits for node group %s", pool)
	}
	for _, addon := range []string{"openwan-vpc-cni", "openwan-coredns", "openwan-kube-proxy"} {
		a, err := p.Get(model.TypeEKSAddon, addon)
		require.NoError(t, err)
		assert.Contains(t, provider.Dependencies, a.URN, "the provider waits for add-on %s", addon)
	}
}
