package network

import (
	"strconv"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
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
	var nilArgs *VPCArgs
	assert.EqualError(t, nilArgs.validate(), "args are required")

	cases := []struct {
		name   string
		args   VPCArgs
		fields []string
	}{
		{"valid", VPCArgs{CIDR: "10.0.0.0/16", Zones: 2}, nil},
		{"one zone", VPCArgs{CIDR: "10.0.0.0/16", Zones: 1}, []string{"Zones"}},
		{"more zones than the subnets fit", VPCArgs{CIDR: "10.0.0.0/16", Zones: 7}, []string{"Zones"}},
		{"block larger than AWS allows", VPCArgs{CIDR: "10.0.0.0/15", Zones: 2}, []string{"CIDR"}},
		{"block too small for pods", VPCArgs{CIDR: "10.0.0.0/21", Zones: 2}, []string{"CIDR"}},
		{"IPv6", VPCArgs{CIDR: "fd00::/16", Zones: 2}, []string{"CIDR"}},
		{"both at once", VPCArgs{CIDR: "nonsense", Zones: 0}, []string{"CIDR", "Zones"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			componenttest.AssertFields(t, c.args.validate(), c.fields...)
		})
	}
}

func TestVPCRefusedDeclaresNothing(t *testing.T) {
	err := componenttest.Refused(t, func(ctx *pulumi.Context) error {
		_, err := NewVPC(ctx, "net", &VPCArgs{CIDR: "10.0.0.0/16", Zones: 1})
		return err
	})
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
	return componenttest.Run(t, func(ctx *pulumi.Context) error {
		_, err := NewVPC(ctx, "net", args)
		return err
	})
}
