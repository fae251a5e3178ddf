package cluster

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/components/internal/componenttest"
	"github.com/openwan/openwan-infra/components/kube"
)

func TestLoadBalancerControllerArgsRefusals(t *testing.T) {
	valid := func() *LoadBalancerControllerArgs {
		return &LoadBalancerControllerArgs{
			Chart:       kube.Chart{ChartVersion: "1.13.4", Requests: kube.Resources{CPUMillis: 50, MemoryMiB: 128}},
			ClusterName: pulumi.String("openwan-test"), OIDCIssuer: pulumi.String("issuer"), OIDCArn: pulumi.String("arn"),
			Region: "eu-west-1", VPCID: pulumi.String("vpc-1"), ImageTag: "v2.13.4", Replicas: 2,
		}
	}
	componenttest.Refusals(t, valid, (*LoadBalancerControllerArgs).validate, []componenttest.Refusal[LoadBalancerControllerArgs]{
		{Name: "the chart's fields first", Change: func(a *LoadBalancerControllerArgs) { a.Chart, a.Replicas = kube.Chart{}, 11 },
			Fields: []string{"ChartVersion", "Requests.CPUMillis", "Requests.MemoryMiB", "Replicas"}},
		{Name: "no region", Change: func(a *LoadBalancerControllerArgs) { a.Region = "" }, Fields: []string{"Region"}},
	})
}
