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
		model.TypeAutoscalingGroup:           autoscalingGroup,
		model.TypeAutoscalingLifecycleHook:   lifecycleHook,
		model.TypeAutoscalingSchedule:        schedule,
		model.TypeAutoscalingPolicy:          scalingPolicy,
		model.TypeAutoscalingNotification:    notification,
		model.TypeEC2LaunchTemplate:          launchTemplate,
		model.TypeEC2VPC:                     vpc,
		model.TypeEC2Subnet:                  subnet,
		model.TypeEC2EIP:                     eip,
		model.TypeEC2NATGateway:              natGateway,
		model.TypeEC2InternetGateway:         internetGateway,
		model.TypeEC2RouteTable:              routeTable,
		model.TypeEC2RouteTableAssociation:   routeTableAssociation,
		model.TypeEC2SecurityGroup:           securityGroup,
		model.TypeEC2SecurityGroupRule:       securityGroupRule,
		model.TypeEC2VPCEndpoint:             vpcEndpoint,
		model.TypeCloudWatchMetricAlarm:      metricAlarm,
		model.TypeCloudWatchDashboard:        dashboard,
		model.TypeCloudWatchEventRule:        eventRule,
		model.TypeCloudWatchEventTarget:      eventTarget,
		model.TypeCloudWatchLogGroup:         logGroup,
		model.TypeBudget:                     budget,
		model.TypeEKSAddon:                   eksAddon,
		model.TypeEKSNodeGroup:               eksNodeGroup,
		model.TypeEKSCluster:                 eksCluster,
		model.TypeEKSAccessEntry:             eksAccessEntry,
		model.TypeEKSAccessPolicyAssociation: eksAccessPolicyAssociation,
		model.TypePulumiEKSCluster:           pulumiEKSCluster,
		model.TypeSNSTopic:                   snsTopic,
		model.TypeSNSTopicPolicy:             snsTopicPolicy,
		model.TypeSNSTopicSubscription:       snsSubscription,
		model.TypeKMSKey:                     kmsKey,
		model.TypeIAMRole:                    iamRole,
		model.TypeIAMRolePolicy:              iamRolePolicy,
		model.TypeIAMRolePolicyAttachment:    iamRolePolicyAttachment,
		model.TypeIAMInstanceProfile:         iamInstanceProfile,
		model.TypeIAMOIDCProvider:            iamOIDCProvider,
		model.TypeLBLoadBalancer:             loadBalancer,
		model.TypeLBTargetGroup:              targetGroup,
		model.TypeLBListener:                 listener,
	}
}

// NotAWS reports a type the judge leaves alone because no AWS API takes it: Kubernetes objects,
// providers, components, pulumi-eks's local components.
func NotAWS(r model.Resource) bool {
	return !r.Custom && r.Type != model.TypePulumiEKSCluster ||
		strings.HasPrefix(r.Type, "kubernetes:") || strings.HasPrefix(r.Type, "pulumi:providers:") ||
		r.Type == model.TypePulumiEKSServiceRole
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
