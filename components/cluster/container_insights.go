package cluster

import (
	"errors"
	"fmt"

	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AddonCloudWatchObservability is the EKS add-on that runs the CloudWatch agent (Container
// Insights) on every node.
const AddonCloudWatchObservability = "amazon-cloudwatch-observability"

// The agent's identity: the ServiceAccount the add-on runs it as, in its namespace (the EKS user
// guide's IRSA example for this add-on), and the managed policy it needs to publish metrics.
const (
	cloudWatchAgentNamespace      = "amazon-cloudwatch"
	cloudWatchAgentServiceAccount = "cloudwatch-agent"
	cloudWatchAgentPolicyARN      = "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"
)

// ContainerInsights sends the cluster's node, pod and Deployment metrics to CloudWatch
// (namespace ContainerInsights): the amazon-cloudwatch-observability add-on with an IRSA role of
// its own, and the log groups it writes to, with a retention.
//
// The nodes keep IMDSv2 with a hop limit of 1. The add-on's agent DaemonSet runs on the host
// network (aws-observability/helm-charts, charts/amazon-cloudwatch-observability values.yaml:
// `agent.hostNetwork: true`, added "to hit IMDS for clusters with a restricted hop limit"), so
// it reads the instance's metadata (instance id, type) without a second hop; its AWS credentials
// come from this role, not from the node's, which can do nothing with CloudWatch.
type ContainerInsights struct {
	pulumi.ResourceState

	// Addon is the EKS add-on; Role the agent's.
	Addon *awseks.Addon
	Role  *PodRole
}

// ContainerInsightsArgs describe the cluster it watches.
type ContainerInsightsArgs struct {
	// Cluster is the cluster; the add-on waits for its nodes and core add-ons.
	Cluster *Cluster
	// AddonVersion pins the add-on ("vX.Y.Z-eksbuild.N"); empty takes the version EKS gives the
	// cluster's Kubernetes version when the add-on is created.
	AddonVersion string
	// LogRetentionDays is how long the containers', nodes' and performance logs are kept (days,
	// one of config.LogRetentionDays()).
	LogRetentionDays int
}

func (a *ContainerInsightsArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	var errs []error
	if a.Cluster == nil {
		errs = append(errs, errors.New("Cluster: must be set"))
	}
	if err := checkRetention("LogRetentionDays", a.LogRetentionDays); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// NewContainerInsights declares the agent's role and the add-on. By default the add-on runs
// Container Insights with enhanced observability, whose Deployment metrics (replicas_desired,
// replicas_ready) the at-maximum alarms read; no configuration is passed, so the add-on's own
// defaults hold.
func NewContainerInsights(ctx *pulumi.Context, name string, args *ContainerInsightsArgs, opts ...pulumi.ResourceOption) (*ContainerInsights, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("container insights %s: %w", name, err)
	}
	c := &ContainerInsights{}
	if err := ctx.RegisterComponentResource("openwan:eks:ContainerInsights", name, c, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(c)
	var err error
	c.Role, err = NewPodRole(ctx, name+"-role", &PodRoleArgs{
		OIDCIssuer: args.Cluster.OIDCIssuer, OIDCArn: args.Cluster.OIDCArn,
		Namespace: cloudWatchAgentNamespace, ServiceAccount: cloudWatchAgentServiceAccount,
		ManagedPolicyARNs: []string{cloudWatchAgentPolicyARN},
	}, child)
	if err != nil {
		return nil, err
	}
	addon := &awseks.AddonArgs{
		ClusterName:              args.Cluster.Name,
		AddonName:                pulumi.String(AddonCloudWatchObservability),
		ServiceAccountRoleArn:    c.Role.Role.Arn,
		ResolveConflictsOnCreate: pulumi.String("OVERWRITE"),
		ResolveConflictsOnUpdate: pulumi.String("OVERWRITE"),
	}
	if args.AddonVersion != "" {
		addon.AddonVersion = pulumi.String(args.AddonVersion)
	}
	// Fluent Bit sends every container's output, and the agent its performance events, to these
	// groups; declared first, they keep the stack's retention and tag.
	logGroups, err := declareLogGroups(ctx, name+"-logs", ContainerInsightsLogGroups(args.Cluster.PhysicalName), args.LogRetentionDays, child)
	if err != nil {
		return nil, err
	}
	c.Addon, err = awseks.NewAddon(ctx, name, addon, child, pulumi.DependsOn(append(addonResources(args.Cluster.Addons), logGroups...)))
	if err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{}); err != nil {
		return nil, err
	}
	return c, nil
}
