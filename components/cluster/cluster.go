package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-eks/sdk/v2/go/eks"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Node labels and the taint that keep workers, and only workers, on the spot pool.
const (
	// PoolLabel is the node label naming a node's pool ("api" or "workers").
	PoolLabel = "openwan.io/pool"
	// SpotTaintKey taints spot nodes NoSchedule; only pods tolerating it land there.
	SpotTaintKey = "openwan.io/spot"
)

// Cluster is an EKS cluster with secrets encryption, control-plane logging, a private endpoint
// (public only to listed CIDRs), an OIDC provider for IRSA, managed node pools in private
// subnets with IMDSv2 (hop limit 1) and encrypted root volumes, the VPC CNI, CoreDNS and
// kube-proxy as EKS add-ons, and a Kubernetes provider for everything deployed on it.
type Cluster struct {
	pulumi.ResourceState

	// EKS is pulumi-eks' cluster component (the control plane and what it creates inside).
	EKS *eks.Cluster
	// NodeRole is the IAM role of every node.
	NodeRole *iam.Role
	// NodePools are the managed node groups and their launch templates by pool name; iterate
	// them in sorted key order.
	NodePools map[string]*NodePool
	// Addons are the EKS managed add-ons (vpc-cni, coredns, kube-proxy) by add-on name.
	Addons map[string]*awseks.Addon
	// Provider deploys onto the cluster.
	Provider *kubernetes.Provider
	// Name is the cluster's name, known only once the cluster exists.
	Name pulumi.StringOutput
	// PhysicalName is the same name as a plain string (ClusterArgs.Name), for what is named
	// after the cluster before it exists (its log groups).
	PhysicalName string
	// OIDCIssuer and OIDCArn are the cluster's OIDC issuer URL and IAM provider, for IRSA.
	OIDCIssuer pulumi.StringOutput
	OIDCArn    pulumi.StringOutput
	// Kubeconfig is the cluster's kubeconfig as JSON (a credential: export it as a secret).
	Kubeconfig pulumi.StringOutput
}

// ClusterArgs describe the cluster.
type ClusterArgs struct {
	// Name is the EKS cluster's physical name. It is required rather than generated: the
	// cluster-autoscaler discovers node groups by it and its IAM policy is scoped to it.
	Name string
	// Version is the Kubernetes minor version, e.g. "1.33" (required: pulumi-eks would pick its
	// own default, which moves under a running stack).
	Version string
	// VPCID, PublicSubnetIDs and PrivateSubnetIDs place the cluster; nodes use private subnets only.
	VPCID                             pulumi.StringInput
	PublicSubnetIDs, PrivateSubnetIDs pulumi.StringArrayInput
	// EndpointPublicAccess and PublicAccessCIDRs expose the API server outside the VPC, to the
	// listed networks only. The private endpoint is always on.
	EndpointPublicAccess bool
	PublicAccessCIDRs    []string
	// LogTypes are the control-plane log types sent to CloudWatch.
	LogTypes []string
	// LogRetentionDays is how long the control-plane logs are kept (days, one of
	// config.LogRetentionDays()).
	LogRetentionDays int
	// NodePools are the managed node groups by pool name.
	NodePools map[string]NodePoolArgs
	// Addons pins the EKS managed add-ons' versions, chosen for Version.
	Addons AddonVersions
}

// nodePolicies are the AWS managed policies every EKS node needs; SSM replaces SSH access.
var nodePolicies = []string{
	"arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
	"arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
	"arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
	"arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
}

// NewCluster declares the KMS key for secrets, the node role, the EKS cluster (no default node
// group: v2's uses launch configurations, which new accounts can no longer create; pulumi-eks's
// CNI manifest left out), one launch template and managed node group per pool, the EKS managed
// add-ons, and a Kubernetes provider on the cluster's kubeconfig.
func NewCluster(ctx *pulumi.Context, name string, args *ClusterArgs, opts ...pulumi.ResourceOption) (*Cluster, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("cluster %s: %w", name, err)
	}
	assume, err := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": map[string]string{"Service": "ec2.amazonaws.com"},
		}},
	})
	if err != nil {
		return nil, fmt.Errorf("cluster %s: node role trust policy: %w", name, err)
	}
	c := &Cluster{NodePools: map[string]*NodePool{}, Addons: map[string]*awseks.Addon{}}
	if err := ctx.RegisterComponentResource("openwan:eks:Cluster", name, c, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(c)

	key, err := kms.NewKey(ctx, name+"-secrets", &kms.KeyArgs{
		Description:       pulumi.String("EKS secrets envelope encryption for " + name),
		EnableKeyRotation: pulumi.Bool(true),
	}, child)
	if err != nil {
		return nil, err
	}
	c.NodeRole, err = iam.NewRole(ctx, name+"-node", &iam.RoleArgs{AssumeRolePolicy: pulumi.String(assume)}, child)
	if err != nil {
		return nil, err
	}
	var attachments []pulumi.Resource
	for i, arn := range nodePolicies {
		attachment, err := iam.NewRolePolicyAttachment(ctx, fmt.Sprintf("%s-node-%d", name, i), &iam.RolePolicyAttachmentArgs{
			Role: c.NodeRole.Name, PolicyArn: pulumi.String(arn),
		}, child)
		if err != nil {
			return nil, err
		}
		attachments = append(attachments, attachment)
	}

	// API_AND_CONFIG_MAP: access entries for people and CI, and pulumi-eks maps InstanceRoles
	// (the node role) for the managed node groups, which it supports only in the two modes that
	// keep the aws-auth ConfigMap.
	// EKS writes the control-plane logs into this group; declared before the cluster, it has the
	// stack's retention and tag instead of EKS's never-expiring one.
	logGroups, err := declareLogGroups(ctx, name+"-logs", []string{ControlPlaneLogGroup(args.Name)}, args.LogRetentionDays, child)
	if err != nil {
		return nil, err
	}
	authMode := eks.AuthenticationModeApiAndConfigMap
	c.EKS, err = eks.NewCluster(ctx, name+"-eks", &eks.ClusterArgs{
		Name:                         pulumi.String(args.Name),
		Version:                      pulumi.String(args.Version),
		VpcId:                        args.VPCID,
		PublicSubnetIds:              args.PublicSubnetIDs,
		PrivateSubnetIds:             args.PrivateSubnetIDs,
		SkipDefaultNodeGroup:         pulumi.BoolRef(true),
		InstanceRoles:                iam.RoleArray{c.NodeRole},
		AuthenticationMode:           &authMode,
		EndpointPrivateAccess:        pulumi.Bool(true),
		EndpointPublicAccess:         pulumi.Bool(args.EndpointPublicAccess),
		PublicAccessCidrs:            pulumi.ToStringArray(args.PublicAccessCIDRs),
		EnabledClusterLogTypes:       pulumi.ToStringArray(args.LogTypes),
		EncryptionConfigKeyArn:       key.Arn,
		CreateOidcProvider:           pulumi.Bool(true),
		NodeAssociatePublicIpAddress: pulumi.BoolRef(false),
		// Without it pulumi-eks v2.8.1 applies its bundled amazon-k8s-cni v1.16.0 manifest over the
		// newer aws-node EKS installs (nodejs/eks/cluster.ts, createCore's VpcCni): a downgrade.
		// The vpc-cni add-on below owns the CNI instead.
		UseDefaultVpcCni: pulumi.BoolRef(true),
	}, child, pulumi.DependsOn(logGroups))
	if err != nil {
		return nil, err
	}
	c.Kubeconfig = c.EKS.KubeconfigJson
	c.PhysicalName = args.Name
	// The name is known up front, but whoever reads it needs the cluster to exist: carry the
	// dependency through the kubeconfig.
	c.Name = c.EKS.KubeconfigJson.ApplyT(func(string) string { return args.Name }).(pulumi.StringOutput)
	// The OIDC issuer and provider are read back from AWS once the cluster exists (unknown in a
	// first preview), rather than through pulumi-eks's nested resource outputs.
	wait := pulumi.DependsOn([]pulumi.Resource{c.EKS})
	described := awseks.LookupClusterOutput(ctx, awseks.LookupClusterOutputArgs{Name: c.Name}, wait)
	c.OIDCIssuer = described.Identities().Index(pulumi.Int(0)).Oidcs().Index(pulumi.Int(0)).Issuer()
	c.OIDCArn = iam.LookupOpenIdConnectProviderOutput(ctx, iam.LookupOpenIdConnectProviderOutputArgs{Url: c.OIDCIssuer}, wait).Arn()

	// Nodes join only once their role holds the worker policies; EKS maps the role through an
	// access entry of its own, and pulumi-eks through aws-auth (InstanceRoles above).
	target := nodePoolTarget{
		clusterName: c.Name, version: pulumi.String(args.Version), physicalName: args.Name,
		nodeRoleArn: c.NodeRole.Arn, subnetIDs: args.PrivateSubnetIDs,
	}
	var nodes []pulumi.Resource
	for _, pool := range slices.Sorted(maps.Keys(args.NodePools)) {
		np, err := newNodePool(ctx, name+"-"+pool, pool, args.NodePools[pool], target, child, pulumi.DependsOn(attachments))
		if err != nil {
			return nil, fmt.Errorf("cluster %s: %w", name, err)
		}
		c.NodePools[pool] = np
		nodes = append(nodes, np.Group)
	}
	if c.Addons, err = newAddons(ctx, name, c.Name, args.Addons, child, pulumi.DependsOn(nodes)); err != nil {
		return nil, fmt.Errorf("cluster %s: %w", name, err)
	}

	// Everything deployed through the provider waits for it, and it waits for the nodes and the
	// add-ons (adopting the CNI with its policy agent rolls aws-node). A component's dependsOn
	// would reach its own children too (a child's registration awaits its parent's, which awaits
	// the parent's dependsOn: sdk/v3 v3.274.1 go/pulumi/context.go:2992 and 3003), but only a
	// component that remembers to say it; the provider's reaches every object deployed with it,
	// wherever it is declared, so no Helm release starts its atomic wait with no node to run on.
	c.Provider, err = kubernetes.NewProvider(ctx, name+"-k8s", &kubernetes.ProviderArgs{
		Kubeconfig: c.Kubeconfig,
	}, child, pulumi.DependsOn(slices.Concat(nodes, addonResources(c.Addons))))
	if err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"clusterName": c.Name, "kubeconfig": pulumi.ToSecret(c.Kubeconfig),
	}); err != nil {
		return nil, err
	}
	return c, nil
}

func (a *ClusterArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	var errs []error
	if a.Name == "" {
		errs = append(errs, errors.New("Name: must not be empty"))
	}
	if a.Version == "" {
		errs = append(errs, errors.New("Version: must not be empty"))
	}
	if err := checkRetention("LogRetentionDays", a.LogRetentionDays); err != nil {
		errs = append(errs, err)
	}
	if a.VPCID == nil {
		errs = append(errs, errors.New("VPCID: must be set"))
	}
	if a.PublicSubnetIDs == nil {
		errs = append(errs, errors.New("PublicSubnetIDs: must be set"))
	}
	if a.PrivateSubnetIDs == nil {
		errs = append(errs, errors.New("PrivateSubnetIDs: must be set"))
	}
	if a.EndpointPublicAccess && len(a.PublicAccessCIDRs) == 0 {
		errs = append(errs, errors.New("PublicAccessCIDRs: must not be empty with EndpointPublicAccess: the endpoint would be open to the internet"))
	}
	if len(a.NodePools) == 0 {
		errs = append(errs, errors.New("NodePools: must hold at least one pool"))
	}
	for _, pool := range slices.Sorted(maps.Keys(a.NodePools)) {
		errs = append(errs, a.NodePools[pool].validate("NodePools["+pool+"]")...)
	}
	errs = append(errs, a.Addons.validate("Addons")...)
	return errors.Join(errs...)
}
