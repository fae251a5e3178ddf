package components_test

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/config/configtest"
)

const addonType = "aws:eks/addon:Addon"

// TestNodePoolsRunOurLaunchTemplates pins, for each stack that creates EKS, the node groups to
// pulumi-aws's own resource running a launch template of ours whose every setting is in the
// plan: no pulumi-eks ManagedNodeGroup hiding a template with hop limit 2 and an unencrypted disk.
func TestNodePoolsRunOurLaunchTemplates(t *testing.T) {
	for _, stack := range []string{"prod", "dev"} {
		t.Run(stack, func(t *testing.T) {
			cfg := configtest.Stack(t, stack)
			require.True(t, cfg.Cluster.EKS(), "%s creates EKS", stack)
			p := runStack(t, stack, false)
			assert.Empty(t, p.Find("eks:index:ManagedNodeGroup"), "no pulumi-eks node group")
			require.Len(t, p.Find(nodeGroupType), 2, "one node group per pool")
			pools := map[string]config.NodePool{"openwan-api": cfg.Cluster.NodePools.API, "openwan-workers": cfg.Cluster.NodePools.Workers}
			for name, pool := range pools {
				group, lt := mustGet(t, p, nodeGroupType, name), mustGet(t, p, ltType, name)
				runChecks(t, p, []check{
					{ltType, name, "metadataOptions.httpTokens", "required"},
					{ltType, name, "metadataOptions.httpPutResponseHopLimit", 1},
					{ltType, name, "blockDeviceMappings.0.ebs.encrypted", "true"},
					{ltType, name, "blockDeviceMappings.0.ebs.volumeType", "gp3"},
					{ltType, name, "blockDeviceMappings.0.ebs.volumeSize", pool.DiskGiB},
					{nodeGroupType, name, "launchTemplate.id", lt.Name + "-id"},
					{nodeGroupType, name, "scalingConfig.minSize", pool.Size.Min},
					{nodeGroupType, name, "scalingConfig.maxSize", pool.Size.Max},
					{nodeGroupType, name, "scalingConfig.desiredSize", pool.Desired},
					{nodeGroupType, name, "updateConfig.maxUnavailable", pool.MaxUnavailable},
					{nodeGroupType, name, "version", cfg.Cluster.Version},
				})
				assert.Contains(t, group.PropertyDependencies["launchTemplate"], lt.URN, "%s runs its own launch template", name)
				assert.Equal(t, []string{"scalingConfig.desiredSize"}, group.IgnoreChanges,
					"%s: cluster-autoscaler owns the node count; an up after a refresh must not reset it", name)
			}
		})
	}
}

// TestAddonsFollowTheClusterVersion: the CNI, CoreDNS and kube-proxy are EKS add-ons at the
// release table's versions for the stack's cluster version, the CNI enforcing NetworkPolicies,
// and pulumi-eks leaves the CNI alone.
func TestAddonsFollowTheClusterVersion(t *testing.T) {
	for _, stack := range []string{"prod", "dev"} {
		t.Run(stack, func(t *testing.T) {
			cc := configtest.Stack(t, stack).Cluster
			p := runStack(t, stack, false)
			runChecks(t, p, []check{
				{clusterType, "openwan-eks", "useDefaultVpcCni", true},
				{addonType, "openwan-vpc-cni", "addonVersion", cc.Addons.VPCCNI},
				{addonType, "openwan-coredns", "addonVersion", cc.Addons.CoreDNS},
				{addonType, "openwan-kube-proxy", "addonVersion", cc.Addons.KubeProxy},
			})
			assert.Contains(t, cc.Addons.KubeProxy, "v"+cc.Version+".", "kube-proxy of the cluster's own minor")
			text, err := mustGet(t, p, addonType, "openwan-vpc-cni").Input("configurationValues")
			require.NoError(t, err)
			var cni map[string]any
			require.NoError(t, json.Unmarshal([]byte(text.(string)), &cni))
			assert.Equal(t, "true", cni["enableNetworkPolicy"], "NetworkPolicies are enforced")
		})
	}
}

// TestClusterAutoscalerRespectsThePods: the autoscaler is of the cluster's minor, waits the
// workers' whole grace period before it kills an evicted pod, and may evict both workloads
// despite their /tmp scratch (the per-workload decision is in stacks/kubernetes.go).
func TestClusterAutoscalerRespectsThePods(t *testing.T) {
	for _, stack := range []string{"prod", "dev"} {
		t.Run(stack, func(t *testing.T) {
			cfg := configtest.Stack(t, stack)
			p := runStack(t, stack, false)
			longest := max(cfg.API.TerminationGracePeriodSeconds, cfg.Worker.TerminationGracePeriodSeconds)
			runChecks(t, p, []check{
				{releaseType, "cluster-autoscaler-release", "version", cfg.Cluster.ClusterAutoscaler.ChartVersion},
				{releaseType, "cluster-autoscaler-release", "values.image.tag", cfg.Cluster.ClusterAutoscaler.ImageTag},
				{releaseType, "cluster-autoscaler-release", "values.extraArgs.max-graceful-termination-sec", strconv.Itoa(longest)},
			})
			assert.Contains(t, cfg.Cluster.ClusterAutoscaler.ImageTag, "v"+cfg.Cluster.Version+".", "the autoscaler of the cluster's own minor")
			if stack == "prod" {
				assert.Equal(t, 1800, longest, "prod's workers have the guide's 30 minutes to finish a transcode")
			}
			for _, d := range []string{"openwan-api-deployment", "openwan-worker-deployment"} {
				got, err := mustGet(t, p, deploymentType, d).Input("spec.template.metadata.annotations")
				require.NoError(t, err, "%s annotates its pods", d)
				assert.Equal(t, map[string]any{"cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes": "tmp"}, got,
					"%s: its /tmp scratch does not pin its node", d)
			}
		})
	}
}

// TestZonesAreChosenByID: subnets name zone IDs, never one the stack excludes, and a stack
// asking for more zones than the region has left is refused, naming both keys.
func TestZonesAreChosenByID(t *testing.T) {
	n := configtest.Prod(t).Network
	require.Contains(t, n.ExcludeZoneIDs, "use1-az3", "prod keeps out the us-east-1 zone EKS cannot use")
	p := runStack(t, "prod", false)
	for _, s := range p.Find(subnetType) {
		id, ok := s.Inputs["availabilityZoneId"].(string)
		require.True(t, ok, "%s is placed by zone ID", s.Name)
		assert.NotContains(t, n.ExcludeZoneIDs, id, "%s is in an excluded zone", s.Name)
		assert.NotContains(t, s.Inputs, "availabilityZone", "%s: a zone name means a different zone in each account", s.Name)
	}

	// The mocked us-east-1 has six zones; excluding three leaves three, one short of four.
	raw := withConfig(t, configtest.Raw(t, "prod"), "openwan:network", "availabilityZones", 4)
	raw = withConfig(t, raw, "openwan:network", "excludeZoneIds", []string{"use1-az3", "use1-az1", "use1-az2"})
	err := refuse(t, raw)
	assert.ErrorContains(t, err, "openwan:network.availabilityZones 4 with openwan:network.excludeZoneIds [use1-az3 use1-az1 use1-az2]")
	assert.ErrorContains(t, err, "4 zones requested, but the region has 3 available")
}

// TestEKSNeverUsesItsUnsupportedZones: a stack's own excludeZoneIds cannot readmit a zone where
// EKS cannot run a control plane. The mocked region has six zones; leaving out use1-az6 by
// config leaves five, but use1-az3 is EKS's, so four: a stack asking for five is refused.
func TestEKSNeverUsesItsUnsupportedZones(t *testing.T) {
	raw := withConfig(t, configtest.Raw(t, "prod"), "openwan:network", "availabilityZones", 5)
	raw = withConfig(t, raw, "openwan:network", "excludeZoneIds", []string{"use1-az6"})
	assert.ErrorContains(t, refuse(t, raw), "5 zones requested, but the region has 4 available outside the excluded zone IDs [use1-az6 use1-az3 usw1-az2 cac1-az3]")
}
