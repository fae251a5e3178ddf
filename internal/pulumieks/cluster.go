// Package pulumieks knows what pulumi-eks creates inside its components, which the recording
// mocks never see: eks:index:Cluster is a remote component whose children the eks plugin
// registers at deploy time. The policy pack sees those children in a real preview; the offline
// check (internal/plan) judges them through ClusterChildren, so that its verdict is the one a
// real `pulumi preview --policy-pack policies` gives.
//
// It is pure: it imports only the resource model.
package pulumieks

import (
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/openwan/openwan-infra/internal/model"
)

// Version is the pulumi-eks release ClusterChildren models; go.mod pins the same SDK.
const Version = "v2.8.1"

// modelled are the eks:index:Cluster inputs that decide which children exist, with the only values
// ClusterChildren models. Another value, or another input that adds children (storageClasses,
// fargate, deployDashboard, instanceRole), is refused rather than guessed at.
var modelled = map[string]any{
	"skipDefaultNodeGroup": true,                 // cluster.ts:1938, no launch configuration nor CloudFormation stack
	"useDefaultVpcCni":     true,                 // cluster.ts:905, no eks:index:VpcCni (the add-on owns the CNI)
	"createOidcProvider":   true,                 // cluster.ts:1033
	"authenticationMode":   "API_AND_CONFIG_MAP", // authenticationMode.ts:102, the aws-auth ConfigMap
}

// addsChildren are inputs that would add children ClusterChildren does not model.
var addsChildren = []string{
	"storageClasses", "fargate", "deployDashboard", "instanceRole", "accessEntries", "roleMappings",
	"userMappings", "creationRoleProvider", "nodeGroupOptions",
}

// ClusterChildren returns the resources pulumi-eks v2.8.1 creates inside cluster, an
// eks:index:Cluster as the program declares it, with the inputs that matter to the policy rules.
// Each child names the line of pulumi-eks's nodejs/eks source (at tag v2.8.1) that creates it.
// Values only the deployment knows (ids, ARNs, the OIDC thumbprint) are model.Unknown.
func ClusterChildren(cluster model.Resource) ([]model.Resource, error) {
	if cluster.Type != model.TypePulumiEKSCluster {
		return nil, fmt.Errorf("%s is a %s, not a %s", cluster.URN, cluster.Type, model.TypePulumiEKSCluster)
	}
	var errs []error
	for key, want := range modelled {
		if got := cluster.Inputs[key]; got != want {
			errs = append(errs, fmt.Errorf("%s: input %s is %v; the model of pulumi-eks %s's children knows only %v", cluster.URN, key, got, Version, want))
		}
	}
	for _, key := range addsChildren {
		if _, ok := cluster.Inputs[key]; ok {
			errs = append(errs, fmt.Errorf("%s: input %s adds children the model of pulumi-eks %s does not know", cluster.URN, key, Version))
		}
	}
	for _, key := range tagInputs {
		switch v := cluster.Inputs[key]; v.(type) {
		case nil, map[string]any:
		default:
			if v != model.Unknown && v != model.Secret {
				errs = append(errs, fmt.Errorf("%s: input %s is %v, not a map of tags", cluster.URN, key, v))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	n, in := cluster.Name, cluster.Inputs
	b := builder{parent: cluster}
	role := b.add(b.parent, model.TypePulumiEKSServiceRole, n+"-eksRole", false, map[string]any{ // cluster.ts:497
		"service": "eks.amazonaws.com", "description": "Allows EKS to manage clusters on your behalf.",
		"managedPolicyArns": []any{map[string]any{"id": "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"}},
	})
	roleInputs := map[string]any{ // servicerole.ts:82
		"description":      "Allows EKS to manage clusters on your behalf.",
		"assumeRolePolicy": `{"Version":"2012-10-17","Statement":[{"Action":["sts:AssumeRole"],"Effect":"Allow","Principal":{"Service":["eks.amazonaws.com"]}}]}`,
	}
	// The Cluster's `tags` as they are, and nothing of pulumi-eks's own: cluster.ts:508 passes
	// `tags: args.tags` to the ServiceRole, servicerole.ts:87 `tags: args.tags` to the role.
	if _, ok := in["tags"]; ok {
		roleInputs["tags"] = mergeTags(nil, in["tags"])
	}
	b.add(role, model.TypeIAMRole, n+"-eksRole-role", true, roleInputs)
	// The suffix is sha1 of the policy's ARN, first 8 hex digits (servicerole.ts:20, 96).
	b.add(role, model.TypeIAMRolePolicyAttachment, n+"-eksRole-4b490823", true, map[string]any{
		"policyArn": "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy", "role": model.Unknown,
	})
	clusterSG := b.add(b.parent, model.TypeEC2SecurityGroup, n+"-eksClusterSecurityGroup", true, map[string]any{ // cluster.ts:519
		"vpcId": in["vpcId"], "revokeRulesOnDelete": true,
		// cluster.ts:524-530: {Name, ...clusterSecurityGroupTags, ...tags}; `tags` wins any clash.
		"tags": mergeTags(map[string]any{"Name": n + "-eksClusterSecurityGroup"}, in["clusterSecurityGroupTags"], in["tags"]),
	})
	b.add(b.parent, model.TypeEC2SecurityGroupRule, n+"-eksClusterInternetEgressRule", true, map[string]any{ // cluster.ts:536
		"description": "Allow internet access.", "type": "egress", "fromPort": 0.0, "toPort": 0.0, "protocol": "-1",
		"cidrBlocks": []any{"0.0.0.0/0"}, "securityGroupId": clusterSG.URN,
	})
	vpcConfig := map[string]any{
		"securityGroupIds":      []any{clusterSG.URN},
		"subnetIds":             concat(in["publicSubnetIds"], in["privateSubnetIds"]), // cluster.ts:484
		"endpointPrivateAccess": in["endpointPrivateAccess"],
		"endpointPublicAccess":  in["endpointPublicAccess"],
	}
	if cidrs, ok := in["publicAccessCidrs"]; ok {
		vpcConfig["publicAccessCidrs"] = cidrs
	}
	eksCluster := map[string]any{ // cluster.ts:586
		"name": in["name"], "version": in["version"], "roleArn": model.Unknown, "vpcConfig": vpcConfig,
		"enabledClusterLogTypes": in["enabledClusterLogTypes"],
		// cluster.ts:601-607: {Name, ...clusterTags, ...tags}; `tags` wins any clash.
		"tags": mergeTags(map[string]any{"Name": n + "-eksCluster"}, in["clusterTags"], in["tags"]),
		"accessConfig": map[string]any{
			"authenticationMode": in["authenticationMode"], "bootstrapClusterCreatorAdminPermissions": true,
		},
	}
	if key, ok := in["encryptionConfigKeyArn"]; ok { // cluster.ts:557
		eksCluster["encryptionConfig"] = map[string]any{"provider": map[string]any{"keyArn": key}, "resources": []any{"secrets"}}
	}
	b.add(b.parent, model.TypeEKSCluster, n+"-eksCluster", true, eksCluster)
	b.add(b.parent, model.TypeKubernetesProvider, n+"-eks-k8s", true, map[string]any{"kubeconfig": model.Unknown}) // cluster.ts:739
	b.add(b.parent, model.TypeK8sConfigMap, n+"-nodeAccess", true, map[string]any{                                 // cluster.ts:830
		"apiVersion": "v1", "kind": "ConfigMap", "immutable": false,
		"metadata": map[string]any{
			"name": "aws-auth", "namespace": "kube-system", "annotations": map[string]any{"pulumi.com/patchForce": "true"},
		},
		// authenticationMode.ts:221: each instance role as a node, never system:masters.
		"data": map[string]any{"mapRoles": model.Unknown},
	})
	b.add(b.parent, model.TypeIAMOIDCProvider, n+"-oidcProvider", true, map[string]any{ // cluster.ts:1043
		"clientIdLists": []any{"sts.amazonaws.com"}, "url": model.Unknown, "thumbprintLists": []any{model.Unknown},
	})
	// The node security group and its rules exist even with skipDefaultNodeGroup (cluster.ts:1919
	// calls securitygroup.ts:101 unconditionally); managed node groups do not use it.
	// Its tags: cluster.ts:1925-1929 passes {...nodeSecurityGroupTags, ...tags}, which
	// securitygroup.ts:106-111 spreads last over {Name, kubernetes.io/cluster/<the aws.eks.Cluster's
	// name>: owned}; `tags` wins any clash, then nodeSecurityGroupTags.
	nodeSGTags := any(model.Unknown) // an auto-named cluster's name is known only once it exists
	if name, ok := in["name"].(string); ok && name != model.Unknown {
		nodeSGTags = mergeTags(map[string]any{"Name": n + "-nodeSecurityGroup", "kubernetes.io/cluster/" + name: "owned"},
			in["nodeSecurityGroupTags"], in["tags"])
	}
	nodeSG := b.add(b.parent, model.TypeEC2SecurityGroup, n+"-nodeSecurityGroup", true, map[string]any{
		"vpcId": in["vpcId"], "revokeRulesOnDelete": true, "tags": nodeSGTags,
	})
	rule := func(name, description, kind, protocol string, from, to float64, extra map[string]any) {
		inputs := map[string]any{
			"description": description, "type": kind, "protocol": protocol, "fromPort": from, "toPort": to,
		}
		for k, v := range extra {
			inputs[k] = v
		}
		b.add(b.parent, model.TypeEC2SecurityGroupRule, n+"-"+name, true, inputs)
	}
	rule("eksNodeIngressRule", "Allow nodes to communicate with each other", "ingress", "-1", 0, 0, // securitygroup.ts:118
		map[string]any{"securityGroupId": nodeSG.URN, "self": true})
	rule("eksNodeClusterIngressRule", "Allow worker Kubelets and pods to receive communication from the cluster control plane", // securitygroup.ts:132
		"ingress", "tcp", 1025, 65535, map[string]any{"securityGroupId": nodeSG.URN, "sourceSecurityGroupId": clusterSG.URN})
	rule("eksExtApiServerClusterIngressRule", "Allow pods running extension API servers on port 443 to receive communication from cluster control plane", // securitygroup.ts:147
		"ingress", "tcp", 443, 443, map[string]any{"securityGroupId": nodeSG.URN, "sourceSecurityGroupId": clusterSG.URN})
	rule("eksNodeInternetEgressRule", "Allow internet access.", "egress", "-1", 0, 0, // securitygroup.ts:162
		map[string]any{"securityGroupId": nodeSG.URN, "cidrBlocks": []any{"0.0.0.0/0"}})
	rule("eksClusterIngressRule", "Allow pods to communicate with the cluster API Server", "ingress", "tcp", 443, 443, // securitygroup.ts:176
		map[string]any{"securityGroupId": clusterSG.URN, "sourceSecurityGroupId": nodeSG.URN})
	b.add(b.parent, model.TypeKubernetesProvider, n+"-provider", true, map[string]any{"kubeconfig": model.Unknown}) // cluster.ts:1964
	return b.out, nil
}

// tagInputs are the eks:index:Cluster inputs pulumi-eks v2.8.1 copies onto the tags of the
// children ClusterChildren models (the role, both security groups, the aws.eks.Cluster).
var tagInputs = []string{"tags", "clusterSecurityGroupTags", "clusterTags", "nodeSecurityGroupTags"}

// mergeTags is pulumi-eks's pulumi.all([...]).apply(... => ({...base, ...a, ...b})): a fresh map
// of base's keys, then each map's in turn, a later key replacing an earlier one; an absent input
// spreads nothing. An input that is, or holds, a value only the deployment knows leaves the whole
// apply unknown, and a secret one the whole result secret, as the engine records them.
func mergeTags(base map[string]any, inputs ...any) any {
	secret := false
	for _, in := range inputs {
		values := []any{in}
		if m, ok := in.(map[string]any); ok {
			values = values[:0]
			for _, v := range m {
				values = append(values, v)
			}
		}
		for _, v := range values {
			switch v {
			case model.Unknown:
				return model.Unknown
			case model.Secret:
				secret = true
			}
		}
	}
	if secret {
		return model.Secret
	}
	out := maps.Clone(base)
	if out == nil {
		out = map[string]any{}
	}
	for _, in := range inputs {
		if m, ok := in.(map[string]any); ok {
			maps.Copy(out, m)
		}
	}
	return out
}

// builder names children the way the engine does: a child's URN carries its parents' types.
type builder struct {
	parent model.Resource
	out    []model.Resource
}

// add records a child. An input that holds a sibling's URN depends on it, as an output passed
// from one resource to another does: the rules find a rule's security group that way.
func (b *builder) add(parent model.Resource, typ, name string, custom bool, inputs map[string]any) model.Resource {
	r := model.Resource{URN: childURN(parent.URN, typ, name), Type: typ, Name: name, Parent: parent.URN, Custom: custom, Inputs: inputs}
	for key, v := range inputs {
		if urns := urnsIn(v); len(urns) > 0 {
			if r.PropertyDependencies == nil {
				r.PropertyDependencies = map[string][]string{}
			}
			r.PropertyDependencies[key] = urns
		}
	}
	b.out = append(b.out, r)
	return r
}

// urnsIn returns the URNs anywhere in an input value.
func urnsIn(v any) []string {
	switch v := v.(type) {
	case string:
		if strings.HasPrefix(v, "urn:pulumi:") {
			return []string{v}
		}
	case []any:
		var out []string
		for _, item := range v {
			out = append(out, urnsIn(item)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, item := range v {
			out = append(out, urnsIn(item)...)
		}
		return out
	}
	return nil
}

// childURN is urn:pulumi:STACK::PROJECT::PARENT-TYPES$TYPE::NAME.
func childURN(parent, typ, name string) string {
	parts := strings.SplitN(parent, "::", 4)
	if len(parts) != 4 {
		return parent + "$" + typ + "::" + name
	}
	return parts[0] + "::" + parts[1] + "::" + parts[2] + "$" + typ + "::" + name
}

func concat(lists ...any) []any {
	var out []any
	for _, l := range lists {
		if items, ok := l.([]any); ok {
			out = append(out, items...)
		}
	}
	return out
}
