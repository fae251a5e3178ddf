package cluster

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/config"
)

// AccessPolicies are the EKS access policies a principal may be given, by the name config uses.
// A function, not a variable: callers cannot change them.
func AccessPolicies() map[string]string {
	return map[string]string{
		"admin": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
		"view":  "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
	}
}

// ClusterAccess gives people and CI roles other than the cluster's creator access to the cluster's
// Kubernetes API: one EKS access entry per principal, with a cluster-wide access policy. (The
// creator has it from the cluster's bootstrapClusterCreatorAdminPermissions; EKS refuses a second
// entry for it.)
type ClusterAccess struct {
	pulumi.ResourceState
}

// Principal is one IAM role or user and what it may do.
type Principal struct {
	// ARN is the IAM role or user (arn:aws:iam::<account>:role/<name>).
	ARN string
	// Policy is a key of AccessPolicies(): "admin" or "view".
	Policy string
}

// ClusterAccessArgs describe who gets in.
type ClusterAccessArgs struct {
	// ClusterName is the EKS cluster.
	ClusterName pulumi.StringInput
	// Principals are the roles and users, each once.
	Principals []Principal
}

func (a *ClusterAccessArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	var errs []error
	if a.ClusterName == nil {
		errs = append(errs, errors.New("ClusterName: must be set"))
	}
	seen := map[string]bool{}
	for i, p := range a.Principals {
		if !config.IsIAMPrincipal(p.ARN) {
			errs = append(errs, fmt.Errorf("Principals[%d].ARN: %q is not an IAM role or user ARN", i, p.ARN))
		}
		if seen[p.ARN] {
			errs = append(errs, fmt.Errorf("Principals[%d].ARN: %q is listed twice: EKS takes one access entry per principal", i, p.ARN))
		}
		seen[p.ARN] = true
		if _, ok := AccessPolicies()[p.Policy]; !ok {
			errs = append(errs, fmt.Errorf("Principals[%d].Policy: %q is not one of %v", i, p.Policy, slices.Sorted(maps.Keys(AccessPolicies()))))
		}
	}
	return errors.Join(errs...)
}

// NewClusterAccess declares an access entry and a cluster-scoped policy association per
// principal, named by its index.
func NewClusterAccess(ctx *pulumi.Context, name string, args *ClusterAccessArgs, opts ...pulumi.ResourceOption) (*ClusterAccess, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("cluster access %s: %w", name, err)
	}
	c := &ClusterAccess{}
	if err := ctx.RegisterComponentResource("openwan:eks:ClusterAccess", name, c, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(c)
	for i, p := range args.Principals {
		entry, err := awseks.NewAccessEntry(ctx, fmt.Sprintf("%s-%d", name, i), &awseks.AccessEntryArgs{
			ClusterName: args.ClusterName, PrincipalArn: pulumi.String(p.ARN), Type: pulumi.String("STANDARD"),
		}, child)
		if err != nil {
			return nil, err
		}
		if _, err := awseks.NewAccessPolicyAssociation(ctx, fmt.Sprintf("%s-%d-%s", name, i, p.Policy), &awseks.AccessPolicyAssociationArgs{
			ClusterName: args.ClusterName, PrincipalArn: entry.PrincipalArn, PolicyArn: pulumi.String(AccessPolicies()[p.Policy]),
			AccessScope: &awseks.AccessPolicyAssociationAccessScopeArgs{Type: pulumi.String("cluster")},
		}, child); err != nil {
			return nil, err
		}
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{}); err != nil {
		return nil, err
	}
	return c, nil
}
