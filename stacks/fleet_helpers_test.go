package stacks_test

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The type tokens the tests read.
const (
	alarmType      = "aws:cloudwatch/metricAlarm:MetricAlarm"
	groupType      = "aws:autoscaling/group:Group"
	policyType     = "aws:autoscaling/policy:Policy"
	scheduleType   = "aws:autoscaling/schedule:Schedule"
	launchTplType  = "aws:ec2/launchTemplate:LaunchTemplate"
	sgType         = "aws:ec2/securityGroup:SecurityGroup"
	sgRuleType     = "aws:ec2/securityGroupRule:SecurityGroupRule"
	listenerType   = "aws:lb/listener:Listener"
	hookType       = "aws:autoscaling/lifecycleHook:LifecycleHook"
	rolePolicyType = "aws:iam/rolePolicy:RolePolicy"
)

// topicARN is the alerts topic the tests wire in.
var topicARN = pulumi.String("arn:aws:sns:us-east-1:123456789012:alerts")
