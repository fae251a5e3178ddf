package pulumieks

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/internal/model"
	"github.com/openwan/openwan-infra/policies/rules"
)

// prodCluster is the eks:index:Cluster as the program declares it for prod (components/cluster
// NewCluster): the inputs pulumi-eks's children are made from.
func prodCluster() model.Resource {
	return model.Resource{
		URN:  "urn:pulumi:prod::openwan::openwan:eks:Cluster$eks:index:Cluster::openwan-eks",
		Type: ClusterType, Name: "openwan-eks",
		Inputs: map[string]any{
			"name": "openwan-prod", "version": "1.33", "vpcId": "openwan-id",
			"publicSubnetIds": []any{"p0", "p1", "p2"}, "privateSubnetIds": []any{"q0", "q1", "q2"},
			"skipDefaultNodeGroup": true, "useDefaultVpcCni": true, "createOidcProvider": true,
			"authenticationMode": "API_AND_CONFIG_MAP", "instanceRoles": []any{"urn:node-role"},
			"endpointPrivateAccess": true, "endpointPublicAccess": true, "publicAccessCidrs": []any{"203.0.113.0/24"},
			"enabledClusterLogTypes": []any{"api", "audit", "authenticator", "controllerManager", "scheduler"}, "encryptionConfigKeyArn": "arn:aws:kms:key",
			"nodeAssociatePublicIpAddress": false,
		},
	}
}

func children(t *testing.T, cluster model.Resource) []model.Resource {
	t.Helper()
	out, err := ClusterChildren(cluster)
	require.NoError(t, err)
	return out
}

func find(t *testing.T, rs []model.Resource, name string) model.Resource {
	t.Helper()
	for _, r := range rs {
		if r.Name == name {
			return r
		}
	}
	require.Failf(t, "no child", "no child named %s", name)
	return model.Resource{}
}

// TestClusterChildrenOfOurArguments pins the 16 children pulumi-eks v2.8.1 creates for the
// program's arguments (cluster.ts, securitygroup.ts, servicerole.ts at the tag; the line of each
// is in ClusterChildren), and nothing more: no node group, no CNI manifest, no storage class.
func TestClusterChildrenOfOurArguments(t *testing.T) {
	got := map[string]string{}
	for _, r := range children(t, prodCluster()) {
		got[r.Name] = r.Type
		assert.Contains(t, r.URN, "openwan:eks:Cluster$eks:index:Cluster$", "%s hangs under the component", r.Name)
	}
	const sgRule = "aws:ec2/securityGroupRule:SecurityGroupRule"
	assert.Equal(t, map[string]string{
		"openwan-eks-eksRole":                           "eks:index:ServiceRole",
		"openwan-eks-eksRole-role":                      "aws:iam/role:Role",
		"openwan-eks-eksRole-4b490823":                  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
		"openwan-eks-eksClusterSecurityGroup":           "aws:ec2/securityGroup:SecurityGroup",
		"openwan-eks-eksClusterInternetEgressRule":      sgRule,
		"openwan-eks-eksCluster":                        "aws:eks/cluster:Cluster",
		"openwan-eks-eks-k8s":                           "pulumi:providers:kubernetes",
		"openwan-eks-nodeAccess":                        "kubernetes:core/v1:ConfigMap",
		"openwan-eks-oidcProvider":                      "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
		"openwan-eks-nodeSecurityGroup":                 "aws:ec2/securityGroup:SecurityGroup",
		"openwan-eks-eksNodeIngressRule":                sgRule,
		"openwan-eks-eksNodeClusterIngressRule":         sgRule,
		"openwan-eks-eksExtApiServerClusterIngressRule": sgRule,
		"openwan-eks-eksNodeInternetEgressRule":         sgRule,
		"openwan-eks-eksClusterIngressRule":             sgRule,
		"openwan-eks-provider":                          "pulumi:providers:kubernetes",
	}, got)
	role := find(t, children(t, prodCluster()), "openwan-eks-eksRole-role")
	assert.Contains(t, role.Inputs["assumeRolePolicy"], `"Service":["eks.amazonaws.com"]`, "only EKS assumes the cluster role")
}

// TestPackVerdictOnPulumiEKSChildren is the verdict a real preview's policy run gives on what
// pulumi-eks creates: no mandatory rule fails. Then it shows the verdict is not vacuous: the
// rules do read these children, and flag them when they are wrong.
func TestPackVerdictOnPulumiEKSChildren(t *testing.T) {
	cluster := prodCluster()
	resources := append([]model.Resource{cluster}, children(t, cluster)...)
	violations, err := rules.Evaluate("prod", "production", resources, rules.Config{})
	require.NoError(t, err)
	for _, v := range violations {
		assert.NotEqual(t, rules.Mandatory, v.Level, "%s on %s: %s", v.Rule, v.URN, v.Message)
	}

	// Control: the same children with a rule opened to the world, and a cluster whose public
	// endpoint lists no CIDR; the pack must flag both on the children themselves.
	open := children(t, cluster)
	for i, r := range open {
		if r.Name == "openwan-eks-eksNodeClusterIngressRule" {
			delete(r.Inputs, "sourceSecurityGroupId")
			r.Inputs["cidrBlocks"] = []any{"0.0.0.0/0"}
			open[i] = r
		}
	}
	openCluster := prodCluster()
	openCluster.Name, openCluster.URN = "open-eks", "urn:pulumi:prod::openwan::openwan:eks:Cluster$eks:index:Cluster::open-eks"
	delete(openCluster.Inputs, "publicAccessCidrs")
	open = append(open, children(t, openCluster)...)
	violations, err = rules.Evaluate("prod", "production", open, rules.Config{})
	require.NoError(t, err)
	flagged := map[string][]string{}
	for _, v := range violations {
		flagged[v.URN] = append(flagged[v.URN], v.Rule)
	}
	assert.Contains(t, flagged[find(t, open, "openwan-eks-eksNodeClusterIngressRule").URN], "no-open-ingress",
		"an ingress rule from anywhere on pulumi-eks's node security group")
	eksCluster := find(t, children(t, openCluster), "open-eks-eksCluster")
	assert.Contains(t, flagged[eksCluster.URN], "eks-endpoint-restricted", "the control plane's public endpoint open to all")
}

// TestClusterChildrenRefuseWhatTheyDoNotModel: an argument that would add or change children the
// model does not know fails loudly, so the verdict above never silently goes stale.
func TestClusterChildrenRefuseWhatTheyDoNotModel(t *testing.T) {
	c := prodCluster()
	c.Inputs["useDefaultVpcCni"] = false
	c.Inputs["storageClasses"] = "gp2"
	_, err := ClusterChildren(c)
	assert.ErrorContains(t, err, "input useDefaultVpcCni is false; the model of pulumi-eks v2.8.1's children knows only true")
	assert.ErrorContains(t, err, "input storageClasses adds children the model of pulumi-eks v2.8.1 does not know")
}
