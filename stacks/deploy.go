package stacks

import (
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/capacity"
	"github.com/openwan/openwan-infra/components/network"
	"github.com/openwan/openwan-infra/config"
)

// Deploy declares the stack described by a validated config and its capacity plan, and exports
// its outputs, which it also returns (the offline plan prints them).
func Deploy(ctx *pulumi.Context, cfg config.Config, plan capacity.Plan) (pulumi.Map, error) {
	outputs := pulumi.Map{}
	if err := tagForCost(ctx); err != nil {
		return nil, err
	}
	if err := exportPlan(cfg, plan, outputs); err != nil {
		return nil, err
	}
	// The zones are asked for before anything is declared: too few refuses the stack whole.
	var zones []network.Zone
	if n := cfg.Network; (cfg.Cluster.EKS() || cfg.EC2.Enabled) && n.CreatesVPC() {
		exclude := slices.Clone(n.ExcludeZoneIDs)
		if cfg.Cluster.EKS() {
			for _, id := range config.EKSUnsupportedZoneIDs() {
				if !slices.Contains(exclude, id) {
					exclude = append(exclude, id)
				}
			}
		}
		var err error
		if zones, err = network.SelectZones(ctx, exclude, n.AvailabilityZones); err != nil {
			return nil, fmt.Errorf("%s:network.availabilityZones %d with %s:network.excludeZoneIds %v: %w",
				config.Namespace, n.AvailabilityZones, config.Namespace, n.ExcludeZoneIDs, err)
		}
	}
	if cfg.Cluster.Enabled && cfg.Cluster.Existing.Enabled {
		if err := deployOnExistingCluster(ctx, cfg, outputs); err != nil {
			return nil, err
		}
	}
	if cfg.Cluster.EKS() || cfg.EC2.Enabled {
		net, err := deployNetwork(ctx, cfg.Network, cfg.App.Region, zones)
		if err != nil {
			return nil, err
		}
		outputs["vpcId"] = net.vpcID
		alerts, err := deployAlerts(ctx, cfg, outputs)
		if err != nil {
			return nil, err
		}
		var watched watchedResources
		if cfg.Cluster.EKS() {
			if watched.eks, err = deployKubernetes(ctx, cfg, net, alerts, outputs); err != nil {
				return nil, err
			}
		}
		if cfg.EC2.Enabled {
			fleets, err := deployFleets(ctx, cfg, net, alerts, outputs)
			if err != nil {
				return nil, err
			}
			watched.ec2 = &fleets
		}
		if err := deployMonitoring(ctx, cfg, plan, alerts, watched, outputs); err != nil {
			return nil, err
		}
	}
	for _, k := range slices.Sorted(maps.Keys(outputs)) {
		ctx.Export(k, outputs[k])
	}
	return outputs, nil
}

// subnets is where the cluster and the fleets go, created or given.
type subnets struct {
	vpcID           pulumi.StringOutput
	public, private pulumi.StringArrayOutput
	// publicCIDRs are the public subnets' blocks, where load balancers have their addresses.
	publicCIDRs pulumi.StringArrayOutput
}

func deployNetwork(ctx *pulumi.Context, n config.Network, region string, zones []network.Zone) (subnets, error) {
	if !n.CreatesVPC() {
		var cidrs pulumi.StringArray
		for _, id := range n.PublicSubnetIDs {
			cidrs = append(cidrs, ec2.LookupSubnetOutput(ctx, ec2.LookupSubnetOutputArgs{Id: pulumi.String(id)}).CidrBlock())
		}
		return subnets{
			vpcID:       pulumi.String(n.VPCID).ToStringOutput(),
			public:      pulumi.ToStringArray(n.PublicSubnetIDs).ToStringArrayOutput(),
			private:     pulumi.ToStringArray(n.PrivateSubnetIDs).ToStringArrayOutput(),
			publicCIDRs: cidrs.ToStringArrayOutput(),
		}, nil
	}
	publicCIDRs, _, err := network.SubnetCIDRs(n.CIDR, len(zones))
	if err != nil {
		return subnets{}, err
	}
	vpc, err := network.NewVPC(ctx, "openwan", &network.VPCArgs{
		CIDR: n.CIDR, Zones: zones, SingleNATGateway: n.SingleNATGateway, Region: region,
	})
	if err != nil {
		return subnets{}, err
	}
	return subnets{
		vpcID: vpc.VPCID, public: vpc.PublicSubnetIDs, private: vpc.PrivateSubnetIDs,
		publicCIDRs: pulumi.ToStringArray(publicCIDRs).ToStringArrayOutput(),
	}, nil
}
