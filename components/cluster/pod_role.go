package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/internal/apppolicy"
)

// PodRole is an IAM role that exactly one Kubernetes ServiceAccount may assume through the
// cluster's OIDC provider (IRSA), with an inline policy.
type PodRole struct {
	pulumi.ResourceState

	// Role is the IAM role; annotate the ServiceAccount with its ARN (kube.RoleARNAnnotation).
	Role *iam.Role
}

// PodRoleArgs describe a PodRole.
type PodRoleArgs struct {
	// OIDCIssuer and OIDCArn are the cluster's OIDC issuer URL and IAM provider.
	OIDCIssuer, OIDCArn pulumi.StringInput
	// Namespace and ServiceAccount name the only identity that may assume the role.
	Namespace, ServiceAccount string
	// Policy is the role's inline policy document (required unless ManagedPolicyARNs are given:
	// a role without either is useless).
	Policy map[string]any
	// ManagedPolicyARNs are AWS managed policies attached to the role, for an AWS agent whose
	// permissions AWS maintains (the CloudWatch agent's CloudWatchAgentServerPolicy).
	ManagedPolicyARNs []string
	// App marks the role as the app's own (tag apppolicy.RoleTag=App), held to least privilege
	// by the policy pack; empty for a controller's role.
	App string
}

func (a *PodRoleArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	errs := unset(field{"OIDCIssuer", a.OIDCIssuer}, field{"OIDCArn", a.OIDCArn})
	if a.Namespace == "" {
		errs = append(errs, errors.New("Namespace: must not be empty"))
	}
	if a.ServiceAccount == "" {
		errs = append(errs, errors.New("ServiceAccount: must not be empty"))
	}
	if len(a.Policy) == 0 && len(a.ManagedPolicyARNs) == 0 {
		errs = append(errs, errors.New("Policy: must not be empty without ManagedPolicyARNs"))
	}
	return errors.Join(errs...)
}

// NewPodRole declares the role, trusting only system:serviceaccount:<Namespace>:<ServiceAccount>
// with the audience sts.amazonaws.com, and its inline policy.
func NewPodRole(ctx *pulumi.Context, name string, args *PodRoleArgs, opts ...pulumi.ResourceOption) (*PodRole, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("pod role %s: %w", name, err)
	}
	policy, err := json.Marshal(args.Policy)
	if err != nil {
		return nil, fmt.Errorf("pod role %s: policy: %w", name, err)
	}
	r := &PodRole{}
	if err := ctx.RegisterComponentResource("openwan:eks:PodRole", name, r, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(r)
	tags := pulumi.StringMap{}
	if args.App != "" {
		tags[apppolicy.RoleTag] = pulumi.String(args.App)
	}
	r.Role, err = iam.NewRole(ctx, name, &iam.RoleArgs{
		AssumeRolePolicy: irsaTrust(args.OIDCIssuer, args.OIDCArn, args.Namespace, args.ServiceAccount),
		Tags:             tags,
	}, child)
	if err != nil {
		return nil, err
	}
	if len(args.Policy) > 0 {
		if _, err := iam.NewRolePolicy(ctx, name, &iam.RolePolicyArgs{Role: r.Role.Name, Policy: pulumi.String(policy)}, child); err != nil {
			return nil, err
		}
	}
	for i, arn := range args.ManagedPolicyARNs {
		if _, err := iam.NewRolePolicyAttachment(ctx, fmt.Sprintf("%s-managed-%d", name, i), &iam.RolePolicyAttachmentArgs{
			Role: r.Role.Name, PolicyArn: pulumi.String(arn),
		}, child); err != nil {
			return nil, err
		}
	}
	if err := ctx.RegisterResourceOutputs(r, pulumi.Map{"roleArn": r.Role.Arn}); err != nil {
		return nil, err
	}
	return r, nil
}

// irsaTrust is the trust policy that lets exactly one ServiceAccount assume a role with a token
// of the cluster's OIDC issuer, audience sts.amazonaws.com.
func irsaTrust(issuerURL, providerArn pulumi.StringInput, namespace, serviceAccount string) pulumi.StringOutput {
	return pulumi.All(issuerURL, providerArn).ApplyT(func(v []any) (string, error) {
		issuer := strings.TrimPrefix(v[0].(string), "https://")
		doc, err := json.Marshal(map[string]any{
			"Version": "2012-10-17",
			"Statement": []map[string]any{{
				"Effect":    "Allow",
				"Action":    "sts:AssumeRoleWithWebIdentity",
				"Principal": map[string]string{"Federated": v[1].(string)},
				"Condition": map[string]any{"StringEquals": map[string]string{
					issuer + ":sub": "system:serviceaccount:" + namespace + ":" + serviceAccount,
					issuer + ":aud": "sts.amazonaws.com",
				}},
			}},
		})
		return string(doc), err
	}).(pulumi.StringOutput)
}
