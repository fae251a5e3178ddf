package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Where the cluster-autoscaler chart is published, and the service account it runs as (the IRSA
// trust policy names it, so both must agree).
const (
	ClusterAutoscalerChartRepo = "https://kubernetes.github.io/autoscaler"
	clusterAutoscalerNamespace = "kube-system"
	clusterAutoscalerAccount   = "cluster-autoscaler"
)

// ClusterAutoscaler is cluster-autoscaler from its Helm chart with an IRSA role that may resize
// and shrink only this cluster's node groups.
type ClusterAutoscaler struct {
	pulumi.ResourceState

	Role    *iam.Role
	Release *helmv3.Release
}

// ClusterAutoscalerArgs describe the cluster-autoscaler release.
type ClusterAutoscalerArgs struct {
	// ClusterName, OIDCIssuer and OIDCArn come from the Cluster.
	ClusterName, OIDCIssuer, OIDCArn pulumi.StringInput
	// Region is the AWS region of the node groups.
	Region string
	// ChartVersion pins the chart.
	ChartVersion string
	// ScaleDownUnneededSeconds is how long a node stays unneeded before removal (s).
	ScaleDownUnneededSeconds int
	// RequestCPUMillis and RequestMemoryMiB are the pod's requests.
	RequestCPUMillis, RequestMemoryMiB int
	// NodeSelector places it on the on-demand pool, never on spot.
	NodeSelector map[string]string
}

// NewClusterAutoscaler declares the IRSA role (trusting only the cluster-autoscaler service
// account through the cluster's OIDC provider), its policy (describe anything; resize and
// terminate only in groups tagged with this cluster's name) and the Helm release with node
// group auto-discovery, balanced similar groups and the least-waste expander.
func NewClusterAutoscaler(ctx *pulumi.Context, name string, args *ClusterAutoscalerArgs, opts ...pulumi.ResourceOption) (*ClusterAutoscaler, error) {
	if args == nil || args.ClusterName == nil || args.OIDCIssuer == nil || args.OIDCArn == nil || args.ChartVersion == "" || args.Region == "" {
		return nil, errors.New("cluster autoscaler: cluster name, OIDC issuer and ARN, region and chart version are required")
	}
	ca := &ClusterAutoscaler{}
	if err := ctx.RegisterComponentResource("openwan:eks:ClusterAutoscaler", name, ca, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(ca)

	trust := pulumi.All(args.OIDCIssuer, args.OIDCArn).ApplyT(func(v []any) (string, error) {
		issuer := strings.TrimPrefix(v[0].(string), "https://")
		doc, err := json.Marshal(map[string]any{
			"Version": "2012-10-17",
			"Statement": []map[string]any{{
				"Effect":    "Allow",
				"Action":    "sts:AssumeRoleWithWebIdentity",
				"Principal": map[string]string{"Federated": v[1].(string)},
				"Condition": map[string]any{"StringEquals": map[string]string{
					issuer + ":sub": "system:serviceaccount:" + clusterAutoscalerNamespace + ":" + clusterAutoscalerAccount,
					issuer + ":aud": "sts.amazonaws.com",
				}},
			}},
		})
		return string(doc), err
	}).(pulumi.StringOutput)
	var err error
	ca.Role, err = iam.NewRole(ctx, name+"-irsa", &iam.RoleArgs{AssumeRolePolicy: trust}, child)
	if err != nil {
		return nil, err
	}
	policy := args.ClusterName.ToStringOutput().ApplyT(func(cluster string) (string, error) {
		doc, err := json.Marshal(map[string]any{
			"Version": "2012-10-17",
			"Statement": []map[string]any{
				{
					"Effect": "Allow",
					"Action": []string{
						"autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
						"autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeScalingActivities",
						"autoscaling:DescribeTags", "ec2:DescribeImages", "ec2:DescribeInstanceTypes",
						"ec2:DescribeLaunchTemplateVersions", "ec2:GetInstanceTypesFromInstanceRequirements",
						"eks:DescribeNodegroup",
					},
					"Resource": "*",
				},
				{
					// Managed node groups tag their Auto Scaling Groups with the cluster's name.
					"Effect":    "Allow",
					"Action":    []string{"autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"},
					"Resource":  "*",
					"Condition": map[string]any{"StringEquals": map[string]string{"aws:ResourceTag/eks:cluster-name": cluster}},
				},
			},
		})
		return string(doc), err
	}).(pulumi.StringOutput)
	if _, err := iam.NewRolePolicy(ctx, name+"-irsa", &iam.RolePolicyArgs{Role: ca.Role.Name, Policy: policy}, child); err != nil {
		return nil, err
	}

	ca.Release, err = helmv3.NewRelease(ctx, name+"-release", &helmv3.ReleaseArgs{
		Chart:          pulumi.String("cluster-autoscaler"),
		Version:        pulumi.String(args.ChartVersion),
		Namespace:      pulumi.String(clusterAutoscalerNamespace),
		RepositoryOpts: &helmv3.RepositoryOptsArgs{Repo: pulumi.String(ClusterAutoscalerChartRepo)},
		Atomic:         pulumi.Bool(true),
		Values: pulumi.Map{
			"autoDiscovery": pulumi.Map{"clusterName": args.ClusterName},
			"awsRegion":     pulumi.String(args.Region),
			"rbac": pulumi.Map{"serviceAccount": pulumi.Map{
				"name":        pulumi.String(clusterAutoscalerAccount),
				"annotations": pulumi.StringMap{"eks.amazonaws.com/role-arn": ca.Role.Arn},
			}},
			"extraArgs": pulumi.Map{
				"balance-similar-node-groups": pulumi.Bool(true),
				"expander":                    pulumi.String("least-waste"),
				"scale-down-unneeded-time":    pulumi.Sprintf("%ds", args.ScaleDownUnneededSeconds),
			},
			"resources": pulumi.Map{"requests": pulumi.StringMap{
				"cpu": pulumi.Sprintf("%dm", args.RequestCPUMillis), "memory": pulumi.Sprintf("%dMi", args.RequestMemoryMiB),
			}},
			"nodeSelector": pulumi.ToStringMap(args.NodeSelector),
		},
	}, child)
	if err != nil {
		return nil, fmt.Errorf("cluster autoscaler %s: %w", name, err)
	}
	if err := ctx.RegisterResourceOutputs(ca, pulumi.Map{"roleArn": ca.Role.Arn}); err != nil {
		return nil, err
	}
	return ca, nil
}
