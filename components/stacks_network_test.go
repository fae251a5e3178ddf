package components_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config/configtest"
)

func TestNetwork(t *testing.T) {
	n := configtest.Prod(t).Network
	require.True(t, n.CreatesVPC(), "prod creates its VPC")
	require.Equal(t, "10.0.0.0/16", n.CIDR, "the subnets below split prod's 10.0.0.0/16")
	require.Equal(t, 3, n.AvailabilityZones, "the subnets below span prod's three zones")
	require.False(t, n.SingleNATGateway, "prod gives each zone its own NAT gateway")
	// The documented layout (network.SubnetCIDRs) of a /16 over three zones: a /19 private
	// subnet per zone from the block's start, a /22 public subnet per zone from 10.0.192.0.
	want := map[string]string{
		"openwan-private-0": "10.0.0.0/19", "openwan-private-1": "10.0.32.0/19", "openwan-private-2": "10.0.64.0/19",
		"openwan-public-0": "10.0.192.0/22", "openwan-public-1": "10.0.196.0/22", "openwan-public-2": "10.0.200.0/22",
	}
	p := runStack(t, "prod", false)
	got := map[string]string{}
	for _, s := range p.Find(subnetType) {
		got[s.Name], _ = s.Inputs["cidrBlock"].(string)
		assert.Equal(t, false, s.Inputs["mapPublicIpOnLaunch"], "%s must not give instances public IPs", s.Name)
	}
	assert.Equal(t, want, got, "prod's subnets and their blocks")
	assert.Len(t, p.Find(natType), n.AvailabilityZones, "prod has one NAT gateway per zone")
}

func TestExistingNetworkDeclaresNone(t *testing.T) {
	// Prod in a VPC that already exists: nothing of the network is declared, and everything
	// lands in the given subnets.
	raw := configtest.Raw(t, "prod")
	raw = withConfig(t, raw, "openwan:network", "vpcId", "vpc-0abc")
	raw = withConfig(t, raw, "openwan:network", "publicSubnetIds", []string{"subnet-p1", "subnet-p2"})
	raw = withConfig(t, raw, "openwan:network", "privateSubnetIds", []string{"subnet-a", "subnet-b"})
	p := runRaw(t, "prod", raw, false)
	assert.Empty(t, append(p.Find("aws:ec2/vpc:Vpc"), p.Find(subnetType)...), "with an existing VPC, no VPC or subnet is declared")
	runChecks(t, p, []check{
		{clusterType, "openwan-eks", "vpcId", "vpc-0abc"},
		{clusterType, "openwan-eks", "privateSubnetIds", []any{"subnet-a", "subnet-b"}},
		{nodeGroupType, "openwan-workers", "subnetIds", []any{"subnet-a", "subnet-b"}},
		{groupType, apiGroup, "vpcZoneIdentifiers", []any{"subnet-a", "subnet-b"}},
		{"aws:lb/loadBalancer:LoadBalancer", "openwan-api-lb", "subnets", []any{"subnet-p1", "subnet-p2"}},
	})
}
