package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/components/cluster"
	"github.com/openwan/openwan-infra/components/kube"
	"github.com/openwan/openwan-infra/internal/componenttest"
)

func TestLoadBalancerControllerArgsRefusals(t *testing.T) {
	valid := func() *cluster.LoadBalancerControllerArgs {
		return &cluster.LoadBalancerControllerArgs{
			Chart:       kube.Chart{ChartVersion: "1.13.4", Requests: kube.Resources{CPUMillis: 50, MemoryMiB: 128}},
			ClusterName: pulumi.String("openwan-test"), OIDCIssuer: pulumi.String("issuer"), OIDCArn: pulumi.String("arn"),
			Region: "eu-west-1", VPCID: pulumi.String("vpc-1"), ImageTag: "v2.13.4", Replicas: 2,
		}
	}
	componenttest.Refusals(t, valid, componenttest.Validator(cluster.NewLoadBalancerController, "lbc"), []componenttest.Refusal[cluster.LoadBalancerControllerArgs]{
		{Name: "the chart's fields first", Change: func(a *cluster.LoadBalancerControllerArgs) { a.Chart, a.Replicas = kube.Chart{}, 11 },
			Fields: []string{"ChartVersion", "Requests.CPUMillis", "Requests.MemoryMiB", "Replicas"}},
		{Name: "no region", Change: func(a *cluster.LoadBalancerControllerArgs) { a.Region = "" }, Fields: []string{"Region"}},
	})
}
