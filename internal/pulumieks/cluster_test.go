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
		Type: model.TypePulumiEKSCluster, Name: "openwan-eks",
		Inputs: map[string]any{
			"name": "openwan-prod", "version": "1.33", "vpcId": "openwan-id",
			"publicSubnetIds": []any{"p0", "p1", "p2"}, "privateSubnetIds": []any{"q0", "q1", "q2"},
			"skipDefaultNodeGroup": true, "useDefaultVpcCni": true, "createOidcProvider": true,
			"authenticationMode": "API_AND_CONFIG_MAP", "instanceRoles": []any{"urn:node-role"},
			"endpointPrivateAccess": true, "endpointPublicAccess": true, "publicAccessCidrs": []any{"203.0.113.0/24"},
			"enabledClusterLogTypes": []any{"api", "audit", "authenticator", "controllerManager", "scheduler"}, "encryptionConfigKeyArn": "arn:aws:kms:key",
			"nodeAssociatePublicIpAddress": false,
			// The stack's cost-tag transformation (stacks/cost_tag.go) gives the Cluster its tags.
			"tags": map[string]any{"openwan-stack": "prod"},
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

// tagged are the children pulumi-eks v2.8.1 gives tags, each with the tags it adds itself.
var tagged = map[string]map[string]any{
	"openwan-eks-eksRole-role":            nil, // servicerole.ts:87, the Cluster's tags as they are
	"openwan-eks-eksClusterSecurityGroup": {"Name": "openwan-eks-eksClusterSecurityGroup"},
	"openwan-eks-eksCluster":              {"Name": "openwan-eks-eksCluster"},
	"openwan-eks-nodeSecurityGroup":       {"Name": "openwan-eks-nodeSecurityGroup", "kubernetes.io/cluster/openwan-prod": "owned"},
}

// tagsOf returns each child's tags input, absent ones left out, and checks that no child
// pulumi-eks does not tag has any.
func tagsOf(t *testing.T, cluster model.Resource) map[string]any {
	t.Helper()
	out := map[string]any{}
	for _, r := range children(t, cluster) {
		tags, ok := r.Inputs["tags"]
		if _, want := tagged[r.Name]; !want {
			assert.False(t, ok, "pulumi-eks gives %s no tags", r.Name)
			continue
		}
		if ok {
			out[r.Name] = tags
		}
	}
	return out
}

// TestClusterTagsReachTheChildrenAsPulumiEKSMergesThem pins where pulumi-eks v2.8.1 copies the
// Cluster's tag inputs (cluster.ts:508, 524-530, 601-607, 1925-1929; securitygroup.ts:106-111;
// servicerole.ts:87): `tags` reaches the role, both security groups and the cluster, winning every
// clash; each specific input reaches its one child only, over the tags pulumi-eks adds itself.
func TestClusterTagsReachTheChildrenAsPulumiEKSMergesThem(t *testing.T) {
	without := prodCluster()
	delete(without.Inputs, "tags")
	assert.Equal(t, map[string]any{
		"openwan-eks-eksClusterSecurityGroup": tagged["openwan-eks-eksClusterSecurityGroup"],
		"openwan-eks-eksCluster":              tagged["openwan-eks-eksCluster"],
		"openwan-eks-nodeSecurityGroup":       tagged["openwan-eks-nodeSecurityGroup"],
	}, tagsOf(t, without), "with no tag input, only what pulumi-eks adds itself; the role has no tags")

	assert.Equal(t, map[string]any{
		"openwan-eks-eksRole-role":            map[string]any{"openwan-stack": "prod"},
		"openwan-eks-eksClusterSecurityGroup": map[string]any{"Name": "openwan-eks-eksClusterSecurityGroup", "openwan-stack": "prod"},
		"openwan-eks-eksCluster":              map[string]any{"Name": "openwan-eks-eksCluster", "openwan-stack": "prod"},
		"openwan-eks-nodeSecurityGroup": map[string]any{
			"Name": "openwan-eks-nodeSecurityGroup", "kubernetes.io/cluster/openwan-prod": "owned", "openwan-stack": "prod",
		},
	}, tagsOf(t, prodCluster()), "the cost tag the stack puts on the Cluster reaches all four")

	// Every input at once, each clashing with `tags` on "team" and with pulumi-eks's own tags.
	all := prodCluster()
	all.Inputs["tags"] = map[string]any{"openwan-stack": "prod", "team": "tags"}
	all.Inputs["clusterSecurityGroupTags"] = map[string]any{"team": "csg", "Name": "csg", "only": "csg"}
	all.Inputs["clusterTags"] = map[string]any{"team": "cluster", "Name": "cluster", "only": "cluster"}
	all.Inputs["nodeSecurityGroupTags"] = map[string]any{
		"team": "nsg", "Name": "nsg", "kubernetes.io/cluster/openwan-prod": "shared", "only": "nsg",
	}
	assert.Equal(t, map[string]any{
		"openwan-eks-eksRole-role":            map[string]any{"openwan-stack": "prod", "team": "tags"},
		"openwan-eks-eksClusterSecurityGroup": map[string]any{"Name": "csg", "only": "csg", "openwan-stack": "prod", "team": "tags"},
		"openwan-eks-eksCluster":              map[string]any{"Name": "cluster", "only": "cluster", "openwan-stack": "prod", "team": "tags"},
		"openwan-eks-nodeSecurityGroup": map[string]any{
			"Name": "nsg", "kubernetes.io/cluster/openwan-prod": "shared", "only": "nsg", "openwan-stack": "prod", "team": "tags",
		},
	}, tagsOf(t, all), "`tags` wins; each specific input reaches its child only, over pulumi-eks's own tags")

	// `tags` is spread last, over pulumi-eks's own tags too.
	own := prodCluster()
	own.Inputs["tags"] = map[string]any{"Name": "mine", "kubernetes.io/cluster/openwan-prod": "shared"}
	got := tagsOf(t, own)
	for name := range tagged {
		assert.Equal(t, "mine", got[name].(map[string]any)["Name"], "%s takes the Name given in tags", name)
	}
	assert.Equal(t, "shared", got["openwan-eks-nodeSecurityGroup"].(map[string]any)["kubernetes.io/cluster/openwan-prod"])

	// The children's maps are their own: a child's tags do not alias the Cluster's input.
	got["openwan-eks-eksRole-role"].(map[string]any)["Name"] = "changed"
	assert.Equal(t, "mine", own.Inputs["tags"].(map[string]any)["Name"])
}

// TestClusterTagsOnlyTheDeploymentKnows: a tag input with a value only the deployment knows
// leaves each child's tags unknown, as pulumi-eks's apply is in a preview; a tag input that is not
// a map is refused.
func TestClusterTagsOnlyTheDeploymentKnows(t *testing.T) {
	c := prodCluster()
	c.Inputs["tags"] = map[string]any{"openwan-stack": "prod", "owner": model.Unknown}
	for name, tags := range tagsOf(t, c) {
		assert.Equal(t, model.Unknown, tags, name)
	}
	c = prodCluster()
	c.Inputs["clusterTags"] = model.Unknown
	assert.Equal(t, model.Unknown, tagsOf(t, c)["openwan-eks-eksCluster"])
	assert.Equal(t, map[string]any{"Name": "openwan-eks-eksClusterSecurityGroup", "openwan-stack": "prod"},
		tagsOf(t, c)["openwan-eks-eksClusterSecurityGroup"], "the other children's tags stay known")
	c = prodCluster()
	c.Inputs["name"] = model.Unknown
	assert.Equal(t, model.Unknown, tagsOf(t, c)["openwan-eks-nodeSecurityGroup"], "its cluster-ownership tag names the cluster")

	c = prodCluster()
	c.Inputs["clusterSecurityGroupTags"] = []any{"team"}
	_, err := ClusterChildren(c)
	assert.ErrorContains(t, err, "input clusterSecurityGroupTags is [team], not a map of tags")
}
