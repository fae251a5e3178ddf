package fleet

import (
	"encoding/base64"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/internal/componenttest"
)

func validLaunchTemplateArgs() *LaunchTemplateArgs {
	return &LaunchTemplateArgs{
		AMIParameter: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
		InstanceType: "c5.large", RootVolumeGiB: 16, HTTPTokens: "required", HopLimit: 1,
		VPCID:      pulumi.String("vpc-1"),
		UserData:   UserData{Image: "ghcr.io/openwan/openwan-worker:1.0.0", Env: map[string]string{"QUEUE_NAME": "transcode"}},
		BucketName: "media", SecretsPath: "/openwan/test/", FleetTag: "worker",
	}
}

func TestLaunchTemplateArgsRefusals(t *testing.T) {
	var nilArgs *LaunchTemplateArgs
	assert.EqualError(t, nilArgs.validate(), "args are required")
	require.NoError(t, validLaunchTemplateArgs().validate(), "the valid args of these tests")

	cases := []struct {
		name   string
		change func(a *LaunchTemplateArgs)
		fields []string
	}{
		{"no AMI", func(a *LaunchTemplateArgs) { a.AMIParameter = "" }, []string{"AMIParameter"}},
		{"volume too small to boot", func(a *LaunchTemplateArgs) { a.RootVolumeGiB = 7 }, []string{"RootVolumeGiB"}},
		{"unknown token mode", func(a *LaunchTemplateArgs) { a.HTTPTokens = "v2" }, []string{"HTTPTokens"}},
		{"hop limit 0", func(a *LaunchTemplateArgs) { a.HopLimit = 0 }, []string{"HopLimit"}},
		{"neither security groups nor VPC", func(a *LaunchTemplateArgs) { a.VPCID = nil }, []string{"VPCID"}},
		{"relative secrets path", func(a *LaunchTemplateArgs) { a.SecretsPath = "openwan/" }, []string{"SecretsPath"}},
		{"several fields at once", func(a *LaunchTemplateArgs) {
			a.InstanceType, a.UserData.Image, a.BucketName, a.FleetTag = "", "", "", ""
		},
			[]string{"InstanceType", "UserData.Image", "BucketName", "FleetTag"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := validLaunchTemplateArgs()
			c.change(args)
			componenttest.AssertFields(t, args.validate(), c.fields...)
		})
	}
}

func TestLaunchTemplateRefusedDeclaresNothing(t *testing.T) {
	componenttest.Refused(t, func(ctx *pulumi.Context) error {
		_, err := NewLaunchTemplate(ctx, "worker-lt", &LaunchTemplateArgs{HTTPTokens: "required"})
		return err
	})
}

func TestLaunchTemplateDeclares(t *testing.T) {
	args := validLaunchTemplateArgs()
	p := componenttest.Run(t, func(ctx *pulumi.Context) error {
		_, err := NewLaunchTemplate(ctx, "worker-lt", args)
		return err
	})
	input := func(path string) any { return componenttest.Input(t, p, launchTplType, "worker-lt", path) }

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

	assert.Equal(t, []string{"worker-lt-egress"}, componenttest.Names(p, sgType),
		"without SecurityGroupIDs the instances get an egress-only group of their own")
}

func TestLaunchTemplateUsesGivenSecurityGroups(t *testing.T) {
	args := validLaunchTemplateArgs()
	args.VPCID, args.SecurityGroupIDs = nil, pulumi.ToStringArray([]string{"sg-api"})
	p := componenttest.Run(t, func(ctx *pulumi.Context) error {
		_, err := NewLaunchTemplate(ctx, "api-lt", args)
		return err
	})
	assert.Empty(t, componenttest.Names(p, sgType), "given security groups, none is created")
	assert.Equal(t, []any{"sg-api"}, componenttest.Input(t, p, launchTplType, "api-lt", "networkInterfaces.0.securityGroups"),
		"the interface carries exactly the given groups")
}
