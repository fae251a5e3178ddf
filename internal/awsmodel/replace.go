package awsmodel

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
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
	"aws:ec2/vpc:Vpc":                                     {"ec2/vpc", nil},
	"aws:ec2/subnet:Subnet":                               {"ec2/subnet", nil},
	"aws:ec2/routeTable:RouteTable":                       {"ec2/routetable", nil},
	"aws:ec2/routeTableAssociation:RouteTableAssociation": {"ec2/subnetroutetableassociation", nil},
	"aws:ec2/natGateway:NatGateway":                       {"ec2/natgateway", nil},
	"aws:ec2/eip:Eip":                                     {"ec2/eip", nil},
	"aws:ec2/securityGroup:SecurityGroup":                 {"ec2/securitygroup", map[string]string{"GroupDescription": "description", "GroupName": "name"}},
	"aws:ec2/securityGroupRule:SecurityGroupRule": {"ec2/securitygroupingress", map[string]string{
		"GroupId": "securityGroupId", "IpProtocol": "protocol", "CidrIp": "cidrBlocks", "CidrIpv6": "ipv6CidrBlocks",
	}},
	"aws:ec2/vpcEndpoint:VpcEndpoint":                     {"ec2/vpcendpoint", nil},
	"aws:ec2/launchTemplate:LaunchTemplate":               {"ec2/launchtemplate", map[string]string{"LaunchTemplateName": "name"}},
	"aws:autoscaling/group:Group":                         {"autoscaling/autoscalinggroup", map[string]string{"AutoScalingGroupName": "name"}},
	"aws:autoscaling/lifecycleHook:LifecycleHook":         {"autoscaling/lifecyclehook", map[string]string{"AutoScalingGroupName": "autoscalingGroupName", "LifecycleHookName": "name"}},
	"aws:autoscaling/schedule:Schedule":                   {"autoscaling/scheduledaction", map[string]string{"AutoScalingGroupName": "autoscalingGroupName"}},
	"aws:autoscaling/policy:Policy":                       {"autoscaling/scalingpolicy", map[string]string{"AutoScalingGroupName": "autoscalingGroupName"}},
	"aws:cloudwatch/metricAlarm:MetricAlarm":              {"cloudwatch/alarm", map[string]string{"AlarmName": "name"}},
	"aws:cloudwatch/dashboard:Dashboard":                  {"cloudwatch/dashboard", nil},
	"aws:cloudwatch/logGroup:LogGroup":                    {"logs/loggroup", map[string]string{"LogGroupName": "name"}},
	"aws:cloudwatch/eventRule:EventRule":                  {"events/rule", nil},
	"aws:eks/nodeGroup:NodeGroup":                         {"eks/nodegroup", map[string]string{"NodegroupName": "nodeGroupName", "NodeRole": "nodeRoleArn", "Subnets": "subnetIds"}},
	"aws:eks/addon:Addon":                                 {"eks/addon", nil},
	"aws:eks/cluster:Cluster":                             {"eks/cluster", nil},
	"aws:eks/accessEntry:AccessEntry":                     {"eks/accessentry", nil},
	"aws:iam/role:Role":                                   {"iam/role", map[string]string{"RoleName": "name"}},
	"aws:iam/rolePolicy:RolePolicy":                       {"iam/rolepolicy", map[string]string{"PolicyName": "name", "RoleName": "role"}},
	"aws:iam/instanceProfile:InstanceProfile":             {"iam/instanceprofile", map[string]string{"InstanceProfileName": "name"}},
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider": {"iam/oidcprovider", nil},
	"aws:kms/key:Key":                                     {"kms/key", nil},
	"aws:sns/topic:Topic":                                 {"sns/topic", map[string]string{"TopicName": "name"}},
	"aws:sns/topicSubscription:TopicSubscription":         {"sns/subscription", map[string]string{"TopicArn": "topic"}},
	"aws:lb/loadBalancer:LoadBalancer":                    {"elasticloadbalancingv2/loadbalancer", map[string]string{"Type": "loadBalancerType", "Scheme": "internal"}},
	"aws:lb/targetGroup:TargetGroup":                      {"elasticloadbalancingv2/targetgroup", nil},
	"aws:lb/listener:Listener":                            {"elasticloadbalancingv2/listener", nil},
	"aws:budgets/budget:Budget":                           {"budgets/budget", map[string]string{"NotificationsWithSubscribers": "notifications"}},
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
