package awsmodel

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/openwan/openwan-infra/internal/model"
)

// cfnTypes are the CloudFormation resource types (their schema's file in rain, and the renames
// of the properties whose pulumi-aws input is not the CloudFormation name with its first letter
// lowered) of the pulumi-aws types a plan holds. CloudFormation's createOnlyProperties say which
// changes AWS can only make by creating the resource anew; Terraform's ForceNew, which the
// provider follows, agrees with them on the properties listed here.
var cfnTypes = map[string]struct {
	schema  string
	renames map[string]string
}{
	model.TypeEC2VPC:                   {"ec2/vpc", nil},
	model.TypeEC2Subnet:                {"ec2/subnet", nil},
	model.TypeEC2RouteTable:            {"ec2/routetable", nil},
	model.TypeEC2RouteTableAssociation: {"ec2/subnetroutetableassociation", nil},
	model.TypeEC2NATGateway:            {"ec2/natgateway", nil},
	model.TypeEC2EIP:                   {"ec2/eip", nil},
	model.TypeEC2SecurityGroup:         {"ec2/securitygroup", map[string]string{"GroupDescription": "description", "GroupName": "name"}},
	model.TypeEC2SecurityGroupRule: {"ec2/securitygroupingress", map[string]string{
		"GroupId": "securityGroupId", "IpProtocol": "protocol", "CidrIp": "cidrBlocks", "CidrIpv6": "ipv6CidrBlocks",
	}},
	model.TypeEC2VPCEndpoint:           {"ec2/vpcendpoint", nil},
	model.TypeEC2LaunchTemplate:        {"ec2/launchtemplate", map[string]string{"LaunchTemplateName": "name"}},
	model.TypeAutoscalingGroup:         {"autoscaling/autoscalinggroup", map[string]string{"AutoScalingGroupName": "name"}},
	model.TypeAutoscalingLifecycleHook: {"autoscaling/lifecyclehook", map[string]string{"AutoScalingGroupName": "autoscalingGroupName", "LifecycleHookName": "name"}},
	model.TypeAutoscalingSchedule:      {"autoscaling/scheduledaction", map[string]string{"AutoScalingGroupName": "autoscalingGroupName"}},
	model.TypeAutoscalingPolicy:        {"autoscaling/scalingpolicy", map[string]string{"AutoScalingGroupName": "autoscalingGroupName"}},
	model.TypeCloudWatchMetricAlarm:    {"cloudwatch/alarm", map[string]string{"AlarmName": "name"}},
	model.TypeCloudWatchDashboard:      {"cloudwatch/dashboard", nil},
	model.TypeCloudWatchLogGroup:       {"logs/loggroup", map[string]string{"LogGroupName": "name"}},
	model.TypeCloudWatchEventRule:      {"events/rule", nil},
	model.TypeEKSNodeGroup:             {"eks/nodegroup", map[string]string{"NodegroupName": "nodeGroupName", "NodeRole": "nodeRoleArn", "Subnets": "subnetIds"}},
	model.TypeEKSAddon:                 {"eks/addon", nil},
	model.TypeEKSCluster:               {"eks/cluster", nil},
	model.TypeEKSAccessEntry:           {"eks/accessentry", nil},
	model.TypeIAMRole:                  {"iam/role", map[string]string{"RoleName": "name"}},
	model.TypeIAMRolePolicy:            {"iam/rolepolicy", map[string]string{"PolicyName": "name", "RoleName": "role"}},
	model.TypeIAMInstanceProfile:       {"iam/instanceprofile", map[string]string{"InstanceProfileName": "name"}},
	model.TypeIAMOIDCProvider:          {"iam/oidcprovider", nil},
	model.TypeKMSKey:                   {"kms/key", nil},
	model.TypeSNSTopic:                 {"sns/topic", map[string]string{"TopicName": "name"}},
	model.TypeSNSTopicSubscription:     {"sns/subscription", map[string]string{"TopicArn": "topic"}},
	model.TypeLBLoadBalancer:           {"elasticloadbalancingv2/loadbalancer", map[string]string{"Type": "loadBalancerType", "Scheme": "internal"}},
	model.TypeLBTargetGroup:            {"elasticloadbalancingv2/targetgroup", nil},
	model.TypeLBListener:               {"elasticloadbalancingv2/listener", nil},
	model.TypeBudget:                   {"budgets/budget", map[string]string{"NotificationsWithSubscribers": "notifications"}},
}

// ReplaceInputs are the pulumi-aws inputs of the type whose change replaces the resource, from
// the CloudFormation schema's createOnlyProperties (a nested property, /A/B, is given as a.b).
// ok is false for a type the schemas are not mapped for.
func ReplaceInputs(pulumiType string) (inputs []string, ok bool, err error) {
	t, ok := cfnTypes[pulumiType]
	if !ok {
		return nil, false, nil
	}
	dir, err := CloudFormationSchemas.Dir()
	if err != nil {
		return nil, true, err
	}
	data, err := os.ReadFile(filepath.Join(dir, "internal", "aws", "cfn", "schemas", "aws", t.schema+".json"))
	if err != nil {
		return nil, true, fmt.Errorf("%s: %w", pulumiType, err)
	}
	var schema struct {
		CreateOnly []string `json:"createOnlyProperties"`
	}
	if err := json.Unmarshal(data, &schema); err != nil {
		return nil, true, fmt.Errorf("%s: %w", t.schema, err)
	}
	for _, p := range schema.CreateOnly {
		parts := strings.Split(strings.TrimPrefix(p, "/properties/"), "/")
		for i, part := range parts {
			if to, ok := t.renames[part]; ok && i == 0 {
				parts[i] = to
				continue
			}
			r := []rune(part)
			r[0] = unicode.ToLower(r[0])
			parts[i] = string(r)
		}
		inputs = append(inputs, strings.Join(parts, "."))
	}
	return inputs, true, nil
}
