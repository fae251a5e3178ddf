package awsmodel

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/openwan/openwan-infra/internal/model"
)

// Call is one AWS API call a resource's create makes, with its input as the API spells it.
type Call struct {
	// Service is the API model's name (autoscaling, ec2, monitoring, ...).
	Service string
	// Operation is the API operation (CreateAutoScalingGroup, ...).
	Operation string
	// Input is the operation's input.
	Input map[string]any
}

// The mappings from a resource's inputs to its API calls are hand-written, one per resource
// type, and not one to one in these ways, said here once:
//   - Names the provider generates (an autonamed group, alarm, role) are not in the plan: the
//     mapping uses the logical name with the 7-character suffix Pulumi's autonaming adds.
//   - IDs and ARNs of other resources are the mocks' ("openwan-id", "arn:aws:mock:..."); a model
//     pattern for an ID cannot judge them, so such members are given as model.Unknown, as a
//     preview has them.
//   - One resource may make several calls (a group: CreateAutoScalingGroup, PutWarmPool,
//     EnableMetricsCollection; a VPC: CreateVpc, ModifyVpcAttribute), each judged.
//   - The Terraform provider spells some numbers and booleans as strings (a step's bounds, a
//     launch template's "true"); the mapping converts them as the provider does before calling.
//   - Tags become the API's tag lists; a few inputs are provider-only (a group's
//     ignore lists, forceDelete) and make no call.

// Mappings are the resource types the judge knows, each with the calls its create makes.
func Mappings() map[string]func(model.Resource) []Call {
	return map[string]func(model.Resource) []Call{
		"aws:autoscaling/group:Group":                             autoscalingGroup,
		"aws:autoscaling/lifecycleHook:LifecycleHook":             lifecycleHook,
		"aws:autoscaling/schedule:Schedule":                       schedule,
		"aws:autoscaling/policy:Policy":                           scalingPolicy,
		"aws:autoscaling/notification:Notification":               notification,
		"aws:ec2/launchTemplate:LaunchTemplate":                   launchTemplate,
		"aws:ec2/vpc:Vpc":                                         vpc,
		"aws:ec2/subnet:Subnet":                                   subnet,
		"aws:ec2/eip:Eip":                                         eip,
		"aws:ec2/natGateway:NatGateway":                           natGateway,
		"aws:ec2/internetGateway:InternetGateway":                 internetGateway,
		"aws:ec2/routeTable:RouteTable":                           routeTable,
		"aws:ec2/routeTableAssociation:RouteTableAssociation":     routeTableAssociation,
		"aws:ec2/securityGroup:SecurityGroup":                     securityGroup,
		"aws:ec2/securityGroupRule:SecurityGroupRule":             securityGroupRule,
		"aws:ec2/vpcEndpoint:VpcEndpoint":                         vpcEndpoint,
		"aws:cloudwatch/metricAlarm:MetricAlarm":                  metricAlarm,
		"aws:cloudwatch/dashboard:Dashboard":                      dashboard,
		"aws:cloudwatch/eventRule:EventRule":                      eventRule,
		"aws:cloudwatch/eventTarget:EventTarget":                  eventTarget,
		"aws:cloudwatch/logGroup:LogGroup":                        logGroup,
		"aws:budgets/budget:Budget":                               budget,
		"aws:eks/addon:Addon":                                     eksAddon,
		"aws:eks/nodeGroup:NodeGroup":                             eksNodeGroup,
		"aws:eks/cluster:Cluster":                                 eksCluster,
		"aws:eks/accessEntry:AccessEntry":                         eksAccessEntry,
		"aws:eks/accessPolicyAssociation:AccessPolicyAssociation": eksAccessPolicyAssociation,
		"eks:index:Cluster":                                       pulumiEKSCluster,
		"aws:sns/topic:Topic":                                     snsTopic,
		"aws:sns/topicPolicy:TopicPolicy":                         snsTopicPolicy,
		"aws:sns/topicSubscription:TopicSubscription":             snsSubscription,
		"aws:kms/key:Key":                                         kmsKey,
		"aws:iam/role:Role":                                       iamRole,
		"aws:iam/rolePolicy:RolePolicy":                           iamRolePolicy,
		"aws:iam/rolePolicyAttachment:RolePolicyAttachment":       iamRolePolicyAttachment,
		"aws:iam/instanceProfile:InstanceProfile":                 iamInstanceProfile,
		"aws:iam/openIdConnectProvider:OpenIdConnectProvider":     iamOIDCProvider,
		"aws:lb/loadBalancer:LoadBalancer":                        loadBalancer,
		"aws:lb/targetGroup:TargetGroup":                          targetGroup,
		"aws:lb/listener:Listener":                                listener,
	}
}

// NotAWS reports a type the judge leaves alone because no AWS API takes it: Kubernetes objects,
// providers, components, pulumi-eks's local components.
func NotAWS(r model.Resource) bool {
	return !r.Custom && r.Type != "eks:index:Cluster" ||
		strings.HasPrefix(r.Type, "kubernetes:") || strings.HasPrefix(r.Type, "pulumi:providers:") ||
		r.Type == "eks:index:ServiceRole"
}

// obj is an API input under construction.
type obj = map[string]any

// set copies the named inputs of in to out under the API's names, when present.
func set(out obj, in map[string]any, names map[string]string) obj {
	for from, to := range names {
		if v, ok := in[from]; ok {
			out[to] = v
		}
	}
	return out
}

// physical is the resource's name in AWS: the given input, or the autonamed logical name.
func physical(r model.Resource, input string) any {
	if v, ok := r.Inputs[input]; ok {
		return v
	}
	return r.Name + "-1a2b3c4"
}

// ref is another resource's ID or ARN: the mocks' stand-ins are unknown to AWS's patterns.
func ref(in map[string]any, key string) any {
	if _, ok := in[key]; !ok {
		return nil
	}
	return model.Unknown
}

func refs(in map[string]any, key string) any {
	l, _ := in[key].([]any)
	out := make([]any, len(l))
	for i := range l {
		out[i] = model.Unknown
	}
	return out
}

// pascal turns an input's camelCase keys, recursively, into the API's PascalCase ones.
func pascal(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			r := []rune(k)
			r[0] = unicode.ToUpper(r[0])
			out[string(r)] = pascal(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = pascal(e)
		}
		return out
	}
	return v
}

// number is a number the provider spells as a string ("100"), as the API takes it.
func number(v any) any {
	if s, ok := v.(string); ok && !isPlaceholder(s) {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	}
	return v
}

// boolean is a tri-state the provider spells as a string ("true").
func boolean(v any) any {
	if s, ok := v.(string); ok && !isPlaceholder(s) {
		if b, err := strconv.ParseBool(s); err == nil {
			return b
		}
	}
	return v
}

// dims is a map of dimensions as the API's list of {Name, Value}.
func dims(v any, name, value string) []any {
	m, _ := v.(map[string]any)
	var out []any
	for _, k := range sortedKeys(m) {
		out = append(out, map[string]any{name: k, value: m[k]})
	}
	return out
}

// tagList is a tags map as the API's list of {Key, Value}.
func tagList(v any) []any { return dims(v, "Key", "Value") }

func objects(v any) []map[string]any {
	l, _ := v.([]any)
	var out []map[string]any
	for _, e := range l {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func get(m map[string]any, key string) map[string]any {
	v, _ := m[key].(map[string]any)
	return v
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func joinStrings(v any, sep string) any {
	l, _ := v.([]any)
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = fmt.Sprint(e)
	}
	return strings.Join(parts, sep)
}
