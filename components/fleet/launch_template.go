package fleet

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/components/fleet/userdata"
	"github.com/openwan/openwan-infra/internal/apppolicy"
)

// LaunchTemplate is what every instance of a fleet boots from: the launch template and the
// instance role and profile it runs with.
type LaunchTemplate struct {
	pulumi.ResourceState

	// Role is the instance role and Profile the instance profile that carries it.
	Role    *iam.Role
	Profile *iam.InstanceProfile
	// Template is the launch template the groups launch from.
	Template *ec2.LaunchTemplate
	// Version is the template's latest version as groups reference it: a new version (new image,
	// new user data) starts the group's instance refresh.
	Version pulumi.StringOutput
}

// LaunchTemplateArgs describe a launch template.
type LaunchTemplateArgs struct {
	// AMIParameter is the public SSM parameter naming the AMI, resolved at each launch.
	AMIParameter string
	// InstanceType is the default type (a mixed instances policy may override it).
	InstanceType string
	// RootVolumeGiB is the encrypted gp3 root volume size (GiB, 8 or more).
	RootVolumeGiB int
	// HTTPTokens is the metadata service's token mode: "required" (IMDSv2) or "optional".
	HTTPTokens string
	// HopLimit is the metadata PUT response hop limit (hops, 1 to 64); 1 keeps tokens on the
	// host.
	HopLimit int
	// SecurityGroupIDs are attached to the only network interface. When nil, an egress-only
	// group is created in VPCID: the instances serve no traffic (workers).
	SecurityGroupIDs pulumi.StringArrayInput
	VPCID            pulumi.StringInput
	// UserData is the boot script.
	UserData userdata.Boot
	// BucketName is the media bucket the app reads and writes.
	BucketName string
	// SecretsPath is the SSM path of the app's secrets, starting with "/" (read-only access);
	// empty grants none.
	SecretsPath string
	// FleetTag names the fleet in the "openwan:fleet" tag of its instances and volumes.
	FleetTag string
}

func (a *LaunchTemplateArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	var errs []error
	if a.AMIParameter == "" {
		errs = append(errs, errors.New("AMIParameter: must not be empty"))
	}
	if a.InstanceType == "" {
		errs = append(errs, errors.New("InstanceType: must not be empty"))
	}
	// The smallest volume the Amazon Linux AMIs boot from.
	if a.RootVolumeGiB < 8 {
		errs = append(errs, fmt.Errorf("RootVolumeGiB: %d is below 8", a.RootVolumeGiB))
	}
	if a.HTTPTokens != "required" && a.HTTPTokens != "optional" {
		errs = append(errs, fmt.Errorf("HTTPTokens: %q is not \"required\" or \"optional\"", a.HTTPTokens))
	}
	// The bounds EC2 accepts for the metadata PUT response hop limit.
	if a.HopLimit < 1 || a.HopLimit > 64 {
		errs = append(errs, fmt.Errorf("HopLimit: %d is outside [1, 64]", a.HopLimit))
	}
	if a.SecurityGroupIDs == nil && a.VPCID == nil {
		errs = append(errs, errors.New("VPCID: must be set when SecurityGroupIDs is not: the egress-only group goes there"))
	}
	errs = append(errs, a.UserData.Validate())
	if a.BucketName == "" {
		errs = append(errs, errors.New("BucketName: must not be empty"))
	}
	// The path becomes part of a parameter ARN, which needs its leading slash.
	if a.SecretsPath != "" && !strings.HasPrefix(a.SecretsPath, "/") {
		errs = append(errs, fmt.Errorf("SecretsPath: %q does not start with /", a.SecretsPath))
	}
	if a.FleetTag == "" {
		errs = append(errs, errors.New("FleetTag: must not be empty"))
	}
	return errors.Join(errs...)
}

// NewLaunchTemplate declares the instance role (SSM core and the CloudWatch agent's managed
// policies, plus an inline policy limited to the media bucket and the secrets path; the group
// adds completing its own lifecycle actions), its profile, and a launch template with the given
// metadata options (the stacks default to IMDSv2 only, hop limit 1), that encrypts a gp3 root
// volume, attaches no SSH key and no public IP, and turns on detailed monitoring.
func NewLaunchTemplate(ctx *pulumi.Context, name string, args *LaunchTemplateArgs, opts ...pulumi.ResourceOption) (*LaunchTemplate, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("launch template %s: %w", name, err)
	}
	// Everything that can fail without the engine fails before anything is registered.
	assume, err := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": map[string]string{"Service": "ec2.amazonaws.com"},
		}},
	})
	if err != nil {
		return nil, fmt.Errorf("launch template %s: assume role policy: %w", name, err)
	}
	policy, err := json.Marshal(instancePolicy(args))
	if err != nil {
		return nil, fmt.Errorf("launch template %s: instance policy: %w", name, err)
	}
	userData, err := args.UserData.Base64()
	if err != nil {
		return nil, fmt.Errorf("launch template %s: user data: %w", name, err)
	}

	lt := &LaunchTemplate{}
	if err := ctx.RegisterComponentResource("openwan:ec2:LaunchTemplate", name, lt, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(lt)

	lt.Role, err = iam.NewRole(ctx, name+"-role", &iam.RoleArgs{
		AssumeRolePolicy: pulumi.String(assume),
		Tags:             pulumi.StringMap{apppolicy.RoleTag: pulumi.String(args.FleetTag)},
		ManagedPolicyArns: pulumi.StringArray{
			pulumi.String("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"),
			pulumi.String("arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"),
		},
	}, child)
	if err != nil {
		return nil, err
	}
	if _, err := iam.NewRolePolicy(ctx, name+"-app", &iam.RolePolicyArgs{Role: lt.Role.Name, Policy: pulumi.String(policy)}, child); err != nil {
		return nil, err
	}
	lt.Profile, err = iam.NewInstanceProfile(ctx, name+"-profile", &iam.InstanceProfileArgs{Role: lt.Role.Name}, child)
	if err != nil {
		return nil, err
	}

	securityGroups := args.SecurityGroupIDs
	if securityGroups == nil {
		sg, err := ec2.NewSecurityGroup(ctx, name+"-egress", &ec2.SecurityGroupArgs{
			VpcId:       args.VPCID,
			Description: pulumi.String("OpenWan " + args.FleetTag + " instances: no ingress"),
			Egress:      allEgress(),
		}, child)
		if err != nil {
			return nil, err
		}
		securityGroups = pulumi.StringArray{sg.ID()}
	}

	tags := pulumi.StringMap{"Name": pulumi.String(name), "openwan:fleet": pulumi.String(args.FleetTag)}
	lt.Template, err = ec2.NewLaunchTemplate(ctx, name, &ec2.LaunchTemplateArgs{
		ImageId:            pulumi.String("resolve:ssm:" + args.AMIParameter),
		InstanceType:       pulumi.String(args.InstanceType),
		IamInstanceProfile: &ec2.LaunchTemplateIamInstanceProfileArgs{Arn: lt.Profile.Arn},
		MetadataOptions: &ec2.LaunchTemplateMetadataOptionsArgs{
			HttpEndpoint:            pulumi.String("enabled"),
			HttpTokens:              pulumi.String(args.HTTPTokens),
			HttpPutResponseHopLimit: pulumi.Int(args.HopLimit),
			InstanceMetadataTags:    pulumi.String("enabled"),
		},
		BlockDeviceMappings: ec2.LaunchTemplateBlockDeviceMappingArray{&ec2.LaunchTemplateBlockDeviceMappingArgs{
			DeviceName: pulumi.String("/dev/xvda"),
			Ebs: &ec2.LaunchTemplateBlockDeviceMappingEbsArgs{
				VolumeSize:          pulumi.Int(args.RootVolumeGiB),
				VolumeType:          pulumi.String("gp3"),
				Encrypted:           pulumi.String("true"),
				DeleteOnTermination: pulumi.String("true"),
			},
		}},
		NetworkInterfaces: ec2.LaunchTemplateNetworkInterfaceArray{&ec2.LaunchTemplateNetworkInterfaceArgs{
			DeviceIndex:              pulumi.Int(0),
			AssociatePublicIpAddress: pulumi.String("false"),
			SecurityGroups:           securityGroups,
			DeleteOnTermination:      pulumi.String("true"),
		}},
		Monitoring:           &ec2.LaunchTemplateMonitoringArgs{Enabled: pulumi.Bool(true)},
		UserData:             pulumi.String(userData),
		UpdateDefaultVersion: pulumi.Bool(true),
		TagSpecifications: ec2.LaunchTemplateTagSpecificationArray{
			&ec2.LaunchTemplateTagSpecificationArgs{ResourceType: pulumi.String("instance"), Tags: tags},
			&ec2.LaunchTemplateTagSpecificationArgs{ResourceType: pulumi.String("volume"), Tags: tags},
		},
	}, child)
	if err != nil {
		return nil, fmt.Errorf("launch template %s: %w", name, err)
	}
	lt.Version = lt.Template.LatestVersion.ApplyT(strconv.Itoa).(pulumi.StringOutput)
	if err := ctx.RegisterResourceOutputs(lt, pulumi.Map{"launchTemplateId": lt.Template.ID(), "roleArn": lt.Role.Arn}); err != nil {
		return nil, err
	}
	return lt, nil
}

func instancePolicy(args *LaunchTemplateArgs) map[string]any {
	// Completing the termination hook is the group's to grant, on its own ARN only (Group).
	statements := apppolicy.MediaBucketStatements(args.BucketName)
	if args.SecretsPath != "" {
		statements = append(statements, apppolicy.ReadSecretsStatement(args.SecretsPath))
	}
	return apppolicy.Document(statements...)
}
