package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/components/cluster"
	"github.com/openwan/openwan-infra/internal/componenttest"
	"github.com/openwan/openwan-infra/internal/model"
)

func clusterValidPodRoleArgs() *cluster.PodRoleArgs {
	return &cluster.PodRoleArgs{
		OIDCIssuer: pulumi.String("https://oidc.eks.us-east-1.amazonaws.com/id/TEST"),
		OIDCArn:    pulumi.String("arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/TEST"),
		Namespace:  "openwan", ServiceAccount: "openwan-api",
		Policy: map[string]any{"Version": "2012-10-17", "Statement": []any{}},
		App:    "api",
	}
}

func TestPodRoleArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, clusterValidPodRoleArgs, componenttest.Validator(cluster.NewPodRole, "api-role"), []componenttest.Refusal[cluster.PodRoleArgs]{
		{Name: "no service account", Change: func(a *cluster.PodRoleArgs) { a.ServiceAccount = "" }, Fields: []string{"ServiceAccount"}},
		{Name: "no policy", Change: func(a *cluster.PodRoleArgs) { a.Policy = nil }, Fields: []string{"Policy"}},
		{Name: "no OIDC", Change: func(a *cluster.PodRoleArgs) { a.OIDCIssuer, a.OIDCArn = nil, nil }, Fields: []string{"OIDCIssuer", "OIDCArn"}},
	})
}

func TestPodRoleTrustsOneServiceAccount(t *testing.T) {
	p := componenttest.Declare(t, cluster.NewPodRole, "api-role", clusterValidPodRoleArgs())
	trust := componenttest.Input(t, p, model.TypeIAMRole, "api-role", "assumeRolePolicy")
	assert.JSONEq(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity",
		"Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/TEST"},
		"Condition":{"StringEquals":{"oidc.eks.us-east-1.amazonaws.com/id/TEST:sub":"system:serviceaccount:openwan:openwan-api",
		"oidc.eks.us-east-1.amazonaws.com/id/TEST:aud":"sts.amazonaws.com"}}}]}`, trust.(string))
	assert.JSONEq(t, `{"Version":"2012-10-17","Statement":[]}`, componenttest.Input(t, p, model.TypeIAMRolePolicy, "api-role", "policy").(string))
	assert.Equal(t, map[string]any{"openwan.io/app-role": "api"}, componenttest.Input(t, p, model.TypeIAMRole, "api-role", "tags"))
}

// TestPodRoleWithManagedPolicyOnly: an AWS agent's role carries AWS's managed policy, attached,
// and no inline policy.
func TestPodRoleWithManagedPolicyOnly(t *testing.T) {
	args := clusterValidPodRoleArgs()
	args.Policy, args.ManagedPolicyARNs = nil, []string{"arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"}
	p := componenttest.Declare(t, cluster.NewPodRole, "agent-role", args)
	assert.Equal(t, "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
		componenttest.Input(t, p, model.TypeIAMRolePolicyAttachment, "agent-role-managed-0", "policyArn"))
	assert.Empty(t, componenttest.Names(p, model.TypeIAMRolePolicy), "no inline policy")
}
