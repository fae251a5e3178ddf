package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/components/cluster"
	"github.com/openwan/openwan-infra/internal/componenttest"
	"github.com/openwan/openwan-infra/internal/model"
)

func clusterValidAccessArgs() *cluster.ClusterAccessArgs {
	return &cluster.ClusterAccessArgs{ClusterName: pulumi.String("openwan-test"), Principals: []cluster.Principal{
		{ARN: "arn:aws:iam::210987654321:role/ops", Policy: "admin"},
		{ARN: "arn:aws:iam::210987654321:user/alice", Policy: "view"},
	}}
}

func TestClusterAccessArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, clusterValidAccessArgs, componenttest.Validator(cluster.NewClusterAccess, "access"), []componenttest.Refusal[cluster.ClusterAccessArgs]{
		{Name: "no cluster", Change: func(a *cluster.ClusterAccessArgs) { a.ClusterName = nil }, Fields: []string{"ClusterName"}},
		{Name: "a group is no principal", Change: func(a *cluster.ClusterAccessArgs) { a.Principals[0].ARN = "arn:aws:iam::210987654321:group/ops" },
			Fields: []string{"Principals[0].ARN"}},
		{Name: "one principal twice", Change: func(a *cluster.ClusterAccessArgs) { a.Principals[1].ARN = a.Principals[0].ARN }, Fields: []string{"Principals[1].ARN"}},
		{Name: "an unknown policy", Change: func(a *cluster.ClusterAccessArgs) { a.Principals[1].Policy = "edit" }, Fields: []string{"Principals[1].Policy"}},
	})
}

// Each principal gets an entry and its access policy over the whole cluster.
func TestClusterAccessDeclaresEntries(t *testing.T) {
	p := componenttest.Declare(t, cluster.NewClusterAccess, "access", clusterValidAccessArgs())
	const entryType, assocType = model.TypeEKSAccessEntry, model.TypeEKSAccessPolicyAssociation
	assert.Equal(t, []string{"access-0", "access-1"}, componenttest.Names(p, entryType))
	assert.Equal(t, "arn:aws:iam::210987654321:role/ops", componenttest.Input(t, p, entryType, "access-0", "principalArn"))
	assert.Equal(t, "STANDARD", componenttest.Input(t, p, entryType, "access-0", "type"))
	assert.Equal(t, cluster.AccessPolicies()["admin"], componenttest.Input(t, p, assocType, "access-0-admin", "policyArn"))
	assert.Equal(t, cluster.AccessPolicies()["view"], componenttest.Input(t, p, assocType, "access-1-view", "policyArn"))
	assert.Equal(t, "cluster", componenttest.Input(t, p, assocType, "access-1-view", "accessScope.type"), "cluster-wide")
}
