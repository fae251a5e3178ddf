package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/openwan/openwan-infra/internal/model"
)

var imdsv2Required = Rule{
	Name:        "imdsv2-required",
	Description: "Launch templates and node groups require IMDSv2 tokens, with a response hop limit of at most `maxHopLimit`.",
	Why:         "IMDSv1 hands instance credentials to any SSRF; a hop limit of 1 keeps them from containers on a bridge network.",
	Level:       Mandatory,
	Params: map[string]Param{
		"maxHopLimit": {Description: "highest allowed httpPutResponseHopLimit (hops)", Default: 1.0},
	},
	Check: func(r model.Resource, p Params) []string {
		switch r.Type {
		case model.TypeEC2LaunchTemplate:
			var out []string
			if tokens, _ := str(r.Inputs, "metadataOptions.httpTokens"); tokens != "required" {
				out = append(out, fmt.Sprintf("%s: metadataOptions.httpTokens is %q, not \"required\"; require IMDSv2 (openwan:ec2.metadata.httpTokens)", label(r), tokens))
			}
			hops, ok := num(r.Inputs, "metadataOptions.httpPutResponseHopLimit")
			if max := p.Number("maxHopLimit"); !ok || hops > max {
				shown := "unset (AWS default 1, or 2 on some AMIs)"
				if ok {
					shown = fmtNum(hops)
				}
				out = append(out, fmt.Sprintf("%s: metadataOptions.httpPutResponseHopLimit is %s, above %s; set it to %s (openwan:ec2.metadata.hopLimit)", label(r), shown, fmtNum(max), fmtNum(max)))
			}
			return out
		case model.TypePulumiEKSManagedNodeGroup:
			// pulumi-eks v2.8.1 builds this group's launch template inside the component with
			// httpPutResponseHopLimit 2 (nodejs/eks/nodegroup.ts), where no rule can see it.
			return []string{fmt.Sprintf("%s: pulumi-eks's ManagedNodeGroup makes its own launch template (hop limit 2, out of the plan's sight); "+
				"declare aws:eks/nodeGroup:NodeGroup with a launch template that requires IMDSv2 with %s hop", label(r), fmtNum(p.Number("maxHopLimit")))}
		case model.TypeEKSNodeGroup:
			if !declared(r.Inputs, "launchTemplate") {
				return []string{fmt.Sprintf("%s: no launch template, so EKS's default one sets the metadata options; run a launch template that requires IMDSv2", label(r))}
			}
		}
		return nil
	},
}

var encryptedVolumes = Rule{
	Name:        "encrypted-volumes",
	Description: "Every EBS volume of a launch template is encrypted, and every EKS node group runs such a template.",
	Why:         "Media and credentials land on the root volume (temp files, container layers); unencrypted they leave with every snapshot.",
	Level:       Mandatory,
	Check: func(r model.Resource, _ Params) []string {
		switch r.Type {
		case model.TypePulumiEKSManagedNodeGroup:
			// Its launch template's root volume sets no `encrypted` (pulumi-eks v2.8.1 nodegroup.ts).
			return []string{fmt.Sprintf("%s: pulumi-eks's ManagedNodeGroup gives its nodes a root volume encrypted only if the account encrypts by default; "+
				"declare aws:eks/nodeGroup:NodeGroup with a launch template whose volume is encrypted", label(r))}
		case model.TypeEKSNodeGroup:
			if !declared(r.Inputs, "launchTemplate") {
				return []string{fmt.Sprintf("%s: no launch template, so its root volume is encrypted only if the account encrypts by default; run a launch template whose volume is encrypted", label(r))}
			}
			return nil
		case model.TypeEC2LaunchTemplate:
		default:
			return nil
		}
		var out []string
		for _, bd := range objects(r.Inputs, "blockDeviceMappings") {
			if _, ok := at(bd, "ebs"); !ok {
				continue
			}
			if enc, ok := boolean(bd, "ebs.encrypted"); !ok || !enc {
				dev, _ := str(bd, "deviceName")
				out = append(out, fmt.Sprintf("%s: volume %s is not encrypted; set ebs.encrypted \"true\"", label(r), dev))
			}
		}
		return out
	},
}

// awsManagedSNSKey is the AWS-managed SNS key's alias, as a topic names it (alone or in an ARN).
const awsManagedSNSKey = "alias/aws/sns"

var snsTopicEncrypted = Rule{
	Name:        "sns-topic-encrypted",
	Description: "Every SNS topic is encrypted with a customer-managed KMS key (kmsMasterKeyId).",
	Why: "Alerts name hosts, groups and errors and should not rest in clear text; and CloudWatch alarms and Auto Scaling cannot publish to " +
		"a topic under the AWS-managed alias/aws/sns key, whose policy admits neither.",
	Level: Mandatory,
	Check: func(r model.Resource, _ Params) []string {
		if r.Type != model.TypeSNSTopic {
			return nil
		}
		// A key created in the same preview is unknown yet, and still a key.
		if !declared(r.Inputs, "kmsMasterKeyId") {
			return []string{fmt.Sprintf("%s: not encrypted; set kmsMasterKeyId to a customer-managed KMS key whose policy lets its publishers use it", label(r))}
		}
		if key, _ := str(r.Inputs, "kmsMasterKeyId"); strings.HasSuffix(key, awsManagedSNSKey) {
			return []string{fmt.Sprintf("%s: encrypted with the AWS-managed %s, to which CloudWatch alarms and Auto Scaling cannot publish; use a customer-managed key", label(r), key)}
		}
		return nil
	},
}

var noPublicIP = Rule{
	Name:        "no-public-ip",
	Description: "App instances and nodes get no public IP address.",
	Why:         "Instances live in private subnets behind the load balancer; a public address is a way in that bypasses it.",
	Level:       Mandatory,
	Check: func(r model.Resource, _ Params) []string {
		switch r.Type {
		case model.TypeEC2LaunchTemplate:
			var out []string
			for i, ni := range objects(r.Inputs, "networkInterfaces") {
				if pub, ok := boolean(ni, "associatePublicIpAddress"); ok && pub {
					out = append(out, fmt.Sprintf("%s: networkInterfaces[%d].associatePublicIpAddress is true; set it \"false\" and use private subnets", label(r), i))
				}
			}
			return out
		case model.TypePulumiEKSCluster:
			if pub, ok := boolean(r.Inputs, "nodeAssociatePublicIpAddress"); !ok || pub {
				return []string{fmt.Sprintf("%s: nodeAssociatePublicIpAddress is not false; set it false so nodes get no public IP", label(r))}
			}
		}
		return nil
	},
}

// worldCIDRs are the "anywhere" ranges.
var worldCIDRs = []string{"0.0.0.0/0", "::/0"}

// openIngress is one ingress rule open to the world: the security group it belongs to and its ports.
type openIngress struct {
	source   model.Resource // the resource that declares the rule
	groupURN string         // the security group it opens (the source itself for inline rules)
	from, to float64
	protocol string
}

func (s *Stack) openIngresses() []openIngress {
	var out []openIngress
	world := func(cidrs ...string) bool {
		return slices.ContainsFunc(cidrs, func(c string) bool { return slices.Contains(worldCIDRs, c) })
	}
	groupOf := func(r model.Resource, key string) string {
		if gs := s.DependedOn(r, key, model.TypeEC2SecurityGroup); len(gs) > 0 {
			return gs[0].URN
		}
		return ""
	}
	for _, r := range s.Resources() {
		switch r.Type {
		case model.TypeEC2SecurityGroup:
			for _, in := range objects(r.Inputs, "ingress") {
				if world(append(strs(in, "cidrBlocks"), strs(in, "ipv6CidrBlocks")...)...) {
					out = append(out, ingressOf(r, r.URN, in, "fromPort", "toPort"))
				}
			}
		case model.TypeEC2SecurityGroupRule:
			if t, _ := str(r.Inputs, "type"); t == "ingress" && world(append(strs(r.Inputs, "cidrBlocks"), strs(r.Inputs, "ipv6CidrBlocks")...)...) {
				out = append(out, ingressOf(r, groupOf(r, "securityGroupId"), r.Inputs, "fromPort", "toPort"))
			}
		case model.TypeVPCSecurityGroupIngressRule:
			v4, _ := str(r.Inputs, "cidrIpv4")
			v6, _ := str(r.Inputs, "cidrIpv6")
			if world(v4, v6) {
				out = append(out, ingressOf(r, groupOf(r, "securityGroupId"), r.Inputs, "fromPort", "toPort"))
			}
		}
	}
	return out
}

func ingressOf(r model.Resource, group string, m map[string]any, fromKey, toKey string) openIngress {
	from, _ := num(m, fromKey)
	to, _ := num(m, toKey)
	proto, _ := str(m, "protocol")
	if proto == "" {
		proto, _ = str(m, "ipProtocol")
	}
	return openIngress{source: r, groupURN: group, from: from, to: to, protocol: proto}
}

var noOpenIngress = Rule{
	Name:        "no-open-ingress",
	Description: "No security group is open to 0.0.0.0/0 or ::/0, except a load balancer's on the public ports.",
	Why:         "Only the load balancer faces the internet; every other group admits traffic from named security groups.",
	Level:       Mandatory,
	Params: map[string]Param{
		"publicPorts": {Description: "TCP ports a load balancer may open to the world", Default: []any{80.0, 443.0}},
	},
	CheckStack: func(s *Stack, p Params) []Finding {
		lbGroups := map[string]bool{}
		for _, lb := range s.OfType(model.TypeLBLoadBalancer) {
			for _, g := range s.DependedOn(lb, "securityGroups", model.TypeEC2SecurityGroup) {
				lbGroups[g.URN] = true
			}
		}
		ports := p.Numbers("publicPorts")
		var out []Finding
		for _, in := range s.openIngresses() {
			portOK := in.from == in.to && slices.Contains(ports, in.from) && strings.EqualFold(in.protocol, "tcp")
			switch {
			case !lbGroups[in.groupURN]:
				out = append(out, Finding{URN: in.source.URN, Message: fmt.Sprintf(
					"%s: admits %s ports %s-%s from anywhere on a security group no load balancer uses; allow the load balancer's security group instead",
					label(in.source), in.protocol, fmtNum(in.from), fmtNum(in.to))})
			case !portOK:
				out = append(out, Finding{URN: in.source.URN, Message: fmt.Sprintf(
					"%s: opens %s ports %s-%s of a load balancer to anywhere; only TCP %s may be public",
					label(in.source), in.protocol, fmtNum(in.from), fmtNum(in.to), joinNums(ports))})
			}
		}
		return out
	},
}

func joinNums(fs []float64) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = fmtNum(f)
	}
	return strings.Join(parts, "/")
}

// eksView reads the settings both cluster resources carry: the pulumi-eks component's inputs and
// the aws.eks.Cluster it creates (seen by the engine in a real preview).
type eksView struct {
	privateAccess, publicAccess bool
	publicCIDRs                 []string
	hasKey                      bool
	logTypes                    []string
}

func eksOf(r model.Resource) (eksView, bool) {
	prefix, keyPath := "", "encryptionConfigKeyArn"
	switch r.Type {
	case model.TypePulumiEKSCluster:
	case model.TypeEKSCluster:
		prefix, keyPath = "vpcConfig.", "encryptionConfig.provider.keyArn"
	default:
		return eksView{}, false
	}
	v := eksView{publicCIDRs: strs(r.Inputs, prefix+"publicAccessCidrs"), logTypes: strs(r.Inputs, "enabledClusterLogTypes")}
	v.privateAccess, _ = boolean(r.Inputs, prefix+"endpointPrivateAccess")
	pub, ok := boolean(r.Inputs, prefix+"endpointPublicAccess")
	v.publicAccess = pub || !ok // both default to a public endpoint
	// A key being created in the same preview is unknown yet, and still a key.
	v.hasKey = declared(r.Inputs, keyPath)
	return v, true
}

var eksEndpointRestricted = Rule{
	Name:        "eks-endpoint-restricted",
	Description: "The EKS API endpoint is private, or public only to a restricted CIDR list.",
	Why:         "An API server open to the internet is one leaked token away from the whole cluster.",
	Level:       Mandatory,
	Check: func(r model.Resource, _ Params) []string {
		v, ok := eksOf(r)
		if !ok || !v.publicAccess {
			return nil
		}
		if len(v.publicCIDRs) == 0 || slices.ContainsFunc(v.publicCIDRs, func(c string) bool { return slices.Contains(worldCIDRs, c) }) {
			return []string{fmt.Sprintf("%s: public endpoint open to %v; list the CI and VPN egress CIDRs in openwan:cluster.publicAccessCidrs or turn endpointPublicAccess off",
				label(r), orAnywhere(v.publicCIDRs))}
		}
		if !v.privateAccess {
			return []string{fmt.Sprintf("%s: endpointPrivateAccess is off, so nodes reach the API server over the internet; turn it on", label(r))}
		}
		return nil
	},
}

func orAnywhere(cidrs []string) []string {
	if len(cidrs) == 0 {
		return []string{"0.0.0.0/0 (the default)"}
	}
	return cidrs
}

var eksSecretsEncryption = Rule{
	Name:        "eks-secrets-encryption",
	Description: "EKS encrypts Kubernetes Secrets with a KMS key.",
	Why:         "Envelope encryption keeps the database and RabbitMQ credentials out of etcd backups in clear text.",
	Level:       Mandatory,
	Check: func(r model.Resource, _ Params) []string {
		v, ok := eksOf(r)
		if !ok || v.hasKey {
			return nil
		}
		return []string{fmt.Sprintf("%s: no secrets encryption key; set encryptionConfigKeyArn to a KMS key with rotation", label(r))}
	},
}

var eksLogging = Rule{
	Name:        "eks-control-plane-logging",
	Description: "EKS sends at least the `requiredLogTypes` control-plane logs to CloudWatch.",
	Why:         "Audit and authenticator logs are the only record of who changed the cluster, and the API server log of why the HPA did what it did.",
	Level:       Mandatory,
	Params: map[string]Param{
		"requiredLogTypes": {Description: "control-plane log types that must be enabled", Default: []any{"api", "audit", "authenticator"}},
	},
	Check: func(r model.Resource, p Params) []string {
		v, ok := eksOf(r)
		if !ok {
			return nil
		}
		var missing []string
		for _, t := range p.Strings("requiredLogTypes") {
			if !slices.Contains(v.logTypes, t) {
				missing = append(missing, t)
			}
		}
		if len(missing) > 0 {
			return []string{fmt.Sprintf("%s: control-plane log types %v are not enabled; add them to openwan:cluster.logTypes", label(r), missing)}
		}
		return nil
	},
}

// workloadTypes are the Kubernetes kinds whose pod template the container rules read.
var workloadTypes = []string{model.TypeK8sDeployment, model.TypeK8sStatefulSet, model.TypeK8sDaemonSet, model.TypeK8sJob}

var containersNonRoot = Rule{
	Name:        "containers-non-root",
	Description: "Every container runs as non-root, without privilege escalation and unprivileged.",
	Why:         "The restricted Pod Security Standard of the namespace demands it; a root container turns an RCE into a node compromise.",
	Level:       Mandatory,
	Check: func(r model.Resource, _ Params) []string {
		if !slices.Contains(workloadTypes, r.Type) {
			return nil
		}
		pod := object(r.Inputs, "spec.template.spec")
		podNonRoot, _ := boolean(pod, "securityContext.runAsNonRoot")
		var out []string
		for _, c := range append(objects(pod, "initContainers"), objects(pod, "containers")...) {
			name, _ := str(c, "name")
			nonRoot, ok := boolean(c, "securityContext.runAsNonRoot")
			if !(nonRoot || (!ok && podNonRoot)) {
				out = append(out, fmt.Sprintf("%s: container %s may run as root; set securityContext.runAsNonRoot true", label(r), name))
			}
			if esc, ok := boolean(c, "securityContext.allowPrivilegeEscalation"); !ok || esc {
				out = append(out, fmt.Sprintf("%s: container %s allows privilege escalation; set securityContext.allowPrivilegeEscalation false", label(r), name))
			}
			if priv, _ := boolean(c, "securityContext.privileged"); priv {
				out = append(out, fmt.Sprintf("%s: container %s is privileged; drop securityContext.privileged", label(r), name))
			}
		}
		return out
	},
}
