package components_test

import (
	"strconv"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/network"
	"github.com/openwan/openwan-infra/internal/componenttest"
	"github.com/openwan/openwan-infra/internal/model"
	"github.com/openwan/openwan-infra/internal/plan"
)

// networkTestZones are n zones of us-east-1 by ID.
func networkTestZones(n int) []network.Zone {
	all := []network.Zone{
		{ID: "use1-az4", Name: "us-east-1a"}, {ID: "use1-az6", Name: "us-east-1b"}, {ID: "use1-az1", Name: "us-east-1c"},
		{ID: "use1-az2", Name: "us-east-1d"}, {ID: "use1-az5", Name: "us-east-1f"}, {ID: "use1-az3", Name: "us-east-1e"},
		{ID: "use1-az7", Name: "us-east-1g"},
	}
	return all[:n]
}

func TestVPCArgsRefusals(t *testing.T) {
	valid := func() *network.VPCArgs {
		return &network.VPCArgs{CIDR: "10.0.0.0/16", Zones: networkTestZones(2), Region: "us-east-1"}
	}
	componenttest.Refusals(t, valid, componenttest.Validator(network.NewVPC, "net"), []componenttest.Refusal[network.VPCArgs]{
		{Name: "one zone", Change: func(a *network.VPCArgs) { a.Zones = networkTestZones(1) }, Fields: []string{"Zones"}},
		{Name: "more zones than the subnets fit", Change: func(a *network.VPCArgs) { a.Zones = networkTestZones(7) }, Fields: []string{"Zones"}},
		{Name: "a zone twice", Change: func(a *network.VPCArgs) { a.Zones = append(networkTestZones(2), networkTestZones(1)...) }, Fields: []string{"Zones[2].ID"}},
		{Name: "a zone without ID", Change: func(a *network.VPCArgs) { a.Zones[1].ID = "" }, Fields: []string{"Zones[1].ID"}},
		{Name: "block larger than AWS allows", Change: func(a *network.VPCArgs) { a.CIDR = "10.0.0.0/15" }, Fields: []string{"CIDR"}},
		{Name: "block too small for pods", Change: func(a *network.VPCArgs) { a.CIDR = "10.0.0.0/21" }, Fields: []string{"CIDR"}},
		{Name: "IPv6", Change: func(a *network.VPCArgs) { a.CIDR = "fd00::/16" }, Fields: []string{"CIDR"}},
		{Name: "both at once", Change: func(a *network.VPCArgs) { a.CIDR, a.Zones = "nonsense", nil }, Fields: []string{"CIDR", "Zones"}},
		{Name: "no region", Change: func(a *network.VPCArgs) { a.Region = "" }, Fields: []string{"Region"}},
		{Name: "a zone for a region", Change: func(a *network.VPCArgs) { a.Region = "us-east-1a" }, Fields: []string{"Region"}},
	})
}

func TestVPCRefusedDeclaresNothing(t *testing.T) {
	err := componenttest.DeclareRefused(t, network.NewVPC, "net", &network.VPCArgs{CIDR: "10.0.0.0/16", Zones: networkTestZones(1), Region: "us-east-1"})
	assert.ErrorContains(t, err, "vpc net: Zones", "the error names the component and the field")
}

func TestVPCDeclaresSubnetsPerZone(t *testing.T) {
	args := &network.VPCArgs{CIDR: "10.20.0.0/16", Zones: networkTestZones(3), Region: "eu-west-1"}
	p := networkDeclareVPC(t, args)
	public, private, err := network.SubnetCIDRs(args.CIDR, len(args.Zones))
	require.NoError(t, err)
	for i, z := range args.Zones {
		suffix := strconv.Itoa(i)
		assert.Equal(t, public[i], componenttest.Input(t, p, model.TypeEC2Subnet, "net-public-"+suffix, "cidrBlock"), "public subnet %d's block", i)
		assert.Equal(t, private[i], componenttest.Input(t, p, model.TypeEC2Subnet, "net-private-"+suffix, "cidrBlock"), "private subnet %d's block", i)
		// By ID, not name: a name maps to a different physical zone in every account.
		assert.Equal(t, z.ID, componenttest.Input(t, p, model.TypeEC2Subnet, "net-private-"+suffix, "availabilityZoneId"), "private subnet %d's zone", i)
		assert.Equal(t, z.ID, componenttest.Input(t, p, model.TypeEC2Subnet, "net-public-"+suffix, "availabilityZoneId"),
			"zone %d's public and private subnets share it: the NAT gateway serves its own zone", i)
		assert.Equal(t, false, componenttest.Input(t, p, model.TypeEC2Subnet, "net-private-"+suffix, "mapPublicIpOnLaunch"), "no public IPs on launch")
	}
	assert.Len(t, p.Find(model.TypeEC2NATGateway), len(args.Zones), "a NAT gateway per zone: one zone's outage leaves the others their egress")
}

func TestSingleNATGateway(t *testing.T) {
	p := networkDeclareVPC(t, &network.VPCArgs{CIDR: "10.20.0.0/16", Zones: networkTestZones(3), SingleNATGateway: true, Region: "us-east-1"})
	assert.Equal(t, []string{"net-nat-0"}, componenttest.Names(p, model.TypeEC2NATGateway), "one gateway, in the first zone")
	for _, rt := range []string{"net-private-1", "net-private-2"} {
		assert.Equal(t, "net-nat-0-id", componenttest.Input(t, p, model.TypeEC2RouteTable, rt, "routes.0.natGatewayId"),
			"%s routes through the one gateway", rt)
	}
}

// Media, image layers and packages reach S3 through a gateway endpoint on every private route
// table, not through NAT, whose data processing is billed per GB.
func TestS3TrafficBypassesNAT(t *testing.T) {
	for _, single := range []bool{false, true} {
		args := &network.VPCArgs{CIDR: "10.20.0.0/16", Zones: networkTestZones(3), SingleNATGateway: single, Region: "eu-west-1"}
		p := networkDeclareVPC(t, args)
		require.Equal(t, []string{"net-s3"}, componenttest.Names(p, model.TypeEC2VPCEndpoint), "one S3 endpoint (single NAT %v)", single)
		assert.Equal(t, "com.amazonaws.eu-west-1.s3", componenttest.Input(t, p, model.TypeEC2VPCEndpoint, "net-s3", "serviceName"), "S3 in the VPC's region")
		assert.Equal(t, "Gateway", componenttest.Input(t, p, model.TypeEC2VPCEndpoint, "net-s3", "vpcEndpointType"), "a gateway endpoint: free, a route, no ENI")
		var want []any
		for i := range args.Zones {
			want = append(want, "net-private-"+strconv.Itoa(i)+"-id")
		}
		assert.Equal(t, want, componenttest.Input(t, p, model.TypeEC2VPCEndpoint, "net-s3", "routeTableIds"), "on every private route table, where the instances and nodes are")
	}
}

func TestSelectZonesSkipsExcludedIDs(t *testing.T) {
	var got []network.Zone
	componenttest.Run(t, func(ctx *pulumi.Context) error {
		var err error
		got, err = network.SelectZones(ctx, []string{"use1-az6", "use1-az3"}, 3)
		return err
	})
	// The mocked region lists us-east-1a..f as use1-az4, az6, az1, az2, az3, az5.
	assert.Equal(t, []network.Zone{
		{ID: "use1-az4", Name: "us-east-1a"}, {ID: "use1-az1", Name: "us-east-1c"}, {ID: "use1-az2", Name: "us-east-1d"},
	}, got,
		"the first available zones in AWS's order, skipping the excluded IDs")

	err := componenttest.Refused(t, func(ctx *pulumi.Context) error {
		_, err := network.SelectZones(ctx, []string{"use1-az1", "use1-az2", "use1-az3"}, 4)
		return err
	})
	assert.ErrorContains(t, err, "4 zones requested, but the region has 3 available outside the excluded zone IDs [use1-az1 use1-az2 use1-az3]")
}

func TestSubnetCIDRs(t *testing.T) {
	public, private, err := network.SubnetCIDRs("10.0.0.0/16", 2)
	require.NoError(t, err)
	// A /16: private subnets an eighth (/19) from the start, public a sixty-fourth (/22) from
	// three quarters in.
	assert.Equal(t, []string{"10.0.0.0/19", "10.0.32.0/19"}, private, "private /19s from the block's start")
	assert.Equal(t, []string{"10.0.192.0/22", "10.0.196.0/22"}, public, "public /22s from three quarters in")
}

func networkDeclareVPC(t *testing.T, args *network.VPCArgs) *plan.Plan {
	t.Helper()
	return componenttest.Declare(t, network.NewVPC, "net", args)
}
