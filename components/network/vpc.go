package network

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// VPC is a VPC spread over several availability zones: one public subnet per zone (load
// balancers, NAT gateways) and one private subnet per zone (nodes and instances, no public IPs),
// with NAT egress per zone or through a single gateway, and an S3 gateway endpoint on the private
// route tables.
type VPC struct {
	pulumi.ResourceState

	// VPCID is the VPC's id.
	VPCID pulumi.StringOutput
	// PublicSubnetIDs and PrivateSubnetIDs are the subnets, one of each per zone, in zone order.
	PublicSubnetIDs  pulumi.StringArrayOutput
	PrivateSubnetIDs pulumi.StringArrayOutput
}

// VPCArgs describe a VPC.
type VPCArgs struct {
	// CIDR is the VPC's IPv4 block, /16 to /20.
	CIDR string
	// Zones are the availability zones to span (2 to 6, distinct), from SelectZones.
	Zones []Zone
	// SingleNATGateway puts one NAT gateway in the first zone for all (cheaper, less available).
	SingleNATGateway bool
	// Region is the VPC's AWS region (like "us-east-1"): the S3 gateway endpoint's service is
	// com.amazonaws.<Region>.s3.
	Region string
}

// SubnetCIDRs splits a VPC block for zones zones: private subnets of an eighth of the block each
// from its start (they hold every pod IP, so they get most addresses), public subnets of a
// sixty-fourth each from three quarters in (load balancers and NAT gateways only). A /16 gives
// /19 private and /22 public subnets; six zones fit.
func SubnetCIDRs(vpc string, zones int) (public, private []string, err error) {
	prefix, err := netip.ParsePrefix(vpc)
	if err != nil || !prefix.Addr().Is4() {
		return nil, nil, fmt.Errorf("vpc cidr %q is not IPv4", vpc)
	}
	if zones < 1 || zones > 6 {
		return nil, nil, fmt.Errorf("%d zones is outside [1, 6]", zones)
	}
	base := prefix.Masked().Addr().As4()
	start := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	size := uint32(1) << (32 - prefix.Bits())
	privBits, pubBits := prefix.Bits()+3, prefix.Bits()+6
	format := func(addr uint32, bits int) string {
		a := netip.AddrFrom4([4]byte{byte(addr >> 24), byte(addr >> 16), byte(addr >> 8), byte(addr)})
		return netip.PrefixFrom(a, bits).String()
	}
	for i := range zones {
		private = append(private, format(start+uint32(i)*(size/8), privBits))
		public = append(public, format(start+6*(size/8)+uint32(i)*(size/64), pubBits))
	}
	return public, private, nil
}

func (a *VPCArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	var errs []error
	// AWS allows no VPC block larger than /16; smaller than /20, a zone's private subnet (an
	// eighth of the block) holds too few pod IPs.
	if prefix, err := netip.ParsePrefix(a.CIDR); err != nil || !prefix.Addr().Is4() || prefix.Bits() < 16 || prefix.Bits() > 20 {
		errs = append(errs, fmt.Errorf("CIDR: %q is not an IPv4 block between /16 and /20", a.CIDR))
	}
	// Two zones keep one zone's outage from taking everything; SubnetCIDRs fits six.
	if len(a.Zones) < 2 || len(a.Zones) > 6 {
		errs = append(errs, fmt.Errorf("Zones: %d zones is outside [2, 6]", len(a.Zones)))
	}
	if !regionPattern.MatchString(a.Region) {
		errs = append(errs, fmt.Errorf("Region: %q is not an AWS region like \"us-east-1\"", a.Region))
	}
	seen := map[string]bool{}
	for i, z := range a.Zones {
		if z.ID == "" {
			errs = append(errs, fmt.Errorf("Zones[%d].ID: must not be empty", i))
		} else if seen[z.ID] {
			errs = append(errs, fmt.Errorf("Zones[%d].ID: %q is listed twice", i, z.ID))
		}
		seen[z.ID] = true
	}
	return errors.Join(errs...)
}

// regionPattern is the shape of an AWS region name.
var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)

// NewVPC declares the VPC, an internet gateway, the subnets, NAT gateways with their Elastic IPs,
// the route tables and the S3 gateway endpoint. Subnets are placed by zone ID, which names the same zone in every account.
func NewVPC(ctx *pulumi.Context, name string, args *VPCArgs, opts ...pulumi.ResourceOption) (*VPC, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("vpc %s: %w", name, err)
	}
	publicCIDRs, privateCIDRs, err := SubnetCIDRs(args.CIDR, len(args.Zones))
	if err != nil {
		return nil, fmt.Errorf("vpc %s: %w", name, err)
	}
	v := &VPC{}
	if err := ctx.RegisterComponentResource("openwan:aws:VPC", name, v, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(v)
	tags := func(n string, extra map[string]string) pulumi.StringMap {
		m := pulumi.StringMap{"Name": pulumi.String(n)}
		for k, val := range extra {
			m[k] = pulumi.String(val)
		}
		return m
	}
	vpc, err := ec2.NewVpc(ctx, name, &ec2.VpcArgs{
		CidrBlock:          pulumi.String(args.CIDR),
		EnableDnsHostnames: pulumi.Bool(true),
		EnableDnsSupport:   pulumi.Bool(true),
		Tags:               tags(name, nil),
	}, child)
	if err != nil {
		return nil, err
	}
	igw, err := ec2.NewInternetGateway(ctx, name+"-igw", &ec2.InternetGatewayArgs{VpcId: vpc.ID(), Tags: tags(name+"-igw", nil)}, child)
	if err != nil {
		return nil, err
	}
	publicRT, err := ec2.NewRouteTable(ctx, name+"-public", &ec2.RouteTableArgs{
		VpcId:  vpc.ID(),
		Routes: ec2.RouteTableRouteArray{&ec2.RouteTableRouteArgs{CidrBlock: pulumi.String("0.0.0.0/0"), GatewayId: igw.ID()}},
		Tags:   tags(name+"-public", nil),
	}, child)
	if err != nil {
		return nil, err
	}

	// Role tags let the AWS load balancer controller find the subnets for internet-facing and
	// internal load balancers.
	publicTags, privateTags := map[string]string{"kubernetes.io/role/elb": "1"}, map[string]string{"kubernetes.io/role/internal-elb": "1"}
	var publicIDs, privateIDs, privateRTs pulumi.StringArray
	var nats []*ec2.NatGateway
	for i, z := range args.Zones {
		zone, suffix := z.ID, strconv.Itoa(i)
		pub, err := ec2.NewSubnet(ctx, name+"-public-"+suffix, &ec2.SubnetArgs{
			VpcId: vpc.ID(), CidrBlock: pulumi.String(publicCIDRs[i]), AvailabilityZoneId: pulumi.String(zone),
			// Nothing launches here but NAT gateways and load balancers, which get their own IPs.
			MapPublicIpOnLaunch: pulumi.Bool(false),
			Tags:                tags(name+"-public-"+zone, publicTags),
		}, child)
		if err != nil {
			return nil, err
		}
		if _, err := ec2.NewRouteTableAssociation(ctx, name+"-public-"+suffix, &ec2.RouteTableAssociationArgs{
			SubnetId: pub.ID(), RouteTableId: publicRT.ID(),
		}, child); err != nil {
			return nil, err
		}
		publicIDs = append(publicIDs, pub.ID())

		if i == 0 || !args.SingleNATGateway {
			eip, err := ec2.NewEip(ctx, name+"-nat-"+suffix, &ec2.EipArgs{Domain: pulumi.String("vpc"), Tags: tags(name+"-nat-"+zone, nil)}, child)
			if err != nil {
				return nil, err
			}
			nat, err := ec2.NewNatGateway(ctx, name+"-nat-"+suffix, &ec2.NatGatewayArgs{
				AllocationId: eip.ID(), SubnetId: pub.ID(), Tags: tags(name+"-nat-"+zone, nil),
			}, child, pulumi.DependsOn([]pulumi.Resource{igw}))
			if err != nil {
				return nil, err
			}
			nats = append(nats, nat)
		}
		nat := nats[len(nats)-1]

		priv, err := ec2.NewSubnet(ctx, name+"-private-"+suffix, &ec2.SubnetArgs{
			VpcId: vpc.ID(), CidrBlock: pulumi.String(privateCIDRs[i]), AvailabilityZoneId: pulumi.String(zone),
			MapPublicIpOnLaunch: pulumi.Bool(false),
			Tags:                tags(name+"-private-"+zone, privateTags),
		}, child)
		if err != nil {
			return nil, err
		}
		privateRT, err := ec2.NewRouteTable(ctx, name+"-private-"+suffix, &ec2.RouteTableArgs{
			VpcId:  vpc.ID(),
			Routes: ec2.RouteTableRouteArray{&ec2.RouteTableRouteArgs{CidrBlock: pulumi.String("0.0.0.0/0"), NatGatewayId: nat.ID()}},
			Tags:   tags(name+"-private-"+zone, nil),
		}, child)
		if err != nil {
			return nil, err
		}
		if _, err := ec2.NewRouteTableAssociation(ctx, name+"-private-"+suffix, &ec2.RouteTableAssociationArgs{
			SubnetId: priv.ID(), RouteTableId: privateRT.ID(),
		}, child); err != nil {
			return nil, err
		}
		privateIDs = append(privateIDs, priv.ID())
		privateRTs = append(privateRTs, privateRT.ID())
	}

	// Media goes to and from S3 (uploads, transcodes' sources and renditions), and so do image
	// layers (ECR serves them from S3) and the AMI's package repositories: through NAT every byte
	// costs NAT's data processing ($0.045/GB in us-east-1). A gateway endpoint costs nothing and
	// adds a route to the S3 prefix list on each private route table. The inline routes of those
	// tables leave it alone: the provider skips routes to a prefix list through a vpce- gateway
	// when it reads a table (terraform-provider-aws internal/service/ec2/vpc_route_table.go,
	// "VPC endpoint routes are handled separately"), so no `up` removes it. Its default policy
	// (full access) is kept: the bucket's own policy and the roles decide who reaches what, and a
	// narrower one would cut off ECR's and the AMI repositories' buckets.
	if _, err := ec2.NewVpcEndpoint(ctx, name+"-s3", &ec2.VpcEndpointArgs{
		VpcId:           vpc.ID(),
		ServiceName:     pulumi.String("com.amazonaws." + args.Region + ".s3"),
		VpcEndpointType: pulumi.String("Gateway"),
		RouteTableIds:   privateRTs,
		Tags:            tags(name+"-s3", nil),
	}, child); err != nil {
		return nil, err
	}

	v.VPCID = vpc.ID().ToStringOutput()
	v.PublicSubnetIDs = publicIDs.ToStringArrayOutput()
	v.PrivateSubnetIDs = privateIDs.ToStringArrayOutput()
	if err := ctx.RegisterResourceOutputs(v, pulumi.Map{
		"vpcId": v.VPCID, "publicSubnetIds": v.PublicSubnetIDs, "privateSubnetIds": v.PrivateSubnetIDs,
	}); err != nil {
		return nil, err
	}
	return v, nil
}
