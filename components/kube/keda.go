package kube

import (
	"errors"
	"fmt"

	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// KEDAChartRepo is where the KEDA chart is published.
const KEDAChartRepo = "https://kedacore.github.io/charts"

// KEDA is KEDA installed from its Helm chart into its own namespace: the operator that turns
// ScaledObjects into HPAs, the external metrics API server those HPAs read queue lengths from,
// and the admission webhooks that refuse a second autoscaler on one Deployment.
type KEDA struct {
	pulumi.ResourceState

	// Release is the Helm release.
	Release *helmv3.Release
}

// KEDAArgs describe the KEDA release.
type KEDAArgs struct {
	// Chart pins the kedacore/keda chart; its Requests are each of the three pods' (operator,
	// metrics API server, webhooks), and its NodeSelector places them on the on-demand pool:
	// scaling must not depend on spot capacity.
	Chart
}

func (a *KEDAArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	return errors.Join(a.Chart.Validate("")...)
}

// NewKEDA declares the KEDA Helm release in namespace "keda" (created by the release), with
// the given requests on the operator, the metrics API server and the webhooks. The chart's own
// defaults already run them as non-root with a read-only root file system.
func NewKEDA(ctx *pulumi.Context, name string, args *KEDAArgs, opts ...pulumi.ResourceOption) (*KEDA, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("keda %s: %w", name, err)
	}
	k := &KEDA{}
	if err := ctx.RegisterComponentResource("openwan:k8s:KEDA", name, k, opts...); err != nil {
		return nil, err
	}
	requests := pulumi.Map{"requests": Quantities(args.Requests)}
	var err error
	k.Release, err = helmv3.NewRelease(ctx, name+"-release", &helmv3.ReleaseArgs{
		Chart:           pulumi.String("keda"),
		Version:         pulumi.String(args.ChartVersion),
		Namespace:       pulumi.String("keda"),
		CreateNamespace: pulumi.Bool(true),
		RepositoryOpts:  &helmv3.RepositoryOptsArgs{Repo: pulumi.String(KEDAChartRepo)},
		Values: pulumi.Map{
			"resources": pulumi.Map{
				"operator":     requests,
				"metricServer": requests,
				"webhooks":     requests,
			},
			"nodeSelector": pulumi.ToStringMap(args.NodeSelector),
		},
		Atomic: pulumi.Bool(true),
	}, pulumi.Parent(k))
	if err != nil {
		return nil, fmt.Errorf("keda %s: %w", name, err)
	}
	if err := ctx.RegisterResourceOutputs(k, pulumi.Map{"releaseStatus": k.Release.Status.Status()}); err != nil {
		return nil, err
	}
	return k, nil
}
