package rules

import (
	"fmt"
	"testing"

	"github.com/openwan/openwan-infra/internal/model"
)

const launchTemplateOK = `{"instanceType": "t3.medium",
	"metadataOptions": {"httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": 1},
	"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "volumeSize": 30}}],
	"networkInterfaces": [{"associatePublicIpAddress": "false", "deviceIndex": 0}]}`

func TestIMDSv2Required(t *testing.T) {
	hops := fmtNum(defaults(t, "imdsv2-required").Number("maxHopLimit"))
	runRuleCases(t, "imdsv2-required", []ruleCase{
		{name: "tokens required, one hop", resources: []model.Resource{
			res(model.TypeEC2LaunchTemplate, "lt", launchTemplateOK), res(model.TypeEKSNodeGroup, "ng", `{"launchTemplate": {"id": "lt-id", "version": "1"}}`)}},
		{name: "IMDSv1 allowed and two hops", resources: []model.Resource{res(model.TypeEC2LaunchTemplate, "lt", `{"metadataOptions": {"httpTokens": "optional", "httpPutResponseHopLimit": 2}}`)},
			want: []string{
				`LaunchTemplate lt: metadataOptions.httpTokens is "optional", not "required"; require IMDSv2 (openwan:ec2.metadata.httpTokens)`,
				"LaunchTemplate lt: metadataOptions.httpPutResponseHopLimit is 2, above " + hops + "; set it to " + hops + " (openwan:ec2.metadata.hopLimit)",
			}},
		{name: "two hops allowed by config", config: Config{"imdsv2-required": {Params: map[string]any{"maxHopLimit": 2.0}}},
			resources: []model.Resource{res(model.TypeEC2LaunchTemplate, "lt", `{"metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 2}}`)}},
		{name: "no metadata options at all", resources: []model.Resource{res(model.TypeEC2LaunchTemplate, "lt", `{}`)}, want: []string{
			`LaunchTemplate lt: metadataOptions.httpTokens is "", not "required"; require IMDSv2 (openwan:ec2.metadata.httpTokens)`,
			"LaunchTemplate lt: metadataOptions.httpPutResponseHopLimit is unset (AWS default 1, or 2 on some AMIs), above " + hops + "; set it to " + hops + " (openwan:ec2.metadata.hopLimit)",
		}},
		{name: "node group on EKS's default launch template", resources: []model.Resource{res(model.TypeEKSNodeGroup, "ng", `{}`)},
			want: []string{"NodeGroup ng: no launch template, so EKS's default one sets the metadata options; run a launch template that requires IMDSv2"}},
		{name: "pulumi-eks node group, even with enableIMDSv2", resources: []model.Resource{res(model.TypePulumiEKSManagedNodeGroup, "ng", `{"enableIMDSv2": true}`)},
			want: []string{"ManagedNodeGroup ng: pulumi-eks's ManagedNodeGroup makes its own launch template (hop limit 2, out of the plan's sight); " +
				"declare aws:eks/nodeGroup:NodeGroup with a launch template that requires IMDSv2 with " + hops + " hop"}},
	})
}

func TestEncryptedVolumes(t *testing.T) {
	runRuleCases(t, "encrypted-volumes", []ruleCase{
		{name: "encrypted", resources: []model.Resource{res(model.TypeEC2LaunchTemplate, "lt", launchTemplateOK),
			res(model.TypeEKSNodeGroup, "ng", `{"launchTemplate": {"id": "lt-id", "version": "1"}}`)}},
		{name: "node groups whose disks the plan cannot see", resources: []model.Resource{
			res(model.TypeEKSNodeGroup, "ng", `{"diskSize": 50}`), res(model.TypePulumiEKSManagedNodeGroup, "mng", `{"diskSize": 50}`)},
			want: []string{
				"NodeGroup ng: no launch template, so its root volume is encrypted only if the account encrypts by default; run a launch template whose volume is encrypted",
				"ManagedNodeGroup mng: pulumi-eks's ManagedNodeGroup gives its nodes a root volume encrypted only if the account encrypts by default; " +
					"declare aws:eks/nodeGroup:NodeGroup with a launch template whose volume is encrypted",
			}},
		{name: "plain and unset", resources: []model.Resource{res(model.TypeEC2LaunchTemplate, "lt", `{"blockDeviceMappings": [
			{"deviceName": "/dev/xvda", "ebs": {"encrypted": "false"}}, {"deviceName": "/dev/sdb", "ebs": {"volumeSize": 100}}]}`)},
			want: []string{
				`LaunchTemplate lt: volume /dev/xvda is not encrypted; set ebs.encrypted "true"`,
				`LaunchTemplate lt: volume /dev/sdb is not encrypted; set ebs.encrypted "true"`,
			}},
	})
}

func TestSNSTopicEncrypted(t *testing.T) {
	runRuleCases(t, "sns-topic-encrypted", []ruleCase{
		{name: "customer-managed key", resources: []model.Resource{
			res(model.TypeSNSTopic, "alerts", `{"kmsMasterKeyId": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}`)}},
		{name: "key created in the same preview", resources: []model.Resource{res(model.TypeSNSTopic, "alerts", `{"kmsMasterKeyId": "[unknown]"}`)}},
		{name: "not encrypted, and under the AWS-managed key", resources: []model.Resource{
			res(model.TypeSNSTopic, "alerts", `{}`),
			res(model.TypeSNSTopic, "events", `{"kmsMasterKeyId": "alias/aws/sns"}`),
			res(model.TypeSNSTopic, "audit", `{"kmsMasterKeyId": "arn:aws:kms:us-east-1:123456789012:alias/aws/sns"}`),
			// Not a topic: the rule reads topics only.
			res("aws:sqs/queue:Queue", "jobs", `{}`)},
			want: []string{
				"Topic alerts: not encrypted; set kmsMasterKeyId to a customer-managed KMS key whose policy lets its publishers use it",
				"Topic events: encrypted with the AWS-managed alias/aws/sns, to which CloudWatch alarms and Auto Scaling cannot publish; use a customer-managed key",
				"Topic audit: encrypted with the AWS-managed arn:aws:kms:us-east-1:123456789012:alias/aws/sns, to which CloudWatch alarms and Auto Scaling cannot publish; use a customer-managed key",
			}},
	})
}

func TestNoPublicIP(t *testing.T) {
	runRuleCases(t, "no-public-ip", []ruleCase{
		{name: "private", resources: []model.Resource{res(model.TypeEC2LaunchTemplate, "lt", launchTemplateOK), res(model.TypePulumiEKSCluster, "eks", `{"nodeAssociatePublicIpAddress": false}`)}},
		{name: "public", resources: []model.Resource{
			res(model.TypeEC2LaunchTemplate, "lt", `{"networkInterfaces": [{"associatePublicIpAddress": "true"}]}`),
			res(model.TypePulumiEKSCluster, "eks", `{}`)},
			want: []string{
				`LaunchTemplate lt: networkInterfaces[0].associatePublicIpAddress is true; set it "false" and use private subnets`,
				"Cluster eks: nodeAssociatePublicIpAddress is not false; set it false so nodes get no public IP",
			}},
	})
}

func TestNoOpenIngress(t *testing.T) {
	publicPorts := joinNums(defaults(t, "no-open-ingress").Numbers("publicPorts"))
	lbSG := res(model.TypeEC2SecurityGroup, "lb-sg", `{}`)
	lb := dependsOn(res(model.TypeLBLoadBalancer, "lb", `{}`), "securityGroups", lbSG)
	http := dependsOn(res(model.TypeEC2SecurityGroupRule, "lb-80", `{"type": "ingress", "protocol": "tcp", "fromPort": 80, "toPort": 80, "cidrBlocks": ["0.0.0.0/0"]}`), "securityGroupId", lbSG)
	https6 := dependsOn(res(model.TypeVPCSecurityGroupIngressRule, "lb-443", `{"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv6": "::/0"}`), "securityGroupId", lbSG)
	ssh := dependsOn(res(model.TypeEC2SecurityGroupRule, "lb-22", `{"type": "ingress", "protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}`), "securityGroupId", lbSG)
	instances := res(model.TypeEC2SecurityGroup, "app-sg", `{"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "ipv6CidrBlocks": ["::/0"]},
		{"protocol": "tcp", "fromPort": 8080, "toPort": 8080, "cidrBlocks": ["10.0.0.0/16"]}]}`)
	runRuleCases(t, "no-open-ingress", []ruleCase{
		{name: "load balancer on 80 and 443", resources: []model.Resource{lbSG, lb, http, https6}},
		{name: "SSH on the load balancer", resources: []model.Resource{lbSG, lb, ssh},
			want: []string{"SecurityGroupRule lb-22: opens tcp ports 22-22 of a load balancer to anywhere; only TCP " + publicPorts + " may be public"}},
		{name: "HTTPS straight to instances", resources: []model.Resource{lbSG, lb, instances},
			want: []string{"SecurityGroup app-sg: admits tcp ports 443-443 from anywhere on a security group no load balancer uses; allow the load balancer's security group instead"}},
		{name: "8443 public by config", config: Config{"no-open-ingress": {Params: map[string]any{"publicPorts": []any{8443.0}}}}, resources: []model.Resource{lbSG, lb, http},
			want: []string{"SecurityGroupRule lb-80: opens tcp ports 80-80 of a load balancer to anywhere; only TCP 8443 may be public"}},
	})
}

const eksOK = `{"endpointPrivateAccess": true, "endpointPublicAccess": true, "publicAccessCidrs": ["198.51.100.0/24"],
	"encryptionConfigKeyArn": "arn:aws:kms:us-east-1:1:key/k", "enabledClusterLogTypes": ["api", "audit", "authenticator", "scheduler"],
	"nodeAssociatePublicIpAddress": false}`

func TestEKSEndpointRestricted(t *testing.T) {
	runRuleCases(t, "eks-endpoint-restricted", []ruleCase{
		{name: "restricted public and private", resources: []model.Resource{res(model.TypePulumiEKSCluster, "eks", eksOK)}},
		{name: "private only", resources: []model.Resource{res(model.TypeEKSCluster, "c", `{"vpcConfig": {"endpointPrivateAccess": true, "endpointPublicAccess": false}}`)}},
		{name: "public to the world by default", resources: []model.Resource{res(model.TypePulumiEKSCluster, "eks", `{"endpointPrivateAccess": true}`)},
			want: []string{"Cluster eks: public endpoint open to [0.0.0.0/0 (the default)]; list the CI and VPN egress CIDRs in openwan:cluster.publicAccessCidrs or turn endpointPublicAccess off"}},
		{name: "aws cluster open to 0.0.0.0/0", resources: []model.Resource{res(model.TypeEKSCluster, "c", `{"vpcConfig": {"endpointPrivateAccess": true, "publicAccessCidrs": ["0.0.0.0/0"]}}`)},
			want: []string{"Cluster c: public endpoint open to [0.0.0.0/0]; list the CI and VPN egress CIDRs in openwan:cluster.publicAccessCidrs or turn endpointPublicAccess off"}},
		{name: "restricted but no private access", resources: []model.Resource{res(model.TypePulumiEKSCluster, "eks", `{"publicAccessCidrs": ["198.51.100.0/24"]}`)},
			want: []string{"Cluster eks: endpointPrivateAccess is off, so nodes reach the API server over the internet; turn it on"}},
	})
}

func TestEKSSecretsEncryption(t *testing.T) {
	runRuleCases(t, "eks-secrets-encryption", []ruleCase{
		{name: "key set", resources: []model.Resource{res(model.TypePulumiEKSCluster, "eks", eksOK)}},
		{name: "key created in the same preview", resources: []model.Resource{res(model.TypePulumiEKSCluster, "eks", `{"encryptionConfigKeyArn": "[unknown]"}`),
			res(model.TypeEKSCluster, "c", `{"encryptionConfig": {"provider": {"keyArn": "[unknown]"}}}`)}},
		{name: "no key", resources: []model.Resource{res(model.TypePulumiEKSCluster, "eks", `{}`), res(model.TypeEKSCluster, "c", `{}`)}, want: []string{
			"Cluster eks: no secrets encryption key; set encryptionConfigKeyArn to a KMS key with rotation",
			"Cluster c: no secrets encryption key; set encryptionConfigKeyArn to a KMS key with rotation",
		}},
	})
}

func TestEKSLogging(t *testing.T) {
	var notAPI []string // the default required log types the "api only" case leaves out
	for _, l := range defaults(t, "eks-control-plane-logging").Strings("requiredLogTypes") {
		if l != "api" {
			notAPI = append(notAPI, l)
		}
	}
	runRuleCases(t, "eks-control-plane-logging", []ruleCase{
		{name: "api, audit, authenticator", resources: []model.Resource{res(model.TypePulumiEKSCluster, "eks", eksOK)}},
		{name: "api only", resources: []model.Resource{res(model.TypePulumiEKSCluster, "eks", `{"enabledClusterLogTypes": ["api"]}`)},
			want: []string{fmt.Sprintf("Cluster eks: control-plane log types %v are not enabled; add them to openwan:cluster.logTypes", notAPI)}},
		{name: "scheduler required by config", config: Config{"eks-control-plane-logging": {Params: map[string]any{"requiredLogTypes": []any{"scheduler", "controllerManager"}}}},
			resources: []model.Resource{res(model.TypePulumiEKSCluster, "eks", eksOK)},
			want:      []string{"Cluster eks: control-plane log types [controllerManager] are not enabled; add them to openwan:cluster.logTypes"}},
	})
}

func TestContainersNonRoot(t *testing.T) {
	runRuleCases(t, "containers-non-root", []ruleCase{
		{name: "pod-level non-root, no escalation", resources: []model.Resource{res(model.TypeK8sDeployment, "api", deploymentOK)}},
		{name: "root, escalation, privileged", resources: []model.Resource{res("kubernetes:apps/v1:DaemonSet", "ds", `{"metadata": {"name": "agent"}, "spec": {"template": {"spec": {
			"containers": [{"name": "agent", "securityContext": {"privileged": true}}]}}}}`)},
			want: []string{
				"DaemonSet agent: container agent may run as root; set securityContext.runAsNonRoot true",
				"DaemonSet agent: container agent allows privilege escalation; set securityContext.allowPrivilegeEscalation false",
				"DaemonSet agent: container agent is privileged; drop securityContext.privileged",
			}},
		{name: "container overrides pod's non-root", resources: []model.Resource{res(model.TypeK8sDeployment, "d", `{"metadata": {"name": "d"}, "spec": {"template": {"spec": {
			"securityContext": {"runAsNonRoot": true},
			"containers": [{"name": "c", "securityContext": {"runAsNonRoot": false, "allowPrivilegeEscalation": false}}]}}}}`)},
			want: []string{"Deployment d: container c may run as root; set securityContext.runAsNonRoot true"}},
	})
}
