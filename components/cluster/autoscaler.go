package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/components/kube"
)

// Where the cluster-autoscaler chart is published, and the service account it runs as (the IRSA
// trust policy names it, so both must agree).
const (
	ClusterAutoscalerChartRepo = "https://kubernetes.github.io/autoscaler"
	clusterAutoscalerNamespace = "kube-system"
	clusterAutoscalerAccount   = "cluster-autoscaler"
)

// imageTagPattern is a cluster-autoscaler release tag.
var imageTagPattern = regexp.MustCompile(`^v1\.[0-9]+\.[0-9]+$`)

// ClusterAutoscaler is cluster-autoscaler from its Helm chart with an IRSA role that may resize
// and shrink only this cluster's node groups.
type ClusterAutoscaler struct {
	pulumi.ResourceState

	// Role is the IRSA role the release's service account assumes.
	Role *iam.Role
	// Release is the Helm release.
	Release *helmv3.Release
}

// ClusterAutoscalerArgs describe the cluster-autoscaler release.
type ClusterAutoscalerArgs struct {
	// Chart pins the cluster-autoscaler chart; its Requests and NodeSelector are the pod's
	// (place it on the on-demand pool, never on spot).
	kube.Chart
	// ClusterName, OIDCIssuer and OIDCArn come from the Cluster.
	ClusterName, OIDCIssuer, OIDCArn pulumi.StringInput
	// Region is the AWS region of the node groups.
	Region string
	// ImageTag is cluster-autoscaler's image tag, "v1.MM.P", of the cluster's own minor version
	// (the project supports each release on its own minor only).
	ImageTag string
	// MaxGracefulTerminationSeconds is how long a scale-down waits for an evicted pod to stop
	// (s, 1 or more): the longest terminationGracePeriodSeconds of the pods on the pools, or a
	// scale-down kills a transcode that its grace period would have let finish.
	MaxGracefulTerminationSeconds int
	// ScaleDownUnneededSeconds is how long a node stays unneeded before removal (s, 1 or more).
	ScaleDownUnneededSeconds int
}

func (a *ClusterAutoscalerArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	errs := a.Chart.Validate("")
	errs = append(errs, unset(field{"ClusterName", a.ClusterName}, field{"OIDCIssuer", a.OIDCIssuer}, field{"OIDCArn", a.OIDCArn})...)
	if a.Region == "" {
		errs = append(errs, errors.New("Region: must not be empty"))
	}
	if !imageTagPattern.MatchString(a.ImageTag) {
		errs = append(errs, fmt.Errorf("ImageTag: %q is not a release tag like \"v1.33.0\"", a.ImageTag))
	}
	if a.MaxGracefulTerminationSeconds < 1 {
		errs = append(errs, fmt.Errorf("MaxGracefulTerminationSeconds: %d is below 1", a.MaxGracefulTerminationSeconds))
	}
	if a.ScaleDownUnneededSeconds < 1 {
		errs = append(errs, fmt.Errorf("ScaleDownUnneededSeconds: %d is below 1", a.ScaleDownUnneededSeconds))
	}
	return errors.Join(errs...)
}

// NewClusterAutoscaler declares the IRSA role (trusting only the cluster-autoscaler service
// account through the cluster's OIDC provider), its policy (describe anything; resize and
// terminate only in groups tagged with this cluster's name) and the Helm release with node
// group auto-discovery, balanced similar groups and the least-waste expander.
func NewClusterAutoscaler(ctx *pulumi.Context, name string, args *ClusterAutoscalerArgs, opts ...pulumi.ResourceOption) (*ClusterAutoscaler, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("cluster autoscaler %s: %w", name, err)
	}
	ca := &ClusterAutoscaler{}
	if err := ctx.RegisterComponentResource("openwan:eks:ClusterAutoscaler", name, ca, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(ca)

	var err error
	ca.Role, err = iam.NewRole(ctx, name+"-irsa", &iam.RoleArgs{
		AssumeRolePolicy: irsaTrust(args.OIDCIssuer, args.OIDCArn, clusterAutoscalerNamespace, clusterAutoscalerAccount),
	}, child)
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

	values := args.PodValues()
	maps.Copy(values, pulumi.Map{
		"autoDiscovery": pulumi.Map{"clusterName": args.ClusterName},
		"awsRegion":     pulumi.String(args.Region),
		"image":         pulumi.Map{"tag": pulumi.String(args.ImageTag)},
		"rbac": pulumi.Map{"serviceAccount": pulumi.Map{
			"name":        pulumi.String(clusterAutoscalerAccount),
			"annotations": pulumi.StringMap{kube.RoleARNAnnotation: ca.Role.Arn},
		}},
		"extraArgs": pulumi.Map{
			"balance-similar-node-groups": pulumi.Bool(true),
			"expander":                    pulumi.String("least-waste"),
			"scale-down-unneeded-time":    pulumi.Sprintf("%ds", args.ScaleDownUnneededSeconds),
			// Default 600 s (cluster-autoscaler FAQ, "What are the parameters to CA?").
			"max-graceful-termination-sec": pulumi.String(strconv.Itoa(args.MaxGracefulTerminationSeconds)),
		},
	})
	ca.Release, err = helmv3.NewRelease(ctx, name+"-release", &helmv3.ReleaseArgs{
		Chart:          pulumi.String("cluster-autoscaler"),
		Version:        pulumi.String(args.ChartVersion),
		Namespace:      pulumi.String(clusterAutoscalerNamespace),
		RepositoryOpts: &helmv3.RepositoryOptsArgs{Repo: pulumi.String(ClusterAutoscalerChartRepo)},
		Atomic:         pulumi.Bool(true),
		Values:         values,
	}, child)
	if err != nil {
		return nil, fmt.Errorf("cluster autoscaler %s: %w", name, err)
	}
	if err := ctx.RegisterResourceOutputs(ca, pulumi.Map{"roleArn": ca.Role.Arn}); err != nil {
		return nil, err
	}
	return ca, nil
}
