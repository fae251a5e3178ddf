package awsmodel

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/internal/model"
)

// The models' patterns are Java's: \uXXXX escapes and surrogate pairs for what lies beyond the
// BMP. Read for Go, the common "any printable XML character" pattern compiles and still refuses
// what it should.
func TestPatternsReadJavaEscapes(t *testing.T) {
	re := pattern(`[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\r\n\t]*`)
	require.NotNil(t, re, "the XML string pattern compiles for Go")
	assert.True(t, re.MatchString("openwan-api-asg 🚀"), "printable text, one character beyond the BMP included")
	anchored := pattern(`^[a-z]+$`)
	require.NotNil(t, anchored)
	assert.False(t, anchored.MatchString("Upper"))
}

// The judge reads the pinned module only: a hash that is not the pinned one is refused.
func TestModulesArePinnedByHash(t *testing.T) {
	_, err := Module{SDKModels.Path, SDKModels.Version, "h1:not-the-hash="}.Dir()
	require.Error(t, err)
	assert.ErrorContains(t, err, "pinned h1:not-the-hash=")
}

// A VPC's block and a subnet's VPC, zone and block are set at creation only (CloudFormation's
// createOnlyProperties), read as the pulumi-aws inputs they are.
func TestReplaceInputsFromTheSchemas(t *testing.T) {
	for typ, want := range map[string][]string{
		"aws:ec2/vpc:Vpc":             {"cidrBlock"},
		"aws:ec2/subnet:Subnet":       {"vpcId", "cidrBlock", "availabilityZoneId"},
		"aws:eks/nodeGroup:NodeGroup": {"subnetIds", "nodeGroupName", "nodeRoleArn", "instanceTypes", "capacityType"},
		"aws:iam/role:Role":           {"name", "path"},
	} {
		got, ok, err := ReplaceInputs(typ)
		require.NoError(t, err)
		require.True(t, ok, typ)
		assert.Subset(t, got, want, typ)
	}
	got, _, err := ReplaceInputs("aws:ec2/vpc:Vpc")
	require.NoError(t, err)
	assert.NotContains(t, got, "enableDnsHostnames", "a VPC's DNS settings change in place")
	_, ok, err := ReplaceInputs("kubernetes:apps/v1:Deployment")
	require.NoError(t, err)
	assert.False(t, ok, "no CloudFormation schema for a Kubernetes object")
}

// Kubernetes objects, providers and components make no AWS call; a custom AWS resource does.
func TestNotAWS(t *testing.T) {
	assert.True(t, NotAWS(model.Resource{Type: "kubernetes:apps/v1:Deployment", Custom: true}))
	assert.True(t, NotAWS(model.Resource{Type: "pulumi:providers:aws", Custom: true}))
	assert.True(t, NotAWS(model.Resource{Type: "openwan:ec2:AutoScalingGroup"}))
	assert.False(t, NotAWS(model.Resource{Type: "eks:index:Cluster"}), "pulumi-eks's cluster is judged (through its children)")
	assert.False(t, NotAWS(model.Resource{Type: "aws:ec2/vpc:Vpc", Custom: true}))
}
