package cluster

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/components/kube"
)

// Where the AWS Load Balancer Controller's chart is published, the account it runs as (the IRSA
// trust names it, so the chart must not derive it from the release name) and the IngressClass
// its chart creates.
const (
	LoadBalancerControllerChartRepo = "https://aws.github.io/eks-charts"
	loadBalancerControllerNamespace = "kube-system"
	loadBalancerControllerAccount   = "aws-load-balancer-controller"
	// ALBIngressClass is the IngressClass the chart creates (values ingressClass: alb).
	ALBIngressClass = "alb"
)

// loadBalancerControllerPolicy is the controller's IAM policy exactly as the project publishes it
// (kubernetes-sigs/aws-load-balancer-controller docs/install/iam_policy.json, identical from
// v2.13.0 to v3.5.0). Its describe calls and tag-scoped create/modify calls take Resource "*";
// it is a controller's role, not an app role, so app-role-least-privilege does not judge it.
//
//go:embed load_balancer_controller_policy.json
var loadBalancerControllerPolicy []byte

// LoadBalancerController is the AWS Load Balancer Controller from its Helm chart with an IRSA
// role: it turns Ingresses of class ALBIngressClass into Application Load Balancers.
type LoadBalancerController struct {
	pulumi.ResourceState

	// Role is the IRSA role the controller assumes.
	Role *iam.Role
	// Release is the Helm release.
	Release *helmv3.Release
}

// LoadBalancerControllerArgs describe the release.
type LoadBalancerControllerArgs struct {
	// Chart pins the eks/aws-load-balancer-controller chart; its Requests and NodeSelector are
	// each controller pod's.
	kube.Chart
	// ClusterName, OIDCIssuer and OIDCArn come from the Cluster.
	ClusterName, OIDCIssuer, OIDCArn pulumi.StringInput
	// Region and VPCID are passed as --aws-region and --aws-vpc-id: the nodes' metadata hop
	// limit of 1 keeps the controller from discovering them.
	Region string
	VPCID  pulumi.StringInput
	// ImageTag is the controller image's ("v2.MM.P").
	ImageTag string
	// Replicas of the controller (pods, 1..10); one leads, the others stand by.
	Replicas int
}

func (a *LoadBalancerControllerArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	errs := a.Chart.Validate("")
	errs = append(errs, unset(field{"ClusterName", a.ClusterName}, field{"OIDCIssuer", a.OIDCIssuer},
		field{"OIDCArn", a.OIDCArn}, field{"VPCID", a.VPCID})...)
	if a.Region == "" {
		errs = append(errs, errors.New("Region: must not be empty: the controller cannot read it from instance metadata"))
	}
	if a.ImageTag == "" {
		errs = append(errs, errors.New("ImageTag: must not be empty"))
	}
	if a.Replicas < 1 || a.Replicas > 10 {
		errs = append(errs, fmt.Errorf("Replicas: %d is outside [1, 10]", a.Replicas))
	}
	return errors.Join(errs...)
}

// NewLoadBalancerController declares the IRSA role with the project's policy and the release.
func NewLoadBalancerController(ctx *pulumi.Context, name string, args *LoadBalancerControllerArgs, opts ...pulumi.ResourceOption) (*LoadBalancerController, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("load balancer controller %s: %w", name, err)
	}
	var policy bytes.Buffer
	if err := json.Compact(&policy, loadBalancerControllerPolicy); err != nil {
		return nil, fmt.Errorf("load balancer controller %s: policy: %w", name, err)
	}
	c := &LoadBalancerController{}
	if err := ctx.RegisterComponentResource("openwan:eks:LoadBalancerController", name, c, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(c)
	var err error
	c.Role, err = iam.NewRole(ctx, name+"-irsa", &iam.RoleArgs{
		AssumeRolePolicy: irsaTrust(args.OIDCIssuer, args.OIDCArn, loadBalancerControllerNamespace, loadBalancerControllerAccount),
	}, child)
	if err != nil {
		return nil, err
	}
	// Inline: the compacted document (about 5.2 KB) fits a role's 10,240 characters, and the
	// policy lives and dies with its role.
	if _, err := iam.NewRolePolicy(ctx, name+"-irsa", &iam.RolePolicyArgs{Role: c.Role.Name, Policy: pulumi.String(policy.String())}, child); err != nil {
		return nil, err
	}
	values := args.PodValues()
	maps.Copy(values, pulumi.Map{
		"clusterName":  args.ClusterName,
		"region":       pulumi.String(args.Region),
		"vpcId":        args.VPCID,
		"replicaCount": pulumi.Int(args.Replicas),
		"image":        pulumi.Map{"tag": pulumi.String(args.ImageTag)},
		"serviceAccount": pulumi.Map{
			"create":      pulumi.Bool(true),
			"name":        pulumi.String(loadBalancerControllerAccount),
			"annotations": pulumi.StringMap{kube.RoleARNAnnotation: c.Role.Arn},
		},
		"ingressClass": pulumi.String(ALBIngressClass),
		// The chart renders a new webhook certificate on every run unless it keeps the one it
		// made: without this every `up` would show the release changed.
		"keepTLSSecret": pulumi.Bool(true),
		// Its Service webhook intercepts every Service of the cluster and refuses them while the
		// controller is not ready: the charts installed beside it (metrics-server, KEDA, the
		// External Secrets Operator) would fail their atomic installs on the first `up`
		// (kubernetes-sigs/aws-load-balancer-controller#4140). It only defaults Services of type
		// LoadBalancer to the NLB; this program makes none.
		"enableServiceMutatorWebhook": pulumi.Bool(false),
	})
	if args.Replicas > 1 {
		values["podDisruptionBudget"] = pulumi.Map{"maxUnavailable": pulumi.Int(1)}
	}
	c.Release, err = helmv3.NewRelease(ctx, name+"-release", &helmv3.ReleaseArgs{
		Chart:          pulumi.String("aws-load-balancer-controller"),
		Version:        pulumi.String(args.ChartVersion),
		Namespace:      pulumi.String(loadBalancerControllerNamespace),
		RepositoryOpts: &helmv3.RepositoryOptsArgs{Repo: pulumi.String(LoadBalancerControllerChartRepo)},
		Atomic:         pulumi.Bool(true),
		Values:         values,
	}, child)
	if err != nil {
		return nil, fmt.Errorf("load balancer controller %s: %w", name, err)
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"roleArn": c.Role.Arn}); err != nil {
		return nil, err
	}
	return c, nil
}
