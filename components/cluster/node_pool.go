package cluster

import (
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NodeAMIType is the EKS-optimized image family of every pool. Amazon Linux 2 images end with
// Kubernetes 1.32, so 1.33 nodes run AL2023; x86_64 because every type the capacity table knows is.
const NodeAMIType = "AL2023_x86_64_STANDARD"

// nodeRootDevice is the root device of the EKS AL2023 images; the launch template's volume must
// name it to replace the image's own (unencrypted unless the account encrypts by default).
const nodeRootDevice = "/dev/xvda"

// NodePool is one managed node group and the launch template it runs.
type NodePool struct {
	// LaunchTemplate holds the nodes' metadata and root volume settings.
	LaunchTemplate *ec2.LaunchTemplate
	// Group is the EKS managed node group.
	Group *awseks.NodeGroup
}

// NodePoolArgs describe one managed node group.
type NodePoolArgs struct {
	// InstanceTypes are interchangeable types, the preferred first.
	InstanceTypes []string
	// Spot selects SPOT capacity; spot nodes are tainted SpotTaintKey=true:NoSchedule.
	Spot bool
	// Min, Max and Desired bound the node count (nodes, 1 <= Min <= Desired <= Max); Desired is
	// ignored after creation: the cluster-autoscaler owns it.
	Min, Max, Desired int
	// DiskGiB is the root volume size (GiB, 20 or more).
	DiskGiB int
	// MaxUnavailable is how many nodes a rolling replacement (new launch template version, new
	// Kubernetes version) takes down at once (nodes, 1..Max).
	MaxUnavailable int
}

// validate checks one pool, naming its fields under field.
func (p NodePoolArgs) validate(field string) []error {
	var errs []error
	if len(p.InstanceTypes) == 0 {
		errs = append(errs, fmt.Errorf("%s.InstanceTypes: must name at least one type", field))
	}
	if p.Min < 1 {
		errs = append(errs, fmt.Errorf("%s.Min: %d is below 1", field, p.Min))
	}
	if p.Max < p.Min {
		errs = append(errs, fmt.Errorf("%s.Max: %d is below Min %d", field, p.Max, p.Min))
	}
	if p.Desired < p.Min || p.Desired > p.Max {
		errs = append(errs, fmt.Errorf("%s.Desired: %d is outside [Min %d, Max %d]", field, p.Desired, p.Min, p.Max))
	}
	// The EKS node images' own root snapshot is 20 GiB; a smaller disk fails every launch.
	if p.DiskGiB < 20 {
		errs = append(errs, fmt.Errorf("%s.DiskGiB: %d is below 20", field, p.DiskGiB))
	}
	if p.MaxUnavailable < 1 || p.MaxUnavailable > max(p.Max, 1) {
		errs = append(errs, fmt.Errorf("%s.MaxUnavailable: %d is outside [1, Max %d]", field, p.MaxUnavailable, p.Max))
	}
	return errs
}

// nodePoolTarget is what every pool of one cluster shares.
type nodePoolTarget struct {
	clusterName, version pulumi.StringInput
	physicalName         string // the cluster's name, for the autoscaler's discovery tags
	nodeRoleArn          pulumi.StringInput
	subnetIDs            pulumi.StringArrayInput
}

// newNodePool declares a pool's launch template and node group. The launch template is ours, not
// EKS's nor pulumi-eks's: both of those leave the instance metadata reachable from pods (hop
// limit 2) and the root volume unencrypted unless the account encrypts by default (pulumi-eks
// v2.8.1 nodejs/eks/nodegroup.ts, createManagedNodeGroup's launch template). It names no image,
// instance profile or user data: EKS fills those in for its own AMI type.
func newNodePool(ctx *pulumi.Context, name, pool string, p NodePoolArgs, on nodePoolTarget, opts ...pulumi.ResourceOption) (*NodePool, error) {
	tags := pulumi.StringMap{"Name": pulumi.String(on.physicalName + "-" + pool), PoolLabel: pulumi.String(pool)}
	lt, err := ec2.NewLaunchTemplate(ctx, name, &ec2.LaunchTemplateArgs{
		Description: pulumi.String("EKS " + pool + " nodes of " + on.physicalName),
		MetadataOptions: &ec2.LaunchTemplateMetadataOptionsArgs{
			HttpEndpoint: pulumi.String("enabled"),
			HttpTokens:   pulumi.String("required"),
			// One hop: host-network pods (the VPC CNI, kube-proxy) still reach the node's
			// metadata; pods on the pod network cannot, and get AWS access from their own IRSA
			// role, never from the node's.
			HttpPutResponseHopLimit: pulumi.Int(1),
		},
		BlockDeviceMappings: ec2.LaunchTemplateBlockDeviceMappingArray{&ec2.LaunchTemplateBlockDeviceMappingArgs{
			DeviceName: pulumi.String(nodeRootDevice),
			Ebs: &ec2.LaunchTemplateBlockDeviceMappingEbsArgs{
				VolumeSize:          pulumi.Int(p.DiskGiB),
				VolumeType:          pulumi.String("gp3"),
				Encrypted:           pulumi.String("true"),
				DeleteOnTermination: pulumi.String("true"),
			},
		}},
		UpdateDefaultVersion: pulumi.Bool(true),
		TagSpecifications: ec2.LaunchTemplateTagSpecificationArray{
			&ec2.LaunchTemplateTagSpecificationArgs{ResourceType: pulumi.String("instance"), Tags: tags},
			&ec2.LaunchTemplateTagSpecificationArgs{ResourceType: pulumi.String("volume"), Tags: tags},
		},
		Tags: tags,
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("node pool %s: launch template: %w", pool, err)
	}

	capacity, taints := "ON_DEMAND", awseks.NodeGroupTaintArray{}
	if p.Spot {
		capacity = "SPOT"
		taints = append(taints, &awseks.NodeGroupTaintArgs{
			Key: pulumi.String(SpotTaintKey), Value: pulumi.String("true"), Effect: pulumi.String("NO_SCHEDULE"),
		})
	}
	group, err := awseks.NewNodeGroup(ctx, name, &awseks.NodeGroupArgs{
		ClusterName: on.clusterName,
		// The cluster's version: bumping openwan:cluster.version rolls the nodes in the same
		// update, after the control plane.
		Version:       on.version,
		NodeRoleArn:   on.nodeRoleArn,
		SubnetIds:     on.subnetIDs,
		AmiType:       pulumi.String(NodeAMIType),
		CapacityType:  pulumi.String(capacity),
		InstanceTypes: pulumi.ToStringArray(p.InstanceTypes),
		ScalingConfig: &awseks.NodeGroupScalingConfigArgs{
			MinSize: pulumi.Int(p.Min), MaxSize: pulumi.Int(p.Max), DesiredSize: pulumi.Int(p.Desired),
		},
		LaunchTemplate: &awseks.NodeGroupLaunchTemplateArgs{
			Id:      lt.ID(),
			Version: lt.LatestVersion.ApplyT(strconv.Itoa).(pulumi.StringOutput),
		},
		// A new launch template version replaces nodes this many at a time, each drained within
		// the pods' disruption budgets (forceUpdateVersion stays off, so a budget is never broken).
		UpdateConfig:     &awseks.NodeGroupUpdateConfigArgs{MaxUnavailable: pulumi.Int(p.MaxUnavailable)},
		NodeRepairConfig: &awseks.NodeGroupNodeRepairConfigArgs{Enabled: pulumi.Bool(true)},
		Labels:           pulumi.StringMap{PoolLabel: pulumi.String(pool)},
		Taints:           taints,
		// EKS tags the group's Auto Scaling Group for cluster-autoscaler's auto-discovery itself;
		// the same tags here make the node group's intent visible in the plan and the console.
		Tags: pulumi.StringMap{
			"k8s.io/cluster-autoscaler/enabled":            pulumi.String("true"),
			"k8s.io/cluster-autoscaler/" + on.physicalName: pulumi.String("owned"),
			PoolLabel: pulumi.String(pool),
		},
	}, append(opts,
		// cluster-autoscaler owns the node count: an `up` after a `refresh` must not reset it.
		pulumi.IgnoreChanges([]string{"scalingConfig.desiredSize"}),
	)...)
	if err != nil {
		return nil, fmt.Errorf("node pool %s: node group: %w", pool, err)
	}
	return &NodePool{LaunchTemplate: lt, Group: group}, nil
}
