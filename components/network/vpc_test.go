package network

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/internal/componenttest"
	"github.com/openwan/openwan-infra/internal/plan"
)

const (
	subnetType = "aws:ec2/subnet:Subnet"
	natType    = "aws:ec2/natGateway:NatGateway"
)

func TestVPCArgsRefusals(t *testing.T) {
	valid := func() *VPCArgs { return &VPCArgs{CIDR: "10.0.0.0/16", Zones: 2} }
	componenttest.Refusals(t, valid, (*VPCArgs).validate, []componenttest.Refusal[VPCArgs]{
		{Name: "one zone", Change: func(a *VPCArgs) { a.Zones = 1 }, Fields: []string{"Zones"}},
		{Name: "more zones than the subnets fit", Change: func(a *VPCArgs) { a.Zones = 7 }, Fields: []string{"Zones"}},
		{Name: "block larger than AWS allows", Change: func(a *VPCArgs) { a.CIDR = "10.0.0.0/15" }, Fields: []string{"CIDR"}},
		{Name: "block too small for pods", Change: func(a *VPCArgs) { a.CIDR = "10.0.0.0/21" }, Fields: []string{"CIDR"}},
		{Name: "IPv6", Change: func(a *VPCArgs) { a.CIDR = "fd00::/16" }, Fields: []string{"CIDR"}},
		{Name: "both at once", Change: func(a *VPCArgs) { a.CIDR, a.Zones = "nonsense", 0 }, Fields: []string{"CIDR", "Zones"}},
	})
}

func TestVPCRefusedDeclaresNothing(t *testing.T) {
	err := componenttest.DeclareRefused(t, NewVPC, "net", &VPCArgs{CIDR: "10.0.0.0/16", Zones: 1})
	assert.ErrorContains(t, err, "vpc net: Zones", "the error names the component and the field")
}

func TestVPCDeclaresSubnetsPerZone(t *testing.T) {
	args := &VPCArgs{CIDR: "10.20.0.0/16", Zones: 3}
	p := declareVPC(t, args)
	public, private, err := SubnetCIDRs(args.CIDR, args.Zones)
	require.NoError(t, err)
	zones := map[any]bool{}
	for i := range args.Zones {
		suffix := strconv.Itoa(i)
		assert.Equal(t, public[i], componenttest.Input(t, p, subnetType, "net-public-"+suffix, "cidrBlock"), "public subnet %d's block", i)
		assert.Equal(t, private[i], componenttest.Input(t, p, subnetType, "net-private-"+suffix, "cidrBlock"), "private subnet %d's block", i)
		zone := componenttest.Input(t, p, subnetType, "net-private-"+suffix, "availabilityZone")
		assert.Equal(t, zone, componenttest.Input(t, p, subnetType, "net-public-"+suffix, "availabilityZone"),
			"zone %d's public and private subnets share it: the NAT gateway serves its own zone", i)
		zones[zone] = true
		assert.Equal(t, false, componenttest.Input(t, p, subnetType, "net-private-"+suffix, "mapPublicIpOnLaunch"), "no public IPs on launch")
	}
	assert.Len(t, zones, args.Zones, "each zone's subnets in a zone of their own")
	assert.Len(t, p.Find(natType), args.Zones, "a NAT gateway per zone: one zone's outage leaves the others their egress")
}

func TestSingleNATGateway(t *testing.T) {
	p := declareVPC(t, &VPCArgs{CIDR: "10.20.0.0/16", Zones: 3, SingleNATGateway: true})
	assert.Equal(t, []string{"net-nat-0"}, componenttest.Names(p, natType), "one gateway, in the first zone")
	for _, rt := range []string{"net-private-1", "net-private-2"} {
		assert.Equal(t, "net-nat-0-id", componenttest.Input(t, p, "aws:ec2/routeTable:RouteTable", rt, "routes.0.natGatewayId"),
			"%s routes through the one gateway", rt)
	}
}

func TestSubnetCIDRs(t *testing.T) {
	public, private, err := SubnetCIDRs("10.0.0.0/16", 2)
	require.NoError(t, err)
	// A /16: private subnets an eighth (/19) from the start, public a sixty-fourth (/22) from
	// three quarters in.
	assert.Equal(t, []string{"10.0.0.0/19", "10.0.32.0/19"}, private, "private /19s from the block's start")
	assert.Equal(t, []string{"10.0.192.0/22", "10.0.196.0/22"}, public, "public /22s from three quarters in")
}

func declareVPC(t *testing.T, args *VPCArgs) *plan.Plan {
	t.Helper()
	return componenttest.Declare(t, NewVPC, "net", args)
}
