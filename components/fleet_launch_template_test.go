package components_test

import (
	"encoding/base64"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/fleet"
	"github.com/openwan/openwan-infra/components/fleet/userdata"
	"github.com/openwan/openwan-infra/internal/componenttest"
	"github.com/openwan/openwan-infra/internal/model"
)

func fleetValidLaunchTemplateArgs() *fleet.LaunchTemplateArgs {
	return &fleet.LaunchTemplateArgs{
		AMIParameter: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
		InstanceType: "c5.large", RootVolumeGiB: 16, HTTPTokens: "required", HopLimit: 1,
		VPCID: pulumi.String("vpc-1"),
		UserData: userdata.Boot{
			Image: "ghcr.io/openwan/openwan-worker:1.0.0", Env: map[string]string{"QUEUE_NAME": "transcode"},
			TerminationHookSeconds: 600, LaunchHookSeconds: 300, Port: 8080, ReadinessPath: "/ready",
		},
		BucketName: "media", SecretsPath: "/openwan/test/", FleetTag: "worker",
	}
}

func TestLaunchTemplateArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, fleetValidLaunchTemplateArgs, componenttest.Validator(fleet.NewLaunchTemplate, "worker-lt"), []componenttest.Refusal[fleet.LaunchTemplateArgs]{
		{Name: "no AMI", Change: func(a *fleet.LaunchTemplateArgs) { a.AMIParameter = "" }, Fields: []string{"AMIParameter"}},
		{Name: "volume too small to boot", Change: func(a *fleet.LaunchTemplateArgs) { a.RootVolumeGiB = 7 }, Fields: []string{"RootVolumeGiB"}},
		{Name: "unknown token mode", Change: func(a *fleet.LaunchTemplateArgs) { a.HTTPTokens = "v2" }, Fields: []string{"HTTPTokens"}},
		{Name: "hop limit 0", Change: func(a *fleet.LaunchTemplateArgs) { a.HopLimit = 0 }, Fields: []string{"HopLimit"}},
		{Name: "neither security groups nor VPC", Change: func(a *fleet.LaunchTemplateArgs) { a.VPCID = nil }, Fields: []string{"VPCID"}},
		{Name: "relative secrets path", Change: func(a *fleet.LaunchTemplateArgs) { a.SecretsPath = "openwan/" }, Fields: []string{"SecretsPath"}},
		{Name: "no termination hook to stop within", Change: func(a *fleet.LaunchTemplateArgs) { a.UserData.TerminationHookSeconds = 0 },
			Fields: []string{"UserData.TerminationHookSeconds"}},
		{Name: "no readiness to wait for", Change: func(a *fleet.LaunchTemplateArgs) { a.UserData.ReadinessPath = "ready" },
			Fields: []string{"UserData.ReadinessPath"}},
		{Name: "no launch hook to bootstrap within", Change: func(a *fleet.LaunchTemplateArgs) { a.UserData.LaunchHookSeconds = 0 },
			Fields: []string{"UserData.LaunchHookSeconds"}},
		{Name: "an environment value on two lines", Change: func(a *fleet.LaunchTemplateArgs) { a.UserData.Env["X"] = "a\nb" },
			Fields: []string{`UserData.Env["X"]`}},
		{Name: "several fields at once", Change: func(a *fleet.LaunchTemplateArgs) {
			a.InstanceType, a.UserData.Image, a.BucketName, a.FleetTag = "", "", "", ""
		},
			Fields: []string{"InstanceType", "UserData.Image", "BucketName", "FleetTag"}},
	})
}

func TestLaunchTemplateRefusedDeclaresNothing(t *testing.T) {
	componenttest.DeclareRefused(t, fleet.NewLaunchTemplate, "worker-lt", &fleet.LaunchTemplateArgs{HTTPTokens: "required"})
}

func TestLaunchTemplateDeclares(t *testing.T) {
	args := fleetValidLaunchTemplateArgs()
	p := componenttest.Declare(t, fleet.NewLaunchTemplate, "worker-lt", args)
	input := func(path string) any {
		return componenttest.Input(t, p, model.TypeEC2LaunchTemplate, "worker-lt", path)
	}

	assert.Equal(t, args.HTTPTokens, input("metadataOptions.httpTokens"), "the metadata token mode from HTTPTokens (\"required\": IMDSv2 only)")
	assert.EqualValues(t, args.HopLimit, input("metadataOptions.httpPutResponseHopLimit"), "tokens go no further than HopLimit hops")
	assert.Equal(t, "resolve:ssm:"+args.AMIParameter, input("imageId"), "the AMI is resolved from its parameter at each launch")
	assert.EqualValues(t, args.RootVolumeGiB, input("blockDeviceMappings.0.ebs.volumeSize"), "RootVolumeGiB")
	assert.Equal(t, "true", input("blockDeviceMappings.0.ebs.encrypted"), "the root volume is encrypted")
	assert.Equal(t, "false", input("networkInterfaces.0.associatePublicIpAddress"), "instances get no public address")

	script, err := args.UserData.Script()
	require.NoError(t, err)
	userData, ok := input("userData").(string)
	require.True(t, ok, "userData is a string")
	decoded, err := base64.StdEncoding.DecodeString(userData)
	require.NoError(t, err, "userData is base64, as launch templates take it")
	assert.Equal(t, script, string(decoded), "the template boots UserData's script")

	assert.Equal(t, []string{"worker-lt-egress"}, componenttest.Names(p, model.TypeEC2SecurityGroup),
		"without SecurityGroupIDs the instances get an egress-only group of their own")

	policy, ok := componenttest.Input(t, p, model.TypeIAMRolePolicy, "worker-lt-app", "policy").(string)
	require.True(t, ok, "the instance policy is a JSON string")
	assert.NotContains(t, policy, "autoscaling:", "no lifecycle action on any group by tag: the group grants its own, on its ARN")
}

func TestLaunchTemplateUsesGivenSecurityGroups(t *testing.T) {
	args := fleetValidLaunchTemplateArgs()
	args.VPCID, args.SecurityGroupIDs = nil, pulumi.ToStringArray([]string{"sg-api"})
	p := componenttest.Declare(t, fleet.NewLaunchTemplate, "api-lt", args)
	assert.Empty(t, componenttest.Names(p, model.TypeEC2SecurityGroup), "given security groups, none is created")
	assert.Equal(t, []any{"sg-api"}, componenttest.Input(t, p, model.TypeEC2LaunchTemplate, "api-lt", "networkInterfaces.0.securityGroups"),
		"the interface carries exactly the given groups")
}
